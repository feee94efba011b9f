//! Incident metrics at `/postmortems/metrics/`: incidents per month by severity, median time to
//! detect and to resolve per month, and the services with the most incidents — each an inline
//! SVG drawn here at build time (title, description, axis labels) with the same numbers in a table
//! beside it. No chart library reaches the page.
//!
//! An incident is a status incident (maintenance excluded), or a postmortem that names none. A
//! status incident takes its severity, window and services from the postmortem explaining it
//! when there is one, else its start and end, no severity, and its components as services.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::charts::{durations_chart, first_label, last_label, services_chart, severity_chart};
use super::status::{Event, Phase};
use super::{shown, Generated, GeneratedPage, Json, Links};
use crate::dates::HumanMinutes;
use crate::model::{Place, Site};
use crate::vocabulary::Severity;

/// How many months the charts cover at most.
pub(crate) const MONTHS: usize = 12;

const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// One incident, as the metrics count it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Incident {
    pub start: Date,
    pub severity: Option<Severity>,
    pub minutes_to_detect: Option<i64>,
    pub minutes_to_resolve: Option<i64>,
    pub services: Vec<String>,
}

/// Every incident of the site (see the module documentation).
pub(crate) fn incidents(site: &Site, events: &[Event]) -> Vec<Incident> {
    let mut out = Vec::new();
    let mut explained = std::collections::HashSet::new();
    for event in events {
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
                .and_then(|m| Some(m.started?.minutes_until(&m.detected?)))
                .filter(|m| *m >= 0),
            minutes_to_resolve: resolved.filter(|m| *m >= 0),
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
            // Dates out of order make no duration (they are reported where they were read).
            minutes_to_detect: meta
                .started
                .zip(meta.detected)
                .map(|(a, b)| a.minutes_until(&b))
                .filter(|m| *m >= 0),
            minutes_to_resolve: meta
                .started
                .zip(meta.resolved)
                .map(|(a, b)| a.minutes_until(&b))
                .filter(|m| *m >= 0),
            services: meta.services.clone(),
        });
    }
    out
}

/// The median of `values` (the mean of the middle two, rounded down, for an even count).
pub(crate) fn median(values: &mut [i64]) -> Option<i64> {
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
pub(crate) struct Month {
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
pub(crate) fn monthly(incidents: &[Incident], today: Date) -> Vec<Month> {
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

/// One service's incidents: how many, and the median times to detect and to resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ServiceStats {
    pub service: String,
    pub incidents: usize,
    pub median_minutes_to_detect: Option<i64>,
    pub median_minutes_to_resolve: Option<i64>,
}

/// Every service by incident count, most first (ties by name).
pub(crate) fn by_service(incidents: &[Incident]) -> Vec<ServiceStats> {
    let mut of_service: BTreeMap<&str, Vec<&Incident>> = BTreeMap::new();
    for incident in incidents {
        let mut services: Vec<&str> = incident.services.iter().map(String::as_str).collect();
        services.sort_unstable();
        services.dedup();
        for service in services {
            of_service.entry(service).or_default().push(incident);
        }
    }
    let mut list: Vec<ServiceStats> = of_service
        .into_iter()
        .map(|(service, list)| {
            let mut detect: Vec<i64> = list.iter().filter_map(|i| i.minutes_to_detect).collect();
            let mut resolve: Vec<i64> = list.iter().filter_map(|i| i.minutes_to_resolve).collect();
            ServiceStats {
                service: service.to_string(),
                incidents: list.len(),
                median_minutes_to_detect: median(&mut detect),
                median_minutes_to_resolve: median(&mut resolve),
            }
        })
        .collect();
    list.sort_by(|a, b| {
        b.incidents
            .cmp(&a.incidents)
            .then_with(|| a.service.cmp(&b.service))
    });
    list
}

/// Services by incident count, most first (ties by name), at most `limit`.
pub(crate) fn top_services(incidents: &[Incident], limit: usize) -> Vec<(String, usize)> {
    by_service(incidents)
        .into_iter()
        .take(limit)
        .map(|s| (s.service, s.incidents))
        .collect()
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
pub(crate) fn add(site: &Site, events: &[Event], now: Timestamp, generated: &mut Generated) {
    let incidents = incidents(site, events);
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
    let postmortems = links.place(Place::Postmortems);
    // The trail leads through the postmortems table only where there is one.
    let trail: &[(&str, &str)] = if generated.places.contains(&Place::Postmortems) {
        &[("Postmortems", postmortems)]
    } else {
        &[]
    };
    let header = links.header(
        links.place(Place::Metrics),
        "Incident metrics",
        Some("How many incidents we had, how fast we noticed and fixed them, and where they happened."),
        trail,
    );
    generated.pages.push(GeneratedPage {
        url: links.place(Place::Metrics).to_string(),
        template: "metrics.html",
        label: "the incident metrics".into(),
        nav_from: links.section_at(postmortems).unwrap_or(0),
        in_sitemap: true,
        values: vec![
            ("generated", Json::of(&header)),
            ("metrics", Json::of(&context)),
        ],
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
        let kubernetes = &by_service(&incidents)[0];
        assert_eq!(kubernetes.median_minutes_to_detect, Some(7));
        assert_eq!(kubernetes.median_minutes_to_resolve, Some(99));
    }

    #[test]
    fn at_most_twelve_months() {
        let incidents = [incident("2024-01-05", None, None, None, &[])];
        let months = monthly(&incidents, "2026-11-27".parse().unwrap());
        assert_eq!(months.len(), MONTHS);
        assert_eq!(months[0].key, "2025-12");
    }
}
