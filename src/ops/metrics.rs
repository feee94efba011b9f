//! Incident metrics at `/postmortems/metrics/`: incidents per month by severity, median time to
//! detect and to resolve per month, and the services with the most incidents — each an inline
//! SVG drawn here at build time (title, description, axis labels) with the same numbers in a table
//! beside it. No chart library reaches the page.
//!
//! An incident is a status incident (maintenance excluded), or a postmortem that names none. A
//! status incident takes its severity, window and services from the postmortem explaining it
//! when there is one, else its start and end, no severity, and its components as services.

use std::collections::BTreeMap;
use std::fmt::Write;

use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::feeds::xml_text;
use super::status::{self, Phase};
use super::{shown, value, Generated, GeneratedPage, Links};
use crate::dates::HumanMinutes;
use crate::model::Site;
use crate::source::meta::Severity;

/// How many months the charts cover at most.
pub const MONTHS: usize = 12;

const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// One incident, as the metrics count it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub start: Date,
    pub severity: Option<Severity>,
    pub minutes_to_detect: Option<i64>,
    pub minutes_to_resolve: Option<i64>,
    pub services: Vec<String>,
}

/// Every incident of the site (see the module documentation).
pub fn incidents(site: &Site, now: Timestamp) -> Vec<Incident> {
    let mut out = Vec::new();
    let mut explained = std::collections::HashSet::new();
    for event in status::events(site, now) {
        if event.is_maintenance() {
            continue;
        }
        let Some(start) = event.start else { continue };
        let postmortem = site.postmortem_of(event.id).map(|p| &site.pages[p].meta);
        if let Some(p) = site.postmortem_of(event.id) {
            explained.insert(p);
        }
        let pm_window = postmortem.and_then(|m| Some((m.started?, m.resolved?)));
        let resolved = match (pm_window, event.phase) {
            (Some((a, b)), _) => Some(a.minutes_until(&b)),
            (None, Phase::Resolved) => event
                .end
                .map(|end| (end.as_second() - start.as_second()) / 60),
            _ => None,
        };
        let services = postmortem
            .map(|m| m.services.clone())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| event.components.clone());
        out.push(Incident {
            start: shown(
                postmortem
                    .and_then(|m| m.started)
                    .map_or(start, |s| s.instant),
            )
            .date(),
            severity: postmortem.and_then(|m| m.severity),
            minutes_to_detect: postmortem
                .and_then(|m| Some(m.started?.minutes_until(&m.detected?))),
            minutes_to_resolve: resolved,
            services,
        });
    }
    for id in super::postmortems::postmortem_ids(site) {
        let meta = &site.pages[id].meta;
        if explained.contains(&id) {
            continue;
        }
        let Some(start) = meta.started.or(meta.date) else {
            continue;
        };
        out.push(Incident {
            start: start.date(),
            severity: meta.severity,
            minutes_to_detect: meta
                .started
                .zip(meta.detected)
                .map(|(a, b)| a.minutes_until(&b)),
            minutes_to_resolve: meta
                .started
                .zip(meta.resolved)
                .map(|(a, b)| a.minutes_until(&b)),
            services: meta.services.clone(),
        });
    }
    out
}

/// The median of `values` (the mean of the middle two, rounded down, for an even count).
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]).div_euclid(2)
    })
}

/// One month of the charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Month {
    /// `2026-09`.
    pub key: String,
    /// `Sep 2026`.
    pub label: String,
    /// Incidents of severity 1 to 4, then without severity.
    pub by_severity: [usize; 5],
    pub total: usize,
    pub median_minutes_to_detect: Option<i64>,
    pub median_minutes_to_resolve: Option<i64>,
    pub median_to_detect: Option<HumanMinutes>,
    pub median_to_resolve: Option<HumanMinutes>,
}

/// The last [`MONTHS`] months up to `today`'s (fewer when the history is shorter), oldest first.
pub fn monthly(incidents: &[Incident], today: Date) -> Vec<Month> {
    let first = incidents
        .iter()
        .map(|i| i.start)
        .min()
        .unwrap_or(today)
        .min(today);
    let mut months = Vec::new();
    let mut cursor = today.first_of_month();
    while months.len() < MONTHS && cursor >= first.first_of_month() {
        months.push(cursor);
        match cursor.checked_sub(jiff::Span::new().months(1)) {
            Ok(previous) => cursor = previous,
            Err(_) => break,
        }
    }
    months.reverse();
    months
        .into_iter()
        .map(|month| {
            let of_month: Vec<&Incident> = incidents
                .iter()
                .filter(|i| i.start.year() == month.year() && i.start.month() == month.month())
                .collect();
            let mut by_severity = [0; 5];
            for incident in &of_month {
                by_severity[incident.severity.map_or(4, |s| s as usize)] += 1;
            }
            let mut detect: Vec<i64> = of_month
                .iter()
                .filter_map(|i| i.minutes_to_detect)
                .collect();
            let mut resolve: Vec<i64> = of_month
                .iter()
                .filter_map(|i| i.minutes_to_resolve)
                .collect();
            let (detect, resolve) = (median(&mut detect), median(&mut resolve));
            Month {
                key: format!("{:04}-{:02}", month.year(), month.month()),
                label: format!(
                    "{} {}",
                    MONTH_NAMES[month.month() as usize - 1],
                    month.year()
                ),
                by_severity,
                total: of_month.len(),
                median_minutes_to_detect: detect,
                median_minutes_to_resolve: resolve,
                median_to_detect: detect.map(HumanMinutes),
                median_to_resolve: resolve.map(HumanMinutes),
            }
        })
        .collect()
}

/// Services by incident count, most first (ties by name), at most `limit`.
pub fn top_services(incidents: &[Incident], limit: usize) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for incident in incidents {
        let mut services: Vec<&str> = incident.services.iter().map(String::as_str).collect();
        services.sort_unstable();
        services.dedup();
        for service in services {
            *counts.entry(service).or_default() += 1;
        }
    }
    let mut list: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(s, n)| (s.to_string(), n))
        .collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.truncate(limit);
    list
}

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

/// Month labels under the plot, one per slot.
fn month_labels(svg: &mut String, months: &[Month], slot: f64) {
    for (i, month) in months.iter().enumerate() {
        let x = LEFT + slot * (i as f64 + 0.5);
        let (name, year) = month.label.split_once(' ').unwrap_or((&month.label, ""));
        let _ = write!(
            svg,
            "<text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}<tspan x=\"{x:.1}\" dy=\"13\">{}</tspan></text>",
            HEIGHT - BOTTOM + 16.0,
            xml_text(name),
            xml_text(year)
        );
    }
}

/// Stacked bars: incidents per month by severity.
pub fn severity_chart(months: &[Month]) -> String {
    let max = months.iter().map(|m| m.total).max().unwrap_or(0) as f64;
    let (y_max, step) = axis(max);
    let mut svg = frame(
        "chart-severity",
        "Incidents per month by severity",
        &format!(
            "Stacked bars, one per month from {} to {}.",
            first_label(months),
            last_label(months)
        ),
        y_max,
        step,
        "Incidents",
    );
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / months.len().max(1) as f64;
    for (i, month) in months.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.2;
        let mut base = 0usize;
        for (s, &count) in month.by_severity.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let top = TOP + plot_height * (1.0 - (base + count) as f64 / y_max);
            let height = plot_height * count as f64 / y_max;
            let _ = write!(
                svg,
                "<rect class=\"{}\" x=\"{x:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{height:.1}\"><title>{}: {count} {}</title></rect>",
                SEVERITY_CLASSES[s],
                slot * 0.6,
                xml_text(&month.label),
                SEVERITY_NAMES[s],
            );
            base += count;
        }
    }
    month_labels(&mut svg, months, slot);
    svg.push_str("</svg>");
    svg
}

/// Paired bars: median time to detect and to resolve per month, in hours.
pub fn durations_chart(months: &[Month]) -> String {
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
    month_labels(&mut svg, months, slot);
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars: incidents per service.
pub fn services_chart(services: &[(String, usize)]) -> String {
    let row = 26.0;
    let label_width = 150.0;
    let height = TOP + row * services.len().max(1) as f64 + 30.0;
    let max = services.iter().map(|s| s.1).max().unwrap_or(0) as f64;
    let (x_max, step) = axis(max);
    let plot_width = WIDTH - label_width - RIGHT - 24.0;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"chart-services-title chart-services-desc\"><title id=\"chart-services-title\">Services with the most incidents</title><desc id=\"chart-services-desc\">One horizontal bar per service, its length the number of incidents.</desc>"
    );
    let bottom = TOP + row * services.len().max(1) as f64;
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
        "<text class=\"axis-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">Incidents</text>",
        label_width + plot_width / 2.0,
        bottom + 28.0
    );
    for (i, (name, count)) in services.iter().enumerate() {
        let y = TOP + row * i as f64;
        let width = plot_width * *count as f64 / x_max;
        let _ = write!(
            svg,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect class=\"service\" x=\"{label_width}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{:.1}\"><title>{}: {count}</title></rect><text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{count}</text>",
            label_width - 8.0,
            y + row * 0.62,
            xml_text(name),
            y + row * 0.15,
            row * 0.7,
            xml_text(name),
            label_width + width + 4.0,
            y + row * 0.62,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn first_label(months: &[Month]) -> &str {
    months.first().map_or("", |m| m.label.as_str())
}

fn last_label(months: &[Month]) -> &str {
    months.last().map_or("", |m| m.label.as_str())
}

#[derive(Debug, Serialize)]
struct ServiceRow {
    name: String,
    count: usize,
}

#[derive(Debug, Serialize)]
struct MetricsContext {
    months: Vec<Month>,
    services: Vec<ServiceRow>,
    severity_svg: String,
    durations_svg: String,
    services_svg: String,
    incident_count: usize,
    first: String,
    last: String,
}

/// Adds `/postmortems/metrics/`.
pub fn add(site: &Site, now: Timestamp, generated: &mut Generated) {
    let incidents = incidents(site, now);
    if incidents.is_empty() {
        return;
    }
    let links = Links { site };
    let months = monthly(&incidents, shown(now).date());
    let services = top_services(&incidents, 10);
    let counted: usize = months.iter().map(|m| m.total).sum();
    let context = MetricsContext {
        severity_svg: severity_chart(&months),
        durations_svg: durations_chart(&months),
        services_svg: services_chart(&services),
        services: services
            .into_iter()
            .map(|(name, count)| ServiceRow { name, count })
            .collect(),
        incident_count: counted,
        first: first_label(&months).to_string(),
        last: last_label(&months).to_string(),
        months,
    };
    let header = links.header(
        "postmortems/metrics/",
        "Incident metrics",
        Some("How many incidents we had, how fast we noticed and fixed them, and where they happened."),
        &[("Postmortems", "postmortems/")],
    );
    generated.pages.push(GeneratedPage {
        url: "postmortems/metrics/".into(),
        template: "metrics.html",
        label: "the incident metrics".into(),
        nav_from: links.section_at("postmortems/").unwrap_or(0),
        in_sitemap: true,
        values: vec![("generated", value(&header)), ("metrics", value(&context))],
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(
        start: &str,
        severity: Option<Severity>,
        detect: Option<i64>,
        resolve: Option<i64>,
        services: &[&str],
    ) -> Incident {
        Incident {
            start: start.parse().unwrap(),
            severity,
            minutes_to_detect: detect,
            minutes_to_resolve: resolve,
            services: services.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [30]), Some(30));
        assert_eq!(median(&mut [90, 10, 40]), Some(40));
        assert_eq!(median(&mut [10, 40, 90, 20]), Some(30));
        assert_eq!(median(&mut [10, 15]), Some(12));
    }

    #[test]
    fn months_count_severities_and_medians() {
        let incidents = [
            incident(
                "2026-09-02",
                Some(Severity::Sev2),
                Some(7),
                Some(138),
                &["kubernetes", "etcd"],
            ),
            incident("2026-09-20", None, None, Some(60), &["kubernetes"]),
            incident(
                "2026-09-25",
                Some(Severity::Sev1),
                Some(20),
                Some(300),
                &["db"],
            ),
            incident(
                "2026-11-12",
                Some(Severity::Sev3),
                Some(8),
                Some(97),
                &["api"],
            ),
        ];
        let months = monthly(&incidents, "2026-11-27".parse().unwrap());
        let keys: Vec<&str> = months.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["2026-09", "2026-10", "2026-11"]);
        assert_eq!(months[0].by_severity, [1, 1, 0, 0, 1]);
        assert_eq!(months[0].total, 3);
        assert_eq!(months[0].median_minutes_to_detect, Some(13));
        assert_eq!(months[0].median_minutes_to_resolve, Some(138));
        assert_eq!(months[1].total, 0);
        assert_eq!(months[1].median_minutes_to_resolve, None);
        assert_eq!(months[2].label, "Nov 2026");
        assert_eq!(
            top_services(&incidents, 2),
            [("kubernetes".to_string(), 2), ("api".to_string(), 1)]
        );
    }

    #[test]
    fn at_most_twelve_months() {
        let incidents = [incident("2024-01-05", None, None, None, &[])];
        let months = monthly(&incidents, "2026-11-27".parse().unwrap());
        assert_eq!(months.len(), MONTHS);
        assert_eq!(months[0].key, "2025-12");
    }

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
