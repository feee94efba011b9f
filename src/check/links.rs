//! Links `markdown` leaves alone: written from the site root (`/runbooks/x/#step-2`), and
//! hard-coded in the handbook's own templates. Both are checked against every URL the site will
//! have — pages, `aliases`, assets, static files, taxonomy pages.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::finding;
use crate::diagnostic::{Diagnostics, Location};
use crate::model::{Page, Site};
use crate::render::DEFAULT_THEME;

fn file_of(page: &Page) -> String {
    format!("content/{}", page.path)
}

/// Every URL the site will have that a rooted link may name: pages, aliases, assets, static
/// files, taxonomy pages and the files every build writes.
pub struct KnownUrls<'a> {
    site: &'a Site,
    /// Page URL → page id.
    pages: HashMap<String, usize>,
    files: BTreeSet<String>,
}

/// The search files, written beside the pages; rooted links into them are not checked.
const GENERATED_AREAS: [&str; 1] = ["search/"];

impl<'a> KnownUrls<'a> {
    pub fn new(site: &'a Site, root: &Path) -> Self {
        let mut files: BTreeSet<String> = site.assets.iter().cloned().collect();
        files.extend(
            [
                "404.html",
                "sitemap.xml",
                "robots.txt",
                "syntax-light.css",
                "syntax-dark.css",
            ]
            .map(String::from),
        );
        for (name, terms) in &site.taxonomies {
            if !terms.is_empty() {
                files.insert(format!("{name}/"));
            }
            files.extend(terms.keys().map(|slug| format!("{name}/{slug}/")));
        }
        if let Some(dir) = DEFAULT_THEME.get_dir("static") {
            let mut stack = vec![dir];
            while let Some(dir) = stack.pop() {
                stack.extend(dir.dirs());
                files.extend(dir.files().filter_map(|f| {
                    let relative = f.path().strip_prefix("static").ok()?;
                    Some(relative.to_string_lossy().replace('\\', "/"))
                }));
            }
        }
        let theme = root.join("themes").join(&site.config.theme).join("static");
        for folder in [theme, root.join("static")] {
            for entry in walkdir::WalkDir::new(&folder).into_iter().flatten() {
                if let Ok(relative) = entry.path().strip_prefix(&folder) {
                    if entry.file_type().is_file() {
                        files.insert(relative.to_string_lossy().replace('\\', "/"));
                    }
                }
            }
        }
        // The operations pages and files (status, alerts, services, postmortem lists).
        let generated = crate::ops::generate(site, crate::ops::now(None));
        files.extend(generated.pages.iter().map(|p| p.url.clone()));
        files.extend(generated.files.into_iter().map(|(path, _)| path));
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
pub fn rooted_links(page: &Page, urls: &KnownUrls<'_>, out: &mut Diagnostics) {
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
pub fn template_links(site: &Site, root: &Path, out: &mut Diagnostics) {
    let urls = KnownUrls::new(site, root);
    let theme = Path::new("themes")
        .join(&site.config.theme)
        .join("templates");
    for folder in [Path::new("templates").to_path_buf(), theme] {
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
