//! Dates as other tools write them: `2018-04-13 09:23:00`, `2018-04-13 9:23`,
//! `2021-06-04T13:00:00-00:00`, `2019-03-01 10:00:00 +0000`, with trailing spaces.
//!
//! A date-time without an offset is read as UTC, and the caller says so to the user.

use jiff::civil;

use crate::dates::DateTime;

/// A date read leniently; `naive` when it had no time zone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Lenient {
    pub date: DateTime,
    pub naive: bool,
}

/// Reads `text` when it is a date or date-time of another tool's kind.
pub(crate) fn lenient(text: &str) -> Option<Lenient> {
    let text = text.trim();
    let date: civil::Date = text.get(..10)?.parse().ok()?;
    let rest = text[10..].trim_start_matches(['T', 't', ' ']);
    if rest.is_empty() {
        return Some(Lenient {
            date: DateTime::from_date(date),
            naive: false,
        });
    }
    let time_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(rest.len());
    let (time, zone) = rest.split_at(time_len);
    let mut parts = time.split(':');
    let hour: i8 = parts.next()?.parse().ok()?;
    let minute: i8 = parts.next()?.parse().ok()?;
    let second: i8 = match parts.next() {
        Some(s) => s.split('.').next()?.parse().ok()?,
        None => 0,
    };
    let civil = civil::DateTime::new(
        date.year(),
        date.month(),
        date.day(),
        hour,
        minute,
        second,
        0,
    )
    .ok()?;
    let local = civil
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp();
    let (offset_seconds, naive) = offset(zone.trim())?;
    let instant = local
        .checked_sub(jiff::SignedDuration::from_secs(offset_seconds))
        .ok()?;
    Some(Lenient {
        date: DateTime {
            instant,
            date_only: false,
        },
        naive,
    })
}

/// `Z`, `UTC`, `+02:00`, `-0000`; `""` is no zone at all.
fn offset(zone: &str) -> Option<(i64, bool)> {
    match zone {
        "" => return Some((0, true)),
        "Z" | "z" | "UTC" | "GMT" => return Some((0, false)),
        _ => {}
    }
    let sign = match zone.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits[2..].parse().ok()?;
    Some((sign * (hours * 3600 + minutes * 60), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> (String, bool) {
        let l = lenient(text).unwrap_or_else(|| panic!("{text:?} not read"));
        (l.date.iso(), l.naive)
    }

    #[test]
    fn cstate_and_jekyll_forms() {
        assert_eq!(
            iso("2018-04-13 09:23:00"),
            ("2018-04-13T09:23:00Z".into(), true)
        );
        assert_eq!(
            iso("2018-04-13 9:23:00  "),
            ("2018-04-13T09:23:00Z".into(), true)
        );
        assert_eq!(
            iso("2018-04-13T9:23"),
            ("2018-04-13T09:23:00Z".into(), true)
        );
        assert_eq!(
            iso("2021-06-04T13:00:00-00:00"),
            ("2021-06-04T13:00:00Z".into(), false)
        );
        assert_eq!(
            iso("2019-03-01 10:00:00 +0100"),
            ("2019-03-01T09:00:00Z".into(), false)
        );
        assert_eq!(iso("2019-03-01"), ("2019-03-01".into(), false));
        assert!(lenient("yesterday").is_none());
        assert!(lenient("2019-03-01 25:00").is_none());
    }
}
