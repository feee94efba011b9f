//! 90-day uptime per component, computed from incident windows.
//!
//! The formula (documented in the README): over the observed time — the 90 calendar days (UTC)
//! ending today, up to "now" — uptime is `1 − down / observed`, where down time is the union of
//! the windows of `major` and `critical` incidents naming the component. `minor` incidents count
//! as degraded (shown, not down), planned maintenance as maintenance (shown, not down), `none` as
//! operational. The percentage is truncated to the hundredth, so any down time shows below 100.

use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::status::{ComponentState, Event};
use crate::vocabulary::Impact;

/// How many days the bars cover.
pub(crate) const DAYS: usize = 90;

const DAY_SECONDS: i64 = 86_400;

/// One day of a component's bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Day {
    pub date: Date,
    /// The worst impact of the day's events on the component.
    pub state: ComponentState,
    pub down_seconds: i64,
    pub degraded_seconds: i64,
    pub maintenance_seconds: i64,
    /// Page ids of the events that touched the component this day.
    pub events: Vec<usize>,
}

/// A component's bars and its uptime over them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Uptime {
    pub days: Vec<Day>,
    pub down_seconds: i64,
    pub observed_seconds: i64,
    /// Uptime in hundredths of a percent, truncated: 9987 is 99.87 %.
    pub hundredths: u32,
}

impl Uptime {
    /// `99.87`.
    pub(crate) fn percent(&self) -> String {
        format!("{}.{:02}", self.hundredths / 100, self.hundredths % 100)
    }
}

/// The first day of the bars ending on `now`'s day.
pub(crate) fn first_day(now: Timestamp) -> Date {
    let today = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    today
        .checked_sub(jiff::Span::new().days(DAYS as i64 - 1))
        .unwrap_or(today)
}

pub(crate) fn midnight(date: Date) -> Timestamp {
    date.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The uptime of `component` from the events naming it, as of `now`.
pub(crate) fn component_uptime(component: &str, events: &[Event], now: Timestamp) -> Uptime {
    let mine: Vec<&Event> = events.iter().filter(|e| e.affects(component)).collect();
    let since = midnight(first_day(now));
    let windows = |pick: &dyn Fn(Impact) -> bool| windows_of(&mine, pick, since, now);
    let down = windows(&is_down);
    let degraded = windows(&|i| i == Impact::Minor);
    let maintenance = windows(&|i| i == Impact::Maintenance);
    let start = since.as_second();
    let end = now.as_second();
    let mut days = Vec::with_capacity(DAYS);
    let mut date = first_day(now);
    for _ in 0..DAYS {
        let from = midnight(date).as_second();
        let to = (from + DAY_SECONDS).min(end);
        let is_today = from <= end && end < from + DAY_SECONDS;
        let touching: Vec<&&Event> = mine
            .iter()
            .filter(|e| {
                let overlaps = e
                    .windows_until(since, now)
                    .iter()
                    .any(|(s, e)| s.as_second() < to && e.as_second() > from);
                // Today's bar shows what is going on now, even at the first second of the day.
                let lasting = is_today && e.phase.is_active() && e.start.is_some_and(|s| s <= now);
                overlaps || lasting
            })
            .collect();
        days.push(Day {
            date,
            state: touching
                .iter()
                .map(|e| ComponentState::from_impact(e.impact))
                .max()
                .unwrap_or(ComponentState::Operational),
            down_seconds: overlap(&down, from, to),
            degraded_seconds: overlap(&degraded, from, to),
            maintenance_seconds: overlap(&maintenance, from, to),
            events: touching.iter().map(|e| e.id).collect(),
        });
        date = date.tomorrow().unwrap_or(date);
    }
    let observed_seconds = (end - start).max(0);
    let down_seconds = overlap(&down, start, end);
    Uptime {
        days,
        down_seconds,
        observed_seconds,
        hundredths: hundredths(observed_seconds - down_seconds, observed_seconds),
    }
}

/// Whether an incident of `impact` counts as down time: `major` and `critical` do.
pub(crate) fn is_down(impact: Impact) -> bool {
    matches!(impact, Impact::Major | Impact::Critical)
}

/// The windows (seconds) of the `events` whose impact `pick` takes, from `since` up to `now`,
/// merged: time that several of them cover counts once.
pub(crate) fn windows_of(
    events: &[&Event],
    pick: &dyn Fn(Impact) -> bool,
    since: Timestamp,
    now: Timestamp,
) -> Vec<(i64, i64)> {
    merge(
        events
            .iter()
            .filter(|e| pick(e.impact))
            .flat_map(|e| e.windows_until(since, now))
            .map(|(s, e)| (s.as_second(), e.as_second()))
            .collect(),
    )
}

/// `part / whole` in hundredths of a percent, truncated; 100 % when nothing was observed.
pub(crate) fn hundredths(part: i64, whole: i64) -> u32 {
    if whole <= 0 {
        return 10_000;
    }
    let value = i128::from(part.max(0)) * 10_000 / i128::from(whole);
    u32::try_from(value.clamp(0, 10_000)).unwrap_or(10_000)
}

/// Sorted, non-overlapping intervals covering the same time as `intervals`.
fn merge(mut intervals: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    intervals.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(intervals.len());
    for (start, end) in intervals {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Seconds of `intervals` inside `[from, to)`.
pub(crate) fn overlap(intervals: &[(i64, i64)], from: i64, to: i64) -> i64 {
    intervals
        .iter()
        .map(|&(s, e)| (e.min(to) - s.max(from)).max(0))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::status::tests::{at, incident, maintenance};
    use super::*;

    fn now() -> Timestamp {
        at("2026-11-27T12:00:00Z").instant
    }

    fn event(id: usize, meta: crate::source::Meta) -> Event {
        Event::from_meta(id, &meta, now())
    }

    /// The fixture: three incidents and a maintenance on `api` in the window, one before it.
    fn fixture() -> Vec<Event> {
        vec![
            // 2 h major outage: down time.
            event(
                1,
                incident(
                    Impact::Major,
                    &["api"],
                    "2026-11-20T10:00:00Z",
                    Some("2026-11-20T12:00:00Z"),
                ),
            ),
            // Overlaps the first by 30 min: only 30 more minutes of down time.
            event(
                2,
                incident(
                    Impact::Critical,
                    &["api", "db"],
                    "2026-11-20T11:30:00Z",
                    Some("2026-11-20T12:30:00Z"),
                ),
            ),
            // Minor: degraded, not down; still ongoing.
            event(
                3,
                incident(Impact::Minor, &["api"], "2026-11-27T09:00:00Z", None),
            ),
            // Maintenance: not down.
            event(
                4,
                maintenance(&["api"], "2026-11-10T01:00:00Z", "2026-11-10T03:00:00Z"),
            ),
            // Before the 90 days: ignored.
            event(
                5,
                incident(
                    Impact::Critical,
                    &["api"],
                    "2026-06-01T00:00:00Z",
                    Some("2026-06-02T00:00:00Z"),
                ),
            ),
        ]
    }

    #[test]
    fn uptime_counts_major_and_critical_windows_once() {
        let uptime = component_uptime("api", &fixture(), now());
        assert_eq!(uptime.days.len(), DAYS);
        assert_eq!(uptime.days[0].date.to_string(), "2026-08-30");
        assert_eq!(uptime.days[89].date.to_string(), "2026-11-27");
        // 89 whole days and 12 hours.
        assert_eq!(uptime.observed_seconds, 89 * 86_400 + 12 * 3600);
        assert_eq!(uptime.down_seconds, 150 * 60);
        // 1 − 9000 / 7_732_800 = 99.8836… %
        assert_eq!(uptime.percent(), "99.88");
        assert_eq!(component_uptime("db", &fixture(), now()).percent(), "99.95");
        assert_eq!(
            component_uptime("dns", &fixture(), now()).percent(),
            "100.00"
        );
    }

    #[test]
    fn each_day_takes_the_worst_impact_of_its_events() {
        let uptime = component_uptime("api", &fixture(), now());
        let day = |date: &str| {
            uptime
                .days
                .iter()
                .find(|d| d.date.to_string() == date)
                .unwrap()
                .clone()
        };
        let outage = day("2026-11-20");
        assert_eq!(outage.state, ComponentState::MajorOutage);
        assert_eq!(outage.events, [1, 2]);
        assert_eq!(outage.down_seconds, 9000);
        assert_eq!(day("2026-11-10").state, ComponentState::Maintenance);
        assert_eq!(day("2026-11-10").maintenance_seconds, 7200);
        assert_eq!(day("2026-11-21").state, ComponentState::Operational);
        let today = day("2026-11-27");
        assert_eq!(today.state, ComponentState::Degraded);
        assert_eq!(today.degraded_seconds, 3 * 3600);
        let states: Vec<ComponentState> = uptime.days.iter().map(|d| d.state).collect();
        assert_eq!(
            states
                .iter()
                .filter(|s| **s != ComponentState::Operational)
                .count(),
            3
        );
    }

    #[test]
    fn a_stale_unresolved_incident_is_down_only_up_to_its_last_word() {
        let mut meta = incident(Impact::Critical, &["api"], "2026-10-01T10:00:00Z", None);
        meta.updates.push(crate::source::meta::Update {
            at: at("2026-10-01T12:00:00Z"),
            status: crate::vocabulary::UpdateStatus::Identified,
            message: "Found it.".into(),
        });
        let stale = event(1, meta);
        assert_eq!(stale.phase, super::super::status::Phase::Unresolved);
        let uptime = component_uptime("api", &[stale], now());
        assert_eq!(uptime.down_seconds, 2 * 3600);
        let day = |date: &str| uptime.days.iter().find(|d| d.date.to_string() == date);
        assert_eq!(day("2026-10-01").unwrap().down_seconds, 2 * 3600);
        assert_eq!(
            day("2026-10-02").unwrap().state,
            ComponentState::Operational
        );
    }

    #[test]
    fn hundredths_truncate() {
        assert_eq!(hundredths(99_999, 100_000), 9999);
        assert_eq!(hundredths(0, 10), 0);
        assert_eq!(hundredths(5, 0), 10_000);
    }
}
