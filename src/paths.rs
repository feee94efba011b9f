//! Paths inside a handbook, and the URL segments made from file names.
//!
//! A [`HandbookPath`] is how every stage names a file of the handbook: relative to the handbook
//! folder, `/`-separated on every platform, as the user sees it in their repository
//! (`docs/runbooks/disk.md`, `README.md`). Messages, edit links and serve's change lists use it,
//! so no later stage rebuilds a path from a folder name and a separator.

use std::fmt;
use std::path::{Path, PathBuf};

/// A file or folder inside the handbook, relative to its root, `/`-separated; `""` is the
/// handbook folder itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HandbookPath(String);

impl HandbookPath {
    /// A path written relative to the handbook, `/`-separated.
    pub fn new(relative: impl Into<String>) -> HandbookPath {
        let relative: String = relative.into();
        HandbookPath(relative.trim_matches('/').to_string())
    }

    /// Where `path`, a file under `root`, is in the handbook; `None` when it is outside `root`
    /// or its name is not UTF-8.
    pub fn of(root: &Path, path: &Path) -> Option<HandbookPath> {
        let relative = path.strip_prefix(root).ok()?;
        let parts: Option<Vec<&str>> = relative
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect();
        Some(HandbookPath(parts?.join("/")))
    }

    /// `self/relative`; `relative` is `/`-separated.
    pub fn join(&self, relative: &str) -> HandbookPath {
        let relative = relative.trim_matches('/');
        match (self.0.is_empty(), relative.is_empty()) {
            (true, _) => HandbookPath(relative.to_string()),
            (false, true) => self.clone(),
            (false, false) => HandbookPath(format!("{}/{relative}", self.0)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path on disk of the handbook at `root`.
    pub fn on_disk(&self, root: &Path) -> PathBuf {
        self.0
            .split('/')
            .filter(|part| !part.is_empty())
            .fold(root.to_path_buf(), |path, part| path.join(part))
    }

    /// The rest of this path inside `folder`, `/`-separated; `None` when it is not inside.
    pub fn inside<'a>(&'a self, folder: &HandbookPath) -> Option<&'a str> {
        if folder.0.is_empty() {
            return Some(&self.0);
        }
        let rest = self.0.strip_prefix(&folder.0)?;
        match rest.strip_prefix('/') {
            Some(rest) => Some(rest),
            None if rest.is_empty() => Some(""),
            None => None,
        }
    }

    /// The first part: the top-level folder (or file) this path is in.
    pub fn top(&self) -> &str {
        self.0.split('/').next().unwrap_or("")
    }
}

impl fmt::Display for HandbookPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&HandbookPath> for PathBuf {
    fn from(path: &HandbookPath) -> PathBuf {
        PathBuf::from(&path.0)
    }
}

impl From<HandbookPath> for PathBuf {
    fn from(path: HandbookPath) -> PathBuf {
        PathBuf::from(path.0)
    }
}

/// The `/`-separated form of a path relative to some folder, as walking it gives.
pub(crate) fn slashed(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A URL path segment from a file or folder name: lowercase, spaces as `-`, unsafe characters out.
pub(crate) fn url_segment(name: &str) -> String {
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

/// The last part of a `/`-separated path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Everything before the last `/` of a path, `""` at the top.
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handbook_paths_join_and_compare_by_their_parts() {
        let docs = HandbookPath::new("docs");
        assert_eq!(docs.join("runbooks/a.md").as_str(), "docs/runbooks/a.md");
        assert_eq!(HandbookPath::default().join("a.md").as_str(), "a.md");
        assert_eq!(docs.join("").as_str(), "docs");
        let file = docs.join("runbooks/a.md");
        assert_eq!(file.inside(&docs), Some("runbooks/a.md"));
        assert_eq!(file.inside(&HandbookPath::new("doc")), None);
        assert_eq!(
            file.inside(&HandbookPath::default()),
            Some("docs/runbooks/a.md")
        );
        assert_eq!(file.top(), "docs");
        let root = Path::new("/hb");
        assert_eq!(file.on_disk(root), Path::new("/hb/docs/runbooks/a.md"));
        assert_eq!(
            HandbookPath::of(root, Path::new("/hb/docs/x.md")),
            Some(HandbookPath::new("docs/x.md"))
        );
        assert_eq!(HandbookPath::of(root, Path::new("/elsewhere/x.md")), None);
    }

    #[test]
    fn url_segments_from_names() {
        assert_eq!(url_segment("Disk Full"), "disk-full");
        assert_eq!(url_segment("a+b/c"), "a-b-c");
        assert_eq!(url_segment("..x.."), "x");
    }
}
