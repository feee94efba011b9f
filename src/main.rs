//! The `opsbook` command line: parses arguments, runs a command, prints what happened.
//! Messages go to stderr, data to stdout; every problem is printed from here.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use opsbook::build::{self, BuildOptions};
use opsbook::dates::DateTime;
use opsbook::diagnostic::{Diagnostic, Level};

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
    /// The date used as "today" for review dates (YYYY-MM-DD or RFC 3339) [default: SOURCE_DATE_EPOCH, else the clock].
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

fn parse_date(text: &str) -> Result<DateTime, String> {
    DateTime::parse(text)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => run_build(args),
    }
}

fn run_build(args: BuildArgs) -> ExitCode {
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
        now: args.now,
        cache_dir,
    };
    let started = std::time::Instant::now();
    match build::build(&options) {
        Ok(report) => {
            if !args.quiet {
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

/// Prints problems sorted by file and line, coloured only on a terminal without NO_COLOR.
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by(|a, b| (&a.location, &a.message).cmp(&(&b.location, &b.message)));
    for diagnostic in sorted {
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
