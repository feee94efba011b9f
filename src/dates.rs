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
                let instant = date
                    .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .map_err(|e| e.to_string())?
                    .timestamp();
                return Ok(DateTime {
                    instant,
                    date_only: true,
                });
            }
        }
        Err(format!(
            "invalid date `{text}`: expected YYYY-MM-DD or an RFC 3339 date-time with an offset, such as 2026-10-02T09:14:00Z"
        ))
    }

    pub(crate) fn from_date(date: Date) -> DateTime {
        let instant = date
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH);
        DateTime {
            instant,
            date_only: true,
        }
    }

    /// The calendar day in UTC.
    pub(crate) fn date(&self) -> Date {
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
            self.instant.strftime("%-d %b %Y").to_string()
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

    pub(crate) fn add_days(&self, days: i64) -> DateTime {
        let instant = self
            .instant
            .checked_add(jiff::SignedDuration::from_hours(days.saturating_mul(24)))
            .unwrap_or(self.instant);
        DateTime {
            instant,
            date_only: self.date_only,
        }
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
    fn durations_read_well() {
        assert_eq!(HumanMinutes(45).to_string(), "45 min");
        assert_eq!(HumanMinutes(136).to_string(), "2 h 16 min");
        assert_eq!(HumanMinutes(120).to_string(), "2 h");
        assert_eq!(HumanMinutes(3 * 1440 + 250).to_string(), "3 d 4 h");
    }
}
