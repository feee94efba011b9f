//! What the templates of lists see: a section with its pages and subsections, a taxonomy
//! with its terms, a term with its pages grouped by kind.

use serde::Serialize;

use super::{Builder, Link};
use crate::markdown::TocEntry;
use crate::model::{Page, PageSummary};
use crate::vocabulary::Kind;

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
    content: String,
    /// Whether `content` has a diagram the browser draws.
    has_diagram: bool,
    kind: &'static str,
    breadcrumbs: Vec<Link>,
    toc: &'a [TocEntry],
    pages: Vec<&'a PageSummary>,
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
pub(crate) struct TermContext<'a> {
    name: String,
    url: String,
    count: usize,
    /// The term's pages by kind: runbooks, processes, postmortems, incidents, then other pages.
    groups: Vec<KindGroup<'a>>,
}

#[derive(Serialize)]
pub(crate) struct KindGroup<'a> {
    kind: &'static str,
    title: &'static str,
    pages: Vec<&'a PageSummary>,
}

impl<'a> Builder<'a> {
    pub(crate) fn section(&self, id: usize) -> SectionContext<'_> {
        let page: &'a Page = &self.site.pages[id];
        let list = page.list.clone().unwrap_or_default();
        SectionContext {
            title: &page.title,
            description: page.meta.description.as_deref(),
            url: self.url(id),
            permalink: self.permalink(id),
            content: page.rendered.html(),
            has_diagram: page.rendered.diagrams,
            kind: page.kind.as_str(),
            breadcrumbs: self.breadcrumbs(id),
            toc: &page.rendered.toc,
            pages: list.pages.iter().map(|&p| self.summary(p)).collect(),
            subsections: list
                .subsections
                .iter()
                .map(|&s| {
                    let sub = &self.site.pages[s];
                    SubsectionSummary {
                        title: sub.title.clone(),
                        url: self.url(s),
                        description: sub.meta.description.clone(),
                        page_count: self.site.pages_under(s),
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
            url: format!(
                "{}{}",
                self.config().base_path,
                self.site.places.url(crate::model::Place::of_taxonomy(name))
            ),
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

    pub(crate) fn term(&self, taxonomy: &str, slug: &str) -> TermContext<'_> {
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
                    .map(|&p| self.summary(p))
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
