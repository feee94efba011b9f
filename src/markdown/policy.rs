//! The link policy every piece of markdown the site renders goes through: a URL that would run
//! script (`javascript:`, `vbscript:`, `data:`) never becomes a link, and, for handbooks that
//! take outside contributions (`[markdown] raw_html = false`), HTML becomes the text it was
//! written as. Page bodies use [`make_inert`]; one-line markdown ([`super::inline`]) and
//! anything else that writes a link from user text uses [`runs_script`].

use pulldown_cmark::{CowStr, Event, Tag};

use super::Spanned;

/// For handbooks that take outside contributions: HTML becomes the text it was written as, and
/// a link or image whose URL would run script points nowhere.
/// `generated(offset)` tells the HTML opsbook itself wrote (admonition wrappers), which stays.
pub(super) fn make_inert(events: &mut [Spanned<'_>], generated: impl Fn(usize) -> bool) {
    for (event, range) in events.iter_mut() {
        match event {
            Event::Html(_) if generated(range.start) => {}
            Event::Html(html) | Event::InlineHtml(html) => {
                *event = Event::Text(std::mem::replace(html, CowStr::Borrowed("")));
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if runs_script(dest_url) =>
            {
                *dest_url = CowStr::Borrowed("#");
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

#[cfg(test)]
mod tests {
    use super::super::tests::{render_text, render_untrusted};

    #[test]
    fn raw_html_off_escapes_html_and_drops_script_urls() {
        let body = "<script>alert(1)</script>\n\nText <img src=x onerror=alert(2)> and <b>bold</b>.\n\n[a](javascript:alert(3)) [b](JaVa%09Script:x) [c](java\tscript:x) <javascript:alert(4)> ![d](data:text/html;base64,PHNjcmlwdD4=) [e](vbscript:x) [ok](https://example.com/javascript:x) [rel](../runbooks/disk.md)\n\n!!! warning \"Mind <this>\"\n    <iframe src=x></iframe>\n\n## Heading\n";
        let html = render_untrusted(body).html;
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
        let html = render_text("<div class=\"custom\">kept</div>\n\nA <kbd>Ctrl</kbd> key.\n").html;
        assert!(html.contains("<div class=\"custom\">kept</div>"), "{html}");
        assert!(html.contains("<kbd>Ctrl</kbd>"), "{html}");
    }
}
