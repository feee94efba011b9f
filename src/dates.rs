//! Dates and times as handbooks write them: `YYYY-MM-DD`, or RFC 3339 with an offset.
//!
//! Everything is kept as a UTC instant; a date alone means midnight UTC and remembers that it
//! had no time, so it is shown without one.

use std::fmt;

use jiff::civil::Date;
use jiff::{Timestamp, Unit};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time from front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    pub instant: Timestamp,
    pub date_only: bool,
}

impl DateTime {
    /// Parses `2026-09-14` or `2026-10-02T09:14:00Z` / `…+02:00`.
    pub fn parse(text: &str) -> Result<DateTime, String> {
        let text = text.trim();
        if let Ok(instant) = text.parse::<Timestamp>() {
            return Ok(DateTime {
                instant,
                date_only: false,
            });
        }
        if let Ok(date) = text.parse::<Date>() {
            if text.len() == 10 {
                return Ok(DateTime::from_date(date));
            }
        }
        if let Some(instant) = beyond_instants(text) {
            return Ok(DateTime {
                instant,
                date_only: false,
            });
        }
        Err(format!(
            "invalid date `{text}`: expected YYYY-MM-DD or an RFC 3339 date-time with an offset, such as 2026-10-02T09:14:00Z"
        ))
    }

    /// Midnight UTC of `date`. Of the dates jiff has, only 9999-12-31 has no such instant: it
    /// is kept as the last instant there is, and still shown as 9999-12-31.
    pub(crate) fn from_date(date: Date) -> DateTime {
        let instant = date
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map_or_else(|_| saturated(date.year()), |z| z.timestamp());
        DateTime {
            instant,
            date_only: true,
        }
    }

    /// The calendar day in UTC.
    pub(crate) fn date(&self) -> Date {
        if self.date_only && self.instant == Timestamp::MAX {
            return Date::MAX;
        }
        self.instant
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
    }

    /// `2026-10-02T09:14:00Z`, or `2026-10-02` for a date alone.
    pub(crate) fn iso(&self) -> String {
        if self.date_only {
            self.date().to_string()
        } else {
            self.instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        }
    }

    /// `2 Oct 2026, 09:14 UTC`, or `2 Oct 2026` for a date alone.
    pub(crate) fn human(&self) -> String {
        if self.date_only {
            self.date().strftime("%-d %b %Y").to_string()
        } else {
            self.instant.strftime("%-d %b %Y, %H:%M UTC").to_string()
        }
    }

    /// Whole minutes from `self` to `later` (negative when `later` is earlier).
    pub(crate) fn minutes_until(&self, later: &DateTime) -> i64 {
        later
            .instant
            .as_second()
            .saturating_sub(self.instant.as_second())
            / 60
    }

    /// Whole days from `self` to `later`, by calendar day in UTC.
    pub(crate) fn days_until(&self, later: &DateTime) -> i64 {
        self.date()
            .until((Unit::Day, later.date()))
            .map(|span| i64::from(span.get_days()))
            .unwrap_or(0)
    }

    /// `days` later (earlier when negative); past the last instant there is, that instant.
    pub(crate) fn add_days(&self, days: i64) -> DateTime {
        let instant = self
            .instant
            .checked_add(jiff::SignedDuration::from_secs(days.saturating_mul(86_400)))
            .unwrap_or(if days < 0 {
                Timestamp::MIN
            } else {
                Timestamp::MAX
            });
        DateTime {
            instant,
            date_only: self.date_only,
        }
    }
}

/// The first or the last instant there is, for a date beyond one end of them (by its year).
fn saturated(year: i16) -> Timestamp {
    if year < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    }
}

/// An RFC 3339 date-time whose instant lies beyond the last (or first) one jiff has, such as
/// `9999-12-31T00:00:00Z`: that last (or first) instant. `None` for anything else.
fn beyond_instants(text: &str) -> Option<Timestamp> {
    let pieces = jiff::fmt::temporal::Pieces::parse(text).ok()?;
    let offset = pieces.to_numeric_offset()?;
    let time = pieces.time()?;
    let civil = pieces.date().to_datetime(time);
    match civil.to_zoned_datetime(offset.to_time_zone()) {
        // In range after all: not what this is for.
        Ok(_) => None,
        Err(_) => Some(saturated(civil.year())),
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown {
            iso: String,
            date: String,
            human: String,
        }
        Shown {
            iso: self.iso(),
            date: self.date().to_string(),
            human: self.human(),
        }
        .serialize(serializer)
    }
}

/// A length of time, shown as `2 h 16 min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Duration {
    pub minutes: i64,
    pub human: HumanMinutes,
}

impl Duration {
    pub(crate) fn between(start: &DateTime, end: &DateTime) -> Duration {
        let minutes = start.minutes_until(end);
        Duration {
            minutes,
            human: HumanMinutes(minutes),
        }
    }
}

/// Minutes written for people: `45 min`, `2 h 16 min`, `3 d 4 h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HumanMinutes(pub i64);

impl fmt::Display for HumanMinutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.0.max(0);
        let (days, hours, minutes) = (total / 1440, total % 1440 / 60, total % 60);
        match (days, hours, minutes) {
            (0, 0, m) => write!(f, "{m} min"),
            (0, h, 0) => write!(f, "{h} h"),
            (0, h, m) => write!(f, "{h} h {m} min"),
            (d, 0, _) => write!(f, "{d} d"),
            (d, h, _) => write!(f, "{d} d {h} h"),
        }
    }
}

impl Serialize for HumanMinutes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// "Now" as a build sees it: `--now` (a date alone is midnight UTC, as everywhere), else
/// `SOURCE_DATE_EPOCH`, else the clock. Unlike the review date it keeps the time of day, so an
/// ongoing incident's duration and today's bar are exact.
pub(crate) fn now(cli: Option<DateTime>) -> jiff::Timestamp {
    if let Some(now) = cli {
        return now.instant;
    }
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| jiff::Timestamp::now().as_second());
    jiff::Timestamp::from_second(seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_offset_times() {
        let date = DateTime::parse("2026-09-14").unwrap();
        assert!(date.date_only);
        assert_eq!(date.iso(), "2026-09-14");
        assert_eq!(date.human(), "14 Sep 2026");
        let time = DateTime::parse("2026-10-02T11:14:00+02:00").unwrap();
        assert_eq!(time.iso(), "2026-10-02T09:14:00Z");
        assert_eq!(time.human(), "2 Oct 2026, 09:14 UTC");
    }

    #[test]
    fn rejects_times_without_offset_and_bad_days() {
        assert!(DateTime::parse("2026-10-02T09:14:00").is_err());
        assert!(DateTime::parse("2026-13-01").is_err());
        assert!(DateTime::parse("yesterday").is_err());
    }

    #[test]
    fn the_last_day_there_is_is_kept_and_never_becomes_1970() {
        let last = DateTime::parse("9999-12-31").unwrap();
        assert!(last.date_only);
        assert_eq!(last.iso(), "9999-12-31");
        assert_eq!(last.human(), "31 Dec 9999");
        assert_eq!(DateTime::from_date(Date::MAX).iso(), "9999-12-31");
        assert_eq!(DateTime::from_date(Date::MIN).instant, Timestamp::MIN);
        let time = DateTime::parse("9999-12-31T00:00:00Z").unwrap();
        assert_eq!(time.instant, Timestamp::MAX);
        assert_eq!(
            DateTime::parse("9999-12-31T23:59:59+01:00")
                .unwrap()
                .instant,
            Timestamp::MAX
        );
        assert_eq!(
            DateTime::parse("-009999-01-01T00:00:00Z").unwrap().instant,
            Timestamp::MIN
        );
        // Still refused: no offset, and days that do not exist.
        assert!(DateTime::parse("9999-12-31T00:00:00").is_err());
        assert!(DateTime::parse("9999-12-32T00:00:00Z").is_err());
        assert!(DateTime::parse("2026-02-30").is_err());
        // Far dates stay in the future: due dates from them never wrap around.
        let today = DateTime::parse("2026-11-27").unwrap();
        let due = last.add_days(180);
        assert_eq!(due.instant, Timestamp::MAX);
        assert!(due.days_until(&today) < 0);
        assert_eq!(today.add_days(i64::MAX).instant, Timestamp::MAX);
        assert_eq!(today.add_days(i64::MIN).instant, Timestamp::MIN);
        for text in ["9999-12-31", "9999-12-31T00:00:00Z", "9999-12-30T23:00:00Z"] {
            let date = DateTime::parse(text).unwrap();
            assert!(date > today && !date.iso().starts_with("1970"), "{text}");
        }
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(HumanMinutes(45).to_string(), "45 min");
        assert_eq!(HumanMinutes(136).to_string(), "2 h 16 min");
        assert_eq!(HumanMinutes(120).to_string(), "2 h");
        assert_eq!(HumanMinutes(3 * 1440 + 250).to_string(), "3 d 4 h");
    }
}
