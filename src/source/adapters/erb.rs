//! Embedded Ruby in GOV.UK tech docs and Middleman pages (`*.html.md.erb`): the markdown is run
//! through ERB before it is rendered. opsbook runs no Ruby; it reads what it can:
//!
//! - `<%= link_to "text", "/path" %>` is the link it writes: `[text](/path)`;
//! - comments (`<%# … %>`) vanish;
//! - everything else (`<%= partial "…" %>`, `<%= warning_text("…") %>`, loops) is shown as a
//!   visible placeholder holding the code, with a warning.
//!
//! Tags may span lines; each is replaced in place and its line breaks kept, so every later
//! position still points at the user's line. Fenced code blocks are left alone.

use std::collections::HashSet;
use std::ops::Range;

use super::body::{opens_fence, Problem};
use crate::markdown::closes_fence;

/// The body with its ERB read as the module says, or `None` when it has none; and what was not
/// run, once per kind of tag.
pub(crate) fn rewrite(body: &str) -> (Option<String>, Vec<Problem>) {
    if !body.contains("<%") {
        return (None, Vec::new());
    }
    let fences = fenced(body);
    let mut out = String::with_capacity(body.len());
    let mut problems = Vec::new();
    let mut reported = HashSet::new();
    let mut rest = 0;
    while let Some(found) = body[rest..].find("<%") {
        let start = rest + found;
        if let Some(fence) = fences.iter().find(|f| f.contains(&start)) {
            out.push_str(&body[rest..fence.end]);
            rest = fence.end;
            continue;
        }
        let Some(length) = body[start..].find("%>") else {
            break;
        };
        let end = start + length + 2;
        out.push_str(&body[rest..start]);
        let tag = &body[start..end];
        let inner = tag[2..tag.len() - 2].trim_end_matches('-').trim();
        match replacement(inner) {
            Some(text) => out.push_str(&text),
            None => {
                out.push_str(&placeholder(tag));
                let name = tag_name(inner);
                if reported.insert(name.clone()) {
                    let line = body[..start].matches('\n').count();
                    let column = start - body[..start].rfind('\n').map_or(0, |i| i + 1) + 1;
                    problems.push(Problem {
                        line,
                        column,
                        message: format!("ERB `{name}` is not run: shown as a placeholder"),
                    });
                }
            }
        }
        // The tag's line breaks stay, so the lines after it keep their numbers.
        out.push_str(&"\n".repeat(tag.matches('\n').count()));
        rest = end;
    }
    out.push_str(&body[rest..]);
    (Some(out), problems)
}

/// What a tag becomes when opsbook can read it: nothing for a comment, a link for `link_to`.
fn replacement(inner: &str) -> Option<String> {
    if inner.starts_with('#') {
        return Some(String::new());
    }
    let expression = inner.strip_prefix('=')?.trim_start_matches('=').trim();
    let arguments = expression.strip_prefix("link_to")?;
    let arguments = arguments.trim_start().trim_start_matches('(');
    let (text, after) = quoted(arguments)?;
    let after = after.trim_start().strip_prefix(',')?;
    let (url, _) = quoted(after.trim_start())?;
    let text = text.replace(['[', ']'], "");
    Some(format!("[{text}]({})", url.replace(' ', "%20")))
}

/// The string a quote opens at the start of `text`, and what follows it.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let close = text[1..].find(quote)? + 1;
    Some((&text[1..close], &text[close + 1..]))
}

/// `partial`, `warning_text`, `each`: the word a warning names the tag by.
fn tag_name(inner: &str) -> String {
    let expression = inner.trim_start_matches(['=', '-']).trim();
    if expression.contains(" do") || expression.starts_with("for ") {
        return "loop".into();
    }
    let word: String = expression
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let last = word.rsplit('.').next().unwrap_or("").to_string();
    if last.is_empty() {
        "code".into()
    } else {
        last
    }
}

fn placeholder(tag: &str) -> String {
    let code = crate::markdown::headings::escape_attr(&tag.replace(['\n', '\r'], " "));
    format!("<span class=\"erb-placeholder\" title=\"ERB, not run by opsbook\">{code}</span>")
}

/// The byte ranges of the fenced code blocks of `body`.
fn fenced(body: &str) -> Vec<Range<usize>> {
    let mut fences = Vec::new();
    let mut open: Option<(String, usize)> = None;
    let mut offset = 0;
    for raw in body.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        match &open {
            Some((marker, start)) if closes_fence(line, marker) => {
                fences.push(*start..offset + raw.len());
                open = None;
            }
            Some(_) => {}
            None => open = opens_fence(line).map(|marker| (marker, offset)),
        }
        offset += raw.len();
    }
    if let Some((_, start)) = open {
        fences.push(start..body.len());
    }
    fences
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_links_comments_vanish_the_rest_is_shown() {
        let body = "See <%= link_to \"the runbook\", \"/runbooks/x/\" %> now.\n\
                    <%# a note\nfor editors %>\n\
                    <%= partial \"partials/contact\" %>\n\
                    <%= warning_text(\"Careful\") %> and <%= partial 'x' %>\n";
        let (text, problems) = rewrite(body);
        let text = text.unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines[0], "See [the runbook](/runbooks/x/) now.");
        assert_eq!(lines[1], "", "the comment vanishes");
        assert_eq!(lines[2], "", "its line breaks stay");
        assert!(lines[3].starts_with("<span class=\"erb-placeholder\""));
        assert!(lines[3].contains("&lt;%= partial &quot;partials/contact&quot; %&gt;"));
        assert_eq!(body.matches('\n').count(), text.matches('\n').count());
        let messages: Vec<(usize, usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column, p.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (3, 1, "ERB `partial` is not run: shown as a placeholder"),
                (
                    4,
                    1,
                    "ERB `warning_text` is not run: shown as a placeholder"
                ),
            ]
        );
    }

    #[test]
    fn code_blocks_keep_their_erb() {
        let body = "```erb\n<%= partial \"x\" %>\n```\n<%= link_to('Home', '/') %>\n";
        let (text, problems) = rewrite(body);
        assert_eq!(
            text.unwrap(),
            "```erb\n<%= partial \"x\" %>\n```\n[Home](/)\n"
        );
        assert!(problems.is_empty());
    }
}
