//! The `opsbook` command line: parses arguments, runs a command, prints what happened.
//! Messages go to stderr, data to stdout; every problem is printed from here.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use opsbook::build::{self, BuildOptions};
use opsbook::check;
use opsbook::dates::DateTime;
use opsbook::diagnostic::{shown, Diagnostic, Level};
use opsbook::scaffold;
use opsbook::search;

// A build allocates millions of small strings on all cores; mimalloc handles that markedly
// faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "opsbook",
    version,
    about = "Operations handbooks — runbooks, processes, postmortems and status history — as a fast static site."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the site into the output folder (replaced only when the build succeeds).
    Build(BuildArgs),
    /// Preview the site locally: rebuild on every change and reload the browser.
    Serve(ServeArgs),
    /// Search the handbook from the terminal, with the index the site's search uses.
    Search(SearchArgs),
    /// Check links, front matter, review dates, postmortems and alert coverage; write nothing.
    Check(CheckArgs),
    /// Create a page from its kind's archetype, named as the handbook expects.
    New(NewArgs),
    /// Start a handbook: config, one page of each kind, and CI for GitHub and GitLab Pages.
    Init(InitArgs),
}

#[derive(Args, Debug)]
struct NewArgs {
    /// What to create.
    #[arg(value_enum)]
    kind: scaffold::new::NewKind,
    /// The page's title; the file is named after it.
    title: String,
    /// The handbook folder (holds opsbook.toml and content/).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// A service the page is about (incidents: a status component id); repeat for more.
    #[arg(long = "service", value_name = "SERVICE")]
    services: Vec<String>,
    /// sev1 … sev4 [default: sev3]; an incident's impact follows it (sev1 critical, sev2 major, else minor).
    #[arg(long)]
    severity: Option<String>,
    /// The date used as "today" (YYYY-MM-DD or RFC 3339) [default: SOURCE_DATE_EPOCH, else the clock].
    #[arg(long, value_parser = parse_date)]
    now: Option<DateTime>,
}

#[derive(Args, Debug)]
struct InitArgs {
    /// Where to create the handbook (created when missing).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Write into a folder that is not empty; existing files are still never replaced.
    #[arg(long)]
    force: bool,
    /// The date used as "today" (YYYY-MM-DD or RFC 3339) [default: SOURCE_DATE_EPOCH, else the clock].
    #[arg(long, value_parser = parse_date)]
    now: Option<DateTime>,
    /// Write only the opsbook.toml that `build` infers for this existing handbook (Hugo, MkDocs,
    /// Docusaurus, cState, a folder of markdown), so it can be adjusted.
    #[arg(long, value_name = "HANDBOOK", conflicts_with_all = ["dir", "force"])]
    from: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// The handbook folder (holds opsbook.toml and content/).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// How to print findings: grouped by file, one JSON document, or GitHub annotations.
    #[arg(long, value_enum, default_value = "human")]
    format: check::format::Format,
    /// Treat every warning as an error (review dates, unknown fields, …).
    #[arg(long)]
    strict: bool,
    /// Prometheus / Alertmanager rule files: report alerts without a runbook, `runbook_url`s
    /// that are not the alert's page on this site, and runbook alerts no rule defines.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    alert_rules: Vec<PathBuf>,
    /// The date used as "today" for review and due dates (YYYY-MM-DD or RFC 3339) [default: SOURCE_DATE_EPOCH, else the clock].
    #[arg(long, value_parser = parse_date)]
    now: Option<DateTime>,
}

#[derive(Args, Debug)]
struct BuildArgs {
    /// The handbook folder (holds opsbook.toml and content/).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Output folder [default: DIR/public].
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Override base_url from opsbook.toml, e.g. https://example.org/handbook/.
    #[arg(long)]
    base_url: Option<String>,
    /// Include pages marked `draft = true`.
    #[arg(long)]
    drafts: bool,
    /// Make a site that works opened from disk (file://), search included: relative links that
    /// name index.html.
    #[arg(long)]
    offline: bool,
    /// "Now" for review dates and the status page (YYYY-MM-DD, meaning midnight UTC, or RFC 3339) [default: SOURCE_DATE_EPOCH, else the clock].
    #[arg(long, value_parser = parse_date)]
    now: Option<DateTime>,
    /// Folder for the highlighted-code cache [default: DIR/.opsbook-cache].
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Do not read or write the highlighted-code cache.
    #[arg(long)]
    no_cache: bool,
    /// Print how long each stage took.
    #[arg(long)]
    timings: bool,
    /// Print errors only.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct SearchArgs {
    /// [DIR] QUERY: the handbook folder (default `.`) and what to look for.
    #[arg(required = true, num_args = 1..=2, value_names = ["DIR", "QUERY"])]
    words: Vec<String>,
    /// Only pages of this kind (runbook, process, postmortem, incident, page).
    #[arg(long)]
    kind: Option<String>,
    /// Only pages about this service.
    #[arg(long)]
    service: Option<String>,
    /// Only pages of this severity (sev1 … sev4).
    #[arg(long)]
    severity: Option<String>,
    /// How many results, 1 to 10000.
    #[arg(long, default_value_t = 10, value_parser = parse_limit)]
    limit: usize,
    /// Print a JSON array (url, title, section, kind, score, snippet), best first.
    #[arg(long)]
    json: bool,
    /// Folder of the index and caches [default: DIR/.opsbook-cache].
    #[arg(long)]
    cache_dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// The handbook folder (holds opsbook.toml and content/).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Port to listen on [default: 1111, else the next free one].
    #[arg(short, long)]
    port: Option<u16>,
    /// Address to listen on; 0.0.0.0 shows the preview to your network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
    /// Look for changes every 500 ms instead of waiting for file system events (network
    /// mounts, WSL2, containers).
    #[arg(long)]
    poll: bool,
    /// Include pages marked `draft = true`.
    #[arg(long)]
    drafts: bool,
}

fn parse_date(text: &str) -> Result<DateTime, String> {
    DateTime::parse(text)
}

/// `--limit`: 1 to [`search::MAX_LIMIT`] (a usage error otherwise, exit 2).
fn parse_limit(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(limit) if (1..=search::MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(format!(
            "expected a whole number from 1 to {}",
            search::MAX_LIMIT
        )),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Serve(args) => run_serve(args),
        Command::Search(args) => run_search(args),
        Command::Check(args) => run_check(args),
        Command::New(args) => run_new(args),
        Command::Init(args) => run_init(args),
    }
}

fn run_build(args: BuildArgs) -> ExitCode {
    if let Some(problem) = args
        .base_url
        .as_deref()
        .and_then(opsbook::config::base_url_problem)
    {
        eprintln!("error: `--base-url` {problem}");
        eprintln!("Build failed with 1 error; the output folder was left as it was.");
        return ExitCode::FAILURE;
    }
    let cache_dir = if args.no_cache {
        None
    } else {
        Some(
            args.cache_dir
                .clone()
                .unwrap_or_else(|| args.dir.join(".opsbook-cache")),
        )
    };
    let options = BuildOptions {
        root: args.dir.clone(),
        out: args.output.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        offline: args.offline,
        now: args.now,
        cache_dir,
    };
    let started = std::time::Instant::now();
    match build::build(&options) {
        Ok(report) => {
            if !args.quiet {
                if let Some(inferred) = &report.inferred {
                    eprintln!("{inferred}");
                }
                print_diagnostics(&report.warnings);
            }
            if args.timings {
                for (stage, time) in &report.timings {
                    eprintln!("  {stage:<10} {:>8.1} ms", time.as_secs_f64() * 1000.0);
                }
            }
            if !args.quiet {
                let warnings = match report.warnings.len() {
                    0 => String::new(),
                    1 => ", 1 warning".to_string(),
                    n => format!(", {n} warnings"),
                };
                let unchanged = match report.reused {
                    0 => String::new(),
                    n => format!(", {n} unchanged"),
                };
                eprintln!(
                    "Built {} pages ({} files{unchanged}) into `{}` in {} ms{warnings}",
                    report.pages,
                    report.files,
                    report.out.display(),
                    started.elapsed().as_millis()
                );
                if report.left_out + report.drafts > 0 {
                    eprintln!("{}", markdown_summary(&report));
                }
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            let shown: Vec<Diagnostic> = if args.quiet {
                failure
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .cloned()
                    .collect()
            } else {
                failure.diagnostics.clone()
            };
            print_diagnostics(&shown);
            let errors = failure.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "Build failed with {errors} error{}; the output folder was left as it was.",
                if errors == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
    }
}

/// `312 markdown files: 296 pages, 2 drafts left out, 14 left out: run …`.
fn markdown_summary(report: &build::BuildReport) -> String {
    let pages = report.markdown_files - report.left_out - report.drafts;
    let mut parts = vec![format!(
        "{} markdown files: {pages} pages",
        report.markdown_files
    )];
    match report.drafts {
        0 => {}
        1 => parts.push("1 draft left out".into()),
        n => parts.push(format!("{n} drafts left out")),
    }
    if report.left_out > 0 {
        parts.push(format!(
            "{} left out: run `opsbook check` for the list",
            report.left_out
        ));
    }
    parts.join(", ")
}

fn run_check(args: CheckArgs) -> ExitCode {
    let report = check::run(&check::CheckOptions {
        root: args.dir.clone(),
        alert_rules: args.alert_rules,
        strict: args.strict,
        now: args.now,
    });
    let colour = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // Written with errors ignored: a closed pipe is not a failure of the check.
    let mut out = std::io::stdout().lock();
    let _ = check::format::write(&report, args.format, &args.dir, colour, &mut out);
    if args.format != check::format::Format::Human {
        eprintln!("{}", check::format::summary(&report));
    }
    ExitCode::from(report.exit_code())
}

fn run_new(args: NewArgs) -> ExitCode {
    let page = scaffold::new::NewPage {
        root: args.dir,
        kind: args.kind,
        title: args.title,
        services: args.services,
        severity: args.severity,
        today: build::today(args.now),
    };
    match scaffold::new::create(&page) {
        Ok(path) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_init(args: InitArgs) -> ExitCode {
    if let Some(handbook) = &args.from {
        return write_inferred_config(handbook);
    }
    match scaffold::init::create(&args.dir, args.force, build::today(args.now)) {
        Ok(created) => {
            for path in &created.kept {
                eprintln!("kept `{}`: it already exists", path.display());
            }
            eprintln!(
                "Created a handbook in `{}` ({} files). Next: `opsbook serve {}`",
                args.dir.display(),
                created.written.len(),
                args.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `init --from`: the inferred opsbook.toml, written beside the handbook's files; never over
/// an existing one.
fn write_inferred_config(handbook: &Path) -> ExitCode {
    if !handbook.is_dir() {
        eprintln!("error: `{}` is not a folder", handbook.display());
        return ExitCode::from(2);
    }
    let path = handbook.join("opsbook.toml");
    let text = opsbook::source::inferred_config(handbook);
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()));
    match created {
        Ok(()) => {
            eprintln!(
                "Wrote `{}`: what opsbook inferred, broken links as warnings. Next: `opsbook check {}`",
                path.display(),
                handbook.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: `{}` exists already; it was left as it is",
                path.display()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}

fn run_search(args: SearchArgs) -> ExitCode {
    let (dir, query) = match args.words.as_slice() {
        [query] => (PathBuf::from("."), query.clone()),
        [dir, query] => (PathBuf::from(dir), query.clone()),
        _ => unreachable!("clap takes one or two words"),
    };
    let options = BuildOptions {
        cache_dir: Some(
            args.cache_dir
                .clone()
                .unwrap_or_else(|| dir.join(".opsbook-cache")),
        ),
        root: dir,
        ..BuildOptions::default()
    };
    let index = match build::index::fresh_search_index(&options) {
        Ok((index, rebuilt)) => {
            if rebuilt && !args.json {
                eprintln!("Indexed the handbook.");
            }
            index
        }
        Err(problems) => {
            print_diagnostics(&problems);
            eprintln!("Cannot search: the handbook could not be read.");
            return ExitCode::from(2);
        }
    };
    let filters = search::Filters {
        kind: args.kind,
        service: args.service,
        severity: args.severity,
    };
    let hits =
        match search::Searcher::open(&index).and_then(|s| s.search(&query, &filters, args.limit)) {
            Ok(hits) => hits,
            Err(e) => {
                eprintln!("error: cannot search `{}`: {e}", index.display());
                return ExitCode::from(2);
            }
        };
    // Written with errors ignored: a closed pipe (`| head`) is not a failure of the search.
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::to_string_pretty(&hits).unwrap_or_else(|_| "[]".into());
        let _ = writeln!(out, "{json}");
    } else if hits.is_empty() {
        eprintln!("No results for \"{}\".", shown(&query));
    } else {
        // Titles and snippets come from the handbook: shown with their control characters
        // escaped, so that none reaches the terminal.
        for hit in &hits {
            let section = if hit.section.is_empty() {
                String::new()
            } else {
                format!(" › {}", shown(&hit.section))
            };
            let (title, kind) = (shown(&hit.title), shown(&hit.kind));
            let (url, snippet) = (shown(&hit.url), shown(&hit.snippet));
            let _ = writeln!(out, "{title}{section}  [{kind}]\n  {url}\n  {snippet}\n");
        }
    }
    ExitCode::SUCCESS
}

fn run_serve(args: ServeArgs) -> ExitCode {
    let options = opsbook::serve::ServeOptions {
        root: args.dir,
        port: args.port,
        bind: args.bind,
        open: args.open,
        poll: args.poll,
        drafts: args.drafts,
        print: print_diagnostics,
    };
    match opsbook::serve::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Prints problems sorted by file and line, coloured only on a terminal without NO_COLOR.
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by(|a, b| (&a.location, &a.message).cmp(&(&b.location, &b.message)));
    for (diagnostic, hidden) in opsbook::diagnostic::shown_per_file(&sorted) {
        let text = diagnostic.to_string();
        if colour {
            let code = if diagnostic.level == Level::Error {
                "31"
            } else {
                "33"
            };
            let (head, rest) = text.split_once(": ").unwrap_or((&text, ""));
            eprintln!("\x1b[1;{code}m{head}\x1b[0m: {rest}");
        } else {
            eprintln!("{text}");
        }
        if hidden > 0 {
            eprintln!(
                "{}",
                opsbook::diagnostic::hidden_line(diagnostic.location.as_ref(), hidden)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
