//! Markdown → HTML for one page: CommonMark with GitHub's extensions, admonitions, heading ids
//! and anchors, a table of contents, rewritten links and highlighted code.
//!
//! The work is a chain of small passes over pulldown-cmark's events. Positions of links are kept
//! as lines of the user's file. This module knows nothing of the site beyond [`LinkTargets`].

mod admonitions;
mod code;
pub(crate) mod params;
mod policy;
mod text;

use crate::packed::PackedText;
pub(crate) use admonitions::closes_fence;
use admonitions::render_alerts;
use code::highlight_code;
pub(crate) use policy::{defused, runs_script};
use policy::{drop_script_urls, make_inert};
use text::{collect_text_facts, text_sections};
pub(crate) mod action_items;
pub(crate) mod headings;
mod inline;
pub(crate) mod links;
mod sections;

pub(crate) use sections::PackedSections;

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::diagnostic::LineIndex;
use crate::highlight::Highlighter;
pub(crate) use headings::{Heading, TocEntry};
pub(crate) use inline::inline;
pub use links::LinkTargets;
pub(crate) use links::Resolved;

pub(crate) type Spanned<'a> = (Event<'a>, Range<usize>);

/// Where the table of contents goes (`[[_TOC_]]`, `[TOC]` in other tools' handbooks); rendering
/// replaces it.
pub(crate) const TOC_MARKER: &str = "<!-- opsbook:toc -->";

/// What a page's markdown needs from the rest of the build.
pub struct Context<'a> {
    pub highlighter: &'a Highlighter,
    pub targets: &'a dyn LinkTargets,
    /// The page's source path, relative to `content/`, `/`-separated.
    pub source: &'a str,
    /// 1-based line of the body's first line in the file.
    pub first_line: usize,
    /// Drop a leading `# Title` that only repeats the page title.
    pub title: Option<&'a str>,
    /// Let HTML written in the markdown through; otherwise escape it. Links and images written
    /// in markdown never keep a URL that runs script.
    pub raw_html: bool,
    /// Mark `<<name>>` placeholders (a runbook's page): see [`params`].
    pub placeholders: bool,
}

/// An internal link to check once every page is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkRef {
    /// Page or section id, or `None` for a link to an anchor of this page.
    pub target: Option<usize>,
    pub anchor: Option<String>,
    pub href: String,
    pub line: usize,
    pub column: usize,
}

/// A link that leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrokenLink {
    pub href: String,
    pub reason: String,
    pub line: usize,
    pub column: usize,
}

/// The rendered page body and what was learnt on the way.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The body's HTML, compressed: see [`PackedText`].
    pub(crate) packed_html: PackedText,
    pub(crate) headings: Vec<Heading>,
    pub(crate) toc: Vec<TocEntry>,
    /// Ids a link may target: headings, footnotes, and `id="…"` in raw HTML.
    pub(crate) anchors: HashSet<String>,
    pub(crate) links: Vec<LinkRef>,
    pub(crate) broken: Vec<BrokenLink>,
    /// Links written from the site root (`/runbooks/x/`): kept as written, checked by `check`.
    pub(crate) rooted_links: Vec<LinkRef>,
    /// The first paragraph as plain text, at most 200 characters.
    pub summary: String,
    pub(crate) word_count: usize,
    /// The text of the first `# heading`, when the body starts with one.
    pub(crate) first_heading: Option<String>,
    /// The page cut at its headings, as plain text for the search index: see [`Rendered::sections`].
    pub(crate) packed_sections: PackedSections,
    /// The highlighting classes of its code blocks (the site's stylesheets hold them all).
    pub(crate) highlight_classes: BTreeSet<String>,
    /// The `<<name>>` placeholders written in code and link URLs, when they are marked.
    pub(crate) placeholders: Vec<params::Placeholder>,
    /// Whether the body has a diagram the browser draws (the theme loads its renderer then).
    pub(crate) diagrams: bool,
}

impl Rendered {
    /// The body's HTML.
    pub fn html(&self) -> String {
        self.packed_html.unpack()
    }

    /// The page cut at its headings, as plain text for the search index.
    pub(crate) fn sections(&self) -> Vec<TextSection> {
        self.packed_sections.unpack()
    }
}

/// The plain text of one heading's section (or of the introduction before the first heading).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TextSection {
    /// The heading's id; `None` for the introduction.
    pub id: Option<String>,
    /// The headings above this one and this one, outermost first.
    pub path: Vec<String>,
    pub text: String,
}

/// The text of the first level-1 heading, used as a title when front matter has none.
pub(crate) fn first_heading(body: &str) -> Option<String> {
    let parser = Parser::new_ext(body, options());
    let mut inside = false;
    let mut text = String::new();
    for event in parser {
        match event {
            Event::Start(Tag::Heading {
                level: pulldown_cmark::HeadingLevel::H1,
                ..
            }) => inside = true,
            Event::End(TagEnd::Heading(_)) if inside => return Some(text.trim().to_string()),
            Event::Text(t) | Event::Code(t) if inside => text.push_str(&t),
            Event::Start(Tag::Heading { .. }) => return None,
            _ => {}
        }
    }
    None
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Renders a page body.
pub fn render(body: &str, context: &Context<'_>) -> Rendered {
    let lines = admonitions::rewrite(body);
    let mut text = String::with_capacity(body.len() + 256);
    let mut sources = Vec::with_capacity(lines.len());
    for (line, source) in &lines {
        text.push_str(line);
        text.push('\n');
        sources.push(*source);
    }
    let position = Positions {
        index: LineIndex::new(&text),
        text: &text,
        sources,
        first_line: context.first_line,
    };

    let mut events: Vec<Spanned<'_>> = Parser::new_ext(&text, options())
        .into_offset_iter()
        .collect();
    if !context.raw_html {
        let written: Vec<&str> = body.lines().collect();
        let generated = |offset: usize| {
            let (line, _) = position.index.position(&text, offset);
            let source = written
                .get(position.sources[line - 1])
                .copied()
                .unwrap_or("");
            text[offset..]
                .lines()
                .next()
                .is_some_and(|l| admonitions::is_wrapper(l, source) || l.trim() == TOC_MARKER)
        };
        make_inert(&mut events, generated);
    }
    drop_script_urls(&mut events);
    let mut rendered = Rendered::default();
    drop_repeated_title(&mut events, context.title, &mut rendered);
    let mut taken = HashSet::new();
    rendered.headings = headings::assign_ids(&mut events, &mut taken);
    rendered.toc = headings::toc(&rendered.headings);
    rendered.anchors = taken;
    rewrite_links(&mut events, context, &position, &mut rendered);
    collect_text_facts(&events, &mut rendered);
    rendered.packed_sections = PackedSections::pack(&text_sections(&events, &rendered.headings));
    if context.placeholders {
        rendered.placeholders = params::collect(&events, &text, |o| position.at(o));
    }
    rendered.diagrams = highlight_code(
        &mut events,
        context.highlighter,
        &mut rendered.highlight_classes,
        context.placeholders,
    );
    if context.placeholders {
        params::mark(&mut events);
    }
    render_alerts(&mut events);

    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter().map(|(e, _)| e));
    if html.contains(TOC_MARKER) {
        let toc = format!(
            "<nav class=\"toc-marker\" aria-label=\"Contents\">{}</nav>",
            toc_html(&rendered.toc)
        );
        html = html.replace(TOC_MARKER, &toc);
    }
    rendered.packed_html = PackedText::pack(&html);
    rendered
}

/// Maps offsets in the rewritten text back to lines of the user's file.
struct Positions<'t> {
    index: LineIndex,
    text: &'t str,
    sources: Vec<usize>,
    first_line: usize,
}

impl Positions<'_> {
    fn at(&self, offset: usize) -> (usize, usize) {
        let (line, column) = self.index.position(self.text, offset);
        let source = self.sources.get(line - 1).copied().unwrap_or(line - 1);
        (self.first_line + source, column)
    }
}

fn drop_repeated_title(
    events: &mut Vec<Spanned<'_>>,
    title: Option<&str>,
    rendered: &mut Rendered,
) {
    let Some((
        Event::Start(Tag::Heading {
            level: pulldown_cmark::HeadingLevel::H1,
            ..
        }),
        _,
    )) = events.first()
    else {
        return;
    };
    let Some(end) = events
        .iter()
        .position(|(e, _)| matches!(e, Event::End(TagEnd::Heading(_))))
    else {
        return;
    };
    let text = headings::plain_text(&events[1..end]);
    let repeats = title.is_some_and(|t| says_the_same(t, &text));
    rendered.first_heading = Some(text.trim().to_string());
    if repeats {
        events.drain(..=end);
    }
}

/// Whether a page's title and the heading its body starts with say the same thing, in the same
/// or other words (`Disk full` and `# Disk full runbook`, `Install` and `# Install the agent`):
/// the words of the shorter are all in the longer. The page then shows one title.
fn says_the_same(title: &str, heading: &str) -> bool {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (title, heading) = (words(title), words(heading));
    let (short, long) = if title.len() <= heading.len() {
        (&title, &heading)
    } else {
        (&heading, &title)
    };
    !short.is_empty() && short.iter().all(|w| long.contains(w))
}

fn rewrite_links(
    events: &mut [Spanned<'_>],
    context: &Context<'_>,
    position: &Positions<'_>,
    rendered: &mut Rendered,
) {
    for (event, range) in events.iter_mut() {
        let dest = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) if !matches!(
                link_type,
                pulldown_cmark::LinkType::Autolink | pulldown_cmark::LinkType::Email
            ) =>
            {
                dest_url
            }
            Event::Start(Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        let href = dest.to_string();
        let (line, column) = position.at(range.start);
        let anchor = href
            .split_once('#')
            .map(|(_, a)| a.to_string())
            .filter(|a| !a.is_empty());
        match links::resolve(&href, context.source, context.targets) {
            Resolved::Keep => {
                if href.starts_with('#') {
                    rendered.links.push(LinkRef {
                        target: None,
                        anchor,
                        href,
                        line,
                        column,
                    });
                }
            }
            Resolved::Rewrite { url, target } => {
                *dest = CowStr::from(url);
                let link = LinkRef {
                    target,
                    anchor,
                    href,
                    line,
                    column,
                };
                if target.is_some() {
                    rendered.links.push(link);
                } else if link.href.starts_with('/') {
                    rendered.rooted_links.push(link);
                }
            }
            Resolved::Missing { reason } => rendered.broken.push(BrokenLink {
                href,
                reason,
                line,
                column,
            }),
        }
    }
}

/// An inline table of contents where GitLab's `[[_TOC_]]` stood.
fn toc_html(entries: &[TocEntry]) -> String {
    let mut html = String::from("<ul>");
    for entry in entries {
        html.push_str(&format!(
            "<li><a href=\"#{}\">{}</a>",
            headings::escape_attr(&entry.id),
            entry.title
        ));
        if !entry.children.is_empty() {
            html.push_str(&toc_html(&entry.children));
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    html
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    struct NoTargets;
    impl LinkTargets for NoTargets {
        fn page_at(&self, path: &str) -> Option<(usize, &str)> {
            (path == "runbooks/disk.md").then_some((7, "/runbooks/disk/"))
        }
        fn asset_exists(&self, _: &str) -> bool {
            false
        }
        fn file(&self, path: &str) -> String {
            format!("content/{path}")
        }
        fn base_path(&self) -> &str {
            "/"
        }
    }

    pub(crate) fn render_text(body: &str) -> Rendered {
        render_with(body, Some("Title"), true)
    }

    pub(crate) fn render_untrusted(body: &str) -> Rendered {
        render_with(body, None, false)
    }

    fn render_with(body: &str, title: Option<&str>, raw_html: bool) -> Rendered {
        let highlighter = Highlighter::new(None);
        let context = Context {
            highlighter: &highlighter,
            targets: &NoTargets,
            source: "processes/p.md",
            first_line: 5,
            title,
            raw_html,
            placeholders: true,
        };
        render(body, &context)
    }

    #[test]
    fn a_page_knows_when_it_has_a_diagram_for_the_browser() {
        for (body, drawn) in [
            ("```mermaid\ngraph TD; A-->B\n```\n", true),
            ("<pre class=\"mermaid\">graph TD; A-->B</pre>\n", true),
            ("```bash\necho '<pre class=\"mermaid\">'\n```\n", false),
            ("```math\nx^2\n```\n\nText.\n", false),
        ] {
            assert_eq!(render_text(body).diagrams, drawn, "{body}");
        }
        // Raw HTML that does not pass draws nothing.
        let untrusted = render_untrusted("<pre class=\"mermaid\">graph TD; A-->B</pre>\n");
        assert!(!untrusted.html().contains("<pre class=\"mermaid\">"));
        assert!(!untrusted.diagrams);
    }

    #[test]
    fn a_first_heading_that_says_the_title_in_other_words_is_not_shown_twice() {
        for (title, body) in [
            ("Install", "# Install the agent\n\nRun it.\n"),
            ("Disk full runbook", "# Disk full\n\nFree space.\n"),
            (
                "Restart the API",
                "# restart the api!\n\nOne node at a time.\n",
            ),
        ] {
            let out = render_with(body, Some(title), true);
            assert!(!out.html().contains("<h1"), "{title}: {}", out.html());
        }
        let out = render_with("# Something else\n\nText.\n", Some("Install"), true);
        assert!(out.html().contains("<h1"), "{}", out.html());
    }

    #[test]
    fn headings_get_unique_ids_and_anchors() {
        let out = render_text("# Title\n\n## Verify\n\n## Verify\n\n## Roll back {#rollback}\n");
        assert!(
            !out.html().contains("<h1"),
            "repeated title is dropped: {}",
            out.html()
        );
        assert!(out
            .html()
            .contains("<h2 id=\"verify\"><a href=\"#verify\">Verify</a></h2>"));
        assert!(out.html().contains("<h2 id=\"verify-1\">"));
        assert!(out.html().contains("<h2 id=\"rollback\">"));
        assert_eq!(out.toc.len(), 3);
    }

    #[test]
    fn a_heading_holding_a_link_gets_a_separate_anchor() {
        let out = render_text("## See [the dashboard](https://grafana.example.com/)\n");
        let html = out.html();
        assert!(
            html.contains("<a href=\"https://grafana.example.com/\">the dashboard</a> <a class=\"anchor\" href=\"#see-the-dashboard\" aria-label=\"Link to this section\">#</a></h2>"),
            "{html}"
        );
        assert!(!html.contains("<h2 id=\"see-the-dashboard\"><a"), "{html}");
    }

    #[test]
    fn links_are_rewritten_with_file_lines() {
        let out = render_text(
            "Intro.\n\nSee [disk](../runbooks/disk.md#step-2) and [gone](../nope.md).\n",
        );
        assert!(out.html().contains("href=\"/runbooks/disk/#step-2\""));
        assert_eq!(out.links[0].target, Some(7));
        assert_eq!(out.links[0].anchor.as_deref(), Some("step-2"));
        assert_eq!((out.broken[0].line, out.broken[0].column), (7, 44));
    }

    #[test]
    fn alerts_and_admonitions_render_as_admonitions() {
        let out = render_text(
            "> [!WARNING]\n> Careful.\n\n!!! tip \"Fast\"\n    Quick.\n\n:::danger\nStop.\n:::\n",
        );
        assert!(out.html().contains("<div class=\"admonition warning\" role=\"note\"><p class=\"admonition-title\">Warning</p>"));
        assert!(out.html().contains("<div class=\"admonition tip\">\n<p class=\"admonition-title\">Fast</p>\n<p>Quick.</p>"), "{}", out.html());
        assert!(out.html().contains("<div class=\"admonition danger\">"));
    }

    #[test]
    fn code_is_highlighted_and_summary_taken() {
        let out = render_text("First *para*\ngraph.\n\n```yaml\na: 1\n```\n");
        assert!(out
            .html()
            .contains("<pre class=\"code\" data-lang=\"yaml\"><code><span class=h"));
        assert_eq!(out.summary, "First para graph.");
    }

    #[test]
    fn gfm_extensions_render() {
        let out = render_text("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] open\n\n~~old~~ and a note[^1].\n\n[^1]: Footnote.\n");
        assert!(out.html().contains("<table>"));
        assert!(out.html().contains("type=\"checkbox\""));
        assert!(out.html().contains("<del>old</del>"));
        assert!(out.anchors.contains("1"));
    }
}
