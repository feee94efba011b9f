//! Each tool's own keys, mapped onto opsbook's fields: cState incidents, Hugo, Jekyll and its
//! themes, GOV.UK tech-docs, Docusaurus, and collections of public postmortems. The machinery
//! they share (taking a key, setting a field where it is absent, lenient dates) is the parent's.

use serde_json::Value;

use super::Mapper;
use crate::dates::DateTime;
use crate::vocabulary::Kind;

impl Mapper<'_> {
    /// cState incidents: `severity: down | disrupted | notice`, `affected`, `resolved: true`.
    pub(super) fn is_cstate(&self) -> bool {
        let severity = self.get("severity").and_then(Value::as_str);
        self.has("affected")
            || self.has("resolvedWhen")
            || matches!(severity, Some("down" | "disrupted" | "notice"))
            || self.get("resolved").is_some_and(Value::is_boolean)
            || self.get("section").and_then(Value::as_str) == Some("issue")
    }

    pub(super) fn cstate(&mut self, explicit_kind: bool) {
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

    /// Just the Docs and jekyll-redirect-from: `nav_order` is the place, `redirect_from` old
    /// addresses, `last_modified_at` the last update.
    pub(super) fn jekyll_themes(&mut self) {
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

    pub(super) fn hugo(&mut self, relative: &str) {
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
        self.append("aliases", vec![Value::String(url.to_string())], from);
    }

    /// GOV.UK tech-docs: `last_reviewed_on` and `review_in: 6 months`, `owner_slack`.
    pub(super) fn jekyll(&mut self, explicit_kind: bool, folder_kind: Kind) {
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
        self.append("owners", vec![Value::String(owner)], "owner_slack");
    }

    /// `mount` is where the page's folder of markdown sits in the site, `relative` the page's
    /// path in that folder.
    pub(super) fn docusaurus(&mut self, mount: &str, relative: &str) {
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

    /// Collections of public postmortems: `start_time` / `end_time` are the incident window.
    pub(super) fn collections(&mut self) {
        if let Some(start) = self.get("start_time").cloned() {
            self.insert_if_absent("started", start, "start_time");
        }
        if let Some(end) = self.get("end_time").cloned() {
            self.insert_if_absent("resolved", end, "end_time");
        }
    }

    /// Hugo's `categories` and `keywords`, Jekyll's `category`, a postmortem collection's
    /// `categories`: topics, read as tags too. They are no contributing factors: another tool's
    /// words are not the handbook's vocabulary, so they are left as written (`page.extra`).
    pub(super) fn topics_as_tags(&mut self) {
        let mut topics: Vec<Value> = Vec::new();
        for key in ["categories", "category", "keywords"] {
            match self.get(key) {
                Some(Value::String(text)) => topics.extend(
                    text.split([' ', ','])
                        .filter(|t| !t.is_empty())
                        .map(|t| Value::String(t.to_string())),
                ),
                Some(Value::Array(items)) => {
                    topics.extend(items.iter().filter(|v| v.is_string()).cloned())
                }
                _ => {}
            }
        }
        let Some(first) = ["categories", "category", "keywords"]
            .into_iter()
            .find(|key| self.has(key))
        else {
            return;
        };
        if !topics.is_empty() {
            self.append("tags", topics, first);
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
pub(super) fn interval_days(text: &str, start: Option<jiff::civil::Date>) -> Option<u32> {
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
