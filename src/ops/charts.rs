//! The SVG charts of the metrics and factors pages, drawn as text: accessible (`role="img"`, a `<title>` and a
//! `<desc>`, axis labels, a `<title>` per bar), coloured by CSS classes so they follow the theme,
//! every label escaped. No chart library, no script.

use std::fmt::Write;

use super::feeds::xml_text;
use super::metrics::Month;
use crate::dates::HumanMinutes;

const SEVERITY_NAMES: [&str; 5] = ["SEV1", "SEV2", "SEV3", "SEV4", "No severity"];
const SEVERITY_CLASSES: [&str; 5] = ["s1", "s2", "s3", "s4", "s0"];

/// Chart geometry: the plot area inside the SVG's viewBox.
const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;

/// A round axis maximum at or above `max` and its tick step.
fn axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
        .max(if max < 4.0 { 1.0 } else { 0.0 });
    ((max / step).ceil() * step, step)
}

fn fmt_number(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{}", value.round() as i64)
    } else {
        format!("{value:.1}")
    }
}

/// Opens an SVG with its title and description and draws the y axis with ticks and its label.
fn frame(id: &str, title: &str, description: &str, y_max: f64, step: f64, y_label: &str) -> String {
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        xml_text(title),
        xml_text(description)
    );
    let plot_height = HEIGHT - TOP - BOTTOM;
    let mut tick = 0.0;
    while tick <= y_max + 1e-9 {
        let y = TOP + plot_height * (1.0 - tick / y_max);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text class=\"tick\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            fmt_number(tick)
        );
        tick += step;
    }
    let _ = write!(
        svg,
        "<text class=\"axis-label\" transform=\"translate(12 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        TOP + plot_height / 2.0,
        xml_text(y_label)
    );
    svg
}

/// Labels under the plot, one per slot: `Sep 2026` and `Q3 2026` on two lines.
fn slot_labels<'a>(svg: &mut String, labels: impl Iterator<Item = &'a str>, slot: f64) {
    for (i, label) in labels.enumerate() {
        let x = LEFT + slot * (i as f64 + 0.5);
        let (name, year) = label.split_once(' ').unwrap_or((label, ""));
        let _ = write!(
            svg,
            "<text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}<tspan x=\"{x:.1}\" dy=\"13\">{}</tspan></text>",
            HEIGHT - BOTTOM + 16.0,
            xml_text(name),
            xml_text(year)
        );
    }
}

/// One part of a stacked bar: its CSS class, its count, and the tooltip naming both.
pub(super) struct Segment {
    pub class: String,
    pub count: usize,
    pub title: String,
}

/// A chart's words: element id, title, description, and the label of its value axis.
pub(super) struct Words<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub axis: &'a str,
}

/// Stacked columns, one per labelled slot (a month, a quarter), segments bottom up.
pub(super) fn stacked_columns(words: &Words<'_>, columns: &[(String, Vec<Segment>)]) -> String {
    let total = |segments: &[Segment]| segments.iter().map(|s| s.count).sum::<usize>();
    let max = columns.iter().map(|(_, s)| total(s)).max().unwrap_or(0) as f64;
    let (y_max, step) = axis(max);
    let mut svg = frame(
        words.id,
        words.title,
        words.description,
        y_max,
        step,
        words.axis,
    );
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / columns.len().max(1) as f64;
    for (i, (_, segments)) in columns.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.2;
        let mut base = 0usize;
        for segment in segments.iter().filter(|s| s.count > 0) {
            let count = segment.count;
            let top = TOP + plot_height * (1.0 - (base + count) as f64 / y_max);
            let height = plot_height * count as f64 / y_max;
            let _ = write!(
                svg,
                "<rect class=\"{}\" x=\"{x:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{height:.1}\"><title>{}</title></rect>",
                segment.class,
                slot * 0.6,
                xml_text(&segment.title),
            );
            base += count;
        }
    }
    slot_labels(
        &mut svg,
        columns.iter().map(|(label, _)| label.as_str()),
        slot,
    );
    svg.push_str("</svg>");
    svg
}

/// Stacked bars: incidents per month by severity.
pub(super) fn severity_chart(months: &[Month]) -> String {
    let columns: Vec<(String, Vec<Segment>)> = months
        .iter()
        .map(|month| {
            let segments = month
                .by_severity
                .iter()
                .enumerate()
                .map(|(s, &count)| Segment {
                    class: SEVERITY_CLASSES[s].to_string(),
                    count,
                    title: format!("{}: {count} {}", month.label, SEVERITY_NAMES[s]),
                })
                .collect();
            (month.label.clone(), segments)
        })
        .collect();
    let description = format!(
        "Stacked bars, one per month from {} to {}.",
        first_label(months),
        last_label(months)
    );
    stacked_columns(
        &Words {
            id: "chart-severity",
            title: "Incidents per month by severity",
            description: &description,
            axis: "Incidents",
        },
        &columns,
    )
}

/// Paired bars: median time to detect and to resolve per month, in hours.
pub(super) fn durations_chart(months: &[Month]) -> String {
    let hours = |m: Option<i64>| m.map(|v| v as f64 / 60.0);
    let max = months
        .iter()
        .flat_map(|m| {
            [
                hours(m.median_minutes_to_detect),
                hours(m.median_minutes_to_resolve),
            ]
        })
        .flatten()
        .fold(0.0, f64::max);
    let (y_max, step) = axis(max);
    let mut svg = frame(
        "chart-durations",
        "Median time to detect and to resolve per month",
        "Two bars per month, in hours: time to detect, then time to resolve. Months without incidents have no bars.",
        y_max,
        step,
        "Hours (median)",
    );
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / months.len().max(1) as f64;
    for (i, month) in months.iter().enumerate() {
        let series = [
            ("detect", "time to detect", month.median_minutes_to_detect),
            (
                "resolve",
                "time to resolve",
                month.median_minutes_to_resolve,
            ),
        ];
        for (k, (class, name, minutes)) in series.into_iter().enumerate() {
            let Some(minutes) = minutes else { continue };
            let height = plot_height * (minutes as f64 / 60.0) / y_max;
            let x = LEFT + slot * i as f64 + slot * (0.15 + 0.35 * k as f64);
            let _ = write!(
                svg,
                "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{height:.1}\"><title>{}: median {name} {}</title></rect>",
                TOP + plot_height - height,
                slot * 0.33,
                xml_text(&month.label),
                HumanMinutes(minutes)
            );
        }
    }
    slot_labels(&mut svg, months.iter().map(|m| m.label.as_str()), slot);
    svg.push_str("</svg>");
    svg
}

/// Stacked horizontal bars, one per labelled row (a service), its total after it.
pub(super) fn stacked_rows(words: &Words<'_>, rows: &[(String, Vec<Segment>)]) -> String {
    let row = 26.0;
    let label_width = 150.0;
    let height = TOP + row * rows.len().max(1) as f64 + 30.0;
    let total = |segments: &[Segment]| segments.iter().map(|s| s.count).sum::<usize>();
    let max = rows.iter().map(|(_, s)| total(s)).max().unwrap_or(0) as f64;
    let (x_max, step) = axis(max);
    let plot_width = WIDTH - label_width - RIGHT - 24.0;
    let id = words.id;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        xml_text(words.title),
        xml_text(words.description)
    );
    let bottom = TOP + row * rows.len().max(1) as f64;
    let mut tick = 0.0;
    while tick <= x_max + 1e-9 {
        let x = label_width + plot_width * tick / x_max;
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{TOP}\" y2=\"{bottom:.1}\"/><text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            bottom + 14.0,
            fmt_number(tick)
        );
        tick += step;
    }
    let _ = write!(
        svg,
        "<text class=\"axis-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        label_width + plot_width / 2.0,
        bottom + 28.0,
        xml_text(words.axis)
    );
    for (i, (name, segments)) in rows.iter().enumerate() {
        let y = TOP + row * i as f64;
        let _ = write!(
            svg,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_width - 8.0,
            y + row * 0.62,
            xml_text(name),
        );
        let mut x = label_width;
        for segment in segments.iter().filter(|s| s.count > 0) {
            let width = plot_width * segment.count as f64 / x_max;
            let _ = write!(
                svg,
                "<rect class=\"{}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{:.1}\"><title>{}</title></rect>",
                segment.class,
                y + row * 0.15,
                row * 0.7,
                xml_text(&segment.title),
            );
            x += width;
        }
        let _ = write!(
            svg,
            "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 4.0,
            y + row * 0.62,
            total(segments),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Bars: a component's availability per month against its target (a dashed line). The axis
/// runs from a floor to 100 %: three times the target's allowance below it, or lower when a
/// month fell further; a month under its target has its own class.
pub(super) fn slo_chart(slo: &super::slo::ComponentSlo) -> String {
    let months = &slo.months;
    let target = f64::from(slo.target_ppm) / 10_000.0;
    let lowest = months
        .iter()
        .map(|m| f64::from(m.availability_ppm) / 10_000.0)
        .fold(100.0, f64::min);
    let allowance = (100.0 - target).max(0.001);
    let floor = (target - 2.0 * allowance)
        .min(lowest - allowance / 2.0)
        .max(0.0);
    let floor = (floor / allowance).floor() * allowance;
    let id = format!("chart-slo-{}", crate::paths::url_segment(&slo.id));
    // Room for ticks such as 99.925 left of the plot.
    let left = LEFT + 18.0;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y = |value: f64| TOP + plot_height * (1.0 - (value - floor) / (100.0 - floor));
    let mut svg = format!(
        "<svg class=\"chart chart-slo\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        xml_text(&format!("{}: availability per month", slo.name)),
        xml_text(&format!(
            "One bar per month, from {}% at the bottom to 100% at the top; the dashed line is the target, {}%.",
            fmt_axis(floor),
            slo.target
        ))
    );
    for tick in [floor, (floor + 100.0) / 2.0, 100.0] {
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\"/><text class=\"tick\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            y(tick),
            y(tick),
            left - 6.0,
            y(tick) + 4.0,
            fmt_axis(tick)
        );
    }
    let slot = (WIDTH - left - RIGHT) / months.len().max(1) as f64;
    for (i, month) in months.iter().enumerate() {
        let value = (f64::from(month.availability_ppm) / 10_000.0).max(floor);
        let x = left + slot * i as f64 + slot * 0.2;
        let class = if month.status == "missed" {
            "missed"
        } else {
            "met"
        };
        let _ = write!(
            svg,
            "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{}: {}%{}</title></rect>",
            y(value),
            slot * 0.6,
            (y(floor) - y(value)).max(0.0),
            xml_text(&month.label),
            month.availability,
            if month.status == "missed" { ", under the target" } else { "" }
        );
        let (name, year) = month.label.split_once(' ').unwrap_or((&month.label, ""));
        let short: String = name.chars().take(3).collect();
        let cx = x + slot * 0.3;
        let _ = write!(
            svg,
            "<text class=\"tick\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}<tspan x=\"{cx:.1}\" dy=\"13\">{}</tspan></text>",
            HEIGHT - BOTTOM + 16.0,
            xml_text(&short),
            xml_text(year)
        );
    }
    let _ = write!(
        svg,
        "<line class=\"target\" x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\"/><text class=\"axis-label\" transform=\"translate(12 {:.1}) rotate(-90)\" text-anchor=\"middle\">Availability (%)</text></svg>",
        WIDTH - RIGHT,
        y(target),
        y(target),
        TOP + plot_height / 2.0
    );
    svg
}

/// An axis value in percent: as many decimals as it needs, at most four.
fn fmt_axis(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Horizontal bars: incidents per service.
pub(super) fn services_chart(services: &[(String, usize)]) -> String {
    let rows: Vec<(String, Vec<Segment>)> = services
        .iter()
        .map(|(name, count)| {
            let segment = Segment {
                class: "service".into(),
                count: *count,
                title: format!("{name}: {count}"),
            };
            (name.clone(), vec![segment])
        })
        .collect();
    stacked_rows(
        &Words {
            id: "chart-services",
            title: "Services with the most incidents",
            description: "One horizontal bar per service, its length the number of incidents.",
            axis: "Incidents",
        },
        &rows,
    )
}

pub(super) fn first_label(months: &[Month]) -> &str {
    months.first().map_or("", |m| m.label.as_str())
}

pub(super) fn last_label(months: &[Month]) -> &str {
    months.last().map_or("", |m| m.label.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_name_themselves() {
        let svg = services_chart(&[("a<b>&c".to_string(), 3)]);
        assert!(svg.contains("a&lt;b&gt;&amp;c"));
        assert!(svg.contains("aria-labelledby=\"chart-services-title chart-services-desc\""));
        assert_eq!(axis(3.0), (3.0, 1.0));
        assert_eq!(axis(9.0), (10.0, 5.0));
        assert_eq!(axis(0.0), (1.0, 1.0));
    }
}
