//! `opsbook serve`: a local preview that rebuilds on every change and reloads the browser.
//!
//! The site is built with the normal pipeline ([`crate::build::build`]) into a private temporary
//! folder — never the handbook's `public/` — with `base_url` set to the local address, and the
//! highlight cache and output-reuse record in a private cache folder beside it, so a rebuild
//! links unchanged files instead of rendering them. A failed rebuild leaves the last good site in
//! place (the build only swaps its output in on success) and shows the problems in the page.
//!
//! Threads: the main thread runs the watch → debounce → rebuild loop; [`http`] workers answer
//! requests from the output folder; each Server-Sent Events client of [`reload`] has its own
//! thread. Only this module and its children know HTTP and notify.

/// `eprintln!` that ignores a closed stderr: a closed terminal must not stop the server before
/// it has cleaned up.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod http;
mod private;
mod reload;
mod site;
mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use serde::Serialize;

use crate::build::session::{Patch, Session};
use crate::build::{BuildOptions, BuildReport, Preview};
use crate::diagnostic::Diagnostic;
use reload::{Event, Hub};
use watch::{Changes, Message, Watch};

/// The port tried first when none is given.
pub(crate) const DEFAULT_PORT: u16 = 1111;
/// How many ports after [`DEFAULT_PORT`] are tried when it is taken.
const PORT_TRIES: u16 = 100;

/// What `opsbook serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    /// `None`: [`DEFAULT_PORT`] or the next free one.
    pub port: Option<u16>,
    pub bind: IpAddr,
    pub open: bool,
    pub poll: bool,
    pub drafts: bool,
    /// Prints a build's problems (the command line's own formatting).
    pub print: fn(&[Diagnostic]),
}

/// One problem of a failed build, as the page overlay and `/__opsbook/status` show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Problem {
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub hint: Option<String>,
}

impl Problem {
    fn from_diagnostic(diagnostic: &Diagnostic) -> Problem {
        let location = diagnostic.location.as_ref();
        Problem {
            message: diagnostic.message.clone(),
            file: location.map_or(String::new(), |l| {
                l.path.to_string_lossy().replace('\\', "/")
            }),
            line: location.map_or(0, |l| l.line),
            column: location.map_or(0, |l| l.column),
            hint: diagnostic.hint.clone(),
        }
    }
}

/// Where the last build left the site; read by requests, written by the rebuild loop.
#[derive(Debug, Default, Clone, Serialize)]
struct Status {
    /// Builds finished, failed ones included.
    builds: u64,
    /// Successful builds: the version of the site being served.
    generation: u64,
    building: bool,
    /// Whether the last build failed (the previous good site is still served).
    failed: bool,
    problems: Vec<Problem>,
    last_build_ms: u128,
    /// How the last good build was made.
    #[serde(flatten)]
    work: Work,
}

/// How a build was made, and how much it did.
#[derive(Debug, Default, Clone, Copy, Serialize)]
struct Work {
    /// `full` (every output checked, only changed files read), `templates` (the kept handbook
    /// rendered again) or `patch` (the changed files alone, in place).
    how: &'static str,
    /// Documents read from their files.
    read: usize,
    /// Documents whose markdown was rendered.
    markdown: usize,
    /// Output files written; the others were kept.
    written: usize,
}

impl Work {
    fn of(report: &BuildReport, how: &'static str) -> Work {
        Work {
            how,
            read: report.read,
            markdown: report.markdown,
            written: report.files - report.reused,
        }
    }
}

/// What request handlers share with the rebuild loop.
pub(crate) struct Shared {
    /// The private output folder, canonical.
    site: PathBuf,
    hub: Hub,
    status: Mutex<Status>,
}

impl Shared {
    fn status(&self) -> Status {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn update(&self, change: impl FnOnce(&mut Status)) {
        change(&mut self.status.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Counts a new good version of the site: its generation.
    fn next_generation(&self) -> u64 {
        let mut generation = 0;
        self.update(|s| {
            s.generation += 1;
            s.failed = false;
            s.problems.clear();
            generation = s.generation;
        });
        generation
    }

    /// `/__opsbook/status` as JSON.
    fn status_json(&self) -> String {
        #[derive(Serialize)]
        struct View<'a> {
            #[serde(flatten)]
            status: &'a Status,
            state: &'static str,
            output: &'a Path,
            clients: usize,
        }
        let status = self.status();
        let state = match (status.generation, status.failed) {
            (_, true) => "failed",
            (0, false) => "starting",
            _ => "ok",
        };
        serde_json::to_string(&View {
            status: &status,
            state,
            output: &self.site,
            clients: self.hub.clients(),
        })
        .unwrap_or_default()
    }
}

/// Runs the server until Ctrl-C; the private output folder is removed on the way out.
pub fn run(options: ServeOptions) -> anyhow::Result<()> {
    let root = options.root.canonicalize().with_context(|| {
        format!(
            "cannot open the handbook folder `{}`",
            options.root.display()
        )
    })?;
    let listener = listen(options.bind, options.port)?;
    let address = listener.local_addr()?;
    let url = local_url(address);
    let parent = private::parent(&root);
    private::remove_leftovers(&parent);
    let prefix = private::prefix();
    let mut private = tempfile::Builder::new();
    private.prefix(&prefix);
    // Drafts and the handbook's files are no business of other users of the machine.
    #[cfg(unix)]
    private.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let private = private
        .tempdir_in(&parent)
        .context("cannot create the private output folder")?;
    let private_dir = private.path().canonicalize()?;
    let build_options = BuildOptions {
        root: root.clone(),
        out: Some(private_dir.join("site")),
        base_url: Some(url.clone()),
        drafts: options.drafts,
        now: None,
        cache_dir: Some(private_dir.join("cache")),
        ..BuildOptions::default()
    };
    let (sender, receiver) = mpsc::channel();
    // Opened for what to watch and what to call the site; each build opens it again, as the
    // config may change while serving.
    let opened = crate::source::Handbook::open(&root, &private_dir.join("site")).ok();
    let content = content_folder(opened.as_ref().map(|(handbook, _)| handbook));
    let mut watch = Watch::start(&root, &content, options.poll, sender.clone(), receiver)?;
    stop_on_ctrl_c(sender)?;

    let shared = Arc::new(Shared {
        site: private_dir.join("site"),
        hub: Hub::new(),
        status: Mutex::default(),
    });
    let mut rebuilder = Rebuilder {
        options: build_options,
        shared: Arc::clone(&shared),
        print: options.print,
        session: None,
    };
    rebuilder.rebuild(None);
    http::start(listener, Arc::clone(&shared))?;
    say!(
        "Serving {} at {url}",
        crate::diagnostic::shown(&site_title(
            &root,
            opened.as_ref().map(|(_, config)| config)
        ))
    );
    say!(
        "Watching {} for changes; press Ctrl-C to stop.",
        root.display()
    );
    if options.open {
        open_browser(&url);
    }
    while let Some(changes) = watch.next() {
        watch.refresh(&changes);
        rebuilder.rebuild(Some(&changes));
    }
    say!("Stopped.");
    private
        .close()
        .context("cannot remove the private output folder")
}

/// Binds the port asked for, or the first free one from [`DEFAULT_PORT`] on.
fn listen(bind: IpAddr, port: Option<u16>) -> anyhow::Result<TcpListener> {
    let in_use = |e: &std::io::Error| e.kind() == std::io::ErrorKind::AddrInUse;
    if let Some(port) = port {
        return TcpListener::bind((bind, port)).map_err(|e| {
            if in_use(&e) {
                anyhow!("port {port} on {bind} is already in use: stop what is using it, or choose another port with --port (or leave --port out to take the next free one)")
            } else {
                anyhow!("cannot listen on {}: {e}", SocketAddr::new(bind, port))
            }
        });
    }
    let mut taken = Vec::new();
    for port in DEFAULT_PORT..DEFAULT_PORT + PORT_TRIES {
        match TcpListener::bind((bind, port)) {
            Ok(listener) => {
                if !taken.is_empty() {
                    let list: Vec<String> = taken.iter().map(u16::to_string).collect();
                    let (noun, verb) = if taken.len() == 1 {
                        ("port", "is")
                    } else {
                        ("ports", "are")
                    };
                    say!(
                        "{noun} {} {verb} already in use; using port {port}",
                        list.join(", ")
                    );
                }
                return Ok(listener);
            }
            Err(e) if in_use(&e) => taken.push(port),
            Err(e) => return Err(anyhow!("cannot listen on {bind}:{port}: {e}")),
        }
    }
    Err(anyhow!(
        "ports {DEFAULT_PORT} to {} on {bind} are all in use; choose one with --port",
        DEFAULT_PORT + PORT_TRIES - 1
    ))
}

/// The site's address as a browser on this machine reaches it.
fn local_url(address: SocketAddr) -> String {
    let port = address.port();
    match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => format!("http://127.0.0.1:{port}/"),
        ip if ip.is_unspecified() => format!("http://[::1]:{port}/"),
        IpAddr::V6(ip) => format!("http://[{ip}]:{port}/"),
        IpAddr::V4(ip) => format!("http://{ip}:{port}/"),
    }
}

/// The top folders of the handbook's markdown: `content`, or another tool's folders (`docs`,
/// `blog`, `src`) when the handbook is laid out for it. A handbook whose markdown is its own
/// folder is watched as `content/` too, so edits there need a restart.
fn content_folder(handbook: Option<&crate::source::Handbook>) -> Vec<String> {
    let mut folders: Vec<String> = handbook
        .map(|h| h.content_folders())
        .unwrap_or_default()
        .into_iter()
        .map(|folder| folder.top().to_string())
        .filter(|top| !top.is_empty())
        .collect();
    if folders.is_empty() {
        folders.push("content".into());
    }
    folders.dedup();
    folders
}

fn site_title(root: &Path, config: Option<&crate::config::Config>) -> String {
    match config {
        Some(config) if !config.title.is_empty() => config.title.clone(),
        _ => root.file_name().map_or_else(
            || "the handbook".into(),
            |n| n.to_string_lossy().into_owned(),
        ),
    }
}

/// Ctrl-C (or SIGTERM) ends the watch loop; a second one ends the process at once.
fn stop_on_ctrl_c(sender: mpsc::Sender<Message>) -> anyhow::Result<()> {
    let mut pressed = false;
    ctrlc::set_handler(move || {
        if pressed {
            std::process::exit(130);
        }
        pressed = true;
        let _ = sender.send(Message::Stop);
        say!("Stopping…");
    })
    .context("cannot install the Ctrl-C handler")
}

/// Opens the default browser when the platform has a command for it; failure is ignored.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(command)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// Runs the builds and tells the browsers.
struct Rebuilder {
    options: BuildOptions,
    shared: Arc<Shared>,
    print: fn(&[Diagnostic]),
    /// What the last good build made, while the files on disk are what it was made from.
    session: Option<Session>,
}

impl Rebuilder {
    /// Brings the served site up to date with `changes` (`None` for the first build): in place
    /// when the session can patch it, else with a full build that reuses unchanged files.
    fn rebuild(&mut self, changes: Option<&Changes>) {
        self.shared.update(|s| s.building = true);
        let started = Instant::now();
        // The pages open in a browser are written first and reloaded at once; the others when
        // the whole site is in place.
        let pages = self.shared.hub.open_pages();
        let previewed = AtomicBool::new(false);
        let shared = Arc::clone(&self.shared);
        let ready = || {
            let generation = shared.next_generation();
            shared
                .hub
                .broadcast_where(Event::Reload(generation), |page| {
                    pages.iter().any(|p| p == page)
                });
            previewed.store(true, Ordering::SeqCst);
        };
        let preview = Preview {
            pages: &pages,
            ready: &ready,
        };
        let preview = changes.map(|_| &preview);
        let result = self.rebuild_with(changes, started, preview);
        if let Some((report, changes, how)) = result {
            let shown = previewed.load(Ordering::SeqCst).then_some(pages.as_slice());
            self.built(&report, changes, started, how, shown.unwrap_or_default());
        }
    }

    /// [`Rebuilder::rebuild`] but for telling the browsers of a successful rebuild: returns
    /// what to tell them.
    fn rebuild_with<'c>(
        &mut self,
        changes: Option<&'c Changes>,
        started: Instant,
        preview: Option<&Preview<'_>>,
    ) -> Option<(BuildReport, &'c Changes, &'static str)> {
        if let (Some(changes), Some(session)) = (changes, self.session.as_mut()) {
            if changes.templates_only() {
                if let Some(result) = session.rerender(preview) {
                    return match result {
                        Ok(report) => Some((report, changes, "templates")),
                        Err(failure) => {
                            self.session = None;
                            self.failed(&failure.diagnostics, started.elapsed().as_millis());
                            None
                        }
                    };
                }
            } else if let Some(patch) = session.patch(changes.paths()) {
                self.patched(&patch, changes, started);
                return None;
            }
        }
        let result = match (changes, self.session.take()) {
            (Some(changes), Some(session)) => session.update(changes.paths(), preview),
            _ => Session::build(&self.options),
        };
        match result {
            Ok((report, session)) => {
                self.session = Some(session);
                match changes {
                    Some(changes) => return Some((report, changes, "full")),
                    None => {
                        let work = Work::of(&report, "full");
                        self.succeeded(&report.warnings, None, started, work, &[]);
                        say!(
                            "Built {} pages ({} files) in {} ms",
                            report.pages,
                            report.files,
                            started.elapsed().as_millis()
                        );
                    }
                }
            }
            Err(failure) => {
                // The handbook on disk no longer matches what the session holds.
                self.session = None;
                self.failed(&failure.diagnostics, started.elapsed().as_millis());
            }
        }
        None
    }

    /// Tells of a rebuild; the browsers on `previewed` pages were told already.
    fn built(
        &mut self,
        report: &BuildReport,
        changes: &Changes,
        started: Instant,
        how: &'static str,
        previewed: &[String],
    ) {
        let elapsed = started.elapsed();
        let work = Work::of(report, how);
        let search = self.succeeded(&report.warnings, Some(changes), started, work, previewed);
        say!(
            "{changes}: rebuilt {} pages ({} files, {} unchanged) in {} ms{search}",
            report.pages,
            report.files,
            report.reused,
            elapsed.as_millis()
        );
    }

    fn patched(&mut self, patch: &Patch, changes: &Changes, started: Instant) {
        let elapsed = started.elapsed();
        let work = Work {
            how: "patch",
            read: patch.pages,
            markdown: patch.pages,
            written: patch.written.len(),
        };
        let search = self.succeeded(&patch.warnings, Some(changes), started, work, &[]);
        say!(
            "{changes}: updated {} file{} in {} ms{search}",
            patch.written.len(),
            if patch.written.len() == 1 { "" } else { "s" },
            elapsed.as_millis(),
        );
    }

    /// Tells the browsers as soon as the site is in place; the search files, when they were
    /// left for later, are written after, before the build counts as finished. Returns a note
    /// on the search files for the terminal.
    fn succeeded(
        &mut self,
        warnings: &[Diagnostic],
        changes: Option<&Changes>,
        started: Instant,
        work: Work,
        previewed: &[String],
    ) -> String {
        self.announce(warnings, changes, previewed);
        let search = self.session.as_mut().map(Session::refresh_search);
        self.finish(started.elapsed(), work);
        match search {
            Some(Ok(true)) => format!(", search files after {} ms", started.elapsed().as_millis()),
            Some(Err(problem)) => {
                (self.print)(std::slice::from_ref(&problem));
                String::new()
            }
            _ => String::new(),
        }
    }

    /// Marks a new good version of the site and tells the browsers to show it, but those on
    /// the `previewed` pages, which show it already.
    fn announce(&self, warnings: &[Diagnostic], changes: Option<&Changes>, previewed: &[String]) {
        (self.print)(warnings);
        let was_failed = self.shared.status().failed;
        let generation = self.shared.next_generation();
        let css_only = changes.is_some_and(Changes::css_only) && !was_failed;
        let event = if css_only {
            Event::Css(generation)
        } else {
            Event::Reload(generation)
        };
        let told = |page: &str| previewed.iter().any(|p| p == page);
        self.shared.hub.broadcast_where(event, |page| !told(page));
    }

    /// Counts the build as done.
    fn finish(&self, elapsed: Duration, work: Work) {
        self.shared.update(|s| {
            s.work = work;
            s.builds += 1;
            s.building = false;
            s.last_build_ms = elapsed.as_millis();
        });
    }

    fn failed(&self, diagnostics: &[Diagnostic], millis: u128) {
        (self.print)(diagnostics);
        let problems: Vec<Problem> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(Problem::from_diagnostic)
            .collect();
        let count = problems.len();
        self.shared.hub.broadcast(Event::Error(problems.clone()));
        self.shared.update(|s| {
            s.builds += 1;
            s.building = false;
            s.failed = true;
            s.problems = problems;
            s.last_build_ms = millis;
        });
        let still = if self.shared.status().generation > 0 {
            "still serving the last good build"
        } else {
            "nothing to serve until it is fixed"
        };
        say!(
            "Build failed with {count} error{} in {millis} ms; {still}.",
            if count == 1 { "" } else { "s" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_url_names_a_reachable_host() {
        let url = |s: &str| local_url(s.parse().unwrap());
        assert_eq!(url("127.0.0.1:1111"), "http://127.0.0.1:1111/");
        assert_eq!(url("0.0.0.0:8080"), "http://127.0.0.1:8080/");
        assert_eq!(url("[::]:80"), "http://[::1]:80/");
        assert_eq!(url("[::1]:1111"), "http://[::1]:1111/");
    }

    #[test]
    fn an_explicit_busy_port_is_an_error_naming_it() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let error = listen("127.0.0.1".parse().unwrap(), Some(port)).unwrap_err();
        assert!(
            error.to_string().contains(&format!("port {port} ")),
            "{error}"
        );
    }

    #[test]
    fn problems_keep_file_line_and_column() {
        let d = Diagnostic::error(
            Some(crate::diagnostic::Location::at("content/a.md", 3, 7)),
            "bad",
        );
        let p = Problem::from_diagnostic(&d);
        assert_eq!((p.file.as_str(), p.line, p.column), ("content/a.md", 3, 7));
    }
}
