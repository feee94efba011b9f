//! The values templates see (documented in the README's template reference). Built from the
//! site model; nothing here renders or writes.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::dates::{DateTime, Duration};
use crate::markdown::TocEntry;
use crate::model::{Page, PageSummary, Site, TermLink, TAXONOMIES};
use crate::vocabulary::{Impact, Kind, PostmortemStatus, Severity, UpdateStatus};

/// How many pages of the current section the sidebar lists around the current page.
const NAV_WINDOW: usize = 50;

#[derive(Serialize)]
pub(crate) struct SiteInfo<'a> {
    title: &'a str,
    description: Option<&'a str>,
    base_url: &'a str,
    base_path: &'a str,
    language: &'a str,
    repo_url: Option<&'a str>,
    branch: &'a str,
    /// Whether the site has search (`[search] enabled`).
    search: bool,
}

#[derive(Serialize)]
pub(crate) struct Assets {
    style: String,
    favicon: String,
    script: String,
    syntax_light: String,
    syntax_dark: String,
}

#[derive(Serialize)]
pub(crate) struct TaxonomyLink {
    name: &'static str,
    title: &'static str,
    url: String,
}

/// What every template gets.
#[derive(Serialize)]
pub(crate) struct Globals<'a> {
    site: SiteInfo<'a>,
    assets: Assets,
    taxonomies: Vec<TaxonomyLink>,
    /// Pages of the operations features worth a link everywhere (alerts, reviews, …).
    operations: Vec<TaxonomyLink>,
}

impl<'a> Globals<'a> {
    pub(crate) fn new(site: &'a Site) -> Globals<'a> {
        let config: &Config = &site.config;
        let asset = |name: &str| format!("{}{name}", config.base_path);
        Globals {
            site: SiteInfo {
                title: &config.title,
                description: config.description.as_deref(),
                base_url: &config.base_url,
                base_path: &config.base_path,
                language: &config.language,
                repo_url: config.repo_url.as_deref(),
                branch: &config.branch,
                search: config.search,
            },
            assets: Assets {
                style: asset("style.css"),
                favicon: asset("favicon.svg"),
                script: asset("opsbook.js"),
                syntax_light: asset("syntax-light.css"),
                syntax_dark: asset("syntax-dark.css"),
            },
            taxonomies: TAXONOMIES
                .iter()
                .filter(|(name, _)| site.taxonomies.get(name).is_some_and(|t| !t.is_empty()))
                .map(|(name, title)| TaxonomyLink {
                    name,
                    title,
                    url: asset(&format!("{name}/")),
                })
                .collect(),
            operations: crate::ops::hubs(site)
                .into_iter()
                .map(|(title, url)| TaxonomyLink {
                    name: url.trim_end_matches('/'),
                    title,
                    url: asset(url),
                })
                .collect(),
        }
    }
}

/// Builds context values for one site.
pub(crate) struct Builder<'a> {
    pub site: &'a Site,
}

#[derive(Serialize)]
pub(crate) struct Link {
    title: String,
    url: String,
}

#[derive(Serialize)]
pub(crate) struct NavItem {
    title: String,
    url: String,
    kind: &'static str,
    active: bool,
    pages: Vec<NavPage>,
    subsections: Vec<NavItem>,
    more_count: usize,
}

#[derive(Serialize)]
pub(crate) struct NavPage {
    title: String,
    url: String,
    kind: &'static str,
    active: bool,
}

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
pub(crate) struct RunbookInfo {
    alerts: Vec<String>,
    severity: Option<Severity>,
    #[serde(flatten)]
    review: ReviewInfo,
}

#[derive(Serialize)]
pub(crate) struct PostmortemInfo {
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
    ongoing: bool,
    duration: Option<Duration>,
    status: Option<UpdateStatus>,
    updates: Vec<UpdateInfo>,
    postmortem_url: Option<String>,
    postmortem_title: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct PageContext<'a> {
    title: &'a str,
    description: Option<&'a str>,
    kind: &'static str,
    url: String,
    permalink: String,
    content: &'a str,
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
    source_path: &'a str,
    backlinks: Vec<Backlink>,
    draft: bool,
    extra: &'a Map<String, Value>,
    runbook: Option<RunbookInfo>,
    process: Option<ReviewInfo>,
    postmortem: Option<PostmortemInfo>,
    incident: Option<IncidentInfo>,
}

#[derive(Serialize)]
pub(crate) struct SubsectionSummary {
    title: String,
    url: String,
    description: Option<String>,
    page_count: usize,
}

#[derive(Serialize)]
pub(crate) struct SectionContext<'a> {
    title: &'a str,
    description: Option<&'a str>,
    url: String,
    permalink: String,
    content: &'a str,
    kind: &'static str,
    breadcrumbs: Vec<Link>,
    toc: &'a [TocEntry],
    pages: Vec<PageSummary>,
    subsections: Vec<SubsectionSummary>,
}

#[derive(Serialize)]
pub(crate) struct TermSummary {
    name: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
pub(crate) struct TaxonomyContext {
    name: &'static str,
    title: &'static str,
    url: String,
    terms: Vec<TermSummary>,
}

#[derive(Serialize)]
pub(crate) struct TermContext {
    name: String,
    url: String,
    count: usize,
    /// The term's pages by kind: runbooks, processes, postmortems, incidents, then other pages.
    groups: Vec<KindGroup>,
}

#[derive(Serialize)]
pub(crate) struct KindGroup {
    kind: &'static str,
    title: &'static str,
    pages: Vec<PageSummary>,
}

impl<'a> Builder<'a> {
    fn config(&self) -> &'a Config {
        &self.site.config
    }

    pub(crate) fn url(&self, id: usize) -> String {
        self.site.url(id)
    }

    pub(crate) fn permalink(&self, id: usize) -> String {
        self.site.permalink(id)
    }

    pub(crate) fn breadcrumbs(&self, id: usize) -> Vec<Link> {
        self.site
            .ancestors(id)
            .into_iter()
            .map(|a| Link {
                title: self.site.pages[a].title.clone(),
                url: self.url(a),
            })
            .collect()
    }

    /// The sidebar for the page `current`: top sections, the active branch opened.
    pub(crate) fn nav(&self, current: usize) -> Vec<NavItem> {
        let mut active = self.site.ancestors(current);
        active.push(current);
        self.site
            .top_sections()
            .iter()
            .map(|&s| self.nav_item(s, current, &active))
            .collect()
    }

    fn nav_item(&self, section: usize, current: usize, active: &[usize]) -> NavItem {
        let page = &self.site.pages[section];
        let is_active = active.contains(&section);
        let list = page.list.as_ref();
        let (pages, subsections, more_count) = match list {
            Some(list) if is_active => {
                let position = list.pages.iter().position(|&p| p == current).unwrap_or(0);
                let start = position
                    .saturating_sub(NAV_WINDOW / 2)
                    .min(list.pages.len().saturating_sub(NAV_WINDOW));
                let window = &list.pages[start..list.pages.len().min(start + NAV_WINDOW)];
                let pages = window
                    .iter()
                    .map(|&p| NavPage {
                        title: self.site.pages[p].title.clone(),
                        url: self.url(p),
                        kind: self.site.pages[p].kind.as_str(),
                        active: p == current,
                    })
                    .collect();
                let subsections = list
                    .subsections
                    .iter()
                    .map(|&s| self.nav_item(s, current, active))
                    .collect();
                (pages, subsections, list.pages.len() - window.len())
            }
            Some(list) => (Vec::new(), Vec::new(), list.pages.len()),
            None => (Vec::new(), Vec::new(), 0),
        };
        NavItem {
            title: page.title.clone(),
            url: self.url(section),
            kind: page.kind.as_str(),
            active: is_active,
            pages,
            subsections,
            more_count,
        }
    }

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
                review.map(|review| RunbookInfo {
                    alerts: meta.alerts.clone(),
                    severity: meta.severity,
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
            content: &page.rendered.html,
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
            source_path: page.source(),
            backlinks: crate::model::referenced_by(site, id)
                .iter()
                .map(|&b| Backlink {
                    title: site.pages[b].title.clone(),
                    url: self.url(b),
                    kind: site.pages[b].kind.as_str(),
                })
                .collect(),
            draft: meta.draft,
            extra: &meta.extra,
            runbook,
            process,
            postmortem: (page.kind == Kind::Postmortem).then(|| self.postmortem(page)),
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

    fn postmortem(&self, page: &Page) -> PostmortemInfo {
        let meta = &page.meta;
        let between = |a: Option<DateTime>, b: Option<DateTime>| Some(Duration::between(&a?, &b?));
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
        let maintenance = meta.impact == Some(Impact::Maintenance);
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
            ongoing: meta.resolved.is_none() && !maintenance,
            duration: match (meta.started, meta.resolved) {
                (Some(a), Some(b)) => Some(Duration::between(&a, &b)),
                _ => None,
            },
            status: meta.updates.iter().max_by_key(|u| u.at).map(|u| u.status),
            updates,
            postmortem_url: postmortem.map(|p| self.url(p)),
            postmortem_title: postmortem.map(|p| self.site.pages[p].title.clone()),
        }
    }

    pub(crate) fn section(&self, id: usize) -> SectionContext<'a> {
        let page: &'a Page = &self.site.pages[id];
        let list = page.list.clone().unwrap_or_default();
        SectionContext {
            title: &page.title,
            description: page.meta.description.as_deref(),
            url: self.url(id),
            permalink: self.permalink(id),
            content: &page.rendered.html,
            kind: page.kind.as_str(),
            breadcrumbs: self.breadcrumbs(id),
            toc: &page.rendered.toc,
            pages: list.pages.iter().map(|&p| self.site.summary(p)).collect(),
            subsections: list
                .subsections
                .iter()
                .map(|&s| {
                    let sub = &self.site.pages[s];
                    SubsectionSummary {
                        title: sub.title.clone(),
                        url: self.url(s),
                        description: sub.meta.description.clone(),
                        page_count: sub.list.as_ref().map_or(0, |l| l.pages.len()),
                    }
                })
                .collect(),
        }
    }

    pub(crate) fn taxonomy(&self, name: &'static str, title: &'static str) -> TaxonomyContext {
        let terms = &self.site.taxonomies[name];
        TaxonomyContext {
            name,
            title,
            url: format!("{}{name}/", self.config().base_path),
            terms: terms
                .values()
                .map(|t| TermSummary {
                    name: t.name.clone(),
                    url: self.site.term_url(name, &t.name),
                    count: t.pages.len(),
                })
                .collect(),
        }
    }

    pub(crate) fn term(&self, taxonomy: &str, slug: &str) -> TermContext {
        let term = &self.site.taxonomies[taxonomy][slug];
        let order = [
            (Kind::Runbook, "Runbooks"),
            (Kind::Process, "Processes"),
            (Kind::Postmortem, "Postmortems"),
            (Kind::Incident, "Incidents"),
            (Kind::Page, "Pages"),
        ];
        let groups = order
            .into_iter()
            .map(|(kind, title)| KindGroup {
                kind: kind.as_str(),
                title,
                pages: term
                    .pages
                    .iter()
                    .filter(|&&p| self.site.pages[p].kind == kind)
                    .map(|&p| self.site.summary(p))
                    .collect(),
            })
            .filter(|group| !group.pages.is_empty())
            .collect();
        TermContext {
            name: term.name.clone(),
            url: self.site.term_url(taxonomy, &term.name),
            count: term.pages.len(),
            groups,
        }
    }
}
