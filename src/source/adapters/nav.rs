//! The order and titles another tool's navigation gives the pages: MkDocs' `nav` in
//! `mkdocs.yml`, and the `SUMMARY.md` of mdBook and GitBook (a list of links, the table of
//! contents, itself no page).

use std::collections::HashMap;
use std::path::Path;

use crate::paths::{file_name, parent};

/// A page as the navigation lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NavEntry {
    pub title: Option<String>,
    /// Its place in the navigation, counted from 1, depth first.
    pub position: i64,
}

/// The pages the navigation of the handbook at `root` lists, by content-relative path, when
/// it has a navigation; `content` is its folder of markdown on disk.
pub(crate) fn read(root: &Path, content: &Path) -> HashMap<String, NavEntry> {
    let mut entries = Vec::new();
    if let Ok(text) = std::fs::read_to_string(root.join("mkdocs.yml")) {
        if let Ok(value) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text) {
            if let Some(nav) = value.get("nav") {
                mkdocs(nav, &mut entries);
            }
        }
    }
    if entries.is_empty() {
        if let Some(text) =
            summary_file(root, content).and_then(|p| std::fs::read_to_string(p).ok())
        {
            entries = summary(&text);
        }
    }
    let mut nav = HashMap::new();
    for (position, (path, title)) in entries.into_iter().enumerate() {
        nav.entry(path).or_insert(NavEntry {
            title,
            position: position as i64 + 1,
        });
    }
    nav
}

/// `SUMMARY.md` in the folder of markdown (mdBook) or the handbook folder (GitBook).
fn summary_file(root: &Path, content: &Path) -> Option<std::path::PathBuf> {
    [content.join("SUMMARY.md"), root.join("SUMMARY.md")]
        .into_iter()
        .find(|p| p.is_file())
}

/// Whether the content file `source` is the table of contents `SUMMARY.md` of an mdBook or a
/// GitBook, which gives the order and is no page.
pub(crate) fn is_summary(source: &str, has_nav: bool) -> bool {
    has_nav && file_name(source) == "SUMMARY.md" && parent(source).is_empty()
}

fn mkdocs(value: &serde_yaml_ng::Value, entries: &mut Vec<(String, Option<String>)>) {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::Sequence(items) => items.iter().for_each(|item| mkdocs(item, entries)),
        Y::Mapping(map) => {
            for (title, target) in map {
                match (title, target) {
                    (Y::String(title), Y::String(path)) if !path.contains("://") => {
                        let path = path.trim_start_matches("./").to_string();
                        entries.push((path, Some(title.clone())));
                    }
                    (_, nested) => mkdocs(nested, entries),
                }
            }
        }
        Y::String(path) if !path.contains("://") => {
            entries.push((path.trim_start_matches("./").to_string(), None));
        }
        _ => {}
    }
}

/// The links of a `SUMMARY.md`, in order: `- [Title](path.md)`, `* [Title](path.md)`, and the
/// prefix chapters written as plain links.
fn summary(text: &str) -> Vec<(String, Option<String>)> {
    let mut entries = Vec::new();
    for line in text.lines() {
        let line = line
            .trim_start()
            .trim_start_matches(['-', '*', '+'])
            .trim_start();
        let Some(rest) = line.strip_prefix('[') else {
            continue;
        };
        let Some((title, rest)) = rest.split_once("](") else {
            continue;
        };
        let Some((path, _)) = rest.split_once(')') else {
            continue;
        };
        let path = path.trim().trim_start_matches("./");
        if path.is_empty() || path.contains("://") {
            continue;
        }
        let path = path.split('#').next().unwrap_or(path);
        entries.push((path.replace("%20", " "), Some(title.trim().to_string())));
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_links_in_order_with_their_titles() {
        let text = "# Summary\n\n[Introduction](README.md)\n\n- [On call](on-call/README.md)\n  - [Paging](on-call/paging.md#who)\n* [Elsewhere](https://example.test)\n- [Draft]()\n";
        assert_eq!(
            summary(text),
            [
                ("README.md".to_string(), Some("Introduction".to_string())),
                ("on-call/README.md".into(), Some("On call".into())),
                ("on-call/paging.md".into(), Some("Paging".into())),
            ]
        );
    }

    #[test]
    fn mkdocs_nav_with_sections_and_bare_paths() {
        let nav: serde_yaml_ng::Value = serde_yaml_ng::from_str(
            "- Home: index.md\n- Runbooks:\n    - runbooks/b.md\n    - First: runbooks/a.md\n",
        )
        .unwrap();
        let mut entries = Vec::new();
        mkdocs(&nav, &mut entries);
        let paths: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["index.md", "runbooks/b.md", "runbooks/a.md"]);
        assert_eq!(entries[2].1.as_deref(), Some("First"));
    }
}
