//! Checks that need incidents and postmortems side by side: a postmortem naming an incident
//! that does not exist, a factor the vocabulary lacks or a related page that does not exist, an
//! incident naming an unknown component, dates out of order.

use super::{Page, Site};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::vocabulary::Kind;

/// Runs the checks that need incidents and postmortems side by side.
pub(crate) fn check_operations(site: &Site, diagnostics: &mut Diagnostics) {
    for page in site.pages.iter().filter(|p| !p.is_section()) {
        match page.kind {
            Kind::Postmortem => {
                if let Some(name) = &page.meta.incident {
                    if site.incident_named(name).is_none() {
                        diagnostics.push(Diagnostic::error(
                            Some(page.location_of("incident")),
                            format!("postmortem names incident `{name}`, but no status page has that file name"),
                        ).with_rule("unknown-incident"));
                    }
                }
                if let (Some(started), Some(resolved)) = (page.meta.started, page.meta.resolved) {
                    if resolved < started {
                        diagnostics.push(
                            Diagnostic::error(
                                Some(page.location_of("resolved")),
                                format!("the incident is resolved ({resolved}) before it started ({started})"),
                            )
                            .with_rule("incident-resolved-before-start"),
                        );
                    }
                }
                check_factors(site, page, diagnostics);
                check_related(site, page, diagnostics);
            }
            Kind::Incident => check_incident(site, page, diagnostics),
            _ => {}
        }
    }
}

fn check_incident(site: &Site, page: &Page, diagnostics: &mut Diagnostics) {
    if let Err(problem) = super::recurrence::Series::of(&page.meta) {
        diagnostics.push(
            Diagnostic::error(Some(page.location_of(problem.key)), problem.message)
                .with_hint(problem.hint)
                .with_rule("invalid-recurrence"),
        );
    }
    let known: Vec<&str> = site
        .config
        .components
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    for (index, component) in page.meta.components.iter().enumerate() {
        if site.config.component(component).is_some() {
            continue;
        }
        let hint = match crate::diagnostic::did_you_mean(component, known.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "declare it under [[status.components]] in opsbook.toml".to_string(),
        };
        diagnostics.push(
            Diagnostic::error(
                Some(page.location_of(&format!("components.{index}"))),
                format!("incident names unknown component `{component}`"),
            )
            .with_hint(hint)
            .with_rule("unknown-component"),
        );
    }
    if let (Some(started), Some(resolved)) = (page.meta.started, page.meta.resolved) {
        if resolved < started {
            diagnostics.push(
                Diagnostic::error(
                    Some(page.location_of("resolved")),
                    format!("incident is resolved ({resolved}) before it started ({started})"),
                )
                .with_rule("incident-resolved-before-start"),
            );
        }
    }
    if let Some(started) = page.meta.started {
        for (index, update) in page.meta.updates.iter().enumerate() {
            if update.at < started {
                diagnostics.push(
                    Diagnostic::error(
                        Some(page.location_of(&format!("updates.{index}.at"))),
                        format!(
                            "update at {} comes before the incident started ({started})",
                            update.at
                        ),
                    )
                    .with_rule("incident-update-order"),
                );
            }
        }
    }
}

/// Triggers and contributing factors come from the vocabulary of `opsbook.toml`: a word outside
/// it would count apart from its near twin (`config` beside `configuration`).
fn check_factors(site: &Site, page: &Page, diagnostics: &mut Diagnostics) {
    let meta = &page.meta;
    let known = || site.config.factors.iter().map(|f| f.id.as_str());
    for (field, values) in [
        ("triggers", &meta.triggers),
        ("contributing_factors", &meta.contributing_factors),
    ] {
        for (index, value) in values.iter().enumerate() {
            if site.config.factor(value).is_some() {
                continue;
            }
            let hint = match crate::diagnostic::did_you_mean(value, known()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "the factors are {}; declare others under [[postmortems.factors]] in opsbook.toml",
                    known().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            diagnostics.push(
                Diagnostic::error(
                    Some(page.location_of(&format!("{field}.{index}"))),
                    format!("postmortem names unknown factor `{value}` in `{field}`"),
                )
                .with_hint(hint)
                .with_rule("unknown-factor"),
            );
        }
    }
}

/// Each `related` entry names a postmortem or a status incident, other than the page itself.
fn check_related(site: &Site, page: &Page, diagnostics: &mut Diagnostics) {
    for (index, name) in page.meta.related.iter().enumerate() {
        let message = match site.related_named(name) {
            Some(target) if std::ptr::eq(&site.pages[target], page) => {
                "postmortem names itself in `related`".to_string()
            }
            Some(_) => continue,
            None => format!(
                "postmortem names related `{name}`, but no postmortem or status page has that file name"
            ),
        };
        let hint = match crate::diagnostic::did_you_mean(name, site.related_names()) {
            Some(close) if close != name => format!("did you mean `{close}`?"),
            _ => "name a postmortem or a status incident by its file name, without `.md`".into(),
        };
        diagnostics.push(
            Diagnostic::error(Some(page.location_of(&format!("related.{index}"))), message)
                .with_hint(hint)
                .with_rule("unknown-related"),
        );
    }
}
