//! Service level objectives from the status history: for each component with an `slo`, its
//! availability per month, quarter and year (UTC), whether it met its target, and the error
//! budget left in the current month and quarter; `/status/slo/` shows them in tables and SVG
//! charts, `status/slo.json` holds the same numbers.
//!
//! The formula (the page and the README state it): over a period's observed time — from the
//! component's `observed_since` (else the first day of the status history) up to the period's
//! end or "now" — `availability = 1 − down / observed`. Down time is the union of the windows
//! the 90-day bars count as down (`major` and `critical` incidents naming the component; a
//! stale unresolved incident up to its last word) and, when `slo_counts_maintenance` is set,
//! its maintenance windows, recurring ones included; time that several cover counts once. The
//! error budget of a period is `(1 − target) × its length` from the observed start; what is
//! left is that minus the down time so far. Numbers are whole seconds and parts per million,
//! availability truncated, so a target is met only when it really is.

use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::status::Event;
use super::uptime::{self, midnight};
use super::{charts, shown, Generated, Json, Links};
use crate::config::Component;
use crate::dates::HumanMinutes;
use crate::model::{Place, Site};
use crate::vocabulary::Impact;

const MILLION: i64 = 1_000_000;
/// Months, quarters and years shown, newest last.
const MONTHS: usize = 12;
const QUARTERS: usize = 4;
const YEARS: usize = 3;

/// One month, quarter or year of a component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Period {
    /// `2026-11`, `2026-Q4`, `2026`.
    pub period: String,
    /// `November 2026`, `Q4 2026`, `2026`.
    pub label: String,
    pub start: String,
    pub end: String,
    /// Over: `now` is past its end.
    pub complete: bool,
    /// `None` while the period lasts: the time observed so far runs on with the clock, and the
    /// file changes only when its numbers do.
    pub observed_seconds: Option<i64>,
    pub down_seconds: i64,
    /// Availability in parts per million, truncated.
    pub availability_ppm: u32,
    /// `99.876`: the same, in percent with three decimals, truncated.
    pub availability: String,
    /// Down time the target allows over the whole period (from the observed start).
    pub budget_seconds: i64,
    /// The budget less the down time so far; below zero once the target is missed.
    pub budget_left_seconds: i64,
    /// `met`, `missed`, or `on_track` for a period not over whose budget is not used up.
    pub status: &'static str,
    pub down_human: String,
    pub budget_left_human: String,
}

/// A component's objective and how it fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ComponentSlo {
    pub id: String,
    pub name: String,
    /// `99.9`.
    pub target: String,
    pub target_ppm: u32,
    pub counts_maintenance: bool,
    /// Whether anything watches it: an incident or maintenance names it, or `observed_since`.
    pub observed: bool,
    pub observed_since: Option<String>,
    pub months: Vec<Period>,
    pub quarters: Vec<Period>,
    pub years: Vec<Period>,
}

/// Every component with an `slo`, as of `now`.
pub(crate) fn objectives(site: &Site, events: &[Event], now: Timestamp) -> Vec<ComponentSlo> {
    let history_start = events
        .iter()
        .filter_map(|e| e.series.as_ref().map_or(e.start, |s| Some(s.first().0)))
        .min()
        .map(|first| midnight(shown(first).date()));
    site.config
        .components
        .iter()
        .filter_map(|c| Some((c, c.slo_ppm()?)))
        .map(|(component, target)| objective(component, target, events, history_start, now))
        .collect()
}

/// Whether the component is watched, and since when: `observed_since`, else the first day of
/// the status history when an event names it.
pub(crate) fn observed_from(
    component: &Component,
    events: &[Event],
    history_start: Option<Timestamp>,
) -> Option<Timestamp> {
    match component.observed_since {
        Some(since) => Some(since.instant),
        None if events.iter().any(|e| e.affects(&component.id)) => history_start,
        None => None,
    }
}

/// The windows that count against the component's target, merged, up to `now`.
pub(crate) fn down_windows(
    component: &Component,
    events: &[Event],
    since: Timestamp,
    now: Timestamp,
) -> Vec<(i64, i64)> {
    let mine: Vec<&Event> = events.iter().filter(|e| e.affects(&component.id)).collect();
    let maintenance = component.slo_counts_maintenance;
    let counts =
        |impact: Impact| uptime::is_down(impact) || (maintenance && impact == Impact::Maintenance);
    uptime::windows_of(&mine, &counts, since, now)
}

fn objective(
    component: &Component,
    target: u32,
    events: &[Event],
    history_start: Option<Timestamp>,
    now: Timestamp,
) -> ComponentSlo {
    let since = observed_from(component, events, history_start);
    let mut slo = ComponentSlo {
        id: component.id.clone(),
        name: component.name.clone(),
        target: component
            .slo
            .as_ref()
            .map_or(String::new(), |s| s.get_ref().to_string()),
        target_ppm: target,
        counts_maintenance: component.slo_counts_maintenance,
        observed: since.is_some(),
        observed_since: since.map(|s| shown(s).iso()),
        months: Vec::new(),
        quarters: Vec::new(),
        years: Vec::new(),
    };
    let Some(since) = since.filter(|s| *s < now) else {
        return slo;
    };
    let down = down_windows(component, events, since, now);
    let measure = |(key, label, start, end): (String, String, Timestamp, Timestamp)| {
        measure(&down, target, (since, now), key, label, (start, end))
    };
    slo.months = periods(since, now, 1, MONTHS)
        .into_iter()
        .map(&measure)
        .collect();
    slo.quarters = periods(since, now, 3, QUARTERS)
        .into_iter()
        .map(&measure)
        .collect();
    slo.years = periods(since, now, 12, YEARS)
        .into_iter()
        .map(&measure)
        .collect();
    slo
}

/// The last `count` periods of `months` months (aligned to the year) that hold observed time,
/// oldest first: key, label, start, end.
fn periods(
    since: Timestamp,
    now: Timestamp,
    months: i8,
    count: usize,
) -> Vec<(String, String, Timestamp, Timestamp)> {
    let today = shown(now).date();
    let mut start = period_start(today, months);
    let mut out = Vec::new();
    while out.len() < count {
        let end = start
            .checked_add(jiff::Span::new().months(months))
            .unwrap_or(start);
        let (from, to) = (midnight(start), midnight(end));
        if to <= since || to <= from {
            break;
        }
        out.push((key(start, months), label(start, months), from, to));
        let Ok(previous) = start.checked_sub(jiff::Span::new().months(months)) else {
            break;
        };
        start = previous;
    }
    out.reverse();
    out
}

/// The first day of the period of `months` months that holds `day`.
pub(crate) fn period_start(day: Date, months: i8) -> Date {
    let month = (day.month() - 1) / months * months + 1;
    Date::new(day.year(), month, 1).unwrap_or(day)
}

fn key(start: Date, months: i8) -> String {
    match months {
        1 => format!("{}-{:02}", start.year(), start.month()),
        3 => format!("{}-Q{}", start.year(), (start.month() - 1) / 3 + 1),
        _ => start.year().to_string(),
    }
}

fn label(start: Date, months: i8) -> String {
    match months {
        1 => format!(
            "{} {}",
            super::status_page::MONTHS[start.month() as usize - 1],
            start.year()
        ),
        3 => format!("Q{} {}", (start.month() - 1) / 3 + 1, start.year()),
        _ => start.year().to_string(),
    }
}

/// One period's numbers; `observed` is the component's observed start and "now".
fn measure(
    down: &[(i64, i64)],
    target: u32,
    (since, now): (Timestamp, Timestamp),
    period: String,
    label: String,
    (start, end): (Timestamp, Timestamp),
) -> Period {
    let from = start.max(since).as_second();
    let to = end.min(now).as_second();
    let observed = (to - from).max(0);
    let down_seconds = uptime::overlap(down, from, to);
    let planned = (end.as_second() - from).max(0);
    let budget = planned * (MILLION - i64::from(target)) / MILLION;
    let ppm = if observed == 0 {
        MILLION
    } else {
        (observed - down_seconds) * MILLION / observed
    };
    let complete = end <= now;
    let status = match (complete, down_seconds <= budget) {
        (_, false) => "missed",
        (true, true) => "met",
        (false, true) => "on_track",
    };
    let left = budget - down_seconds;
    Period {
        period,
        label,
        start: shown(start).iso(),
        end: shown(end).iso(),
        complete,
        observed_seconds: complete.then_some(observed),
        down_seconds,
        availability_ppm: u32::try_from(ppm.clamp(0, MILLION)).unwrap_or(0),
        availability: percent(ppm),
        budget_seconds: budget,
        budget_left_seconds: left,
        status,
        down_human: HumanMinutes((down_seconds + 59) / 60).to_string(),
        budget_left_human: match left {
            l if l < 0 => format!("{} over", HumanMinutes((-l + 59) / 60)),
            l => HumanMinutes(l / 60).to_string(),
        },
    }
}

/// `99.876` from parts per million, truncated.
fn percent(ppm: i64) -> String {
    let ppm = ppm.clamp(0, MILLION);
    format!("{}.{:03}", ppm / 10_000, ppm % 10_000 / 10)
}

#[derive(Debug, Serialize)]
struct SloRow<'a> {
    #[serde(flatten)]
    slo: &'a ComponentSlo,
    /// The current month and quarter, for the headline numbers.
    month: Option<&'a Period>,
    quarter: Option<&'a Period>,
    chart: String,
}

/// Adds `/status/slo/` and `status/slo.json` when a component has an `slo`.
pub(super) fn add(site: &Site, events: &[Event], now: Timestamp, generated: &mut Generated) {
    if !generated.places.contains(&Place::StatusSlo) {
        return;
    }
    let links = Links { site };
    let objectives = objectives(site, events, now);
    let status = links.place(Place::Status);
    let json = serde_json::json!({
        "version": 1,
        "formula": FORMULA,
        "components": objectives,
    });
    generated.files.push((
        format!("{status}slo.json"),
        serde_json::to_string_pretty(&json).unwrap_or_default() + "\n",
    ));
    let rows: Vec<SloRow<'_>> = objectives
        .iter()
        .map(|slo| SloRow {
            slo,
            month: slo.months.last().filter(|p| !p.complete),
            quarter: slo.quarters.last().filter(|p| !p.complete),
            chart: charts::slo_chart(slo),
        })
        .collect();
    generated.pages.push(links.status_page(
        Place::StatusSlo,
        (
            "Service level objectives",
            "Each component's availability per month, quarter and year against its target, from the status history.",
        ),
        ("the service level objectives", "status_slo.html"),
        (
            "slo",
            Json::of(&serde_json::json!({
                "components": rows,
                "json_url": links.url(&format!("{status}slo.json")),
                "as_of": shown(now),
            })),
        ),
    ));
}

/// The formula, as `slo.json` states it.
const FORMULA: &str = "availability = 1 - down / observed, over the observed part of the period (from observed_since, else the first day of the status history, up to the period's end or now); down = the union of the windows of major and critical incidents naming the component (an unresolved incident past ongoing_incident_max_days up to its last update), and of its maintenance windows when counts_maintenance is true, overlaps counted once; budget = (1 - target) x the period's length from the observed start; budget_left = budget - down";
