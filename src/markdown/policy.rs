//! The link policy every piece of markdown the site renders goes through: a URL that would run
//! script (`javascript:`, `vbscript:`, `data:`) never becomes a link, whatever the handbook
//! allows; and, for handbooks that take outside contributions (`[markdown] raw_html = false`),
//! HTML becomes the text it was written as. Page bodies use [`drop_script_urls`] and
//! [`make_inert`]; one-line markdown ([`super::inline`]) and anything else that writes a link
//! from user text uses [`runs_script`]; markdown published as markdown (the status APIs) goes
//! out [`defused`].

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};

use super::Spanned;

/// A link or image written in markdown whose URL would run script points nowhere. HTML written
/// as HTML is left to [`make_inert`]: with `raw_html` on, it is trusted as it is.
pub(super) fn drop_script_urls(events: &mut [Spanned<'_>]) {
    for (event, _) in events.iter_mut() {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event {
            if runs_script(dest_url) {
                *dest_url = CowStr::Borrowed("#");
            }
        }
    }
}

/// For handbooks that take outside contributions: HTML becomes the text it was written as.
/// `generated(offset)` tells the HTML opsbook itself wrote (admonition wrappers), which stays.
pub(super) fn make_inert(events: &mut [Spanned<'_>], generated: impl Fn(usize) -> bool) {
    for (event, range) in events.iter_mut() {
        match event {
            Event::Html(_) if generated(range.start) => {}
            Event::Html(html) | Event::InlineHtml(html) => {
                *event = Event::Text(std::mem::replace(html, CowStr::Borrowed("")));
            }
            _ => {}
        }
    }
}

/// Whether a browser would run `url` as script: its scheme, read as browsers read it (case
/// ignored, tabs, newlines and leading controls dropped), is `javascript`, `vbscript` or `data`.
pub(crate) fn runs_script(url: &str) -> bool {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take_while(|&c| c != ':')
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    url.contains(':') && matches!(scheme.as_str(), "javascript" | "vbscript" | "data")
}

/// How many times [`defused`] reads a text again: taking a link apart can make a new one of
/// the brackets around it (`[[a](javascript:x)](javascript:y)`), which the next reading finds.
const DEFUSE_ROUNDS: usize = 8;

/// `text`, still markdown, with every link or image whose URL would run script replaced by its
/// text: for the status APIs, whose readers render a message as markdown. Other links, and
/// everything else, stay as written.
pub(crate) fn defused(text: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(text);
    for _ in 0..DEFUSE_ROUNDS {
        let cuts = script_link_syntax(&text);
        if cuts.is_empty() {
            return text;
        }
        let mut kept = String::with_capacity(text.len());
        let mut at = 0;
        for cut in cuts {
            kept.push_str(&text[at..cut.start]);
            at = cut.end;
        }
        kept.push_str(&text[at..]);
        text = Cow::Owned(kept);
    }
    // Brackets nested on purpose to outlast the rounds: no link or image without them.
    Cow::Owned(
        text.replace('[', "\\[")
            .replace(']', "\\]")
            .replace('<', "\\<"),
    )
}

/// A link or image being read whose URL would run script: its range, and the range of its text
/// so far.
struct ScriptLink {
    whole: Range<usize>,
    text: Option<Range<usize>>,
}

/// The syntax around the text of each link or image of `text` whose URL would run script (its
/// brackets, destination, title or reference), sorted; the text itself is left out.
fn script_link_syntax(text: &str) -> Vec<Range<usize>> {
    let mut cuts = Vec::new();
    // Every link and image being read, `None` for those that are fine.
    let mut open: Vec<Option<ScriptLink>> = Vec::new();
    for (event, range) in Parser::new_ext(text, super::options()).into_offset_iter() {
        if matches!(event, Event::End(TagEnd::Link | TagEnd::Image)) {
            if let Some(Some(link)) = open.pop() {
                let inner = link.text.unwrap_or(link.whole.end..link.whole.end);
                cuts.push(link.whole.start..inner.start);
                cuts.push(inner.end..link.whole.end);
            }
        }
        // What lies inside an open script link is its text.
        for link in open.iter_mut().flatten() {
            let inner = link.text.get_or_insert(range.clone());
            inner.start = inner.start.min(range.start);
            inner.end = inner.end.max(range.end);
        }
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &event {
            open.push(runs_script(dest_url).then(|| ScriptLink {
                whole: range.clone(),
                text: None,
            }));
        }
    }
    cuts.retain(|cut| !cut.is_empty());
    cuts.sort_by_key(|cut| cut.start);
    cuts
}

#[cfg(test)]
mod tests {
    use super::super::tests::{render_text, render_untrusted};

    #[test]
    fn raw_html_off_escapes_html_and_drops_script_urls() {
        let body = "<script>alert(1)</script>\n\nText <img src=x onerror=alert(2)> and <b>bold</b>.\n\n[a](javascript:alert(3)) [b](JaVa%09Script:x) [c](java\tscript:x) <javascript:alert(4)> ![d](data:text/html;base64,PHNjcmlwdD4=) [e](vbscript:x) [ok](https://example.com/javascript:x) [rel](../runbooks/disk.md)\n\n!!! warning \"Mind <this>\"\n    <iframe src=x></iframe>\n\n## Heading\n";
        let html = render_untrusted(body).html();
        for live in [
            "<script",
            "<img src=x",
            "<b>",
            "<iframe",
            "href=\"javascript",
            "href=\"vbscript",
            "src=\"data:",
        ] {
            assert!(!html.contains(live), "{live} got through:\n{html}");
        }
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("&lt;img src=x onerror=alert(2)&gt;"),
            "{html}"
        );
        // Three links and an image lose their URLs; a percent-encoded tab is no scheme at all.
        assert_eq!(html.matches("=\"#\"").count(), 4, "{html}");
        assert!(html.contains("href=\"JaVa%09Script:x\""), "{html}");
        assert!(html.contains("href=\"https://example.com/javascript:x\""));
        assert!(html.contains("href=\"/runbooks/disk/\""));
        // What opsbook writes itself stays HTML.
        assert!(
            html.contains("<div class=\"admonition warning\">"),
            "{html}"
        );
        assert!(html.contains("<p class=\"admonition-title\">Mind &lt;this&gt;</p>"));
        assert!(
            html.contains("&lt;iframe src=x&gt;&lt;/iframe&gt;"),
            "{html}"
        );
        assert!(html.contains("<h2 id=\"heading\">"), "{html}");
    }

    #[test]
    fn raw_html_on_lets_html_through() {
        let html =
            render_text("<div class=\"custom\">kept</div>\n\nA <kbd>Ctrl</kbd> key.\n").html();
        assert!(html.contains("<div class=\"custom\">kept</div>"), "{html}");
        assert!(html.contains("<kbd>Ctrl</kbd>"), "{html}");
    }

    #[test]
    fn raw_html_on_still_drops_script_urls_written_in_markdown() {
        let html = render_text("[a](javascript:alert(1)) ![b](<java\tscript:x>) <VBScript:x> [c][r] [ok](https://example.com/)\n\n[r]: data:text/html,x\n").html();
        assert_eq!(html.matches("=\"#\"").count(), 4, "{html}");
        assert!(!html.contains("script:"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.com/\">ok</a>"),
            "{html}"
        );
    }

    #[test]
    fn defused_markdown_keeps_the_text_of_script_links_and_everything_else() {
        for (text, expected) in [
            ("See [x](javascript:alert(1)) now", "See x now"),
            ("![alt *text*](JaVaScRiPt:x \"t\")", "alt *text*"),
            ("[tab](<java\tscript:x>)", "tab"),
            ("[](vbscript:x)!", "!"),
            ("<javascript:alert(1)>", "javascript:alert(1)"),
            (
                "[by ref][r]\n\n[r]: data:text/html,x",
                "by ref\n\n[r]: data:text/html,x",
            ),
            // An image's text may hold links and images; a link's may not hold a link.
            (
                "![outer ![inner](javascript:x) [ok](/ok/)](javascript:y)",
                "outer inner [ok](/ok/)",
            ),
            (
                "[outer [ok](/ok/)](javascript:y)",
                "[outer [ok](/ok/)](javascript:y)",
            ),
            ("[[a](javascript:x)](javascript:y)", "a"),
            (
                "[ok](https://example.com/) `[x](javascript:y)` <b>kept</b>",
                "[ok](https://example.com/) `[x](javascript:y)` <b>kept</b>",
            ),
        ] {
            assert_eq!(super::defused(text), expected, "{text:?}");
        }
        assert!(matches!(
            super::defused("[ok](/x/) and text"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn brackets_nested_past_the_rounds_are_escaped_whole() {
        let depth = super::DEFUSE_ROUNDS + 2;
        let text = format!("{}a{}", "[".repeat(depth), "](javascript:x)".repeat(depth));
        let defused = super::defused(&text);
        let links = pulldown_cmark::Parser::new(&defused)
            .filter(|e| {
                matches!(
                    e,
                    pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { .. })
                )
            })
            .count();
        assert_eq!(links, 0, "{defused}");
    }
}
