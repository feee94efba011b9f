//! The site as a graph: pages and sections with URLs, titles and kinds; section lists;
//! taxonomies; links between pages (checked, and turned into backlinks); the operations facts
//! (review dates, incident pairs) computed once.
//!
//! [`Site::assemble`] builds the graph from the source stage's documents ([`assemble`]); the
//! markdown stage then renders every page against it and resolves links ([`links`]).
//! Sections and pages share one id space (`Site::pages`), so a link may target either.

mod assemble;
mod checks;
mod incident;
mod links;
mod places;
pub(crate) mod recurrence;
mod related;
mod summary;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::config::Config;
use crate::dates::DateTime;
use crate::diagnostic::Location;
use crate::markdown::Rendered;
use crate::paths::{file_name, parent, HandbookPath};
use crate::source::{Document, Meta};
use crate::vocabulary::Kind;
pub(crate) use checks::check_operations;
pub(crate) use incident::{last_word, IncidentState, Phase, StateView};
pub(crate) use places::{Place, Places};
pub(crate) use summary::{referenced_by, runbooks_linked_from, PageSummary, TermLink};

/// A page or a section of the site.
#[derive(Debug)]
pub(crate) struct Page {
    /// Where it sits, relative to the content folder, in opsbook's names
    /// ([`Document::path`]; `folder/_index.md` for a section without one).
    pub path: String,
    /// Its file as the user names it (the folder, for a section without `_index.md`).
    pub file: HandbookPath,
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
    /// For an incident or a maintenance, where it stands at "now".
    pub incident: Option<IncidentState>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct SectionList {
    pub pages: Vec<usize>,
    pub subsections: Vec<usize>,
}

/// When a runbook or process is due for review.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Review {
    pub interval_days: u32,
    pub due: Option<DateTime>,
    pub overdue_days: i64,
}

impl Page {
    /// Where the front matter field at `path` (`components.1`) was written.
    pub(crate) fn location_of(&self, path: &str) -> Location {
        match &self.document {
            Some(document) => document.location_of(path),
            None => Location::file(&self.file),
        }
    }

    pub(crate) fn is_section(&self) -> bool {
        self.list.is_some()
    }

    /// The file name without `.md` (the folder name for `index.md`): how incidents are named.
    pub(crate) fn stem(&self) -> &str {
        let name = file_name(&self.path);
        if name == "index.md" || name == "_index.md" {
            return file_name(parent(&self.path));
        }
        name.trim_end_matches(".md").trim_end_matches(".markdown")
    }

    /// The file it was read from, relative to the content folder, as the user wrote it.
    pub(crate) fn source(&self) -> &str {
        self.document.as_ref().map_or(&self.path, |d| &d.source)
    }
}

/// A taxonomy term and the pages that carry it.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    pub name: String,
    pub slug: String,
    pub pages: Vec<usize>,
}

/// What the build was asked for, beyond the config.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub drafts: bool,
    /// "Today", for review dates.
    pub today: DateTime,
    /// "Now", for where incidents stand.
    pub now: jiff::Timestamp,
}

/// The whole handbook, assembled.
pub(crate) struct Site {
    pub config: Config,
    pub pages: Vec<Page>,
    /// Files beside the pages, content-relative, sorted.
    pub assets: Vec<String>,
    /// Where the content folder is in the handbook.
    pub content: HandbookPath,
    /// `tags`, `services`, `owners` → terms by slug.
    pub taxonomies: BTreeMap<&'static str, BTreeMap<String, Term>>,
    /// Alias URL (relative to the base path) → page id.
    pub aliases: BTreeMap<String, usize>,
    /// Page by [`Page::path`].
    by_path: HashMap<String, usize>,
    /// Page by the file it was read from (content-relative): what links name.
    by_source: HashMap<String, usize>,
    asset_set: HashSet<String>,
    /// Incident pages by file name, and the postmortem naming each.
    incidents: HashMap<String, usize>,
    postmortems: HashMap<usize, usize>,
    /// What postmortems name in `related`.
    related: related::Related,
    /// Documents that made no page, and why.
    pub(crate) left_out: Vec<crate::source::LeftOut>,
    /// Where the generated pages go.
    pub(crate) places: Places,
}

/// Rendered markdown by document path, with the page title it was rendered under.
pub(crate) type Renderings = HashMap<String, (String, Rendered)>;

pub(crate) const TAXONOMIES: [(&str, &str); 3] = [
    ("tags", "Tags"),
    ("services", "Services"),
    ("owners", "Owners"),
];

impl Site {
    /// The page read from `source` (content-relative, as on disk), or placed at `source`.
    pub(crate) fn page_at(&self, source: &str) -> Option<usize> {
        self.by_source
            .get(source)
            .or_else(|| self.by_path.get(source))
            .copied()
    }

    /// The incident page named by a postmortem's `incident` field (its file name).
    pub(crate) fn incident_named(&self, name: &str) -> Option<usize> {
        self.incidents.get(name).copied()
    }

    /// The postmortem that names `incident`.
    pub(crate) fn postmortem_of(&self, incident: usize) -> Option<usize> {
        self.postmortems.get(&incident).copied()
    }

    /// Breadcrumbs: the sections from home down to the page's parent.
    pub(crate) fn ancestors(&self, id: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut current = self.pages[id].parent;
        while let Some(parent) = current {
            chain.push(parent);
            current = self.pages[parent].parent;
        }
        chain.reverse();
        chain
    }

    /// How many pages section `id` holds, in its subsections too.
    pub(crate) fn pages_under(&self, id: usize) -> usize {
        self.pages[id].list.as_ref().map_or(0, |list| {
            list.pages.len()
                + list
                    .subsections
                    .iter()
                    .map(|&s| self.pages_under(s))
                    .sum::<usize>()
        })
    }

    /// Top-level sections, in order.
    pub(crate) fn top_sections(&self) -> &[usize] {
        self.pages[0]
            .list
            .as_ref()
            .map_or(&[], |l| l.subsections.as_slice())
    }

    /// The URL of page `id` with the base path: what a link to it says.
    pub(crate) fn url(&self, id: usize) -> String {
        format!("{}{}", self.config.base_path, self.pages[id].url)
    }

    /// `relative` (a URL path relative to the base path) with the base path.
    pub(crate) fn url_of(&self, relative: &str) -> String {
        format!("{}{relative}", self.config.base_path)
    }

    /// The absolute URL of page `id`.
    pub(crate) fn permalink(&self, id: usize) -> String {
        format!("{}{}", self.config.base_url, self.pages[id].url)
    }
}
