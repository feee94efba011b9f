//! The read side of the Sovereign Cloud Stack status page API (status-page-openapi 1.1) as
//! static files under `status/api/scs/`: `components`, `incidents`, `impacttypes`, `phases`,
//! `severities`, each also with a `.json` twin. (Per-incident `incidents/ID/updates` cannot
//! exist beside a file named `incidents`, so it is left out.)
//!
//! Mapping: a component's id is its id in `opsbook.toml`, an incident's id its file name. Impact
//! types are opsbook's impacts; severities follow the SCS defaults (an impact's severity value
//! falls in the range of the first severity whose value is at least as high). Phases are the
//! update statuses, in one list of generation 1. A static site cannot filter by `start`/`end`,
//! so `incidents` lists every incident.

use jiff::Timestamp;
use serde::Serialize;

use super::feeds::rfc3339;
use super::status::Event;
use crate::markdown::defused;
use crate::model::{Place, Site};
use crate::vocabulary::{Impact, UpdateStatus};

/// Phases in order; an incident's phase is where it stands (the status every page shows).
const PHASES: [(UpdateStatus, &str); 7] = [
    (UpdateStatus::Scheduled, "Scheduled"),
    (UpdateStatus::Investigating, "Investigating"),
    (UpdateStatus::Identified, "Identified"),
    (UpdateStatus::InProgress, "In progress"),
    (UpdateStatus::Monitoring, "Monitoring"),
    (UpdateStatus::Completed, "Completed"),
    (UpdateStatus::Resolved, "Resolved"),
];

const SEVERITIES: [(&str, u8); 4] = [
    ("operational", 25),
    ("maintenance", 50),
    ("limited", 75),
    ("broken", 100),
];

const IMPACT_TYPES: [(Impact, &str, &str); 5] = [
    (
        Impact::None,
        "No impact",
        "Customers should know, but no service is degraded.",
    ),
    (
        Impact::Minor,
        "Minor impact",
        "Limited degradation, a workaround exists, or few customers are affected.",
    ),
    (
        Impact::Major,
        "Major impact",
        "Significant errors or slowness for a large share of requests.",
    ),
    (
        Impact::Critical,
        "Critical impact",
        "The service is unavailable, or data is at risk, for many customers.",
    ),
    (Impact::Maintenance, "Maintenance", "Planned work."),
];

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Impacting {
    reference: String,
    #[serde(rename = "type")]
    impact_type: &'static str,
    severity: u8,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ComponentData {
    id: String,
    display_name: String,
    labels: std::collections::BTreeMap<String, String>,
    actively_affected_by: Vec<Impacting>,
}

#[derive(Debug, Serialize)]
pub(crate) struct PhaseReference {
    generation: u32,
    order: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IncidentData {
    id: String,
    display_name: String,
    description: String,
    began_at: Option<String>,
    ended_at: Option<String>,
    phase: PhaseReference,
    affects: Vec<Impacting>,
    updates: Vec<usize>,
}

/// The impact type id of an opsbook impact.
pub(crate) fn impact_type(impact: Impact) -> &'static str {
    impact.as_str()
}

/// Where an impact falls on the severity scale.
pub(crate) fn severity(impact: Impact) -> u8 {
    match impact {
        Impact::None => 25,
        Impact::Maintenance => 50,
        Impact::Minor => 75,
        Impact::Major => 90,
        Impact::Critical => 100,
    }
}

/// Output path → JSON text for every file, each list wrapped in `{"data": …}` as the spec says.
pub(crate) fn files(site: &Site, events: &[Event], now: Timestamp) -> Vec<(String, String)> {
    let data = |value: serde_json::Value| {
        serde_json::to_string(&serde_json::json!({ "data": value })).unwrap_or_default() + "\n"
    };
    let components: Vec<ComponentData> = site
        .config
        .components
        .iter()
        .map(|c| ComponentData {
            id: c.id.clone(),
            display_name: c.name.clone(),
            labels: c
                .group
                .iter()
                .map(|g| ("group".to_string(), g.clone()))
                .chain(
                    c.description
                        .iter()
                        .map(|d| ("description".to_string(), defused(d).into_owned())),
                )
                .collect(),
            actively_affected_by: events
                .iter()
                .filter(|e| e.phase.is_active() && e.affects(&c.id))
                .map(|e| Impacting {
                    reference: site.pages[e.id].stem().to_string(),
                    impact_type: impact_type(e.impact),
                    severity: severity(e.impact),
                })
                .collect(),
        })
        .collect();
    // A recurring maintenance is listed as its windows of the past 90 days and the next few.
    let since = super::uptime::midnight(super::uptime::first_day(now));
    let incidents: Vec<IncidentData> = super::status::concrete(events, since, now)
        .iter()
        .map(|e| incident(site, e, now))
        .collect();
    let impact_types: Vec<serde_json::Value> = IMPACT_TYPES
        .iter()
        .map(|(impact, name, description)| {
            serde_json::json!({ "id": impact_type(*impact), "displayName": name, "description": description })
        })
        .collect();
    let phases = serde_json::json!({
        "generation": 1,
        "phases": PHASES.iter().map(|(_, name)| *name).collect::<Vec<_>>(),
    });
    let severities: Vec<serde_json::Value> = SEVERITIES
        .iter()
        .map(|(name, value)| serde_json::json!({ "displayName": name, "value": value }))
        .collect();
    let mut files = Vec::new();
    let mut add = |name: &str, text: String| {
        let api = site.places.url(Place::StatusApi);
        files.push((format!("{api}scs/{name}"), text.clone()));
        files.push((format!("{api}scs/{name}.json"), text));
    };
    add("components", data(super::value(&components)));
    add("incidents", data(super::value(&incidents)));
    add("impacttypes", data(serde_json::Value::Array(impact_types)));
    add("phases", data(phases));
    add("severities", data(serde_json::Value::Array(severities)));
    files
}

fn incident(site: &Site, event: &Event, now: Timestamp) -> IncidentData {
    let page = &site.pages[event.id];
    // Where the incident stands, as every page shows it.
    let status = super::status::event_status(site, event);
    let order = PHASES
        .iter()
        .position(|(phase, _)| *phase == status)
        .unwrap_or(1);
    IncidentData {
        id: super::status::event_id(site, event),
        display_name: page.title.clone(),
        description: page.meta.description.as_deref().map_or_else(
            || page.rendered.summary.clone(),
            |d| defused(d).into_owned(),
        ),
        began_at: event
            .start
            .filter(|s| *s <= now || event.is_maintenance())
            .map(rfc3339),
        ended_at: event.end.filter(|_| !event.phase.is_open()).map(rfc3339),
        phase: PhaseReference {
            generation: 1,
            order,
        },
        affects: event
            .components
            .iter()
            .map(|c| Impacting {
                reference: c.clone(),
                impact_type: impact_type(event.impact),
                severity: severity(event.impact),
            })
            .collect(),
        updates: (0..page.meta.updates.len()).collect(),
    }
}
