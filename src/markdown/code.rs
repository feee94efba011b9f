//! Code blocks: highlighted by [`crate::highlight`], or, for diagrams and math, kept as their
//! source for the browser (mermaid) or the reader (TeX).

use std::collections::BTreeSet;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};

use super::{headings, params, Spanned};
use crate::highlight::Highlighter;

/// Highlights the code blocks of `events`, noting their classes in `classes`; returns whether
/// the page has a diagram for the browser to draw (a `mermaid` block, or one written in raw HTML).
pub(super) fn highlight_code(
    events: &mut Vec<Spanned<'_>>,
    highlighter: &Highlighter,
    classes: &mut BTreeSet<String>,
    placeholders: bool,
) -> bool {
    let mut diagrams = false;
    let mut out = Vec::with_capacity(events.len());
    let mut block: Option<(String, String, Range<usize>)> = None;
    for (event, range) in events.drain(..) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                block = Some((lang, String::new(), range));
            }
            Event::Text(text) if block.is_some() => {
                if let Some((_, code, _)) = block.as_mut() {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, code, range)) = block.take() {
                    if let Some(html) = diagram_or_math(&lang, &code) {
                        diagrams |= html.starts_with(DIAGRAM_START);
                        out.push((Event::Html(CowStr::from(html)), range));
                        continue;
                    }
                    let html = match placeholders.then(|| params::stand_ins(&code)).flatten() {
                        Some((code, names)) => {
                            params::restore(&highlighter.block(&lang, &code), &names)
                        }
                        None => highlighter.block(&lang, &code),
                    };
                    for class in crate::highlight::class_names(&html) {
                        if !classes.contains(class) {
                            classes.insert(class.to_string());
                        }
                    }
                    out.push((Event::Html(CowStr::from(html)), range));
                }
            }
            other => {
                if let Event::Html(html) | Event::InlineHtml(html) = &other {
                    diagrams |= html.contains(DIAGRAM_START);
                }
                out.push((other, range));
            }
        }
    }
    *events = out;
    diagrams
}

/// How a diagram for the browser's renderer starts.
const DIAGRAM_START: &str = "<pre class=\"mermaid\">";

/// `mermaid` blocks are drawn in the browser by the theme's renderer (loaded only on pages that
/// have one); `math` blocks are shown as their TeX source, set apart. Both stay readable as text.
fn diagram_or_math(lang: &str, code: &str) -> Option<String> {
    let class = match lang.split([' ', ',', '{']).next().unwrap_or("") {
        "mermaid" => "mermaid",
        "math" | "latex" | "tex" | "katex" => "math",
        _ => return None,
    };
    Some(format!(
        "<pre class=\"{class}\">{}</pre>\n",
        headings::escape_attr(code)
    ))
}
