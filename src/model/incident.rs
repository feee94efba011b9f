//! Where an incident or a maintenance stands at "now": computed once, when the site is
//! assembled, so that the incident's page, the lists, the status page, the service pages, the
//! feeds and the APIs all show the one value.

use jiff::Timestamp;
use serde::Serialize;

use super::recurrence::Series;
use crate::source::Meta;
use crate::vocabulary::{Impact, UpdateStatus};

/// Where an incident or maintenance stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Phase {
    /// Maintenance announced for later.
    Upcoming,
    /// Maintenance inside its window.
    InProgress,
    /// An incident not resolved yet.
    Ongoing,
    Resolved,
    /// Maintenance that is over.
    Completed,
    /// An incident never marked resolved whose last word is older than
    /// `ongoing_incident_max_days`: shown once as unresolved since then, not as happening now
    /// (a history that was never closed, not an outage of months).
    Unresolved,
    /// A post of no impact (cState's `informational`): news, not an incident.
    Notice,
}

impl Phase {
    /// Having its impact now.
    pub(crate) fn is_active(self) -> bool {
        matches!(self, Phase::InProgress | Phase::Ongoing)
    }

    /// Not over yet.
    pub(crate) fn is_open(self) -> bool {
        matches!(self, Phase::Upcoming | Phase::InProgress | Phase::Ongoing)
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Phase::Upcoming => "Scheduled",
            Phase::InProgress => "In progress",
            Phase::Ongoing => "Ongoing",
            Phase::Resolved => "Resolved",
            Phase::Completed => "Completed",
            Phase::Unresolved => "Unresolved",
            Phase::Notice => "Notice",
        }
    }
}

/// An incident's or a maintenance's state at "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IncidentState {
    pub phase: Phase,
    pub maintenance: bool,
    /// When the impact began (the planned start, for maintenance not started yet).
    pub start: Option<Timestamp>,
    /// When it ended; `None` while it lasts (or, for maintenance, when no end is planned).
    pub end: Option<Timestamp>,
    /// The state in the words of the status APIs and of updates: `investigating`, `identified`
    /// or `monitoring` while an incident lasts, `resolved`; `scheduled`, `in_progress`,
    /// `completed` for maintenance.
    pub status: UpdateStatus,
}

impl IncidentState {
    /// The state of the incident whose front matter is `meta`, at `now`; an incident unresolved
    /// whose last word is more than `stale_after_days` old is [`Phase::Unresolved`].
    pub(crate) fn of(meta: &Meta, now: Timestamp, stale_after_days: u32) -> IncidentState {
        let maintenance = meta.impact == Some(Impact::Maintenance);
        if let Ok(Some(series)) = Series::of(meta) {
            return series_state(&series, now);
        }
        if maintenance {
            return maintenance_state(meta, now);
        }
        let first_update = meta.updates.iter().map(|u| u.at.instant).min();
        let start = meta.started.map(|d| d.instant).or(first_update);
        let end = meta.resolved.map(|d| d.instant);
        let latest = meta.updates.iter().max_by_key(|u| u.at);
        let stale = last_word(meta).is_some_and(|at| {
            now.as_second() - at.as_second() > i64::from(stale_after_days) * 86_400
        });
        let latest = latest.map(|u| u.status);
        let (phase, status) = match end {
            _ if meta.impact == Some(Impact::None) => (Phase::Notice, UpdateStatus::Resolved),
            Some(_) => (Phase::Resolved, UpdateStatus::Resolved),
            None if stale => (
                Phase::Unresolved,
                latest
                    .filter(|s| *s != UpdateStatus::Resolved)
                    .unwrap_or(UpdateStatus::Investigating),
            ),
            None => (
                Phase::Ongoing,
                latest
                    .filter(|s| {
                        matches!(
                            s,
                            UpdateStatus::Investigating
                                | UpdateStatus::Identified
                                | UpdateStatus::Monitoring
                        )
                    })
                    .unwrap_or(UpdateStatus::Investigating),
            ),
        };
        IncidentState {
            phase,
            maintenance,
            start,
            end,
            status,
        }
    }

    /// Every instant at which [`IncidentState::of`] — or anything else reading `meta` against
    /// "now" (an update shown once it is past, a window measured up to now) — can answer
    /// differently: each time the incident's front matter names, and the moment its last word
    /// grows stale. Between two of them, and while it is not active, the incident looks the
    /// same; a build uses this to know that its output still holds at a later "now".
    /// A recurring maintenance turns at the starts and ends of its windows around `now`.
    pub(crate) fn turning_points(
        meta: &Meta,
        stale_after_days: u32,
        now: Timestamp,
    ) -> Vec<Timestamp> {
        let named = [
            meta.started,
            meta.resolved,
            meta.scheduled_start,
            meta.scheduled_end,
        ];
        let mut points: Vec<Timestamp> = named
            .into_iter()
            .flatten()
            .chain(meta.updates.iter().map(|u| u.at))
            .map(|d| d.instant)
            .collect();
        // `of` calls it stale once more than `stale_after_days` whole days have passed.
        let stale = jiff::SignedDuration::from_secs(i64::from(stale_after_days) * 86_400 + 1);
        points.extend(last_word(meta).and_then(|at| at.checked_add(stale).ok()));
        if let Ok(Some(series)) = Series::of(meta) {
            points.extend(series.turning_points(now));
        }
        points
    }

    /// How pages name the state: `Investigating`, `Scheduled`, `In progress`, `Completed`, …
    pub(crate) fn label(&self) -> &'static str {
        match self.status {
            _ if matches!(self.phase, Phase::Unresolved | Phase::Notice) => self.phase.label(),
            UpdateStatus::Investigating if self.phase == Phase::Ongoing => "Ongoing",
            UpdateStatus::Investigating => "Investigating",
            UpdateStatus::Identified => "Identified",
            UpdateStatus::Monitoring => "Monitoring",
            UpdateStatus::Resolved => "Resolved",
            UpdateStatus::Scheduled => "Scheduled",
            UpdateStatus::InProgress => "In progress",
            UpdateStatus::Completed => "Completed",
        }
    }

    /// What templates see of it.
    pub(crate) fn view(&self) -> StateView {
        StateView {
            phase: self.phase,
            status: self.status,
            label: self.label(),
            maintenance: self.maintenance,
            open: self.phase.is_open(),
            active: self.phase.is_active(),
        }
    }
}

/// The state as templates see it (`page.incident.state`, `p.state` in lists).
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct StateView {
    phase: Phase,
    status: UpdateStatus,
    label: &'static str,
    maintenance: bool,
    /// Not over yet (scheduled, in progress, ongoing).
    open: bool,
    /// Having its impact now.
    active: bool,
}

/// The latest word of an incident: its last update, or when it started.
pub(crate) fn last_word(meta: &Meta) -> Option<Timestamp> {
    let latest = meta.updates.iter().max_by_key(|u| u.at);
    let first_update = meta.updates.iter().map(|u| u.at.instant).min();
    latest
        .map(|u| u.at.instant)
        .or(meta.started.map(|d| d.instant).or(first_update))
}

/// A recurring maintenance: the window going on, else the next one, else the last one.
fn series_state(series: &Series, now: Timestamp) -> IncidentState {
    let around = series.around(now, 1);
    let (phase, window) = match (around.current, around.next.first(), around.previous) {
        (Some(current), _, _) => (Phase::InProgress, Some(current)),
        (None, Some(&next), _) => (Phase::Upcoming, Some(next)),
        (None, None, previous) => (Phase::Completed, previous),
    };
    let window = window.unwrap_or(series.first());
    IncidentState {
        phase,
        maintenance: true,
        start: Some(window.0),
        end: Some(window.1),
        status: match phase {
            Phase::Upcoming => UpdateStatus::Scheduled,
            Phase::InProgress => UpdateStatus::InProgress,
            _ => UpdateStatus::Completed,
        },
    }
}

/// A maintenance: its window (actual times when written, else the planned ones) and its phase.
fn maintenance_state(meta: &Meta, now: Timestamp) -> IncidentState {
    let start = meta.started.or(meta.scheduled_start).map(|d| d.instant);
    let completed_update = meta
        .updates
        .iter()
        .filter(|u| u.status == UpdateStatus::Completed)
        .map(|u| u.at.instant)
        .max();
    let end = meta
        .resolved
        .map(|d| d.instant)
        .or(completed_update)
        .or(meta.scheduled_end.map(|d| d.instant));
    let phase = match (start, end) {
        _ if meta.resolved.is_some() || completed_update.is_some() => Phase::Completed,
        (Some(start), _) if now < start => Phase::Upcoming,
        (_, Some(end)) if end <= now => Phase::Completed,
        (Some(_), _) => Phase::InProgress,
        (None, _) => Phase::Upcoming,
    };
    let status = match phase {
        Phase::Upcoming => UpdateStatus::Scheduled,
        Phase::InProgress | Phase::Ongoing => UpdateStatus::InProgress,
        Phase::Resolved | Phase::Completed | Phase::Unresolved | Phase::Notice => {
            UpdateStatus::Completed
        }
    };
    IncidentState {
        phase,
        maintenance: true,
        start,
        end,
        status,
    }
}
