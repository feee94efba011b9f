//! The status history for feed readers and calendars: `status/feed.xml` (Atom, RFC 4287, one
//! entry per incident update) and `status/maintenance.ics` (iCalendar, RFC 5545, one event per
//! maintenance window). Both are written by hand: the formats are small, and the escaping rules
//! (XML text, iCalendar TEXT with line folding) are the only subtle part, tested below.

use jiff::Timestamp;

use super::status::Event;
use super::Links;
use crate::model::{Place, Site};
use crate::vocabulary::UpdateStatus;

/// `status/feed.xml`.
pub(crate) fn atom(site: &Site, events: &[Event], now: Timestamp) -> String {
    let links = Links { site };
    let mut entries: Vec<(Timestamp, String)> = Vec::new();
    for event in events {
        let page = &site.pages[event.id];
        let permalink = links.permalink(&page.url);
        let mut updates: Vec<_> = page.meta.updates.iter().collect();
        updates.sort_by_key(|u| u.at);
        for (index, update) in updates.iter().enumerate() {
            let label = status_label(update.status);
            let mut content = format!(
                "<p><strong>{label}</strong> · {}</p>\n<p>{}</p>",
                xml_text(&update.at.human()),
                crate::markdown::inline(&update.message)
            );
            let components = component_names(site, event);
            if !components.is_empty() {
                content.push_str(&format!("\n<p>Affects: {}</p>", xml_text(&components)));
            }
            entries.push((
                update.at.instant,
                format!(
                    "  <entry>\n    <id>{id}</id>\n    <title>{title}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{href}\"/>\n    <published>{at}</published>\n    <updated>{at}</updated>\n    <category term=\"{term}\" label=\"{label}\"/>\n    <summary type=\"text\">{summary}</summary>\n    <content type=\"html\">{content}</content>\n  </entry>\n",
                    id = xml_text(&format!("{permalink}#update-{}", index + 1)),
                    title = xml_text(&format!("[{label}] {}", page.title)),
                    href = xml_text(&permalink),
                    at = rfc3339(update.at.instant),
                    term = update_status_id(update.status),
                    summary = xml_text(&update.message),
                    content = xml_text(&content),
                ),
            ));
        }
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    // The newest update, not the build time: the same history gives the same feed.
    let updated = entries.first().map_or(now, |e| e.0);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n  <title>{title}</title>\n  <subtitle>Every update to incidents and maintenance, newest first.</subtitle>\n  <id>{id}</id>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{feed}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{id}\"/>\n  <updated>{updated}</updated>\n  <author><name>{author}</name></author>\n  <generator>opsbook</generator>\n",
        lang = xml_text(&site.config.language),
        title = xml_text(&format!("{}: status", site.config.title)),
        id = xml_text(&links.permalink(links.place(Place::Status))),
        feed = xml_text(&links.permalink(&format!("{}feed.xml", links.place(Place::Status)))),
        updated = rfc3339(updated),
        author = xml_text(&site.config.title),
    ));
    for (_, entry) in entries {
        xml.push_str(&entry);
    }
    xml.push_str("</feed>\n");
    xml
}

/// `status/maintenance.ics`.
pub(crate) fn calendar(site: &Site, events: &[Event]) -> String {
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
            ics_text(&format!("{}: maintenance", site.config.title))
        ),
    ];
    let mut maintenance: Vec<&Event> = events.iter().filter(|e| e.is_maintenance()).collect();
    maintenance.sort_by_key(|e| (e.start, e.id));
    for event in maintenance {
        let (Some(start), Some(end)) = (event.start, event.end) else {
            continue;
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
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}@{}", ics_text(page.stem()), ics_text(&host)),
            format!("DTSTAMP:{}", ics_time(stamp)),
            format!("DTSTART:{}", ics_time(start)),
            format!("DTEND:{}", ics_time(end)),
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

fn component_names(site: &Site, event: &Event) -> String {
    event
        .components
        .iter()
        .map(|c| {
            site.config
                .component(c)
                .map_or(c.as_str(), |c| c.name.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn status_label(status: UpdateStatus) -> &'static str {
    match status {
        UpdateStatus::Investigating => "Investigating",
        UpdateStatus::Identified => "Identified",
        UpdateStatus::Monitoring => "Monitoring",
        UpdateStatus::Resolved => "Resolved",
        UpdateStatus::Scheduled => "Scheduled",
        UpdateStatus::InProgress => "In progress",
        UpdateStatus::Completed => "Completed",
    }
}

pub(crate) fn update_status_id(status: UpdateStatus) -> &'static str {
    match status {
        UpdateStatus::Investigating => "investigating",
        UpdateStatus::Identified => "identified",
        UpdateStatus::Monitoring => "monitoring",
        UpdateStatus::Resolved => "resolved",
        UpdateStatus::Scheduled => "scheduled",
        UpdateStatus::InProgress => "in_progress",
        UpdateStatus::Completed => "completed",
    }
}

/// Escapes text for XML element content and double-quoted attributes.
pub(crate) fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
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

/// `2026-10-02T09:14:00Z`, also for dates written without a time.
pub(crate) fn rfc3339(instant: Timestamp) -> String {
    super::shown(instant).iso()
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
    fn xml_text_escapes_markup_and_drops_control_characters() {
        assert_eq!(
            xml_text("<b>\"R&D\"</b>\u{1}'"),
            "&lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt;&apos;"
        );
    }
}
