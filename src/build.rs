//! `opsbook build`: runs the stages in order — config, source, model, markdown, render, output —
//! timing each, and stops before writing anything when a stage found errors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::dates::DateTime;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::highlight::Highlighter;
use crate::model::{self, Site, TAXONOMIES};
use crate::output::{self, Staging};
use crate::render::context::{Builder, Globals};
use crate::render::{Renderer, DEFAULT_THEME};
use crate::reuse::{self, Reuse};
use crate::search;
use crate::source;

/// What to build, and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `root/public`.
    pub out: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Relative links naming `index.html`, so the site works opened from disk.
    pub offline: bool,
    /// "Today" for review dates; defaults to `SOURCE_DATE_EPOCH`, then the clock.
    pub now: Option<DateTime>,
    /// Where highlighted code is cached; `None` turns the cache off.
    pub cache_dir: Option<PathBuf>,
}

impl BuildOptions {
    pub fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| self.root.join("public"))
    }
}

/// A finished build.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    /// Files taken over unchanged from the previous build.
    pub reused: usize,
    /// Documents read from their files, and documents whose markdown was rendered (fewer than
    /// the pages when an earlier build's could be taken over).
    pub read: usize,
    pub markdown: usize,
    /// The search files are the previous build's, to be written by [`write_search_in_place`].
    pub search_later: bool,
    /// What the search files of this build are made from ([`search::input_fingerprint`]).
    pub search_input: [u8; 32],
    pub warnings: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
    pub out: PathBuf,
    /// What a build without `opsbook.toml` inferred, in one line.
    pub inferred: Option<String>,
}

/// A build that stopped: every problem found, errors and warnings.
#[derive(Debug)]
pub struct BuildFailure {
    pub diagnostics: Vec<Diagnostic>,
}

struct Timer {
    start: Instant,
    timings: Vec<(&'static str, Duration)>,
}

impl Timer {
    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.timings.push((stage, now - self.start));
        self.start = now;
    }
}

/// Today as the build sees it.
pub fn today(now: Option<DateTime>) -> DateTime {
    if let Some(now) = now {
        return now;
    }
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| jiff::Timestamp::now().as_second());
    let instant = jiff::Timestamp::from_second(seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    DateTime::from_date(
        DateTime {
            instant,
            date_only: false,
        }
        .date(),
    )
}

/// Reads and checks the handbook into a site model with rendered markdown.
pub fn load_site(
    options: &BuildOptions,
    highlighter: &Highlighter,
    timings: &mut Vec<(&'static str, Duration)>,
) -> Result<(Site, Diagnostics), Diagnostics> {
    load_site_from(options, highlighter, timings, None).map(|(site, d, _)| (site, d))
}

/// What an earlier build of the same handbook read and rendered: a later build takes over the
/// documents whose files did not change, and their rendering while the pages their links
/// resolve against are the same.
pub struct Earlier {
    pub documents: HashMap<String, source::Known>,
    pub rendered: model::Renderings,
    /// [`Site::link_environment`] of the earlier site.
    pub links: [u8; 32],
}

/// [`load_site`], taking over what `earlier` still has right; also returns the stamps of the
/// documents read, for the next build.
pub fn load_site_from(
    options: &BuildOptions,
    highlighter: &Highlighter,
    timings: &mut Vec<(&'static str, Duration)>,
    earlier: Option<Earlier>,
) -> Result<(Site, Diagnostics, Loaded), Diagnostics> {
    let mut timer = Timer {
        start: Instant::now(),
        timings: Vec::new(),
    };
    let mut diagnostics = Diagnostics::default();
    let mut config = Config::load(&options.root).map_err(|problems| {
        let mut d = Diagnostics::default();
        d.extend(problems);
        d
    })?;
    if let Some(url) = &options.base_url {
        config.set_base_url(url);
    }
    let layout = crate::migrate::Layout::detect(&options.root, &config, &options.out_dir());
    if layout.inferred {
        config.broken_links = crate::config::LinkPolicy::Warn;
    }
    let content_dir = layout.content_dir.clone();
    if !content_dir.is_dir() {
        diagnostics.push(
            Diagnostic::error(
                Some(Location::file("content")),
                "the handbook has no `content/` folder",
            )
            .with_hint(format!(
                "is `{}` the handbook folder? It should hold opsbook.toml and content/",
                options.root.display()
            )),
        );
        return Err(diagnostics);
    }
    let (known, mut rendered, links) = match earlier {
        Some(e) => (e.documents, e.rendered, Some(e.links)),
        None => Default::default(),
    };
    let mut content = source::load_in(&layout, &mut diagnostics, known);
    let theme_static = (config.theme != "default").then(|| {
        options
            .root
            .join("themes")
            .join(&config.theme)
            .join("static")
    });
    let static_folders = [Some(options.root.join("static")), theme_static];
    diagnostics.extend(source::check_static(
        &options.root,
        static_folders.iter().flatten(),
    ));
    if layout.inferred && content.documents.is_empty() && !diagnostics.has_errors() {
        // A folder without config and without markdown is most likely the wrong folder.
        diagnostics.push(
            Diagnostic::error(
                Some(Location::file("content")),
                "the handbook has no `content/` folder and no markdown files",
            )
            .with_hint(format!(
                "is `{}` the handbook folder? It should hold opsbook.toml and content/, or markdown files",
                options.root.display()
            )),
        );
        return Err(diagnostics);
    }
    let renames = crate::migrate::adopt_documents(&mut content.documents, &layout);
    let relocate = |d| crate::migrate::relocate(d, &layout, &renames);
    let stamps = std::mem::take(&mut content.stamps);
    let content_read = content.read;
    // Drafts left out are kept, so that the next build of a session need not read them again.
    let (drafts, documents) = std::mem::take(&mut content.documents)
        .into_iter()
        .partition(|d| d.meta.draft && !options.drafts);
    content.documents = documents;
    timer.lap("read");
    let model_options = model::Options {
        drafts: options.drafts,
        today: today(options.now),
    };
    let mut site = Site::assemble(config, content, &model_options, &mut diagnostics);
    site.read_from = renames.to_map();
    crate::migrate::adopt_site(&mut site, &layout, &mut diagnostics);
    model::check_operations(&site, &mut diagnostics);
    crate::ops::validate::check(&site, &mut diagnostics);
    timer.lap("model");
    if diagnostics.has_errors() {
        timings.extend(timer.timings);
        return Err(relocate(diagnostics));
    }
    let rendered = site.render_markdown_reusing(
        highlighter,
        &mut diagnostics,
        links.as_ref().map(|links| (links, &mut rendered)),
    );
    timer.lap("markdown");
    timings.extend(timer.timings);
    let diagnostics = relocate(diagnostics);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let loaded = Loaded {
        stamps,
        drafts,
        read: content_read,
        rendered,
        inferred: layout
            .inferred
            .then(|| crate::migrate::layout::summary(&layout, &crate::migrate::kind_counts(&site))),
        standard_layout: !layout.inferred
            && !layout.foreign
            && layout.content_dir == options.root.join("content"),
    };
    Ok((site, diagnostics, loaded))
}

/// Each document's file stamp and warnings when it was read, by path.
pub type Stamps = HashMap<String, (source::Stamp, Vec<Diagnostic>)>;

/// What reading the handbook took.
#[derive(Debug, Default)]
pub struct Loaded {
    pub stamps: Stamps,
    /// The drafts left out of the site.
    pub drafts: Vec<source::Document>,
    /// Documents read from their files.
    pub read: usize,
    /// Documents whose markdown was rendered.
    pub rendered: usize,
    /// What a build without `opsbook.toml` inferred, in one line.
    pub inferred: Option<String>,
    /// opsbook's own layout (`content/`, no other tool's conventions): the one in which a
    /// session takes documents over and patches pages.
    pub standard_layout: bool,
}

/// Builds the site into the output folder, atomically.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    build_keeping(options).map(|(report, _)| report)
}

/// What a successful build keeps for the next one: the handbook as read and rendered, its
/// templates and the highlighter, so that an edit is applied without reading everything again.
pub struct Built {
    pub site: Site,
    pub highlighter: Highlighter,
    pub renderer: Renderer,
    pub theme_dir: Option<PathBuf>,
    pub stamps: Stamps,
    pub drafts: Vec<source::Document>,
    pub standard_layout: bool,
}

/// [`build`], keeping what it made.
pub fn build_keeping(options: &BuildOptions) -> Result<(BuildReport, Built), BuildFailure> {
    build_from(
        options,
        Highlighter::new(options.cache_dir.clone()),
        None,
        Writing::Staged,
    )
}

/// [`build_keeping`] with a highlighter that may have highlighted before, taking over what
/// `earlier` still has right.
pub fn build_from(
    options: &BuildOptions,
    highlighter: Highlighter,
    earlier: Option<Earlier>,
    writing: Writing,
) -> Result<(BuildReport, Built), BuildFailure> {
    let fail = |diagnostics: Diagnostics| BuildFailure {
        diagnostics: diagnostics.into_vec(),
    };
    let out = options.out_dir();
    output::check_destination(&options.root, &out).map_err(|d| BuildFailure {
        diagnostics: vec![d],
    })?;
    let config = Config::load(&options.root).unwrap_or_default();
    crate::migrate::check_output(
        &crate::migrate::Layout::detect(&options.root, &config, &out),
        &out,
    )
    .map_err(|d| BuildFailure {
        diagnostics: vec![d],
    })?;
    let mut timings = Vec::new();
    highlighter.forget_classes();
    let (site, mut diagnostics, loaded) =
        load_site_from(options, &highlighter, &mut timings, earlier).map_err(fail)?;
    let (renderer, theme_dir) = match load_templates(&site, options) {
        Ok(loaded) => loaded,
        Err(problems) => {
            diagnostics.extend(problems);
            return Err(fail(diagnostics));
        }
    };
    let built = Built {
        site,
        highlighter,
        renderer,
        theme_dir,
        stamps: loaded.stamps,
        drafts: loaded.drafts,
        standard_layout: loaded.standard_layout,
    };
    let mut report = write_site(options, &built, diagnostics, timings, writing)?;
    report.read = loaded.read;
    report.markdown = loaded.rendered;
    report.inferred = loaded.inferred;
    Ok((report, built))
}

/// The default theme's templates with the handbook's theme and overrides over them, and the
/// handbook's theme folder when it has one.
pub fn load_templates(
    site: &Site,
    options: &BuildOptions,
) -> Result<(Renderer, Option<PathBuf>), Vec<Diagnostic>> {
    let theme_dir = (site.config.theme != "default")
        .then(|| options.root.join("themes").join(&site.config.theme));
    if let Some(dir) = &theme_dir {
        if !dir.is_dir() {
            return Err(vec![Diagnostic::error(
                Some(Location::file("opsbook.toml")),
                format!(
                    "theme `{}` not found: expected the folder `themes/{}/`",
                    site.config.theme, site.config.theme
                ),
            )]);
        }
    }
    let renderer = Renderer::load(
        theme_dir.as_deref(),
        &options.root.join("templates"),
        &options.root,
    )?;
    Ok((renderer, theme_dir))
}

/// Renders `built` into a staging folder — linking the files of the previous build that are
/// still right — beside the search index, and swaps it in for the output folder.
pub fn write_site(
    options: &BuildOptions,
    built: &Built,
    mut diagnostics: Diagnostics,
    timings: Vec<(&'static str, Duration)>,
    writing: Writing,
) -> Result<BuildReport, BuildFailure> {
    let fail = |diagnostics: Diagnostics| BuildFailure {
        diagnostics: diagnostics.into_vec(),
    };
    let Built {
        site,
        highlighter,
        renderer,
        theme_dir,
        ..
    } = built;
    let out = options.out_dir();
    let mut timer = Timer {
        start: Instant::now(),
        timings,
    };
    let staging = match writing {
        Writing::InPlace(_) if out.is_dir() => Ok(Staging::over(&out)),
        _ => Staging::new(&out),
    };
    let staging = staging.map_err(|e| BuildFailure {
        diagnostics: vec![Diagnostic::error(
            Some(Location::file(&out)),
            format!("cannot create the output folder: {e}"),
        )],
    })?;
    let reuse = Reuse::load(options.cache_dir.as_deref(), &output::absolute(&out));
    let writer = SiteWriter {
        site,
        renderer,
        highlighter,
        staging: &staging,
        options,
        theme_dir: theme_dir.as_deref(),
        reuse: &reuse,
    };
    // The search index is built beside the rendering (they share nothing but the site), unless
    // the previous build's search files can be taken over whole.
    let search_fingerprint = search::input_fingerprint(site);
    let searched = site.config.search;
    let reused_search = searched
        && reuse_group(
            &reuse,
            &staging,
            search::is_browser_file,
            &search_fingerprint,
        );
    let live_is_current =
        searched && matches!(writing, Writing::InPlace(Some(live)) if live == search_fingerprint);
    let search_later = searched && !reused_search && matches!(writing, Writing::InPlace(_));
    let (written, search_files) = std::thread::scope(|scope| {
        let search = (searched && !reused_search && !search_later).then(|| {
            scope.spawn(|| {
                let start = Instant::now();
                (search::browser_files(site), start.elapsed())
            })
        });
        let written = writer.write();
        (written, search.map(|handle| handle.join()))
    });
    let search_files = search_files.map(|joined| {
        joined.map(|(files, took)| {
            // Its own time, within render+search (it runs beside the rendering).
            timer.timings.push(("(search index)", took));
            files
        })
    });
    let search_files = match search_files {
        None => Vec::new(),
        Some(Ok(Ok(files))) => files,
        Some(Ok(Err(e))) => {
            return Err(BuildFailure {
                diagnostics: vec![Diagnostic::error(
                    None,
                    format!("cannot build the search index: {e}"),
                )],
            })
        }
        Some(Err(_)) => {
            return Err(BuildFailure {
                diagnostics: vec![Diagnostic::error(None, "building the search index failed")],
            })
        }
    };
    let search_file_count = if reused_search {
        reuse.previous_where(search::is_browser_file).len()
    } else if search_later || live_is_current {
        link_current_search_files(&staging, &out).map_err(|problem| BuildFailure {
            diagnostics: vec![problem],
        })?
    } else {
        search_files.len()
    };
    for (name, text) in &search_files {
        let path = format!("search/{name}");
        let written = staging
            .write(&path, text.as_bytes())
            .and_then(|()| staging.path_of(&path));
        match written {
            Ok(staged) => reuse.record(&path, reuse::member(&search_fingerprint, &path), &staged),
            Err(problem) => {
                return Err(BuildFailure {
                    diagnostics: vec![problem],
                })
            }
        }
    }
    timer.lap("render+search");
    let files = match written {
        Ok(files) => files + search_file_count,
        Err(problems) => {
            diagnostics.extend(problems);
            return Err(fail(diagnostics));
        }
    };
    staging.commit().map_err(|e| BuildFailure {
        diagnostics: vec![Diagnostic::error(
            Some(Location::file(&out)),
            format!("cannot replace the output folder: {e}"),
        )],
    })?;
    if let Err(e) = highlighter.save_cache().and_then(|()| reuse.save()) {
        diagnostics.push(Diagnostic::warning(
            None,
            format!("cannot save the highlight cache: {e}"),
        ));
    }
    timer.lap("write");
    Ok(BuildReport {
        pages: site.pages.len(),
        files,
        reused: reuse.reused(),
        read: 0,
        markdown: 0,
        search_later: search_later && !live_is_current,
        search_input: search_fingerprint,
        warnings: diagnostics.warnings().cloned().collect(),
        timings: timer.timings,
        out,
        inferred: None,
    })
}

/// How a build writes the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writing {
    /// Into a new folder swapped in at the end, search files included: `opsbook build`.
    Staged,
    /// Over the output as it is (`opsbook serve`): new files renamed in at the end and the
    /// others removed, so that unchanged files are neither linked nor deleted. The search files
    /// come after, by [`write_search_in_place`]; until then the output keeps the ones it has (a
    /// preview shows the new page first; its search follows a moment later). Holds the
    /// [`search::input_fingerprint`] of the output's search files when known: when it matches,
    /// they are already right.
    InPlace(Option<[u8; 32]>),
}

/// Takes the search files of the output folder as they are into `staging`; returns how many.
fn link_current_search_files(staging: &Staging, out: &Path) -> Result<usize, Diagnostic> {
    let files = current_search_files(out);
    for (path, relative) in &files {
        staging.link(path, relative)?;
    }
    Ok(files.len())
}

/// The browser search files in the output folder `out`: their paths, and relative to `out`.
fn current_search_files(out: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(out.join("search"))
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let relative = entry.path().strip_prefix(out).ok()?;
            let relative = relative.to_string_lossy().replace('\\', "/");
            search::is_browser_file(&relative).then(|| (entry.path().to_path_buf(), relative))
        })
        .collect()
}

/// Renders the pages `ids` of `built` straight into the finished output folder, each file
/// replaced whole; returns their output paths.
pub fn write_pages_in_place(
    options: &BuildOptions,
    built: &Built,
    ids: &[usize],
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let out = options.out_dir();
    let staging = Staging::live(&out);
    let no_reuse = Reuse::load(None, &out);
    let writer = SiteWriter {
        site: &built.site,
        renderer: &built.renderer,
        highlighter: &built.highlighter,
        staging: &staging,
        options,
        theme_dir: built.theme_dir.as_deref(),
        reuse: &no_reuse,
    };
    let builder = Builder { site: &built.site };
    let (globals, seed) = writer.globals()?;
    let problems: Vec<Diagnostic> = ids
        .par_iter()
        .filter_map(|&id| {
            writer
                .render_or_reuse(&Output::Page(id), &builder, &globals, &seed)
                .err()
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ids
        .iter()
        .map(|&id| writer.target(&Output::Page(id)).0)
        .collect())
}

/// Rewrites the browser search files of the finished output folder for `site`, removing the
/// ones it no longer has; returns how many it wrote.
pub fn write_search_in_place(options: &BuildOptions, site: &Site) -> Result<usize, Diagnostic> {
    let out = options.out_dir();
    let staging = Staging::live(&out);
    let files = if site.config.search {
        search::browser_files(site)
            .map_err(|e| Diagnostic::error(None, format!("cannot build the search index: {e}")))?
    } else {
        Vec::new()
    };
    let mut kept = std::collections::HashSet::new();
    for (name, text) in &files {
        let path = format!("search/{name}");
        staging.write(&path, text.as_bytes())?;
        kept.insert(path);
    }
    for (_, relative) in current_search_files(&out) {
        if !kept.contains(&relative) {
            staging.remove(&relative)?;
        }
    }
    Ok(files.len())
}

/// One rendered file of the site.
enum Output<'a> {
    Page(usize),
    Taxonomy(&'static str, &'static str),
    Term(&'static str, &'static str, &'a str),
    NotFound,
    /// The search results page, unless a page of the handbook has the URL `search/`.
    Search,
    Alias(&'a str, usize),
    /// A page of the operations features (status, postmortem insights, alerts, …).
    Generated(&'a crate::ops::GeneratedPage),
}

/// Everything writing the site needs.
struct SiteWriter<'a> {
    site: &'a Site,
    renderer: &'a Renderer,
    highlighter: &'a Highlighter,
    staging: &'a Staging,
    options: &'a BuildOptions,
    theme_dir: Option<&'a Path>,
    reuse: &'a Reuse,
}

impl SiteWriter<'_> {
    /// Renders every output file into the staging folder, all in parallel (reusing unchanged
    /// files of the previous build); returns how many files were written.
    fn write(&self) -> Result<usize, Vec<Diagnostic>> {
        let SiteWriter {
            site,
            staging,
            renderer,
            ..
        } = *self;
        let builder = Builder { site };
        let (globals, seed) = self.globals()?;
        let operations = crate::ops::generate(site, crate::ops::now(self.options.now));
        // A generated page takes over the URL of a section or term page (`/status/`).
        let mut outputs: Vec<Output<'_>> = (0..site.pages.len())
            .filter(|&id| !operations.owns(&site.pages[id].url))
            .map(Output::Page)
            .collect();
        for (name, title) in TAXONOMIES {
            let Some(terms) = site.taxonomies.get(name).filter(|t| !t.is_empty()) else {
                continue;
            };
            outputs.push(Output::Taxonomy(name, title));
            outputs.extend(
                terms
                    .keys()
                    .filter(|slug| !operations.owns(&format!("{name}/{slug}/")))
                    .map(|slug| Output::Term(name, title, slug)),
            );
        }
        outputs.extend(operations.pages.iter().map(Output::Generated));
        outputs.push(Output::NotFound);
        if site.config.search
            && renderer.has_template("search.html")
            && !site.pages.iter().any(|p| p.url == "search/")
        {
            outputs.push(Output::Search);
        }
        outputs.extend(
            site.aliases
                .iter()
                .map(|(alias, &id)| Output::Alias(alias, id)),
        );

        let mut problems: Vec<Diagnostic> = outputs
            .par_iter()
            .map(|output| self.render_or_reuse(output, &builder, &globals, &seed))
            .filter_map(Result::err)
            .collect();
        let mut files = outputs.len();

        let (light, dark) = self.highlighter.stylesheets();
        let generated = [
            ("syntax-light.css", light),
            ("syntax-dark.css", dark),
            ("sitemap.xml", sitemap(site, &builder, &operations)),
            (
                "robots.txt",
                format!(
                    "User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n",
                    site.config.base_url
                ),
            ),
        ];
        for (path, text) in generated {
            match staging.write(path, text.as_bytes()) {
                Ok(()) => files += 1,
                Err(problem) => problems.push(problem),
            }
        }
        for (path, text) in &operations.files {
            match staging.write(path, text.as_bytes()) {
                Ok(()) => files += 1,
                Err(problem) => problems.push(problem),
            }
        }
        files += copy_static(site, staging, self.options, self.theme_dir, &mut problems);
        if problems.is_empty() {
            Ok(files)
        } else {
            dedupe(&mut problems);
            Err(problems)
        }
    }

    /// What every template sees, and the seed of every output's fingerprint.
    fn globals(&self) -> Result<(tera::Context, [u8; 32]), Vec<Diagnostic>> {
        let globals_value = serde_json::to_value(Globals::new(self.site))
            .map_err(|e| vec![Diagnostic::error(None, e.to_string())])?;
        let globals = tera::Context::from_value(globals_value.clone())
            .map_err(|e| vec![Diagnostic::error(None, e.to_string())])?;
        let mut seed = blake3::Hasher::new();
        seed.update(&self.renderer.fingerprint());
        seed.update(if self.options.offline {
            b"offline"
        } else {
            b"online!"
        });
        seed.update(globals_value.to_string().as_bytes());
        Ok((globals, *seed.finalize().as_bytes()))
    }

    /// Where an output goes, which template renders it, and how messages name it.
    fn target(&self, output: &Output<'_>) -> (String, String, String) {
        let site = self.site;
        match *output {
            Output::Page(id) => (
                format!("{}index.html", site.pages[id].url),
                template_for(site, self.renderer, id),
                format!("`content/{}`", site.pages[id].path),
            ),
            Output::Taxonomy(name, _) => (
                format!("{name}/index.html"),
                "taxonomy.html".into(),
                format!("the {name} list"),
            ),
            Output::Term(name, _, slug) => (
                format!("{name}/{slug}/index.html"),
                "taxonomy_term.html".into(),
                format!("the {name} page `{slug}`"),
            ),
            Output::NotFound => ("404.html".into(), "404.html".into(), "the 404 page".into()),
            Output::Search => (
                "search/index.html".into(),
                "search.html".into(),
                "the search page".into(),
            ),
            Output::Alias(alias, _) => {
                let path = if alias.ends_with(".html") {
                    alias.to_string()
                } else {
                    format!("{alias}index.html")
                };
                (path, "alias.html".into(), format!("the alias `{alias}`"))
            }
            Output::Generated(page) => {
                (page.output_path(), page.template.into(), page.label.clone())
            }
        }
    }

    /// Gives `sink` the values the output's template sees besides the globals.
    fn fill(&self, output: &Output<'_>, builder: &Builder<'_>, sink: &mut impl Sink) {
        let base = &self.site.config.base_path;
        match *output {
            Output::Page(id) => {
                sink.add("current_url", &builder.url(id));
                sink.add("nav", &builder.nav(id));
                if self.site.pages[id].is_section() {
                    sink.add("section", &builder.section(id));
                } else {
                    sink.add("page", &builder.page(id));
                }
            }
            Output::Taxonomy(name, title) => {
                sink.add("current_url", &format!("{base}{name}/"));
                sink.add("nav", &builder.nav(0));
                sink.add("taxonomy", &builder.taxonomy(name, title));
            }
            Output::Term(name, title, slug) => {
                sink.add("current_url", &format!("{base}{name}/{slug}/"));
                sink.add("nav", &builder.nav(0));
                sink.add("taxonomy", &builder.taxonomy(name, title));
                sink.add("term", &builder.term(name, slug));
            }
            Output::NotFound => {
                sink.add("current_url", &format!("{base}404.html"));
                sink.add("nav", &builder.nav(0));
            }
            Output::Search => {
                sink.add("current_url", &format!("{base}search/"));
                sink.add("nav", &builder.nav(0));
            }
            Output::Alias(_, id) => {
                sink.add("target_url", &builder.url(id));
                sink.add("target_permalink", &builder.permalink(id));
            }
            Output::Generated(page) => {
                sink.add("current_url", &format!("{base}{}", page.url));
                sink.add("nav", &builder.nav(page.nav_from));
                for (key, value) in &page.values {
                    sink.add(key, value);
                }
            }
        }
    }

    /// Links the previous build's file when its fingerprint matches, else renders it.
    fn render_or_reuse(
        &self,
        output: &Output<'_>,
        builder: &Builder<'_>,
        globals: &tera::Context,
        seed: &[u8; 32],
    ) -> Result<(), Diagnostic> {
        let (path, template, label) = self.target(output);
        let mut hasher = reuse::Hasher::new(seed);
        hasher.add("template", &template);
        self.fill(output, builder, &mut hasher);
        let fingerprint = hasher.finish();
        if let Some(previous) = self.reuse.reusable(&path, &fingerprint) {
            let staged = self.staging.link(&previous, &path)?;
            self.reuse.record(&path, fingerprint, &staged);
            return Ok(());
        }
        let mut context = globals.clone();
        self.fill(output, builder, &mut context);
        let mut html = self.renderer.render(&template, &context, &label)?;
        if self.options.offline {
            html = crate::offline::relativize(&html, &path, &self.site.config.base_path);
        }
        self.staging.write(&path, html.as_bytes())?;
        self.reuse
            .record(&path, fingerprint, &self.staging.path_of(&path)?);
        Ok(())
    }
}

/// Receives the values of a template context: hashed for reuse, or put into a tera context.
trait Sink {
    fn add<T: serde::Serialize>(&mut self, key: &'static str, value: &T);
}

impl Sink for reuse::Hasher {
    fn add<T: serde::Serialize>(&mut self, key: &'static str, value: &T) {
        reuse::Hasher::add(self, key, value);
    }
}

impl Sink for tera::Context {
    fn add<T: serde::Serialize>(&mut self, key: &'static str, value: &T) {
        self.insert(key, value);
    }
}

/// Links every file of a group (the paths `belongs` accepts) when all of them still match
/// `group`; returns whether it did.
fn reuse_group(
    reuse: &Reuse,
    staging: &Staging,
    belongs: impl Fn(&str) -> bool,
    group: &reuse::Fingerprint,
) -> bool {
    let paths = reuse.previous_where(belongs);
    if paths.is_empty() {
        return false;
    }
    let sources: Option<Vec<PathBuf>> = paths
        .iter()
        .map(|p| reuse.reusable(p, &reuse::member(group, p)))
        .collect();
    let Some(sources) = sources else { return false };
    for (path, source) in paths.iter().zip(sources) {
        match staging.link(&source, path) {
            Ok(staged) => reuse.record(path, reuse::member(group, path), &staged),
            Err(_) => return false,
        }
    }
    true
}

/// One message per distinct problem: a template error would otherwise repeat for every page.
fn dedupe(problems: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| {
        let key = p
            .message
            .split_once(": ")
            .map_or(p.message.clone(), |(_, rest)| rest.to_string());
        seen.insert((p.location.clone(), key))
    });
}

fn template_for(site: &Site, renderer: &Renderer, id: usize) -> String {
    let page = &site.pages[id];
    if let Some(template) = &page.meta.template {
        return template.clone();
    }
    if id == 0 {
        return "index.html".into();
    }
    if page.is_section() {
        return "section.html".into();
    }
    let by_kind = format!("{}.html", page.kind.as_str());
    if renderer.has_template(&by_kind) {
        by_kind
    } else {
        "page.html".into()
    }
}

fn copy_static(
    site: &Site,
    staging: &Staging,
    options: &BuildOptions,
    theme_dir: Option<&Path>,
    problems: &mut Vec<Diagnostic>,
) -> usize {
    let mut count = 0;
    if let Some(dir) = DEFAULT_THEME.get_dir("static") {
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            stack.extend(dir.dirs());
            for file in dir.files() {
                let relative = file
                    .path()
                    .strip_prefix("static")
                    .unwrap_or(file.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                match staging.write(&relative, file.contents()) {
                    Ok(()) => count += 1,
                    Err(problem) => problems.push(problem),
                }
            }
        }
    }
    let mut folders: Vec<PathBuf> = theme_dir.map(|t| t.join("static")).into_iter().collect();
    folders.push(options.root.join("static"));
    for folder in folders.iter().filter(|f| f.is_dir()) {
        for entry in walkdir::WalkDir::new(folder)
            .follow_links(false)
            .sort_by_file_name()
        {
            let Ok(entry) = entry else { continue };
            // Reported when the handbook is read (see `source::check_static`).
            if entry.path_is_symlink()
                || !source::is_copied_static(
                    entry.path().strip_prefix(folder).unwrap_or(entry.path()),
                )
            {
                continue;
            }
            if !entry.file_type().is_file()
                || source::is_ignored(&entry.file_name().to_string_lossy())
            {
                continue;
            }
            let relative = entry
                .path()
                .strip_prefix(folder)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            match staging.copy(entry.path(), &relative) {
                Ok(()) => count += 1,
                Err(problem) => problems.push(problem),
            }
        }
    }
    // Warnings here must not fail the build.
    problems.retain(Diagnostic::is_error);
    let content =
        crate::migrate::Layout::detect(&options.root, &site.config, &options.out_dir()).content_dir;
    for asset in &site.assets {
        match staging.copy(&content.join(asset), asset) {
            Ok(()) => count += 1,
            Err(problem) => problems.push(problem),
        }
    }
    count
}

fn sitemap(site: &Site, builder: &Builder<'_>, generated: &crate::ops::Generated) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut entries: Vec<(String, Option<String>)> = site
        .pages
        .iter()
        .enumerate()
        .map(|(id, page)| {
            (
                builder.permalink(id),
                page.meta
                    .updated
                    .or(page.meta.date)
                    .map(|d| d.date().to_string()),
            )
        })
        .collect();
    for (name, _) in TAXONOMIES {
        if site.taxonomies.get(name).is_some_and(|t| !t.is_empty()) {
            entries.push((format!("{}{name}/", site.config.base_url), None));
        }
        for slug in site.taxonomies.get(name).into_iter().flat_map(|t| t.keys()) {
            entries.push((format!("{}{name}/{slug}/", site.config.base_url), None));
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

/// The search index of the handbook, rebuilt first when it is missing or older than the sources.
/// Returns its folder and whether it had to be rebuilt.
pub fn fresh_search_index(options: &BuildOptions) -> Result<(PathBuf, bool), Vec<Diagnostic>> {
    let cache = options
        .cache_dir
        .clone()
        .unwrap_or_else(|| options.root.join(".opsbook-cache"));
    let dir = search::index_dir(&cache);
    // Stamped before reading, so an edit made while indexing leaves the index stale.
    let stamp = search::source_stamp(&options.root);
    if search::Searcher::stamp(&dir).as_deref() == Some(stamp.as_str()) {
        return Ok((dir, false));
    }
    let highlighter = Highlighter::new(Some(cache.clone()));
    let (site, _) =
        load_site(options, &highlighter, &mut Vec::new()).map_err(Diagnostics::into_vec)?;
    search::build_index(&site, &dir, &stamp).map_err(|e| {
        vec![Diagnostic::error(
            None,
            format!("cannot write the search index: {e}"),
        )]
    })?;
    let _ = highlighter.save_cache();
    Ok((dir, true))
}
