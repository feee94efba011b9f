//! Front matter written for other tools, mapped onto opsbook's fields before they are typed.
//!
//! Hugo, Jekyll / GOV.UK tech-docs, Docusaurus, MkDocs, cState and postmortem collections each
//! name the same facts differently. A key another tool defines is either mapped (its value moves
//! to opsbook's field, its position with it) or kept quietly for templates; keys nobody defines
//! stay unknown and get opsbook's usual warning. opsbook's own fields are never rewritten: a
//! mapping applies only where the opsbook field is absent, or where its value could not be
//! opsbook's (cState's `severity: down`).

mod tools;

use serde_json::{Map, Value};

use super::dates::{lenient, Lenient};
use super::field_names::{DATE_FIELDS, KEPT, NUMBER_FIELDS};
use crate::dates::DateTime;
use crate::source::document::Placed;
use crate::source::front_matter::Parsed;
use crate::source::layout::Layout;
use crate::source::meta::FieldProblem;
use crate::vocabulary::Kind;

/// What mapping a document's front matter gave besides the rewritten values.
#[derive(Debug, Default)]
pub(crate) struct Mapped {
    /// Keys of other tools kept for templates (`page.extra`) without a warning.
    pub kept: Map<String, Value>,
    pub problems: Vec<FieldProblem>,
}

/// Maps the foreign keys of `parsed`, the front matter of the file `placed`, in place.
pub(crate) fn translate(
    parsed: &mut Parsed,
    folder_kind: Kind,
    layout: &Layout,
    placed: &Placed,
) -> Mapped {
    let relative = placed.path.as_str();
    let mut map = Mapper {
        parsed,
        mapped: Mapped::default(),
        origin: std::collections::HashMap::new(),
    };
    map.drop_empty_strings();
    map.plain_values();
    map.lists();
    let explicit_kind = map.parsed.values.contains_key("kind");
    if map.is_cstate() {
        map.cstate(explicit_kind);
    }
    map.hugo(relative);
    map.jekyll_themes();
    map.jekyll(explicit_kind, folder_kind);
    let (mount, in_root) = layout.place_in_root(&placed.path);
    map.docusaurus(mount, in_root);
    if layout.strip_number_prefixes {
        // Docusaurus orders by the number prefix the URL leaves out (`02-install.md`).
        if let Some(weight) = super::number_prefix(crate::paths::file_name(&placed.source)) {
            map.insert_if_absent("weight", Value::from(weight), "weight");
        }
    }
    map.collections();
    if layout.foreign {
        map.topics_as_tags();
        map.date_from_file_name(&placed.source);
        // Blog posts and docs name their authors; only a postmortem's authors mean something
        // to opsbook.
        if !explicit_kind && folder_kind != Kind::Postmortem {
            map.take("authors");
        }
    }
    if layout.inferred && folder_kind == Kind::Runbook {
        map.alert_named_by_file(&placed.source);
    }
    if let Some(entry) = layout.nav.get(&placed.source) {
        if let Some(title) = &entry.title {
            map.insert_if_absent("title", Value::String(title.clone()), "title");
        }
        // The navigation's order is what the other tool shows, whatever the page says.
        map.parsed.values.remove("weight");
        map.insert_if_absent("weight", Value::from(entry.position), "weight");
    } else if !layout.nav.is_empty() {
        // A page the navigation leaves out comes after those it lists, in its own order.
        let after = map.get("weight").and_then(Value::as_i64).unwrap_or(0);
        map.parsed
            .values
            .insert("weight".into(), Value::from(after.saturating_add(1 << 40)));
    }
    map.lenient_dates();
    map.keep_the_rest();
    map.mapped
}

struct Mapper<'a> {
    parsed: &'a mut Parsed,
    mapped: Mapped,
    /// opsbook field → the key it was read from, for messages in the user's words.
    origin: std::collections::HashMap<String, String>,
}

impl Mapper<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.parsed.values.get(key)
    }

    fn has(&self, key: &str) -> bool {
        self.parsed.values.contains_key(key)
    }

    /// Moves `from` into `kept`, returning its value.
    fn take(&mut self, from: &str) -> Option<Value> {
        let value = self.parsed.values.remove(from)?;
        self.mapped.kept.insert(from.to_string(), value.clone());
        Some(value)
    }

    /// Sets opsbook's `to` from the foreign key `from` when `to` is absent.
    fn insert_if_absent(&mut self, to: &str, value: Value, from: &str) {
        if !self.has(to) {
            self.parsed.positions.alias(from, to);
            self.parsed.values.insert(to.to_string(), value);
            self.origin.insert(to.to_string(), from.to_string());
        }
    }

    /// Adds `values` to opsbook's list `to`, which is where the foreign key `from` was when it
    /// was absent; a value it holds already is not added again.
    fn append(&mut self, to: &str, values: Vec<Value>, from: &str) {
        if !self.has(to) {
            self.parsed.positions.alias(from, to);
        }
        let list = self
            .parsed
            .values
            .entry(to)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = list {
            for value in values {
                if !list.contains(&value) {
                    list.push(value);
                }
            }
        }
    }

    fn warn(&mut self, key: &str, message: String) {
        let (line, column) = self.parsed.positions.key(key);
        self.mapped.problems.push(FieldProblem {
            rule: "foreign-field",
            line,
            column,
            message,
            hint: None,
            is_error: false,
        });
    }

    /// Collections of postmortems leave fields they have no value for as `""`.
    fn drop_empty_strings(&mut self) {
        self.parsed
            .values
            .retain(|key, value| !(KEPT.contains(&key.as_str()) && value.as_str() == Some("")));
    }

    /// Numbers and yes/no written as strings (`weight: "3"`, `draft: "true"`): their meaning is
    /// clear, so they are read as what they say.
    fn plain_values(&mut self) {
        for field in NUMBER_FIELDS {
            let Some(Value::String(text)) = self.get(field) else {
                continue;
            };
            if let Ok(number) = text.trim().parse::<i64>() {
                self.parsed
                    .values
                    .insert(field.to_string(), Value::from(number));
            }
        }
        if let Some(Value::String(text)) = self.get("draft") {
            let value = match text.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" => true,
                "false" | "no" => false,
                _ => return,
            };
            self.parsed
                .values
                .insert("draft".into(), Value::Bool(value));
        }
    }

    /// Jekyll writes `tags: a b` and Docusaurus `tags: [{label: a}]`: opsbook wants a list of
    /// names. One name alone (`triggers: change`) is a list of one.
    fn lists(&mut self) {
        const LISTS: [&str; 8] = [
            "tags",
            "owners",
            "authors",
            "services",
            "aliases",
            "triggers",
            "contributing_factors",
            "related",
        ];
        for field in LISTS {
            let list = match self.parsed.values.get(field) {
                Some(Value::String(text)) if field == "tags" => text
                    .split([' ', ','])
                    .filter(|t| !t.is_empty())
                    .map(|t| Value::String(t.to_string()))
                    .collect(),
                Some(Value::String(text)) => vec![Value::String(text.clone())],
                Some(Value::Array(items)) if items.iter().any(Value::is_object) => items
                    .iter()
                    .map(
                        |item| match item.get("label").or_else(|| item.get("name")) {
                            Some(label) => label.clone(),
                            None => item.clone(),
                        },
                    )
                    .collect(),
                _ => continue,
            };
            self.parsed
                .values
                .insert(field.to_string(), Value::Array(list));
        }
    }

    /// Blog posts (Docusaurus, Jekyll's `_posts/`) are dated by their file or folder name:
    /// `2023-02-22-title.md`, `2023-02-22-title/index.md`.
    fn date_from_file_name(&mut self, source: &str) {
        if self.has("date") {
            return;
        }
        let mut parts = source.rsplit('/');
        let name = match parts.next() {
            Some(name) if name.starts_with("index.") => parts.next().unwrap_or(""),
            Some(name) => name,
            None => "",
        };
        let Some(date) = name.get(..10) else {
            return;
        };
        if name.as_bytes().get(10) == Some(&b'-') && date.parse::<jiff::civil::Date>().is_ok() {
            self.parsed
                .values
                .insert("date".into(), Value::String(date.to_string()));
        }
    }

    /// A runbook repository laid out as `alerts/<component>/<AlertName>.md` names each runbook
    /// after the alert it answers: the page declares that alert unless it says otherwise.
    fn alert_named_by_file(&mut self, source: &str) {
        let in_alerts = source
            .split('/')
            .rev()
            .skip(1)
            .any(|folder| folder.eq_ignore_ascii_case("alerts"));
        let stem = crate::paths::file_name(source)
            .split('.')
            .next()
            .unwrap_or("");
        let looks_like_an_alert = stem.chars().any(|c| c.is_ascii_uppercase())
            && stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if in_alerts && looks_like_an_alert && !self.has("alerts") {
            self.parsed.values.insert(
                "alerts".into(),
                Value::Array(vec![Value::String(stem.into())]),
            );
        }
    }

    fn lenient_dates(&mut self) {
        // A date copied to a second field (cState's `date` is also `started`) is reported once.
        let mut reported = std::collections::HashSet::new();
        for field in DATE_FIELDS {
            let Some(Value::String(text)) = self.get(field).cloned() else {
                continue;
            };
            if DateTime::parse(&text).is_ok() {
                continue;
            }
            let Some(Lenient { date, naive }) = lenient(&text) else {
                continue;
            };
            self.parsed
                .values
                .insert(field.to_string(), Value::String(date.iso()));
            if naive && reported.insert(text.trim().to_string()) {
                let (line, column) = self.parsed.positions.value(field);
                self.mapped.problems.push(FieldProblem {
                    rule: "date-without-zone",
                    line,
                    column,
                    message: format!(
                        "`{}` `{}` has no time zone: read as UTC",
                        self.origin.get(*field).map_or(*field, String::as_str),
                        text.trim()
                    ),
                    hint: Some("add an offset such as `Z` or `+02:00` to say otherwise".into()),
                    is_error: false,
                });
            }
        }
    }

    /// Whatever other tools define and was not mapped is kept for templates, without warning.
    fn keep_the_rest(&mut self) {
        for key in KEPT {
            self.take(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tools::interval_days;
    use super::*;
    use crate::source::front_matter::{parse, split};

    fn placed(path: &str) -> Placed {
        Placed {
            source: path.into(),
            path: path.into(),
        }
    }

    fn mapped(text: &str, kind: Kind) -> (Parsed, Mapped) {
        let mut parsed = parse(&split(text).unwrap()).unwrap();
        let layout = Layout::standard(std::path::Path::new("/x"));
        let mapped = translate(&mut parsed, kind, &layout, &placed("a.md"));
        (parsed, mapped)
    }

    #[test]
    fn cstate_incident_becomes_an_opsbook_incident() {
        let (parsed, mapped) = mapped(
            "---\ntitle: API down\ndate: 2018-04-13 9:23:00 \nresolved: true\nresolvedWhen: 2018-04-13T10:00:00-00:00\nseverity: down\naffected:\n  - API Gateway\nsection: issue\n---\n",
            Kind::Page,
        );
        let v = &parsed.values;
        assert_eq!(v["kind"], "incident");
        assert_eq!(v["impact"], "critical");
        assert_eq!(v["components"][0], "api-gateway");
        assert_eq!(v["started"], "2018-04-13T09:23:00Z");
        assert_eq!(v["resolved"], "2018-04-13T10:00:00-00:00");
        assert!(!v.contains_key("severity") && !v.contains_key("affected"));
        assert_eq!(mapped.kept["severity"], "down");
        // The naive date is read as UTC, and says so at its line.
        assert_eq!(mapped.problems.len(), 1, "{:?}", mapped.problems);
        assert!(mapped.problems.iter().all(|p| p.line == 3));
    }

    #[test]
    fn govuk_review_dates_and_owner() {
        let (parsed, mapped) = mapped(
            "---\ntitle: Rotate keys\nlast_reviewed_on: 2026-01-10\nreview_in: 6 months\nowner_slack: \"#team-sre\"\n---\n",
            Kind::Page,
        );
        let v = &parsed.values;
        assert_eq!(v["last_reviewed"], "2026-01-10");
        assert_eq!(v["review_interval_days"], 181);
        assert_eq!(v["owners"][0], "#team-sre");
        assert_eq!(v["kind"], "process");
        assert!(mapped.problems.is_empty());
        assert_eq!(mapped.kept["review_in"], "6 months");
    }

    #[test]
    fn opsbook_fields_are_left_as_they_are() {
        let text = "+++\ntitle = \"x\"\nseverity = \"sev2\"\nweight = 3\nslug = \"y\"\n+++\n";
        let (parsed, mapped) = mapped(text, Kind::Runbook);
        assert_eq!(parsed.values["severity"], "sev2");
        assert!(!parsed.values.contains_key("kind"));
        assert!(mapped.kept.is_empty() && mapped.problems.is_empty());
    }

    #[test]
    fn docusaurus_and_hugo_keys() {
        let (parsed, mapped) = mapped(
            "---\nsidebar_position: 2\nsidebar_label: Short\nslug: /guides/setup\nlinkTitle: L\nurl: /old/place/\nlastmod: 2026-02-01\ncompany: \"\"\n---\n",
            Kind::Page,
        );
        let v = &parsed.values;
        assert_eq!(v["weight"], 2);
        assert_eq!(v["slug"], "setup");
        assert_eq!(
            v["aliases"],
            serde_json::json!(["/old/place/", "/guides/setup"])
        );
        assert_eq!(v["updated"], "2026-02-01");
        assert_eq!(mapped.kept["linkTitle"], "L");
        assert!(!mapped.kept.contains_key("company"));
    }

    #[test]
    fn lists_as_other_tools_write_them() {
        let (parsed, _) = mapped(
            "---\ntags: ops pager\nowners: team-a\nauthors:\n  - label: Ann\n---\n",
            Kind::Page,
        );
        let v = &parsed.values;
        assert_eq!(v["tags"], serde_json::json!(["ops", "pager"]));
        assert_eq!(v["owners"], serde_json::json!(["team-a"]));
        assert_eq!(v["authors"], serde_json::json!(["Ann"]));
    }

    #[test]
    fn topics_of_other_tools_are_tags_too_and_stay_as_written() {
        let text = "---\ntags: [db]\ncategories:\n  - config-change\nkeywords: db, failover\ntriggers: change\n---\n";
        let mut parsed = parse(&split(text).unwrap()).unwrap();
        let mut layout = Layout::standard(std::path::Path::new("/x"));
        layout.foreign = true;
        let mapped = translate(
            &mut parsed,
            Kind::Postmortem,
            &layout,
            &placed("postmortems/a.md"),
        );
        let v = &parsed.values;
        assert_eq!(
            v["tags"],
            serde_json::json!(["db", "config-change", "failover"])
        );
        assert_eq!(
            mapped.kept["categories"],
            serde_json::json!(["config-change"])
        );
        assert_eq!(v["triggers"], serde_json::json!(["change"]));
        assert!(mapped.problems.is_empty(), "{:?}", mapped.problems);
    }

    #[test]
    fn an_url_that_is_the_page_own_is_no_alias() {
        let mut parsed = parse(&split("---\nurl: /runbooks/disk/\n---\n").unwrap()).unwrap();
        let layout = Layout::standard(std::path::Path::new("/x"));
        translate(
            &mut parsed,
            Kind::Runbook,
            &layout,
            &placed("runbooks/disk.md"),
        );
        assert!(!parsed.values.contains_key("aliases"));
    }

    #[test]
    fn numbers_yes_no_and_original_links_as_other_tools_write_them() {
        let (parsed, mapped) = self::mapped(
            "---\nweight: \"3\"\nreview_interval_days: \" 90 \"\ndraft: \"false\"\nurl: https://status.example.test/i/1\n---\n",
            Kind::Page,
        );
        let v = &parsed.values;
        let problems = mapped.problems;
        assert_eq!(v["weight"], 3);
        assert_eq!(v["review_interval_days"], 90);
        assert_eq!(v["draft"], false);
        assert_eq!(v["source_url"], "https://status.example.test/i/1");
        assert!(!v.contains_key("aliases"), "an absolute url is no alias");
        assert!(problems.is_empty(), "{problems:?}");
        let (parsed, _) = self::mapped(
            "---\nlink: /relative/\nweight: \"three\"\n---\n",
            Kind::Page,
        );
        assert!(!parsed.values.contains_key("source_url"));
        assert_eq!(
            parsed.values["weight"], "three",
            "left for the typed read to report"
        );
    }

    #[test]
    fn review_intervals() {
        let jan = Some(jiff::civil::date(2026, 1, 10));
        assert_eq!(interval_days("6 months", jan), Some(181));
        assert_eq!(interval_days("1 year", jan), Some(365));
        assert_eq!(interval_days("3 weeks", None), Some(21));
        assert_eq!(interval_days("soon", None), None);
    }
}
