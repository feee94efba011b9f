//! The service catalog and the review dashboard.
//!
//! `/services/NAME/` (taking over the plain taxonomy page) gathers a service's runbooks,
//! processes, postmortems and status incidents, with its owners, its alerts, the runbooks past
//! their review date and the state of the status component of the same id. An incident belongs
//! to a service when it names a component with the service's id, or when a postmortem of the
//! service explains it. `/reviews/` lists runbooks and processes by review date, overdue first.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::Serialize;

use super::status::{self, Event};
use super::{Generated, GeneratedPage, Json, Links};
use crate::dates::DateTime;
use crate::model::{PageSummary, Place, Site};
use crate::paths::url_segment;
use crate::vocabulary::Kind;

#[derive(Debug, Serialize)]
struct Named {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct ServiceContext {
    name: String,
    owners: Vec<Named>,
    component: Option<ComponentInfo>,
    alerts: Vec<Named>,
    overdue: Vec<PageSummary>,
    runbook_count: usize,
    incident_count: usize,
    /// Runbooks, processes, postmortems, incidents, other pages; empty groups left out.
    groups: Vec<Group>,
}

#[derive(Serialize)]
struct Group {
    kind: &'static str,
    title: &'static str,
    pages: Vec<PageSummary>,
}

#[derive(Debug, Serialize)]
struct ComponentInfo {
    name: String,
    state: status::ComponentState,
    state_label: &'static str,
    url: String,
}

/// Adds a page per service.
pub(super) fn add_services(site: &Site, events: &[Event], generated: &mut Generated) {
    let Some(terms) = site.taxonomies.get("services") else {
        return;
    };
    let links = Links { site };
    let alerts = super::alerts::alerts(site);
    for term in terms.values() {
        let url = format!("{}{}/", links.place(Place::Services), term.slug);
        let context = Service {
            site,
            links: &links,
            events,
            alerts: &alerts,
        }
        .context(&term.name, &term.pages);
        // Titled with the service's name: its status component's, when one has its id.
        let component = site
            .config
            .components
            .iter()
            .find(|c| c.id == term.name || url_segment(&c.id) == term.slug);
        let header = super::PageHeader {
            title: component.map_or_else(|| term.name.clone(), |c| c.name.clone()),
            description: None,
            url: links.url(&url),
            permalink: links.permalink(&url),
            breadcrumbs: links.crumbs(&[("Services", links.place(Place::Services))]),
            content: String::new(),
        };
        generated.pages.push(GeneratedPage {
            url,
            template: "service.html",
            label: format!("the service page `{}`", term.name),
            nav_from: 0,
            in_sitemap: true,
            values: vec![
                ("generated", Json::of(&header)),
                ("service", Json::of(&context)),
            ],
        });
    }
}

/// What building a service page needs from the rest of the site.
struct Service<'a> {
    site: &'a Site,
    links: &'a Links<'a>,
    events: &'a [Event],
    /// Every alert with its runbook.
    alerts: &'a std::collections::BTreeMap<&'a str, usize>,
}

impl Service<'_> {
    fn context(&self, name: &str, pages: &[usize]) -> ServiceContext {
        let Service {
            site,
            links,
            events,
            alerts: known_alerts,
        } = *self;
        let of_kind = |kind: Kind| -> Vec<usize> {
            pages
                .iter()
                .copied()
                .filter(|&p| site.pages[p].kind == kind)
                .collect()
        };
        let slug = url_segment(name);
        let component = site
            .config
            .components
            .iter()
            .find(|c| c.id == name || url_segment(&c.id) == slug);
        let postmortems = of_kind(Kind::Postmortem);
        let explained: BTreeSet<usize> = postmortems
            .iter()
            .filter_map(|&p| site.pages[p].meta.incident.as_deref())
            .filter_map(|n| site.incident_named(n))
            .collect();
        let incidents: Vec<usize> = events
            .iter()
            .filter(|e| {
                explained.contains(&e.id)
                    || component.is_some_and(|c| e.affects(&c.id))
                    || site.pages[e.id]
                        .meta
                        .services
                        .iter()
                        .any(|s| url_segment(s) == slug)
            })
            .map(|e| e.id)
            .collect();
        let runbooks = of_kind(Kind::Runbook);
        let mut owners: BTreeSet<&str> = BTreeSet::new();
        for &p in pages {
            owners.extend(site.pages[p].meta.owners.iter().map(String::as_str));
        }
        let mut alerts: Vec<&str> = runbooks
            .iter()
            .flat_map(|&p| site.pages[p].meta.alerts.iter().map(String::as_str))
            .collect();
        alerts.sort_unstable();
        alerts.dedup();
        let mut overdue: Vec<usize> = pages
            .iter()
            .copied()
            .filter(|&p| site.pages[p].review.is_some_and(|r| r.overdue_days > 0))
            .collect();
        overdue.sort_by_key(|&p| {
            std::cmp::Reverse(site.pages[p].review.map_or(0, |r| r.overdue_days))
        });
        let summaries = |ids: &[usize]| ids.iter().map(|&p| site.summary(p)).collect::<Vec<_>>();
        ServiceContext {
            name: name.to_string(),
            owners: owners
                .into_iter()
                .filter(|o| !url_segment(o).is_empty())
                .map(|o| Named {
                    name: o.to_string(),
                    url: links.url(&format!(
                        "{}{}/",
                        links.place(Place::Owners),
                        url_segment(o)
                    )),
                })
                .collect(),
            component: component.map(|c| {
                let state = status::component_state(&c.id, events);
                ComponentInfo {
                    name: c.name.clone(),
                    state,
                    state_label: state.label(),
                    url: links.url(&format!(
                        "{}#component-{}",
                        links.place(Place::Status),
                        c.id
                    )),
                }
            }),
            alerts: alerts
                .into_iter()
                .filter(|a| known_alerts.contains_key(a))
                .map(|a| Named {
                    name: a.to_string(),
                    url: links.url(&format!("alerts/{a}/")),
                })
                .collect(),
            overdue: summaries(&overdue),
            runbook_count: runbooks.len(),
            incident_count: incidents.len(),
            groups: [
                (Kind::Runbook, "Runbooks", runbooks),
                (Kind::Process, "Processes", of_kind(Kind::Process)),
                (Kind::Postmortem, "Postmortems", postmortems),
                (Kind::Incident, "Incidents", incidents),
                (Kind::Page, "Pages", of_kind(Kind::Page)),
            ]
            .into_iter()
            .filter(|(_, _, ids)| !ids.is_empty())
            .map(|(kind, title, ids)| Group {
                kind: kind.as_str(),
                title,
                pages: summaries(&ids),
            })
            .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct ReviewRow {
    title: String,
    url: String,
    kind: &'static str,
    owners: Vec<Named>,
    last_reviewed: Option<DateTime>,
    due: Option<DateTime>,
    overdue_days: i64,
    /// Days from today to the due date (negative when overdue).
    due_in_days: Option<i64>,
    interval_days: u32,
}

#[derive(Debug, Serialize)]
struct ReviewsContext {
    overdue: Vec<ReviewRow>,
    never: Vec<ReviewRow>,
    upcoming: Vec<ReviewRow>,
    today: DateTime,
}

/// Adds `/reviews/`: runbooks and processes by review date, overdue first.
pub(super) fn add_reviews(site: &Site, now: Timestamp, generated: &mut Generated) {
    let links = Links { site };
    let today = DateTime::from_date(super::shown(now).date());
    let mut rows: Vec<(usize, ReviewRow)> = site
        .pages
        .iter()
        .enumerate()
        .filter_map(|(id, page)| {
            let review = page.review?;
            Some((
                id,
                ReviewRow {
                    title: page.title.clone(),
                    url: links.page_url(id),
                    kind: page.kind.as_str(),
                    owners: page
                        .meta
                        .owners
                        .iter()
                        .filter(|o| !url_segment(o).is_empty())
                        .map(|o| Named {
                            name: o.clone(),
                            url: links.url(&format!(
                                "{}{}/",
                                links.place(Place::Owners),
                                url_segment(o)
                            )),
                        })
                        .collect(),
                    last_reviewed: page.meta.last_reviewed,
                    due: review.due,
                    overdue_days: review.overdue_days,
                    due_in_days: review.due.map(|due| today.days_until(&due)),
                    interval_days: review.interval_days,
                },
            ))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    rows.sort_by(|(a, ra), (b, rb)| {
        ra.due
            .cmp(&rb.due)
            .then_with(|| site.pages[*a].title.cmp(&site.pages[*b].title))
    });
    let mut context = ReviewsContext {
        overdue: Vec::new(),
        never: Vec::new(),
        upcoming: Vec::new(),
        today,
    };
    for (_, row) in rows {
        match row.due {
            None => context.never.push(row),
            Some(_) if row.overdue_days > 0 => context.overdue.push(row),
            Some(_) => context.upcoming.push(row),
        }
    }
    let header = links.header(
        links.place(Place::Reviews),
        "Reviews",
        Some("Runbooks and processes by review date, overdue first. A runbook nobody has checked lately is a runbook nobody should trust at 3 a.m."),
        &[],
    );
    generated.pages.push(GeneratedPage {
        url: links.place(Place::Reviews).to_string(),
        template: "reviews.html",
        label: "the review dashboard".into(),
        nav_from: 0,
        in_sitemap: true,
        values: vec![
            ("generated", Json::of(&header)),
            ("reviews", Json::of(&context)),
        ],
    });
}
