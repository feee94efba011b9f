//! What the rest of the site reads of a page's text besides its HTML: the word count and
//! summary, the anchors HTML in the page defines, and the text of each heading's section for the
//! search index.

use std::collections::HashSet;

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

use super::{Heading, Rendered, Spanned, TextSection};

/// Word count and summary (prose only, code left out), and anchors other than headings.
pub(super) fn collect_text_facts(events: &[Spanned<'_>], rendered: &mut Rendered) {
    let mut in_code = false;
    let mut in_paragraph = false;
    let mut summary_done = false;
    let mut summary = String::new();
    for (event, _) in events {
        match event {
            Event::Start(Tag::Paragraph) => in_paragraph = true,
            Event::End(TagEnd::Paragraph) => {
                in_paragraph = false;
                summary_done |= !summary.is_empty();
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(_) if in_code => {}
            Event::Text(text) | Event::Code(text) => {
                rendered.word_count += text.split_whitespace().count();
                if in_paragraph && !summary_done {
                    summary.push_str(text);
                }
            }
            Event::SoftBreak | Event::HardBreak if in_paragraph && !summary_done => {
                summary.push(' ')
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                rendered.anchors.insert(name.to_string());
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                collect_html_ids(html, &mut rendered.anchors)
            }
            _ => {}
        }
    }
    rendered.summary = truncate_words(summary.trim(), 200);
}

/// Cuts the page's text at its headings. Code is kept where people search it (commands, queries,
/// log and error lines) and left out where it is mostly noise (configuration and programs).
pub(super) fn text_sections(events: &[Spanned<'_>], headings: &[Heading]) -> Vec<TextSection> {
    let mut sections = vec![TextSection::default()];
    let mut path: Vec<(u8, String)> = Vec::new();
    let mut headings = headings.iter().peekable();
    let mut in_heading = false;
    let mut in_code: Option<bool> = None;
    for (index, (event, _)) in events.iter().enumerate() {
        if let Some(heading) = headings.peek() {
            if index == heading.start_event {
                in_heading = true;
                continue;
            }
            if index == heading.end_event {
                in_heading = false;
                path.retain(|(level, _)| *level < heading.level);
                path.push((heading.level, heading.text.clone()));
                sections.push(TextSection {
                    id: Some(heading.id.clone()),
                    path: path.iter().map(|(_, text)| text.clone()).collect(),
                    text: String::new(),
                });
                headings.next();
                continue;
            }
        }
        if in_heading {
            continue;
        }
        let text = &mut sections.last_mut().expect("always one section").text;
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                in_code = Some(searchable_code(lang));
            }
            Event::End(TagEnd::CodeBlock) => in_code = None,
            Event::Text(t) | Event::Code(t) if in_code != Some(false) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
    }
    for section in &mut sections {
        section.text = collapse_whitespace(&section.text);
    }
    sections.retain(|s| s.id.is_some() || !s.text.is_empty());
    sections
}

/// `text`'s words, one space between each, in one pass and one allocation.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Shell sessions, SQL and plain text carry what on-call engineers type and read.
fn searchable_code(lang: &str) -> bool {
    matches!(
        lang.to_ascii_lowercase().as_str(),
        "" | "bash"
            | "sh"
            | "shell"
            | "console"
            | "shell-session"
            | "zsh"
            | "text"
            | "txt"
            | "plain"
            | "plaintext"
            | "log"
            | "sql"
            | "psql"
            | "promql"
    )
}

pub(super) fn collect_html_ids(html: &str, anchors: &mut HashSet<String>) {
    for (i, _) in html.match_indices(" id=\"") {
        let rest = &html[i + 5..];
        if let Some(end) = rest.find('"') {
            anchors.insert(rest[..end].to_string());
        }
    }
}

fn truncate_words(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::super::tests::render_text;

    #[test]
    fn sections_follow_headings_and_skip_config_code() {
        let out = render_text("Intro text.\n\n## Disk full\n\nRun `df`.\n\n```bash\ndf -h /var\n```\n\n```yaml\nkey: noise\n```\n\n### Verify\n\nCheck it.\n\n## Escalate\n\nPage the team.\n");
        let sections = out.sections();
        let sections: Vec<(Option<&str>, String, &str)> = sections
            .iter()
            .map(|s| (s.id.as_deref(), s.path.join(" > "), s.text.as_str()))
            .collect();
        assert_eq!(
            sections,
            vec![
                (None, String::new(), "Intro text."),
                (Some("disk-full"), "Disk full".into(), "Run df. df -h /var"),
                (Some("verify"), "Disk full > Verify".into(), "Check it."),
                (Some("escalate"), "Escalate".into(), "Page the team."),
            ]
        );
    }
}
