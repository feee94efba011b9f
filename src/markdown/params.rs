//! Runbook placeholders: `<<name>>` in code blocks, inline code and link URLs, filled in the
//! browser from the runbook's parameters. Two angle brackets around a lower-case name cannot be
//! read as Go or Prometheus templates (`{{ $labels.x }}`), Hugo shortcodes (`{{< x >}}`) or shell
//! variables (`$VAR`, `${VAR}`), which stay as written; a heredoc (`<<EOF`) has no closing `>>`.
//!
//! The page keeps each placeholder as written, in `<var data-param="name">`, so it reads the same
//! with JavaScript off and search shows it as written; the theme's script fills it.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

use super::Spanned;

/// A placeholder written in a runbook, at its line and column in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placeholder {
    pub name: String,
    pub line: usize,
    pub column: usize,
    /// In code or a link URL, where it is filled; elsewhere (prose, raw HTML) it is not.
    pub filled: bool,
}

/// The longest name a placeholder may have.
const MAX_NAME: usize = 64;

/// Whether `name` can be a parameter's name, and so a placeholder's.
pub(crate) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= MAX_NAME
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Every `<<name>>` in `text`: its byte range and its name.
pub(crate) fn find(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("<<").map(|i| from + i) {
        let rest = &text[at + 2..];
        let end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        // `<<<name>>` is the placeholder after a `<`.
        if rest[end..].starts_with(">>") && is_name(name) {
            found.push((at..at + 2 + end + 2, name));
            from = at + 2 + end + 2;
        } else {
            from = at + 1;
        }
    }
    found
}

/// The HTML of one placeholder: as written, marked for the theme's script and stylesheet.
pub(crate) fn marked(name: &str) -> String {
    format!("<var data-param=\"{name}\">&lt;&lt;{name}&gt;&gt;</var>")
}

/// `text` as HTML text with its placeholders marked.
fn escaped_with_marks(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 32);
    let mut last = 0;
    for (range, name) in find(text) {
        let _ = escape_html(&mut html, &text[last..range.start]);
        html.push_str(&marked(name));
        last = range.end;
    }
    let _ = escape_html(&mut html, &text[last..]);
    html
}

/// Every placeholder of `source`, where the user wrote them: those of code blocks, inline code and
/// links are filled, the others are not; `at` maps an offset of `source` to a line and column of
/// the file.
pub(super) fn collect(
    events: &[Spanned<'_>],
    source: &str,
    at: impl Fn(usize) -> (usize, usize),
) -> Vec<Placeholder> {
    let mut filled = Vec::new();
    let mut in_code = false;
    for (event, range) in events {
        let scan = match event {
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                false
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                false
            }
            Event::Text(_) => in_code,
            Event::Code(_) => true,
            Event::Start(Tag::Link { dest_url, .. }) => dest_url.contains("<<"),
            _ => false,
        };
        if !scan {
            continue;
        }
        let Some(written) = source.get(range.clone()) else {
            continue;
        };
        for (place, _) in find(written) {
            filled.push(range.start + place.start);
        }
    }
    find(source)
        .into_iter()
        .map(|(place, name)| {
            let (line, column) = at(place.start);
            Placeholder {
                name: name.to_string(),
                line,
                column,
                filled: filled.contains(&place.start),
            }
        })
        .collect()
}

/// Marks the placeholders of inline code and of link URLs (code blocks are marked as they are
/// highlighted). A link keeps its URL as written in `href`, and the URL with placeholders in
/// `data-param-href` for the script, which fills in values percent-encoded: a value can never
/// change the link's scheme.
pub(super) fn mark(events: &mut [Spanned<'_>]) {
    let mut in_marked_link = false;
    for (event, _) in events.iter_mut() {
        match event {
            Event::Code(code) if !find(code).is_empty() => {
                let html = format!("<code>{}</code>", escaped_with_marks(code));
                *event = Event::InlineHtml(CowStr::from(html));
            }
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) if !find(dest_url).is_empty() => {
                let mut html = String::from("<a href=\"");
                let _ = escape_href(&mut html, dest_url);
                html.push_str("\" data-param-href=\"");
                let _ = escape_html(&mut html, dest_url);
                html.push('"');
                if !title.is_empty() {
                    html.push_str(" title=\"");
                    let _ = escape_html(&mut html, title);
                    html.push('"');
                }
                html.push('>');
                *event = Event::InlineHtml(CowStr::from(html));
                in_marked_link = true;
            }
            Event::End(TagEnd::Link) if in_marked_link => {
                *event = Event::InlineHtml(CowStr::from("</a>"));
                in_marked_link = false;
            }
            _ => {}
        }
    }
}

/// First of the private-use characters that stand for placeholders while a block is highlighted:
/// one character each, so no grammar can split or misread one (`<<` starts a heredoc in shell).
const STAND_IN: u32 = 0xF0000;

/// `code` with each placeholder replaced by a stand-in character, and the names in order of
/// their stand-ins; `None` when it has none, or already holds such characters.
pub(super) fn stand_ins(code: &str) -> Option<(String, Vec<&str>)> {
    let found = find(code);
    if found.is_empty()
        || code
            .chars()
            .any(|c| (STAND_IN..STAND_IN + 0x1_0000).contains(&(c as u32)))
    {
        return None;
    }
    let mut names: Vec<&str> = Vec::new();
    let mut out = String::with_capacity(code.len());
    let mut last = 0;
    for (range, name) in found {
        out.push_str(&code[last..range.start]);
        let index = names.iter().position(|n| *n == name).unwrap_or_else(|| {
            names.push(name);
            names.len() - 1
        });
        out.push(char::from_u32(STAND_IN + index as u32).unwrap_or('\u{FFFD}'));
        last = range.end;
    }
    out.push_str(&code[last..]);
    Some((out, names))
}

/// The highlighted `html` of a block with its stand-ins turned back into marked placeholders.
pub(super) fn restore(html: &str, names: &[&str]) -> String {
    let mut out = String::with_capacity(html.len() + names.len() * 48);
    for c in html.chars() {
        match (c as u32)
            .checked_sub(STAND_IN)
            .map(|i| names.get(i as usize))
        {
            Some(Some(name)) => out.push_str(&marked(name)),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lower_case_names_between_double_angle_brackets_are_placeholders() {
        fn names(text: &str) -> Vec<&str> {
            find(text).into_iter().map(|(_, n)| n).collect()
        }
        assert_eq!(
            names("kubectl --context <<cluster>> -n <<name_space2>>"),
            ["cluster", "name_space2"]
        );
        for text in [
            "{{ $labels.cluster }}",
            "{{< ref \"x\" >}}",
            "$VAR ${VAR}",
            "cat <<EOF\nx\nEOF",
            "<<EOF>>",
            "a << b >> c",
            "<<>>",
            "<<9x>>",
        ] {
            assert!(names(text).is_empty(), "{text}");
        }
        assert_eq!(names("<<<cluster>>>"), ["cluster"]);
    }

    #[test]
    fn stand_ins_round_trip() {
        let (code, names) = stand_ins("a <<x>> b <<y>> <<x>>").unwrap();
        assert_eq!(names, ["x", "y"]);
        assert_eq!(code.chars().count(), 9);
        let html = restore(&code, &names);
        assert_eq!(html.matches("data-param=\"x\"").count(), 2);
        assert!(html.contains("&lt;&lt;y&gt;&gt;</var>"));
    }
}
