//! The maintenance calendars: `status/maintenance.ics` and each component's
//! `status/components/ID/calendar.ics` (iCalendar, RFC 5545): one event per maintenance window,
//! a recurring maintenance as one event with its `RRULE`, in its time zone, which a
//! `VTIMEZONE` describes. Written by hand: the escaping of TEXT values and the folding of lines
//! are the subtle part, tested below.

use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

use super::feeds::component_names;
use super::status::Event;
use super::subscriptions::Scope;
use super::Links;
use crate::model::recurrence::{ics_local, Series};
use crate::model::Site;

/// How many years of a zone's changes a `VTIMEZONE` lists, from a series' first window on.
const ZONE_YEARS: i64 = 20;

/// `maintenance.ics` of `scope`: every maintenance window of the events it covers.
pub(crate) fn calendar(site: &Site, events: &[Event], scope: &Scope<'_>) -> String {
    let links = Links { site };
    let host = host_of(&site.config.base_url);
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//opsbook//Maintenance calendar//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        format!(
            "X-WR-CALNAME:{}",
            ics_text(&format!(
                "{}: {}",
                site.config.title,
                scope.title("maintenance")
            ))
        ),
    ];
    let first_start = |e: &Event| e.series.as_ref().map_or(e.start, |s| Some(s.first().0));
    let mut maintenance: Vec<&Event> = events
        .iter()
        .filter(|e| e.is_maintenance() && scope.covers(e))
        .collect();
    maintenance.sort_by_key(|e| (first_start(e), e.id));
    let mut zones: Vec<&Series> = Vec::new();
    for series in maintenance.iter().filter_map(|e| e.series.as_ref()) {
        let name = series.zone().iana_name();
        if name.is_some() && !zones.iter().any(|z| z.zone().iana_name() == name) {
            zones.push(series);
        }
    }
    for series in zones {
        lines.extend(vtimezone(series));
    }
    for event in maintenance {
        let (start, end) = match &event.series {
            Some(series) => series.first(),
            None => match (event.start, event.end) {
                (Some(start), Some(end)) => (start, end),
                _ => continue,
            },
        };
        let page = &site.pages[event.id];
        let latest = page.meta.updates.iter().max_by_key(|u| u.at);
        // The latest update stands for "when this was last changed", so output stays reproducible.
        let stamp = latest.map_or(start, |u| u.at.instant);
        let mut description = latest.map_or(String::new(), |u| u.message.clone());
        let components = component_names(site, event);
        if !components.is_empty() {
            description.push_str(&format!("\n\nAffects: {components}"));
        }
        let (dtstart, dtend) = match &event.series {
            Some(series) => (local_time(series, start), local_time(series, end)),
            None => (
                format!(":{}", ics_time(start)),
                format!(":{}", ics_time(end)),
            ),
        };
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}@{}", ics_text(page.stem()), ics_text(&host)),
            format!("DTSTAMP:{}", ics_time(stamp)),
            format!("DTSTART{dtstart}"),
            format!("DTEND{dtend}"),
        ]);
        // The rule holds only what a rule holds (see `recurrence`): it is written as it is.
        lines.extend(
            event
                .series
                .as_ref()
                .map(|s| format!("RRULE:{}", s.calendar_rule())),
        );
        lines.extend([
            format!("SUMMARY:{}", ics_text(&page.title)),
            format!("DESCRIPTION:{}", ics_text(description.trim())),
            format!("URL:{}", ics_uri(&links.permalink(&page.url))),
            // An announced window is confirmed; opsbook has no cancelled maintenance.
            "STATUS:CONFIRMED".to_string(),
            "TRANSP:TRANSPARENT".to_string(),
            "END:VEVENT".to_string(),
        ]);
    }
    lines.push("END:VCALENDAR".to_string());
    lines.iter().map(|l| fold(l)).collect()
}

/// `;TZID=Europe/Berlin:20261013T020000`, or `:20261013T000000Z` for a series in UTC.
fn local_time(series: &Series, instant: Timestamp) -> String {
    match series.zone().iana_name().filter(|n| *n != "UTC") {
        Some(name) => format!(
            ";TZID={}:{}",
            ics_uri(name),
            ics_local(series.zone().to_datetime(instant))
        ),
        None => format!(":{}", ics_time(instant)),
    }
}

/// The `VTIMEZONE` of a series' zone: each change of offset from the one in force at its first
/// window on, for [`ZONE_YEARS`] years, as `STANDARD` and `DAYLIGHT` observances (the first
/// change of a kind as `DTSTART`, the others as `RDATE`), in wall-clock times as RFC 5545 asks.
fn vtimezone(series: &Series) -> Vec<String> {
    let zone = series.zone();
    let Some(name) = zone.iana_name().filter(|n| *n != "UTC") else {
        return Vec::new();
    };
    let first = series.first().0;
    let until = first
        .checked_add(jiff::SignedDuration::from_hours(24 * 366 * ZONE_YEARS))
        .unwrap_or(Timestamp::MAX);
    let since = zone
        .preceding(
            first
                .checked_add(jiff::SignedDuration::from_secs(1))
                .unwrap_or(first),
        )
        .next()
        .map_or(first, |t| t.timestamp());
    let mut changes: Vec<Change> = zone
        .following(
            since
                .checked_sub(jiff::SignedDuration::from_secs(1))
                .unwrap_or(since),
        )
        .take_while(|t| t.timestamp() <= until)
        .map(|t| Change {
            at: t.timestamp(),
            from: zone.to_offset(
                t.timestamp()
                    .checked_sub(jiff::SignedDuration::from_secs(1))
                    .unwrap_or(t.timestamp()),
            ),
            to: t.offset(),
            name: t.abbreviation().to_string(),
            daylight: t.dst().is_dst(),
        })
        .collect();
    if changes.is_empty() {
        // A zone that never changes: one observance from the epoch on.
        let offset = zone.to_offset(first);
        changes.push(Change {
            at: Timestamp::UNIX_EPOCH,
            from: offset,
            to: offset,
            name: zone.to_offset_info(first).abbreviation().to_string(),
            daylight: false,
        });
    }
    let mut lines = vec![
        "BEGIN:VTIMEZONE".to_string(),
        format!("TZID:{}", ics_uri(name)),
    ];
    let mut kinds: Vec<&Change> = Vec::new();
    for change in &changes {
        if !kinds.iter().any(|k| k.same_kind(change)) {
            kinds.push(change);
        }
    }
    for kind in kinds {
        let part = if kind.daylight {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        let mut times = changes
            .iter()
            .filter(|c| c.same_kind(kind))
            .map(Change::wall);
        lines.push(format!("BEGIN:{part}"));
        lines.push(format!("DTSTART:{}", times.next().unwrap_or_default()));
        lines.push(format!("TZOFFSETFROM:{}", ics_offset(kind.from)));
        lines.push(format!("TZOFFSETTO:{}", ics_offset(kind.to)));
        lines.push(format!("TZNAME:{}", ics_text(&kind.name)));
        let rest: Vec<String> = times.collect();
        if !rest.is_empty() {
            lines.push(format!("RDATE:{}", rest.join(",")));
        }
        lines.push(format!("END:{part}"));
    }
    lines.push("END:VTIMEZONE".to_string());
    lines
}

/// One change of a zone's offset.
struct Change {
    at: Timestamp,
    from: Offset,
    to: Offset,
    name: String,
    daylight: bool,
}

impl Change {
    fn same_kind(&self, other: &Change) -> bool {
        (self.from, self.to, &self.name, self.daylight)
            == (other.from, other.to, &other.name, other.daylight)
    }

    /// The wall-clock time the change happens at, in the offset before it.
    fn wall(&self) -> String {
        ics_local(TimeZone::fixed(self.from).to_datetime(self.at))
    }
}

/// `+0100`, `-0430`, `+053328` when there are seconds.
fn ics_offset(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    let (hours, minutes, rest) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if rest == 0 {
        format!("{sign}{hours:02}{minutes:02}")
    } else {
        format!("{sign}{hours:02}{minutes:02}{rest:02}")
    }
}

/// An iCalendar TEXT value: backslash, semicolon, comma and newlines escaped.
pub(crate) fn ics_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// An iCalendar URI value: not escaped as TEXT is (a URI holds `,` and `;` as they are), but
/// without control characters, so that it never ends its line. (The base URL holds none;
/// this is the second line of defence.)
pub(crate) fn ics_uri(uri: &str) -> String {
    uri.chars().filter(|c| !c.is_control()).collect()
}

fn ics_time(instant: Timestamp) -> String {
    instant.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// One content line folded at 75 octets (never inside a UTF-8 character), ended with CRLF.
pub(crate) fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let size = c.len_utf8();
        // Continuation lines start with a space, which counts towards their 75 octets.
        if width + size > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += size;
    }
    out.push_str("\r\n");
    out
}

fn host_of(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() {
        "opsbook.invalid".to_string()
    } else {
        host.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_text_is_escaped_and_folded() {
        assert_eq!(ics_text("a, b; c\\d\nnext"), "a\\, b\\; c\\\\d\\nnext");
        let long = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&long);
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
    }

    #[test]
    fn no_value_ends_its_content_line() {
        let injected = "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected\u{1b}\u{7f}";
        let text = ics_text(injected);
        assert_eq!(text, "x\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:injected");
        assert_eq!(
            ics_uri("https://a.example/x;y,z/\r\nBEGIN:VEVENT"),
            "https://a.example/x;y,z/BEGIN:VEVENT"
        );
        let folded = fold(&format!("DESCRIPTION:{text}"));
        assert_eq!(folded.matches("\r\n").count(), 1, "{folded:?}");
    }

    #[test]
    fn folds_never_split_a_character() {
        // 1, 2, 3 and 4 octets a character, at every offset against the 75-octet limit.
        for prefix in 0..4 {
            let line = format!("DESCRIPTION:{}{}", "a".repeat(prefix), "aé€🛠".repeat(40));
            let folded = fold(&line);
            for part in folded.as_bytes().split(|b| *b == b'\n') {
                assert!(part.len() <= 76, "{} octets with the CR", part.len());
                assert!(std::str::from_utf8(part).is_ok());
            }
            assert_eq!(folded.replace("\r\n ", ""), format!("{line}\r\n"));
        }
    }

    #[test]
    fn offsets_as_icalendar_writes_them() {
        assert_eq!(ics_offset(Offset::constant(1)), "+0100");
        assert_eq!(
            ics_offset(Offset::from_seconds(-(4 * 3600 + 30 * 60)).unwrap()),
            "-0430"
        );
        assert_eq!(ics_offset(Offset::from_seconds(3208).unwrap()), "+005328");
    }
}
