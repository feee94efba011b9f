//! Handbooks written for other tools — Hugo, MkDocs, Docusaurus, cState, GOV.UK tech-docs /
//! Jekyll, plain GitLab markdown — read into the same documents as opsbook's own.
//!
//! The [`Layout`] detected when the handbook is opened says which tool wrote it; the adapters
//! here are the only code that looks. They decide:
//!
//! - where each file sits in the site ([`place`]): a `README.md` (or, in another tool's layout,
//!   an `index.md` beside other pages) is its folder's `_index.md`, `x.html.md` is the page `x`,
//!   and Docusaurus' `01-` prefixes are left out of names;
//! - what the front matter means ([`fields`]) and how the body reads ([`body`], [`hugo`]);
//! - what a folder is called, where it goes and what it holds ([`folders`]): Docusaurus'
//!   `_category_.json`, number prefixes, folder names that mean a kind;
//! - the site's name ([`site_title`]) and the status components cState incidents name
//!   ([`cstate`]).
//!
//! Every document keeps the path of its own file, so messages and edit links name it. None of
//! this changes how a handbook in opsbook's own layout and front matter is read: every mapping
//! applies only to what opsbook itself would not accept.

pub(super) mod body;
pub(super) mod cstate;
pub(super) mod dates;
pub(super) mod docusaurus;
mod erb;
mod field_names;
pub(super) mod fields;
mod hugo;
pub(super) mod nav;

use std::collections::{BTreeMap, HashMap, HashSet};

use super::document::{Document, Placed};
use super::layout::{self, Layout, Tool};
use super::Folder;
use crate::diagnostic::{Diagnostic, Location};
use crate::paths::{file_name, parent};

/// Where each of the content's markdown files (content-relative, as listed) sits in the site.
pub(super) fn place(layout: &Layout, sources: &[String]) -> Vec<Placed> {
    let mut placed: Vec<Placed> = sources
        .iter()
        .map(|source| Placed {
            source: source.clone(),
            path: source.clone(),
        })
        .collect();
    // Middleman runs `x.md.erb` through ERB first: the page is `x`.
    for file in &mut placed {
        if let Some(stem) = file.path.strip_suffix(".erb") {
            file.path = stem.to_string();
        }
    }
    if !layout.foreign {
        return placed;
    }
    // GOV.UK tech-docs names pages `x.html.md`: the page is `x`.
    for file in &mut placed {
        if let Some(stem) = file.path.strip_suffix(".html.md") {
            file.path = format!("{stem}.md");
        }
    }
    place_folder_pages(&mut placed);
    // Jekyll publishes its `_posts/` folder; the underscore only marks it as special.
    if layout.tool == Some(Tool::Jekyll) {
        for file in &mut placed {
            if let Some(rest) = file.path.strip_prefix("_posts/") {
                file.path = format!("posts/{rest}");
            }
        }
    }
    if layout.strip_number_prefixes {
        for file in &mut placed {
            file.path = file
                .path
                .split('/')
                .map(without_number_prefix)
                .collect::<Vec<_>>()
                .join("/");
        }
    }
    placed
}

/// `README.md`, and `index.md` beside other pages, describe their folder: they become its
/// `_index.md`, unless it has one.
fn place_folder_pages(placed: &mut [Placed]) {
    let mut folders_with_index: HashSet<String> = placed
        .iter()
        .filter(|p| file_name(&p.path) == "_index.md")
        .map(|p| parent(&p.path).to_string())
        .collect();
    // Folders holding more than one document, or documents in subfolders.
    let mut crowded: HashMap<String, usize> = HashMap::new();
    for file in placed.iter() {
        let mut dir = parent(&file.source);
        *crowded.entry(dir.to_string()).or_default() += 1;
        while !dir.is_empty() {
            dir = parent(dir);
            *crowded.entry(dir.to_string()).or_default() += 2;
        }
    }
    for file in placed.iter_mut() {
        let name = file_name(&file.path).to_ascii_lowercase();
        let dir = parent(&file.path).to_string();
        let is_readme = name == "readme.md";
        let is_index = (name == "index.md" || name == "index.mdx")
            && (dir.is_empty() || crowded.get(&dir).copied().unwrap_or(0) > 1);
        if !(is_readme || is_index) || folders_with_index.contains(&dir) {
            continue;
        }
        file.path = if dir.is_empty() {
            "_index.md".to_string()
        } else {
            format!("{dir}/_index.md")
        };
        folders_with_index.insert(dir);
    }
}

/// `01-getting-started` → `getting-started`, `02-install.md` → `install.md`; dates
/// (`2026-10-02-x`) are not number prefixes.
fn without_number_prefix(name: &str) -> &str {
    let stem = name
        .strip_suffix(".md")
        .or_else(|| name.strip_suffix(".mdx"))
        .unwrap_or(name);
    match split_number_prefix(stem) {
        Some((_, rest_len)) => &name[stem.len() - rest_len..],
        None => name,
    }
}

/// The number a name starts with, when it is a Docusaurus number prefix (`02-install`).
pub(crate) fn number_prefix(name: &str) -> Option<i64> {
    let stem = name.split('.').next().unwrap_or(name);
    let (number, _) = split_number_prefix(stem)?;
    number.parse().ok()
}

/// `02-install` → (`02`, length of `install`); `None` for a date or a name without a prefix.
fn split_number_prefix(stem: &str) -> Option<(&str, usize)> {
    let digits = stem.chars().take_while(char::is_ascii_digit).count();
    let is_date = stem.len() >= 10
        && stem.as_bytes()[4] == b'-'
        && stem[..10].chars().filter(char::is_ascii_digit).count() == 8;
    let rest = stem[digits..].strip_prefix(['-', '_', '.'])?;
    (digits > 0 && !is_date && !rest.is_empty()).then_some((&stem[..digits], rest.len()))
}

/// What each folder holding markdown is, by its place in the site (`getting-started`, `""` for
/// the top): its kind, and the title and position another tool's config gives it.
pub(super) fn folders(layout: &Layout, documents: &[Document]) -> BTreeMap<String, Folder> {
    let mut folders = BTreeMap::new();
    for document in documents {
        let mut source = parent(&document.source);
        let mut path = parent(&document.path);
        loop {
            if !folders.contains_key(path) {
                folders.insert(path.to_string(), folder(layout, source));
            }
            if path.is_empty() || source.is_empty() {
                break;
            }
            source = parent(source);
            path = parent(path);
        }
    }
    folders
        .entry(String::new())
        .or_insert_with(|| folder(layout, ""));
    folders
}

/// A folder's title and place: the navigation's word first (it is what the other tool shows),
/// then the folder's own (`_category_.json`, a number prefix).
fn folder(layout: &Layout, source: &str) -> Folder {
    let mut folder = folder_named(layout, source);
    if source.is_empty() {
        return folder;
    }
    if let Some(entry) = layout.nav.get(source) {
        folder.title = entry.title.clone().or(folder.title);
        folder.weight = Some(entry.position);
        return folder;
    }
    // A folder goes where the navigation first lists a page of it.
    let inside = format!("{source}/");
    let first_listed = layout
        .nav
        .iter()
        .filter(|(path, _)| path.starts_with(&inside))
        .map(|(_, entry)| entry.position)
        .min();
    folder.weight = first_listed.or(folder.weight);
    folder
}

fn folder_named(layout: &Layout, source: &str) -> Folder {
    let mut folder = Folder {
        kind: if source.is_empty() {
            crate::vocabulary::Kind::Page
        } else {
            layout.kind_of_folder(source)
        },
        title: None,
        weight: None,
    };
    if layout.strip_number_prefixes {
        folder.weight = number_prefix(file_name(source));
    }
    if layout.tool == Some(Tool::Docusaurus) && !source.is_empty() {
        docusaurus::category(layout, source, &mut folder);
    }
    folder
}

/// Whether a page in a folder that other tools' handbooks use for postmortems (`incidents/`,
/// `rca/`) reads like one: it has an incident's dates or severity, a date in its name, or the
/// headings of a postmortem. A how-to page there ("When the site is down") is not one.
pub(crate) fn reads_like_postmortem(
    values: &serde_json::Map<String, serde_json::Value>,
    body: &str,
    source: &str,
) -> bool {
    const FIELDS: [&str; 10] = [
        "started",
        "detected",
        "mitigated",
        "resolved",
        "start_time",
        "end_time",
        "incident",
        "severity",
        "impact",
        "date",
    ];
    const HEADINGS: [&str; 8] = [
        "root cause",
        "timeline",
        "impact",
        "postmortem",
        "post-mortem",
        "incident report",
        "what happened",
        "lessons learned",
    ];
    let dated_name = file_name(source)
        .get(..10)
        .is_some_and(|d| d.parse::<jiff::civil::Date>().is_ok());
    let headings = || {
        body.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .map(|l| l.to_lowercase())
            .any(|l| HEADINGS.iter().any(|h| l.contains(h)))
    };
    FIELDS.iter().any(|f| values.contains_key(*f)) || dated_name || headings()
}

/// Why a markdown file of another tool's handbook is no page, when it is none: a Middleman or
/// Jekyll partial (`_contact.html.md.erb`), which other pages include, or the table of
/// contents of an mdBook or a GitBook.
pub(crate) fn not_a_page(layout: &Layout, placed: &Placed) -> Option<&'static str> {
    let name = file_name(&placed.source);
    if !layout.foreign {
        return None;
    }
    if name.starts_with('_') && file_name(&placed.path) != "_index.md" {
        return Some("a partial (its name starts with `_`): other pages include it");
    }
    nav::is_summary(&placed.source, !layout.nav.is_empty())
        .then_some("the table of contents: it gives the pages their order and titles")
}

/// The site's name when the handbook has no `opsbook.toml`: the other tool's config names it,
/// else its home page.
pub(super) fn site_title(layout: &Layout, documents: &[Document]) -> Option<String> {
    if !layout.inferred {
        return None;
    }
    layout::foreign_title(&layout.root).or_else(|| {
        let home = documents.iter().find(|d| d.path == "_index.md")?;
        home.meta
            .title
            .clone()
            .or_else(|| crate::markdown::first_heading(&home.body()))
    })
}

/// The body of the file `source` (content-relative) rewritten as [`body`] says, and the
/// warnings, located in the user's file. Runs when a document is read, so a full build and an
/// edit applied by `serve` give the same page.
pub(super) fn rewrite_body(
    layout: &Layout,
    source: &str,
    text: String,
    body_offset: usize,
    body_line: usize,
) -> (String, Vec<Diagnostic>) {
    let resolve = hugo::RefResolver::new(layout, source);
    let resolve_ref = |target: &str| resolve.resolve(target);
    let page = body::Page {
        mdx: source.ends_with(".mdx"),
        erb: source.ends_with(".erb"),
        resolve_ref: &resolve_ref,
    };
    let (body, problems) = body::rewrite(&text[body_offset..], &page);
    let warnings = problems
        .into_iter()
        .map(|problem| {
            Diagnostic::warning(
                Some(Location::at(
                    layout.file(source),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_prefixes_but_not_dates() {
        assert_eq!(
            without_number_prefix("01-getting-started"),
            "getting-started"
        );
        assert_eq!(without_number_prefix("2_install"), "install");
        assert_eq!(without_number_prefix("02-install.md"), "install.md");
        assert_eq!(without_number_prefix("03-configure.mdx"), "configure.mdx");
        assert_eq!(
            without_number_prefix("2026-10-02-payments"),
            "2026-10-02-payments"
        );
        assert_eq!(without_number_prefix("404"), "404");
        assert_eq!(without_number_prefix("404.md"), "404.md");
        assert_eq!(without_number_prefix("runbooks"), "runbooks");
        assert_eq!(number_prefix("02-install.md"), Some(2));
        assert_eq!(number_prefix("2026-10-02-x.md"), None);
    }

    #[test]
    fn readme_and_crowded_index_describe_their_folder() {
        let mut layout = Layout::standard(std::path::Path::new("/x"));
        layout.foreign = true;
        let sources: Vec<String> = [
            "README.md",
            "a/README.md",
            "a/b.md",
            "c/index.md",
            "d/index.md",
            "d/e.md",
            "f/_index.md",
            "f/README.md",
            "g/x.html.md",
        ]
        .map(String::from)
        .to_vec();
        let paths: Vec<String> = place(&layout, &sources)
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(
            paths,
            [
                "_index.md",
                "a/_index.md",
                "a/b.md",
                "c/index.md",
                "d/_index.md",
                "d/e.md",
                "f/_index.md",
                "f/README.md",
                "g/x.md"
            ]
        );
    }
}
