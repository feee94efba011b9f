//! Building the site graph from the source stage's documents: a section for every folder, a
//! page for every document, URLs, parents and section order, aliases, taxonomies, review dates,
//! incidents paired with their postmortems. Two files wanting one URL, or an alias leaving the
//! site, are errors; nothing else here can fail.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Options, Page, Review, SectionList, Site, Term, TAXONOMIES};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::markdown::{self, Rendered};
use crate::paths::{file_name, parent, url_segment};
use crate::source::{Content, Document, Folder, Meta};
use crate::vocabulary::Kind;

/// What section order compares before the path (see [`Site::order_key`]).
type OrderKey = (i64, std::cmp::Reverse<Option<jiff::Timestamp>>, String);

impl Site {
    /// Builds the graph from what `source` read; markdown is not rendered yet.
    pub(crate) fn assemble(
        config: Config,
        content: Content,
        options: &Options,
        diagnostics: &mut Diagnostics,
    ) -> Site {
        let documents: Vec<Document> = content
            .documents
            .into_iter()
            .filter(|d| options.drafts || !d.meta.draft)
            .collect();
        let mut site = Site {
            config,
            pages: Vec::with_capacity(documents.len() + 16),
            asset_set: content.assets.iter().cloned().collect(),
            assets: content.assets,
            content: content.folder,
            taxonomies: BTreeMap::new(),
            aliases: BTreeMap::new(),
            by_path: HashMap::new(),
            by_source: HashMap::new(),
            incidents: HashMap::new(),
            postmortems: HashMap::new(),
            related: Default::default(),
            left_out: Vec::new(),
            places: super::Places::default(),
        };
        site.add_sections(&documents, &content.folders);
        for document in documents {
            site.add_document(document);
        }
        site.link_parents();
        site.pair_incidents();
        site.resolve_related();
        site.name_alert_pages();
        site.check_urls(diagnostics);
        site.collect_taxonomies();
        site.places = super::Places::allocate(&site);
        site.compute_reviews(options);
        let stale_after = site.config.checks.ongoing_incident_max_days;
        for page in site.pages.iter_mut() {
            if page.kind == Kind::Incident && !page.is_section() {
                page.incident = Some(super::IncidentState::of(
                    &page.meta,
                    options.now,
                    stale_after,
                ));
            }
        }
        site
    }

    /// Every folder holding markdown becomes a section, `_index.md` or not (bundle folders excepted).
    fn add_sections(&mut self, documents: &[Document], known: &BTreeMap<String, Folder>) {
        let bundles: HashSet<&str> = documents
            .iter()
            .filter(|d| d.is_bundle())
            .map(|d| parent(&d.path))
            .collect();
        let mut folders: Vec<String> = vec![String::new()];
        for document in documents {
            let mut dir = parent(&document.path);
            if document.is_bundle() {
                dir = parent(dir);
            }
            while !dir.is_empty() {
                if !bundles.contains(dir) {
                    folders.push(dir.to_string());
                }
                dir = parent(dir);
            }
        }
        folders.sort();
        folders.dedup();
        for folder in folders {
            let info = known.get(&folder);
            let title = match info.and_then(|f| f.title.clone()) {
                Some(title) => title,
                None if folder.is_empty() => self.config.title.clone(),
                None => humanize(file_name(&folder)),
            };
            let meta = Meta {
                weight: info.and_then(|f| f.weight),
                ..Meta::default()
            };
            let url = url_of_folder(&folder);
            let path = if folder.is_empty() {
                "_index.md".to_string()
            } else {
                format!("{folder}/_index.md")
            };
            self.by_path.insert(path.clone(), self.pages.len());
            self.pages.push(Page {
                path,
                file: self.content.join(&folder),
                document: None,
                meta,
                kind: info.map_or(Kind::Page, |f| f.kind),
                title,
                url,
                parent: None,
                list: Some(SectionList::default()),
                rendered: Rendered::default(),
                backlinks: Vec::new(),
                review: None,
                incident: None,
            });
        }
    }

    fn add_document(&mut self, document: Document) {
        if document.is_section_index() {
            if let Some(&id) = self.by_path.get(&document.path) {
                let section = &mut self.pages[id];
                if let Some(title) = document
                    .meta
                    .title
                    .clone()
                    .or_else(|| markdown::first_heading(&document.body()))
                {
                    section.title = title;
                }
                if let Some(slug) = &document.meta.slug {
                    section.url = replace_last_segment(&section.url, slug);
                }
                let folder_weight = section.meta.weight;
                section.meta = document.meta.clone();
                section.meta.weight = section.meta.weight.or(folder_weight);
                section.file = document.file.clone();
                self.by_source.insert(document.source.clone(), id);
                section.document = Some(document);
            } else {
                self.left_out.push(crate::source::LeftOut {
                    file: document.file,
                    why: "its folder is a page of its own (it holds `index.md`)".to_string(),
                    known: false,
                });
            }
            return;
        }
        let kind = document.meta.kind.unwrap_or(Kind::Page);
        let title = document
            .meta
            .title
            .clone()
            .or_else(|| markdown::first_heading(&document.body()))
            .unwrap_or_else(|| humanize(file_stem(&document.path)));
        let mut url = url_of_document(&document.path);
        if let Some(slug) = &document.meta.slug {
            url = replace_last_segment(&url, slug);
        }
        self.by_path.insert(document.path.clone(), self.pages.len());
        self.by_source
            .insert(document.source.clone(), self.pages.len());
        self.pages.push(Page {
            path: document.path.clone(),
            file: document.file.clone(),
            meta: document.meta.clone(),
            document: Some(document),
            kind,
            title,
            url,
            parent: None,
            list: None,
            rendered: Rendered::default(),
            backlinks: Vec::new(),
            review: None,
            incident: None,
        });
    }

    /// Attaches each page to the nearest enclosing section and sorts section lists.
    fn link_parents(&mut self) {
        for id in 0..self.pages.len() {
            if id == 0 {
                continue;
            }
            let page = &self.pages[id];
            let mut dir = parent(&page.path);
            if page.is_section() || page.document.as_ref().is_some_and(Document::is_bundle) {
                dir = parent(dir);
            }
            let parent = loop {
                let key = if dir.is_empty() {
                    "_index.md".to_string()
                } else {
                    format!("{dir}/_index.md")
                };
                if let Some(&parent) = self.by_path.get(&key) {
                    if parent != id {
                        break parent;
                    }
                }
                if dir.is_empty() {
                    break 0;
                }
                dir = parent(dir);
            };
            self.pages[id].parent = Some(parent);
            let is_section = self.pages[id].is_section();
            if let Some(list) = self.pages[parent].list.as_mut() {
                if is_section {
                    list.subsections.push(id);
                } else {
                    list.pages.push(id);
                }
            }
        }
        let keys = self.order_keys();
        for id in 0..self.pages.len() {
            let Some(mut list) = self.pages[id].list.take() else {
                continue;
            };
            list.pages.sort_by(|&a, &b| self.order_by(&keys, a, b));
            list.subsections
                .sort_by(|&a, &b| self.order_by(&keys, a, b));
            self.pages[id].list = Some(list);
        }
    }

    /// Section order: weight, then newest date first, then title, then path.
    pub(crate) fn order(&self, a: usize, b: usize) -> std::cmp::Ordering {
        (self.order_key(a).cmp(&self.order_key(b)))
            .then_with(|| self.pages[a].path.cmp(&self.pages[b].path))
    }

    /// [`Site::order`] from keys made once per page ([`Site::order_keys`]): a sort that
    /// lowercased both titles at each comparison was most of the model stage at 100,000 pages.
    fn order_by(&self, keys: &[OrderKey], a: usize, b: usize) -> std::cmp::Ordering {
        (keys[a].cmp(&keys[b])).then_with(|| self.pages[a].path.cmp(&self.pages[b].path))
    }

    fn order_keys(&self) -> Vec<OrderKey> {
        (0..self.pages.len()).map(|id| self.order_key(id)).collect()
    }

    /// What [`Site::order`] compares before the path: weight, date (newest first, undated
    /// last), lowercased title.
    fn order_key(&self, id: usize) -> OrderKey {
        let page = &self.pages[id];
        let date = page.meta.date.or(page.meta.started).map(|d| d.instant);
        (
            page.meta.weight.unwrap_or(i64::MAX),
            std::cmp::Reverse(date),
            page.title.to_lowercase(),
        )
    }

    /// Two sources claiming one URL, or an alias escaping the site, are errors.
    fn check_urls(&mut self, diagnostics: &mut Diagnostics) {
        let mut owners: HashMap<String, usize> = HashMap::new();
        for id in 0..self.pages.len() {
            let url = self.pages[id].url.clone();
            let Some(&other) = owners.get(&url) else {
                owners.insert(url, id);
                continue;
            };
            // The later page moves to a free URL, so both are still rendered.
            let base = url.trim_end_matches('/');
            let free = (2..)
                .map(|n| format!("{base}-{n}/"))
                .find(|candidate| !owners.contains_key(candidate))
                .unwrap_or_default();
            let (first, page) = (&self.pages[other], &self.pages[id]);
            let message = format!(
                "`{}` and `{}` both want the URL `{}{url}`; the second is at `{}{free}`",
                first.file, page.file, self.config.base_path, self.config.base_path
            );
            diagnostics.push(
                Diagnostic::error(Some(Location::file(&page.file)), message)
                    .with_hint("rename one of the files or give one a different `slug`")
                    .with_rule("url-conflict"),
            );
            owners.insert(free.clone(), id);
            self.pages[id].url = free;
        }
        for (id, page) in self.pages.iter().enumerate() {
            for (index, alias) in page.meta.aliases.iter().enumerate() {
                if let Some(slug) = slug_of_alias(page, index) {
                    let taken =
                        |url: &str| owners.contains_key(url) || self.aliases.contains_key(url);
                    match slug_alias(page, slug, alias, taken, &self.config.base_path) {
                        Ok(url) => {
                            self.aliases.insert(url, id);
                        }
                        Err(problem) => diagnostics.push(problem),
                    }
                    continue;
                }
                let location = Some(page.location_of(&format!("aliases.{index}")));
                match normalize_alias(alias) {
                    None => diagnostics.push(
                        Diagnostic::error(
                            location,
                            format!(
                                "alias `{alias}` leaves the site: an alias is a path inside it"
                            ),
                        )
                        .with_rule("bad-alias"),
                    ),
                    Some(url) if owners.contains_key(&url) || self.aliases.contains_key(&url) => {
                        diagnostics.push(
                            Diagnostic::error(
                                location,
                                format!(
                                    "alias `{alias}` is already the URL of another page or alias"
                                ),
                            )
                            .with_rule("bad-alias"),
                        )
                    }
                    Some(url) => {
                        self.aliases.insert(url, id);
                    }
                }
            }
        }
    }

    /// A runbook whose place gives it the URL of one of its alerts' stable addresses
    /// (`alerts/KubePodCrashLooping.md`) is that alert's page: it takes the alert's name as
    /// written, since alert names are case-sensitive and `runbook_url` pastes them as they are.
    fn name_alert_pages(&mut self) {
        for page in &mut self.pages {
            if page.kind != Kind::Runbook || page.is_section() {
                continue;
            }
            let own = page
                .meta
                .alerts
                .iter()
                .map(|alert| format!("alerts/{alert}/"))
                .find(|url| url.eq_ignore_ascii_case(&page.url));
            if let Some(url) = own {
                page.url = url;
            }
        }
    }

    fn collect_taxonomies(&mut self) {
        let keys = self.order_keys();
        for (name, _) in TAXONOMIES {
            let mut terms: BTreeMap<String, Term> = BTreeMap::new();
            for (id, page) in self.pages.iter().enumerate() {
                let values = match name {
                    "tags" => &page.meta.tags,
                    "services" => &page.meta.services,
                    _ => &page.meta.owners,
                };
                for value in values {
                    let slug = url_segment(value);
                    if slug.is_empty() {
                        continue;
                    }
                    let term = terms.entry(slug.clone()).or_insert_with(|| Term {
                        name: value.clone(),
                        slug,
                        pages: Vec::new(),
                    });
                    if term.pages.last() != Some(&id) {
                        term.pages.push(id);
                    }
                }
            }
            for term in terms.values_mut() {
                let mut pages = std::mem::take(&mut term.pages);
                pages.sort_by(|&a, &b| self.order_by(&keys, a, b));
                term.pages = pages;
            }
            self.taxonomies.insert(name, terms);
        }
    }

    /// Review dates, once the handbook tracks reviews: `[checks] review_interval_days` is set,
    /// or a runbook or process says when it was last reviewed. A handbook that says nothing of
    /// reviews gets no "never reviewed" on every page.
    fn compute_reviews(&mut self, options: &Options) {
        let reviewable =
            |p: &Page| matches!(p.kind, Kind::Runbook | Kind::Process) && !p.is_section();
        let tracked = self.config.tracks_reviews
            || self
                .pages
                .iter()
                .any(|p| reviewable(p) && p.meta.last_reviewed.is_some());
        if !tracked {
            return;
        }
        let default_interval = self.config.review_interval_days;
        for page in &mut self.pages {
            if !matches!(page.kind, Kind::Runbook | Kind::Process) || page.is_section() {
                continue;
            }
            let interval_days = page.meta.review_interval_days.unwrap_or(default_interval);
            let due = page
                .meta
                .last_reviewed
                .map(|d| d.add_days(i64::from(interval_days)));
            let overdue_days = due.map_or(0, |due| due.days_until(&options.today).max(0));
            page.review = Some(Review {
                interval_days,
                due,
                overdue_days,
            });
        }
    }

    fn pair_incidents(&mut self) {
        for (id, page) in self.pages.iter().enumerate() {
            if page.kind == Kind::Incident && !page.is_section() {
                self.incidents.entry(page.stem().to_string()).or_insert(id);
            }
        }
        for (id, page) in self.pages.iter().enumerate() {
            if page.kind != Kind::Postmortem || page.is_section() {
                continue;
            }
            let incident = page
                .meta
                .incident
                .as_ref()
                .and_then(|name| self.incidents.get(name));
            if let Some(&incident) = incident {
                self.postmortems.entry(incident).or_insert(id);
            }
        }
    }
}

fn file_stem(path: &str) -> &str {
    let name = file_name(path);
    if name == "index.md" {
        return file_name(parent(path));
    }
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

fn url_of_folder(folder: &str) -> String {
    folder
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| url_segment(s) + "/")
        .collect()
}

fn url_of_document(path: &str) -> String {
    let dir = parent(path);
    if file_name(path) == "index.md" {
        return url_of_folder(dir);
    }
    format!("{}{}/", url_of_folder(dir), url_segment(file_stem(path)))
}

fn replace_last_segment(url: &str, slug: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    let parent = trimmed.rsplit_once('/').map_or("", |(p, _)| p);
    let slug = url_segment(slug);
    if parent.is_empty() {
        format!("{slug}/")
    } else {
        format!("{parent}/{slug}/")
    }
}

/// The URL of the alias a `slug` holding `/` became, checked as the slug the user wrote: its
/// messages name `slug`, at its line.
fn slug_alias(
    page: &Page,
    slug: &str,
    alias: &str,
    taken: impl Fn(&str) -> bool,
    base_path: &str,
) -> Result<String, Diagnostic> {
    let location = Some(page.location_of("slug"));
    match normalize_alias(alias) {
        None => Err(Diagnostic::error(
            location,
            format!("slug `{slug}` leaves the site: a slug is a path inside it"),
        )
        .with_hint("write the page's path without `..`, such as `guides/setup`")
        .with_rule("invalid-field")),
        Some(url) if taken(&url) => Err(Diagnostic::error(
            location,
            format!(
                "slug `{slug}` gives the URL `{base_path}{url}`, which is already the URL of another page or alias"
            ),
        )
        .with_hint("give this page or the other one a different `slug`")
        .with_rule("url-conflict")),
        Some(url) => Ok(url),
    }
}

/// The `slug` the page's alias `index` was made from: a slug holding `/` is kept (as written,
/// in `extra`) and becomes the last alias, its whole path from where its folder is published.
fn slug_of_alias(page: &Page, index: usize) -> Option<&str> {
    let slug = page.meta.extra.get("slug")?.as_str()?;
    let path = slug.trim_matches('/');
    let last = index + 1 == page.meta.aliases.len();
    (slug.contains('/') && last && page.meta.aliases[index].trim_matches('/').ends_with(path))
        .then_some(slug)
}

/// `/old/path/` → `old/path/`; `None` when it would leave the site.
pub(crate) fn normalize_alias(alias: &str) -> Option<String> {
    let trimmed = alias.trim().trim_start_matches('/');
    let mut parts = Vec::new();
    for part in trimmed.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains('\\') || p.contains('\0') || p.contains(':') => return None,
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return None;
    }
    let last = parts.last().copied().unwrap_or("");
    if last.ends_with(".html") {
        Some(parts.join("/"))
    } else {
        Some(format!("{}/", parts.join("/")))
    }
}

/// `disk-almost-full` → `Disk almost full`.
pub(crate) fn humanize(name: &str) -> String {
    let text = name.replace(['-', '_'], " ");
    let mut chars = text.trim().chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_from_paths() {
        assert_eq!(
            url_of_document("runbooks/Disk Full.md"),
            "runbooks/disk-full/"
        );
        assert_eq!(
            url_of_document("runbooks/object-store/index.md"),
            "runbooks/object-store/"
        );
        assert_eq!(url_of_document("about.md"), "about/");
        assert_eq!(url_of_folder(""), "");
        assert_eq!(
            replace_last_segment("runbooks/x/", "New Name"),
            "runbooks/new-name/"
        );
    }

    #[test]
    fn aliases_stay_inside_the_site() {
        assert_eq!(normalize_alias("/old/path"), Some("old/path/".into()));
        assert_eq!(normalize_alias("old.html"), Some("old.html".into()));
        assert_eq!(normalize_alias("../../etc"), None);
        assert_eq!(normalize_alias("/"), None);
    }
}
