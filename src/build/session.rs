//! Applying edits to a built site in place, for `opsbook serve`.
//!
//! A [`Session`] keeps what the last full build made (the handbook read and rendered, the
//! templates, the highlighter). An edit is patched into the live output only when the files it
//! touches are known to be the only ones that change:
//!
//! - a page whose front matter is unchanged and whose body changed in ways no other output shows
//!   (its title, summary, links, anchors and highlight classes stay the same, and no operations
//!   page shows its text — [`crate::ops::shows_body_of`]): only its own file is rendered again,
//!   and then the search index;
//! - a file copied as it is (`static/`, the theme's `static/`, an asset beside a page) that was
//!   already part of the site: it is copied again;
//! - templates: every output is rendered again from the kept handbook, without reading or
//!   parsing any markdown.
//!
//! Everything else — a new, deleted or renamed file, a front matter edit — takes an
//! [`Session::update`]: a full build that reads again only the changed files and renders again
//! only the markdown and the outputs that can have changed. A config edit or a new day starts a
//! new session. Either way the site is byte for byte the one a full build of the same files
//! gives (the serve tests check this after every kind of edit).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use super::contents::{self, Copied};
use super::write::{self, Preview, Writing};
use super::{BuildFailure, BuildOptions, BuildReport, Built, Earlier, Timer};
use crate::config::LinkPolicy;
use crate::dates::DateTime;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::highlight::Highlighter;
use crate::markdown::{self, Rendered};
use crate::output::Staging;
use crate::paths::HandbookPath;
use crate::source::{self, Document, Known};

/// The output of the last good build and what made it.
pub(crate) struct Session {
    options: BuildOptions,
    built: Built,
    /// The "today" the kept handbook was computed for (review dates depend on it).
    today: DateTime,
    /// Whether the search files are older than the site: a patch changed a page's text, or an
    /// update left them for later.
    search_stale: bool,
    /// What the output's search files were made from, when known.
    live_search: Option<[u8; 32]>,
}

/// What a patch did.
#[derive(Debug, Default)]
pub(crate) struct Patch {
    /// Pages read and rendered again.
    pub pages: usize,
    /// Output files written again, relative to the output folder.
    pub written: Vec<String>,
    /// Problems that do not stop the build (unknown front matter fields, …).
    pub warnings: Vec<Diagnostic>,
}

impl Session {
    /// A full build that keeps what it made.
    pub(crate) fn build(options: &BuildOptions) -> Result<(BuildReport, Session), BuildFailure> {
        let today = super::today(options.now);
        let highlighter = Highlighter::new(options.cache_dir.clone());
        let (report, built) = super::build_from(
            options,
            highlighter,
            Earlier::default(),
            Writing::Staged,
            None,
        )?;
        let session = Session {
            options: options.clone(),
            built,
            today,
            search_stale: false,
            live_search: report.search_input,
        };
        Ok((report, session))
    }

    /// A build of the whole site that reads again only the files that changed (`changed`,
    /// relative to the handbook folder, and any whose size or time moved), renders again only
    /// the markdown that can have changed, and renders and writes only the outputs whose
    /// inputs changed (the output reuse of `build`). The session is used up: on failure there
    /// is none left, and the next edit starts from nothing.
    /// With a `preview`, the pages it names are written over the served output first.
    pub(crate) fn update<'a>(
        self,
        changed: impl IntoIterator<Item = &'a str>,
        preview: Option<&Preview<'_>>,
    ) -> Result<(BuildReport, Session), BuildFailure> {
        let changed: HashSet<&str> = changed.into_iter().collect();
        // Every document was read in the old layout (its order, titles, folders).
        let relayout = changed.iter().any(|path| source::is_layout_file(path));
        if super::today(self.options.now) != self.today || relayout {
            return Session::build(&self.options);
        }
        let Session {
            options,
            built,
            live_search,
            search_stale,
            ..
        } = self;
        let live_search = live_search.filter(|_| !search_stale);
        let Built {
            handbook,
            site,
            highlighter,
            mut stamps,
            drafts,
            ..
        } = built;
        let links = site.link_environment();
        let mut documents = HashMap::new();
        let mut rendered = HashMap::new();
        let pages = site.pages.into_iter().filter_map(|page| {
            let document = page.document?;
            Some((document, Some((page.title, page.rendered))))
        });
        for (document, rendering) in pages.chain(drafts.into_iter().map(|d| (d, None))) {
            let source = document.source.clone();
            let Some((stamp, warnings)) = stamps.remove(&source) else {
                continue;
            };
            if changed.contains(handbook.file(&source).as_str()) {
                continue;
            }
            if let Some(rendering) = rendering {
                rendered.insert(document.path.clone(), rendering);
            }
            let known = Known {
                stamp,
                document,
                warnings,
            };
            documents.insert(source, known);
        }
        let earlier = Earlier {
            documents,
            rendered,
            links: Some(links),
        };
        let today = super::today(options.now);
        let writing = Writing::InPlace(live_search);
        let (report, built) = super::build_from(&options, highlighter, earlier, writing, preview)?;
        let session = Session {
            options,
            built,
            today,
            search_stale: report.search_later,
            live_search: report.search_input.filter(|_| !report.search_later),
        };
        Ok((report, session))
    }

    /// Renders every output again with the templates as they are now, from the kept handbook;
    /// `None` when the day changed since it was read (a full build is needed). On failure the
    /// session keeps its old templates, and the old output stays in place.
    /// With a `preview`, the pages it names are written first.
    pub(crate) fn rerender(
        &mut self,
        preview: Option<&Preview<'_>>,
    ) -> Option<Result<BuildReport, BuildFailure>> {
        if super::today(self.options.now) != self.today {
            return None;
        }
        let renderer = match super::load_templates(&self.built.site.config, &self.built.handbook) {
            Ok(renderer) => renderer,
            Err(diagnostics) => return Some(Err(BuildFailure { diagnostics })),
        };
        let missing = super::missing_templates(&self.built.site, &renderer);
        if !missing.is_empty() {
            return Some(Err(BuildFailure {
                diagnostics: missing,
            }));
        }
        let previous = std::mem::replace(&mut self.built.renderer, renderer);
        let live_search = self.live_search.filter(|_| !self.search_stale);
        let result = write::write_site(
            &self.options,
            &mut self.built,
            Diagnostics::default(),
            Timer::start(),
            Writing::InPlace(live_search),
            preview,
        );
        match &result {
            Ok(report) if report.search_later => self.search_stale = true,
            Ok(report) => self.live_search = report.search_input,
            Err(_) => self.built.renderer = previous,
        }
        Some(result)
    }

    /// Applies the edit of `changed` (paths relative to the handbook folder) to the live output,
    /// or returns `None` — having written nothing — when it takes a full build.
    pub(crate) fn patch<'a>(
        &mut self,
        changed: impl IntoIterator<Item = &'a str>,
    ) -> Option<Patch> {
        if super::today(self.options.now) != self.today {
            return None;
        }
        let plan = self.plan(changed)?;
        let mut patch = Patch::default();
        let mut pages = Vec::new();
        for (id, path) in &plan.pages {
            let (document, rendered, stamp, warnings) = self.rerender_page(*id, path)?;
            pages.push((*id, document, rendered, (stamp, warnings.clone())));
            patch.warnings.extend(warnings);
        }
        for (id, document, rendered, stamp) in pages {
            self.built.stamps.insert(document.source.clone(), stamp);
            let page = &mut self.built.site.pages[id];
            // Everything else the search files are made from is in front matter, unchanged.
            self.search_stale |= page.rendered.packed_sections != rendered.packed_sections;
            page.document = Some(document);
            page.rendered = rendered;
        }
        let ids: Vec<usize> = plan.pages.iter().map(|(id, _)| *id).collect();
        patch.pages = ids.len();
        match write::write_pages_in_place(&self.options, &self.built, &ids) {
            Ok(written) => patch.written.extend(written),
            // The same error comes out of a full build, which tells it properly.
            Err(_) => return None,
        }
        let staging = Staging::live(&self.options.out_dir());
        for (from, to) in &plan.copies {
            staging.copy(from, to).ok()?;
            patch.written.push(to.clone());
        }
        Some(patch)
    }

    /// Writes the browser search files again when a patch changed the text they are made from;
    /// returns whether it did.
    pub(crate) fn refresh_search(&mut self) -> Result<bool, Diagnostic> {
        if !self.search_stale {
            return Ok(false);
        }
        write::write_search_in_place(&self.options, &self.built.site)?;
        self.search_stale = false;
        self.live_search = Some(crate::search::input_fingerprint(&self.built.site));
        Ok(true)
    }

    /// Which pages to render and which files to copy for `changed`; `None` when any of it
    /// takes a full build.
    fn plan<'a>(&self, changed: impl IntoIterator<Item = &'a str>) -> Option<Plan> {
        let built = &self.built;
        let root = &built.handbook.root;
        let mut plan = Plan::default();
        for path in changed {
            if source::is_layout_file(path) {
                return None;
            }
            let file = HandbookPath::new(path);
            let on_disk = file.on_disk(root);
            if !std::fs::symlink_metadata(&on_disk).ok()?.is_file() {
                return None;
            }
            let copied = contents::copied_file(&built.handbook, &built.site.config, &file);
            if let Some(output) = copied {
                // Only a file the site already copies; a new one changes what the site holds.
                let Some(Copied::File(from)) = built.copies.get(&output) else {
                    return None;
                };
                // A file another one shadows changes nothing.
                if *from == on_disk {
                    plan.copies.insert((on_disk, output));
                }
                continue;
            }
            let relative = file.inside(&built.handbook.content)?;
            if !source::is_markdown(relative) {
                return None;
            }
            let id = built.site.page_at(relative)?;
            plan.pages.insert((id, relative.to_string()));
        }
        Some(plan)
    }

    /// Reads and renders page `id` again from `path`; `None` when the edit shows beyond the
    /// page's own file.
    fn rerender_page(
        &self,
        id: usize,
        path: &str,
    ) -> Option<(Document, Rendered, source::Stamp, Vec<Diagnostic>)> {
        let site = &self.built.site;
        let page = &site.pages[id];
        if crate::ops::shows_body_of(page) {
            return None;
        }
        let old = page.document.as_ref()?;
        let handbook = &self.built.handbook;
        let stamp = std::fs::metadata(handbook.disk(path))
            .map_or((0, None), |m| (m.len(), m.modified().ok()));
        let (document, warnings) = source::read_one(handbook, path, &old.path).ok()?;
        if document.front_matter_text() != old.front_matter_text() {
            return None;
        }
        if page.meta.title.is_none()
            && markdown::first_heading(&document.body()) != markdown::first_heading(&old.body())
        {
            return None;
        }
        let rendered = site.render_one(&document, page, &self.built.highlighter);
        let strict = site.config.broken_links == LinkPolicy::Error;
        if !rendered.broken.is_empty() && strict {
            return None;
        }
        let word_count_shown = self.built.renderer.mentions("word_count")
            || self.built.renderer.mentions("reading_minutes");
        let before = SeenElsewhere::of(&page.rendered, word_count_shown);
        if SeenElsewhere::of(&rendered, word_count_shown) != before {
            return None;
        }
        Some((document, rendered, stamp, warnings))
    }
}

/// What an edit touches.
#[derive(Default)]
struct Plan {
    /// Page ids and their files, relative to the content folder.
    pages: BTreeSet<(usize, String)>,
    /// Files to copy into the output: source, output path.
    copies: BTreeSet<(PathBuf, String)>,
}

/// Everything of a page's rendered markdown that other outputs show or depend on. Destructured
/// whole, so that a new field of [`Rendered`] has to be placed here or declared private.
#[derive(PartialEq)]
struct SeenElsewhere<'a> {
    /// Backlinks and broken-link checks (positions only move messages).
    links: Vec<(Option<usize>, Option<&'a str>, &'a str)>,
    broken: Vec<(&'a str, &'a str)>,
    anchors: Vec<&'a str>,
    summary: &'a str,
    word_count: Option<usize>,
    first_heading: Option<&'a str>,
    /// The shared highlighting stylesheets hold the classes of every page.
    classes: BTreeSet<&'a str>,
}

impl<'a> SeenElsewhere<'a> {
    fn of(rendered: &'a Rendered, word_count_shown: bool) -> SeenElsewhere<'a> {
        let Rendered {
            packed_html: _,
            headings: _,
            toc: _,
            anchors,
            links,
            broken,
            // Only `check` reads them; they change nothing on other pages.
            rooted_links: _,
            // Only `check` reads them, against the page's own parameters.
            placeholders: _,
            summary,
            word_count,
            first_heading,
            // The search index is written again after the page (see `refresh_search`).
            packed_sections: _,
            highlight_classes,
            // Only the page's own output loads the diagram renderer.
            diagrams: _,
        } = rendered;
        let mut anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
        anchors.sort_unstable();
        SeenElsewhere {
            links: links
                .iter()
                .map(|l| (l.target, l.anchor.as_deref(), l.href.as_str()))
                .collect(),
            broken: broken
                .iter()
                .map(|b| (b.href.as_str(), b.reason.as_str()))
                .collect(),
            anchors,
            summary,
            word_count: word_count_shown.then_some(*word_count),
            first_heading: first_heading.as_deref(),
            classes: highlight_classes.iter().map(String::as_str).collect(),
        }
    }
}
