//! Stable alert URLs: `/alerts/NAME/` for every alert a runbook declares, a redirect page to that
//! runbook (so a monitoring rule's `runbook_url` survives moves and renames), and `/alerts/`
//! listing them all. The name is kept as written — Prometheus alert names are case-sensitive and
//! `runbook_url` templates paste `{{ $labels.alertname }}` as is.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{Generated, GeneratedPage, Json, Links};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Place, Site};
use crate::vocabulary::{Kind, Severity};

/// Every declared alert and the runbook declaring it (the first, when two do: an error).
pub(crate) fn alerts(site: &Site) -> BTreeMap<&str, usize> {
    let mut alerts = BTreeMap::new();
    for (id, page) in site.pages.iter().enumerate() {
        if page.kind != Kind::Runbook || page.is_section() {
            continue;
        }
        for alert in &page.meta.alerts {
            if is_url_safe(alert) {
                alerts.entry(alert.as_str()).or_insert(id);
            }
        }
    }
    alerts
}

/// The stable address of the alert `name` (relative to the base path), when it can have one.
pub(crate) fn alert_url(name: &str) -> Option<String> {
    is_url_safe(name).then(|| format!("alerts/{name}/"))
}

/// Letters, digits, `_`, `-`, `.` and `:`-free: the name is a path segment on every host.
fn is_url_safe(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The pages of the handbook at the alerts' addresses, by address in lower case (letter case
/// aside, two such folders would be one on case-insensitive disks); aliases too.
struct TakenUrls(HashMap<String, usize>);

impl TakenUrls {
    fn of(site: &Site) -> TakenUrls {
        let under_alerts = |url: &str| url.len() > 7 && url[..7].eq_ignore_ascii_case("alerts/");
        let pages = site
            .pages
            .iter()
            .enumerate()
            .filter(|(_, p)| under_alerts(&p.url) && (p.document.is_some() || !p.is_section()))
            .map(|(id, p)| (p.url.to_lowercase(), id));
        let aliases = site
            .aliases
            .iter()
            .filter(|(alias, _)| under_alerts(alias))
            .map(|(alias, &id)| (alias.to_lowercase(), id));
        let mut taken = HashMap::new();
        for (url, id) in pages.chain(aliases) {
            taken.entry(url).or_insert(id);
        }
        TakenUrls(taken)
    }

    /// The page of the handbook whose URL (or alias) is `url`.
    fn owner(&self, url: &str) -> Option<usize> {
        self.0.get(&url.to_lowercase()).copied()
    }
}

/// An alert declared by two runbooks (or by two names that differ only in case, which collide
/// on case-insensitive disks), and names that cannot be a URL path segment, are errors. A page
/// of the handbook at an alert's address that is not its runbook takes the address: a warning.
pub(crate) fn check(site: &Site, diagnostics: &mut Diagnostics) {
    let taken = TakenUrls::of(site);
    for (name, id) in alerts(site) {
        let url = format!("alerts/{name}/");
        match taken.owner(&url) {
            Some(owner) if owner != id => {
                let page = &site.pages[id];
                diagnostics.push(
                    Diagnostic::warning(
                        Some(page.location_of("alerts")),
                        format!(
                            "the address of alert `{name}`, `{}{url}`, is the page `{}`, not this runbook",
                            site.config.base_path, site.pages[owner].file
                        ),
                    )
                    .with_hint("move that page, or declare the alert on it")
                    .with_rule("alert-url-taken"),
                );
            }
            _ => {}
        }
    }
    let mut seen: BTreeMap<String, (usize, &str)> = BTreeMap::new();
    for (id, page) in site.pages.iter().enumerate() {
        if page.kind != Kind::Runbook || page.is_section() {
            continue;
        }
        for (index, alert) in page.meta.alerts.iter().enumerate() {
            let location = Some(page.location_of(&format!("alerts.{index}")));
            if !is_url_safe(alert) {
                diagnostics.push(
                    Diagnostic::error(location, format!("alert name `{alert}` cannot be a URL"))
                        .with_hint(
                            "use letters, digits, `_`, `-` and `.`, as Prometheus alert names do",
                        ),
                );
                continue;
            }
            match seen.get(&alert.to_lowercase()) {
                Some(&(other, _)) if other == id => {}
                Some(&(other, name)) => diagnostics.push(
                    Diagnostic::error(
                        location,
                        format!(
                            "alert `{alert}` is already declared by `{}`{}",
                            site.pages[other].file,
                            if name == alert {
                                String::new()
                            } else {
                                format!(" as `{name}`")
                            }
                        ),
                    )
                    .with_hint("an alert leads to one runbook: remove it from one of them")
                    .with_rule("duplicate-alert"),
                ),
                None => {
                    seen.insert(alert.to_lowercase(), (id, alert));
                }
            }
        }
    }
}

#[derive(Debug, Serialize)]
struct AlertRow {
    name: String,
    url: String,
    runbook_title: String,
    runbook_url: String,
    severity: Option<Severity>,
    services: Vec<String>,
}

#[derive(Debug, Serialize)]
struct AlertsContext {
    alerts: Vec<AlertRow>,
    /// The URL pattern for `runbook_url`, with the base URL.
    pattern: String,
}

/// Adds `/alerts/` and one redirect page per alert.
pub(crate) fn add(site: &Site, generated: &mut Generated) {
    let alerts = alerts(site);
    if alerts.is_empty() {
        return;
    }
    let links = Links { site };
    let taken = TakenUrls::of(site);
    let nav_from = links.section_at("runbooks/").unwrap_or(0);
    let rows: Vec<AlertRow> = alerts
        .iter()
        .map(|(&name, &id)| AlertRow {
            name: name.to_string(),
            url: links.url(&format!("alerts/{name}/")),
            runbook_title: site.pages[id].title.clone(),
            runbook_url: links.page_url(id),
            severity: site.pages[id].meta.severity,
            services: site.pages[id].meta.services.clone(),
        })
        .collect();
    let list = links.place(Place::Alerts);
    let header = links.header(
        list,
        "Alerts",
        Some("Every alert that has a runbook. Point your alerting rules' runbook_url at these addresses: they stay stable when runbooks move."),
        &[],
    );
    let context = AlertsContext {
        alerts: rows,
        pattern: links.permalink("alerts/"),
    };
    generated.pages.push(GeneratedPage {
        url: list.to_string(),
        template: "alerts.html",
        label: "the alerts list".into(),
        nav_from,
        in_sitemap: true,
        values: vec![
            ("generated", Json::of(&header)),
            ("alerts", Json::of(&context)),
        ],
    });
    for (&name, &id) in &alerts {
        // Content wins: a page at the alert's address is its page (see `check`).
        let url = format!("alerts/{name}/");
        if taken.owner(&url).is_some() {
            continue;
        }
        generated.pages.push(GeneratedPage {
            url,
            template: "alert.html",
            label: format!("the alert page `{name}`"),
            nav_from,
            in_sitemap: false,
            values: vec![
                ("alert", Json::of(&name)),
                ("target_url", Json::of(&links.page_url(id))),
                (
                    "target_permalink",
                    Json::of(&links.permalink(&site.pages[id].url)),
                ),
                ("target_title", Json::of(&site.pages[id].title)),
            ],
        });
    }
}
