//! The site as a graph: pages and sections with URLs, titles and kinds; section lists;
//! taxonomies; links between pages (checked, and turned into backlinks); the operations facts
//! (review dates, incident windows) computed once.
//!
//! Sections and pages share one id space (`Site::pages`), so a link may target either.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::{Config, LinkPolicy};
use crate::dates::DateTime;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::highlight::Highlighter;
use crate::markdown::{self, LinkTargets, Rendered};
use crate::source::{self, Content, Document, Kind, Meta};

/// A page or a section of the site.
#[derive(Debug)]
pub struct Page {
    /// Source path relative to `content/` (the folder, for a section without `_index.md`).
    pub path: String,
    pub document: Option<Document>,
    pub meta: Meta,
    pub kind: Kind,
    pub title: String,
    /// URL path relative to the base path, `""` for the home page, else ending in `/`.
    pub url: String,
    pub parent: Option<usize>,
    /// Set for sections: their pages and subsections, sorted.
    pub list: Option<SectionList>,
    pub rendered: Rendered,
    /// Pages that link here, sorted by title.
    pub backlinks: Vec<usize>,
    pub review: Option<Review>,
}

#[derive(Debug, Default, Clone)]
pub struct SectionList {
    pub pages: Vec<usize>,
    pub subsections: Vec<usize>,
}

/// When a runbook or process is due for review.
#[derive(Debug, Clone, Copy)]
pub struct Review {
    pub interval_days: u32,
    pub due: Option<DateTime>,
    pub overdue_days: i64,
}

impl Page {
    /// Where the front matter field at `path` (`components.1`) was written.
    pub fn location_of(&self, path: &str) -> Location {
        let file = format!("content/{}", self.path);
        match &self.document {
            Some(document) => {
                let (line, column) = document.positions.value(path);
                Location::at(file, line, column)
            }
            None => Location::file(file),
        }
    }

    pub fn is_section(&self) -> bool {
        self.list.is_some()
    }

    /// The file name without `.md` (the folder name for `index.md`): how incidents are named.
    pub fn stem(&self) -> &str {
        let name = source::file_name(&self.path);
        if name == "index.md" || name == "_index.md" {
            let folder = self.path.rsplit_once('/').map_or("", |(dir, _)| dir);
            return source::file_name(folder);
        }
        name.trim_end_matches(".md").trim_end_matches(".markdown")
    }
}

/// A taxonomy term and the pages that carry it.
#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub pages: Vec<usize>,
}

/// What the build was asked for, beyond the config.
#[derive(Debug, Clone)]
pub struct Options {
    pub drafts: bool,
    /// "Today", for review dates.
    pub today: DateTime,
}

/// The whole handbook, assembled.
pub struct Site {
    pub config: Config,
    pub pages: Vec<Page>,
    pub assets: Vec<String>,
    /// `tags`, `services`, `owners` → terms by slug.
    pub taxonomies: BTreeMap<&'static str, BTreeMap<String, Term>>,
    /// Alias URL (relative to the base path) → page id.
    pub aliases: BTreeMap<String, usize>,
    by_path: HashMap<String, usize>,
    asset_set: HashSet<String>,
    /// Incident pages by file name, and the postmortem naming each.
    incidents: HashMap<String, usize>,
    /// Document path → the file it was read from, where they differ (another tool's
    /// `README.md` read as `_index.md`).
    pub read_from: HashMap<String, String>,
    postmortems: HashMap<usize, usize>,
}

/// Rendered markdown by document path, with the page title it was rendered under.
pub type Renderings = HashMap<String, (String, Rendered)>;

pub const TAXONOMIES: [(&str, &str); 3] = [
    ("tags", "Tags"),
    ("services", "Services"),
    ("owners", "Owners"),
];

impl Site {
    /// Builds the graph from what `source` read; markdown is not rendered yet.
    pub fn assemble(
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
            taxonomies: BTreeMap::new(),
            aliases: BTreeMap::new(),
            by_path: HashMap::new(),
            incidents: HashMap::new(),
            postmortems: HashMap::new(),
            read_from: HashMap::new(),
        };
        site.add_sections(&documents);
        for document in documents {
            site.add_document(document);
        }
        site.link_parents();
        site.pair_incidents();
        site.check_urls(diagnostics);
        site.collect_taxonomies();
        site.compute_reviews(options);
        site
    }

    /// Every folder holding markdown becomes a section, `_index.md` or not (bundle folders excepted).
    fn add_sections(&mut self, documents: &[Document]) {
        let bundles: HashSet<&str> = documents
            .iter()
            .filter(|d| d.is_bundle())
            .map(|d| parent_dir(&d.path))
            .collect();
        let mut folders: Vec<String> = vec![String::new()];
        for document in documents {
            let mut dir = parent_dir(&document.path);
            if document.is_bundle() {
                dir = parent_dir(dir);
            }
            while !dir.is_empty() {
                if !bundles.contains(dir) {
                    folders.push(dir.to_string());
                }
                dir = parent_dir(dir);
            }
        }
        folders.sort();
        folders.dedup();
        for folder in folders {
            let title = humanize(source::file_name(&folder));
            let kind = Kind::from_folder(folder.split('/').next().unwrap_or(""));
            let url = url_of_folder(&folder);
            let path = if folder.is_empty() {
                "_index.md".to_string()
            } else {
                format!("{folder}/_index.md")
            };
            self.by_path.insert(path.clone(), self.pages.len());
            self.pages.push(Page {
                path,
                document: None,
                meta: Meta::default(),
                kind,
                title: if folder.is_empty() {
                    self.config.title.clone()
                } else {
                    title
                },
                url,
                parent: None,
                list: Some(SectionList::default()),
                rendered: Rendered::default(),
                backlinks: Vec::new(),
                review: None,
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
                    .or_else(|| markdown::first_heading(document.body()))
                {
                    section.title = title;
                }
                if let Some(slug) = &document.meta.slug {
                    section.url = replace_last_segment(&section.url, slug);
                }
                section.meta = document.meta.clone();
                section.document = Some(document);
            }
            return;
        }
        let kind = document.meta.kind.unwrap_or(Kind::Page);
        let title = document
            .meta
            .title
            .clone()
            .or_else(|| markdown::first_heading(document.body()))
            .unwrap_or_else(|| humanize(file_stem(&document.path)));
        let mut url = url_of_document(&document.path);
        if let Some(slug) = &document.meta.slug {
            url = replace_last_segment(&url, slug);
        }
        self.by_path.insert(document.path.clone(), self.pages.len());
        self.pages.push(Page {
            path: document.path.clone(),
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
        });
    }

    /// Attaches each page to the nearest enclosing section and sorts section lists.
    fn link_parents(&mut self) {
        for id in 0..self.pages.len() {
            if id == 0 {
                continue;
            }
            let page = &self.pages[id];
            let mut dir = parent_dir(&page.path);
            if page.is_section() || page.document.as_ref().is_some_and(Document::is_bundle) {
                dir = parent_dir(dir);
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
                dir = parent_dir(dir);
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
        for id in 0..self.pages.len() {
            let Some(mut list) = self.pages[id].list.take() else {
                continue;
            };
            list.pages.sort_by(|&a, &b| self.order(a, b));
            list.subsections.sort_by(|&a, &b| self.order(a, b));
            self.pages[id].list = Some(list);
        }
    }

    /// Section order: weight, then newest date first, then title, then path.
    pub fn order(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let (a, b) = (&self.pages[a], &self.pages[b]);
        let weight = |p: &Page| p.meta.weight.unwrap_or(i64::MAX);
        let date = |p: &Page| p.meta.date.or(p.meta.started).map(|d| d.instant);
        weight(a)
            .cmp(&weight(b))
            .then_with(|| date(b).cmp(&date(a)))
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
            .then_with(|| a.path.cmp(&b.path))
    }

    /// Two sources claiming one URL, or an alias escaping the site, are errors.
    fn check_urls(&mut self, diagnostics: &mut Diagnostics) {
        let mut owners: HashMap<String, usize> = HashMap::new();
        for (id, page) in self.pages.iter().enumerate() {
            if let Some(&other) = owners.get(&page.url) {
                let first = &self.pages[other];
                let message = format!(
                    "`content/{}` and `content/{}` both want the URL `{}{}`",
                    first.path, page.path, self.config.base_path, page.url
                );
                diagnostics.push(
                    Diagnostic::error(
                        Some(Location::file(format!("content/{}", page.path))),
                        message,
                    )
                    .with_hint("rename one of the files or give one a different `slug`")
                    .with_rule("url-conflict"),
                );
            } else {
                owners.insert(page.url.clone(), id);
            }
        }
        for (id, page) in self.pages.iter().enumerate() {
            for (index, alias) in page.meta.aliases.iter().enumerate() {
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

    fn collect_taxonomies(&mut self) {
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
                pages.sort_by(|&a, &b| self.order(a, b));
                term.pages = pages;
            }
            self.taxonomies.insert(name, terms);
        }
    }

    fn compute_reviews(&mut self, options: &Options) {
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

    /// Renders every page's markdown in parallel, then checks anchors and records backlinks.
    pub fn render_markdown(&mut self, highlighter: &Highlighter, diagnostics: &mut Diagnostics) {
        self.render_markdown_reusing(highlighter, diagnostics, None);
    }

    /// [`Site::render_markdown`], taking over an earlier rendering of a page whose document is
    /// unchanged (`earlier`: path → title and rendering) when the pages and assets its links
    /// could resolve to are still the same (`earlier_links` equals [`Site::link_environment`]).
    pub fn render_markdown_reusing(
        &mut self,
        highlighter: &Highlighter,
        diagnostics: &mut Diagnostics,
        earlier: Option<(&[u8; 32], &mut Renderings)>,
    ) -> usize {
        let mut taken: Vec<Option<Rendered>> = Vec::new();
        if let Some((links, earlier)) = earlier {
            if *links == self.link_environment() {
                taken = self
                    .pages
                    .iter()
                    .map(|page| {
                        earlier
                            .remove(&page.path)
                            .filter(|(title, _)| *title == page.title && page.document.is_some())
                            .map(|(_, rendered)| rendered)
                    })
                    .collect();
            }
        }
        taken.resize_with(self.pages.len(), || None);
        let rendering = self
            .pages
            .iter()
            .zip(&taken)
            .filter(|(page, taken)| page.document.is_some() && taken.is_none())
            .count();
        let targets = self.targets();
        let rendered: Vec<Rendered> = self
            .pages
            .par_iter()
            .zip(taken)
            .map(|(page, taken)| match (&page.document, taken) {
                (Some(_), Some(rendered)) => {
                    highlighter.note_used_classes(&rendered.highlight_classes);
                    rendered
                }
                (Some(document), None) => {
                    render_document(document, &page.title, highlighter, &targets)
                }
                (None, _) => Rendered::default(),
            })
            .collect();
        for (page, rendered) in self.pages.iter_mut().zip(rendered) {
            page.rendered = rendered;
        }
        self.check_links(diagnostics);
        rendering
    }

    /// Renders `document` as the markdown of the page titled `title` against the site as it
    /// is: what an edit of that one page gives.
    pub fn render_one(
        &self,
        document: &Document,
        title: &str,
        highlighter: &Highlighter,
    ) -> Rendered {
        render_document(document, title, highlighter, &self.targets())
    }

    /// A hash of what rendering a page's links depends on besides the page itself: the base
    /// path, whether raw HTML passes, every page's id, source and URL, and the assets.
    pub fn link_environment(&self) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.config.base_path.as_bytes());
        hasher.update(&[u8::from(self.config.raw_html)]);
        for page in &self.pages {
            for part in [&page.path, &page.url] {
                hasher.update(&(part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        for asset in &self.assets {
            hasher.update(&(asset.len() as u64).to_le_bytes());
            hasher.update(asset.as_bytes());
        }
        *hasher.finalize().as_bytes()
    }

    fn targets(&self) -> Targets<'_> {
        Targets {
            site: self,
            urls: self
                .pages
                .iter()
                .map(|p| format!("{}{}", self.config.base_path, p.url))
                .collect(),
        }
    }

    fn check_links(&mut self, diagnostics: &mut Diagnostics) {
        let policy = self.config.broken_links;
        let report = |location: Location, message: String, rule| match policy {
            LinkPolicy::Error => Diagnostic::error(Some(location), message).with_rule(rule),
            LinkPolicy::Warn => Diagnostic::warning(Some(location), message).with_rule(rule),
        };
        let mut backlinks: Vec<Vec<usize>> = vec![Vec::new(); self.pages.len()];
        for (id, page) in self.pages.iter().enumerate() {
            let file = PathBuf::from(format!("content/{}", page.path));
            for broken in &page.rendered.broken {
                diagnostics.push(report(
                    Location::at(&file, broken.line, broken.column),
                    format!("broken link `{}`: {}", broken.href, broken.reason),
                    "broken-link",
                ));
            }
            for link in &page.rendered.links {
                let target = link.target.unwrap_or(id);
                if let Some(anchor) = &link.anchor {
                    if !self.pages[target]
                        .rendered
                        .anchors
                        .contains(anchor.as_str())
                    {
                        diagnostics.push(report(
                            Location::at(&file, link.line, link.column),
                            format!(
                                "broken link `{}`: `content/{}` has no heading with the id `{anchor}`",
                                link.href, self.pages[target].path
                            ),
                            "broken-anchor",
                        ));
                    }
                }
                if target != id && !backlinks[target].contains(&id) {
                    backlinks[target].push(id);
                }
            }
        }
        for (id, mut links) in backlinks.into_iter().enumerate() {
            links.sort_by(|&a, &b| {
                self.pages[a]
                    .title
                    .cmp(&self.pages[b].title)
                    .then(a.cmp(&b))
            });
            self.pages[id].backlinks = links;
        }
    }

    /// The file page `page`'s document was read from, relative to the content folder.
    pub fn source_file<'a>(&'a self, page: &'a Page) -> &'a str {
        self.read_from
            .get(&page.path)
            .map_or(&page.path, String::as_str)
    }

    /// The page whose source is `path` (content-relative).
    pub fn page_at(&self, path: &str) -> Option<usize> {
        self.by_path.get(path).copied()
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

    /// The incident page named by a postmortem's `incident` field (its file name).
    pub fn incident_named(&self, name: &str) -> Option<usize> {
        self.incidents.get(name).copied()
    }

    /// The postmortem that names `incident`.
    pub fn postmortem_of(&self, incident: usize) -> Option<usize> {
        self.postmortems.get(&incident).copied()
    }

    /// Breadcrumbs: the sections from home down to the page's parent.
    pub fn ancestors(&self, id: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut current = self.pages[id].parent;
        while let Some(parent) = current {
            chain.push(parent);
            current = self.pages[parent].parent;
        }
        chain.reverse();
        chain
    }

    /// Top-level sections, in order.
    pub fn top_sections(&self) -> &[usize] {
        self.pages[0]
            .list
            .as_ref()
            .map_or(&[], |l| l.subsections.as_slice())
    }
}

/// The link resolver markdown rendering uses.
struct Targets<'a> {
    site: &'a Site,
    /// Each page's URL with the base path.
    urls: Vec<String>,
}

impl LinkTargets for Targets<'_> {
    fn page_at(&self, path: &str) -> Option<(usize, &str)> {
        let id = self.site.by_path.get(path).copied()?;
        Some((id, self.urls[id].as_str()))
    }

    fn asset_exists(&self, path: &str) -> bool {
        self.site.asset_set.contains(path)
    }

    fn base_path(&self) -> &str {
        &self.site.config.base_path
    }
}

/// Runs the checks that need incidents and postmortems side by side.
pub fn check_operations(site: &Site, diagnostics: &mut Diagnostics) {
    for page in site.pages.iter().filter(|p| !p.is_section()) {
        match page.kind {
            Kind::Postmortem => {
                if let Some(name) = &page.meta.incident {
                    if site.incident_named(name).is_none() {
                        diagnostics.push(Diagnostic::error(
                            Some(page.location_of("incident")),
                            format!("postmortem names incident `{name}`, but no status page has that file name"),
                        ).with_rule("unknown-incident"));
                    }
                }
            }
            Kind::Incident => check_incident(site, page, diagnostics),
            _ => {}
        }
    }
}

fn check_incident(site: &Site, page: &Page, diagnostics: &mut Diagnostics) {
    let known: Vec<&str> = site
        .config
        .components
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    for (index, component) in page.meta.components.iter().enumerate() {
        if site.config.component(component).is_some() {
            continue;
        }
        let hint = match crate::diagnostic::did_you_mean(component, known.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "declare it under [[status.components]] in opsbook.toml".to_string(),
        };
        diagnostics.push(
            Diagnostic::error(
                Some(page.location_of(&format!("components.{index}"))),
                format!("incident names unknown component `{component}`"),
            )
            .with_hint(hint)
            .with_rule("unknown-component"),
        );
    }
    if let (Some(started), Some(resolved)) = (page.meta.started, page.meta.resolved) {
        if resolved < started {
            diagnostics.push(
                Diagnostic::error(
                    Some(page.location_of("resolved")),
                    format!("incident is resolved ({resolved}) before it started ({started})"),
                )
                .with_rule("incident-resolved-before-start"),
            );
        }
    }
    if let Some(started) = page.meta.started {
        for (index, update) in page.meta.updates.iter().enumerate() {
            if update.at < started {
                diagnostics.push(
                    Diagnostic::error(
                        Some(page.location_of(&format!("updates.{index}.at"))),
                        format!(
                            "update at {} comes before the incident started ({started})",
                            update.at
                        ),
                    )
                    .with_rule("incident-update-order"),
                );
            }
        }
    }
}

fn render_document(
    document: &Document,
    title: &str,
    highlighter: &Highlighter,
    targets: &Targets<'_>,
) -> Rendered {
    markdown::render(
        document.body(),
        &markdown::Context {
            highlighter,
            targets,
            source: &document.path,
            first_line: document.body_line,
            title: Some(title),
            raw_html: targets.site.config.raw_html,
        },
    )
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn file_stem(path: &str) -> &str {
    let name = source::file_name(path);
    if name == "index.md" {
        return source::file_name(parent_dir(path));
    }
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// A URL path segment from a file or folder name: lowercase, spaces as `-`, unsafe characters out.
pub fn url_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        match c {
            c if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' => out.push(c),
            ' ' | '/' | '+' => out.push('-'),
            _ => {}
        }
    }
    out.trim_matches('.').to_string()
}

fn url_of_folder(folder: &str) -> String {
    folder
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| url_segment(s) + "/")
        .collect()
}

fn url_of_document(path: &str) -> String {
    let dir = parent_dir(path);
    if source::file_name(path) == "index.md" {
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

/// `/old/path/` → `old/path/`; `None` when it would leave the site.
pub fn normalize_alias(alias: &str) -> Option<String> {
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
pub fn humanize(name: &str) -> String {
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
