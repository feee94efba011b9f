//! The status history for feed readers: `status/feed.xml` and each component's
//! `status/components/ID/feed.xml` (Atom, RFC 4287, one entry per incident update), and the XML
//! escaping every XML and SVG file of the site uses. Written by hand: the format is small, and
//! the escaping is the only subtle part, tested below. (The calendars are in `calendar.rs`.)

use jiff::Timestamp;

use super::status::Event;
use super::subscriptions::Scope;
use super::Links;
use crate::model::Site;
use crate::vocabulary::UpdateStatus;

/// Updates a feed holds: a reader polls for what is new, and a handbook's whole history (8,000
/// updates made a 6 MB feed) belongs on the history pages.
const FEED_ENTRIES: usize = 200;

/// `feed.xml` of `scope`: the latest [`FEED_ENTRIES`] updates of the events it covers.
pub(crate) fn atom(site: &Site, events: &[Event], scope: &Scope<'_>) -> String {
    let links = Links { site };
    let mut entries: Vec<(Timestamp, String)> = Vec::new();
    for event in events.iter().filter(|e| scope.covers(e)) {
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
    entries.truncate(FEED_ENTRIES);
    // The newest update, not the build time: the same history gives the same feed. A feed
    // with no entry was never updated.
    let updated = entries.first().map_or(Timestamp::UNIX_EPOCH, |e| e.0);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let feed = links.permalink(&scope.file(site, "feed.xml"));
    let page = links.permalink(&scope.anchor(site));
    // The site's feed keeps the id it always had; a component's is its own address.
    let id = match scope {
        Scope::Site => page.clone(),
        Scope::Component(..) => feed.clone(),
    };
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n  <title>{title}</title>\n  <subtitle>{subtitle}</subtitle>\n  <id>{id}</id>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{feed}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{page}\"/>\n  <updated>{updated}</updated>\n  <author><name>{author}</name></author>\n  <generator>opsbook</generator>\n",
        lang = xml_text(&site.config.language),
        title = xml_text(&format!("{}: {}", site.config.title, scope.title("status"))),
        subtitle = xml_text(&format!(
            "The latest updates to incidents and maintenance{}, newest first.",
            scope.of_whom()
        )),
        id = xml_text(&id),
        feed = xml_text(&feed),
        page = xml_text(&page),
        updated = rfc3339(updated),
        author = xml_text(&site.config.title),
    ));
    for (_, entry) in entries {
        xml.push_str(&entry);
    }
    xml.push_str("</feed>\n");
    xml
}

pub(crate) fn component_names(site: &Site, event: &Event) -> String {
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

/// `2026-10-02T09:14:00Z`, also for dates written without a time.
pub(crate) fn rfc3339(instant: Timestamp) -> String {
    super::shown(instant).iso()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_escapes_markup_and_drops_control_characters() {
        assert_eq!(
            xml_text("<b>\"R&D\"</b>\u{1}'"),
            "&lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt;&apos;"
        );
    }
}
