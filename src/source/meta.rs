//! Typed front matter: the fields opsbook knows, per kind, checked; everything else kept as
//! `extra` with a warning (and a did-you-mean hint when it looks like a typo).

use std::collections::BTreeSet;

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
            "parameters",
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
            "triggers",
            "contributing_factors",
            "related",
        ],
        Kind::Incident => &[
            "components",
            "impact",
            "started",
            "resolved",
            "scheduled_start",
            "scheduled_end",
            "recurrence",
            "timezone",
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
    "source_url",
    "language",
    "lang",
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

/// A runbook's parameter: filled from the alert URL's query or by the reader, it replaces the
/// `<<name>>` placeholders of the runbook's code and link URLs.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Parameter {
    pub name: String,
    pub description: Option<String>,
    pub example: Option<String>,
}

impl Parameter {
    /// The parameters of `declared` with names a placeholder can have, each once: what a
    /// runbook's page and the data files offer (`check` reports the rest).
    pub(crate) fn usable(declared: &[Parameter]) -> Vec<&Parameter> {
        let mut parameters: Vec<&Parameter> = Vec::new();
        for parameter in declared {
            if crate::markdown::params::is_name(&parameter.name)
                && !parameters.iter().any(|p| p.name == parameter.name)
            {
                parameters.push(parameter);
            }
        }
        parameters
    }
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
    #[serde(default)]
    pub parameters: Vec<Parameter>,
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
    /// Factor ids (see `[postmortems]` in `opsbook.toml`): what set the incident off.
    #[serde(default)]
    pub triggers: Vec<String>,
    /// Factor ids: what made the incident possible, or worse.
    #[serde(default)]
    pub contributing_factors: Vec<String>,
    /// File names of earlier postmortems or status incidents this one relates to.
    #[serde(default)]
    pub related: Vec<String>,
    // incident
    #[serde(default)]
    pub components: Vec<String>,
    pub impact: Option<Impact>,
    pub scheduled_start: Option<DateTime>,
    pub scheduled_end: Option<DateTime>,
    /// A maintenance's iCalendar recurrence rule (`FREQ=WEEKLY;BYDAY=TU`).
    pub recurrence: Option<String>,
    /// The IANA time zone of a recurring maintenance's wall-clock times.
    pub timezone: Option<String>,
    #[serde(default)]
    pub updates: Vec<Update>,
    /// Where the page was first published, when another site has the original (a public
    /// postmortem's report).
    pub source_url: Option<String>,
    /// The language of the page's text, when it is not its handbook's (`language`, or `lang` as
    /// Hugo and MkDocs write it): search analyzes the page in it.
    #[serde(alias = "lang")]
    pub language: Option<crate::language::Language>,
    /// Fields opsbook does not know, for templates.
    #[serde(skip)]
    pub extra: Map<String, Value>,
    /// Known fields whose values were invalid and left out (reported where they were read).
    #[serde(skip)]
    pub invalid: BTreeSet<String>,
}

/// A problem with one field: its key path, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldProblem {
    /// The `check` rule it falls under.
    pub rule: &'static str,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
    pub is_error: bool,
}

/// Reads the kind first (it decides which fields are known), then the typed fields.
pub(crate) fn read(parsed: &Parsed, folder_kind: Kind) -> (Meta, Vec<FieldProblem>) {
    let mut problems = Vec::new();
    let mut known = Map::new();
    let mut extra = Map::new();
    let kind = match parsed.values.get("kind") {
        Some(value) => match Kind::deserialize(value) {
            Ok(kind) => kind,
            Err(_) => {
                let (line, column) = parsed.position("kind");
                problems.push(FieldProblem {
                rule: "invalid-field",
                    line,
                    column,
                    message: format!(
                        "unknown kind {value}: expected one of page, runbook, process, postmortem, incident; read as {}",
                        folder_kind.as_str()
                    ),
                    hint: None,
                    is_error: true,
                });
                folder_kind
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
            rule: "unknown-field",
            line,
            column,
            message,
            hint,
            is_error: false,
        });
        extra.insert(key.clone(), value.clone());
    }
    known.remove("kind");
    let mut invalid = BTreeSet::new();
    language_problems(parsed, &mut known, &mut problems, &mut invalid);
    // A bad value is left out and the rest read again, so the page keeps every good field and
    // each bad one is reported.
    let mut meta = loop {
        match serde_path_to_error::deserialize::<_, Meta>(Value::Object(known.clone())) {
            Ok(meta) => break meta,
            Err(e) => {
                let path = e.path().to_string();
                let dotted = path.replace('[', ".").replace(']', "");
                let (line, column) = parsed.position(&dotted);
                problems.push(FieldProblem {
                    rule: "invalid-field",
                    line,
                    column,
                    message: format!("invalid `{path}`: {}; left out", e.inner()),
                    hint: None,
                    is_error: true,
                });
                let top = dotted.split('.').next().unwrap_or("").to_string();
                if !leave_out(&mut known, &dotted) {
                    break Meta::default();
                }
                invalid.insert(top);
            }
        }
    };
    if let Some(url) = meta.source_url.take() {
        if is_web_url(&url) {
            meta.source_url = Some(url);
        } else {
            let (line, column) = parsed.position("source_url");
            problems.push(FieldProblem {
                rule: "invalid-field",
                line,
                column,
                message: format!("invalid `source_url`: `{url}` is not an http(s) URL; left out"),
                hint: None,
                is_error: true,
            });
            invalid.insert("source_url".into());
        }
    }
    meta.kind = Some(kind);
    meta.extra = extra;
    meta.invalid = invalid;
    (meta, problems)
}

/// A page language search does not know is a warning, not an error: handbooks migrated from
/// Hugo or MkDocs carry `lang` for other reasons, and their text is still searched in the
/// handbook's language.
fn language_problems(
    parsed: &Parsed,
    known: &mut Map<String, Value>,
    problems: &mut Vec<FieldProblem>,
    invalid: &mut BTreeSet<String>,
) {
    for key in ["language", "lang"] {
        let Some(value) = known.get(key) else {
            continue;
        };
        if value
            .as_str()
            .is_some_and(|text| crate::language::Language::parse(text).is_some())
        {
            continue;
        }
        let (line, column) = parsed.position(key);
        problems.push(FieldProblem {
            rule: "invalid-field",
            line,
            column,
            message: format!(
                "unknown `{key}` {value}: search knows {}; the page is searched in the handbook's language",
                crate::language::Language::codes()
            ),
            hint: None,
            is_error: false,
        });
        known.remove(key);
        invalid.insert(key.to_string());
    }
}

/// Removes the value at `dotted` (`severity`, `updates.2.at`) from `known`: the element of a
/// list it is in, else its whole field. Returns whether there was anything to remove.
fn leave_out(known: &mut Map<String, Value>, dotted: &str) -> bool {
    let mut parts = dotted.split('.');
    let top = parts.next().unwrap_or("");
    let index = parts.next().and_then(|i| i.parse::<usize>().ok());
    match (known.get_mut(top), index) {
        (Some(Value::Array(items)), Some(index)) if index < items.len() => {
            items.remove(index);
            true
        }
        (Some(_), _) => known.remove(top).is_some(),
        (None, _) => false,
    }
}

/// An absolute `http` or `https` URL: the only links opsbook writes from a field's value.
pub(crate) fn is_web_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::super::front_matter::{parse, split};
    use super::*;

    fn read_text(text: &str, kind: Kind) -> (Meta, Vec<FieldProblem>) {
        read(&parse(&split(text).unwrap()).unwrap(), kind)
    }

    #[test]
    fn typed_fields_per_kind() {
        let (meta, problems) = read_text(
            "+++\ntitle = \"Disk\"\nseverity = \"sev2\"\nlast_reviewed = 2026-09-14\nalerts = [\"A\"]\n+++\n",
            Kind::Runbook,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(meta.severity, Some(Severity::Sev2));
        assert_eq!(meta.last_reviewed.unwrap().iso(), "2026-09-14");
        assert_eq!(meta.kind, Some(Kind::Runbook));
    }

    #[test]
    fn a_bad_value_is_an_error_at_its_line_and_the_rest_is_kept() {
        let (meta, problems) = read_text(
            "+++\ntitle = \"x\"\nseverity = \"sev9\"\nlast_reviewed = \"soon\"\nowners = [\"a\"]\n+++\n",
            Kind::Runbook,
        );
        assert_eq!(meta.title.as_deref(), Some("x"));
        assert_eq!(meta.owners, ["a"]);
        assert_eq!(meta.severity, None);
        assert!(meta.invalid.contains("severity"), "{:?}", meta.invalid);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|p| p.is_error));
        let mut places: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        places.sort();
        assert_eq!(places, [(3, 12), (4, 17)]);
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("invalid `severity`")),
            "{problems:?}"
        );
    }

    #[test]
    fn bad_nested_date_points_at_the_update() {
        let text = "+++\nimpact = \"minor\"\n[[updates]]\nat = \"soon\"\nstatus = \"resolved\"\nmessage = \"m\"\n+++\n";
        let (meta, problems) = read_text(text, Kind::Incident);
        assert_eq!(problems[0].line, 4, "{problems:?}");
        // Only the bad update is left out.
        assert!(meta.updates.is_empty());
        assert_eq!(meta.impact, Some(Impact::Minor));
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
        assert!(meta.extra.contains_key("last_review") && meta.extra.contains_key("team"));
        assert_eq!(
            problems[0].hint.as_deref(),
            Some("did you mean `last_reviewed`?")
        );
        assert!(!problems[0].is_error);
    }

    #[test]
    fn unknown_kind_is_an_error_and_the_folder_kind_stays() {
        let (meta, problems) = read_text("+++\nkind = \"recipe\"\n+++\n", Kind::Runbook);
        assert_eq!(meta.kind, Some(Kind::Runbook));
        assert!(problems[0].message.starts_with("unknown kind \"recipe\""));
    }
}
