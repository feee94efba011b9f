//! What the lists of the site show of a page — a section's pages, a term's pages, a service's
//! runbooks and incidents — and which pages refer to it. Both the rendered pages and the
//! operations pages use these, so they live with the graph.

use serde::Serialize;

use super::{Page, Site};
use crate::dates::DateTime;
use crate::paths::url_segment;
use crate::vocabulary::{Impact, Kind, PostmortemStatus, Severity, UpdateStatus};

/// A taxonomy term as a link.
#[derive(Debug, Serialize)]
pub(crate) struct TermLink {
    name: String,
    url: String,
}

/// One page in a list.
#[derive(Debug, Serialize)]
pub(crate) struct PageSummary {
    title: String,
    url: String,
    kind: &'static str,
    description: Option<String>,
    summary: String,
    date: Option<DateTime>,
    tags: Vec<TermLink>,
    services: Vec<TermLink>,
    severity: Option<Severity>,
    impact: Option<Impact>,
    /// A postmortem's status, or where an incident stands (its state's status).
    status: Option<SummaryStatus>,
    /// An incident having its impact now.
    ongoing: bool,
    /// Where an incident or maintenance stands.
    state: Option<super::StateView>,
    review_overdue: bool,
    owners: Vec<TermLink>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(super) enum SummaryStatus {
    Postmortem(PostmortemStatus),
    Update(UpdateStatus),
}

impl Site {
    /// The URL of the page of term `name` of `taxonomy`.
    pub(crate) fn term_url(&self, taxonomy: &str, name: &str) -> String {
        let list = self.places.url(super::Place::of_taxonomy(taxonomy));
        format!("{}{list}{}/", self.config.base_path, url_segment(name))
    }

    /// `names`, terms of `taxonomy`, as links (names that make no URL left out).
    pub(crate) fn term_links(&self, taxonomy: &str, names: &[String]) -> Vec<TermLink> {
        names
            .iter()
            .filter(|n| !url_segment(n).is_empty())
            .map(|name| TermLink {
                name: name.clone(),
                url: self.term_url(taxonomy, name),
            })
            .collect()
    }

    /// Page `id` as lists show it.
    pub(crate) fn summary(&self, id: usize) -> PageSummary {
        let page = &self.pages[id];
        let meta = &page.meta;
        PageSummary {
            title: page.title.clone(),
            url: self.url(id),
            kind: page.kind.as_str(),
            description: meta.description.clone(),
            summary: page.rendered.summary.clone(),
            date: meta.date.or(meta.started).or(meta.scheduled_start),
            tags: self.term_links("tags", &meta.tags),
            services: self.term_links("services", &meta.services),
            severity: meta.severity,
            impact: meta.impact,
            status: match page.incident {
                Some(state) => Some(SummaryStatus::Update(state.status)),
                None => meta.status.map(SummaryStatus::Postmortem),
            },
            ongoing: page.incident.is_some_and(|s| s.phase.is_active()),
            state: page.incident.map(|s| s.view()),
            review_overdue: page.review.is_some_and(|r| r.overdue_days > 0),
            owners: self.term_links("owners", &meta.owners),
        }
    }
}

/// The pages referring to page `id`: those linking to it, and those naming it in front matter
/// (a postmortem's `incident` and `related`, and for a postmortem the incident it explains), by
/// title.
pub(crate) fn referenced_by(site: &Site, id: usize) -> Vec<usize> {
    let page = &site.pages[id];
    let mut ids = page.backlinks.clone();
    let named = match page.kind {
        Kind::Incident => site.postmortem_of(id),
        Kind::Postmortem => page
            .meta
            .incident
            .as_deref()
            .and_then(|n| site.incident_named(n)),
        _ => None,
    };
    let before = ids.len();
    for other in named.iter().chain(site.related_to(id)) {
        if !ids.contains(other) {
            ids.push(*other);
        }
    }
    if ids.len() > before {
        ids.sort_by(|&a, &b| {
            site.pages[a]
                .title
                .cmp(&site.pages[b].title)
                .then(a.cmp(&b))
        });
    }
    ids
}

/// The runbooks `page` links to, in the order it first mentions them.
pub(crate) fn runbooks_linked_from(site: &Site, page: &Page) -> Vec<usize> {
    let mut runbooks: Vec<usize> = Vec::new();
    for target in page.rendered.links.iter().filter_map(|l| l.target) {
        let linked = &site.pages[target];
        if linked.kind == Kind::Runbook && !linked.is_section() && !runbooks.contains(&target) {
            runbooks.push(target);
        }
    }
    runbooks
}
