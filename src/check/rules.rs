//! The rules `check` adds to what `build` validates. Each reads the assembled site and pushes
//! findings; none changes the site. Locations point at the front matter field concerned, or at
//! the line of the body the finding is about.

use std::collections::HashMap;

use super::finding;
use crate::build::{rooted_links, KnownUrls};
use crate::config::CheckPolicy;
use crate::dates::DateTime;
use crate::diagnostic::{Diagnostics, Location};
use crate::markdown::action_items::{self, section_matches};
use crate::markdown::params::is_name;
use crate::model::{Page, Site};
use crate::vocabulary::{Impact, Kind, PostmortemStatus};

/// What every rule may read.
pub(super) struct Context<'a> {
    pub site: &'a Site,
    pub policy: &'a CheckPolicy,
    pub today: DateTime,
    /// Every URL the site will have.
    pub urls: &'a KnownUrls<'a>,
}

pub(super) fn run_all(context: &Context<'_>, out: &mut Diagnostics) {
    for (id, page) in context.site.pages.iter().enumerate() {
        if page.document.is_none() {
            continue;
        }
        rooted_links(page, context.urls, out);
        if page.is_section() {
            continue;
        }
        required_fields(page, out);
        match page.kind {
            Kind::Runbook => {
                review(page, out);
                runbook_owner(page, out);
                parameters(page, out);
            }
            Kind::Process => review(page, out),
            Kind::Incident => incident(context, id, page, out),
            Kind::Postmortem => postmortem(context, page, out),
            Kind::Page => {}
        }
    }
    orphan_pages(context.site, out);
    duplicate_titles(context.site, out);
    objectives_observed(context.site, out);
}

/// A component with an objective that nothing observes: no incident or maintenance names it
/// and no `observed_since` says since when it is watched. Its page shows no numbers; a typo in
/// its id, or a component nobody reports on, looks just like this.
fn objectives_observed(site: &Site, out: &mut Diagnostics) {
    let events = crate::ops::status::events(site);
    for component in site.config.components.iter().filter(|c| c.slo.is_some()) {
        if crate::ops::slo::observed_from(component, &events, None).is_some()
            || events.iter().any(|e| e.affects(&component.id))
        {
            continue;
        }
        let (line, column) = component.slo_at;
        out.push(
            finding(
                "slo-not-observed",
                Location::at(crate::config::CONFIG_FILE, line, column),
                format!(
                    "component `{}` has an `slo` but was never observed: no incident or maintenance names it",
                    component.id
                ),
            )
            .with_hint("add `observed_since = YYYY-MM-DD`, the day its monitoring began, to count its availability from then"),
        );
    }
}

fn file_of(page: &Page) -> &crate::paths::HandbookPath {
    &page.file
}

/// Fields each kind needs; a group is satisfied by any one of its fields.
fn required(kind: Kind) -> &'static [&'static [&'static str]] {
    match kind {
        Kind::Runbook | Kind::Process => &[&["last_reviewed"]],
        Kind::Postmortem => &[&["started", "date"], &["severity"], &["status"]],
        Kind::Incident => &[&["impact"], &["started", "scheduled_start"]],
        Kind::Page => &[],
    }
}

fn has_field(page: &Page, field: &str) -> bool {
    let meta = &page.meta;
    match field {
        "last_reviewed" => meta.last_reviewed.is_some(),
        "started" => meta.started.is_some(),
        "date" => meta.date.is_some(),
        "severity" => meta.severity.is_some(),
        "status" => meta.status.is_some(),
        "impact" => meta.impact.is_some(),
        "scheduled_start" => meta.scheduled_start.is_some(),
        _ => true,
    }
}

fn required_fields(page: &Page, out: &mut Diagnostics) {
    for group in required(page.kind) {
        // A field whose value was invalid is reported as that already.
        let invalid = |field: &&str| page.meta.invalid.contains(*field);
        if group.iter().any(|field| has_field(page, field)) || group.iter().any(invalid) {
            continue;
        }
        let names: Vec<String> = group.iter().map(|f| format!("`{f}`")).collect();
        out.push(
            finding(
                "missing-field",
                page.location_of(group[0]),
                format!("{} page has no {}", page.kind.as_str(), names.join(" or ")),
            )
            .with_hint(format!(
                "every {} needs it; `opsbook new {}` writes a complete front matter",
                page.kind.as_str(),
                page.kind.as_str()
            )),
        );
    }
}

fn review(page: &Page, out: &mut Diagnostics) {
    let Some(review) = page.review.filter(|r| r.overdue_days > 0) else {
        return;
    };
    let last = page.meta.last_reviewed.map(|d| d.iso()).unwrap_or_default();
    out.push(
        finding(
            "review-overdue",
            page.location_of("last_reviewed"),
            format!(
                "review overdue by {} days (last reviewed {last}, due every {} days)",
                review.overdue_days, review.interval_days
            ),
        )
        .with_hint("review the page, then set `last_reviewed` to the day you did"),
    );
}

fn runbook_owner(page: &Page, out: &mut Diagnostics) {
    if page.meta.owners.is_empty() {
        out.push(
            finding(
                "runbook-no-owner",
                page.location_of("owners"),
                "runbook has no owners",
            )
            .with_hint("add `owners = [\"team-name\"]`: who keeps it right"),
        );
    }
}

/// Placeholders and parameters match: one nobody declares stays unfilled on the page, one nobody
/// uses is a field in the form that changes nothing.
fn parameters(page: &Page, out: &mut Diagnostics) {
    let declared = &page.meta.parameters;
    for (index, parameter) in declared.iter().enumerate() {
        let name = &parameter.name;
        let location = || page.location_of(&format!("parameters.{index}.name"));
        if !is_name(name) {
            out.push(
                finding(
                    "bad-parameter",
                    location(),
                    format!("parameter name `{name}` cannot be a placeholder's"),
                )
                .with_hint("use lower-case letters, digits and `_`, starting with a letter"),
            );
        } else if declared[..index].iter().any(|p| p.name == *name) {
            out.push(finding(
                "bad-parameter",
                location(),
                format!("parameter `{name}` is declared twice"),
            ));
        } else if !page
            .rendered
            .placeholders
            .iter()
            .any(|p| p.filled && p.name == *name)
        {
            out.push(
                finding(
                    "unused-parameter",
                    location(),
                    format!("parameter `{name}` is used by no `<<{name}>>` placeholder"),
                )
                .with_hint(
                    "write `<<name>>` where its value goes in code or a link URL, or remove it",
                ),
            );
        }
    }
    for placeholder in &page.rendered.placeholders {
        let name = &placeholder.name;
        if !placeholder.filled {
            out.push(
                finding(
                    "placeholder-in-prose",
                    Location::at(&page.file, placeholder.line, placeholder.column),
                    format!("placeholder `<<{name}>>` is in prose, where it is not filled in (and reads as HTML)"),
                )
                .with_hint(format!("write it as inline code, `` `<<{name}>>` ``")),
            );
        } else if !declared.iter().any(|p| p.name == *name) {
            out.push(
                finding(
                    "undeclared-placeholder",
                    Location::at(&page.file, placeholder.line, placeholder.column),
                    format!("placeholder `<<{name}>>` is declared by no parameter"),
                )
                .with_hint(format!(
                    "declare it in front matter: `[[parameters]]` with `name = \"{name}\"`"
                )),
            );
        }
    }
}

fn incident(context: &Context<'_>, id: usize, page: &Page, out: &mut Diagnostics) {
    let meta = &page.meta;
    for (index, pair) in meta.updates.windows(2).enumerate() {
        if pair[1].at < pair[0].at {
            out.push(
                finding(
                    "incident-update-order",
                    page.location_of(&format!("updates.{}.at", index + 1)),
                    format!(
                        "update at {} comes before the update above it ({})",
                        pair[1].at, pair[0].at
                    ),
                )
                .with_hint("list updates oldest first"),
            );
        }
    }
    if let (Some(started), None) = (meta.started, meta.resolved) {
        let days = started.days_until(&context.today);
        let max = i64::from(context.policy.ongoing_incident_max_days);
        if meta.impact != Some(Impact::Maintenance) && days > max {
            out.push(finding(
                "incident-ongoing",
                page.location_of("started"),
                format!("incident has been ongoing for {days} days (more than {max})"),
            ).with_hint("set `resolved` when it is over; the age is `ongoing_incident_max_days` in [checks]"));
        }
    }
    let needs_postmortem = meta.resolved.is_some()
        && meta
            .impact
            .is_some_and(|i| context.policy.postmortem_required_impacts.contains(&i));
    if needs_postmortem && context.site.postmortem_of(id).is_none() {
        out.push(
            finding(
                "postmortem-missing",
                page.location_of("impact"),
                format!(
                    "{} incident has no postmortem",
                    meta.impact.map_or("", Impact::as_str)
                ),
            )
            .with_hint(format!(
                "write one with `opsbook new postmortem` and set its `incident = \"{}\"`",
                page.stem()
            )),
        );
    }
}

fn postmortem(context: &Context<'_>, page: &Page, out: &mut Diagnostics) {
    let Some(document) = &page.document else {
        return;
    };
    let file = file_of(page);
    let headings = action_items::headings(&document.body(), document.body_line);
    for section in &context.policy.postmortem_sections {
        if !headings.iter().any(|h| section_matches(&h.text, section)) {
            out.push(
                finding(
                    "postmortem-section-missing",
                    Location::at(file, document.body_line, 1),
                    format!("postmortem has no `{section}` section"),
                )
                .with_hint(format!(
                    "add a `## {section}` heading; the required sections are `postmortem_sections` in [checks]"
                )),
            );
        }
    }
    let items = action_items::action_items(&document.body(), document.body_line);
    if items.is_empty() && page.meta.status == Some(PostmortemStatus::Published) {
        out.push(
            finding(
                "postmortem-no-action-items",
                page.location_of("status"),
                "published postmortem has no action items",
            )
            .with_hint("list them as task items: `- [ ] what (@owner, due YYYY-MM-DD)`"),
        );
    }
    for item in items {
        let at = Location::at(file, item.line, item.column);
        if item.owners.is_empty() {
            out.push(
                finding(
                    "action-item-no-owner",
                    at.clone(),
                    format!("action item has no owner: {}", item.text),
                )
                .with_hint("name one with `@`: `(@team-data, due 2026-12-01)`"),
            );
        }
        if let Some(due) = item.due.filter(|due| !item.done && *due < context.today) {
            out.push(
                finding(
                    "action-item-overdue",
                    at,
                    format!("open action item was due {}: {}", due.iso(), item.text),
                )
                .with_hint("tick it (`[x]`) when done, or set a new `due` date"),
            );
        }
    }
}

/// Pages a section lists: the default section and home templates list all their pages; a
/// section with its own `template` may not.
fn lists_its_pages(section: &Page) -> bool {
    matches!(
        section.meta.template.as_deref(),
        None | Some("section.html") | Some("index.html")
    )
}

fn orphan_pages(site: &Site, out: &mut Diagnostics) {
    // A page is shown when every section above it lists its pages.
    let reached: Vec<bool> = (0..site.pages.len())
        .map(|id| {
            site.ancestors(id)
                .iter()
                .all(|&s| lists_its_pages(&site.pages[s]))
        })
        .collect();
    for (id, page) in site.pages.iter().enumerate().skip(1) {
        if reached[id] || !page.backlinks.is_empty() || page.document.is_none() {
            continue;
        }
        out.push(
            finding(
                "orphan-page",
                Location::at(file_of(page), 1, 1),
                "no page links here and no section list shows this page",
            )
            .with_hint("link to it from a related page, or delete it if it is obsolete"),
        );
    }
}

/// Incidents are told apart by their date, and often share a title ("Elevated error rates").
fn duplicate_titles(site: &Site, out: &mut Diagnostics) {
    let sections = site.pages.iter().filter(|p| p.kind != Kind::Incident);
    for section in sections.filter_map(|p| p.list.as_ref()) {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut ids = section.pages.clone();
        ids.sort_by(|&a, &b| site.pages[a].path.cmp(&site.pages[b].path));
        for id in ids {
            let page = &site.pages[id];
            match seen.get(&page.title.to_lowercase()) {
                Some(&other) => out.push(
                    finding(
                        "duplicate-title",
                        page.location_of("title"),
                        format!(
                            "`{}` has the same title as `{}` in this section",
                            page.title,
                            file_of(&site.pages[other])
                        ),
                    )
                    .with_hint("readers tell pages apart by title: make one more specific"),
                ),
                None => {
                    seen.insert(page.title.to_lowercase(), id);
                }
            }
        }
    }
}
