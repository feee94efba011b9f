//! The markdown stage: every page's markdown rendered against the assembled site, in
//! parallel, its links resolved to pages and assets; then anchors checked and backlinks
//! recorded. An earlier rendering is taken over while nothing it depends on changed.

use rayon::prelude::*;

use super::{Page, Renderings, Site};
use crate::config::LinkPolicy;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::highlight::Highlighter;
use crate::markdown::{self, LinkTargets, Rendered};
use crate::source::Document;

impl Site {
    /// Renders every page's markdown in parallel, then checks anchors and records backlinks;
    /// takes over an earlier rendering of a page whose document is
    /// unchanged (`earlier`: path → title and rendering) when the pages and assets its links
    /// could resolve to are still the same (`earlier_links` equals [`Site::link_environment`]).
    pub(crate) fn render_markdown(
        &mut self,
        highlighter: &Highlighter,
        diagnostics: &mut Diagnostics,
        earlier: Option<(&[u8; 32], &mut Renderings)>,
    ) -> usize {
        let mut taken: Vec<Option<Rendered>> = Vec::new();
        if let Some((links, earlier)) = earlier {
            if *links == self.link_environment() {
                taken = self
                    .pages
                    .iter()
                    .map(|page| {
                        earlier
                            .remove(&page.path)
                            .filter(|(title, _)| *title == page.title && page.document.is_some())
                            .map(|(_, rendered)| rendered)
                    })
                    .collect();
            }
        }
        taken.resize_with(self.pages.len(), || None);
        let rendering = self
            .pages
            .iter()
            .zip(&taken)
            .filter(|(page, taken)| page.document.is_some() && taken.is_none())
            .count();
        let targets = self.targets();
        let rendered: Vec<Rendered> = self
            .pages
            .par_iter()
            .zip(taken)
            .map(|(page, taken)| match (&page.document, taken) {
                (Some(_), Some(rendered)) => {
                    highlighter.note_used_classes(&rendered.highlight_classes);
                    rendered
                }
                (Some(document), None) => render_document(document, page, highlighter, &targets),
                (None, _) => Rendered::default(),
            })
            .collect();
        for (page, rendered) in self.pages.iter_mut().zip(rendered) {
            page.rendered = rendered;
        }
        self.check_links(diagnostics);
        rendering
    }

    /// Renders `document` as the markdown of the page titled `title` against the site as it
    /// is: what an edit of that one page gives.
    pub(crate) fn render_one(
        &self,
        document: &Document,
        page: &Page,
        highlighter: &Highlighter,
    ) -> Rendered {
        render_document(document, page, highlighter, &self.targets())
    }

    /// A hash of what rendering a page's links depends on besides the page itself: the base
    /// path, whether raw HTML passes, every page's id, source and URL, and the assets.
    pub(crate) fn link_environment(&self) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.config.base_path.as_bytes());
        hasher.update(&[u8::from(self.config.raw_html)]);
        for page in &self.pages {
            for part in [page.path.as_str(), page.source(), page.url.as_str()] {
                hasher.update(&(part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        for asset in &self.assets {
            hasher.update(&(asset.len() as u64).to_le_bytes());
            hasher.update(asset.as_bytes());
        }
        *hasher.finalize().as_bytes()
    }

    fn targets(&self) -> Targets<'_> {
        Targets {
            site: self,
            urls: self
                .pages
                .iter()
                .map(|p| format!("{}{}", self.config.base_path, p.url))
                .collect(),
        }
    }

    fn check_links(&mut self, diagnostics: &mut Diagnostics) {
        let policy = self.config.broken_links;
        let report = |location: Location, message: String, rule| match policy {
            LinkPolicy::Error => Diagnostic::error(Some(location), message).with_rule(rule),
            LinkPolicy::Warn => Diagnostic::warning(Some(location), message).with_rule(rule),
        };
        let mut backlinks: Vec<Vec<usize>> = vec![Vec::new(); self.pages.len()];
        for (id, page) in self.pages.iter().enumerate() {
            let file = &page.file;
            for broken in &page.rendered.broken {
                diagnostics.push(report(
                    Location::at(file, broken.line, broken.column),
                    format!("broken link `{}`: {}", broken.href, broken.reason),
                    "broken-link",
                ));
            }
            for link in &page.rendered.links {
                let target = link.target.unwrap_or(id);
                if let Some(anchor) = &link.anchor {
                    if !self.pages[target]
                        .rendered
                        .anchors
                        .contains(anchor.as_str())
                    {
                        diagnostics.push(report(
                            Location::at(file, link.line, link.column),
                            format!(
                                "broken link `{}`: `{}` has no heading with the id `{anchor}`",
                                link.href, self.pages[target].file
                            ),
                            "broken-anchor",
                        ));
                    }
                }
                if target != id && !backlinks[target].contains(&id) {
                    backlinks[target].push(id);
                }
            }
        }
        for (id, mut links) in backlinks.into_iter().enumerate() {
            links.sort_by(|&a, &b| {
                self.pages[a]
                    .title
                    .cmp(&self.pages[b].title)
                    .then(a.cmp(&b))
            });
            self.pages[id].backlinks = links;
        }
    }
}

/// The link resolver markdown rendering uses.
struct Targets<'a> {
    site: &'a Site,
    /// Each page's URL with the base path.
    urls: Vec<String>,
}

impl LinkTargets for Targets<'_> {
    fn page_at(&self, path: &str) -> Option<(usize, &str)> {
        let id = self.site.page_at(path)?;
        Some((id, self.urls[id].as_str()))
    }

    fn file(&self, path: &str) -> String {
        self.site.content.join(path).to_string()
    }

    fn asset_exists(&self, path: &str) -> bool {
        self.site.asset_set.contains(path)
    }

    fn base_path(&self) -> &str {
        &self.site.config.base_path
    }
}

fn render_document(
    document: &Document,
    page: &Page,
    highlighter: &Highlighter,
    targets: &Targets<'_>,
) -> Rendered {
    markdown::render(
        &document.body(),
        &markdown::Context {
            highlighter,
            targets,
            source: &document.source,
            first_line: document.body_line,
            title: Some(&page.title),
            raw_html: targets.site.config.raw_html,
            placeholders: page.kind == crate::vocabulary::Kind::Runbook,
        },
    )
}
