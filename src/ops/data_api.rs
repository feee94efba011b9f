//! The handbook as data, under `api/v1/`: `runbooks.json`, `postmortems.json`,
//! `action-items.json` and `metrics.json`, for chat bots, dashboards and on-call assistants
//! that would otherwise scrape the pages. One file each, whatever the handbook's size.
//!
//! Each file names its JSON Schema in `$schema` (`schemas/NAME.v1.json` of opsbook, checked by
//! the tests) and holds `version`: fields are only added within a version. Every value comes
//! from the functions the pages use (action items and their order, review dates, metrics,
//! factors), so a file and its page never disagree; URLs are absolute. Text that readers may
//! render as markdown (descriptions, action items) goes out [`defused`], as in the status APIs.

use jiff::Timestamp;
use serde::Serialize;

use super::factors::{self, Named, Totals};
use super::metrics::{self, ServiceStats};
use super::postmortems::{self, ActionItem, Counts};
use super::status::Event;
use super::{shown, Links};
use crate::dates::DateTime;
use crate::markdown::defused;
use crate::model::{Place, Site};
use crate::source::meta::Parameter;
use crate::vocabulary::{Factor, Kind, PostmortemStatus, Severity};

/// Where the schemas are published: the `$id` of each, as of `check-report.v1.json`.
const SCHEMAS: &str = "https://opsbook.dev/schemas/";

/// Every file, each a whole object: `$schema`, `version`, `as_of`, then its own fields.
#[derive(Serialize)]
struct File<T> {
    #[serde(rename = "$schema")]
    schema: String,
    version: u32,
    /// The UTC day that overdue flags, review dates and the months are as of.
    as_of: String,
    #[serde(flatten)]
    body: T,
}

/// Output path → JSON text, for every file of the data API.
pub(crate) fn files(site: &Site, events: &[Event], now: Timestamp) -> Vec<(String, String)> {
    let api = Api {
        site,
        links: Links { site },
        today: DateTime::from_date(shown(now).date()),
    };
    let named = factors::named(site);
    let folder = site.places.url(Place::DataApi);
    [
        ("runbooks", api.json("runbooks", api.runbooks())),
        (
            "postmortems",
            api.json("postmortems", api.postmortems(&named)),
        ),
        ("action-items", api.json("action-items", api.action_items())),
        ("metrics", api.json("metrics", api.metrics(events, &named))),
    ]
    .into_iter()
    .map(|(name, text)| (format!("{folder}{name}.json"), text))
    .collect()
}

struct Api<'a> {
    site: &'a Site,
    links: Links<'a>,
    today: DateTime,
}

impl Api<'_> {
    /// Compact JSON: programs read these files, and at 10,000 pages indentation was a fifth of
    /// their bytes.
    fn json<T: Serialize>(&self, name: &str, body: T) -> String {
        let file = File {
            schema: format!("{SCHEMAS}{name}.v1.json"),
            version: 1,
            as_of: self.today.iso(),
            body,
        };
        serde_json::to_string(&file).unwrap_or_default() + "\n"
    }

    fn permalink(&self, id: usize) -> String {
        self.site.permalink(id)
    }

    fn link(&self, id: usize) -> PageLink {
        PageLink {
            title: self.site.pages[id].title.clone(),
            url: self.permalink(id),
        }
    }
}

/// A page named by another: its title and absolute URL.
#[derive(Serialize)]
struct PageLink {
    title: String,
    url: String,
}

fn date(value: Option<DateTime>) -> Option<String> {
    value.map(|d| d.date().to_string())
}

fn instant(value: Option<DateTime>) -> Option<String> {
    value.map(|d| d.iso())
}

fn text(value: &Option<String>) -> Option<String> {
    value.as_deref().map(|t| defused(t).into_owned())
}

#[derive(Serialize)]
struct Runbooks<'a> {
    runbooks: Vec<Runbook<'a>>,
}

#[derive(Serialize)]
struct Runbook<'a> {
    title: &'a str,
    url: String,
    /// The file, relative to the handbook.
    file: String,
    description: Option<String>,
    /// The first paragraph, as plain text.
    summary: &'a str,
    services: &'a [String],
    alerts: Vec<Alert>,
    owners: &'a [String],
    tags: &'a [String],
    severity: Option<Severity>,
    last_reviewed: Option<String>,
    review_interval_days: Option<u32>,
    review_due: Option<String>,
    review_overdue: bool,
    parameters: Vec<&'a Parameter>,
}

#[derive(Serialize)]
struct Alert {
    name: String,
    /// Its stable address, which leads to the runbook.
    url: Option<String>,
}

impl<'a> Api<'a> {
    /// Every runbook, by URL.
    fn runbooks(&self) -> Runbooks<'a> {
        let site = self.site;
        let mut ids: Vec<usize> = (0..site.pages.len())
            .filter(|&id| site.pages[id].kind == Kind::Runbook && !site.pages[id].is_section())
            .collect();
        ids.sort_by(|&a, &b| site.pages[a].url.cmp(&site.pages[b].url));
        let runbooks = ids
            .into_iter()
            .map(|id| {
                let page = &site.pages[id];
                let meta = &page.meta;
                Runbook {
                    title: &page.title,
                    url: self.permalink(id),
                    file: page.file.to_string(),
                    description: text(&meta.description),
                    summary: &page.rendered.summary,
                    services: &meta.services,
                    alerts: meta
                        .alerts
                        .iter()
                        .map(|name| Alert {
                            name: name.clone(),
                            url: super::alerts::alert_url(name).map(|u| self.links.permalink(&u)),
                        })
                        .collect(),
                    owners: &meta.owners,
                    tags: &meta.tags,
                    severity: meta.severity,
                    last_reviewed: date(meta.last_reviewed),
                    review_interval_days: page.review.map(|r| r.interval_days),
                    review_due: date(page.review.and_then(|r| r.due)),
                    review_overdue: page.review.is_some_and(|r| r.overdue_days > 0),
                    parameters: Parameter::usable(&meta.parameters),
                }
            })
            .collect();
        Runbooks { runbooks }
    }
}

#[derive(Serialize)]
struct Postmortems<'a> {
    /// The vocabulary `triggers` and `contributing_factors` name, in its order.
    factors: Vec<FactorInfo>,
    postmortems: Vec<Postmortem<'a>>,
    /// A factor hitting a service again within `recurrence_days`, newest first.
    recurrence_days: u32,
    repeats: Vec<Repeat>,
}

#[derive(Serialize)]
struct FactorInfo {
    id: String,
    name: String,
    description: String,
}

impl From<&Factor> for FactorInfo {
    fn from(factor: &Factor) -> FactorInfo {
        FactorInfo {
            id: factor.id.clone(),
            name: factor.name.clone(),
            description: defused(&factor.description).into_owned(),
        }
    }
}

#[derive(Serialize)]
struct Postmortem<'a> {
    title: &'a str,
    url: String,
    file: String,
    description: Option<String>,
    /// `date`, else the day it started.
    date: Option<String>,
    severity: Option<Severity>,
    status: Option<PostmortemStatus>,
    services: &'a [String],
    authors: &'a [String],
    /// The status incident it explains.
    incident: Option<Incident>,
    window: Window,
    durations: Durations,
    triggers: Vec<&'a str>,
    contributing_factors: Vec<&'a str>,
    related: Vec<Related>,
    action_items: Counts,
}

#[derive(Serialize)]
struct Incident {
    /// Its file name, as `incident` writes it.
    name: String,
    title: String,
    url: String,
}

#[derive(Serialize)]
struct Window {
    started: Option<String>,
    detected: Option<String>,
    mitigated: Option<String>,
    resolved: Option<String>,
}

/// From the start, in whole minutes; `null` when a time is missing or out of order.
#[derive(Serialize)]
struct Durations {
    to_detect_minutes: Option<i64>,
    to_mitigate_minutes: Option<i64>,
    to_resolve_minutes: Option<i64>,
}

#[derive(Serialize)]
struct Related {
    title: String,
    url: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Repeat {
    factor: String,
    service: String,
    first: PageLink,
    again: PageLink,
    days: i64,
}

impl<'a> Api<'a> {
    /// Every postmortem, newest first (as the postmortems table), with the vocabulary and the
    /// repeats.
    fn postmortems(&self, named: &[Named]) -> Postmortems<'a> {
        let site = self.site;
        let today = self.today.date();
        let postmortems = named
            .iter()
            .map(|n| {
                let page = &site.pages[n.id];
                let meta = &page.meta;
                let minutes = |end: Option<DateTime>| {
                    let (start, end) = (meta.started?, end?);
                    Some(start.minutes_until(&end)).filter(|m| *m >= 0)
                };
                let factor_ids = |list: &[usize]| {
                    list.iter()
                        .map(|&f| site.config.factors[f].id.as_str())
                        .collect()
                };
                let items = postmortems::action_items(site, n.id, today);
                Postmortem {
                    title: &page.title,
                    url: self.permalink(n.id),
                    file: page.file.to_string(),
                    description: text(&meta.description),
                    date: date(meta.date.or(meta.started)),
                    severity: meta.severity,
                    status: meta.status,
                    services: &meta.services,
                    authors: &meta.authors,
                    incident: meta.incident.as_deref().and_then(|name| {
                        let id = site.incident_named(name)?;
                        Some(Incident {
                            name: name.to_string(),
                            title: site.pages[id].title.clone(),
                            url: self.permalink(id),
                        })
                    }),
                    window: Window {
                        started: instant(meta.started),
                        detected: instant(meta.detected),
                        mitigated: instant(meta.mitigated),
                        resolved: instant(meta.resolved),
                    },
                    durations: Durations {
                        to_detect_minutes: minutes(meta.detected),
                        to_mitigate_minutes: minutes(meta.mitigated),
                        to_resolve_minutes: minutes(meta.resolved),
                    },
                    triggers: factor_ids(&n.triggers),
                    contributing_factors: factor_ids(&n.contributing),
                    related: site
                        .related_of(n.id)
                        .iter()
                        .map(|&r| Related {
                            title: site.pages[r].title.clone(),
                            url: self.permalink(r),
                            kind: site.pages[r].kind.as_str(),
                        })
                        .collect(),
                    action_items: postmortems::counts(&items),
                }
            })
            .collect();
        let within = site.config.checks.recurrence_days;
        Postmortems {
            factors: site.config.factors.iter().map(FactorInfo::from).collect(),
            postmortems,
            recurrence_days: within,
            repeats: factors::repeats(site, named, within)
                .into_iter()
                .map(|r| Repeat {
                    factor: site.config.factors[r.factor].id.clone(),
                    service: r.service,
                    first: self.link(r.first),
                    again: self.link(r.again),
                    days: r.days,
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct ActionItems {
    counts: Counts,
    action_items: Vec<Item>,
}

#[derive(Serialize)]
struct Item {
    text: String,
    owners: Vec<String>,
    due: Option<String>,
    done: bool,
    overdue: bool,
    postmortem: PageLink,
    file: String,
    line: usize,
}

impl Api<'_> {
    /// Every action item, in the order of the action items page.
    fn action_items(&self) -> ActionItems {
        let listed = postmortems::listed_items(self.site, self.today.date());
        ActionItems {
            counts: postmortems::counts(listed.iter().map(|(_, i)| i)),
            action_items: listed
                .into_iter()
                .map(|(id, item): (usize, ActionItem)| Item {
                    text: defused(&item.text).into_owned(),
                    owners: item.owners,
                    due: item.due.map(|d| d.to_string()),
                    done: item.done,
                    overdue: item.overdue,
                    postmortem: self.link(id),
                    file: self.site.pages[id].file.to_string(),
                    line: item.line,
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct Metrics {
    /// Incidents as the metrics page counts them: status incidents (maintenance excluded) and
    /// postmortems naming none.
    incidents: usize,
    months: Vec<Month>,
    services: Vec<ServiceStats>,
    factors: FactorCounts,
}

#[derive(Serialize)]
struct Month {
    month: String,
    incidents: usize,
    by_severity: BySeverity,
    median_minutes_to_detect: Option<i64>,
    median_minutes_to_resolve: Option<i64>,
}

#[derive(Serialize)]
struct BySeverity {
    sev1: usize,
    sev2: usize,
    sev3: usize,
    sev4: usize,
    none: usize,
}

#[derive(Serialize)]
struct FactorCounts {
    /// Per factor of the vocabulary, in its order.
    totals: Vec<FactorTotal>,
    /// Per quarter (at most eight, oldest first): postmortems naming each factor, by id.
    quarters: Vec<QuarterCounts>,
}

#[derive(Serialize)]
struct FactorTotal {
    factor: String,
    #[serde(flatten)]
    totals: Totals,
}

#[derive(Serialize)]
struct QuarterCounts {
    quarter: String,
    counts: std::collections::BTreeMap<String, usize>,
}

impl Api<'_> {
    /// The numbers behind the metrics and factors charts.
    fn metrics(&self, events: &[Event], named: &[Named]) -> Metrics {
        let site = self.site;
        let vocabulary = &site.config.factors;
        let incidents = metrics::incidents(site, events);
        let months = metrics::monthly(&incidents, self.today.date());
        let totals = factors::totals(named, vocabulary.len());
        Metrics {
            incidents: incidents.len(),
            months: months
                .into_iter()
                .map(|m| {
                    let [sev1, sev2, sev3, sev4, none] = m.by_severity;
                    Month {
                        month: m.key,
                        incidents: m.total,
                        by_severity: BySeverity {
                            sev1,
                            sev2,
                            sev3,
                            sev4,
                            none,
                        },
                        median_minutes_to_detect: m.median_minutes_to_detect,
                        median_minutes_to_resolve: m.median_minutes_to_resolve,
                    }
                })
                .collect(),
            services: metrics::by_service(&incidents),
            factors: FactorCounts {
                totals: vocabulary
                    .iter()
                    .zip(totals)
                    .map(|(f, totals)| FactorTotal {
                        factor: f.id.clone(),
                        totals,
                    })
                    .collect(),
                quarters: factors::quarters(named, vocabulary.len(), self.today.date())
                    .into_iter()
                    .map(|q| QuarterCounts {
                        quarter: q.key,
                        counts: vocabulary
                            .iter()
                            .zip(q.counts)
                            .map(|(f, n)| (f.id.clone(), n))
                            .collect(),
                    })
                    .collect(),
            },
        }
    }
}
