//! Checks of the operations content that need several pages side by side: overlapping
//! maintenance windows of one component, maintenance windows that end before they start, alerts
//! declared twice; and action items whose due date is no date.
//! (Unknown components and updates or resolutions before the start are checked by the model.)

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Page, Place, Site};
use crate::vocabulary::{Impact, Kind, UpdateStatus};

/// Runs every check of this module.
pub(crate) fn check(site: &Site, diagnostics: &mut Diagnostics) {
    check_maintenance_windows(site, diagnostics);
    for page in site
        .pages
        .iter()
        .filter(|p| p.kind == Kind::Incident && !p.is_section())
    {
        warn_about_incomplete_incident(page, diagnostics);
    }
    super::alerts::check(site, diagnostics);
    moved_places(site, diagnostics);
    check_due_dates(site, diagnostics);
}

/// Action items whose due date is no date (`due 2026-02-30`): without a warning they would
/// simply never be overdue.
fn check_due_dates(site: &Site, diagnostics: &mut Diagnostics) {
    for page in site.pages.iter().filter(|p| p.kind == Kind::Postmortem) {
        let Some(document) = &page.document else {
            continue;
        };
        let items =
            crate::markdown::action_items::action_items(&document.body(), document.body_line);
        for (item, bad) in items
            .iter()
            .filter_map(|i| i.bad_due.as_ref().map(|b| (i, b)))
        {
            diagnostics.push(
                Diagnostic::warning(
                    Some(crate::diagnostic::Location::at(
                        format!("content/{}", page.path),
                        item.line,
                        bad.column,
                    )),
                    format!(
                        "due date `{}` {}: the action item has no due date",
                        bad.text, bad.why
                    ),
                )
                .with_hint("write it as YYYY-MM-DD, a day of the calendar: `due 2026-12-01`")
                .with_rule("invalid-field"),
            );
        }
    }
}

/// A page of the handbook at the URL of generated pages the site has: the page wins, the
/// generated pages go to the next free URL, and a warning says where.
fn moved_places(site: &Site, diagnostics: &mut Diagnostics) {
    let events = super::status::events(site);
    let with_pages = super::places_with_pages(site, &events);
    let base_path = &site.config.base_path;
    for (place, usual, page) in site.places.moved() {
        // The search page is the build's; it is there when search is on.
        let has_pages =
            with_pages.contains(&place) || (place == Place::Search && site.config.search);
        if !has_pages {
            continue;
        }
        diagnostics.push(
            Diagnostic::warning(
                Some(crate::diagnostic::Location::file(&site.pages[page].file)),
                format!(
                    "this page has the URL `{base_path}{usual}` where opsbook puts {}: they are at `{base_path}{}`",
                    place.label(),
                    site.places.url(place)
                ),
            )
            .with_hint("move the page, or keep it there: every link to the generated pages follows them")
            .with_rule("generated-url-taken"),
        );
    }
}

/// Incidents the status page would show oddly: warnings, since the page still builds.
fn warn_about_incomplete_incident(page: &Page, diagnostics: &mut Diagnostics) {
    let meta = &page.meta;
    let file = || Some(crate::diagnostic::Location::file(&page.file));
    let latest = meta.updates.iter().max_by_key(|u| u.at).map(|u| u.status);
    if meta.impact == Some(Impact::Maintenance) {
        if meta.scheduled_start.is_none() && meta.started.is_none() {
            diagnostics.push(Diagnostic::warning(
                file(),
                "maintenance has no `scheduled_start`: it stays \"scheduled\" and is left out of the calendar",
            ));
        } else if meta.scheduled_end.is_none()
            && meta.resolved.is_none()
            && latest != Some(UpdateStatus::Completed)
        {
            diagnostics.push(Diagnostic::warning(
                file(),
                "maintenance has no `scheduled_end`: it shows as in progress until `resolved` or a `completed` update",
            ));
        }
        return;
    }
    if meta.started.is_none() && meta.updates.is_empty() {
        diagnostics.push(Diagnostic::warning(
            file(),
            "incident has no `started` time and no updates: it cannot count towards uptime",
        ));
    }
    if meta.resolved.is_none() && latest == Some(UpdateStatus::Resolved) {
        diagnostics.push(
            Diagnostic::warning(
                file(),
                "the latest update says `resolved`, but the incident has no `resolved` time: it shows as ongoing",
            )
            .with_hint("add `resolved = …` with the time of that update"),
        );
    }
}

/// A planned window: page id, start and end.
type Window = (usize, crate::dates::DateTime, crate::dates::DateTime);

fn check_maintenance_windows(site: &Site, diagnostics: &mut Diagnostics) {
    let mut windows: Vec<Window> = Vec::new();
    for (id, page) in site.pages.iter().enumerate() {
        if page.kind != Kind::Incident
            || page.is_section()
            || page.meta.impact != Some(Impact::Maintenance)
        {
            continue;
        }
        let (Some(start), Some(end)) = (page.meta.scheduled_start, page.meta.scheduled_end) else {
            continue;
        };
        if end <= start {
            diagnostics.push(Diagnostic::error(
                Some(page.location_of("scheduled_end")),
                format!("maintenance window ends ({end}) before it starts ({start})"),
            ));
            continue;
        }
        windows.push((id, start, end));
    }
    windows.sort_by_key(|&(id, start, _)| (start, site.pages[id].path.clone()));
    for (i, &(a, a_start, a_end)) in windows.iter().enumerate() {
        for &(b, b_start, b_end) in &windows[i + 1..] {
            if b_start >= a_end {
                break;
            }
            for (index, component) in site.pages[b].meta.components.iter().enumerate() {
                if site.pages[a].meta.components.contains(component) {
                    diagnostics.push(overlap(
                        &site.pages[a],
                        &site.pages[b],
                        index,
                        component,
                        (a_start, a_end),
                        (b_start, b_end),
                    ));
                }
            }
        }
    }
}

fn overlap(
    first: &Page,
    second: &Page,
    index: usize,
    component: &str,
    (a_start, a_end): (crate::dates::DateTime, crate::dates::DateTime),
    (b_start, b_end): (crate::dates::DateTime, crate::dates::DateTime),
) -> Diagnostic {
    Diagnostic::error(
        Some(second.location_of(&format!("components.{index}"))),
        format!(
            "maintenance window {b_start} → {b_end} for component `{component}` overlaps `{}` ({a_start} → {a_end})",
            first.file
        ),
    )
    .with_hint("merge the two maintenances, or move one window so they do not overlap")
}
