//! The values templates see (documented in the README's template reference). Built from the
//! site model; nothing here renders or writes.

mod lists;
mod page;

use serde::Serialize;

use crate::config::Config;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use crate::model::{PageSummary, Place, Site, TAXONOMIES};

/// How many pages of the current section the sidebar lists around the current page: enough to
/// see where one is, few enough that the sidebar is not most of every page.
const NAV_WINDOW: usize = 10;

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
    /// The languages search analyzes, by their own names (`Deutsch, English`); none for a
    /// handbook all in English.
    search_languages: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Assets {
    style: String,
    favicon: String,
    script: String,
    syntax: String,
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
    /// The URL of each generated page the site has (`links.search`, `links.metrics`, …): a
    /// template links to one only when it is there.
    links: BTreeMap<&'static str, String>,
}

impl<'a> Globals<'a> {
    /// The globals of `site`, whose generated pages are at `places`; `search`: the site has its
    /// search page.
    pub(crate) fn new(site: &'a Site, places: &BTreeSet<Place>, search: bool) -> Globals<'a> {
        let config: &Config = &site.config;
        let asset = |name: &str| format!("{}{name}", config.base_path);
        let mut links = BTreeMap::new();
        for &place in places.iter().chain(search.then_some(&Place::Search)) {
            links.insert(place.name(), asset(site.places.url(place)));
        }
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
                search_languages: search_languages(site),
            },
            assets: Assets {
                style: asset("style.css"),
                favicon: asset("favicon.svg"),
                script: asset("opsbook.js"),
                syntax: asset("syntax.css"),
                syntax_light: asset("syntax-light.css"),
                syntax_dark: asset("syntax-dark.css"),
            },
            taxonomies: TAXONOMIES
                .iter()
                .filter(|(name, _)| site.taxonomies.get(name).is_some_and(|t| !t.is_empty()))
                .map(|(name, title)| TaxonomyLink {
                    name,
                    title,
                    url: asset(site.places.url(Place::of_taxonomy(name))),
                })
                .collect(),
            operations: crate::ops::hubs(site, places)
                .into_iter()
                .map(|(title, place)| TaxonomyLink {
                    name: place.name(),
                    title,
                    url: asset(site.places.url(place)),
                })
                .collect(),
            links,
        }
    }
}

/// See [`SiteInfo::search_languages`].
fn search_languages(site: &Site) -> Option<String> {
    let languages = crate::search::site_languages(site);
    (languages != [crate::language::Language::English]).then(|| {
        (languages.iter())
            .map(|language| language.own_name())
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Builds context values for one site.
pub(crate) struct Builder<'a> {
    pub site: &'a Site,
    /// Each page as lists show it, made the first time a list needs it: a page is in several
    /// lists (its section, each of its tags, owners and services).
    summaries: Vec<OnceLock<PageSummary>>,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(site: &'a Site) -> Builder<'a> {
        Builder {
            site,
            summaries: site.pages.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Page `id` as lists show it.
    pub(crate) fn summary(&self, id: usize) -> &PageSummary {
        self.summaries[id].get_or_init(|| self.site.summary(id))
    }
}

#[derive(Serialize)]
pub(crate) struct Link {
    title: String,
    url: String,
}

/// A section of the sidebar, or a page.
#[derive(Serialize)]
pub(crate) struct NavItem {
    title: String,
    url: String,
    kind: &'static str,
    /// A section (its items may be shown), not a page.
    section: bool,
    active: bool,
    /// The section's pages and subsections in the handbook's order (the pages of the active
    /// section only, up to 16 around the current page).
    items: Vec<NavItem>,
    /// How many pages of the section the sidebar does not list.
    more_count: usize,
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

    /// The sidebar for the page `current`: the top sections and pages in the handbook's order,
    /// the active branch opened.
    pub(crate) fn nav(&self, current: usize) -> Vec<NavItem> {
        let mut active = self.site.ancestors(current);
        active.push(current);
        let top = self.site.pages[0].list.as_ref();
        let pages = top.map_or(&[][..], |l| l.pages.as_slice());
        self.in_order(self.site.top_sections(), pages)
            .into_iter()
            .map(|id| match self.site.pages[id].is_section() {
                true => self.nav_item(id, current, &active),
                false => self.nav_page(id, current),
            })
            .collect()
    }

    /// `sections` and `pages` in one list, in the handbook's order.
    fn in_order(&self, sections: &[usize], pages: &[usize]) -> Vec<usize> {
        let mut ids: Vec<usize> = sections.iter().chain(pages).copied().collect();
        ids.sort_by(|&a, &b| self.site.order(a, b));
        ids
    }

    fn nav_page(&self, id: usize, current: usize) -> NavItem {
        let page = &self.site.pages[id];
        NavItem {
            title: page.title.clone(),
            url: self.url(id),
            kind: page.kind.as_str(),
            section: false,
            active: id == current,
            items: Vec::new(),
            more_count: 0,
        }
    }

    fn nav_item(&self, section: usize, current: usize, active: &[usize]) -> NavItem {
        let page = &self.site.pages[section];
        let is_active = active.contains(&section);
        let list = page.list.as_ref();
        let (items, more_count) = match list {
            Some(list) if is_active => {
                let position = list.pages.iter().position(|&p| p == current).unwrap_or(0);
                let start = position
                    .saturating_sub(NAV_WINDOW / 2)
                    .min(list.pages.len().saturating_sub(NAV_WINDOW));
                let window = &list.pages[start..list.pages.len().min(start + NAV_WINDOW)];
                let items = self
                    .in_order(&list.subsections, window)
                    .into_iter()
                    .map(|id| match self.site.pages[id].is_section() {
                        true => self.nav_item(id, current, active),
                        false => self.nav_page(id, current),
                    })
                    .collect();
                (items, list.pages.len() - window.len())
            }
            Some(list) => (Vec::new(), list.pages.len()),
            None => (Vec::new(), 0),
        };
        NavItem {
            title: page.title.clone(),
            url: self.url(section),
            kind: page.kind.as_str(),
            section: true,
            active: is_active,
            items,
            more_count,
        }
    }
}
