//! Status for other people's pages: `status/badge.svg` and each component's
//! `status/components/ID/badge.svg` (a small SVG in the style of CI badges: a grey label, the
//! state in words on its colour), `status/widget.html` (a page without script to put in an
//! iframe) and `/status/embed/`, which shows the snippets to paste.
//!
//! A badge's colours give its white text a contrast of at least 4.5:1 (tested below), its
//! `<title>` and `aria-label` say the state in words, and every name in it is escaped.

use std::fmt::Write;

use serde::Serialize;

use super::feeds::xml_text;
use super::status::{self, ComponentState, Event};
use super::subscriptions::{self, Scope};
use super::{Generated, GeneratedPage, Json, Links};
use crate::model::{Place, Site};

const LABEL_COLOUR: &str = "#555555";
const HEIGHT: u32 = 20;
/// Room either side of a text.
const PADDING: f64 = 6.0;

/// The badge's colour for a state, dark enough for white text.
fn colour(state: ComponentState) -> &'static str {
    match state {
        ComponentState::Operational => "#1a7f37",
        ComponentState::Maintenance => "#0860c4",
        ComponentState::Degraded => "#8a5a00",
        ComponentState::PartialOutage => "#b04500",
        ComponentState::MajorOutage => "#c31d2a",
    }
}

/// How wide `text` is at 11 px in Verdana (DejaVu Sans is close), near enough: the SVG sets
/// `textLength`, so the browser fits the text to it whatever the font.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 3.3,
            ' ' | 'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' => 4.6,
            'm' | 'w' => 9.9,
            'M' | 'W' | '%' | '@' => 10.6,
            c if c.is_ascii_uppercase() => 7.7,
            c if c.is_ascii_digit() => 7.0,
            c if c.is_ascii() => 6.6,
            // Wide scripts and emoji.
            c if c.len_utf8() > 2 => 11.0,
            _ => 7.0,
        })
        .sum()
}

/// The badge: `label` on grey, the state in words on its colour.
pub(crate) fn badge(label: &str, state: ComponentState) -> String {
    let words = state.label().to_lowercase();
    let label_text = text_width(label);
    let state_text = text_width(&words);
    let left = (label_text + 2.0 * PADDING).round();
    let right = (state_text + 2.0 * PADDING).round();
    let width = left + right;
    let title = xml_text(&format!("{label}: {words}"));
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{HEIGHT}\" viewBox=\"0 0 {width} {HEIGHT}\" role=\"img\" aria-label=\"{title}\"><title>{title}</title>"
    );
    let _ = write!(
        svg,
        "<clipPath id=\"r\"><rect width=\"{width}\" height=\"{HEIGHT}\" rx=\"3\"/></clipPath><g clip-path=\"url(#r)\"><rect width=\"{left}\" height=\"{HEIGHT}\" fill=\"{LABEL_COLOUR}\"/><rect x=\"{left}\" width=\"{right}\" height=\"{HEIGHT}\" fill=\"{}\"/></g>",
        colour(state)
    );
    let _ = writeln!(
        svg,
        "<g fill=\"#ffffff\" font-family=\"Verdana,Geneva,'DejaVu Sans',sans-serif\" font-size=\"11\" text-anchor=\"middle\"><text x=\"{:.1}\" y=\"14\" textLength=\"{label_text:.1}\" lengthAdjust=\"spacingAndGlyphs\">{}</text><text x=\"{:.1}\" y=\"14\" textLength=\"{state_text:.1}\" lengthAdjust=\"spacingAndGlyphs\">{}</text></g></svg>",
        left / 2.0,
        xml_text(label),
        left + right / 2.0,
        xml_text(&words)
    );
    svg
}

/// The state a scope's badge shows now.
fn state_of(scope: &Scope<'_>, events: &[Event]) -> ComponentState {
    match scope {
        Scope::Site => status::overall_state(events),
        Scope::Component(component, _) => status::component_state(&component.id, events),
    }
}

/// A badge's label: `status`, or the component's name.
fn label_of(scope: &Scope<'_>) -> String {
    match scope {
        Scope::Site => "status".to_string(),
        Scope::Component(component, _) => component.name.clone(),
    }
}

/// The snippets that show one scope's badge elsewhere.
#[derive(Debug, Serialize)]
struct Snippets {
    name: String,
    /// Where this site's own pages load it from.
    badge_src: String,
    badge_url: String,
    markdown: String,
    html: String,
}

#[derive(Debug, Serialize)]
struct WidgetRow {
    name: String,
    state: ComponentState,
    state_label: &'static str,
}

#[derive(Debug, Serialize)]
struct EmbedContext {
    badges: Vec<Snippets>,
    widget_src: String,
    widget_url: String,
    widget_iframe: String,
    widget_height: usize,
}

#[derive(Debug, Serialize)]
struct WidgetContext {
    state: ComponentState,
    banner: &'static str,
    status_permalink: String,
    components: Vec<WidgetRow>,
}

/// Adds the badges, the widget and `/status/embed/`.
pub(super) fn add(site: &Site, events: &[Event], generated: &mut Generated) {
    let links = Links { site };
    let status = links.place(Place::Status);
    let status_permalink = links.permalink(status);
    let mut badges = Vec::new();
    for scope in subscriptions::scopes(site) {
        let path = scope.file(site, "badge.svg");
        let label = label_of(&scope);
        generated
            .files
            .push((path.clone(), badge(&label, state_of(&scope, events))));
        let badge_url = links.permalink(&path);
        let badge_src = links.url(&path);
        let target = links.permalink(&scope.anchor(site));
        let alt = format!("{label}: current state");
        badges.push(Snippets {
            name: scope.name(site).to_string(),
            markdown: format!(
                "[![{}]({badge_url})]({target})",
                alt.replace(['[', ']'], "")
            ),
            html: format!(
                "<a href=\"{}\"><img src=\"{}\" alt=\"{}\"></a>",
                xml_text(&target),
                xml_text(&badge_url),
                xml_text(&alt)
            ),
            badge_url,
            badge_src,
        });
    }
    let widget = format!("{status}widget.html");
    let rows: Vec<WidgetRow> = site
        .config
        .components
        .iter()
        .map(|c| {
            let state = status::component_state(&c.id, events);
            WidgetRow {
                name: c.name.clone(),
                state,
                state_label: state.label(),
            }
        })
        .collect();
    // The banner, then a line per component.
    let widget_height = 64 + 28 * rows.len();
    let overall = status::overall_state(events);
    let widget_context = WidgetContext {
        state: overall,
        banner: overall.banner(),
        status_permalink: status_permalink.clone(),
        components: rows,
    };
    let nav_from = links.section_at(status).unwrap_or(0);
    let header = links.header(&widget, "Status widget", None, &[("Status", status)]);
    generated.pages.push(GeneratedPage {
        label: "the status widget".into(),
        url: widget.clone(),
        template: "status_widget.html",
        nav_from,
        in_sitemap: false,
        values: vec![
            ("generated", Json::of(&header)),
            ("widget", Json::of(&widget_context)),
        ],
    });
    let widget_url = links.permalink(&widget);
    let context = EmbedContext {
        widget_iframe: format!(
            "<iframe src=\"{}\" title=\"{}\" width=\"320\" height=\"{widget_height}\" style=\"border:0\" loading=\"lazy\"></iframe>",
            xml_text(&widget_url),
            xml_text(&format!("{}: status", site.config.title))
        ),
        widget_src: links.url(&widget),
        widget_url,
        widget_height,
        badges,
    };
    generated.pages.push(links.status_page(
        Place::StatusEmbed,
        (
            "Badges and embed",
            "Show the current state of the service, or of one component, in a README, a wiki or a dashboard.",
        ),
        ("the status badges and embed page", "status_embed.html"),
        ("embed", Json::of(&context)),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG 2 relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn white_text_has_a_contrast_of_at_least_4_5_on_every_colour() {
        let states = [
            ComponentState::Operational,
            ComponentState::Maintenance,
            ComponentState::Degraded,
            ComponentState::PartialOutage,
            ComponentState::MajorOutage,
        ];
        let colours = states.map(colour);
        for background in colours.iter().chain([&LABEL_COLOUR]) {
            let contrast = 1.05 / (luminance(background) + 0.05);
            assert!(contrast >= 4.5, "{background}: {contrast:.2}");
        }
    }

    #[test]
    fn a_badge_says_its_state_and_escapes_its_label() {
        let svg = badge("A&B <api>", ComponentState::MajorOutage);
        assert!(svg.contains("<title>A&amp;B &lt;api&gt;: major outage</title>"));
        assert!(svg.contains(">major outage</text>"));
        assert!(!svg.contains("<api>"));
    }
}
