//! The read-only Statuspage v2 API as static files under `status/api/v2/`: `summary.json`,
//! `status.json`, `components.json`, `incidents.json`, `incidents/unresolved.json`,
//! `scheduled-maintenances.json` (with `upcoming.json` and `active.json`), in the shapes
//! Statuspage serves, so its clients (and Grafana's Statuspage data source) read the handbook.
//!
//! Component groups become group components (`group: true`, `components: [ids]`), as in
//! Statuspage. Timestamps come from the content, never from the clock, so output is
//! reproducible; a list holds the 50 newest entries, as Statuspage's does.

use jiff::Timestamp;
use serde::Serialize;

use super::feeds::{rfc3339, update_status_id};
use super::status::{self, ComponentState, Event, Phase};
use super::Links;
use crate::markdown::defused;
use crate::model::{Place, Site};
use crate::paths::url_segment;
use crate::vocabulary::UpdateStatus;

const LIMIT: usize = 50;

#[derive(Debug, Serialize)]
pub(crate) struct PageInfo {
    id: String,
    name: String,
    url: String,
    time_zone: &'static str,
    updated_at: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct StatusInfo {
    indicator: &'static str,
    description: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ComponentInfo {
    id: String,
    name: String,
    status: &'static str,
    created_at: String,
    updated_at: String,
    position: usize,
    description: Option<String>,
    showcase: bool,
    start_date: Option<String>,
    group_id: Option<String>,
    page_id: String,
    group: bool,
    only_show_if_degraded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct UpdateInfo {
    id: String,
    status: &'static str,
    body: String,
    incident_id: String,
    created_at: String,
    updated_at: String,
    display_at: String,
    affected_components: Vec<AffectedComponent>,
    deliver_notifications: bool,
    custom_tweet: Option<String>,
    tweet_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct AffectedComponent {
    code: String,
    name: String,
    old_status: &'static str,
    new_status: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct IncidentInfo {
    id: String,
    name: String,
    status: &'static str,
    created_at: String,
    updated_at: String,
    monitoring_at: Option<String>,
    resolved_at: Option<String>,
    impact: &'static str,
    shortlink: String,
    started_at: String,
    page_id: String,
    incident_updates: Vec<UpdateInfo>,
    components: Vec<ComponentInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_for: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_until: Option<String>,
}

/// A row of `components` before its state and times are known.
struct Entry {
    id: String,
    name: String,
    description: Option<String>,
    position: usize,
    group_id: Option<String>,
    /// Set for a group: its members' ids.
    members: Option<Vec<String>>,
}

/// Builds every file of the API from one set of events.
pub(crate) struct Api<'a> {
    site: &'a Site,
    links: Links<'a>,
    events: &'a [Event],
    page: PageInfo,
    /// The oldest time in the history: when components "were created".
    epoch: String,
    /// Built once: every incident lists the components it affects.
    components: Vec<ComponentInfo>,
    /// Maintenance with each recurring one as its windows of the past 90 days, the one going on
    /// and the next few.
    maintenances: Vec<Event>,
}

impl<'a> Api<'a> {
    pub(crate) fn new(site: &'a Site, events: &'a [Event], now: Timestamp) -> Api<'a> {
        let links = Links { site };
        let times = events.iter().flat_map(|e| {
            let updates = site.pages[e.id].meta.updates.iter().map(|u| u.at.instant);
            updates.chain(e.start)
        });
        let newest = times.clone().max().unwrap_or(now);
        let oldest = times.min().unwrap_or(now);
        let page = PageInfo {
            id: page_id(&site.config.base_url),
            name: site.config.title.clone(),
            url: links.permalink(links.place(Place::Status)),
            time_zone: "Etc/UTC",
            updated_at: rfc3339(newest),
        };
        let since = super::uptime::midnight(super::uptime::first_day(now));
        let maintenances = status::concrete(events, since, now)
            .into_iter()
            .filter(Event::is_maintenance)
            .collect();
        let mut api = Api {
            site,
            links,
            events,
            page,
            epoch: rfc3339(oldest),
            components: Vec::new(),
            maintenances,
        };
        api.components = api.build_components();
        api
    }

    /// Output path → JSON text, for every file of the API.
    pub(crate) fn files(&self) -> Vec<(String, String)> {
        let unresolved: Vec<&Event> = self
            .incidents()
            .filter(|e| e.phase == Phase::Ongoing)
            .collect();
        let open_maintenance: Vec<&Event> = self
            .maintenances()
            .filter(|e| matches!(e.phase, Phase::Upcoming | Phase::InProgress))
            .collect();
        let files = [
            ("summary.json", {
                serde_json::json!({
                    "page": self.page,
                    "status": self.status(),
                    "components": self.components,
                    "incidents": self.incident_list(unresolved.iter().copied()),
                    "scheduled_maintenances": self.incident_list(open_maintenance.iter().copied()),
                })
            }),
            (
                "status.json",
                serde_json::json!({ "page": self.page, "status": self.status() }),
            ),
            (
                "components.json",
                serde_json::json!({ "page": self.page, "components": self.components }),
            ),
            (
                "incidents.json",
                serde_json::json!({ "page": self.page, "incidents": self.incident_list(self.incidents()) }),
            ),
            (
                "incidents/unresolved.json",
                serde_json::json!({ "page": self.page, "incidents": self.incident_list(unresolved.iter().copied()) }),
            ),
            (
                "scheduled-maintenances.json",
                serde_json::json!({ "page": self.page, "scheduled_maintenances": self.incident_list(self.maintenances()) }),
            ),
            (
                "scheduled-maintenances/upcoming.json",
                serde_json::json!({ "page": self.page, "scheduled_maintenances": self.incident_list(self.maintenances().filter(|e| e.phase == Phase::Upcoming)) }),
            ),
            (
                "scheduled-maintenances/active.json",
                serde_json::json!({ "page": self.page, "scheduled_maintenances": self.incident_list(self.maintenances().filter(|e| e.phase == Phase::InProgress)) }),
            ),
        ];
        files
            .into_iter()
            .map(|(name, value)| {
                let text = serde_json::to_string(&value).unwrap_or_default() + "\n";
                (
                    format!("{}v2/{name}", self.site.places.url(Place::StatusApi)),
                    text,
                )
            })
            .collect()
    }

    pub(crate) fn status(&self) -> StatusInfo {
        let (indicator, description) = status::overall_state(self.events).indicator();
        StatusInfo {
            indicator,
            description,
        }
    }

    fn incidents(&self) -> impl Iterator<Item = &'a Event> + Clone {
        self.events.iter().filter(|e| !e.is_maintenance())
    }

    fn maintenances(&self) -> impl Iterator<Item = &Event> + Clone {
        self.maintenances.iter()
    }

    fn incident_list<'e>(&self, events: impl Iterator<Item = &'e Event>) -> Vec<IncidentInfo> {
        events.take(LIMIT).map(|e| self.incident(e)).collect()
    }

    /// Components in config order, each group as a group component before its members.
    fn build_components(&self) -> Vec<ComponentInfo> {
        let mut out = Vec::new();
        for (group, members) in status::grouped(&self.site.config.components) {
            let group_id = group.map(group_id);
            if let (Some(name), Some(id)) = (group, &group_id) {
                out.push(self.component_info(Entry {
                    id: id.clone(),
                    name: name.to_string(),
                    description: None,
                    position: out.len() + 1,
                    group_id: None,
                    members: Some(members.iter().map(|c| c.id.clone()).collect()),
                }));
            }
            for component in members {
                out.push(
                    self.component_info(Entry {
                        id: component.id.clone(),
                        name: component.name.clone(),
                        description: component
                            .description
                            .as_deref()
                            .map(|d| defused(d).into_owned()),
                        position: out.len() + 1,
                        group_id: group_id.clone(),
                        members: None,
                    }),
                );
            }
        }
        out
    }

    /// A component, or a group of them: the worst state of its members, updated when the
    /// newest update of an event naming one of them was posted.
    fn component_info(&self, entry: Entry) -> ComponentInfo {
        let ids = entry
            .members
            .clone()
            .unwrap_or_else(|| vec![entry.id.clone()]);
        let state = ids
            .iter()
            .map(|c| status::component_state(c, self.events))
            .max()
            .unwrap_or(ComponentState::Operational);
        let updated = self
            .events
            .iter()
            .filter(|e| ids.iter().any(|c| e.affects(c)))
            .flat_map(|e| {
                self.site.pages[e.id]
                    .meta
                    .updates
                    .iter()
                    .map(|u| u.at.instant)
                    .chain(e.start)
            })
            .max();
        ComponentInfo {
            id: entry.id,
            name: entry.name,
            status: state.statuspage(),
            created_at: self.epoch.clone(),
            updated_at: updated.map_or(self.epoch.clone(), rfc3339),
            position: entry.position,
            description: entry.description,
            showcase: false,
            start_date: None,
            group_id: entry.group_id,
            page_id: self.page.id.clone(),
            group: entry.members.is_some(),
            only_show_if_degraded: false,
            components: entry.members,
        }
    }

    fn incident(&self, event: &Event) -> IncidentInfo {
        let page = &self.site.pages[event.id];
        let id = status::event_id(self.site, event);
        let mut updates: Vec<_> = page.meta.updates.iter().collect();
        updates.sort_by_key(|u| std::cmp::Reverse(u.at));
        let first = updates.last().map(|u| u.at.instant);
        let created = first.into_iter().chain(event.start).min();
        let created_at = created.map_or(self.page.updated_at.clone(), rfc3339);
        let new_state = |status: UpdateStatus| match status {
            UpdateStatus::Resolved | UpdateStatus::Completed => ComponentState::Operational,
            UpdateStatus::Scheduled => ComponentState::Operational,
            _ => ComponentState::from_impact(event.impact),
        };
        let incident_updates = updates
            .iter()
            .enumerate()
            .map(|(index, u)| UpdateInfo {
                id: format!("{id}-{}", updates.len() - index),
                status: update_status_id(u.status),
                body: defused(&u.message).into_owned(),
                incident_id: id.clone(),
                created_at: rfc3339(u.at.instant),
                updated_at: rfc3339(u.at.instant),
                display_at: rfc3339(u.at.instant),
                // The file records no history of component states, so every update moves the
                // components from operational to the state the incident gives them.
                affected_components: event
                    .components
                    .iter()
                    .map(|c| AffectedComponent {
                        code: c.clone(),
                        name: self.component_name(c),
                        old_status: "operational",
                        new_status: new_state(u.status).statuspage(),
                    })
                    .collect(),
                deliver_notifications: true,
                custom_tweet: None,
                tweet_id: None,
            })
            .collect();
        let components = self
            .components
            .iter()
            .filter(|c| !c.group && event.affects(&c.id))
            .cloned()
            .collect();
        let maintenance = event.is_maintenance();
        IncidentInfo {
            name: page.title.clone(),
            status: self.incident_status(event),
            created_at: created_at.clone(),
            updated_at: updates
                .first()
                .map_or(created_at.clone(), |u| rfc3339(u.at.instant)),
            monitoring_at: updates
                .iter()
                .rev()
                .find(|u| u.status == UpdateStatus::Monitoring)
                .map(|u| rfc3339(u.at.instant)),
            resolved_at: match event.phase {
                Phase::Resolved | Phase::Completed => event.end.map(rfc3339),
                _ => None,
            },
            impact: event.impact.as_str(),
            shortlink: self.links.permalink(&page.url),
            started_at: event.start.map_or(created_at, rfc3339),
            page_id: self.page.id.clone(),
            incident_updates,
            components,
            scheduled_for: maintenance
                .then(|| match event.occurrence {
                    true => event.start,
                    false => page
                        .meta
                        .scheduled_start
                        .or(page.meta.started)
                        .map(|d| d.instant),
                })
                .flatten()
                .map(rfc3339),
            scheduled_until: maintenance
                .then(|| match event.occurrence {
                    true => event.end,
                    false => page.meta.scheduled_end.map(|d| d.instant),
                })
                .flatten()
                .map(rfc3339),
            id,
        }
    }

    /// Statuspage's incident status: where the incident stands, as every page shows it.
    fn incident_status(&self, event: &Event) -> &'static str {
        update_status_id(status::event_status(self.site, event))
    }

    fn component_name(&self, id: &str) -> String {
        self.site
            .config
            .component(id)
            .map_or(id.to_string(), |c| c.name.clone())
    }
}

fn group_id(name: &str) -> String {
    format!("group-{}", url_segment(name))
}

/// A stable page id from the site's host (`ops.example.org`).
fn page_id(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let id = url_segment(rest.trim_end_matches('/'));
    if id.is_empty() {
        "opsbook".into()
    } else {
        id
    }
}
