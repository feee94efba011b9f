//! Reads the handbook's files: every markdown document under `content/` with its front matter
//! parsed and typed, and the other files there (assets copied beside the pages).
//!
//! Symbolic links are skipped with a warning, so a link to a file outside the handbook never
//! reaches the output. Files are read in parallel. Nothing here knows URLs or sections.

pub mod front_matter;
pub mod meta;

use std::path::{Path, PathBuf};

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
}

/// Reads `content_dir`; `shown_as` is how its path appears in messages (`content`).
pub fn load(content_dir: &Path, shown_as: &str, diagnostics: &mut Diagnostics) -> Content {
    let mut markdown = Vec::new();
    let mut assets = Vec::new();
    let walker = walkdir::WalkDir::new(content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name().to_string_lossy().as_ref()));
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
            diagnostics.push(
                Diagnostic::warning(
                    Some(Location::file(shown(shown_as, content_dir, entry.path()))),
                    "symbolic link skipped: opsbook never follows links out of the handbook",
                )
                .with_hint("copy the file into the handbook instead"),
            );
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if relative.ends_with(".md") || relative.ends_with(".markdown") {
            markdown.push(relative);
        } else {
            assets.push(relative);
        }
    }
    let results: Vec<(Option<Document>, Vec<Diagnostic>)> = markdown
        .par_iter()
        .map(
            |relative| match read_document(content_dir, relative, shown_as) {
                Ok((document, warnings)) => (Some(document), warnings),
                Err(problems) => (None, problems),
            },
        )
        .collect();
    let mut documents = Vec::with_capacity(results.len());
    for (document, problems) in results {
        documents.extend(document);
        diagnostics.extend(problems);
    }
    Content { documents, assets }
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
    let display = PathBuf::from(format!("{shown_as}/{relative}"));
    let bytes = std::fs::read(content_dir.join(relative)).map_err(|e| {
        vec![Diagnostic::error(
            Some(Location::file(&display)),
            format!("cannot read the file: {e}"),
        )]
    })?;
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
    let syntax_error = |p: front_matter::Problem| {
        vec![Diagnostic::error(at(p.line, p.column), p.message).with_rule("front-matter")]
    };
    let split = front_matter::split(&text).map_err(syntax_error)?;
    let parsed = front_matter::parse(&split).map_err(syntax_error)?;
    let body_offset = split.body_offset;
    let folder_kind = if file_name(relative) == "_index.md" {
        Kind::Page
    } else {
        Kind::from_folder(
            relative
                .split('/')
                .next()
                .filter(|_| relative.contains('/'))
                .unwrap_or(""),
        )
    };
    let (meta, problems) = meta::read(&parsed, folder_kind);
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
    let Some(meta) = meta else {
        return Err(diagnostics);
    };
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let body_line = text[..body_offset].matches('\n').count() + 1;
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
