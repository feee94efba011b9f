//! Front matter written for other tools, mapped onto opsbook's fields before they are typed.
//!
//! Hugo, Jekyll / GOV.UK tech-docs, Docusaurus, MkDocs, cState and postmortem collections each
//! name the same facts differently. A key another tool defines is either mapped (its value moves
//! to opsbook's field, its position with it) or kept quietly for templates; keys nobody defines
//! stay unknown and get opsbook's usual warning. opsbook's own fields are never rewritten: a
//! mapping applies only where the opsbook field is absent, or where its value could not be
//! opsbook's (cState's `severity: down`).

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

    /// cState incidents: `severity: down | disrupted | notice`, `affected`, `resolved: true`.
    fn is_cstate(&self) -> bool {
        let severity = self.get("severity").and_then(Value::as_str);
        self.has("affected")
            || self.has("resolvedWhen")
            || matches!(severity, Some("down" | "disrupted" | "notice"))
            || self.get("resolved").is_some_and(Value::is_boolean)
            || self.get("section").and_then(Value::as_str) == Some("issue")
    }

    fn cstate(&mut self, explicit_kind: bool) {
        if !explicit_kind {
            self.parsed
                .values
                .insert("kind".into(), Value::String("incident".into()));
        }
        let informational = self.get("informational").and_then(Value::as_bool) == Some(true);
        if let Some(severity) = self.take("severity") {
            // Statuspage's words for the same states: an outage, a partial outage, a notice.
            let impact = match (informational, severity.as_str()) {
                (true, _) | (_, Some("notice")) => "none",
                (_, Some("down")) => "critical",
                _ => "major",
            };
            self.insert_if_absent("impact", Value::String(impact.into()), "severity");
        } else if informational {
            self.insert_if_absent("impact", Value::String("none".into()), "informational");
        }
        if let Some(Value::Array(names)) = self.take("affected") {
            let ids: Vec<Value> = names
                .iter()
                .filter_map(Value::as_str)
                .map(|name| Value::String(crate::paths::url_segment(name)))
                .collect();
            self.insert_if_absent("components", Value::Array(ids), "affected");
        }
        if let Some(date) = self.get("date").cloned() {
            self.insert_if_absent("started", date, "date");
        }
        if let Some(resolved) = self.get("resolved").and_then(Value::as_bool) {
            self.parsed.values.remove("resolved");
            self.mapped
                .kept
                .insert("resolved".into(), Value::Bool(resolved));
            let when = self.take("resolvedWhen");
            match (resolved, when) {
                (true, Some(when)) => self.insert_if_absent("resolved", when, "resolvedWhen"),
                (true, None) => {
                    if let Some(date) = self.get("date").cloned() {
                        self.insert_if_absent("resolved", date, "resolved");
                        self.warn(
                            "resolved",
                            "`resolved: true` without `resolvedWhen`: shown as resolved when it started"
                                .into(),
                        );
                    }
                }
                (false, _) => {}
            }
        }
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
    /// names.
    fn lists(&mut self) {
        for field in ["tags", "owners", "authors", "services", "aliases"] {
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

    /// Just the Docs and jekyll-redirect-from: `nav_order` is the place, `redirect_from` old
    /// addresses, `last_modified_at` the last update.
    fn jekyll_themes(&mut self) {
        if let Some(order) = self.get("nav_order").and_then(Value::as_f64) {
            self.insert_if_absent("weight", Value::from(order.round() as i64), "nav_order");
        }
        if let Some(updated) = self.get("last_modified_at").cloned() {
            self.insert_if_absent("updated", updated, "last_modified_at");
        }
        let redirects = match self.get("redirect_from") {
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(many)) => many
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        for url in redirects {
            self.add_alias(&url, "redirect_from");
        }
    }

    fn hugo(&mut self, relative: &str) {
        if let Some(lastmod) = self.get("lastmod").cloned() {
            self.parsed.values.remove("lastmod");
            self.insert_if_absent("updated", lastmod, "lastmod");
        }
        if let Some(summary) = self.get("summary").cloned() {
            self.insert_if_absent("description", summary, "summary");
        }
        // An absolute URL in `url`, `link` or `source` is where the page was first published
        // (collections of public postmortems link each report's original).
        for key in ["url", "link", "source"] {
            if let Some(Value::String(url)) = self.get(key).cloned() {
                if crate::source::meta::is_web_url(&url) {
                    self.take(key);
                    self.insert_if_absent("source_url", Value::String(url), key);
                }
            }
        }
        // `url` (Hugo) and `permalink` (Jekyll) were the page's address: it stays reachable.
        for key in ["url", "permalink"] {
            if let Some(Value::String(url)) = self.get(key).cloned() {
                self.take(key);
                if url.trim_matches('/') != natural_url(relative) {
                    self.add_alias(&url, key);
                }
            }
        }
    }

    fn add_alias(&mut self, url: &str, from: &str) {
        if url.trim_matches('/').is_empty() {
            return;
        }
        if !self.has("aliases") {
            self.parsed.positions.alias(from, "aliases");
        }
        let aliases = self
            .parsed
            .values
            .entry("aliases")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = aliases {
            list.push(Value::String(url.to_string()));
        }
    }

    /// GOV.UK tech-docs: `last_reviewed_on` and `review_in: 6 months`, `owner_slack`.
    fn jekyll(&mut self, explicit_kind: bool, folder_kind: Kind) {
        let Some(reviewed) = self.get("last_reviewed_on").cloned() else {
            self.owner_slack();
            return;
        };
        self.insert_if_absent("last_reviewed", reviewed.clone(), "last_reviewed_on");
        if let Some(review_in) = self.get("review_in").and_then(Value::as_str) {
            let start = reviewed
                .as_str()
                .and_then(|d| DateTime::parse(d).ok())
                .map(|d| d.date());
            match interval_days(review_in, start) {
                Some(days) => {
                    self.insert_if_absent("review_interval_days", Value::from(days), "review_in")
                }
                None => {
                    let message = format!(
                        "`review_in: {review_in}` not understood: expected a number of days, weeks, months or years"
                    );
                    self.warn("review_in", message);
                }
            }
        }
        // A page with a review cycle is what opsbook calls a process document.
        if !explicit_kind && folder_kind == Kind::Page {
            self.parsed
                .values
                .insert("kind".into(), Value::String("process".into()));
        }
        self.owner_slack();
    }

    fn owner_slack(&mut self) {
        let Some(Value::String(owner)) = self.get("owner_slack").cloned() else {
            return;
        };
        if !self.has("owners") {
            self.parsed.positions.alias("owner_slack", "owners");
        }
        let owners = self
            .parsed
            .values
            .entry("owners")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = owners {
            list.push(Value::String(owner));
        }
    }

    /// `mount` is where the page's folder of markdown sits in the site, `relative` the page's
    /// path in that folder.
    fn docusaurus(&mut self, mount: &str, relative: &str) {
        if let Some(position) = self.get("sidebar_position").and_then(Value::as_f64) {
            self.parsed.values.remove("sidebar_position");
            self.mapped
                .kept
                .insert("sidebar_position".into(), Value::from(position));
            self.insert_if_absent(
                "weight",
                Value::from(position.round() as i64),
                "sidebar_position",
            );
        }
        // A Docusaurus slug may be a whole path (`/guides/setup`): the page keeps its place in
        // the tree, takes the last segment as its name, and the whole path as an alias.
        if let Some(Value::String(slug)) = self.get("slug").cloned() {
            if slug.contains('/') {
                let last = slug.trim_matches('/').rsplit('/').next().unwrap_or("");
                self.parsed.values.remove("slug");
                self.mapped
                    .kept
                    .insert("slug".into(), Value::String(slug.clone()));
                if !last.is_empty() {
                    self.insert_if_absent("slug", Value::String(last.to_string()), "slug");
                    // At the top with a one-segment slug, the page's URL is the slug already. A
                    // slug is a path from where its folder of markdown is published.
                    if relative.contains('/') || slug.trim_matches('/').contains('/') {
                        let alias = format!("{mount}/{}", slug.trim_start_matches('/'));
                        self.add_alias(&alias, "slug");
                    }
                }
            }
        } else if let Some(Value::String(id)) = self.get("id").cloned() {
            if !id.contains('/') && !id.is_empty() {
                self.insert_if_absent("slug", Value::String(id), "id");
            }
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

    /// Collections of public postmortems: `start_time` / `end_time` are the incident window.
    fn collections(&mut self) {
        if let Some(start) = self.get("start_time").cloned() {
            self.insert_if_absent("started", start, "start_time");
        }
        if let Some(end) = self.get("end_time").cloned() {
            self.insert_if_absent("resolved", end, "end_time");
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

/// The URL path a document gets from its place (`runbooks/disk`), to tell an address that is
/// the page's own from an old one.
fn natural_url(relative: &str) -> String {
    let mut parts: Vec<&str> = relative.split('/').collect();
    let name = parts.pop().unwrap_or("");
    let stem = name.split('.').next().unwrap_or(name);
    let mut segments: Vec<String> = parts.iter().map(|p| crate::paths::url_segment(p)).collect();
    if stem != "index" && stem != "_index" {
        segments.push(crate::paths::url_segment(stem));
    }
    segments.join("/")
}

/// `6 months` after `start` in days (a month is a calendar month when `start` is known).
fn interval_days(text: &str, start: Option<jiff::civil::Date>) -> Option<u32> {
    let mut words = text.split_whitespace();
    let count: i64 = words.next()?.parse().ok()?;
    let unit = words.next().unwrap_or("days").trim_end_matches('s');
    let span = match unit {
        "day" => return u32::try_from(count).ok(),
        "week" => return u32::try_from(count * 7).ok(),
        "month" => jiff::Span::new().try_months(count).ok()?,
        "year" => jiff::Span::new().try_years(count).ok()?,
        _ => return None,
    };
    let start = start.unwrap_or(jiff::civil::date(2026, 1, 1));
    let end = start.checked_add(span).ok()?;
    let days = start.until((jiff::Unit::Day, end)).ok()?.get_days();
    u32::try_from(days).ok()
}

#[cfg(test)]
mod tests {
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
