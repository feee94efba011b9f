//! The source stage: a handbook folder read into typed documents.
//!
//! [`Handbook::open`] reads `opsbook.toml` and detects the layout, once; [`load`] lists the
//! content and the `static` folders, places each markdown file in the site, and reads the files
//! in parallel: front matter split, parsed and typed, bodies rewritten where another tool's
//! markdown needs it. Other tools' layouts enter here only, through the [`adapters`]: what
//! leaves this stage is the same for every handbook, each document carrying the path of its own
//! file. Nothing here knows URLs or sections.

mod adapters;
mod document;
mod files;
pub(crate) mod front_matter;
mod handbook;
mod layout;
pub(crate) mod meta;

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::paths::HandbookPath;
use crate::vocabulary::Kind;
pub use document::{Document, Placed, Read};
pub(crate) use files::{is_ignored, is_markdown, linked_folder, Stamp, StaticFile};
pub use handbook::Handbook;
pub use layout::inferred_config;
pub(crate) use layout::is_layout_file;
pub(crate) use meta::Meta;

/// What a folder holding markdown is, beside what its `_index.md` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Folder {
    /// The kind of the pages in it (a section's kind).
    pub kind: Kind,
    /// Its title, when another tool's config gives one.
    pub title: Option<String>,
    /// Its place among its siblings, when another tool's config gives one.
    pub weight: Option<i64>,
}

/// Everything read from the content folder.
#[derive(Debug, Default)]
pub(crate) struct Content {
    /// Where the content folder is in the handbook.
    pub folder: HandbookPath,
    pub documents: Vec<Document>,
    /// Files beside the pages, copied as they are: content-relative, sorted.
    pub assets: Vec<String>,
    /// Every folder holding markdown, by its place in the site (`""` for the top).
    pub folders: BTreeMap<String, Folder>,
}

/// A markdown file of the handbook that is no page of the site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LeftOut {
    pub file: HandbookPath,
    pub why: String,
    /// Whether it was meant (a draft), or its problem reported already (an error): `check`
    /// lists only the others.
    pub known: bool,
}

impl LeftOut {
    pub(crate) const DRAFT: &'static str = "a draft: `--drafts` includes it";

    pub(crate) fn is_draft(&self) -> bool {
        self.why == Self::DRAFT
    }
}

/// A document read before, with the stamp of its file then and its warnings.
pub(crate) struct Known {
    pub stamp: Stamp,
    pub document: Document,
    pub warnings: Vec<Diagnostic>,
}

/// Each document's file stamp and warnings when it was read, by its file (content-relative).
pub(crate) type Stamps = HashMap<String, (Stamp, Vec<Diagnostic>)>;

/// The handbook, read.
pub(crate) struct Loaded {
    pub handbook: Handbook,
    /// The config, with what the content adds (another tool's site name, cState's components).
    pub config: Config,
    /// The documents of the site (drafts left out unless asked for).
    pub content: Content,
    /// The drafts left out, kept so that the next build of a session need not read them again.
    pub drafts: Vec<Document>,
    /// The files of the `static` folders, the handbook's own over its theme's.
    pub statics: Vec<StaticFile>,
    pub stamps: Stamps,
    /// Documents read from their files (the others were taken over).
    pub read: usize,
    /// What was inferred of a handbook without `opsbook.toml`, in one line.
    pub inferred: Option<String>,
    /// How many markdown files the handbook has, pages and left out.
    pub markdown_files: usize,
    /// The markdown files that are no page, and why.
    pub left_out: Vec<LeftOut>,
    pub diagnostics: Diagnostics,
}

/// Reads the handbook; `known` are documents read before, taken over while their files keep
/// the same stamp.
pub(crate) fn load(
    handbook: Handbook,
    mut config: Config,
    drafts: bool,
    mut known: HashMap<String, Known>,
) -> Loaded {
    let mut diagnostics = Diagnostics::default();
    let listed = files::list_content(&handbook, &mut diagnostics);
    let sources: Vec<String> = listed.markdown.iter().map(|(s, _)| s.clone()).collect();
    let placed = adapters::place(&handbook.layout, &sources);
    let mut left_out = Vec::new();
    let work: Vec<(Placed, Stamp, Option<Known>)> = placed
        .into_iter()
        .zip(listed.markdown)
        .filter(|(placed, _)| {
            let Some(why) = adapters::not_a_page(&handbook.layout, placed) else {
                return true;
            };
            left_out.push(LeftOut {
                file: handbook.file(&placed.source),
                why: why.into(),
                known: false,
            });
            false
        })
        .map(|(placed, (source, stamp))| {
            let previous = known.remove(&source).filter(|k| {
                k.stamp == stamp && stamp.1.is_some() && k.document.path == placed.path
            });
            (placed, stamp, previous)
        })
        .collect();
    let read = work.iter().filter(|(_, _, known)| known.is_none()).count();
    crate::packed::choose_for(work.iter().map(|(_, stamp, _)| stamp.0).sum());
    let results: Vec<(Placed, Stamp, Read)> = work
        .into_par_iter()
        .map(|(placed, stamp, previous)| {
            let read = match previous {
                Some(known) => Ok((known.document, known.warnings)),
                None => document::read(&handbook.layout, &placed),
            };
            (placed, stamp, read)
        })
        .collect();
    let mut documents = Vec::with_capacity(results.len());
    let mut stamps = HashMap::with_capacity(results.len());
    let mut markdown_files = results.len() + left_out.len();
    for (placed, stamp, read) in results {
        match read {
            Ok((document, warnings)) => {
                diagnostics.extend(warnings.iter().cloned());
                stamps.insert(placed.source, (stamp, warnings));
                documents.push(document);
            }
            Err(problems) => {
                let why = problems
                    .first()
                    .map_or(String::new(), |p| p.message.clone());
                left_out.push(LeftOut {
                    file: handbook.file(&placed.source),
                    why,
                    known: true,
                });
                diagnostics.extend(problems);
            }
        }
    }
    if handbook.layout.inferred {
        let outside = files::outside_content(&handbook);
        markdown_files += outside.len();
        left_out.extend(outside.into_iter().map(|(file, why)| LeftOut {
            file,
            why,
            known: false,
        }));
    }
    let theme = handbook.theme_dir(&config.theme);
    let static_folders: Vec<_> = theme
        .iter()
        .map(|theme| theme.join("static"))
        .chain([handbook.root.join("static")])
        .collect();
    // The templates are read by the render stage, which skips such folders too; the warning
    // is said here, once for each link, with the others.
    let template_folders = theme
        .iter()
        .map(|theme| theme.join("templates"))
        .chain([handbook.root.join("templates")]);
    let mut problems = Vec::new();
    let unlinked = files::unlinked(
        &handbook.root,
        &static_folders
            .iter()
            .cloned()
            .chain(template_folders)
            .collect::<Vec<_>>(),
        &mut problems,
    );
    diagnostics.extend(problems);
    let static_folders: Vec<_> = static_folders
        .into_iter()
        .filter(|folder| unlinked.contains(folder))
        .collect();
    let (statics, problems) = files::list_static(&handbook.root, &static_folders);
    diagnostics.extend(problems);
    if handbook.layout.inferred && documents.is_empty() && !diagnostics.has_errors() {
        // A folder without config and without markdown is most likely the wrong folder.
        diagnostics.push(
            Diagnostic::error(
                Some(Location::file("content")),
                "the handbook has no `content/` folder and no markdown files",
            )
            .with_hint(format!(
                "is `{}` the handbook folder? It should hold opsbook.toml and content/, or markdown files",
                handbook.root.display()
            ))
            .with_rule("content"),
        );
    }
    if let Some(title) = adapters::site_title(&handbook.layout, &documents) {
        config.title = title;
    }
    let mut warnings = Vec::new();
    adapters::cstate::add_components(&handbook.root, &mut config, &documents, &mut warnings);
    diagnostics.extend(warnings);
    let (drafts, documents): (Vec<Document>, Vec<Document>) =
        documents.into_iter().partition(|d| d.meta.draft && !drafts);
    left_out.extend(drafts.iter().map(|d| LeftOut {
        file: d.file.clone(),
        why: LeftOut::DRAFT.to_string(),
        known: true,
    }));
    let inferred = handbook
        .layout
        .inferred
        .then(|| layout::summary(&handbook.layout, &kind_counts(&documents)));
    let content = Content {
        folder: handbook.content.clone(),
        folders: adapters::folders(&handbook.layout, &documents),
        documents,
        assets: listed.assets,
    };
    Loaded {
        handbook,
        config,
        content,
        drafts,
        statics,
        stamps,
        read,
        inferred,
        markdown_files,
        left_out,
        diagnostics,
    }
}

/// Reads one document again, `source` being its file and `path` its place in the site (as the
/// last [`load`] placed it): what an edit of that one file gives.
pub(crate) fn read_one(handbook: &Handbook, source: &str, path: &str) -> Read {
    let placed = Placed {
        source: source.to_string(),
        path: path.to_string(),
    };
    document::read(&handbook.layout, &placed)
}

/// The document in `bytes`, as [`load`] reads the file `placed` of `handbook`.
pub fn parse_document(handbook: &Handbook, placed: &Placed, bytes: Vec<u8>) -> Read {
    document::parse(&handbook.layout, placed, bytes)
}

/// How many pages of each kind the documents make (sections left out).
fn kind_counts(documents: &[Document]) -> BTreeMap<Kind, usize> {
    let mut counts = BTreeMap::new();
    for document in documents.iter().filter(|d| !d.is_section_index()) {
        *counts
            .entry(document.meta.kind.unwrap_or(Kind::Page))
            .or_default() += 1;
    }
    counts
}
