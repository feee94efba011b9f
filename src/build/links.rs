//! Links written from the site root (`/runbooks/x/#step-2`), which `markdown` keeps as they
//! are: checked against every URL the site will have — pages, `aliases`, assets, static files,
//! taxonomy and operations pages, the files every build writes.

use std::collections::{BTreeSet, HashMap};

use super::Contents;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::model::{Page, Site};

/// Every URL the site will have that a rooted link may name: pages, aliases, assets, static
/// files, taxonomy pages, operations pages and the files every build writes.
pub(crate) struct KnownUrls<'a> {
    site: &'a Site,
    /// Page URL → page id.
    pages: HashMap<String, usize>,
    files: BTreeSet<String>,
}

/// The search files, written beside the pages; rooted links into them are not checked.
const GENERATED_AREAS: [&str; 1] = ["search/"];

impl<'a> KnownUrls<'a> {
    pub(crate) fn site(&self) -> &'a Site {
        self.site
    }

    pub(crate) fn new(site: &'a Site, contents: &Contents<'_>) -> Self {
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
    pub(crate) fn resolves(&self, path: &str) -> bool {
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

/// Links of `page` written from the site root (`/runbooks/x/#step-2`), which markdown keeps as
/// they are, that lead nowhere: errors, for `check`; the build shows them as warnings.
pub(crate) fn rooted_links(page: &Page, urls: &KnownUrls<'_>, out: &mut Diagnostics) {
    for link in &page.rendered.rooted_links {
        let at = Location::at(&page.file, link.line, link.column);
        let path = &link.href[1..];
        if !urls.resolves(path) {
            out.push(
                Diagnostic::error(
                    Some(at),
                    format!(
                        "broken link `{}`: no page, alias or file has that URL",
                        link.href
                    ),
                )
                .with_rule("broken-link"),
            );
            continue;
        }
        let target = urls.page(path).map(|id| &urls.site.pages[id]);
        if let (Some(target), Some(anchor)) = (target, &link.anchor) {
            if !target.rendered.anchors.contains(anchor.as_str()) {
                out.push(
                    Diagnostic::error(
                        Some(at),
                        format!(
                            "broken link `{}`: `{}` has no heading with the id `{anchor}`",
                            link.href, target.file
                        ),
                    )
                    .with_rule("broken-anchor"),
                );
            }
        }
    }
}
