//! Heading ids (GitHub-style slugs, unique per page, `{#id}` wins), anchor links, and the table
//! of contents.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use serde::Serialize;

use super::Spanned;

/// One entry of the table of contents; `title` is HTML-escaped text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// A heading of the page, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    pub level: u8,
    pub id: String,
    /// Plain text of the heading.
    pub text: String,
    /// Indices of the events opening and closing the heading; its section's body follows.
    pub start_event: usize,
    pub end_event: usize,
}

/// GitHub's slug: lowercase, only letters, digits, `-` and `_` kept, spaces become `-`.
pub(crate) fn slugify(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Gives every heading a unique id and an anchor link; returns the headings in order.
pub(crate) fn assign_ids(events: &mut [Spanned<'_>], taken: &mut HashSet<String>) -> Vec<Heading> {
    let mut headings = Vec::new();
    let mut suffixes = HashMap::new();
    let mut i = 0;
    while i < events.len() {
        let Event::Start(Tag::Heading {
            level, id, classes, ..
        }) = &events[i].0
        else {
            i += 1;
            continue;
        };
        let (level, explicit, classes) = (*level, id.clone(), classes.clone());
        let end = (i..events.len())
            .find(|&j| matches!(events[j].0, Event::End(TagEnd::Heading(_))))
            .unwrap_or(events.len() - 1);
        let text = plain_text(&events[i + 1..end]);
        let base = match explicit {
            Some(id) => id.to_string(),
            None => match slugify(&text) {
                slug if slug.is_empty() => "section".to_string(),
                slug => slug,
            },
        };
        let id = unique(base, taken, &mut suffixes);
        let n = level_number(level);
        let class_attr = if classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape_attr(&classes.join(" ")))
        };
        let id_attr = escape_attr(&id);
        // The heading's text is its own link (named by the text, and short): a heading that
        // already holds a link or raw HTML, which could hold one, gets a separate `#` link.
        let holds_link = events[i + 1..end].iter().any(|(event, _)| {
            matches!(
                event,
                Event::Start(Tag::Link { .. })
                    | Event::FootnoteReference(_)
                    | Event::Html(_)
                    | Event::InlineHtml(_)
            )
        });
        let (open, close) = if holds_link {
            (
                String::new(),
                format!(" <a class=\"anchor\" href=\"#{id_attr}\" aria-label=\"Link to this section\">#</a>"),
            )
        } else {
            (format!("<a href=\"#{id_attr}\">"), "</a>".to_string())
        };
        events[i].0 = Event::Html(CowStr::from(format!(
            "<h{n} id=\"{id_attr}\"{class_attr}>{open}"
        )));
        events[end].0 = Event::Html(CowStr::from(format!("{close}</h{n}>\n")));
        headings.push(Heading {
            level: n,
            id,
            text,
            start_event: i,
            end_event: end,
        });
        i = end + 1;
    }
    headings
}

/// `base`, or `base-1`, `base-2`… the first not taken. `suffixes` remembers, per base, the last
/// suffix handed out: every smaller one was taken then and still is, so fifty thousand headings of
/// the same name cost one probe each, not one per heading before them.
fn unique(
    base: String,
    taken: &mut HashSet<String>,
    suffixes: &mut HashMap<String, usize>,
) -> String {
    if taken.insert(base.clone()) {
        return base;
    }
    let from = suffixes.get(&base).map_or(1, |last| last + 1);
    let (n, id) = (from..)
        .map(|n| (n, format!("{base}-{n}")))
        .find(|(_, candidate)| taken.insert(candidate.clone()))
        .unwrap_or((0, base.clone()));
    suffixes.insert(base, n);
    id
}

/// The text a reader sees in a run of inline events.
pub(crate) fn plain_text(events: &[Spanned<'_>]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

pub(crate) fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// Nests h2…h6 into a tree; h1 headings are the page title and stay out.
pub(crate) fn toc(headings: &[Heading]) -> Vec<TocEntry> {
    let mut root: Vec<TocEntry> = Vec::new();
    for heading in headings.iter().filter(|h| h.level >= 2) {
        let entry = TocEntry {
            level: heading.level,
            id: heading.id.clone(),
            title: escape_attr(&heading.text),
            children: Vec::new(),
        };
        insert(&mut root, entry);
    }
    root
}

fn insert(siblings: &mut Vec<TocEntry>, entry: TocEntry) {
    match siblings.last_mut() {
        Some(last) if last.level < entry.level => insert(&mut last.children, entry),
        _ => siblings.push(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github() {
        assert_eq!(slugify("Step 2: Fail over"), "step-2-fail-over");
        assert_eq!(slugify("Zürich DC — Überblick"), "zürich-dc--überblick");
        assert_eq!(slugify("A & B_c"), "a--b_c");
    }

    #[test]
    fn toc_nests_by_level() {
        let h = |level, id: &str| Heading {
            level,
            id: id.into(),
            text: id.into(),
            start_event: 0,
            end_event: 0,
        };
        let toc = toc(&[
            h(1, "t"),
            h(2, "a"),
            h(3, "b"),
            h(3, "c"),
            h(2, "d"),
            h(4, "e"),
        ]);
        assert_eq!(toc.len(), 2);
        assert_eq!(toc[0].children.len(), 2);
        assert_eq!(toc[1].children[0].id, "e");
    }

    #[test]
    fn repeated_headings_take_the_first_free_suffix_in_one_probe_each() {
        let ids = |headings: &[&str]| {
            let mut taken = HashSet::new();
            let mut suffixes = HashMap::new();
            headings
                .iter()
                .map(|h| unique(h.to_string(), &mut taken, &mut suffixes))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(&["a", "a", "a-1", "a", "a"]),
            ["a", "a-1", "a-1-1", "a-2", "a-3"]
        );
        assert_eq!(ids(&["a-2", "a", "a", "a"]), ["a-2", "a", "a-1", "a-3"]);
        // Fifty thousand of one name took four minutes when each probed every suffix before it.
        let many = ids(&vec!["same"; 50_000]);
        assert_eq!(many[49_999], "same-49999");
    }
}
