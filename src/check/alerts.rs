//! Alert coverage: Prometheus / Alertmanager rule files (`groups[].rules[]` with `alert`,
//! `labels`, `annotations.runbook_url`; also a Kubernetes `PrometheusRule`'s `spec.groups`)
//! against the runbooks' `alerts`.
//!
//! Every alert needs a runbook, and its `runbook_url` must be the alert's stable URL on this
//! site, `{base_url}alerts/{alert}/`, which leads to the runbook however files move. Findings
//! about a rule file name it as it was given on the command line.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::finding;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::model::Site;
use crate::vocabulary::Kind;

/// Rules whose findings are in rule files, not in the handbook.
pub(crate) const RULE_FILE_RULES: [&str; 3] =
    ["alert-rules-file", "alert-no-runbook", "alert-runbook-url"];

/// One alerting rule, and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AlertRule {
    pub name: String,
    pub runbook_url: Option<String>,
    pub at: Location,
    /// Where `runbook_url` was written, when it was.
    pub url_at: Option<Location>,
}

#[derive(Deserialize)]
struct RuleFile {
    #[serde(default)]
    groups: Vec<Group>,
    spec: Option<Spec>,
}

#[derive(Deserialize)]
struct Spec {
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    #[serde(default)]
    rules: Vec<RawRule>,
}

/// Recording rules have `record` instead of `alert` and are skipped.
#[derive(Deserialize)]
struct RawRule {
    alert: Option<String>,
    #[serde(default)]
    annotations: BTreeMap<String, serde_yaml_ng::Value>,
}

/// Reads every rule file; `Err` when one cannot be read at all. Files that are not rule files
/// become findings.
pub(crate) fn read_all(
    paths: &[PathBuf],
    out: &mut Diagnostics,
) -> Result<Vec<AlertRule>, Diagnostic> {
    let mut rules = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Diagnostic::error(
                Some(Location::file(path)),
                format!("cannot read the alert rules file: {e}"),
            )
            .with_rule("alert-rules-file")
        })?;
        match parse(&text, path) {
            Ok(found) => rules.extend(found),
            Err(problem) => out.push(problem),
        }
    }
    Ok(rules)
}

/// The alerting rules of one file (all its YAML documents), in the order written.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Vec<AlertRule>, Diagnostic> {
    let mut raw = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(text) {
        let file = RuleFile::deserialize(document).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            finding(
                "alert-rules-file",
                Location::at(path, line, column),
                format!(
                    "not a Prometheus rule file: {}",
                    without_position(&e.to_string())
                ),
            )
        })?;
        let groups = file
            .groups
            .into_iter()
            .chain(file.spec.into_iter().flat_map(|s| s.groups));
        raw.extend(groups.flat_map(|g| g.rules));
    }
    let mut places = key_positions(text);
    let mut rules = Vec::new();
    for rule in raw {
        let Some(name) = rule.alert else { continue };
        let runbook_url = rule
            .annotations
            .get("runbook_url")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let (at, url_at) = places.next_alert(&name);
        rules.push(AlertRule {
            name,
            runbook_url,
            at: Location::at(path, at.0, at.1),
            url_at: url_at.map(|(line, column)| Location::at(path, line, column)),
        });
    }
    Ok(rules)
}

/// serde_yaml_ng ends messages with " at line L column C", which the location already says.
fn without_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// Where `alert:` and `runbook_url:` keys are, read from the lines of block-style YAML (the way
/// rule files are written); serde gives values without places.
struct KeyPositions {
    /// (line, column, value) of each `alert:` key, and of each `runbook_url:` key.
    alerts: Vec<(usize, usize, String)>,
    urls: Vec<(usize, usize)>,
    next: usize,
}

fn key_positions(text: &str) -> KeyPositions {
    let mut alerts = Vec::new();
    let mut urls = Vec::new();
    for (number, line) in (1..).zip(text.lines()) {
        let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
        let column = line.len() - trimmed.len() + 1;
        if let Some(value) = trimmed.strip_prefix("alert:") {
            let value = value
                .split(" #")
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\'']);
            alerts.push((number, column, value.to_string()));
        } else if trimmed.starts_with("runbook_url:") {
            urls.push((number, column));
        }
    }
    KeyPositions {
        alerts,
        urls,
        next: 0,
    }
}

impl KeyPositions {
    /// The place of the next `alert: name`, and of the `runbook_url` between it and the alert
    /// after it.
    fn next_alert(&mut self, name: &str) -> ((usize, usize), Option<(usize, usize)>) {
        let Some(offset) = self.alerts[self.next..].iter().position(|a| a.2 == name) else {
            return ((0, 0), None);
        };
        let index = self.next + offset;
        self.next = index + 1;
        let (line, column, _) = self.alerts[index];
        let end = self.alerts.get(index + 1).map_or(usize::MAX, |a| a.0);
        let url = self.urls.iter().copied().find(|u| u.0 > line && u.0 < end);
        ((line, column), url)
    }
}

/// The URL a rule's `runbook_url` must have: the alert's page on this site.
pub(crate) fn stable_url(site: &Site, alert: &str) -> String {
    format!("{}alerts/{alert}/", site.config.base_url)
}

/// Whether `runbook_url` leads to the alert's page: exactly its URL (the trailing `/` aside),
/// also when written with Prometheus' `{{ $labels.alertname }}`.
fn url_matches(runbook_url: &str, alert: &str, expected: &str) -> bool {
    let mut url = runbook_url.trim().to_string();
    for template in ["{{ $labels.alertname }}", "{{$labels.alertname}}"] {
        url = url.replace(template, alert);
    }
    url.trim_end_matches('/') == expected.trim_end_matches('/')
}

/// Compares the rules with the runbooks.
pub(crate) fn check_coverage(site: &Site, rules: &[AlertRule], out: &mut Diagnostics) {
    let runbooks = site
        .pages
        .iter()
        .filter(|p| p.kind == Kind::Runbook && !p.is_section());
    let mut declared: HashSet<&str> = HashSet::new();
    for page in runbooks.clone() {
        declared.extend(page.meta.alerts.iter().map(String::as_str));
    }
    for rule in rules {
        let expected = stable_url(site, &rule.name);
        if !declared.contains(rule.name.as_str()) {
            out.push(
                finding(
                    "alert-no-runbook",
                    rule.at.clone(),
                    format!("alert `{}` has no runbook", rule.name),
                )
                .with_hint(format!(
                    "add `{}` to the `alerts` of the runbook that answers it",
                    rule.name
                )),
            );
        }
        match (&rule.runbook_url, &rule.url_at) {
            (Some(url), at) if !url_matches(url, &rule.name, &expected) => out.push(
                finding(
                    "alert-runbook-url",
                    at.clone().unwrap_or_else(|| rule.at.clone()),
                    format!(
                        "alert `{}` has runbook_url `{url}`, not its page on this site",
                        rule.name
                    ),
                )
                .with_hint(format!("use `{expected}`: it survives moves and renames")),
            ),
            (None, _) => out.push(
                finding(
                    "alert-runbook-url",
                    rule.at.clone(),
                    format!("alert `{}` has no `runbook_url` annotation", rule.name),
                )
                .with_hint(format!("add `runbook_url: {expected}` under `annotations`")),
            ),
            _ => {}
        }
    }
    let defined: HashSet<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    for page in runbooks {
        for (index, alert) in page.meta.alerts.iter().enumerate() {
            if !defined.contains(alert.as_str()) {
                out.push(
                    finding(
                        "alert-undefined",
                        page.location_of(&format!("alerts.{index}")),
                        format!("runbook declares alert `{alert}`, which no alert rule defines"),
                    )
                    .with_hint("fix the name, or remove it if the alert is gone"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_alerts_and_their_places_from_rule_files() {
        let text = "groups:\n  - name: pg\n    rules:\n      - record: x\n        expr: y\n      - alert: PgDown\n        expr: up == 0\n        annotations:\n          runbook_url: https://x/alerts/PgDown/\n      - alert: PgSlow\n        expr: z\n";
        let rules = parse(text, Path::new("rules.yml")).unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!((rules[0].at.line, rules[0].at.column), (6, 9));
        assert_eq!(
            rules[0].url_at.as_ref().map(|l| (l.line, l.column)),
            Some((9, 11))
        );
        assert_eq!(rules[1].runbook_url, None);
        assert_eq!(rules[1].url_at, None);
    }

    #[test]
    fn prometheus_rule_resources_and_templated_urls() {
        let text =
            "kind: PrometheusRule\nspec:\n  groups:\n  - name: a\n    rules:\n    - alert: A\n";
        assert_eq!(parse(text, Path::new("r.yml")).unwrap()[0].name, "A");
        let expected = "https://h/alerts/A/";
        assert!(url_matches(
            "https://h/alerts/{{ $labels.alertname }}",
            "A",
            expected
        ));
        assert!(!url_matches("https://wiki/A", "A", expected));
    }
}
