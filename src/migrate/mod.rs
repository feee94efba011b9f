//! Handbooks written for other tools — Hugo, MkDocs, Docusaurus, cState, GOV.UK tech-docs /
//! Jekyll, plain GitLab markdown — read as they are.
//!
//! [`layout`] finds the content and the kinds of its folders (with or without `opsbook.toml`),
//! [`fields`] maps other tools' front matter onto opsbook's fields, [`body`] rewrites their
//! markdown extensions, and the functions here adjust the documents and the site model between
//! the build's stages. None of this changes how a handbook in opsbook's own layout and front
//! matter is read: every mapping applies only to what opsbook itself would not accept.

pub mod body;
pub mod dates;
pub mod fields;
pub mod layout;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use crate::config::Component;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::model::Site;
use crate::source::{self, Document, Kind};
pub use layout::{inferred_config, Layout};

/// Documents given another path: new content path → the file's own path.
#[derive(Debug, Default, Clone)]
pub struct Renames(HashMap<String, String>);

impl Renames {
    /// Document path → the file it was read from.
    pub fn to_map(&self) -> HashMap<String, String> {
        self.0.clone()
    }

    /// The file a document path was read from.
    pub fn original<'a>(&'a self, path: &'a str) -> &'a str {
        self.0.get(path).map_or(path, String::as_str)
    }
}

/// Between reading and assembling: `README.md` (and, in another tool's layout, `index.md` beside
/// other pages) describes its folder; `x.html.md` is the page `x`.
pub fn adopt_documents(documents: &mut [Document], layout: &Layout) -> Renames {
    rename_indexes(documents, layout)
}

/// The body of the document at `relative` (content path) rewritten as [`body`] says, and the
/// warnings, located in the user's file. Runs when a document is read, so a full build and an
/// edit applied by `serve` give the same page.
pub fn rewrite_body(
    layout: &Layout,
    relative: &str,
    text: String,
    body_offset: usize,
    body_line: usize,
) -> (String, Vec<Diagnostic>) {
    let content = layout.content_dir.as_path();
    let exists = |candidate: &str| content.join(candidate).is_file();
    // Walked at most once per page, and only for a `ref` naming a page by its name alone.
    let walked = std::cell::OnceCell::new();
    let every = || walked.get_or_init(|| markdown_paths(layout)).clone();
    let resolve = |target: &str| resolve_ref(target, relative, &exists, &every);
    let page = body::Page {
        mdx: relative.ends_with(".mdx"),
        resolve_ref: &resolve,
    };
    let (body, problems) = body::rewrite(&text[body_offset..], &page);
    let warnings = problems
        .into_iter()
        .map(|problem| {
            Diagnostic::warning(
                Some(Location::at(
                    layout.shown(relative),
                    body_line + problem.line,
                    problem.column,
                )),
                problem.message,
            )
        })
        .collect();
    match body {
        Some(body) => (format!("{}{body}", &text[..body_offset]), warnings),
        None => (text, warnings),
    }
}

/// Every markdown file's content path, for a Hugo `ref` naming a page by its name alone.
fn markdown_paths(layout: &Layout) -> Vec<String> {
    walkdir::WalkDir::new(&layout.content_dir)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(source::is_ignored(&e.file_name().to_string_lossy())
                    || layout.is_skipped(e.path()))
        })
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let relative = e.path().strip_prefix(&layout.content_dir).ok()?;
            let relative = relative.to_string_lossy().replace('\\', "/");
            source::is_markdown(&relative).then_some(relative)
        })
        .collect()
}

fn rename_indexes(documents: &mut [Document], layout: &Layout) -> Renames {
    let mut renames = Renames::default();
    let mut folders_with_index: HashSet<String> = documents
        .iter()
        .filter(|d| d.is_section_index())
        .map(|d| parent(&d.path).to_string())
        .collect();
    // Folders holding more than one document, or documents in subfolders.
    let mut crowded: HashMap<String, usize> = HashMap::new();
    for document in documents.iter() {
        let mut dir = parent(&document.path);
        *crowded.entry(dir.to_string()).or_default() += 1;
        while !dir.is_empty() {
            dir = parent(dir);
            *crowded.entry(dir.to_string()).or_default() += 2;
        }
    }
    // GOV.UK tech-docs names pages `x.html.md`: the page is `x`.
    if layout.foreign {
        for document in documents.iter_mut() {
            if let Some(stem) = document.path.strip_suffix(".html.md") {
                let new = format!("{stem}.md");
                renames
                    .0
                    .insert(new.clone(), std::mem::replace(&mut document.path, new));
            }
        }
    }
    for document in documents.iter_mut() {
        let name = source::file_name(&document.path).to_ascii_lowercase();
        let dir = parent(&document.path).to_string();
        let is_readme = layout.foreign && name == "readme.md";
        let is_index = layout.foreign
            && (name == "index.md" || name == "index.mdx")
            && (dir.is_empty() || crowded.get(&dir).copied().unwrap_or(0) > 1);
        if !(is_readme || is_index) || folders_with_index.contains(&dir) {
            continue;
        }
        let new = if dir.is_empty() {
            "_index.md".to_string()
        } else {
            format!("{dir}/_index.md")
        };
        folders_with_index.insert(dir);
        let old = std::mem::replace(&mut document.path, new.clone());
        let original = renames.0.remove(&old).unwrap_or(old);
        renames.0.insert(new, original);
    }
    renames
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

/// After assembling: section kinds from folder names, Docusaurus number prefixes out of URLs,
/// and status components created for the names cState incidents list in `affected`.
pub fn adopt_site(site: &mut Site, layout: &Layout, diagnostics: &mut Diagnostics) {
    if layout.inferred {
        // The site is named by the other tool's config, else by its home page.
        let root = layout.content_dir.parent().unwrap_or(&layout.content_dir);
        let root = if layout.shown_as.is_empty() {
            layout.content_dir.as_path()
        } else {
            root
        };
        let home = &site.pages[0];
        let title = layout::foreign_title(root)
            .or_else(|| home.document.as_ref().map(|_| home.title.clone()));
        if let Some(title) = title {
            site.config.title = title.clone();
            if site.pages[0].meta.title.is_none() && site.pages[0].document.is_none() {
                site.pages[0].title = title;
            }
        }
    }
    if layout.foreign {
        for page in site.pages.iter_mut().skip(1).filter(|p| p.is_section()) {
            let folder = parent(&page.path).to_string();
            page.kind = layout.kind_of_folder(&folder);
        }
    }
    if layout.tool == Some(layout::Tool::Docusaurus) {
        category_labels(site, layout);
    }
    if layout.strip_number_prefixes {
        strip_number_prefixes(site, diagnostics);
    }
    create_components(site, diagnostics);
}

/// Docusaurus titles and orders a folder by its `_category_.json` (`label`, `position`).
fn category_labels(site: &mut Site, layout: &Layout) {
    for page in site.pages.iter_mut().skip(1) {
        if !page.is_section() || page.document.is_some() {
            continue;
        }
        let folder = parent(&page.path);
        let file = layout.content_dir.join(folder).join("_category_.json");
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(category) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if let Some(label) = category.get("label").and_then(|l| l.as_str()) {
            page.title = label.to_string();
        }
        if let Some(position) = category.get("position").and_then(|p| p.as_f64()) {
            page.meta.weight = Some(position.round() as i64);
        }
    }
}

fn strip_number_prefixes(site: &mut Site, diagnostics: &mut Diagnostics) {
    let mut owners: HashMap<String, usize> = HashMap::new();
    for id in 0..site.pages.len() {
        let url: String = site.pages[id]
            .url
            .split_inclusive('/')
            .map(without_number_prefix)
            .collect();
        if let Some(&other) = owners.get(&url) {
            diagnostics.push(Diagnostic::error(
                Some(Location::file(format!("content/{}", site.pages[id].path))),
                format!(
                    "`content/{}` and `content/{}` both want the URL `{url}` once number prefixes are left out",
                    site.pages[other].path, site.pages[id].path
                ),
            ));
        }
        owners.insert(url.clone(), id);
        site.pages[id].url = url;
    }
}

/// `01-getting-started/` → `getting-started/`; dates (`2026-10-02-x`) are not number prefixes.
fn without_number_prefix(segment: &str) -> &str {
    let digits = segment.chars().take_while(char::is_ascii_digit).count();
    let is_date = segment.len() >= 10
        && segment.as_bytes()[4] == b'-'
        && segment[..10].chars().filter(char::is_ascii_digit).count() == 8;
    let rest = &segment[digits..];
    match rest.strip_prefix(['-', '_', '.']) {
        Some(stripped) if digits > 0 && !is_date && !stripped.trim_end_matches('/').is_empty() => {
            stripped
        }
        _ => segment,
    }
}

fn create_components(site: &mut Site, diagnostics: &mut Diagnostics) {
    let mut created = Vec::new();
    for page in site.pages.iter().filter(|p| p.kind == Kind::Incident) {
        let Some(serde_json::Value::Array(names)) = page.meta.extra.get("affected") else {
            continue;
        };
        for (index, name) in names.iter().filter_map(|n| n.as_str()).enumerate() {
            let id = crate::model::url_segment(name);
            let known = site.config.component(&id).is_some()
                || created.iter().any(|c: &Component| c.id == id);
            if known || id.is_empty() {
                continue;
            }
            diagnostics.push(
                Diagnostic::warning(
                    Some(page.location_of(&format!("components.{index}"))),
                    format!("status component `{id}` (\"{name}\") created from `affected`"),
                )
                .with_hint("declare it under [[status.components]] in opsbook.toml to name it and group it"),
            );
            created.push(Component {
                id,
                name: name.to_string(),
                description: None,
                group: None,
            });
        }
    }
    site.config.components.extend(created);
}

/// Messages name files as the user sees them: `docs/x.md` or `x.md`, not `content/x.md`, and
/// a renamed `README.md` by its own name.
pub fn relocate(diagnostics: Diagnostics, layout: &Layout, renames: &Renames) -> Diagnostics {
    if !layout.foreign && renames.0.is_empty() {
        return diagnostics;
    }
    let mut out = Diagnostics::default();
    out.extend(diagnostics.into_vec().into_iter().map(|mut d| {
        if let Some(location) = d.location.as_mut() {
            let path = location.path.to_string_lossy().replace('\\', "/");
            if let Some(relative) = path.strip_prefix("content/") {
                location.path = PathBuf::from(layout.shown(renames.original(relative)));
            }
        }
        let shown = layout.shown("");
        if shown != "content/" {
            d.message = d.message.replace("`content/", &format!("`{shown}"));
        }
        d
    }));
    out
}

/// How many pages of each kind the site has (sections left out), for the inferred summary.
pub fn kind_counts(site: &Site) -> BTreeMap<Kind, usize> {
    let mut counts = BTreeMap::new();
    for page in site.pages.iter().filter(|p| !p.is_section()) {
        *counts.entry(page.kind).or_default() += 1;
    }
    counts
}

/// Refuses an output folder that holds the content: inside another tool's content folder, or,
/// when the handbook folder is the content, one that already holds markdown.
pub fn check_output(layout: &Layout, out: &std::path::Path) -> Result<(), Diagnostic> {
    let out_abs = crate::output::absolute(out);
    let content = crate::output::absolute(&layout.content_dir);
    let root_is_content = layout.shown_as.is_empty();
    let holds_markdown = || {
        walkdir::WalkDir::new(&out_abs)
            .into_iter()
            .flatten()
            .any(|e| {
                e.file_type().is_file() && source::is_markdown(&e.file_name().to_string_lossy())
            })
    };
    let inside = out_abs.starts_with(&content);
    if (inside && !root_is_content) || (inside && out_abs.is_dir() && holds_markdown()) {
        return Err(Diagnostic::error(
            None,
            format!(
                "refusing to write the site to `{}`: it is inside the content folder",
                out.display()
            ),
        )
        .with_hint("choose an output folder of its own, such as `public/`, with -o"));
    }
    Ok(())
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_prefixes_but_not_dates() {
        assert_eq!(
            without_number_prefix("01-getting-started/"),
            "getting-started/"
        );
        assert_eq!(without_number_prefix("2_install/"), "install/");
        assert_eq!(
            without_number_prefix("2026-10-02-payments/"),
            "2026-10-02-payments/"
        );
        assert_eq!(without_number_prefix("404/"), "404/");
        assert_eq!(without_number_prefix("runbooks/"), "runbooks/");
    }

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
