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
pub(crate) const RULE_FILE_RULES: [&str; 5] = [
    "alert-rules-file",
    "alert-no-runbook",
    "alert-runbook-url",
    "alert-url-parameter",
    "alert-url-label",
];

/// One alerting rule, and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AlertRule {
    pub name: String,
    pub runbook_url: Option<String>,
    /// The labels its alerts carry, as far as the rule tells: see [`Carried`].
    pub labels: Carried,
    pub at: Location,
    /// Where `runbook_url` was written, when it was.
    pub url_at: Option<Location>,
    /// The line it was written on, to point at a part of its value.
    pub url_line: Option<String>,
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
    expr: Option<serde_yaml_ng::Value>,
    #[serde(default)]
    labels: BTreeMap<String, serde_yaml_ng::Value>,
    #[serde(default)]
    annotations: BTreeMap<String, serde_yaml_ng::Value>,
}

/// The labels an alert of a rule can carry, as far as the rule file tells: `alertname`, the
/// rule's `labels` and the labels of its expression's `by (…)`; a `without (…)` drops its labels.
/// The labels of the series themselves come from the scrape config: `[checks] alert_labels`.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Carried {
    pub named: Vec<String>,
    /// Labels a `without (…)` drops.
    pub dropped: Vec<String>,
}

impl Carried {
    fn of(rule_labels: impl Iterator<Item = String>, expr: &str) -> Carried {
        let mut named = vec!["alertname".to_string()];
        named.extend(rule_labels);
        named.extend(grouping(expr, "by").into_iter().flatten());
        Carried {
            named,
            dropped: grouping(expr, "without").into_iter().flatten().collect(),
        }
    }

    /// Whether `label` can be on the alert, with `extra` the labels the scrape config adds.
    fn has(&self, label: &str, extra: &[String]) -> bool {
        !self.dropped.iter().any(|l| l == label)
            && (self.named.iter().any(|l| l == label) || extra.iter().any(|l| l == label))
    }
}

/// The label lists of every `by (…)` (or `without (…)`, as `word` says) in a PromQL expression.
fn grouping(expr: &str, word: &str) -> Vec<Vec<String>> {
    let mut lists = Vec::new();
    let bytes = expr.as_bytes();
    let mut from = 0;
    while let Some(at) = expr[from..].find(word).map(|i| from + i) {
        from = at + word.len();
        let before_ok =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let rest = expr[from..].trim_start();
        if !before_ok || !rest.starts_with('(') {
            continue;
        }
        let Some(end) = rest.find(')') else { break };
        lists.push(
            rest[1..end]
                .split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        );
    }
    lists
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
        let expr = match &rule.expr {
            Some(serde_yaml_ng::Value::String(text)) => text.clone(),
            _ => String::new(),
        };
        let labels = Carried::of(rule.labels.into_keys(), &expr);
        rules.push(AlertRule {
            name,
            runbook_url,
            labels,
            at: Location::at(path, at.0, at.1),
            url_line: url_at.and_then(|(line, _)| text.lines().nth(line - 1).map(String::from)),
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
/// also when written with Prometheus' `{{ $labels.alertname }}`, before any query or anchor.
fn url_matches(runbook_url: &str, alert: &str, expected: &str) -> bool {
    let page = runbook_url.split(['?', '#']).next().unwrap_or("");
    let mut url = page.trim().to_string();
    for template in ["{{ $labels.alertname }}", "{{$labels.alertname}}"] {
        url = url.replace(template, alert);
    }
    url.trim_end_matches('/') == expected.trim_end_matches('/')
}

/// The query of a `runbook_url`, as (key, value) pairs, keys percent-decoded.
fn query_of(runbook_url: &str) -> Vec<(String, &str)> {
    let Some((_, query)) = runbook_url.split_once('?') else {
        return Vec::new();
    };
    let query = query.split('#').next().unwrap_or("");
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (crate::markdown::links::percent_decode(key), value)
        })
        .collect()
}

/// The labels a Go template in `text` reads: `{{ $labels.x }}`, `{{ .Labels.x }}`, also inside
/// pipelines (`{{ $labels.x | urlquery }}`).
fn labels_read(text: &str) -> Vec<&str> {
    let mut labels = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        let action = &rest[open + 2..open + close];
        for prefix in ["$labels.", ".Labels."] {
            let mut from = 0;
            while let Some(at) = action[from..].find(prefix).map(|i| from + i) {
                let name = &action[at + prefix.len()..];
                let end = name
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(name.len());
                if end > 0 {
                    labels.push(&name[..end]);
                }
                from = at + prefix.len();
            }
        }
        rest = &rest[open + close + 2..];
    }
    labels
}

/// A `runbook_url` with a query: each key a parameter of the alert's runbook, each label it
/// reads one the alert can carry.
fn check_context(
    site: &Site,
    rule: &AlertRule,
    url: &str,
    alert_labels: &[String],
    out: &mut Diagnostics,
) {
    // At the part of the value concerned, when it is on the key's line.
    let at = |needle: &str| -> Location {
        let key = rule.url_at.clone().unwrap_or_else(|| rule.at.clone());
        match rule.url_line.as_deref().and_then(|line| line.find(needle)) {
            Some(offset) if key.line > 0 => Location::at(&key.path, key.line, offset + 1),
            _ => key,
        }
    };
    let runbook = site
        .pages
        .iter()
        .find(|p| p.kind == Kind::Runbook && !p.is_section() && p.meta.alerts.contains(&rule.name));
    for (key, value) in query_of(url) {
        if let Some(page) = runbook {
            if !page.meta.parameters.iter().any(|p| p.name == key) {
                out.push(
                    finding(
                        "alert-url-parameter",
                        at(&format!("{key}=")),
                        format!(
                            "alert `{}` passes `{key}` in its runbook_url, which `{}` does not declare as a parameter",
                            rule.name, page.file
                        ),
                    )
                    .with_hint(format!(
                        "declare it in the runbook's front matter (`[[parameters]]` with `name = \"{key}\"`), or remove it from the URL"
                    )),
                );
            }
        }
        for label in labels_read(value) {
            if !rule.labels.has(label, alert_labels) {
                out.push(
                    finding(
                        "alert-url-label",
                        at(&format!(".{label}")),
                        format!(
                            "alert `{}` reads label `{label}` in its runbook_url, which it cannot carry",
                            rule.name
                        ),
                    )
                    .with_hint(
                        "add it to the rule's `labels` or to the expression's `by (…)`, or to `[checks] alert_labels` in opsbook.toml when the scrape config adds it",
                    ),
                );
            }
        }
    }
}

/// Compares the rules with the runbooks.
pub(crate) fn check_coverage(
    site: &Site,
    rules: &[AlertRule],
    policy: &crate::config::CheckPolicy,
    out: &mut Diagnostics,
) {
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
            (Some(url), _) => check_context(site, rule, url, &policy.alert_labels, out),
            (None, _) => out.push(
                finding(
                    "alert-runbook-url",
                    rule.at.clone(),
                    format!("alert `{}` has no `runbook_url` annotation", rule.name),
                )
                .with_hint(format!("add `runbook_url: {expected}` under `annotations`")),
            ),
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
        assert!(url_matches(
            "https://h/alerts/{{ $labels.alertname }}/?cluster={{ $labels.cluster }}#restart",
            "A",
            expected
        ));
    }

    #[test]
    fn labels_come_from_the_rule_its_aggregation_and_the_config() {
        let carried = Carried::of(
            ["team".to_string()].into_iter(),
            "sum by (cluster, namespace) (rate(x[5m])) > 1 and on() max without(instance) (y)",
        );
        let extra = ["region".to_string(), "instance".to_string()];
        for label in ["alertname", "team", "cluster", "namespace", "region"] {
            assert!(carried.has(label, &extra), "{label}");
        }
        for label in ["instance", "pod", "cluser"] {
            assert!(!carried.has(label, &extra), "{label}");
        }
        assert!(grouping("rate_by(x)", "by").is_empty());
        assert_eq!(
            labels_read(
                "{{ $labels.cluster }}-{{$labels.ns | urlquery}} {{ .Labels.pod }} $labels.no"
            ),
            ["cluster", "ns", "pod"]
        );
        assert_eq!(
            query_of("https://h/a/?cluster={{ $labels.cluster }}&ns=x#top"),
            [
                ("cluster".to_string(), "{{ $labels.cluster }}"),
                ("ns".to_string(), "x")
            ]
        );
    }
}
