//! Recurring maintenance: a maintenance whose window comes back by an iCalendar recurrence rule
//! (`recurrence = "FREQ=WEEKLY;BYDAY=TU"`), its first window being `scheduled_start` to
//! `scheduled_end`, its wall-clock times those of `timezone` (UTC when absent).
//!
//! `rrule` expands the rule on wall-clock times, written as if they were UTC; jiff then places
//! each in the zone, so "every Tuesday 02:00 Berlin time" stays at 02:00 across a change of
//! daylight saving time. Nothing here reads the clock: every answer is a function of the front
//! matter and of the "now" it is given.

use jiff::civil::DateTime as Civil;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rrule::RRuleSet;

use crate::source::Meta;
use crate::vocabulary::Impact;

/// Occurrences a series yields at most, from its first on: an hourly rule covers eleven
/// years, and no rule keeps a build busy.
const MAX_OCCURRENCES: usize = 100_000;

/// A planned window: start and end.
pub(crate) type Window = (Timestamp, Timestamp);

/// A maintenance that recurs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    /// The rule as written, without `RRULE:` and upper-cased: what calendars get.
    rule: String,
    zone: TimeZone,
    /// The first window: its start is the rule's `DTSTART`, its length every window's.
    first: Window,
    /// `resolved`: the series stopped; no window starts at or after it.
    stop: Option<Timestamp>,
    /// The rule on wall-clock times written as UTC.
    set: RRuleSet,
}

/// Why a maintenance's recurrence cannot be read: the front matter key and the message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub key: &'static str,
    pub message: String,
    pub hint: &'static str,
}

/// Where a series stands at "now".
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Around {
    /// The window going on now.
    pub current: Option<Window>,
    /// The last window over before now.
    pub previous: Option<Window>,
    /// The windows still to start, soonest first, at most as many as asked for.
    pub next: Vec<Window>,
}

/// The time zone database every zone comes from: the copy built into opsbook, so that the
/// same handbook gives the same windows on every machine.
fn zones() -> &'static jiff::tz::TimeZoneDatabase {
    static ZONES: std::sync::OnceLock<jiff::tz::TimeZoneDatabase> = std::sync::OnceLock::new();
    ZONES.get_or_init(jiff::tz::TimeZoneDatabase::bundled)
}

/// The zone named `name` (an IANA name, case aside).
pub(crate) fn zone(name: &str) -> Option<TimeZone> {
    zones().get(name).ok()
}

/// `20260901T020000`: a wall-clock time as iCalendar writes it.
pub(crate) fn ics_local(time: Civil) -> String {
    time.strftime("%Y%m%dT%H%M%S").to_string()
}

impl Series {
    /// The series `meta` declares: `None` when it declares none, a problem when it cannot be read.
    pub(crate) fn of(meta: &Meta) -> Result<Option<Series>, Problem> {
        let Some(written) = meta.recurrence.as_deref() else {
            if meta.timezone.is_some() {
                return Err(problem("timezone", "`timezone` is read only with `recurrence`: it gives the zone of a recurring maintenance's wall-clock times", "remove it, or add `recurrence`"));
            }
            return Ok(None);
        };
        if meta.impact != Some(Impact::Maintenance) {
            return Err(problem(
                "recurrence",
                "only a maintenance (`impact = \"maintenance\"`) can recur",
                "make it a maintenance, or remove `recurrence`",
            ));
        }
        let (Some(start), Some(end)) = (meta.scheduled_start, meta.scheduled_end) else {
            return Err(problem("recurrence", "a recurring maintenance needs `scheduled_start` and `scheduled_end`: its first window, which gives every window its length", "add both"));
        };
        if end <= start {
            // The window check reports it.
            return Ok(None);
        }
        let zone = match meta.timezone.as_deref() {
            None => TimeZone::UTC,
            Some(name) => zone(name).ok_or_else(|| {
                problem(
                    "timezone",
                    &format!("unknown time zone `{name}`"),
                    "write an IANA time zone name, such as `Europe/Berlin` or `America/New_York`",
                )
            })?,
        };
        let rule = normalized(written)?;
        let local = |t: Timestamp| ics_local(zone.to_datetime(t));
        let mut expanded = rule.clone();
        if let Some(until) = until_of(&rule) {
            // UNTIL is an instant (UTC); the rule is expanded on wall-clock times.
            let instant = Civil::strptime("%Y%m%dT%H%M%SZ", until)
                .ok()
                .and_then(|c| TimeZone::UTC.to_timestamp(c).ok())
                .ok_or_else(|| bad_rule(&format!("`UNTIL={until}` is no time")))?;
            expanded = rule.replace(until, &format!("{}Z", local(instant)));
        }
        let set: RRuleSet = format!("DTSTART:{}Z\nRRULE:{expanded}", local(start.instant))
            .parse()
            .map_err(|e: rrule::RRuleError| bad_rule(&e.to_string()))?;
        Ok(Some(Series {
            rule,
            zone,
            first: (start.instant, end.instant),
            stop: meta.resolved.map(|d| d.instant),
            set: set.limit(),
        }))
    }

    /// The rule as a calendar gets it: as written, ending before `resolved` when the series
    /// was stopped (unless it counts its windows, which `UNTIL` cannot join).
    pub(crate) fn calendar_rule(&self) -> String {
        let Some(stop) = self.stop else {
            return self.rule.clone();
        };
        if self.rule.split(';').any(|p| p.starts_with("COUNT=")) {
            return self.rule.clone();
        }
        let last = stop
            .checked_sub(SignedDuration::from_secs(1))
            .unwrap_or(stop);
        let written = until_of(&self.rule).and_then(|u| {
            Civil::strptime("%Y%m%dT%H%M%SZ", u)
                .ok()
                .and_then(|c| TimeZone::UTC.to_timestamp(c).ok())
        });
        let until = written.map_or(last, |w| w.min(last));
        let mut parts: Vec<String> = self
            .rule
            .split(';')
            .filter(|p| !p.starts_with("UNTIL="))
            .map(str::to_string)
            .collect();
        parts.push(format!("UNTIL={}", until.strftime("%Y%m%dT%H%M%SZ")));
        parts.join(";")
    }

    /// The zone of its wall-clock times.
    pub(crate) fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The first window, which the rule starts from.
    pub(crate) fn first(&self) -> Window {
        self.first
    }

    fn length(&self) -> SignedDuration {
        self.first.1.duration_since(self.first.0)
    }

    /// Every window, first to last, while `keep` holds for its start.
    fn windows_while(&self, mut keep: impl FnMut(Timestamp) -> bool) -> Vec<Window> {
        let length = self.length();
        (&self.set)
            .into_iter()
            .take(MAX_OCCURRENCES)
            .filter_map(|wall| {
                let civil =
                    TimeZone::UTC.to_datetime(Timestamp::from_second(wall.timestamp()).ok()?);
                self.zone.to_ambiguous_timestamp(civil).compatible().ok()
            })
            .take_while(|start| self.stop.is_none_or(|stop| *start < stop) && keep(*start))
            .filter_map(|start| Some((start, start.checked_add(length).ok()?)))
            .collect()
    }

    /// The windows that overlap `[from, to)`, in order.
    pub(crate) fn windows_between(&self, from: Timestamp, to: Timestamp) -> Vec<Window> {
        let mut windows = self.windows_while(|start| start < to);
        windows.retain(|&(_, end)| end > from);
        windows
    }

    /// Where the series stands at `now`, with up to `ahead` windows still to start.
    pub(crate) fn around(&self, now: Timestamp, ahead: usize) -> Around {
        let mut seen_ahead = 0;
        let windows = self.windows_while(|start| {
            if start > now {
                seen_ahead += 1;
            }
            seen_ahead <= ahead
        });
        Around {
            current: windows.iter().copied().find(|&(s, e)| s <= now && now < e),
            previous: windows.iter().copied().rev().find(|&(_, e)| e <= now),
            next: windows.iter().copied().filter(|&(s, _)| s > now).collect(),
        }
    }

    /// The moments around `now` at which the series turns: the windows before, at and after it
    /// start or end.
    pub(crate) fn turning_points(&self, now: Timestamp) -> Vec<Timestamp> {
        let around = self.around(now, 1);
        around
            .previous
            .into_iter()
            .chain(around.current)
            .chain(around.next)
            .flat_map(|(start, end)| [start, end])
            .collect()
    }
}

fn problem(key: &'static str, message: &str, hint: &'static str) -> Problem {
    Problem {
        key,
        message: message.to_string(),
        hint,
    }
}

fn bad_rule(why: &str) -> Problem {
    problem(
        "recurrence",
        &format!("invalid `recurrence`: {why}"),
        "write an iCalendar RRULE, such as `FREQ=WEEKLY;BYDAY=TU` or `FREQ=MONTHLY;BYDAY=1SA;UNTIL=20271231T000000Z`",
    )
}

/// The rule upper-cased, without a leading `RRULE:`; refused when it holds what no rule holds
/// (it lands in calendars as it is), recurs more often than hourly, or ends at a local time.
fn normalized(written: &str) -> Result<String, Problem> {
    let trimmed = written.trim();
    let rule = trimmed
        .strip_prefix("RRULE:")
        .or_else(|| trimmed.strip_prefix("rrule:"))
        .unwrap_or(trimmed)
        .to_ascii_uppercase();
    if let Some(c) = rule
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, ';' | '=' | ',' | '-' | '+')))
    {
        return Err(bad_rule(&format!(
            "{} is no part of a rule",
            crate::diagnostic::shown(&format!("`{c}`"))
        )));
    }
    if rule
        .split(';')
        .any(|part| matches!(part, "FREQ=SECONDLY" | "FREQ=MINUTELY"))
    {
        return Err(bad_rule("a maintenance recurs at most hourly"));
    }
    if let Some(until) = until_of(&rule) {
        let utc = until.len() == 16 && until.ends_with('Z') && until.as_bytes()[8] == b'T';
        if !utc {
            return Err(bad_rule(&format!(
                "`UNTIL={until}` must be a UTC time, such as `20271231T000000Z`"
            )));
        }
    }
    Ok(rule)
}

/// The value of the rule's `UNTIL`.
fn until_of(rule: &str) -> Option<&str> {
    rule.split(';').find_map(|part| part.strip_prefix("UNTIL="))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::DateTime;

    fn at(text: &str) -> Timestamp {
        DateTime::parse(text).unwrap().instant
    }

    fn maintenance(start: &str, end: &str, rule: &str, zone: Option<&str>) -> Meta {
        Meta {
            impact: Some(Impact::Maintenance),
            scheduled_start: Some(DateTime::parse(start).unwrap()),
            scheduled_end: Some(DateTime::parse(end).unwrap()),
            recurrence: Some(rule.to_string()),
            timezone: zone.map(str::to_string),
            ..Meta::default()
        }
    }

    fn shown(windows: &[Window]) -> Vec<String> {
        windows.iter().map(|(s, e)| format!("{s} {e}")).collect()
    }

    #[test]
    fn berlin_wall_clock_times_cross_the_change_to_winter_time() {
        let meta = maintenance(
            "2026-10-13T02:00:00+02:00",
            "2026-10-13T03:00:00+02:00",
            "FREQ=WEEKLY;BYDAY=TU",
            Some("Europe/Berlin"),
        );
        let series = Series::of(&meta).unwrap().unwrap();
        let windows =
            series.windows_between(at("2026-10-01T00:00:00Z"), at("2026-11-04T00:00:00Z"));
        // Summer time ends on Sunday 25 October 2026: 02:00 Berlin is 00:00 UTC, then 01:00 UTC.
        assert_eq!(
            shown(&windows),
            [
                "2026-10-13T00:00:00Z 2026-10-13T01:00:00Z",
                "2026-10-20T00:00:00Z 2026-10-20T01:00:00Z",
                "2026-10-27T01:00:00Z 2026-10-27T02:00:00Z",
                "2026-11-03T01:00:00Z 2026-11-03T02:00:00Z",
            ]
        );
    }

    #[test]
    fn until_is_an_instant_and_resolved_stops_the_series() {
        let mut meta = maintenance(
            "2026-10-13T02:00:00+02:00",
            "2026-10-13T03:00:00+02:00",
            "RRULE:freq=weekly;byday=TU;until=20261027T010000Z",
            Some("europe/berlin"),
        );
        let series = Series::of(&meta).unwrap().unwrap();
        assert_eq!(
            series.calendar_rule(),
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261027T010000Z"
        );
        let all = series.windows_between(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"));
        assert_eq!(all.len(), 3, "{:?}", shown(&all));
        meta.resolved = Some(DateTime::parse("2026-10-20T00:00:00Z").unwrap());
        let stopped = Series::of(&meta).unwrap().unwrap();
        let all = stopped.windows_between(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"));
        assert_eq!(all.len(), 1);
    }

    #[test]
    fn where_the_series_stands() {
        let meta = maintenance(
            "2026-11-03T02:00:00Z",
            "2026-11-03T03:00:00Z",
            "FREQ=WEEKLY;BYDAY=TU",
            None,
        );
        let series = Series::of(&meta).unwrap().unwrap();
        let around = series.around(at("2026-11-17T02:30:00Z"), 2);
        assert_eq!(
            around.current,
            Some((at("2026-11-17T02:00:00Z"), at("2026-11-17T03:00:00Z")))
        );
        assert_eq!(around.previous.unwrap().0, at("2026-11-10T02:00:00Z"));
        assert_eq!(around.next.len(), 2);
        assert_eq!(around.next[0].0, at("2026-11-24T02:00:00Z"));
        assert_eq!(
            series.turning_points(at("2026-11-20T00:00:00Z")),
            [
                at("2026-11-17T02:00:00Z"),
                at("2026-11-17T03:00:00Z"),
                at("2026-11-24T02:00:00Z"),
                at("2026-11-24T03:00:00Z")
            ]
        );
    }

    #[test]
    fn bad_rules_and_zones_are_problems() {
        let problem = |rule: &str, zone: Option<&str>| {
            Series::of(&maintenance(
                "2026-11-03T02:00:00Z",
                "2026-11-03T03:00:00Z",
                rule,
                zone,
            ))
            .unwrap_err()
        };
        assert_eq!(problem("FREQ=FORTNIGHTLY", None).key, "recurrence");
        assert!(problem("FREQ=WEEKLY\nBEGIN:VEVENT", None)
            .message
            .contains("no part of a rule"));
        assert!(problem("FREQ=MINUTELY", None).message.contains("hourly"));
        assert!(problem("FREQ=DAILY;UNTIL=20270101T000000", None)
            .message
            .contains("UTC"));
        let zone = problem("FREQ=DAILY", Some("Mars/Olympus"));
        assert_eq!(
            (zone.key, zone.message.as_str()),
            ("timezone", "unknown time zone `Mars/Olympus`")
        );
    }
}
