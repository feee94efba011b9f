//! Docusaurus: the folders a site publishes, and the titles and order of its folders.
//!
//! A Docusaurus site publishes several folders of markdown, each through a plugin: the docs
//! (`docs/` at `/docs/`), the blog (`blog/` at `/blog/`), further docs instances
//! (`community/` at `/community/`) and markdown pages (`src/pages/` at `/`). They are declared in
//! `docusaurus.config.js`, which is JavaScript: opsbook runs none of it and reads only the
//! literal `path:` and `routeBasePath:` values of the presets and plugins, with Docusaurus'
//! defaults where they are absent.

use std::path::Path;

use crate::paths::HandbookPath;
use crate::source::layout::Layout;
use crate::source::Folder;

/// A folder the site publishes, and the URL path its pages go under (`""` for the top).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Published {
    pub folder: HandbookPath,
    pub mount: String,
}

/// Every folder of markdown the Docusaurus site at `root` publishes, the docs first.
pub(crate) fn published(root: &Path) -> Vec<Published> {
    let config = [
        "docusaurus.config.js",
        "docusaurus.config.ts",
        "docusaurus.config.mjs",
    ]
    .iter()
    .find_map(|name| std::fs::read_to_string(root.join(name)).ok())
    .unwrap_or_default();
    let mut folders = Vec::new();
    let mut add = |folder: String, mount: String| {
        let folder = HandbookPath::new(folder);
        let exists = folder.on_disk(root).is_dir();
        if exists && !folders.iter().any(|p: &Published| p.folder == folder) {
            folders.push(Published {
                folder,
                mount: mount.trim_matches('/').to_string(),
            });
        }
    };
    let docs = object_after(&config, "docs:");
    add(
        docs.and_then(|o| string_value(o, "path:"))
            .unwrap_or("docs")
            .into(),
        docs.and_then(|o| string_value(o, "routeBasePath:"))
            .unwrap_or("docs")
            .into(),
    );
    let blog_off = config.contains("blog: false") || config.contains("blog:false");
    if !blog_off {
        let blog = object_after(&config, "blog:");
        add(
            blog.and_then(|o| string_value(o, "path:"))
                .unwrap_or("blog")
                .into(),
            blog.and_then(|o| string_value(o, "routeBasePath:"))
                .unwrap_or("blog")
                .into(),
        );
    }
    for plugin in objects_after(&config, "plugin-content-docs") {
        let Some(path) = string_value(plugin, "path:") else {
            continue;
        };
        let mount = string_value(plugin, "routeBasePath:").unwrap_or(path);
        add(path.into(), mount.into());
    }
    add("src/pages".into(), String::new());
    folders
}

/// The `{ … }` object literal that follows the first `key` in `text`.
fn object_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let at = text.find(key)? + key.len();
    object_at(text, at)
}

/// Every `{ … }` object literal that follows an occurrence of `marker` (a plugin's name).
fn objects_after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
    text.match_indices(marker)
        .filter_map(|(at, _)| object_at(text, at + marker.len()))
        .collect()
}

/// The balanced `{ … }` starting at the first `{` after `from`, if nothing but quotes, commas
/// and blanks stand before it.
fn object_at(text: &str, from: usize) -> Option<&str> {
    let rest = &text[from..];
    let start = rest.find('{')?;
    if !rest[..start]
        .chars()
        .all(|c| c.is_whitespace() || matches!(c, '\'' | '"' | ',' | '['))
    {
        return None;
    }
    let mut depth = 0;
    for (i, c) in rest[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[start..start + i + 1]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The string literal after `key` in `object`.
fn string_value<'a>(object: &'a str, key: &str) -> Option<&'a str> {
    let rest = object[object.find(key)? + key.len()..].trim_start();
    let quote = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"' | '`'))?;
    let end = rest[1..].find(quote)? + 1;
    Some(&rest[1..end])
}

/// Docusaurus titles and orders a folder by its `_category_.json` (`label`, `position`).
pub(crate) fn category(layout: &Layout, source: &str, folder: &mut Folder) {
    let file = layout.disk(source).join("_category_.json");
    let Ok(text) = std::fs::read_to_string(file) else {
        return;
    };
    let Ok(category) = serde_json::from_str::<serde_json::Value>(&text) else {
        return;
    };
    if let Some(label) = category.get("label").and_then(|l| l.as_str()) {
        folder.title = Some(label.to_string());
    }
    if let Some(position) = category.get("position").and_then(|p| p.as_f64()) {
        folder.weight = Some(position.round() as i64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_blog_and_further_docs_folders_with_their_routes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in ["docs", "blog", "community", "src/pages", "notes"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::fs::write(
            root.join("docusaurus.config.js"),
            r#"module.exports = {
  presets: [['classic', {
    docs: { sidebarPath: require.resolve('./sidebars.js'), routeBasePath: '/' },
    blog: { showReadingTime: true },
  }]],
  plugins: [
    ['@docusaurus/plugin-content-docs', { id: 'community', path: 'community', routeBasePath: 'community' }],
    ["@docusaurus/plugin-content-docs", { id: "notes", path: "notes" }],
  ],
};"#,
        )
        .unwrap();
        let found: Vec<(String, String)> = published(root)
            .into_iter()
            .map(|p| (p.folder.to_string(), p.mount))
            .collect();
        let expected = [
            ("docs", ""),
            ("blog", "blog"),
            ("community", "community"),
            ("notes", "notes"),
            ("src/pages", ""),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(f, m)| (f.to_string(), m.to_string()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn defaults_without_a_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs")).unwrap();
        let found = published(dir.path());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].mount, "docs");
    }
}
