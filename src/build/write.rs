//! The last stage: every output of [`Contents`] rendered or copied into the output folder —
//! into a staging folder swapped in at the end, or over the served output for serve — with the
//! search files built beside it. An output whose inputs did not change since the previous build
//! is linked from it instead of rendered ([`crate::reuse`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::contents::{render_path, Contents, Copied, Made, Render};
use super::{BuildFailure, BuildOptions, BuildReport, Built, Timer};
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use std::collections::BTreeSet;

use crate::model::{Place, Site};
use crate::output::{self, Staging};
use crate::render::context::{Builder, Globals};
use crate::render::Renderer;
use crate::reuse::{self, Reuse};
use crate::search;

/// How a build writes the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writing {
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

/// Pages to show first when writing over the served output: the ones open in a browser. They
/// are rendered and written before the rest, and `ready` is called as soon as they are in
/// place, so that their browsers reload while the rest of the site is still being written.
pub(crate) struct Preview<'a> {
    /// Paths from the site root, as the browser shows them: `/runbooks/x/`.
    pub pages: &'a [String],
    pub ready: &'a (dyn Fn() + Sync),
}

/// Renders `built` into a staging folder — linking the files of the previous build that are
/// still right — beside the search index, and swaps it in for the output folder.
pub(super) fn write_site(
    options: &BuildOptions,
    built: &mut Built,
    mut diagnostics: Diagnostics,
    mut timer: Timer,
    writing: Writing,
    preview: Option<&Preview<'_>>,
) -> Result<BuildReport, BuildFailure> {
    let fail = |diagnostics: Diagnostics| BuildFailure {
        diagnostics: diagnostics.into_vec(),
    };
    let out = options.out_dir();
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
    if let (Some(preview), Writing::InPlace(_)) = (preview, writing) {
        write_preview(options, built, preview);
    }
    let reuse = Reuse::load(options.cache_dir.as_deref(), &output::absolute(&out));
    let site = &built.site;
    let search_page = site.config.search && built.renderer.has_template("search.html");
    // The search index is built beside the rendering (they share nothing but the site), unless
    // the previous build's search files can be taken over whole.
    let searched = site.config.search;
    // Only a later build (with a cache, or serve's next) compares it; it hashes every section.
    let search_fingerprint = (searched
        && (options.cache_dir.is_some() || matches!(writing, Writing::InPlace(_))))
    .then(|| search::input_fingerprint(site));
    let reused_search = search_fingerprint.is_some_and(|fingerprint| {
        reuse_group(&reuse, &staging, search::is_browser_file, &fingerprint)
    });
    let live_is_current = matches!(
        (writing, search_fingerprint),
        (Writing::InPlace(Some(live)), Some(now)) if live == now
    );
    let search_later = searched && !reused_search && matches!(writing, Writing::InPlace(_));
    let (written, search_made, conflicts) = std::thread::scope(|scope| {
        // The search files go into the staged output as they are made.
        let search = (searched && !reused_search && !search_later).then(|| {
            scope.spawn(|| {
                let start = Instant::now();
                let mut failed = None;
                let made = search::write_browser_files(site, &mut |(name, text)| {
                    let path = format!("search/{name}");
                    let written = staging
                        .write(&path, text.as_bytes())
                        .and_then(|()| staging.path_of(&path));
                    match written {
                        Ok(staged) => {
                            if let Some(fingerprint) = &search_fingerprint {
                                reuse.record(&path, reuse::member(fingerprint, &path), &staged)
                            }
                        }
                        Err(problem) => {
                            failed.get_or_insert(problem);
                        }
                    }
                });
                (made, failed, start.elapsed())
            })
        });
        let generated = crate::ops::generate(site, crate::dates::now(options.now));
        let contents = Contents::plan(
            site,
            &generated,
            search_page,
            (&built.statics, &built.handbook),
            built.highlighter.stylesheets(),
        );
        let conflicts = contents.conflicts(site, &generated, search_page, &built.handbook.root);
        let writer = Writer {
            site,
            renderer: &built.renderer,
            staging: &staging,
            offline: options.offline,
            reuse: &reuse,
            places: &generated.places,
            search_page,
        };
        // An output in another's way would stop the writing with the system's message.
        let written = if conflicts.iter().any(Diagnostic::is_error) {
            Err(Vec::new())
        } else {
            writer.write_all(&contents).map(|()| {
                let links = broken_rooted_links(site, &contents);
                let places = generated.places.clone();
                (contents.outputs.len(), contents.copies(), places, links)
            })
        };
        (written, search.map(|handle| handle.join()), conflicts)
    });
    diagnostics.extend(conflicts);
    let search_written = match search_made {
        None => 0,
        Some(Ok((Ok(made), None, took))) => {
            // Its own time, within render+search (it runs beside the rendering).
            timer.timings.push(("(search index)", took));
            made
        }
        Some(Ok((_, Some(problem), _))) => {
            return Err(BuildFailure {
                diagnostics: vec![problem],
            })
        }
        Some(Ok((Err(e), _, _))) => {
            return Err(failure(format!("cannot build the search index: {e}")));
        }
        Some(Err(_)) => return Err(failure("building the search index failed".into())),
    };
    let search_file_count = if reused_search {
        reuse.previous_where(search::is_browser_file).len()
    } else if search_later || live_is_current {
        link_current_search_files(&staging, &out).map_err(|problem| BuildFailure {
            diagnostics: vec![problem],
        })?
    } else {
        search_written
    };
    timer.lap("render+search");
    let (files, copies, places) = match written {
        Ok((outputs, copies, places, links)) => {
            diagnostics.extend(links);
            (outputs + search_file_count, copies, places)
        }
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
    built.copies = copies;
    built.places = places;
    if let Err(e) = built.highlighter.save_cache().and_then(|()| reuse.save()) {
        diagnostics.push(Diagnostic::warning(
            None,
            format!("cannot save the highlight cache: {e}"),
        ));
    }
    timer.lap("write");
    Ok(BuildReport {
        pages: built.site.pages.len(),
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
        markdown_files: 0,
        drafts: 0,
        left_out: 0,
    })
}

/// Links written from the site root that lead nowhere: warnings in a build (`check` reports
/// them as errors).
fn broken_rooted_links(site: &Site, contents: &Contents<'_>) -> Vec<Diagnostic> {
    let urls = super::KnownUrls::new(site, contents);
    let mut found = Diagnostics::default();
    for page in site.pages.iter().filter(|p| p.document.is_some()) {
        super::rooted_links(page, &urls, &mut found);
    }
    found
        .into_iter()
        .map(|mut d| {
            d.level = crate::diagnostic::Level::Warning;
            d
        })
        .collect()
}

fn failure(message: String) -> BuildFailure {
    BuildFailure {
        diagnostics: vec![Diagnostic::error(None, message)],
    }
}

/// Renders the pages `ids` of `built` straight into the finished output folder, each file
/// replaced whole; returns their output paths.
pub(super) fn write_pages_in_place(
    options: &BuildOptions,
    built: &Built,
    ids: &[usize],
) -> Result<Vec<String>, Vec<Diagnostic>> {
    write_pages_with(options, built, ids, &built.places)
}

/// [`write_pages_in_place`] with the places that have generated pages given.
fn write_pages_with(
    options: &BuildOptions,
    built: &Built,
    ids: &[usize],
    places: &BTreeSet<Place>,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let out = options.out_dir();
    let staging = Staging::live(&out);
    let no_reuse = Reuse::load(None, &out);
    let writer = Writer {
        site: &built.site,
        renderer: &built.renderer,
        staging: &staging,
        offline: options.offline,
        reuse: &no_reuse,
        places,
        search_page: built.site.config.search && built.renderer.has_template("search.html"),
    };
    let builder = Builder::new(&built.site);
    let (globals, seed) = writer.globals()?;
    let problems: Vec<Diagnostic> = ids
        .par_iter()
        .filter_map(|&id| {
            writer
                .render_or_reuse(&Render::Page(id), &builder, &globals, &seed)
                .err()
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ids
        .iter()
        .map(|&id| render_path(&built.site, &Render::Page(id)))
        .collect())
}

/// Writes the pages of `preview` that are pages of the handbook straight over the served output
/// — before anything else is planned, so that their browsers reload at once (the full
/// pass writes them again, the same) — then says they are ready; says nothing when none of them
/// is or one fails (the full pass reports it).
fn write_preview(options: &BuildOptions, built: &Built, preview: &Preview<'_>) {
    let site = &built.site;
    let ids: Vec<usize> = preview
        .pages
        .iter()
        .filter_map(|page| {
            let url = page.trim_start_matches('/');
            site.pages.iter().position(|p| p.url == url)
        })
        .collect();
    if ids.is_empty() {
        return;
    }
    let written = write_pages_with(options, built, &ids, &crate::ops::places(site)).is_ok();
    if written {
        (preview.ready)();
    }
}

/// Rewrites the browser search files of the finished output folder for `site`, removing the
/// ones it no longer has; returns how many it wrote.
pub(super) fn write_search_in_place(
    options: &BuildOptions,
    site: &Site,
) -> Result<usize, Diagnostic> {
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
            let relative = crate::paths::slashed(entry.path().strip_prefix(out).ok()?);
            search::is_browser_file(&relative).then(|| (entry.path().to_path_buf(), relative))
        })
        .collect()
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

/// Everything writing the site needs.
struct Writer<'a> {
    site: &'a Site,
    renderer: &'a Renderer,
    staging: &'a Staging,
    /// Relative links naming `index.html`, so the site works opened from disk.
    offline: bool,
    reuse: &'a Reuse,
    /// The places with generated pages, and whether the site has its search page: the only
    /// generated pages templates link to.
    places: &'a BTreeSet<Place>,
    search_page: bool,
}

impl Writer<'_> {
    /// Writes every output into the staging folder, all in parallel (reusing unchanged files
    /// of the previous build).
    fn write_all(&self, contents: &Contents<'_>) -> Result<(), Vec<Diagnostic>> {
        let builder = Builder::new(self.site);
        let (globals, seed) = self.globals()?;
        let outputs: Vec<(&String, &Made<'_>)> = contents.outputs.iter().collect();
        let mut problems: Vec<Diagnostic> = outputs
            .par_iter()
            .filter_map(|&(path, made)| {
                let written = match made {
                    Made::Rendered(render) => {
                        self.render_or_reuse(render, &builder, &globals, &seed)
                    }
                    Made::Written(text) => self.staging.write(path, text.as_bytes()),
                    Made::Copied(Copied::Embedded(bytes)) => self.staging.write(path, bytes),
                    Made::Copied(Copied::File(from)) => self.staging.copy(from, path),
                };
                written.err()
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            dedupe(&mut problems);
            Err(problems)
        }
    }

    /// What every template sees, and the seed of every output's fingerprint.
    fn globals(&self) -> Result<(tera::Context, [u8; 32]), Vec<Diagnostic>> {
        let globals_value =
            serde_json::to_value(Globals::new(self.site, self.places, self.search_page))
                .map_err(|e| vec![Diagnostic::error(None, e.to_string())])?;
        let globals = tera::Context::from_value(globals_value.clone())
            .map_err(|e| vec![Diagnostic::error(None, e.to_string())])?;
        let mut seed = blake3::Hasher::new();
        seed.update(&self.renderer.fingerprint());
        seed.update(if self.offline { b"offline" } else { b"online!" });
        seed.update(globals_value.to_string().as_bytes());
        Ok((globals, *seed.finalize().as_bytes()))
    }

    /// Links the previous build's file when its fingerprint matches, else renders it.
    fn render_or_reuse(
        &self,
        render: &Render<'_>,
        builder: &Builder<'_>,
        globals: &tera::Context,
        seed: &[u8; 32],
    ) -> Result<(), Diagnostic> {
        let path = render_path(self.site, render);
        let (template, label) = template_of(self.site, self.renderer, render);
        // The values are made once: hashed for reuse, then, unless the previous output can be
        // taken over, handed to the template as they are.
        let mut values = Values::default();
        fill(self.site, render, builder, &mut values);
        let fingerprint = self.reuse.keeps_records().then(|| {
            let mut hasher = reuse::Hasher::new(seed);
            hasher.add("template", &template);
            for (key, value) in &values.0 {
                hasher.add(key, value);
            }
            hasher.finish()
        });
        if let Some(fingerprint) = &fingerprint {
            if let Some(previous) = self.reuse.reusable(&path, fingerprint) {
                let staged = self.staging.link(&previous, &path)?;
                self.reuse.record(&path, *fingerprint, &staged);
                return Ok(());
            }
        }
        let mut context = tera::Context::from_value(serde_json::Value::Object(values.0))
            .expect("an object is a context");
        context.extend(globals.clone());
        let mut html = self.renderer.render(&template, &context, &label)?;
        if self.offline {
            html = super::offline::relativize(&html, &path, &self.site.config.base_path);
        }
        self.staging.write(&path, html.as_bytes())?;
        if let Some(fingerprint) = fingerprint {
            self.reuse
                .record(&path, fingerprint, &self.staging.path_of(&path)?);
        }
        Ok(())
    }
}

/// The template that renders an output, and how messages name it.
fn template_of(site: &Site, renderer: &Renderer, render: &Render<'_>) -> (String, String) {
    match *render {
        Render::Page(id) => (
            page_template(site, renderer, id),
            format!("`{}`", site.pages[id].file),
        ),
        Render::Taxonomy(name, _) => ("taxonomy.html".into(), format!("the {name} list")),
        Render::Term(name, _, slug) => (
            "taxonomy_term.html".into(),
            format!("the {name} page `{slug}`"),
        ),
        Render::NotFound => ("404.html".into(), "the 404 page".into()),
        Render::Search => ("search.html".into(), "the search page".into()),
        Render::Alias(alias, _) => ("alias.html".into(), format!("the alias `{alias}`")),
        Render::Generated(page) => (page.template.into(), page.label.clone()),
    }
}

fn page_template(site: &Site, renderer: &Renderer, id: usize) -> String {
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

/// Gives `sink` the values the output's template sees besides the globals.
fn fill(site: &Site, render: &Render<'_>, builder: &Builder<'_>, sink: &mut Values) {
    let base = &site.config.base_path;
    match *render {
        Render::Page(id) => {
            sink.add("current_url", &builder.url(id));
            sink.add("nav", &builder.nav(id));
            if site.pages[id].is_section() {
                sink.add("section", &builder.section(id));
            } else {
                sink.add("page", &builder.page(id));
            }
        }
        Render::Taxonomy(name, title) => {
            let list = site.places.url(Place::of_taxonomy(name));
            sink.add("current_url", &format!("{base}{list}"));
            sink.add("nav", &builder.nav(0));
            sink.add("taxonomy", &builder.taxonomy(name, title));
        }
        Render::Term(name, title, slug) => {
            let list = site.places.url(Place::of_taxonomy(name));
            sink.add("current_url", &format!("{base}{list}{slug}/"));
            sink.add("nav", &builder.nav(0));
            sink.add("taxonomy", &builder.taxonomy(name, title));
            sink.add("term", &builder.term(name, slug));
        }
        Render::NotFound => {
            sink.add("current_url", &format!("{base}404.html"));
            sink.add("nav", &builder.nav(0));
        }
        Render::Search => {
            sink.add(
                "current_url",
                &format!("{base}{}", site.places.url(Place::Search)),
            );
            sink.add("nav", &builder.nav(0));
        }
        Render::Alias(_, id) => {
            sink.add("target_url", &builder.url(id));
            sink.add("target_permalink", &builder.permalink(id));
        }
        Render::Generated(page) => {
            sink.add("current_url", &format!("{base}{}", page.url));
            sink.add("nav", &builder.nav(page.nav_from));
            for (key, value) in &page.values {
                sink.0.insert(key.to_string(), value.value());
            }
        }
    }
}

/// An output's own values (besides the globals), by name.
#[derive(Default)]
struct Values(serde_json::Map<String, serde_json::Value>);

impl Values {
    fn add<T: serde::Serialize>(&mut self, key: &'static str, value: &T) {
        // Every value the builder makes serializes (strings, numbers, lists and maps).
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.0.insert(key.to_string(), value);
    }
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
