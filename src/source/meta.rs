//! Typed front matter: the fields opsbook knows, per kind, checked; everything else kept as
//! `extra` with a warning (and a did-you-mean hint when it looks like a typo).

use serde::Deserialize;
use serde_json::{Map, Value};

use super::front_matter::Parsed;
use crate::dates::DateTime;
use crate::vocabulary::{Impact, Kind, PostmortemStatus, Severity, UpdateStatus};

/// The fields of `kind` beyond the common ones.
fn fields_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Page => &[],
        Kind::Runbook => &[
            "services",
            "alerts",
            "severity",
            "last_reviewed",
            "review_interval_days",
        ],
        Kind::Process => &["last_reviewed", "review_interval_days"],
        Kind::Postmortem => &[
            "severity",
            "services",
            "started",
            "detected",
            "mitigated",
            "resolved",
            "incident",
            "authors",
            "status",
        ],
        Kind::Incident => &[
            "components",
            "impact",
            "started",
            "resolved",
            "scheduled_start",
            "scheduled_end",
            "updates",
        ],
    }
}

/// Fields every kind has.
const COMMON_FIELDS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "tags",
    "owners",
    "draft",
    "aliases",
    "weight",
    "kind",
    "slug",
    "template",
];

/// Every field name opsbook knows, for did-you-mean hints.
pub(crate) fn all_fields() -> impl Iterator<Item = &'static str> {
    let kinds = [
        Kind::Runbook,
        Kind::Process,
        Kind::Postmortem,
        Kind::Incident,
    ];
    COMMON_FIELDS
        .iter()
        .copied()
        .chain(kinds.into_iter().flat_map(|k| fields_of(k).iter().copied()))
}

/// One entry of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Update {
    pub at: DateTime,
    pub status: UpdateStatus,
    pub message: String,
}

/// The known front matter fields; which of them a kind may use is checked before this is filled.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
    pub title: Option<String>,
    pub description: Option<String>,
    pub date: Option<DateTime>,
    pub updated: Option<DateTime>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub weight: Option<i64>,
    pub kind: Option<Kind>,
    pub slug: Option<String>,
    pub template: Option<String>,
    // runbook, postmortem
    #[serde(default)]
    pub services: Vec<String>,
    pub severity: Option<Severity>,
    // runbook
    #[serde(default)]
    pub alerts: Vec<String>,
    // runbook, process
    pub last_reviewed: Option<DateTime>,
    pub review_interval_days: Option<u32>,
    // postmortem, incident
    pub started: Option<DateTime>,
    pub resolved: Option<DateTime>,
    // postmortem
    pub detected: Option<DateTime>,
    pub mitigated: Option<DateTime>,
    pub incident: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub status: Option<PostmortemStatus>,
    // incident
    #[serde(default)]
    pub components: Vec<String>,
    pub impact: Option<Impact>,
    pub scheduled_start: Option<DateTime>,
    pub scheduled_end: Option<DateTime>,
    #[serde(default)]
    pub updates: Vec<Update>,
    /// Fields opsbook does not know, for templates.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// A problem with one field: its key path, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
    pub is_error: bool,
}

/// Reads the kind first (it decides which fields are known), then the typed fields.
pub(crate) fn read(parsed: &Parsed, folder_kind: Kind) -> (Option<Meta>, Vec<FieldProblem>) {
    let mut problems = Vec::new();
    let mut known = Map::new();
    let mut extra = Map::new();
    let kind = match parsed.values.get("kind") {
        Some(value) => match Kind::deserialize(value) {
            Ok(kind) => kind,
            Err(_) => {
                let (line, column) = parsed.position("kind");
                problems.push(FieldProblem {
                    line,
                    column,
                    message: format!(
                        "unknown kind {value}: expected one of page, runbook, process, postmortem, incident"
                    ),
                    hint: None,
                    is_error: true,
                });
                return (None, problems);
            }
        },
        None => folder_kind,
    };
    for (key, value) in &parsed.values {
        if COMMON_FIELDS.contains(&key.as_str()) || fields_of(kind).contains(&key.as_str()) {
            // Empty strings mean "not set" in many migrated handbooks.
            if value.as_str() != Some("") {
                known.insert(key.clone(), value.clone());
            }
            continue;
        }
        let (line, column) = parsed.positions.key(key);
        let used_elsewhere = all_fields().any(|f| f == key);
        let (message, hint) = if used_elsewhere {
            (
                format!(
                    "field `{key}` is not used by {} pages; kept as `page.extra.{key}`",
                    kind.as_str()
                ),
                None,
            )
        } else {
            (
                format!("unknown field `{key}`; kept as `page.extra.{key}`"),
                crate::diagnostic::did_you_mean(
                    key,
                    all_fields()
                        .filter(|f| COMMON_FIELDS.contains(f) || fields_of(kind).contains(f)),
                )
                .map(|f| format!("did you mean `{f}`?")),
            )
        };
        problems.push(FieldProblem {
            line,
            column,
            message,
            hint,
            is_error: false,
        });
        extra.insert(key.clone(), value.clone());
    }
    match serde_path_to_error::deserialize::<_, Meta>(Value::Object(known)) {
        Ok(mut meta) => {
            meta.kind = Some(kind);
            meta.extra = extra;
            (Some(meta), problems)
        }
        Err(e) => {
            let path = e.path().to_string();
            let (line, column) = parsed.position(&path.replace('[', ".").replace(']', ""));
            let message = e.inner().to_string();
            problems.push(FieldProblem {
                line,
                column,
                message: format!("invalid `{path}`: {message}"),
                hint: None,
                is_error: true,
            });
            (None, problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::front_matter::{parse, split};
    use super::*;

    fn read_text(text: &str, kind: Kind) -> (Option<Meta>, Vec<FieldProblem>) {
        read(&parse(&split(text).unwrap()).unwrap(), kind)
    }

    #[test]
    fn typed_fields_per_kind() {
        let (meta, problems) = read_text(
            "+++\ntitle = \"Disk\"\nseverity = \"sev2\"\nlast_reviewed = 2026-09-14\nalerts = [\"A\"]\n+++\n",
            Kind::Runbook,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let meta = meta.unwrap();
        assert_eq!(meta.severity, Some(Severity::Sev2));
        assert_eq!(meta.last_reviewed.unwrap().iso(), "2026-09-14");
        assert_eq!(meta.kind, Some(Kind::Runbook));
    }

    #[test]
    fn bad_enum_is_an_error_at_its_line() {
        let (meta, problems) = read_text(
            "+++\ntitle = \"x\"\nseverity = \"sev9\"\n+++\n",
            Kind::Runbook,
        );
        assert!(meta.is_none());
        assert_eq!((problems[0].line, problems[0].column), (3, 12));
        assert!(
            problems[0].message.contains("invalid `severity`"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn bad_nested_date_points_at_the_update() {
        let text = "+++\nimpact = \"minor\"\n[[updates]]\nat = \"soon\"\nstatus = \"resolved\"\nmessage = \"m\"\n+++\n";
        let (_, problems) = read_text(text, Kind::Incident);
        assert_eq!(problems[0].line, 4, "{problems:?}");
        assert!(
            problems[0].message.contains("updates[0].at"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn unknown_fields_are_kept_with_a_hint() {
        let (meta, problems) = read_text(
            "+++\nlast_review = 2026-01-01\nteam = \"x\"\n+++\n",
            Kind::Runbook,
        );
        let meta = meta.unwrap();
        assert!(meta.extra.contains_key("last_review") && meta.extra.contains_key("team"));
        assert_eq!(
            problems[0].hint.as_deref(),
            Some("did you mean `last_reviewed`?")
        );
        assert!(!problems[0].is_error);
    }

    #[test]
    fn unknown_kind_is_an_error() {
        let (meta, problems) = read_text("+++\nkind = \"recipe\"\n+++\n", Kind::Page);
        assert!(meta.is_none());
        assert!(problems[0].message.starts_with("unknown kind \"recipe\""));
    }
}
