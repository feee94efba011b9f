//! Admonitions in the syntaxes existing handbooks use, turned into HTML wrappers around
//! markdown before parsing:
//!
//! - MkDocs: `!!! warning "Title"` with a 4-space indented body; `???` collapsible, `???+` open.
//! - Docusaurus: `:::tip Title` (or `:::tip[Title]`) … `:::`, nesting with longer fences.
//!
//! The wrapper lines are HTML blocks separated by blank lines, so the body stays markdown. Every
//! output line remembers its source line, so later errors still point at the user's file.
//! Fenced code blocks are left alone. GitHub's alerts (`> [!WARNING]`) are parsed by
//! pulldown-cmark and given the same markup afterwards ([`render_alerts`]).

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};

use super::Spanned;

/// A line of the rewritten text and the 0-based source line it came from.
pub(super) type Line = (String, usize);

/// Rewrites admonitions in `text`; returns the new lines with their source lines.
pub(super) fn rewrite(text: &str) -> Vec<Line> {
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (l.to_string(), i))
        .collect();
    if !text.contains("!!!") && !text.contains("???") && !text.contains(":::") {
        return lines;
    }
    rewrite_lines(lines)
}

fn rewrite_lines(lines: Vec<Line>) -> Vec<Line> {
    let mut out = Vec::with_capacity(lines.len());
    let mut fence: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let (text, source) = &lines[i];
        if let Some(open) = &fence {
            if closes_fence(text, open) {
                fence = None;
            }
            out.push(lines[i].clone());
            i += 1;
            continue;
        }
        if let Some(marker) = opens_fence(text) {
            fence = Some(marker);
            out.push(lines[i].clone());
            i += 1;
            continue;
        }
        if let Some(head) = MkDocsHead::parse(text) {
            let end = mkdocs_body_end(&lines, i + 1, head.indent);
            let body: Vec<Line> = lines[i + 1..end]
                .iter()
                .map(|(l, s)| (dedent(l, head.indent + 4), *s))
                .collect();
            push_block(&mut out, &head.block, rewrite_lines(body), *source);
            i = end;
            continue;
        }
        if let Some((colons, block)) = docusaurus_head(text) {
            if let Some(end) = docusaurus_end(&lines, i + 1, colons) {
                let body = lines[i + 1..end].to_vec();
                push_block(&mut out, &block, rewrite_lines(body), *source);
                i = end + 1;
                continue;
            }
        }
        out.push(lines[i].clone());
        i += 1;
    }
    out
}

/// What an admonition looks like once rendered.
struct Block {
    indent: String,
    kind: String,
    title: Option<String>,
    /// `None`: always open; `Some(open)`: a `<details>`, open or not.
    collapsible: Option<bool>,
}

fn push_block(out: &mut Vec<Line>, block: &Block, body: Vec<Line>, source: usize) {
    let indent = &block.indent;
    let (open_tag, close_tag, title_tag) = match block.collapsible {
        None => (
            format!("<div class=\"admonition {}\">", block.kind),
            "</div>",
            "p",
        ),
        Some(open) => (
            format!(
                "<details class=\"admonition {}\"{}>",
                block.kind,
                if open { " open" } else { "" }
            ),
            "</details>",
            "summary",
        ),
    };
    out.push((String::new(), source));
    out.push((format!("{indent}{open_tag}"), source));
    let title = block
        .title
        .clone()
        .unwrap_or_else(|| capitalize(&block.kind));
    if !title.is_empty() || block.collapsible.is_some() {
        let title = pulldown_cmark_escape_text(&title);
        out.push((
            format!("{indent}<{title_tag} class=\"admonition-title\">{title}</{title_tag}>"),
            source,
        ));
    }
    out.push((String::new(), source));
    let last_source = body.last().map_or(source, |(_, s)| *s);
    out.extend(body);
    out.push((String::new(), last_source));
    out.push((format!("{indent}{close_tag}"), last_source));
    out.push((String::new(), last_source));
}

/// Whether `line`, which came from the user's line `source`, is one of the wrapper lines
/// [`push_block`] writes (their only text, the title, is escaped), not HTML the user wrote.
pub(super) fn is_wrapper(line: &str, source: &str) -> bool {
    let line = line.trim();
    let wrapper = line.starts_with("<div class=\"admonition ")
        || line.starts_with("<details class=\"admonition ")
        || line.starts_with("<p class=\"admonition-title\">")
        || line.starts_with("<summary class=\"admonition-title\">")
        || line == "</div>"
        || line == "</details>";
    wrapper && !source.contains(line)
}

fn pulldown_cmark_escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let _ = pulldown_cmark_escape::escape_html(&mut escaped, text);
    escaped
}

struct MkDocsHead {
    indent: usize,
    block: Block,
}

impl MkDocsHead {
    /// `!!! type "title"`, `???+ type`, `!!!tip` (no space).
    fn parse(line: &str) -> Option<MkDocsHead> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let (collapsible, rest) = if let Some(r) = rest.strip_prefix("???+") {
            (Some(true), r)
        } else if let Some(r) = rest.strip_prefix("???") {
            (Some(false), r)
        } else if let Some(r) = rest.strip_prefix("!!!") {
            (None, r)
        } else {
            return None;
        };
        let rest = rest.trim();
        let (words, title) = match rest.find('"') {
            Some(q) => {
                let title = rest[q + 1..].strip_suffix('"')?;
                (&rest[..q], Some(title.to_string()))
            }
            None => (rest, None),
        };
        let kind = words.split_whitespace().next()?;
        let kind = class_name(kind)?;
        let indent_text = " ".repeat(indent);
        Some(MkDocsHead {
            indent,
            block: Block {
                indent: indent_text,
                kind,
                title,
                collapsible,
            },
        })
    }
}

/// The body is every following line indented past the marker, or blank; trailing blanks excluded.
fn mkdocs_body_end(lines: &[Line], start: usize, indent: usize) -> usize {
    let mut end = start;
    let mut last_content = start;
    while end < lines.len() {
        let line = &lines[end].0;
        if line.trim().is_empty() {
            end += 1;
            continue;
        }
        if indentation(line) >= indent + 4 {
            end += 1;
            last_content = end;
        } else {
            break;
        }
    }
    last_content
}

fn docusaurus_head(line: &str) -> Option<(usize, Block)> {
    let indent = line.len() - line.trim_start().len();
    let rest = line.trim();
    let colons = rest.len() - rest.trim_start_matches(':').len();
    if colons < 3 {
        return None;
    }
    let rest = &rest[colons..];
    let kind_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(rest.len());
    let kind = class_name(&rest[..kind_end])?;
    let after = rest[kind_end..].trim();
    let title = if let Some(bracketed) = after.strip_prefix('[') {
        Some(bracketed.strip_suffix(']')?.to_string())
    } else if after.is_empty() {
        None
    } else {
        Some(after.to_string())
    };
    let block = Block {
        indent: line[..indent].to_string(),
        kind,
        title,
        collapsible: None,
    };
    Some((colons, block))
}

fn docusaurus_end(lines: &[Line], start: usize, colons: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut fence: Option<String> = None;
    for (offset, (line, _)) in lines[start..].iter().enumerate() {
        if let Some(open) = &fence {
            if closes_fence(line, open) {
                fence = None;
            }
            continue;
        }
        if let Some(marker) = opens_fence(line) {
            fence = Some(marker);
            continue;
        }
        let trimmed = line.trim();
        if trimmed.len() >= 3 && trimmed.chars().all(|c| c == ':') {
            if depth == 0 && trimmed.len() == colons {
                return Some(start + offset);
            }
            depth = depth.saturating_sub(1);
        } else if let Some((inner, _)) = docusaurus_head(line) {
            if inner == colons {
                depth += 1;
            }
        }
    }
    None
}

/// An admonition type as a CSS class: ASCII letters, digits and `-` only, lowercased.
fn class_name(kind: &str) -> Option<String> {
    let ok = !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then(|| kind.to_ascii_lowercase())
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

fn indentation(line: &str) -> usize {
    line.chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

fn dedent(line: &str, columns: usize) -> String {
    let mut removed = 0;
    let mut start = 0;
    for (i, c) in line.char_indices() {
        if removed >= columns || !(c == ' ' || c == '\t') {
            break;
        }
        removed += if c == '\t' { 4 } else { 1 };
        start = i + 1;
    }
    line[start..].to_string()
}

/// A code fence opener (```` ``` ```` or `~~~`, up to 3 spaces of indent), returning its marker.
pub(super) fn opens_fence(line: &str) -> Option<String> {
    if indentation(line) > 3 {
        return None;
    }
    let trimmed = line.trim_start();
    for ch in ['`', '~'] {
        let count = trimmed.chars().take_while(|c| *c == ch).count();
        if count >= 3 {
            return Some(ch.to_string().repeat(count));
        }
    }
    None
}

/// Whether `line` closes a code fence opened with `marker` (three or more of one character).
pub(crate) fn closes_fence(line: &str, marker: &str) -> bool {
    let trimmed = line.trim();
    trimmed.starts_with(marker) && trimmed.chars().all(|c| c == marker.as_bytes()[0] as char)
}

/// GitHub alerts (`> [!WARNING]`) become the same markup as admonitions.
pub(super) fn render_alerts(events: &mut [Spanned<'_>]) {
    for (event, _) in events.iter_mut() {
        match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, title) = alert_name(*kind);
                *event = Event::Html(CowStr::from(format!(
                    "<div class=\"admonition {class}\" role=\"note\"><p class=\"admonition-title\">{title}</p>\n"
                )));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                *event = Event::Html(CowStr::from("</div>\n"))
            }
            _ => {}
        }
    }
}

fn alert_name(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|(l, _)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn mkdocs_admonition_with_title_and_indented_body() {
        let out = rewrite(
            "intro\n\n!!! warning \"Mind the <gap>\"\n    Body **bold**.\n\n    More.\n\nafter\n",
        );
        let html = text(&out);
        assert!(
            html.contains("<div class=\"admonition warning\">"),
            "{html}"
        );
        assert!(html.contains("<p class=\"admonition-title\">Mind the &lt;gap&gt;</p>"));
        assert!(html.contains("\nBody **bold**.\n\nMore.\n"));
        assert!(html.trim_end().ends_with("after"));
        // The body line keeps its source line (0-based 3).
        assert!(out.iter().any(|(l, s)| l == "Body **bold**." && *s == 3));
    }

    #[test]
    fn collapsible_and_open_variants() {
        assert!(text(&rewrite("??? note\n    x\n")).contains("<details class=\"admonition note\">"));
        assert!(text(&rewrite("???+ tip \"T\"\n    x\n"))
            .contains("<details class=\"admonition tip\" open>"));
        assert!(text(&rewrite("!!!tip\n    x\n")).contains("admonition tip"));
    }

    #[test]
    fn docusaurus_blocks_nest_and_take_titles() {
        let out = text(&rewrite(
            ":::danger Take care\nouter\n\n::::note\ninner\n::::\n:::\n",
        ));
        assert!(out.contains("<div class=\"admonition danger\">"));
        assert!(out.contains(">Take care<"));
        let out = text(&rewrite("::::tip[Nested]\n:::note\ninner\n:::\n::::\n"));
        assert_eq!(out.matches("<div class=\"admonition").count(), 2, "{out}");
    }

    #[test]
    fn code_fences_are_untouched() {
        let source = "```\n!!! note\n    x\n:::tip\n```\n";
        assert_eq!(text(&rewrite(source)), source.trim_end());
    }

    #[test]
    fn unclosed_docusaurus_block_is_left_as_text() {
        assert_eq!(text(&rewrite(":::tip\nno end\n")), ":::tip\nno end");
    }
}
