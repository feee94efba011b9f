//! `llms.txt` at the site root, in the llmstxt.org format: the handbook's title and
//! description, one line per section, then a link with a one-line description for every runbook
//! and process, and the other pages and data files as optional reading — what a language model
//! or an on-call assistant needs to find the right page without crawling the site.
//!
//! It is markdown, so every text from the handbook is escaped (a title cannot add a link, a
//! heading or HTML) and every URL is one of the site's own pages or files.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::model::{Place, Site};
use crate::vocabulary::Kind;

/// The text of `llms.txt` for `site`, whose generated pages are at `places`.
pub(crate) fn text(site: &Site, places: &BTreeSet<Place>) -> String {
    let mut out = format!("# {}\n", escaped(&site.config.title));
    if let Some(description) = &site.config.description {
        let _ = write!(out, "\n> {}\n", escaped(description));
    }
    let sections = site.top_sections();
    if !sections.is_empty() {
        out.push_str("\nThe handbook's sections:\n\n");
        for &id in sections {
            entry(&mut out, site, id);
        }
    }
    for (kind, heading) in [(Kind::Runbook, "Runbooks"), (Kind::Process, "Processes")] {
        let mut ids: Vec<usize> = (0..site.pages.len())
            .filter(|&id| site.pages[id].kind == kind && !site.pages[id].is_section())
            .collect();
        if ids.is_empty() {
            continue;
        }
        ids.sort_by(|&a, &b| site.pages[a].url.cmp(&site.pages[b].url));
        let _ = write!(out, "\n## {heading}\n\n");
        for id in ids {
            entry(&mut out, site, id);
        }
    }
    optional(&mut out, site, places);
    out
}

/// `- [title](url): description` for page `id`.
fn entry(out: &mut String, site: &Site, id: usize) {
    let page = &site.pages[id];
    let description = page
        .meta
        .description
        .as_deref()
        .unwrap_or(&page.rendered.summary);
    link(out, &page.title, &site.permalink(id), description);
}

fn link(out: &mut String, title: &str, url: &str, description: &str) {
    let _ = write!(out, "- [{}]({})", escaped(title), url_in_link(url));
    if !description.trim().is_empty() {
        let _ = write!(out, ": {}", escaped(description));
    }
    out.push('\n');
}

/// The generated pages and the data files, for a reader with room to spare.
fn optional(out: &mut String, site: &Site, places: &BTreeSet<Place>) {
    let base = &site.config.base_url;
    let mut lines = String::new();
    let pages = [
        (
            Place::Postmortems,
            "Postmortems",
            "every postmortem with its severity, duration and services",
        ),
        (
            Place::ActionItems,
            "Action items",
            "the open and overdue follow-ups of every postmortem",
        ),
        (
            Place::Factors,
            "Contributing factors",
            "what keeps causing incidents, and where it came back",
        ),
        (
            Place::Metrics,
            "Incident metrics",
            "incidents per month, time to detect and to resolve",
        ),
        (
            Place::Status,
            "Status",
            "the current state of every component and the incident history",
        ),
        (
            Place::Alerts,
            "Alerts",
            "every alert, each leading to its runbook",
        ),
    ];
    for (place, title, description) in pages {
        if places.contains(&place) {
            link(
                &mut lines,
                title,
                &format!("{base}{}", site.places.url(place)),
                description,
            );
        }
    }
    let api = site.places.url(Place::DataApi);
    let files = [
        ("runbooks.json", "Runbooks as JSON", "title, URL, services, alerts, owners, severity, review dates and parameters of every runbook"),
        ("postmortems.json", "Postmortems as JSON", "incident window, durations, severity, services, factors and related incidents of every postmortem"),
        ("action-items.json", "Action items as JSON", "text, owners, due date and state of every action item"),
        ("metrics.json", "Incident metrics as JSON", "incidents, time to detect and to resolve per month and per service; factors per quarter"),
    ];
    for (file, title, description) in files {
        link(
            &mut lines,
            title,
            &format!("{base}{api}{file}"),
            description,
        );
    }
    if places.contains(&Place::StatusApi) {
        let status = site.places.url(Place::StatusApi);
        link(
            &mut lines,
            "Status summary as JSON",
            &format!("{base}{status}v2/summary.json"),
            "the status page in the Statuspage v2 format",
        );
    }
    let _ = write!(out, "\n## Optional\n\n{lines}");
}

/// `text` on one line, every character markdown would read as syntax escaped.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.trim().chars() {
        // Line breaks (U+2028 and U+0085 too) and other controls would end the entry.
        if c.is_whitespace() || c.is_control() {
            space = true;
            continue;
        }
        if std::mem::take(&mut space) {
            out.push(' ');
        }
        if "\\`*_[]()<>!|~&#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `url` as a link destination: what would end it or start HTML percent-encoded.
fn url_in_link(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '(' | ')' | '<' | '>' | ' ' | '\\' | '`' => {
                let _ = write!(out, "%{:02X}", c as u32);
            }
            c if c.is_control() || c.is_whitespace() => {
                let mut bytes = [0; 4];
                for b in c.encode_utf8(&mut bytes).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_make_markup_and_urls_stay_in_their_parentheses() {
        assert_eq!(
            escaped("  [x](javascript:alert(1))\n# <b>&amp;</b>\u{2028}*y*  "),
            "\\[x\\]\\(javascript:alert\\(1\\)\\) \\# \\<b\\>\\&amp;\\</b\\> \\*y\\*"
        );
        assert_eq!(
            url_in_link("https://e.org/a (b)/<c>\u{85}"),
            "https://e.org/a%20%28b%29/%3Cc%3E%C2%85"
        );
    }
}
