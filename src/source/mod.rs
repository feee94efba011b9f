//! Reads the handbook's files: every markdown document under `content/` with its front matter
//! parsed and typed, and the other files there (assets copied beside the pages).
//!
//! Symbolic links are skipped with a warning, so a link to a file outside the handbook never
//! reaches the output. Files are read in parallel. Nothing here knows URLs or sections.

pub mod front_matter;
pub mod meta;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics, LineIndex, Location};
pub use meta::{Kind, Meta};

/// One markdown file, parsed.
#[derive(Debug)]
pub struct Document {
    /// Path relative to `content/`, `/`-separated: `runbooks/postgres/disk.md`.
    pub path: String,
    pub text: String,
    pub body_offset: usize,
    /// 1-based line of the body's first line.
    pub body_line: usize,
    pub meta: Meta,
    /// Where each front matter field was written, for later checks.
    pub positions: front_matter::Positions,
}

impl Document {
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// `_index.md`: the document describing a section.
    pub fn is_section_index(&self) -> bool {
        file_name(&self.path) == "_index.md"
    }

    /// `index.md`: a page stored as a folder with its assets.
    pub fn is_bundle(&self) -> bool {
        file_name(&self.path) == "index.md"
    }
}

pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Content {
    pub documents: Vec<Document>,
    /// Non-markdown files, relative to `content/`, sorted.
    pub assets: Vec<String>,
    /// How each document's file looked when it was read, and its warnings: what a later
    /// [`load_reusing`] needs to take the document over.
    pub stamps: HashMap<String, (Stamp, Vec<Diagnostic>)>,
    /// How many documents were read from their files (the others were taken over).
    pub read: usize,
}

/// A file's size and modification time: while both stay the same, the file is taken as
/// unchanged.
pub type Stamp = (u64, Option<SystemTime>);

/// A document read before, with the stamp of its file then and its warnings.
pub struct Known {
    pub stamp: Stamp,
    pub document: Document,
    pub warnings: Vec<Diagnostic>,
}

/// Reads `content_dir`; `shown_as` is how its path appears in messages (`content`).
pub fn load(content_dir: &Path, shown_as: &str, diagnostics: &mut Diagnostics) -> Content {
    load_reusing(content_dir, shown_as, diagnostics, HashMap::new())
}

/// [`load`], taking over the `known` documents whose files still have the same stamp instead of
/// reading them again.
pub fn load_reusing(
    content_dir: &Path,
    shown_as: &str,
    diagnostics: &mut Diagnostics,
    known: HashMap<String, Known>,
) -> Content {
    let mut layout = crate::migrate::Layout::standard(content_dir);
    layout.content_dir = content_dir.to_path_buf();
    layout.shown_as = shown_as.to_string();
    load_in(&layout, diagnostics, known)
}

/// [`load_reusing`] for a handbook laid out as `layout` says (another tool's layout, maybe).
pub fn load_in(
    layout: &crate::migrate::Layout,
    diagnostics: &mut Diagnostics,
    mut known: HashMap<String, Known>,
) -> Content {
    let content_dir = layout.content_dir.as_path();
    let shown_as = layout.shown_as.as_str();
    let mut markdown = Vec::new();
    let mut assets = Vec::new();
    let walker = walkdir::WalkDir::new(content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(is_ignored(e.file_name().to_string_lossy().as_ref())
                    || layout.is_skipped(e.path()))
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map(|p| shown(shown_as, content_dir, p));
                diagnostics.push(Diagnostic::error(
                    path.map(Location::file),
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        let relative = relative_path(content_dir, entry.path());
        if entry.path_is_symlink() {
            diagnostics.push(symlink_skipped(shown(shown_as, content_dir, entry.path())));
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if entry
            .path()
            .strip_prefix(content_dir)
            .ok()
            .and_then(Path::to_str)
            .is_none()
        {
            diagnostics.push(name_not_utf8(shown(shown_as, content_dir, entry.path())));
            continue;
        }
        if is_markdown(&relative) {
            let stamp = entry
                .metadata()
                .map_or((0, None), |m| (m.len(), m.modified().ok()));
            let previous = known
                .remove(&relative)
                .filter(|k| k.stamp == stamp && stamp.1.is_some());
            markdown.push((relative, stamp, previous));
        } else {
            assets.push(relative);
        }
    }
    let read = markdown
        .iter()
        .filter(|(_, _, known)| known.is_none())
        .count();
    let results: Vec<(String, Stamp, Option<Document>, Vec<Diagnostic>)> = markdown
        .into_par_iter()
        .map(|(relative, stamp, previous)| {
            if let Some(known) = previous {
                return (relative, stamp, Some(known.document), known.warnings);
            }
            match read_document_in(layout, &relative) {
                Ok((document, warnings)) => (relative, stamp, Some(document), warnings),
                Err(problems) => (relative, stamp, None, problems),
            }
        })
        .collect();
    let mut documents = Vec::with_capacity(results.len());
    let mut stamps = HashMap::with_capacity(results.len());
    for (relative, stamp, document, problems) in results {
        diagnostics.extend(problems.iter().cloned());
        if let Some(document) = document {
            stamps.insert(relative, (stamp, problems));
            documents.push(document);
        }
    }
    Content {
        documents,
        assets,
        stamps,
        read,
    }
}

/// What is wrong with the files of the `static` folders, which are copied as they are: a
/// symbolic link is skipped with a warning, as in `content/`, so that nothing outside the
/// handbook reaches the output; a name that is not UTF-8 is an error (it has no URL); two names
/// that differ only in case are a warning, as one overwrites the other on macOS and Windows.
pub fn check_static<'a>(
    root: &Path,
    folders: impl IntoIterator<Item = &'a PathBuf>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut by_lowercase: HashMap<String, PathBuf> = HashMap::new();
    for folder in folders {
        let walker = walkdir::WalkDir::new(folder)
            .follow_links(false)
            .sort_by_file_name();
        for entry in walker.into_iter().flatten() {
            let shown = crate::diagnostic::display_path(root, entry.path());
            if entry.depth() == 0 {
                continue;
            }
            if entry.path_is_symlink() {
                problems.push(symlink_skipped(shown));
            } else if entry.file_type().is_file() {
                let Some(relative) = entry.path().strip_prefix(folder).ok() else {
                    continue;
                };
                let Some(relative) = relative.to_str() else {
                    problems.push(name_not_utf8(shown));
                    continue;
                };
                let lower = relative.to_lowercase();
                match by_lowercase.get(&lower) {
                    Some(first) if first != &shown && !first.ends_with(relative) => {
                        problems.push(Diagnostic::warning(
                            Some(Location::file(&shown)),
                            format!(
                                "`{}` and `{}` differ only in case: on macOS and Windows one overwrites the other",
                                first.display(),
                                shown.display()
                            ),
                        ));
                    }
                    _ => {
                        by_lowercase.insert(lower, shown);
                    }
                }
            }
        }
    }
    problems
}

/// Whether the file at `relative` (inside a `static` folder) is copied: see [`check_static`].
pub fn is_copied_static(relative: &Path) -> bool {
    relative.to_str().is_some()
}

fn name_not_utf8(shown: PathBuf) -> Diagnostic {
    Diagnostic::error(
        Some(Location::file(shown)),
        "the file name is not valid UTF-8, so it has no URL",
    )
    .with_hint("rename it")
}

fn symlink_skipped(shown: PathBuf) -> Diagnostic {
    Diagnostic::warning(
        Some(Location::file(shown)),
        "symbolic link skipped: opsbook never follows links out of the handbook",
    )
    .with_hint("copy the file into the handbook instead")
}

/// Markdown files: `.md`, `.markdown`, and Docusaurus' `.mdx` (read as markdown).
pub fn is_markdown(path: &str) -> bool {
    path.ends_with(".md") || path.ends_with(".markdown") || path.ends_with(".mdx")
}

/// Editor temp files, swap files and hidden files are never content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
}

fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn shown(shown_as: &str, root: &Path, path: &Path) -> PathBuf {
    Path::new(shown_as).join(path.strip_prefix(root).unwrap_or(path))
}

/// A document and its warnings, or every problem that kept it from being read.
pub fn read_document(
    content_dir: &Path,
    relative: &str,
    shown_as: &str,
) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut layout = crate::migrate::Layout::standard(content_dir);
    layout.content_dir = content_dir.to_path_buf();
    layout.shown_as = shown_as.to_string();
    read_document_in(&layout, relative)
}

/// [`read_document`] in a handbook laid out as `layout` says: its folder names decide kinds, and
/// the front matter of other tools is mapped onto opsbook's fields.
pub fn read_document_in(
    layout: &crate::migrate::Layout,
    relative: &str,
) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    let bytes = std::fs::read(layout.content_dir.join(relative)).map_err(|e| {
        vec![Diagnostic::error(
            Some(Location::file(Path::new(&layout.shown(relative)))),
            format!("cannot read the file: {e}"),
        )]
    })?;
    parse_document(layout, relative, bytes)
}

/// The document in `bytes`, the contents of the file at `relative` in `layout`: what
/// [`read_document_in`] makes of a file once it is read.
pub fn parse_document(
    layout: &crate::migrate::Layout,
    relative: &str,
    bytes: Vec<u8>,
) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    let display = PathBuf::from(layout.shown(relative));
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or("");
        let (line, column) = LineIndex::new(valid).position(valid, valid.len());
        vec![Diagnostic::error(
            Some(Location::at(&display, line, column)),
            "the file is not valid UTF-8",
        )
        .with_hint("save it as UTF-8")]
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let at = |line, column| Some(Location::at(&display, line, column));
    // CommonMark replaces U+0000 for safety; so does opsbook, everywhere in the file (titles
    // included), so that no NUL reaches a page, a feed or the search index.
    let mut nul_warning = None;
    let text = match text.find('\0') {
        None => text,
        Some(first) => {
            let (line, column) = LineIndex::new(&text).position(&text, first);
            nul_warning = Some(
                Diagnostic::warning(at(line, column), "NUL character replaced with U+FFFD (�)")
                    .with_rule("nul-character"),
            );
            text.replace('\0', "\u{fffd}")
        }
    };
    let syntax_error = |p: front_matter::Problem| {
        vec![Diagnostic::error(at(p.line, p.column), p.message).with_rule("front-matter")]
    };
    let split = front_matter::split(&text).map_err(syntax_error)?;
    let mut parsed = front_matter::parse(&split).map_err(syntax_error)?;
    let body_offset = split.body_offset;
    let folder_kind = if file_name(relative) == "_index.md" {
        Kind::Page
    } else {
        layout.kind_of_folder(relative.rsplit_once('/').map_or("", |(dir, _)| dir))
    };
    let mapped = crate::migrate::fields::translate(&mut parsed, folder_kind, layout, relative);
    let (meta, mut problems) = meta::read(&parsed, folder_kind);
    problems.splice(0..0, mapped.problems);
    let diagnostics: Vec<Diagnostic> = problems
        .into_iter()
        .map(|p| {
            let d = if p.is_error {
                Diagnostic::error(at(p.line, p.column), p.message).with_rule("invalid-field")
            } else {
                Diagnostic::warning(at(p.line, p.column), p.message).with_rule("unknown-field")
            };
            match p.hint {
                Some(hint) => d.with_hint(hint),
                None => d,
            }
        })
        .collect();
    let Some(mut meta) = meta else {
        return Err(diagnostics);
    };
    meta.extra.extend(mapped.kept);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let body_line = text[..body_offset].matches('\n').count() + 1;
    let (text, diagnostics) = {
        let (text, mut warnings) =
            crate::migrate::rewrite_body(layout, relative, text, body_offset, body_line);
        warnings.splice(0..0, diagnostics);
        warnings.extend(nul_warning);
        (text, warnings)
    };
    let document = Document {
        path: relative.to_string(),
        text,
        body_offset,
        body_line,
        meta,
        positions: parsed.positions,
    };
    Ok((document, diagnostics))
}
