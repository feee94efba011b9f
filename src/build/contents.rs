//! What the site contains: every output path, and what makes it — a template rendered for a
//! page, a section, a taxonomy, an alias or an operations page; a text the build writes itself
//! (the sitemap, the highlighting stylesheets, the status feeds and APIs); a file copied as it
//! is. The full build writes this list, serve's patches look files up in it, and `check`
//! resolves rooted links against it.
//!
//! When two sources want one path, the later in this order wins: rendered pages, written
//! texts, the default theme's static files, the theme's `static/`, the handbook's `static/`,
//! assets beside the pages. The search files come on top of everything, under `search/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Location};
use crate::model::{Place, Site, TAXONOMIES};
use crate::ops::{Generated, GeneratedPage};
use crate::paths::HandbookPath;
use crate::source::{is_markdown, Handbook, StaticFile};

/// What renders one output with a template.
#[derive(Clone, Copy)]
pub(crate) enum Render<'a> {
    Page(usize),
    Taxonomy(&'static str, &'static str),
    Term(&'static str, &'static str, &'a str),
    NotFound,
    /// The search results page, unless a page of the handbook has the URL `search/`.
    Search,
    Alias(&'a str, usize),
    /// A page of the operations features (status, postmortem insights, alerts, …).
    Generated(&'a GeneratedPage),
}

/// Where a copied file comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Copied {
    /// A file of the default theme, built into the binary.
    Embedded(&'static [u8]),
    File(PathBuf),
}

/// What makes one output file.
pub(crate) enum Made<'a> {
    Rendered(Render<'a>),
    Written(String),
    Copied(Copied),
}

/// Every output of the site but the search files, by path.
pub(crate) struct Contents<'a> {
    pub outputs: BTreeMap<String, Made<'a>>,
}

/// Output path → source of every file copied as it is: what serve keeps to patch copies.
pub(crate) type Copies = BTreeMap<String, Copied>;

/// The texts the build writes beside every site.
/// `syntax.css` holds both highlighting stylesheets, so a page links one; the two halves stay
/// for themes that link them apart.
pub(crate) const WRITTEN: [&str; 5] = [
    "sitemap.xml",
    "robots.txt",
    "syntax.css",
    "syntax-light.css",
    "syntax-dark.css",
];

impl<'a> Contents<'a> {
    /// The site's outputs. `search_page` says whether the templates have one, `handbook` where
    /// the assets are, `stylesheets` the highlighting stylesheets (light, dark).
    pub(crate) fn plan(
        site: &'a Site,
        generated: &'a Generated,
        search_page: bool,
        (statics, handbook): (&[StaticFile], &Handbook),
        stylesheets: (String, String),
    ) -> Contents<'a> {
        let mut outputs = BTreeMap::new();
        for render in rendered(site, generated, search_page) {
            outputs.insert(render_path(site, &render), Made::Rendered(render));
        }
        let (light, dark) = stylesheets;
        let both = format!("{light}{dark}");
        let written = [sitemap(site, generated), robots(site), both, light, dark];
        for (path, text) in WRITTEN.iter().zip(written) {
            outputs.insert(path.to_string(), Made::Written(text));
        }
        for (path, text) in &generated.files {
            outputs.insert(path.clone(), Made::Written(text.clone()));
        }
        for (path, copied) in copies(site, statics, handbook) {
            outputs.insert(path, Made::Copied(copied));
        }
        Contents { outputs }
    }

    /// The copied files, for serve's patches.
    pub(crate) fn copies(&self) -> Copies {
        self.outputs
            .iter()
            .filter_map(|(path, made)| match made {
                Made::Copied(copied) => Some((path.clone(), copied.clone())),
                _ => None,
            })
            .collect()
    }
}

/// Every output rendered with a template, in the order the site lists them.
fn rendered<'a>(site: &'a Site, generated: &'a Generated, search_page: bool) -> Vec<Render<'a>> {
    // A generated page takes over the URL of a section or term page (`/status/`). A set: there
    // is a generated page per alert, as many as pages.
    let owned: std::collections::HashSet<&str> =
        generated.pages.iter().map(|p| p.url.as_str()).collect();
    let mut outputs: Vec<Render<'a>> = (0..site.pages.len())
        .filter(|&id| !owned.contains(site.pages[id].url.as_str()))
        .map(Render::Page)
        .collect();
    for (name, title) in TAXONOMIES {
        let Some(terms) = site.taxonomies.get(name).filter(|t| !t.is_empty()) else {
            continue;
        };
        outputs.push(Render::Taxonomy(name, title));
        outputs.extend(
            terms
                .keys()
                .filter(|slug| {
                    !owned.contains(format!("{}{slug}/", taxonomy_url(site, name)).as_str())
                })
                .map(|slug| Render::Term(name, title, slug)),
        );
    }
    outputs.extend(generated.pages.iter().map(Render::Generated));
    outputs.push(Render::NotFound);
    if site.config.search && search_page {
        outputs.push(Render::Search);
    }
    outputs.extend(
        site.aliases
            .iter()
            .map(|(alias, &id)| Render::Alias(alias, id)),
    );
    outputs
}

/// Where the pages of the taxonomy `name` go, relative to the base path.
fn taxonomy_url<'a>(site: &'a Site, name: &str) -> &'a str {
    site.places.url(Place::of_taxonomy(name))
}

/// Where a rendered output goes.
pub(crate) fn render_path(site: &Site, render: &Render<'_>) -> String {
    match *render {
        Render::Page(id) => format!("{}index.html", site.pages[id].url),
        Render::Taxonomy(name, _) => format!("{}index.html", taxonomy_url(site, name)),
        Render::Term(name, _, slug) => format!("{}{slug}/index.html", taxonomy_url(site, name)),
        Render::NotFound => "404.html".into(),
        Render::Search => format!("{}index.html", site.places.url(Place::Search)),
        Render::Alias(alias, _) if alias.ends_with(".html") => alias.to_string(),
        Render::Alias(alias, _) => format!("{alias}index.html"),
        Render::Generated(page) => page.output_path(),
    }
}

/// Every copied file by its output path, the last source of a path winning.
fn copies(site: &Site, statics: &[StaticFile], handbook: &Handbook) -> Copies {
    let mut copies = BTreeMap::new();
    for (path, bytes) in crate::render::default_static_files() {
        copies.insert(path, Copied::Embedded(bytes));
    }
    for file in statics {
        copies.insert(file.output.clone(), Copied::File(file.from.clone()));
    }
    for asset in &site.assets {
        copies.insert(asset.clone(), Copied::File(handbook.disk(asset)));
    }
    copies
}

/// The output path the handbook's `file` is copied to, when it is a file copied as it is: in
/// `static/`, in the theme's `static/`, or beside the pages in the content folder.
pub(crate) fn copied_file(
    handbook: &Handbook,
    config: &Config,
    file: &HandbookPath,
) -> Option<String> {
    let theme_static = HandbookPath::new(format!("themes/{}/static", config.theme));
    let from_static = file.inside(&HandbookPath::new("static")).or_else(|| {
        file.inside(&theme_static)
            .filter(|_| config.theme != "default")
    });
    if let Some(output) = from_static {
        return Some(output.to_string());
    }
    let asset = handbook.source_of(file)?;
    (!is_markdown(&asset)).then_some(asset)
}

fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n",
        site.config.base_url
    )
}

fn sitemap(site: &Site, generated: &Generated) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut entries: Vec<(String, Option<String>)> = site
        .pages
        .iter()
        .enumerate()
        .map(|(id, page)| {
            (
                site.permalink(id),
                page.meta
                    .updated
                    .or(page.meta.date)
                    .map(|d| d.date().to_string()),
            )
        })
        .collect();
    for (name, _) in TAXONOMIES {
        let list = format!("{}{}", site.config.base_url, taxonomy_url(site, name));
        if site.taxonomies.get(name).is_some_and(|t| !t.is_empty()) {
            entries.push((list.clone(), None));
        }
        for slug in site.taxonomies.get(name).into_iter().flat_map(|t| t.keys()) {
            entries.push((format!("{list}{slug}/"), None));
        }
    }
    entries.extend(
        generated
            .pages
            .iter()
            .filter(|p| p.in_sitemap)
            .map(|p| (format!("{}{}", site.config.base_url, p.url), None)),
    );
    entries.sort();
    entries.dedup_by(|a, b| a.0 == b.0);
    for (url, lastmod) in entries {
        xml.push_str("  <url><loc>");
        xml.push_str(&crate::ops::feeds::xml_text(&url));
        xml.push_str("</loc>");
        if let Some(date) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&date);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

impl Contents<'_> {
    /// Outputs in each other's way. A path that one output writes as a file and another needs as
    /// a folder (`static/services` where the service pages go under `services/`) is an error:
    /// writing would stop at it with the system's message. A file of the handbook copied to the
    /// path of a page the site renders is a warning: the copied file wins, as it always has, but
    /// the page is gone. `generated` and `search_page` are what [`Contents::plan`] was given.
    pub(crate) fn conflicts(
        &self,
        site: &Site,
        generated: &Generated,
        search_page: bool,
        root: &Path,
    ) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for (path, made) in &self.outputs {
            let folder = format!("{path}/");
            let inside = self
                .outputs
                .range(folder.clone()..)
                .next()
                .filter(|(child, _)| child.starts_with(&folder))
                .map(|(child, made)| (child.as_str(), Some(made)));
            // The search files are written beside the contents, under `search/`.
            let inside = inside
                .or_else(|| (path == "search" && site.config.search).then_some(("search/", None)));
            let Some((child, made_inside)) = inside else {
                continue;
            };
            let (what, file) = maker(site, root, made);
            let (what_inside, file_inside) = made_inside.map_or_else(
                || ("the search index".to_string(), None),
                |m| maker(site, root, m),
            );
            // The file to move is the one copied as it is; a page's place is its own.
            let copied = copied_from(made, root).or_else(|| copied_from(made_inside?, root));
            let mut problem = Diagnostic::error(
                copied.clone().or(file).or(file_inside).map(Location::file),
                format!(
                    "{what} goes to `{path}`, and {what_inside} goes to `{child}` inside it: `{path}` cannot be both a file and a folder"
                ),
            )
            .with_rule("url-conflict");
            if let Some(copied) = copied {
                problem = problem.with_hint(format!("rename or move `{copied}`"));
            }
            problems.push(problem);
        }
        for render in rendered(site, generated, search_page) {
            let path = render_path(site, &render);
            let Some(made @ Made::Copied(Copied::File(_))) = self.outputs.get(&path) else {
                continue;
            };
            let (what, file) = maker(site, root, made);
            let (page, _) = maker(site, root, &Made::Rendered(render));
            problems.push(
                Diagnostic::warning(
                    file.map(Location::file),
                    format!("{what} replaces {page} at `{path}`"),
                )
                .with_hint(
                    "the copied file wins; to change the page, override its template in `templates/`, or rename the file to keep the page",
                )
                .with_rule("url-conflict"),
            );
        }
        problems
    }
}

/// How messages name what makes an output, and the handbook file it comes from, if any.
fn maker(site: &Site, root: &Path, made: &Made<'_>) -> (String, Option<HandbookPath>) {
    match made {
        Made::Copied(Copied::File(from)) => {
            let file = HandbookPath::of(root, from);
            let shown = file.as_ref().map_or_else(
                || {
                    crate::diagnostic::display_path(root, from)
                        .display()
                        .to_string()
                },
                ToString::to_string,
            );
            (format!("`{shown}`"), file)
        }
        Made::Copied(Copied::Embedded(_)) => ("a file of the default theme".into(), None),
        Made::Written(_) => ("a file the build writes".into(), None),
        Made::Rendered(render) => match *render {
            Render::Page(0) => ("the home page".into(), Some(site.pages[0].file.clone())),
            Render::Page(id) => (
                format!("the page of `{}`", site.pages[id].file),
                Some(site.pages[id].file.clone()),
            ),
            Render::Alias(alias, id) => (
                format!("the alias `{alias}` of `{}`", site.pages[id].file),
                Some(site.pages[id].file.clone()),
            ),
            Render::Taxonomy(name, _) => (format!("the {name} list"), None),
            Render::Term(name, _, slug) => (format!("the {name} page `{slug}`"), None),
            Render::NotFound => ("the 404 page".into(), None),
            Render::Search => ("the search page".into(), None),
            Render::Generated(page) => (page.label.clone(), None),
        },
    }
}

/// The handbook file `made` copies, as messages name it.
fn copied_from(made: &Made<'_>, root: &Path) -> Option<HandbookPath> {
    match made {
        Made::Copied(Copied::File(from)) => HandbookPath::of(root, from),
        _ => None,
    }
}
