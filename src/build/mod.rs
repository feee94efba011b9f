//! The pipeline: the one place that knows the order of the stages. Each stage is a function
//! of the one before:
//!
//! 1. [`load`]: the handbook opened (config read, layout detected — once) and read by the
//!    source stage into typed documents ([`Loaded`]);
//! 2. [`assemble`]: the site graph — sections, URLs, taxonomies, operations facts — checked
//!    ([`Assembled`]); then [`Assembled::render_markdown`], the markdown stage, renders every
//!    page against it and resolves the links;
//! 3. [`contents`]: every output path and what makes it;
//! 4. [`write`]: each output rendered or copied into the output folder, the search index beside
//!    it, and the folder swapped in.
//!
//! `opsbook build` runs them all; `check` stops after the markdown stage and applies its rules;
//! `search` indexes the assembled site ([`index`]); `serve` keeps what a build made and applies
//! edits to it ([`session`]). A build stops before writing anything when a stage found errors.

mod contents;
pub mod index;
mod links;
mod offline;
pub(crate) mod session;
mod unchanged;
mod write;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::dates::DateTime;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::highlight::Highlighter;
use crate::model::{self, Renderings, Site};
use crate::render::Renderer;
use crate::source::{self, Handbook, Known, Loaded, Stamps, StaticFile};
pub(crate) use contents::{Contents, Copies};
pub(crate) use links::{rooted_links, KnownUrls};
pub(crate) use write::{Preview, Writing};

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
    /// The search files are the previous build's, to be written by
    /// [`session::Session::refresh_search`].
    pub search_later: bool,
    /// What the search files of this build are made from ([`crate::search::input_fingerprint`]),
    /// when a later build can use it: with a cache, or in `serve`.
    pub search_input: Option<[u8; 32]>,
    pub warnings: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
    pub out: PathBuf,
    /// What a build without `opsbook.toml` inferred, in one line.
    pub inferred: Option<String>,
    /// How many markdown files the handbook has; of them, the drafts left out and the others
    /// that are no page.
    pub markdown_files: usize,
    pub drafts: usize,
    pub left_out: usize,
}

/// A build that stopped: every problem found, errors and warnings.
#[derive(Debug)]
pub struct BuildFailure {
    pub diagnostics: Vec<Diagnostic>,
}

impl From<Diagnostics> for BuildFailure {
    fn from(diagnostics: Diagnostics) -> BuildFailure {
        BuildFailure {
            diagnostics: diagnostics.into_vec(),
        }
    }
}

impl From<Vec<Diagnostic>> for BuildFailure {
    fn from(diagnostics: Vec<Diagnostic>) -> BuildFailure {
        BuildFailure { diagnostics }
    }
}

/// How long each stage took.
pub(crate) struct Timer {
    start: Instant,
    timings: Vec<(&'static str, Duration)>,
}

impl Timer {
    pub(crate) fn start() -> Timer {
        Timer {
            start: Instant::now(),
            timings: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.timings.push((stage, now - self.start));
        self.start = now;
    }
}

/// Today as the build sees it: the date of [`crate::dates::now`].
pub fn today(now: Option<DateTime>) -> DateTime {
    let instant = crate::dates::now(now);
    DateTime::from_date(
        DateTime {
            instant,
            date_only: false,
        }
        .date(),
    )
}

/// What an earlier build of the same handbook read and rendered: a later build takes over the
/// documents whose files did not change, and their rendering while the pages their links
/// resolve against are the same.
#[derive(Default)]
pub(crate) struct Earlier {
    /// By file, content-relative.
    pub documents: HashMap<String, Known>,
    pub rendered: Renderings,
    /// [`Site::link_environment`] of the earlier site.
    pub links: Option<[u8; 32]>,
}

/// Stage 1: opens the handbook at `options.root` and reads it. An unreadable handbook (an
/// invalid config, no content folder) is an error here.
pub(crate) fn load(
    options: &BuildOptions,
    documents: HashMap<String, Known>,
) -> Result<Loaded, Vec<Diagnostic>> {
    let (handbook, config) = open(options)?;
    Ok(source::load(handbook, config, options.drafts, documents))
}

/// Opens the handbook at `options.root`, with `--base-url` applied.
pub(crate) fn open(options: &BuildOptions) -> Result<(Handbook, Config), Vec<Diagnostic>> {
    let (handbook, mut config) = Handbook::open(&options.root, &options.out_dir())?;
    if let Some(url) = &options.base_url {
        config.set_base_url(url);
    }
    Ok((handbook, config))
}

/// The site, assembled: the graph of pages and sections, then (after
/// [`Assembled::render_markdown`]) their rendered markdown, links and backlinks; with what the
/// source stage found and what a session keeps for the next build.
pub(crate) struct Assembled {
    pub handbook: Handbook,
    pub site: Site,
    pub statics: Vec<StaticFile>,
    pub drafts: Vec<source::Document>,
    pub stamps: Stamps,
    /// Documents read from their files, and documents whose markdown was rendered.
    pub read: usize,
    pub markdown: usize,
    pub inferred: Option<String>,
    /// How many markdown files the handbook has, and those that are no page, with why.
    pub markdown_files: usize,
    pub left_out: Vec<source::LeftOut>,
    pub diagnostics: Diagnostics,
}

/// Stage 2: the site graph of what the source stage read, checked, as of `now` (`--now`).
pub(crate) fn assemble(loaded: Loaded, now: Option<DateTime>, drafts: bool) -> Assembled {
    let Loaded {
        handbook,
        config,
        content,
        drafts: kept_drafts,
        statics,
        stamps,
        read,
        inferred,
        markdown_files,
        mut left_out,
        mut diagnostics,
    } = loaded;
    let options = model::Options {
        drafts,
        today: today(now),
        now: crate::dates::now(now),
    };
    let mut site = Site::assemble(config, content, &options, &mut diagnostics);
    left_out.append(&mut site.left_out);
    left_out.sort();
    model::check_operations(&site, &mut diagnostics);
    crate::ops::validate::check(&site, &mut diagnostics);
    Assembled {
        handbook,
        site,
        statics,
        drafts: kept_drafts,
        stamps,
        read,
        markdown: 0,
        inferred,
        markdown_files,
        left_out,
        diagnostics,
    }
}

impl Assembled {
    /// The markdown stage: every page rendered against the site (taking over what `earlier`
    /// still has right), links checked, backlinks recorded.
    pub(crate) fn render_markdown(&mut self, highlighter: &Highlighter, earlier: &mut Earlier) {
        let reuse = earlier
            .links
            .as_ref()
            .map(|links| (links, &mut earlier.rendered));
        self.markdown = self
            .site
            .render_markdown(highlighter, &mut self.diagnostics, reuse);
    }
}

/// What a successful build keeps for the next one: the handbook as read and rendered, its
/// templates and the highlighter, so that an edit is applied without reading everything again.
pub(crate) struct Built {
    pub(crate) handbook: Handbook,
    pub(crate) site: Site,
    pub(crate) statics: Vec<StaticFile>,
    pub(crate) drafts: Vec<source::Document>,
    pub(crate) stamps: Stamps,
    pub(crate) highlighter: Highlighter,
    pub(crate) renderer: Renderer,
    /// What the output copies as it is, by output path.
    pub(crate) copies: Copies,
    /// The places with generated pages.
    pub(crate) places: std::collections::BTreeSet<crate::model::Place>,
}

/// Builds the site into the output folder, atomically; leaves it as it is when nothing changed
/// since the last build into it ([`unchanged`]).
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let now = crate::dates::now(options.now);
    let inputs = unchanged::Inputs::read(options);
    if let Some(inputs) = &inputs {
        if let Some(report) = inputs.unchanged(options, now, started) {
            return Ok(report);
        }
        inputs.forget();
    }
    let (report, built) = build_from(
        options,
        Highlighter::new(options.cache_dir.clone()),
        Earlier::default(),
        Writing::Staged,
        None,
    )?;
    if let Some(inputs) = &inputs {
        inputs.record(&built.site, now, &report);
    }
    Ok(report)
}

/// The whole pipeline, with a highlighter that may have highlighted before, taking over what
/// `earlier` still has right; keeps what it made.
pub(crate) fn build_from(
    options: &BuildOptions,
    highlighter: Highlighter,
    mut earlier: Earlier,
    writing: Writing,
    preview: Option<&Preview<'_>>,
) -> Result<(BuildReport, Built), BuildFailure> {
    let out = options.out_dir();
    crate::output::check_destination(&options.root, &out).map_err(|d| vec![d])?;
    let mut timer = Timer::start();
    let (handbook, config) = open(options)?;
    handbook.check_output(&out).map_err(|d| vec![d])?;
    highlighter.forget_classes();
    let loaded = source::load(
        handbook,
        config,
        options.drafts,
        std::mem::take(&mut earlier.documents),
    );
    timer.lap("read");
    // The templates are parsed on the other core while the site model is assembled on one.
    let (theme_config, theme_handbook) = (loaded.config.clone(), loaded.handbook.clone());
    let (mut assembled, templates) = std::thread::scope(|scope| {
        let templates = scope.spawn(|| load_templates(&theme_config, &theme_handbook));
        let assembled = assemble(loaded, options.now, options.drafts);
        let templates = templates
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (assembled, templates)
    });
    timer.lap("model");
    assembled.render_markdown(&highlighter, &mut earlier);
    if !assembled.handbook.has_config() {
        warn_about_content(&mut assembled.diagnostics, &assembled.handbook);
    }
    timer.lap("markdown");
    let Assembled {
        handbook,
        site,
        statics,
        drafts,
        stamps,
        read,
        markdown,
        inferred,
        markdown_files,
        left_out,
        mut diagnostics,
    } = assembled;
    if diagnostics.has_errors() {
        return Err(diagnostics.into());
    }
    let renderer = match templates {
        Ok(renderer) => renderer,
        Err(problems) => {
            diagnostics.extend(problems);
            return Err(diagnostics.into());
        }
    };
    diagnostics.extend(missing_templates(&site, &renderer));
    if diagnostics.has_errors() {
        return Err(diagnostics.into());
    }
    let mut built = Built {
        handbook,
        site,
        statics,
        drafts,
        stamps,
        highlighter,
        renderer,
        copies: Copies::new(),
        places: Default::default(),
    };
    let mut report = write::write_site(options, &mut built, diagnostics, timer, writing, preview)?;
    report.read = read;
    report.markdown = markdown;
    report.inferred = inferred;
    report.markdown_files = markdown_files;
    report.drafts = left_out.iter().filter(|l| l.is_draft()).count();
    report.left_out = left_out.len() - report.drafts;
    Ok((report, built))
}

/// A handbook read through another tool's layout is being migrated: a problem in one page's
/// content (a bad value, a broken link, dates that disagree, a URL wanted twice) is a warning,
/// and the page is rendered as well as it can be. A file that cannot be read stays an error.
/// `check` reports them all as errors.
fn warn_about_content(diagnostics: &mut Diagnostics, handbook: &Handbook) {
    for diagnostic in diagnostics.iter_mut() {
        let Some(location) = &diagnostic.location else {
            continue;
        };
        let file = crate::paths::HandbookPath::new(crate::paths::slashed(&location.path));
        if diagnostic.rule != Some("content") && handbook.is_content(&file) {
            diagnostic.level = crate::diagnostic::Level::Warning;
        }
    }
}

/// The default theme's templates with the handbook's theme and overrides over them.
pub(crate) fn load_templates(
    config: &Config,
    handbook: &Handbook,
) -> Result<Renderer, Vec<Diagnostic>> {
    let theme_dir = handbook.theme_dir(&config.theme);
    if let Some(dir) = &theme_dir {
        if !dir.is_dir() {
            return Err(vec![Diagnostic::error(
                Some(Location::file("opsbook.toml")),
                format!(
                    "theme `{}` not found: expected the folder `themes/{}/`",
                    config.theme, config.theme
                ),
            )]);
        }
    }
    Renderer::load(
        theme_dir.as_deref(),
        &handbook.root.join("templates"),
        &handbook.root,
    )
}

/// A page whose front matter names a template that does not exist: an error at its `template`
/// line, before anything is rendered (tera's own message names no page and no line).
pub(crate) fn missing_templates(site: &Site, renderer: &Renderer) -> Vec<Diagnostic> {
    site.pages
        .iter()
        .filter_map(|page| {
            let name = page.meta.template.as_deref()?;
            if renderer.has_template(name) {
                return None;
            }
            let hint = match crate::diagnostic::did_you_mean(name, renderer.names()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "add `templates/{name}`, or remove `template` for the page's usual template"
                ),
            };
            Some(
                Diagnostic::error(
                    Some(page.location_of("template")),
                    format!(
                        "template `{name}` not found: no such file in `templates/`, the theme or the default theme"
                    ),
                )
                .with_hint(hint)
                .with_rule("template"),
            )
        })
        .collect()
}
