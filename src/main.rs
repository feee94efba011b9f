//! The `opsbook` command line: parses arguments, runs a command, prints what happened.
//! Messages go to stderr, data to stdout; every problem is printed from here.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod cli;
mod generate;

use clap::Parser;
use cli::{BuildArgs, CheckArgs, Cli, Command, InitArgs, ManArgs, NewArgs, SearchArgs, ServeArgs};
use opsbook::build::{self, BuildOptions};
use opsbook::check;
use opsbook::diagnostic::{shown, Diagnostic, Level};
use opsbook::scaffold;
use opsbook::search;

// A build allocates millions of small strings on all cores; mimalloc handles that markedly
// faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A build frees and reuses memory at a high rate: with transparent huge pages the kernel
    // zeroes 2 MB at each fault, which cost a 10,000-page build a second of system time and 9%
    // more peak memory. It only changes how memory is mapped, so a refusal changes nothing else.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Serve(args) => run_serve(args),
        Command::Search(args) => run_search(args),
        Command::Check(args) => run_check(args),
        Command::New(args) => run_new(args),
        Command::Init(args) => run_init(args),
        Command::Completions(args) => print_bytes(&generate::completions(args.shell)),
        Command::Man(args) => run_man(args),
    }
}

/// Writes `bytes` to stdout with errors ignored: a closed pipe is not a failure.
fn print_bytes(bytes: &[u8]) -> ExitCode {
    let _ = std::io::stdout().lock().write_all(bytes);
    ExitCode::SUCCESS
}

fn run_man(args: ManArgs) -> ExitCode {
    let Some(dir) = args.output_dir else {
        return print_bytes(&generate::man_page());
    };
    match generate::man_pages(&dir) {
        Ok(written) => {
            eprintln!("Wrote {} man pages into `{}`", written.len(), dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
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
    let results = match search::Searcher::open(&index)
        .and_then(|s| s.pages(&query, &filters, args.limit, false))
    {
        Ok(results) => results,
        Err(e) => {
            eprintln!("error: cannot search `{}`: {e}", index.display());
            return ExitCode::from(2);
        }
    };
    // Written with errors ignored: a closed pipe (`| head`) is not a failure of the search.
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::to_string_pretty(&results).unwrap_or_else(|_| "{}".into());
        let _ = writeln!(out, "{json}");
        return ExitCode::SUCCESS;
    }
    // Titles, headings and snippets come from the handbook: shown with their control characters
    // escaped, so that none reaches the terminal.
    if let Some(showing) = &results.showing {
        let _ = writeln!(out, "Showing results for \"{}\".\n", shown(showing));
    }
    if results.pages.is_empty() {
        eprintln!("No results for \"{}\".", shown(&query));
    }
    for page in &results.pages {
        let (title, kind, url) = (shown(&page.title), shown(&page.kind), shown(&page.url));
        let _ = writeln!(out, "{title}  [{kind}]\n  {url}");
        for hit in &page.sections {
            let heading = if hit.path.is_empty() {
                String::new()
            } else {
                format!("{}\n    ", shown(&hit.path.join(" › ")))
            };
            let _ = writeln!(out, "  - {heading}{}", shown(&hit.snippet));
        }
        let _ = writeln!(out);
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
