//! The status model: every incident's window and phase at "now", each component's current state
//! and the overall state of the service. Pure functions of front matter and a clock: nothing here
//! renders or writes.

use jiff::Timestamp;
use serde::Serialize;

use crate::config::Component;
use crate::model::recurrence::Series;
pub(crate) use crate::model::Phase;
use crate::model::{IncidentState, Site};
use crate::source::Meta;
use crate::vocabulary::Impact;

/// A component's state, ordered from best to worst: the worst of its active incidents wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ComponentState {
    Operational,
    Maintenance,
    Degraded,
    PartialOutage,
    MajorOutage,
}

impl ComponentState {
    /// What an incident of `impact` does to the components it names while it lasts.
    pub(crate) fn from_impact(impact: Impact) -> ComponentState {
        match impact {
            Impact::None => ComponentState::Operational,
            Impact::Minor => ComponentState::Degraded,
            Impact::Major => ComponentState::PartialOutage,
            Impact::Critical => ComponentState::MajorOutage,
            Impact::Maintenance => ComponentState::Maintenance,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            ComponentState::Operational => "Operational",
            ComponentState::Maintenance => "Under maintenance",
            ComponentState::Degraded => "Degraded performance",
            ComponentState::PartialOutage => "Partial outage",
            ComponentState::MajorOutage => "Major outage",
        }
    }

    /// The Statuspage name of the state (`components[].status`).
    pub(crate) fn statuspage(self) -> &'static str {
        match self {
            ComponentState::Operational => "operational",
            ComponentState::Maintenance => "under_maintenance",
            ComponentState::Degraded => "degraded_performance",
            ComponentState::PartialOutage => "partial_outage",
            ComponentState::MajorOutage => "major_outage",
        }
    }

    /// The sentence of the overall banner.
    pub(crate) fn banner(self) -> &'static str {
        match self {
            ComponentState::Operational => "All systems operational",
            ComponentState::Maintenance => "Maintenance in progress",
            ComponentState::Degraded => "Degraded performance",
            ComponentState::PartialOutage => "Partial outage",
            ComponentState::MajorOutage => "Major outage",
        }
    }

    /// The Statuspage overall indicator and description.
    pub(crate) fn indicator(self) -> (&'static str, &'static str) {
        match self {
            ComponentState::Operational => ("none", "All Systems Operational"),
            ComponentState::Maintenance => ("maintenance", "Service Under Maintenance"),
            ComponentState::Degraded => ("minor", "Minor Service Outage"),
            ComponentState::PartialOutage => ("major", "Partial System Outage"),
            ComponentState::MajorOutage => ("critical", "Major System Outage"),
        }
    }
}

/// One incident or maintenance of the status history, as the status page sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// The incident's page id.
    pub id: usize,
    pub impact: Impact,
    pub components: Vec<String>,
    /// When the impact began (planned start for maintenance not started yet).
    pub start: Option<Timestamp>,
    /// When it ended; `None` while it lasts (or, for maintenance, when no end is planned).
    pub end: Option<Timestamp>,
    pub phase: Phase,
    /// Its last update, or its start: how far an incident never marked resolved is known to
    /// have lasted.
    pub last_word: Option<Timestamp>,
    /// A recurring maintenance's windows; `start` and `end` are then the window going on, else
    /// the next one, else the last one.
    pub series: Option<Series>,
    /// One window of a recurring maintenance, made by [`Event::occurrences`].
    pub occurrence: bool,
}

impl Event {
    /// The incident page `id` of the site in the state `state`.
    pub(crate) fn of(id: usize, meta: &Meta, state: IncidentState) -> Event {
        Event {
            id,
            impact: meta.impact.unwrap_or(Impact::None),
            components: meta.components.clone(),
            start: state.start,
            end: state.end,
            phase: state.phase,
            last_word: crate::model::last_word(meta),
            series: Series::of(meta).ok().flatten(),
            occurrence: false,
        }
    }

    /// How many windows still to come of a recurring maintenance the status page and the APIs
    /// list.
    pub(crate) const AHEAD: usize = 3;

    /// The event as concrete windows: a recurring maintenance's windows that overlap
    /// `[since, now)`, the one going on and the next [`Event::AHEAD`], oldest first, each as an
    /// event of its own; any other event as it is.
    pub(crate) fn occurrences(&self, since: Timestamp, now: Timestamp) -> Vec<Event> {
        let Some(series) = &self.series else {
            return vec![self.clone()];
        };
        let around = series.around(now, Event::AHEAD);
        let past = series
            .windows_between(since, now)
            .into_iter()
            .filter(|&(_, end)| end <= now);
        past.chain(around.current)
            .chain(around.next)
            .map(|(start, end)| Event {
                start: Some(start),
                end: Some(end),
                phase: if now < start {
                    Phase::Upcoming
                } else if now < end {
                    Phase::InProgress
                } else {
                    Phase::Completed
                },
                series: None,
                occurrence: true,
                ..self.clone()
            })
            .collect()
    }

    /// Every window in which the event had impact, up to `now`, from `since` on: one at most,
    /// but for a recurring maintenance.
    pub(crate) fn windows_until(
        &self,
        since: Timestamp,
        now: Timestamp,
    ) -> Vec<(Timestamp, Timestamp)> {
        let windows: Vec<(Timestamp, Timestamp)> = match &self.series {
            None => self.window_until(now).into_iter().collect(),
            Some(series) => series
                .windows_between(since, now)
                .into_iter()
                .map(|(start, end)| (start, end.min(now)))
                .collect(),
        };
        windows
            .into_iter()
            .filter(|&(_, end)| end > since)
            .collect()
    }

    /// Reads the incident `meta` at `now`.
    #[cfg(test)]
    pub(crate) fn from_meta(id: usize, meta: &Meta, now: Timestamp) -> Event {
        Event::of(id, meta, IncidentState::of(meta, now, 14))
    }

    pub(crate) fn is_maintenance(&self) -> bool {
        self.impact == Impact::Maintenance
    }

    /// The time the event had impact, up to `now`; `None` before it began. An incident never
    /// marked resolved whose last word has grown stale ([`Phase::Unresolved`]) lasted as far as
    /// that word says, not up to `now`: nobody has said it still goes on.
    pub(crate) fn window_until(&self, now: Timestamp) -> Option<(Timestamp, Timestamp)> {
        let start = self.start?;
        if self.phase == Phase::Upcoming || start >= now {
            return None;
        }
        let open_end = match self.phase {
            Phase::Unresolved => self.last_word.unwrap_or(start),
            _ => now,
        };
        let end = self.end.unwrap_or(open_end).min(now);
        (end > start).then_some((start, end))
    }

    /// Seconds from start to end (to `now` while it lasts).
    pub(crate) fn duration_seconds(&self, now: Timestamp) -> Option<i64> {
        let (start, end) = self.window_until(now)?;
        Some(end.as_second() - start.as_second())
    }

    pub(crate) fn affects(&self, component: &str) -> bool {
        self.components.iter().any(|c| c == component)
    }
}

/// Every incident page of the site as an event, in the state the site was assembled for, newest
/// start first.
pub(crate) fn events(site: &Site) -> Vec<Event> {
    let mut events: Vec<Event> = site
        .pages
        .iter()
        .enumerate()
        .filter_map(|(id, p)| Some(Event::of(id, &p.meta, p.incident?)))
        .collect();
    events.sort_by(|a, b| b.start.cmp(&a.start).then(a.id.cmp(&b.id)));
    events
}

/// `events` with every recurring maintenance as its concrete windows
/// ([`Event::occurrences`]), newest start first.
pub(crate) fn concrete(events: &[Event], since: Timestamp, now: Timestamp) -> Vec<Event> {
    let mut all: Vec<Event> = events
        .iter()
        .flat_map(|e| e.occurrences(since, now))
        .collect();
    all.sort_by(|a, b| b.start.cmp(&a.start).then(a.id.cmp(&b.id)));
    all
}

/// How the APIs name an event: its file name, and for one window of a recurring maintenance
/// the start of that window too (`weekly-db-maintenance-20261201T0200Z`).
pub(crate) fn event_id(site: &Site, event: &Event) -> String {
    let stem = site.pages[event.id].stem();
    match event.start.filter(|_| event.occurrence) {
        Some(start) => format!("{stem}-{}", start.strftime("%Y%m%dT%H%MZ")),
        None => stem.to_string(),
    }
}

/// Where an event stands in the words of updates: the page's state, or, for one window of a
/// recurring maintenance, that window's.
pub(crate) fn event_status(site: &Site, event: &Event) -> crate::vocabulary::UpdateStatus {
    use crate::vocabulary::UpdateStatus;
    match (event.occurrence, site.pages[event.id].incident) {
        (true, _) => match event.phase {
            Phase::Upcoming => UpdateStatus::Scheduled,
            Phase::InProgress => UpdateStatus::InProgress,
            _ => UpdateStatus::Completed,
        },
        (false, Some(state)) => state.status,
        (false, None) => UpdateStatus::Investigating,
    }
}

/// A component's state now: the worst of the active events naming it.
pub(crate) fn component_state(component: &str, events: &[Event]) -> ComponentState {
    events
        .iter()
        .filter(|e| e.phase.is_active() && e.affects(component))
        .map(|e| ComponentState::from_impact(e.impact))
        .max()
        .unwrap_or(ComponentState::Operational)
}

/// The overall state: the worst active event, whether or not it names a component.
pub(crate) fn overall_state(events: &[Event]) -> ComponentState {
    events
        .iter()
        .filter(|e| e.phase.is_active())
        .map(|e| ComponentState::from_impact(e.impact))
        .max()
        .unwrap_or(ComponentState::Operational)
}

/// Components in their groups, in the order of `opsbook.toml` (a group where it first appears).
pub(crate) fn grouped(components: &[Component]) -> Vec<(Option<&str>, Vec<&Component>)> {
    let mut groups: Vec<(Option<&str>, Vec<&Component>)> = Vec::new();
    for component in components {
        let group = component.group.as_deref();
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, members)) => members.push(component),
            None => groups.push((group, vec![component])),
        }
    }
    groups
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dates::DateTime;
    use crate::source::meta::Update;
    use crate::vocabulary::UpdateStatus;

    pub(crate) fn at(text: &str) -> DateTime {
        DateTime::parse(text).unwrap()
    }

    pub(crate) fn incident(
        impact: Impact,
        components: &[&str],
        started: &str,
        resolved: Option<&str>,
    ) -> Meta {
        Meta {
            impact: Some(impact),
            components: components.iter().map(|c| c.to_string()).collect(),
            started: Some(at(started)),
            resolved: resolved.map(at),
            ..Meta::default()
        }
    }

    pub(crate) fn maintenance(components: &[&str], start: &str, end: &str) -> Meta {
        Meta {
            impact: Some(Impact::Maintenance),
            components: components.iter().map(|c| c.to_string()).collect(),
            scheduled_start: Some(at(start)),
            scheduled_end: Some(at(end)),
            ..Meta::default()
        }
    }

    fn now() -> Timestamp {
        at("2026-11-27T12:00:00Z").instant
    }

    #[test]
    fn incidents_are_ongoing_until_resolved() {
        let open = Event::from_meta(
            1,
            &incident(Impact::Minor, &["api"], "2026-11-27T10:00:00Z", None),
            now(),
        );
        assert_eq!(open.phase, Phase::Ongoing);
        assert_eq!(open.duration_seconds(now()), Some(7200));
        let done = Event::from_meta(
            2,
            &incident(
                Impact::Major,
                &["api"],
                "2026-11-20T10:00:00Z",
                Some("2026-11-20T10:30:00Z"),
            ),
            now(),
        );
        assert_eq!(done.phase, Phase::Resolved);
        assert_eq!(done.duration_seconds(now()), Some(1800));
    }

    #[test]
    fn maintenance_phase_follows_its_window() {
        let window =
            |start, end| Event::from_meta(1, &maintenance(&["db"], start, end), now()).phase;
        assert_eq!(
            window("2026-12-03T01:00:00Z", "2026-12-03T05:00:00Z"),
            Phase::Upcoming
        );
        assert_eq!(
            window("2026-11-27T11:00:00Z", "2026-11-27T13:00:00Z"),
            Phase::InProgress
        );
        assert_eq!(
            window("2026-11-26T11:00:00Z", "2026-11-26T13:00:00Z"),
            Phase::Completed
        );
        let mut finished_early =
            maintenance(&["db"], "2026-11-27T11:00:00Z", "2026-11-27T13:00:00Z");
        finished_early.updates.push(Update {
            at: at("2026-11-27T11:40:00Z"),
            status: UpdateStatus::Completed,
            message: "done".into(),
        });
        let event = Event::from_meta(1, &finished_early, now());
        assert_eq!(event.phase, Phase::Completed);
        assert_eq!(event.duration_seconds(now()), Some(40 * 60));
    }

    #[test]
    fn overall_state_is_the_worst_active_event() {
        let events = vec![
            Event::from_meta(
                1,
                &incident(Impact::Minor, &["api"], "2026-11-27T10:00:00Z", None),
                now(),
            ),
            Event::from_meta(
                2,
                &incident(
                    Impact::Critical,
                    &["db"],
                    "2026-11-20T10:00:00Z",
                    Some("2026-11-20T11:00:00Z"),
                ),
                now(),
            ),
            Event::from_meta(
                3,
                &maintenance(&["db"], "2026-11-27T11:00:00Z", "2026-11-27T13:00:00Z"),
                now(),
            ),
        ];
        assert_eq!(overall_state(&events), ComponentState::Degraded);
        assert_eq!(component_state("api", &events), ComponentState::Degraded);
        assert_eq!(component_state("db", &events), ComponentState::Maintenance);
        assert_eq!(component_state("dns", &events), ComponentState::Operational);
        assert_eq!(overall_state(&events[1..2]), ComponentState::Operational);
    }
}
