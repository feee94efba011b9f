//! What the template of one page sees (`page`): its text, its facts, and what its kind adds —
//! review dates for runbooks and processes, the incident window for postmortems, the timeline
//! for incidents.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Builder, Link};
use crate::dates::{DateTime, Duration};
use crate::markdown::TocEntry;
use crate::model::{Page, StateView, TermLink};
use crate::source::meta::Parameter;
use crate::vocabulary::{Factor, Impact, Kind, PostmortemStatus, Severity, UpdateStatus};

#[derive(Serialize)]
pub(crate) struct Backlink {
    title: String,
    url: String,
    kind: &'static str,
}

#[derive(Serialize)]
pub(crate) struct ReviewInfo {
    last_reviewed: Option<DateTime>,
    review_interval_days: u32,
    review_due: Option<DateTime>,
    review_overdue: bool,
    review_overdue_days: i64,
}

#[derive(Serialize)]
pub(crate) struct RunbookInfo<'a> {
    alerts: Vec<AlertLink>,
    /// Its parameters with names a placeholder can have, each once (`check` reports the rest).
    parameters: Vec<&'a Parameter>,
    severity: Option<Severity>,
    /// Whether the handbook tracks reviews: the review facts below are there.
    reviewed: bool,
    #[serde(flatten)]
    review: Option<ReviewInfo>,
}

/// An alert a runbook answers, with its stable address when it has one.
#[derive(Serialize)]
pub(crate) struct AlertLink {
    name: String,
    url: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct PostmortemInfo<'a> {
    severity: Option<Severity>,
    status: Option<PostmortemStatus>,
    authors: Vec<String>,
    started: Option<DateTime>,
    detected: Option<DateTime>,
    mitigated: Option<DateTime>,
    resolved: Option<DateTime>,
    duration: Option<Duration>,
    time_to_detect: Option<Duration>,
    time_to_mitigate: Option<Duration>,
    incident_url: Option<String>,
    incident_title: Option<String>,
    /// The runbooks the postmortem links to, in the order it first mentions them.
    runbooks: Vec<Link>,
    /// Its factors of the vocabulary, as written (names outside it are reported, not shown).
    triggers: Vec<&'a Factor>,
    contributing_factors: Vec<&'a Factor>,
    /// The postmortems and incidents its `related` names.
    related: Vec<Backlink>,
}

#[derive(Serialize)]
pub(crate) struct ComponentInfo {
    id: String,
    name: String,
    group: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct UpdateInfo {
    at: DateTime,
    status: UpdateStatus,
    message_html: String,
}

#[derive(Serialize)]
pub(crate) struct IncidentInfo {
    impact: Option<Impact>,
    components: Vec<ComponentInfo>,
    started: Option<DateTime>,
    resolved: Option<DateTime>,
    scheduled_start: Option<DateTime>,
    scheduled_end: Option<DateTime>,
    /// Where it stands at "now": the one value every page shows.
    state: Option<StateView>,
    /// When its impact began and ended, as far as known: the actual times, else the planned
    /// window of a maintenance.
    began: Option<DateTime>,
    ended: Option<DateTime>,
    ongoing: bool,
    duration: Option<Duration>,
    status: Option<UpdateStatus>,
    updates: Vec<UpdateInfo>,
    postmortem_url: Option<String>,
    postmortem_title: Option<String>,
    /// A recurring maintenance's rule, as written in calendars.
    recurrence: Option<String>,
    /// The zone of its wall-clock times.
    timezone: Option<String>,
    /// Its next windows, soonest first.
    next_windows: Vec<(DateTime, DateTime)>,
    /// The end of the window the state stands at: planned, or as it happened.
    window_end: Option<DateTime>,
}

#[derive(Serialize)]
pub(crate) struct PageContext<'a> {
    title: &'a str,
    description: Option<&'a str>,
    kind: &'static str,
    url: String,
    permalink: String,
    content: String,
    /// Whether `content` has a diagram the browser draws.
    has_diagram: bool,
    summary: &'a str,
    toc: &'a [TocEntry],
    date: Option<DateTime>,
    updated: Option<DateTime>,
    tags: Vec<TermLink>,
    owners: Vec<TermLink>,
    services: Vec<TermLink>,
    word_count: usize,
    reading_minutes: usize,
    breadcrumbs: Vec<Link>,
    edit_url: Option<String>,
    /// Where the page was first published, and that site's host name.
    source_url: Option<&'a str>,
    source_host: Option<String>,
    source_path: &'a str,
    backlinks: Vec<Backlink>,
    draft: bool,
    extra: &'a Map<String, Value>,
    runbook: Option<RunbookInfo<'a>>,
    process: Option<ReviewInfo>,
    postmortem: Option<PostmortemInfo<'a>>,
    incident: Option<IncidentInfo>,
}

impl<'a> Builder<'a> {
    pub(crate) fn page(&self, id: usize) -> PageContext<'a> {
        let site = self.site;
        let page: &'a Page = &site.pages[id];
        let meta = &page.meta;
        let review = page.review.map(|r| ReviewInfo {
            last_reviewed: meta.last_reviewed,
            review_interval_days: r.interval_days,
            review_due: r.due,
            review_overdue: r.overdue_days > 0,
            review_overdue_days: r.overdue_days,
        });
        let (runbook, process) = match page.kind {
            Kind::Runbook => (
                Some(RunbookInfo {
                    alerts: meta
                        .alerts
                        .iter()
                        .map(|name| AlertLink {
                            name: name.clone(),
                            url: crate::ops::alerts::alert_url(name)
                                .map(|url: String| self.site.url_of(&url)),
                        })
                        .collect(),
                    parameters: Parameter::usable(&meta.parameters),
                    severity: meta.severity,
                    reviewed: review.is_some(),
                    review,
                }),
                None,
            ),
            Kind::Process => (None, review),
            _ => (None, None),
        };
        let words = page.rendered.word_count;
        PageContext {
            title: &page.title,
            description: meta.description.as_deref(),
            kind: page.kind.as_str(),
            url: self.url(id),
            permalink: self.permalink(id),
            content: page.rendered.html(),
            has_diagram: page.rendered.diagrams,
            summary: &page.rendered.summary,
            toc: &page.rendered.toc,
            date: meta.date,
            updated: meta.updated,
            tags: self.site.term_links("tags", &meta.tags),
            owners: self.site.term_links("owners", &meta.owners),
            services: self.site.term_links("services", &meta.services),
            word_count: words,
            reading_minutes: words.div_ceil(220).max(1),
            breadcrumbs: self.breadcrumbs(id),
            edit_url: self.edit_url(page),
            source_url: meta.source_url.as_deref(),
            source_host: meta.source_url.as_deref().map(host_of),
            source_path: page.source(),
            backlinks: crate::model::referenced_by(site, id)
                .iter()
                .map(|&b| self.backlink(b))
                .collect(),
            draft: meta.draft,
            extra: &meta.extra,
            runbook,
            process,
            postmortem: (page.kind == Kind::Postmortem).then(|| self.postmortem(id)),
            incident: (page.kind == Kind::Incident).then(|| self.incident(id)),
        }
    }

    fn edit_url(&self, page: &Page) -> Option<String> {
        let repo = self.config().repo_url.as_deref()?;
        page.document.as_ref()?;
        Some(format!(
            "{repo}/edit/{}/{}",
            self.config().branch,
            page.file
        ))
    }

    fn postmortem(&self, id: usize) -> PostmortemInfo<'a> {
        let page: &'a Page = &self.site.pages[id];
        let meta = &page.meta;
        // Dates out of order are reported where they were read; they make no duration.
        let between = |a: Option<DateTime>, b: Option<DateTime>| {
            let (a, b) = (a?, b?);
            (a <= b).then(|| Duration::between(&a, &b))
        };
        let incident = meta
            .incident
            .as_deref()
            .and_then(|name| self.site.incident_named(name));
        PostmortemInfo {
            severity: meta.severity,
            status: meta.status,
            authors: meta.authors.clone(),
            started: meta.started,
            detected: meta.detected,
            mitigated: meta.mitigated,
            resolved: meta.resolved,
            duration: between(meta.started, meta.resolved),
            time_to_detect: between(meta.started, meta.detected),
            time_to_mitigate: between(meta.started, meta.mitigated),
            incident_url: incident.map(|i| self.url(i)),
            incident_title: incident.map(|i| self.site.pages[i].title.clone()),
            runbooks: crate::model::runbooks_linked_from(self.site, page)
                .into_iter()
                .map(|r| Link {
                    title: self.site.pages[r].title.clone(),
                    url: self.url(r),
                })
                .collect(),
            triggers: self.factors(&meta.triggers),
            contributing_factors: self.factors(&meta.contributing_factors),
            related: self
                .site
                .related_of(id)
                .iter()
                .map(|&r| self.backlink(r))
                .collect(),
        }
    }

    /// The factors of the vocabulary among `ids`, each once.
    fn factors(&self, ids: &[String]) -> Vec<&'a Factor> {
        let mut factors: Vec<&'a Factor> = Vec::new();
        for (_, factor) in ids.iter().filter_map(|id| self.site.config.factor(id)) {
            if !factors.iter().any(|f| f.id == factor.id) {
                factors.push(factor);
            }
        }
        factors
    }

    fn backlink(&self, id: usize) -> Backlink {
        let page = &self.site.pages[id];
        Backlink {
            title: page.title.clone(),
            url: self.url(id),
            kind: page.kind.as_str(),
        }
    }

    fn incident(&self, id: usize) -> IncidentInfo {
        let meta = &self.site.pages[id].meta;
        let mut updates: Vec<UpdateInfo> = meta
            .updates
            .iter()
            .map(|u| UpdateInfo {
                at: u.at,
                status: u.status,
                message_html: crate::markdown::inline(&u.message),
            })
            .collect();
        updates.sort_by_key(|u| std::cmp::Reverse(u.at));
        let postmortem = self.site.postmortem_of(id);
        let state = self.site.pages[id].incident;
        let shown = |instant| DateTime {
            instant,
            date_only: false,
        };
        let began = state.and_then(|s| s.start).map(shown);
        let series = crate::model::recurrence::Series::of(meta).ok().flatten();
        // The windows from the one the state stands at (going on, or next), without "now".
        let next_windows = match (&series, state) {
            (Some(series), Some(state)) if state.phase.is_open() => {
                let from = state
                    .start
                    .map_or(jiff::Timestamp::MAX, |start| match state.phase {
                        crate::model::Phase::Upcoming => start
                            .checked_sub(jiff::SignedDuration::from_secs(1))
                            .unwrap_or(start),
                        _ => start,
                    });
                series
                    .around(from, 3)
                    .next
                    .into_iter()
                    .map(|(start, end)| (shown(start), shown(end)))
                    .collect()
            }
            _ => Vec::new(),
        };
        let ended = state
            .filter(|s| !s.phase.is_open())
            .and_then(|s| s.end)
            .map(shown);
        IncidentInfo {
            impact: meta.impact,
            components: meta
                .components
                .iter()
                .map(|c| match self.config().component(c) {
                    Some(component) => ComponentInfo {
                        id: c.clone(),
                        name: component.name.clone(),
                        group: component.group.clone(),
                    },
                    None => ComponentInfo {
                        id: c.clone(),
                        name: c.clone(),
                        group: None,
                    },
                })
                .collect(),
            started: meta.started,
            resolved: meta.resolved,
            scheduled_start: meta.scheduled_start,
            scheduled_end: meta.scheduled_end,
            state: state.map(|s| s.view()),
            began,
            ended,
            ongoing: state.is_some_and(|s| s.phase.is_active()),
            duration: match (began, ended) {
                (Some(a), Some(b)) if a <= b => Some(Duration::between(&a, &b)),
                _ => None,
            },
            status: state.map(|s| s.status),
            updates,
            postmortem_url: postmortem.map(|p| self.url(p)),
            postmortem_title: postmortem.map(|p| self.site.pages[p].title.clone()),
            recurrence: series.as_ref().map(|s| s.calendar_rule()),
            timezone: series
                .as_ref()
                .and_then(|s| s.zone().iana_name().map(str::to_string)),
            next_windows,
            window_end: state.and_then(|s| s.end).map(shown),
        }
    }
}

/// `https://status.example.com/x` → `status.example.com`.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.rsplit_once('@')
        .map_or(host, |(_, host)| host)
        .to_string()
}
