//! Listing the handbook's files: the content folder (markdown and the assets beside it) and the
//! `static` folders copied as they are.
//!
//! Symbolic links are skipped with a warning, so a link to a file outside the handbook never
//! reaches the output; a name that is not UTF-8 is an error (it has no URL).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::layout::Root;
use super::Handbook;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::paths::{slashed, HandbookPath};

/// A file's size and modification time: while both stay the same, the file is taken as
/// unchanged.
pub(crate) type Stamp = (u64, Option<SystemTime>);

/// What the content folder holds, content-relative and sorted.
#[derive(Debug, Default)]
pub(super) struct ContentFiles {
    pub markdown: Vec<(String, Stamp)>,
    pub assets: Vec<String>,
}

/// Lists the content folders of `handbook`: each file by its place in the site (its path in its
/// folder, under that folder's place).
pub(crate) fn list_content(handbook: &Handbook, diagnostics: &mut Diagnostics) -> ContentFiles {
    let mut files = ContentFiles::default();
    for root in &handbook.layout.roots {
        list_root(handbook, root, &mut files, diagnostics);
    }
    files.assets.sort();
    files
}

fn list_root(
    handbook: &Handbook,
    root: &Root,
    files: &mut ContentFiles,
    diagnostics: &mut Diagnostics,
) {
    if let Some(link) = linked_folder(&handbook.root, &root.dir) {
        diagnostics.push(symlink_skipped(shown(handbook, &link)));
        return;
    }
    let other_roots: Vec<&Path> = handbook
        .layout
        .roots
        .iter()
        .filter(|r| r.dir != root.dir && r.dir.starts_with(&root.dir))
        .map(|r| r.dir.as_path())
        .collect();
    let walker = walkdir::WalkDir::new(&root.dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(is_ignored(e.file_name().to_string_lossy().as_ref())
                    || handbook.is_skipped(e.path())
                    || other_roots.contains(&e.path()))
        });
    let shown = |path: &Path| shown(handbook, path);
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                diagnostics.push(
                    Diagnostic::error(
                        e.path().map(|p| Location::file(shown(p))),
                        format!("cannot read: {e}"),
                    )
                    .with_rule("content"),
                );
                continue;
            }
        };
        if entry.path_is_symlink() {
            diagnostics.push(symlink_skipped(shown(entry.path())));
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(relative) = entry
            .path()
            .strip_prefix(&root.dir)
            .ok()
            .and_then(Path::to_str)
        else {
            diagnostics.push(name_not_utf8(shown(entry.path())));
            continue;
        };
        let source = HandbookPath::new(root.mount.as_str())
            .join(&slashed(Path::new(relative)))
            .to_string();
        if is_markdown(&source) {
            let stamp = entry
                .metadata()
                .map_or((0, None), |m| (m.len(), m.modified().ok()));
            files.markdown.push((source, stamp));
        } else {
            files.assets.push(source);
        }
    }
}

/// The markdown files under the handbook but outside its content folder, for a handbook read
/// through another tool's layout: each left out, with the reason. Hidden folders, dependencies
/// (`node_modules/`, `vendor/`) and the output folder are not the user's writing and not listed.
pub(crate) fn outside_content(handbook: &Handbook) -> Vec<(HandbookPath, String)> {
    let content_dirs: Vec<&Path> = handbook.content_dirs().collect();
    let walker = walkdir::WalkDir::new(&handbook.root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(is_ignored(&name)
                    || matches!(name.as_ref(), "node_modules" | "vendor" | "target")
                    || (content_dirs.contains(&e.path()) && !handbook.content.is_root())
                    || crate::output::absolute(e.path()) == handbook.output)
        });
    let mut left_out = Vec::new();
    for entry in walker.flatten() {
        if !entry.file_type().is_file() || !is_markdown(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let Some(file) = HandbookPath::of(&handbook.root, entry.path()) else {
            continue;
        };
        let inside = handbook.content.is_root() || handbook.is_content(&file);
        let reason = if handbook.is_skipped(entry.path()) && inside {
            format!("`{}/` is not read as content", file.top())
        } else if inside {
            continue;
        } else {
            format!("outside the content folder `{}/`", handbook.content)
        };
        left_out.push((file, reason));
    }
    left_out
}

/// The first folder on the way from the handbook folder `root` to `path`, a path under it,
/// that is a symbolic link. walkdir follows a root that is a link, so a folder reached through
/// one would be read from outside the handbook.
pub(crate) fn linked_folder(root: &Path, path: &Path) -> Option<PathBuf> {
    let relative = path.strip_prefix(root).ok()?;
    let mut at = root.to_path_buf();
    for part in relative.components() {
        at.push(part);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(at);
        }
    }
    None
}

/// `folders` (under `root`) without those reached through a symbolic link, each such link
/// skipped with a warning, once.
pub(super) fn unlinked(
    root: &Path,
    folders: &[PathBuf],
    problems: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut links = Vec::new();
    let mut kept = Vec::new();
    for folder in folders {
        match linked_folder(root, folder) {
            Some(link) => {
                if !links.contains(&link) {
                    problems.push(symlink_skipped(crate::diagnostic::display_path(
                        root, &link,
                    )));
                    links.push(link);
                }
            }
            None => kept.push(folder.clone()),
        }
    }
    kept
}

/// A file copied into the site as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StaticFile {
    /// Its path in the output, `/`-separated.
    pub output: String,
    /// Where it is copied from.
    pub from: PathBuf,
}

/// The files of the `static` folders — the theme's, then the handbook's own, which wins — with
/// what is wrong with them: a symbolic link is skipped with a warning, as in the content; a
/// name that is not UTF-8 is an error; two names that differ only in case are a warning, as
/// one overwrites the other on macOS and Windows.
pub(super) fn list_static(root: &Path, folders: &[PathBuf]) -> (Vec<StaticFile>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut chosen: HashMap<String, StaticFile> = HashMap::new();
    let mut by_lowercase: HashMap<String, PathBuf> = HashMap::new();
    for folder in folders {
        let walker = walkdir::WalkDir::new(folder)
            .follow_links(false)
            .sort_by_file_name();
        for entry in walker.into_iter().flatten() {
            if entry.depth() == 0 {
                continue;
            }
            let shown = crate::diagnostic::display_path(root, entry.path());
            if entry.path_is_symlink() {
                problems.push(symlink_skipped(shown));
                continue;
            }
            if !entry.file_type().is_file() || is_ignored(&entry.file_name().to_string_lossy()) {
                continue;
            }
            let Some(relative) = entry.path().strip_prefix(folder).ok() else {
                continue;
            };
            let Some(relative) = relative.to_str() else {
                problems.push(name_not_utf8(shown));
                continue;
            };
            let output = slashed(Path::new(relative));
            let lower = output.to_lowercase();
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
            let file = StaticFile {
                output: output.clone(),
                from: entry.path().to_path_buf(),
            };
            chosen.insert(output, file);
        }
    }
    let mut files: Vec<StaticFile> = chosen.into_values().collect();
    files.sort_by(|a, b| a.output.cmp(&b.output));
    (files, problems)
}

fn shown(handbook: &Handbook, path: &Path) -> PathBuf {
    HandbookPath::of(&handbook.root, path)
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::diagnostic::display_path(&handbook.root, path))
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
    .with_hint("copy what it points to into the handbook instead")
}

/// Markdown files: `.md`, `.markdown`, Docusaurus' `.mdx` and Middleman's `.md.erb` (read as
/// markdown).
pub(crate) fn is_markdown(path: &str) -> bool {
    path.ends_with(".md")
        || path.ends_with(".markdown")
        || path.ends_with(".mdx")
        || path.ends_with(".md.erb")
}

/// Editor temp files, swap files and hidden files are never content.
pub(crate) fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
}
