//! One line of markdown inside a page's data — an incident update's message, an action item —
//! as inline HTML: links, code and emphasis, never raw HTML, and never a link that runs script
//! (the link policy of [`super::render`] with raw HTML off, whatever the handbook allows in bodies).

use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};

/// `text` as inline HTML, without the paragraph around it.
pub(crate) fn inline(text: &str) -> String {
    let events = Parser::new(text).filter_map(|event| match event {
        Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => None,
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if super::runs_script(&dest_url) => Some(Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        })),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if super::runs_script(&dest_url) => Some(Event::Start(Tag::Image {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        })),
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markdown_keeps_links_and_drops_html_and_script_urls() {
        assert_eq!(
            inline("See [the runbook](/runbooks/x/) and `code`"),
            "See <a href=\"/runbooks/x/\">the runbook</a> and <code>code</code>"
        );
        assert_eq!(inline("<b>x</b>"), "&lt;b&gt;x&lt;/b&gt;");
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "<java\tscript:x>",
            "data:text/html,x",
            "vbscript:x",
        ] {
            let html = inline(&format!("[x]({url}) ![i]({url})"));
            assert_eq!(html, "<a href=\"#\">x</a> <img src=\"#\" alt=\"i\" />");
        }
    }
}
