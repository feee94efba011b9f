//! Links `markdown` leaves alone: written from the site root (`/runbooks/x/#step-2`), and
//! hard-coded in the handbook's own templates. Both are checked against every URL the site will
//! have — pages, `aliases`, assets, static files, taxonomy pages.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::finding;
use crate::build::Contents;
use crate::diagnostic::{Diagnostics, Location};
use crate::model::{Page, Site};

fn file_of(page: &Page) -> &crate::paths::HandbookPath {
    &page.file
}

/// Every URL the site will have that a rooted link may name: pages, aliases, assets, static
/// files, taxonomy pages, operations pages and the files every build writes.
pub(super) struct KnownUrls<'a> {
    site: &'a Site,
    /// Page URL → page id.
    pages: HashMap<String, usize>,
    files: BTreeSet<String>,
}

/// The search files, written beside the pages; rooted links into them are not checked.
const GENERATED_AREAS: [&str; 1] = ["search/"];

impl<'a> KnownUrls<'a> {
    pub(super) fn new(site: &'a Site, contents: &Contents<'_>) -> Self {
        let mut files = BTreeSet::new();
        for path in contents.outputs.keys() {
            if path.ends_with("index.html") {
                files.insert(as_folder(path));
            }
            files.insert(path.clone());
        }
        let pages = (site.pages.iter().enumerate())
            .map(|(id, p)| (p.url.clone(), id))
            .collect();
        KnownUrls { site, pages, files }
    }

    /// Whether a site path (no base path, no leading `/`) is something the site will have.
    fn resolves(&self, path: &str) -> bool {
        let path = path.split(['#', '?']).next().unwrap_or("");
        if path.is_empty() || GENERATED_AREAS.iter().any(|a| path.starts_with(a)) {
            return true;
        }
        let as_folder = as_folder(path);
        self.page(path).is_some()
            || self.site.aliases.contains_key(path)
            || self.files.contains(path)
            || self.files.contains(&as_folder)
    }

    /// The page at a site path, directly or through one of its `aliases`.
    fn page(&self, path: &str) -> Option<usize> {
        let as_folder = as_folder(path.split(['#', '?']).next().unwrap_or(""));
        self.pages
            .get(&as_folder)
            .or_else(|| self.site.aliases.get(&as_folder))
            .copied()
    }
}

/// `runbooks/x`, `runbooks/x/index.html` → `runbooks/x/`.
fn as_folder(path: &str) -> String {
    let path = path.strip_suffix("index.html").unwrap_or(path);
    if path.ends_with('/') || path.is_empty() {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

/// Links written from the site root (`/runbooks/x/#step-2`), which markdown keeps as they are.
pub(super) fn rooted_links(page: &Page, urls: &KnownUrls<'_>, out: &mut Diagnostics) {
    for link in &page.rendered.rooted_links {
        let at = Location::at(file_of(page), link.line, link.column);
        let path = &link.href[1..];
        if !urls.resolves(path) {
            out.push(finding(
                "broken-link",
                at,
                format!(
                    "broken link `{}`: no page, alias or file has that URL",
                    link.href
                ),
            ));
            continue;
        }
        let target = urls.page(path).map(|id| &urls.site.pages[id]);
        if let (Some(target), Some(anchor)) = (target, &link.anchor) {
            if !target.rendered.anchors.contains(anchor.as_str()) {
                out.push(finding(
                    "broken-anchor",
                    at,
                    format!(
                        "broken link `{}`: `{}` has no heading with the id `{anchor}`",
                        link.href,
                        file_of(target)
                    ),
                ));
            }
        }
    }
}

/// Hard-coded links in the handbook's own templates (`href="{{ site.base_path }}runbooks/"`,
/// `href="/runbooks/"`) that lead nowhere. The default theme's links are tested with it.
pub(super) fn template_links(urls: &KnownUrls<'_>, root: &Path, out: &mut Diagnostics) {
    let site = urls.site;
    let theme = Path::new("themes")
        .join(&site.config.theme)
        .join("templates");
    for folder in [Path::new("templates").to_path_buf(), theme] {
        // The render stage never reads a linked folder (the source stage warns about it).
        if crate::source::linked_folder(root, &root.join(&folder)).is_some() {
            continue;
        }
        for entry in walkdir::WalkDir::new(root.join(&folder))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let shown = crate::diagnostic::display_path(root, entry.path());
            for (offset, href) in hard_coded_links(&text) {
                if !urls.resolves(href) {
                    let (line, column) =
                        crate::diagnostic::LineIndex::new(&text).position(&text, offset);
                    out.push(finding(
                        "template",
                        Location::at(&shown, line, column),
                        format!("template links to `{href}`, which is no page, alias or file of the site"),
                    ));
                }
            }
        }
    }
}

/// `href` and `src` values that name a fixed site path: the offset of the value and the path
/// without the base. Values built from variables are left alone.
fn hard_coded_links(text: &str) -> Vec<(usize, &str)> {
    const BASES: [&str; 4] = [
        "{{ site.base_path }}",
        "{{site.base_path}}",
        "{{ site.base_url }}",
        "{{site.base_url}}",
    ];
    let mut links = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        for (start, _) in text.match_indices(attribute) {
            let value_start = start + attribute.len();
            let Some(length) = text[value_start..].find('"') else {
                continue;
            };
            let value = &text[value_start..value_start + length];
            let path = BASES
                .iter()
                .find_map(|base| value.strip_prefix(base))
                .or_else(|| value.strip_prefix('/').filter(|v| !v.starts_with('/')));
            if let Some(path) = path.filter(|p| !p.contains("{{") && !p.contains("{%")) {
                links.push((value_start, path));
            }
        }
    }
    links.sort();
    links
}
