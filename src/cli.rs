//! The command line's definitions: every command, argument and help text, in one place, so
//! that the parser, the shell completions and the man pages (`generate.rs`) never disagree.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use opsbook::check;
use opsbook::dates::DateTime;
use opsbook::scaffold;
use opsbook::search;

/// `0.1.0 (1a2b3c4d5)`: the crate's version and the commit it was built from, when the build
/// could tell (build.rs).
pub(crate) const VERSION: &str = env!("OPSBOOK_VERSION");

#[derive(Parser, Debug)]
#[command(
    name = "opsbook",
    version = VERSION,
    about = "Operations handbooks — runbooks, processes, postmortems and status history — as a fast static site."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
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
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page, or write one page per command into a folder.
    Man(ManArgs),
}

#[derive(Args, Debug)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for. Bash: `opsbook completions bash >
    /// ~/.local/share/bash-completion/completions/opsbook`; zsh: into a folder of `$fpath` as
    /// `_opsbook`; fish: `~/.config/fish/completions/opsbook.fish`; PowerShell: add the output to
    /// `$PROFILE`.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub(crate) struct ManArgs {
    /// Write `opsbook.1` and a page per command (`opsbook-build.1`, …) into this folder instead
    /// of printing `opsbook.1`.
    #[arg(long, value_name = "DIR")]
    pub(crate) output_dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct NewArgs {
    /// What to create.
    #[arg(value_enum)]
    pub(crate) kind: scaffold::new::NewKind,
    /// The page's title; the file is named after it.
    pub(crate) title: String,
    /// The handbook folder (holds opsbook.toml and content/).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// A service the page is about (incidents: a status component id); repeat for more.
    #[arg(long = "service", value_name = "SERVICE")]
    pub(crate) services: Vec<String>,
    /// sev1 … sev4 [default: sev3]; an incident's impact follows it (sev1 critical, sev2 major, else minor).
    #[arg(long)]
    pub(crate) severity: Option<String>,
    /// The date used as "today" (YYYY-MM-DD or RFC 3339) [default: SOURCE_DATE_EPOCH, else the clock].
    #[arg(long, value_parser = parse_date)]
    pub(crate) now: Option<DateTime>,
}

#[derive(Args, Debug)]
pub(crate) struct InitArgs {
    /// Where to create the handbook (created when missing).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// Write into a folder that is not empty; existing files are still never replaced.
    #[arg(long)]
    pub(crate) force: bool,
    /// The date used as "today" (YYYY-MM-DD or RFC 3339) [default: SOURCE_DATE_EPOCH, else the clock].
    #[arg(long, value_parser = parse_date)]
    pub(crate) now: Option<DateTime>,
    /// Write only the opsbook.toml that `build` infers for this existing handbook (Hugo, MkDocs,
    /// Docusaurus, cState, a folder of markdown), so it can be adjusted.
    #[arg(long, value_name = "HANDBOOK", conflicts_with_all = ["dir", "force"])]
    pub(crate) from: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// The handbook folder (holds opsbook.toml and content/).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// How to print findings: grouped by file, one JSON document, or GitHub annotations.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: check::format::Format,
    /// Treat every warning as an error (review dates, unknown fields, …).
    #[arg(long)]
    pub(crate) strict: bool,
    /// Prometheus / Alertmanager rule files: report alerts without a runbook, `runbook_url`s
    /// that are not the alert's page on this site, and runbook alerts no rule defines.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub(crate) alert_rules: Vec<PathBuf>,
    /// The date used as "today" for review and due dates (YYYY-MM-DD or RFC 3339) [default: SOURCE_DATE_EPOCH, else the clock].
    #[arg(long, value_parser = parse_date)]
    pub(crate) now: Option<DateTime>,
}

#[derive(Args, Debug)]
pub(crate) struct BuildArgs {
    /// The handbook folder (holds opsbook.toml and content/).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// Output folder [default: DIR/public].
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
    /// Override base_url from opsbook.toml, e.g. https://example.org/handbook/.
    #[arg(long)]
    pub(crate) base_url: Option<String>,
    /// Include pages marked `draft = true`.
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Make a site that works opened from disk (file://), search included: relative links that
    /// name index.html.
    #[arg(long)]
    pub(crate) offline: bool,
    /// "Now" for review dates and the status page (YYYY-MM-DD, meaning midnight UTC, or RFC 3339) [default: SOURCE_DATE_EPOCH, else the clock].
    #[arg(long, value_parser = parse_date)]
    pub(crate) now: Option<DateTime>,
    /// Folder for the highlighted-code cache [default: DIR/.opsbook-cache].
    #[arg(long)]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Do not read or write the highlighted-code cache.
    #[arg(long)]
    pub(crate) no_cache: bool,
    /// Print how long each stage took.
    #[arg(long)]
    pub(crate) timings: bool,
    /// Print errors only.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

#[derive(Args, Debug)]
pub(crate) struct SearchArgs {
    /// [DIR] QUERY: the handbook folder (default `.`) and what to look for.
    #[arg(required = true, num_args = 1..=2, value_names = ["DIR", "QUERY"])]
    pub(crate) words: Vec<String>,
    /// Only pages of this kind (runbook, process, postmortem, incident, page).
    #[arg(long)]
    pub(crate) kind: Option<String>,
    /// Only pages about this service.
    #[arg(long)]
    pub(crate) service: Option<String>,
    /// Only pages of this severity (sev1 … sev4).
    #[arg(long)]
    pub(crate) severity: Option<String>,
    /// How many results, 1 to 10000.
    #[arg(long, default_value_t = 10, value_parser = parse_limit)]
    pub(crate) limit: usize,
    /// Print a JSON array (url, title, section, kind, score, snippet), best first.
    #[arg(long)]
    pub(crate) json: bool,
    /// Folder of the index and caches [default: DIR/.opsbook-cache].
    #[arg(long)]
    pub(crate) cache_dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// The handbook folder (holds opsbook.toml and content/).
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// Port to listen on [default: 1111, else the next free one].
    #[arg(short, long)]
    pub(crate) port: Option<u16>,
    /// Address to listen on; 0.0.0.0 shows the preview to your network.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) bind: std::net::IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    pub(crate) open: bool,
    /// Look for changes every 500 ms instead of waiting for file system events (network
    /// mounts, WSL2, containers).
    #[arg(long)]
    pub(crate) poll: bool,
    /// Include pages marked `draft = true`.
    #[arg(long)]
    pub(crate) drafts: bool,
}

pub(crate) fn parse_date(text: &str) -> Result<DateTime, String> {
    DateTime::parse(text)
}

/// `--limit`: 1 to [`search::MAX_LIMIT`] (a usage error otherwise, exit 2).
pub(crate) fn parse_limit(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(limit) if (1..=search::MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(format!(
            "expected a whole number from 1 to {}",
            search::MAX_LIMIT
        )),
    }
}
