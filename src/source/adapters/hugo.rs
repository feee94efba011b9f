//! Hugo's `ref` and `relref` shortcodes: the page they name, as a link relative to the page
//! that names it.

use std::cell::OnceCell;

use crate::paths::{parent, slashed};
use crate::source::files::{is_ignored, is_markdown};
use crate::source::layout::Layout;

/// Resolves the `ref` targets of one page.
pub(super) struct RefResolver<'a> {
    layout: &'a Layout,
    /// The page's file, content-relative.
    source: &'a str,
    /// Every markdown file, listed at most once per page, and only for a `ref` naming a page by
    /// its name alone.
    every: OnceCell<Vec<String>>,
}

impl<'a> RefResolver<'a> {
    pub(super) fn new(layout: &'a Layout, source: &'a str) -> RefResolver<'a> {
        RefResolver {
            layout,
            source,
            every: OnceCell::new(),
        }
    }

    /// The link `target` stands for, relative to the page; `None` when no page matches.
    pub(super) fn resolve(&self, target: &str) -> Option<String> {
        let exists = |candidate: &str| self.layout.disk(candidate).is_file();
        let every = || {
            self.every
                .get_or_init(|| markdown_paths(self.layout))
                .clone()
        };
        resolve_ref(target, self.source, &exists, &every)
    }
}

/// Every markdown file's content path.
fn markdown_paths(layout: &Layout) -> Vec<String> {
    walkdir::WalkDir::new(&layout.content_dir)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(is_ignored(&e.file_name().to_string_lossy()) || layout.is_skipped(e.path()))
        })
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let relative = slashed(e.path().strip_prefix(&layout.content_dir).ok()?);
            is_markdown(&relative).then_some(relative)
        })
        .collect()
}

/// Hugo's `ref` / `relref` target, as a link relative to the page at `source`: relative to the
/// page first, then to the content folder, then any page whose path ends so.
fn resolve_ref(
    target: &str,
    source: &str,
    exists: &dyn Fn(&str) -> bool,
    every: &dyn Fn() -> Vec<String>,
) -> Option<String> {
    let (path, anchor) = match target.find('#') {
        Some(i) => (&target[..i], &target[i..]),
        None => (target, ""),
    };
    let path = path.trim().trim_end_matches('/');
    let find = |candidate: &str| -> Option<String> {
        let stem = candidate.trim_end_matches(".md");
        [
            candidate.to_string(),
            format!("{stem}.md"),
            format!("{stem}.mdx"),
            format!("{stem}/_index.md"),
            format!("{stem}/index.md"),
            format!("{stem}/README.md"),
        ]
        .into_iter()
        .find(|c| !c.is_empty() && exists(c))
    };
    let dir = parent(source);
    let found = match path.strip_prefix('/') {
        Some(rooted) => find(rooted),
        None => crate::markdown::links::normalize(dir, path)
            .and_then(|joined| find(&joined))
            .or_else(|| find(path))
            .or_else(|| {
                let suffix = format!("/{}", path.trim_end_matches(".md"));
                let paths = every();
                let mut matches = paths.iter().filter(|p| {
                    let p = format!("/{}", p.trim_end_matches(".md").trim_end_matches(".mdx"));
                    p.ends_with(&suffix) || p.trim_end_matches("/_index").ends_with(&suffix)
                });
                let first = matches.next()?;
                matches.next().is_none().then(|| first.clone())
            }),
    }?;
    let up = if dir.is_empty() {
        String::new()
    } else {
        "../".repeat(dir.split('/').count())
    };
    Some(format!("{up}{found}{anchor}"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn refs_resolve_relative_rooted_and_by_name() {
        let paths: HashSet<String> = ["runbooks/disk.md", "runbooks/_index.md", "about.md"]
            .into_iter()
            .map(String::from)
            .collect();
        let exists = |p: &str| paths.contains(p);
        let every = || paths.iter().cloned().collect::<Vec<_>>();
        let r = |t: &str, s: &str| resolve_ref(t, s, &exists, &every);
        assert_eq!(
            r("disk.md", "runbooks/x.md").as_deref(),
            Some("../runbooks/disk.md")
        );
        assert_eq!(
            r("/runbooks/disk#step", "about.md").as_deref(),
            Some("runbooks/disk.md#step")
        );
        assert_eq!(r("disk", "about.md").as_deref(), Some("runbooks/disk.md"));
        assert_eq!(
            r("runbooks", "about.md").as_deref(),
            Some("runbooks/_index.md")
        );
        assert_eq!(r("nope.md", "about.md"), None);
    }
}
