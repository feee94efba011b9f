//! `opsbook check`: reads the handbook as `build` does — config, content, model, markdown,
//! templates — without writing anything, then applies the rules only a linter needs (review
//! dates, postmortem sections, action items, orphans, alert coverage…).
//!
//! Every finding is a [`Diagnostic`] with a rule id (see [`RULES`]); `[checks] rules` in
//! `opsbook.toml` changes a rule's level or turns it off. This module decides levels and the
//! exit status; [`format`] prints. It must never write into the handbook or the output folder.

pub(crate) mod alerts;
pub mod format;
mod links;
mod recurrence;
mod rules;

use std::path::{Path, PathBuf};

use crate::build::{self, BuildOptions};
use crate::config::{Config, RuleLevel};
use crate::dates::DateTime;
use crate::diagnostic::{Diagnostic, Diagnostics, Level, Location};
use crate::highlight::Highlighter;
use crate::paths::HandbookPath;

/// One rule `check` knows: its id, its level unless configured, and what it finds.
pub struct Rule {
    pub id: &'static str,
    pub level: Level,
    pub finds: &'static str,
}

const fn rule(id: &'static str, level: Level, finds: &'static str) -> Rule {
    Rule { id, level, finds }
}

use Level::{Error as E, Warning as W};

/// Every rule id. Findings of `build` itself keep the level `build` gave them (for instance
/// `[build] broken_links = "warn"`); the level here is for the rules `check` adds.
pub const RULES: &[Rule] = &[
    rule("config", E, "`opsbook.toml` cannot be read or is invalid"),
    rule(
        "unknown-rule",
        E,
        "`[checks] rules` names a rule that does not exist",
    ),
    rule(
        "front-matter",
        E,
        "front matter that is not valid TOML or YAML, or never closed",
    ),
    rule(
        "invalid-field",
        E,
        "a known field with a bad value: a bad date, an unknown enum value, a wrong type",
    ),
    rule(
        "unknown-field",
        W,
        "a field opsbook does not know (kept as `page.extra`), with a did-you-mean hint",
    ),
    rule(
        "foreign-field",
        W,
        "another tool's field whose value opsbook cannot read (`review_in: soon`)",
    ),
    rule(
        "date-without-zone",
        W,
        "a date-time another tool wrote without a time zone, read as UTC",
    ),
    rule(
        "missing-field",
        E,
        "a field the page's kind requires is missing",
    ),
    rule(
        "content",
        E,
        "a content file that cannot be read (not UTF-8, unreadable, a name that is not UTF-8)",
    ),
    rule(
        "nul-character",
        W,
        "a NUL character in a file, replaced with U+FFFD",
    ),
    rule(
        "url-conflict",
        E,
        "two files want the same URL, or one path as a file and as a folder",
    ),
    rule(
        "generated-url-taken",
        W,
        "a page at the URL of generated pages (`search/`, `reviews/`, `tags/`…), which move aside",
    ),
    rule(
        "left-out",
        W,
        "a markdown file of the handbook that is no page, with the reason",
    ),
    rule("bad-alias", E, "an alias that leaves the site or is taken"),
    rule(
        "broken-link",
        E,
        "a link to a page or file that does not exist, or a rooted link to no page, alias or file",
    ),
    rule(
        "broken-anchor",
        E,
        "a link to a heading id the target page does not have",
    ),
    rule(
        "template",
        E,
        "a template that does not parse or links to nothing, or a page naming no template",
    ),
    rule(
        "review-overdue",
        W,
        "a runbook or process past its review date",
    ),
    rule("runbook-no-owner", W, "a runbook with no `owners`"),
    rule(
        "undeclared-placeholder",
        E,
        "a `<<name>>` placeholder in a runbook's code or link URLs that no parameter declares",
    ),
    rule(
        "unused-parameter",
        W,
        "a runbook parameter that no `<<name>>` placeholder uses",
    ),
    rule(
        "placeholder-in-prose",
        W,
        "a `<<name>>` placeholder in a runbook's prose, where it is not filled in",
    ),
    rule(
        "bad-parameter",
        E,
        "a runbook parameter whose name cannot be a placeholder's, or is declared twice",
    ),
    rule("duplicate-alert", E, "one alert declared by two runbooks"),
    rule(
        "alert-url-taken",
        W,
        "a page at an alert's address (`/alerts/NAME/`) that is not the alert's runbook",
    ),
    rule(
        "unknown-component",
        E,
        "an incident naming a component not declared in `[[status.components]]`",
    ),
    rule(
        "unknown-incident",
        E,
        "a postmortem naming an incident file that does not exist",
    ),
    rule(
        "unknown-factor",
        E,
        "a postmortem trigger or contributing factor not in the vocabulary (`[postmortems]` in `opsbook.toml`)",
    ),
    rule(
        "unknown-related",
        E,
        "a postmortem's `related` entry naming no postmortem or status incident, or itself",
    ),
    rule(
        "recurring-factor",
        W,
        "one factor hitting one service again within `[checks] recurrence_days`",
    ),
    rule(
        "incident-update-order",
        E,
        "incident updates out of time order, or before the incident started",
    ),
    rule(
        "incident-resolved-before-start",
        E,
        "an incident resolved before it started",
    ),
    rule(
        "invalid-recurrence",
        E,
        "a maintenance `recurrence` that is no iCalendar RRULE, or a `timezone` that is no IANA zone",
    ),
    rule(
        "slo-not-observed",
        W,
        "a component with an `slo` that no incident or maintenance names and no `observed_since` dates",
    ),
    rule(
        "incident-ongoing",
        W,
        "an incident still open after `ongoing_incident_max_days`",
    ),
    rule(
        "postmortem-missing",
        E,
        "a resolved incident whose impact needs a postmortem, with none naming it",
    ),
    rule(
        "postmortem-section-missing",
        E,
        "a postmortem without one of the `postmortem_sections` headings",
    ),
    rule(
        "postmortem-no-action-items",
        E,
        "a published postmortem with no action items",
    ),
    rule(
        "action-item-no-owner",
        W,
        "an action item without an `@owner`",
    ),
    rule(
        "action-item-overdue",
        W,
        "an open action item past its `due` date",
    ),
    rule(
        "orphan-page",
        W,
        "a page no other page links to and no section list shows",
    ),
    rule(
        "duplicate-title",
        W,
        "two pages with the same title in one section",
    ),
    rule(
        "alert-rules-file",
        E,
        "an `--alert-rules` file that is not a Prometheus rule file",
    ),
    rule(
        "alert-no-runbook",
        E,
        "an alerting rule no runbook declares in `alerts`",
    ),
    rule(
        "alert-runbook-url",
        E,
        "an alerting rule whose `runbook_url` is missing or is not the alert's URL on this site",
    ),
    rule(
        "alert-url-parameter",
        E,
        "a `runbook_url` query key that the alert's runbook does not declare as a parameter",
    ),
    rule(
        "alert-url-label",
        E,
        "a `{{ $labels.x }}` in a `runbook_url` for a label the alert cannot carry",
    ),
    rule(
        "alert-undefined",
        W,
        "a runbook declaring an alert that no `--alert-rules` file defines",
    ),
    rule("build", E, "any other problem `build` reports"),
];

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub root: PathBuf,
    /// Prometheus / Alertmanager rule files to check alert coverage against.
    pub alert_rules: Vec<PathBuf>,
    /// Every warning becomes an error.
    pub strict: bool,
    /// "Today" for review dates and due dates.
    pub now: Option<DateTime>,
}

/// Everything `check` found, sorted by file, line and column.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Diagnostic>,
    /// The handbook could not be read at all (exit status 2).
    pub unreadable: bool,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    /// 0 clean or warnings only, 1 errors, 2 the handbook could not be read.
    pub fn exit_code(&self) -> u8 {
        match (self.unreadable, self.errors()) {
            (true, _) => 2,
            (false, 0) => 0,
            _ => 1,
        }
    }
}

/// Checks the handbook at `options.root`.
pub fn run(options: &CheckOptions) -> Report {
    let build_options = BuildOptions {
        root: options.root.clone(),
        ..BuildOptions::default()
    };
    let loaded = match build::load(&build_options, Default::default()) {
        Ok(loaded) => loaded,
        Err(problems) => return unreadable(problems, options),
    };
    let today = build::today(options.now);
    let mut assembled = build::assemble(loaded, options.now, false);
    // The cache a previous build left makes highlighting cheap; check never writes it.
    let highlighter = Highlighter::new(Some(options.root.join(".opsbook-cache")));
    assembled.render_markdown(&highlighter, &mut Default::default());
    let mut diagnostics = std::mem::take(&mut assembled.diagnostics);
    let site = &assembled.site;
    let templates = build::load_templates(&site.config, &assembled.handbook);
    let generated = crate::ops::generate(site, crate::dates::now(options.now));
    let search_page = site.config.search
        && templates
            .as_ref()
            .map_or(true, |t| t.has_template("search.html"));
    let contents = build::Contents::plan(
        site,
        &generated,
        search_page,
        (&assembled.statics, &assembled.handbook),
        highlighter.stylesheets(),
    );
    // What build would refuse, or say, about outputs in each other's way.
    diagnostics.extend(contents.conflicts(site, &generated, search_page, &assembled.handbook.root));
    let urls = build::KnownUrls::new(site, &contents);
    match &templates {
        Ok(renderer) => {
            links::template_links(&urls, &options.root, &mut diagnostics);
            diagnostics.extend(build::missing_templates(site, renderer));
        }
        Err(problems) => diagnostics.extend(problems.iter().cloned()),
    }
    let policy = site.config.checks.clone();
    let context = rules::Context {
        site,
        policy: &policy,
        today,
        urls: &urls,
    };
    rules::run_all(&context, &mut diagnostics);
    recurrence::recurring_factors(site, &mut diagnostics);
    for left_out in assembled.left_out.iter().filter(|l| !l.known) {
        diagnostics.push(finding(
            "left-out",
            Location::file(&left_out.file),
            format!("no page: {}", left_out.why),
        ));
    }
    unknown_rules(&site.config, &options.root, &mut diagnostics);
    let mut unreadable_rules = false;
    if !options.alert_rules.is_empty() {
        match alerts::read_all(&options.alert_rules, &mut diagnostics) {
            Ok(rules) => alerts::check_coverage(site, &rules, &policy, &mut diagnostics),
            Err(problem) => {
                diagnostics.push(problem);
                unreadable_rules = true;
            }
        }
    }
    let findings = without_links_to_unreadable_pages(diagnostics.into_vec());
    let content = assembled.handbook.content.clone();
    let mut report = finish(findings, &site.config, &content, options);
    report.unreadable = unreadable_rules;
    report
}

/// A page whose front matter is wrong is left out of the site, so links to it are broken too;
/// its own error says what to fix, and one finding per link would bury it.
fn without_links_to_unreadable_pages(findings: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let unreadable: Vec<String> = findings
        .iter()
        .filter(|d| d.is_error() && matches!(d.rule, Some("front-matter" | "invalid-field")))
        .filter_map(|d| d.location.as_ref())
        .map(|l| format!("no page or file at `{}`", l.path.display()))
        .collect();
    if unreadable.is_empty() {
        return findings;
    }
    findings
        .into_iter()
        .filter(|d| {
            d.rule != Some("broken-link") || !unreadable.iter().any(|u| d.message.ends_with(u))
        })
        .collect()
}

fn unreadable(problems: Vec<Diagnostic>, options: &CheckOptions) -> Report {
    let content = HandbookPath::new("content");
    let mut report = finish(problems, &Config::default(), &content, options);
    report.unreadable = true;
    report
}

/// Names every finding's rule, applies `[checks] rules` and `--strict`, and sorts.
fn finish(
    findings: Vec<Diagnostic>,
    config: &Config,
    content: &HandbookPath,
    options: &CheckOptions,
) -> Report {
    let mut kept: Vec<Diagnostic> = findings
        .into_iter()
        .filter_map(|mut finding| {
            let rule = finding
                .rule
                .unwrap_or_else(|| default_rule(&finding, content));
            finding.rule = Some(rule);
            match config.checks.rules.get(rule) {
                Some(RuleLevel::Off) => return None,
                Some(RuleLevel::Error) => finding.level = Level::Error,
                Some(RuleLevel::Warning) => finding.level = Level::Warning,
                None => {}
            }
            if options.strict {
                finding.level = Level::Error;
            }
            Some(finding)
        })
        .collect();
    kept.sort_by(|a, b| (&a.location, a.rule, &a.message).cmp(&(&b.location, b.rule, &b.message)));
    kept.dedup();
    Report {
        findings: kept,
        unreadable: false,
    }
}

/// The rule of a finding whose finder named none, by the file it is about.
fn default_rule(finding: &Diagnostic, content: &HandbookPath) -> &'static str {
    let Some(location) = &finding.location else {
        return "build";
    };
    let path = HandbookPath::new(crate::paths::slashed(&location.path));
    if path.as_str() == crate::config::CONFIG_FILE {
        "config"
    } else if matches!(path.top(), "templates" | "themes") {
        "template"
    } else if path.inside(content).is_some() || path.top() == "content" {
        "content"
    } else {
        "build"
    }
}

/// The level a rule has unless `[checks] rules` says otherwise.
pub(crate) fn default_level(id: &str) -> Option<Level> {
    RULES.iter().find(|r| r.id == id).map(|r| r.level)
}

/// A finding of `check`'s own rules, at its default level.
pub(crate) fn finding(
    id: &'static str,
    location: Location,
    message: impl Into<String>,
) -> Diagnostic {
    let diagnostic = match default_level(id) {
        Some(Level::Warning) => Diagnostic::warning(Some(location), message),
        _ => Diagnostic::error(Some(location), message),
    };
    diagnostic.with_rule(id)
}

fn unknown_rules(config: &Config, root: &Path, diagnostics: &mut Diagnostics) {
    let text = std::fs::read_to_string(root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
    for id in config.checks.rules.keys() {
        if default_level(id).is_some() {
            continue;
        }
        let (line, column) = position_of(&text, id);
        let mut problem = finding(
            "unknown-rule",
            Location::at(crate::config::CONFIG_FILE, line, column),
            format!("`[checks] rules` names unknown rule `{id}`"),
        );
        if let Some(close) = crate::diagnostic::did_you_mean(id, RULES.iter().map(|r| r.id)) {
            problem = problem.with_hint(format!("did you mean `{close}`?"));
        }
        diagnostics.push(problem);
    }
}

/// 1-based line and column of the first `needle` in `text`, `(0, 0)` when absent.
pub(crate) fn position_of(text: &str, needle: &str) -> (usize, usize) {
    text.find(needle).map_or((0, 0), |offset| {
        crate::diagnostic::LineIndex::new(text).position(text, offset)
    })
}
