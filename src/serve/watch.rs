//! Watches the handbook with notify (the platform's watcher, or polling with `--poll`), keeps
//! the changes that can affect the site, and hands them over in debounced batches.
//!
//! Only `opsbook.toml` (or another tool's config and navigation: `mkdocs.yml`, `sidebars.js`…)
//! and the `content/`, `templates/`, `static/` and `themes/` folders matter;
//! everything else in the handbook folder (`public/`, `target/`, `.git/`, `.opsbook-cache/`, a
//! README) is ignored, and so is any path with a part that the build itself skips (dot files,
//! editor backups and swap files: [`crate::source::is_ignored`]). The root is watched on its
//! own and each of those folders recursively, so a big `target/` never costs a watch. Creates,
//! writes, removals and renames (an atomic save renames a temporary file over the original)
//! all count as changes; only plain reads are dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::source::is_ignored;

/// The folders of the handbook that feed the site.
const FOLDERS: [&str; 4] = ["content", "templates", "static", "themes"];
/// A batch ends when no event came for this long (a save's events come within microseconds of
/// each other; a rebuild that starts too early is followed by another)…
const QUIET: Duration = Duration::from_millis(10);
/// …or when it has been gathering for this long.
const MAX_BATCH: Duration = Duration::from_secs(2);
/// `--poll` looks at the files this often.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What reaches the rebuild loop.
pub(super) enum Message {
    Fs(notify::Result<notify::Event>),
    Stop,
}

/// What a changed file is to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Markdown under `content/` (or a folder there).
    Content,
    /// Another file under `content/`, copied beside its page.
    Asset,
    /// `templates/` or a theme's templates.
    Template,
    /// `static/` or a theme's `static/`.
    Static,
    /// `opsbook.toml`, or a file of another tool that says how the handbook is read.
    Config,
}

/// What a path (relative to the handbook) is, or `None` when it cannot affect the site.
#[cfg(test)]
fn classify(relative: &Path) -> Option<Kind> {
    classify_in(relative, &["content".to_string()])
}

/// [`classify`] for a handbook whose markdown is in the folder `content` (`docs` for another
/// tool's layout).
pub(super) fn classify_in(relative: &Path, content: &[String]) -> Option<Kind> {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    // Vim writes and removes a file named 4913 to test that it may write in a folder.
    if parts.iter().any(|p| is_ignored(p) || p == "4913") {
        return None;
    }
    let last = parts.last()?;
    if crate::source::is_layout_file(&parts.join("/")) {
        return Some(Kind::Config);
    }
    match parts[0].as_str() {
        folder if content.iter().any(|c| c == folder) => {
            let markdown = crate::source::is_markdown(last) || !last.contains('.');
            Some(if markdown { Kind::Content } else { Kind::Asset })
        }
        "templates" => Some(Kind::Template),
        "static" => Some(Kind::Static),
        "themes" if parts.get(2).is_some_and(|p| p == "static") => Some(Kind::Static),
        "themes" => Some(Kind::Template),
        _ => None,
    }
}

/// A batch of changes: the last kind seen for each path (relative, `/`-separated).
#[derive(Debug, Default)]
pub(super) struct Changes {
    paths: BTreeMap<String, Kind>,
    /// Top-level folders that were created, removed or renamed: they need a new watch.
    folders: BTreeSet<String>,
}

impl Changes {
    pub(super) fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Whether every change is a stylesheet the site copies as it is: the page can swap its
    /// stylesheets instead of reloading.
    pub(super) fn css_only(&self) -> bool {
        !self.paths.is_empty()
            && self
                .paths
                .iter()
                .all(|(path, kind)| *kind == Kind::Static && path.ends_with(".css"))
    }

    /// Whether every change is a template: the kept handbook can be rendered again as it is.
    pub(super) fn templates_only(&self) -> bool {
        self.paths.values().all(|kind| *kind == Kind::Template)
    }

    /// The changed paths, relative to the handbook folder, `/`-separated.
    pub(super) fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.keys().map(String::as_str)
    }

    #[cfg(test)]
    fn add(&mut self, root: &Path, path: &Path) {
        self.add_in(root, &["content".to_string()], path);
    }

    fn add_in(&mut self, root: &Path, content: &[String], path: &Path) {
        let Ok(relative) = path.strip_prefix(root) else {
            return;
        };
        let Some(kind) = classify_in(relative, content) else {
            return;
        };
        let name = relative.to_string_lossy().replace('\\', "/");
        if FOLDERS.contains(&name.as_str()) || content.contains(&name) {
            self.folders.insert(name.clone());
        }
        self.paths.insert(name, kind);
    }
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = self.paths.keys();
        match (names.next(), self.paths.len()) {
            (Some(first), 1) => write!(f, "{first} changed"),
            (Some(first), n) => write!(f, "{first} and {} more changed", n - 1),
            (None, _) => write!(f, "nothing changed"),
        }
    }
}

/// The watcher and the channel its events arrive on.
pub(super) struct Watch {
    root: PathBuf,
    /// The top folders of the markdown: `content`, or another tool's (`docs`, `blog`).
    content: Vec<String>,
    watcher: Box<dyn Watcher + Send>,
    watched: BTreeSet<String>,
    events: Receiver<Message>,
}

impl Watch {
    /// Starts watching `root` (canonical), whose markdown is in the folders `content`; events go
    /// to `sender`, batches come from
    /// [`Watch::next`]. `poll` uses notify's polling watcher.
    pub(super) fn start(
        root: &Path,
        content: &[String],
        poll: bool,
        sender: Sender<Message>,
        events: Receiver<Message>,
    ) -> anyhow::Result<Watch> {
        let handler = move |event| {
            let _ = sender.send(Message::Fs(event));
        };
        let mut watcher: Box<dyn Watcher + Send> = if poll {
            // notify's poller compares modification times in whole seconds: without comparing
            // contents too, a second save within the same second would go unnoticed.
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true);
            Box::new(notify::PollWatcher::new(handler, config)?)
        } else {
            Box::new(notify::recommended_watcher(handler)?)
        };
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        let mut watch = Watch {
            root: root.to_path_buf(),
            content: content.to_vec(),
            watcher,
            watched: BTreeSet::new(),
            events,
        };
        watch.refresh(&Changes::default());
        Ok(watch)
    }

    /// Watches the handbook folders that exist now, again those that were replaced.
    pub(super) fn refresh(&mut self, changes: &Changes) {
        let content = self.content.clone();
        for name in FOLDERS
            .into_iter()
            .chain(content.iter().map(String::as_str))
        {
            let dir = self.root.join(name);
            let replaced = changes.folders.contains(name);
            if self.watched.contains(name) && (replaced || !dir.is_dir()) {
                let _ = self.watcher.unwatch(&dir);
                self.watched.remove(name);
            }
            if dir.is_dir() && !self.watched.contains(name) {
                match self.watcher.watch(&dir, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watched.insert(name.to_string());
                    }
                    Err(e) => say!("warning: cannot watch `{}`: {e}", dir.display()),
                }
            }
        }
    }

    /// Waits for changes that matter, then gathers more until the file system has been quiet
    /// for [`QUIET`]; `None` once Ctrl-C was pressed.
    pub(super) fn next(&mut self) -> Option<Changes> {
        let mut changes = Changes::default();
        while changes.is_empty() {
            match self.events.recv().ok()? {
                Message::Stop => return None,
                Message::Fs(event) => self.add(&mut changes, event),
            }
        }
        let started = Instant::now();
        while started.elapsed() < MAX_BATCH {
            match self.events.recv_timeout(QUIET) {
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return None,
                Ok(Message::Fs(event)) => self.add(&mut changes, event),
                Err(RecvTimeoutError::Timeout) => break,
            }
        }
        Some(changes)
    }

    fn add(&self, changes: &mut Changes, event: notify::Result<notify::Event>) {
        match event {
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
            Ok(event) => {
                for path in &event.paths {
                    changes.add_in(&self.root, &self.content, path);
                }
            }
            Err(e) => say!("warning: watching for changes: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str) -> Option<Kind> {
        classify(Path::new(path))
    }

    #[test]
    fn paths_are_classified_by_folder() {
        assert_eq!(kind("content/runbooks/a.md"), Some(Kind::Content));
        assert_eq!(kind("content/runbooks/k8s"), Some(Kind::Content));
        assert_eq!(kind("content/runbooks/x/diagram.svg"), Some(Kind::Asset));
        assert_eq!(kind("templates/page.html"), Some(Kind::Template));
        assert_eq!(
            kind("themes/mine/templates/base.html"),
            Some(Kind::Template)
        );
        assert_eq!(kind("themes/mine/static/style.css"), Some(Kind::Static));
        assert_eq!(kind("static/custom.css"), Some(Kind::Static));
        assert_eq!(kind("opsbook.toml"), Some(Kind::Config));
        // Another tool's navigation and order.
        for path in [
            "mkdocs.yml",
            "sidebars.js",
            "sidebarsCommunity.ts",
            "docusaurus.config.js",
            "content/SUMMARY.md",
            "content/guides/_category_.json",
            "config/tech-docs.yml",
        ] {
            assert_eq!(kind(path), Some(Kind::Config), "{path}");
        }
    }

    #[test]
    fn outputs_caches_and_editor_files_are_ignored() {
        for path in [
            "public/index.html",
            "target/debug/x",
            ".git/index",
            ".opsbook-cache/outputs.bin",
            "content/.a.md.swp",
            "content/a.md~",
            "content/#a.md#",
            "content/4913",
            "static/.style.css.tmp",
            "README.md",
            "nested/opsbook.toml",
        ] {
            assert_eq!(kind(path), None, "{path}");
        }
    }

    #[test]
    fn only_stylesheet_changes_are_css_only() {
        let root = Path::new("/hb");
        let mut changes = Changes::default();
        changes.add(root, Path::new("/hb/static/custom.css"));
        changes.add(root, Path::new("/hb/themes/t/static/x.css"));
        assert!(changes.css_only());
        changes.add(root, Path::new("/hb/templates/custom.css"));
        assert!(!changes.css_only());
        let mut other = Changes::default();
        other.add(root, Path::new("/hb/public/style.css"));
        assert!(other.is_empty());
        other.add(root, Path::new("/hb/static"));
        assert!(other.folders.contains("static"));
        assert_eq!(other.to_string(), "static changed");
    }
}
