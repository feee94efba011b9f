//! Prints a check [`Report`]: `human` (grouped by file), `github` (workflow commands GitHub turns
//! into annotations on the pull request) or `json` (one document, schema version 1, described
//! in the README and in `schemas/check-report.v1.json`).

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use super::Report;
use crate::diagnostic::{shown, Diagnostic, Level};

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

/// The version of the JSON document; raised only when a field changes meaning or goes away.
pub(crate) const JSON_VERSION: u32 = 1;

/// Writes `report` to `out`. `dir` is the handbook folder as given on the command line: GitHub
/// wants paths from the repository root, so annotations name files under it.
pub fn write(
    report: &Report,
    format: Format,
    dir: &Path,
    colour: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human(report, colour, out),
        Format::Github => github(report, dir, out),
        Format::Json => json(report, out),
    }
}

fn label(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
    }
}

fn human(report: &Report, colour: bool, out: &mut dyn Write) -> io::Result<()> {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut current: Option<String> = None;
    let findings: Vec<&Diagnostic> = report.findings.iter().collect();
    for (finding, hidden) in crate::diagnostic::shown_per_file(&findings) {
        let file = finding
            .location
            .as_ref()
            .map(|l| shown(&l.path.to_string_lossy()).into_owned())
            .unwrap_or_else(|| "(handbook)".to_string());
        if current.as_deref() != Some(file.as_str()) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", paint("1", &file))?;
            current = Some(file);
        }
        let place = finding
            .location
            .as_ref()
            .filter(|l| l.line > 0)
            .map(|l| format!("{}:{}", l.line, l.column.max(1)))
            .unwrap_or_else(|| "-".to_string());
        let level = match finding.level {
            Level::Error => paint("1;31", "error"),
            Level::Warning => paint("1;33", "warning"),
        };
        let rule = paint("2", &format!("[{}]", finding.rule.unwrap_or("build")));
        let message = shown(&finding.message);
        writeln!(out, "  {place:>7}  {level}: {message} {rule}")?;
        if let Some(hint) = &finding.hint {
            writeln!(out, "           {} {}", paint("36", "hint:"), shown(hint))?;
        }
        if hidden > 0 {
            writeln!(
                out,
                "  {}",
                paint("2", &format!("… and {hidden} more, not shown"))
            )?;
        }
    }
    if !report.findings.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "{}", summary(report))
}

/// `2 errors, 1 warning` or `No problems found.`
pub fn summary(report: &Report) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if report.findings.is_empty() {
        "No problems found.".to_string()
    } else {
        format!(
            "{}, {}.",
            plural(report.errors(), "error"),
            plural(report.warnings(), "warning")
        )
    }
}

/// One workflow command per finding:
/// `::error file=content/x.md,line=3,col=5,title=broken-link::message`.
fn github(report: &Report, dir: &Path, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        writeln!(out, "{}", github_line(finding, dir))?;
    }
    Ok(())
}

pub(crate) fn github_line(finding: &Diagnostic, dir: &Path) -> String {
    let mut properties = Vec::new();
    if let Some(location) = &finding.location {
        let in_rule_file = finding
            .rule
            .is_some_and(|r| super::alerts::RULE_FILE_RULES.contains(&r));
        let path = if in_rule_file || dir == Path::new(".") || dir.as_os_str().is_empty() {
            location.path.clone()
        } else {
            dir.join(&location.path)
        };
        properties.push(format!(
            "file={}",
            escape_property(&shown(&path.to_string_lossy().replace('\\', "/")))
        ));
        if location.line > 0 {
            properties.push(format!("line={}", location.line));
            properties.push(format!("col={}", location.column.max(1)));
        }
    }
    properties.push(format!(
        "title={}",
        escape_property(finding.rule.unwrap_or("build"))
    ));
    // Control characters of the message are shown escaped, as in the other formats; the one
    // line break left, before the hint, becomes GitHub's `%0A`.
    let mut message = shown(&finding.message).into_owned();
    if let Some(hint) = &finding.hint {
        message = format!("{message}\nhint: {}", shown(hint));
    }
    format!(
        "::{} {}::{}",
        label(finding.level),
        properties.join(","),
        escape_data(&message)
    )
}

/// GitHub's escaping for the message of a workflow command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping for a property value (`file=`, `title=`): also `:` and `,`, which end it.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    counts: Counts,
}

#[derive(Serialize)]
struct Counts {
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    level: &'static str,
    message: &'a str,
    hint: Option<&'a str>,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
}

fn json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let document = JsonReport {
        version: JSON_VERSION,
        findings: report
            .findings
            .iter()
            .map(|f| {
                let located = f.location.as_ref().filter(|l| l.line > 0);
                JsonFinding {
                    rule: f.rule.unwrap_or("build"),
                    level: label(f.level),
                    message: &f.message,
                    hint: f.hint.as_deref(),
                    file: f
                        .location
                        .as_ref()
                        .map(|l| l.path.to_string_lossy().replace('\\', "/")),
                    line: located.map(|l| l.line),
                    column: located.map(|l| l.column.max(1)),
                }
            })
            .collect(),
        counts: Counts {
            errors: report.errors(),
            warnings: report.warnings(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    #[test]
    fn a_github_annotation_is_one_line_whatever_the_finding_holds() {
        let finding = Diagnostic::warning(
            Some(Location::at("content/a,b:c%.md", 3, 5)),
            "unknown field `x\n::error file=README.md,line=1::X` (100%)\r\u{1b}[2J",
        )
        .with_hint("did you mean `y`?")
        .with_rule("unknown-field");
        let line = github_line(&finding, Path::new("."));
        assert_eq!(
            line,
            "::warning file=content/a%2Cb%3Ac%25.md,line=3,col=5,title=unknown-field::\
             unknown field `x\\n::error file=README.md,line=1::X` (100%25)\\r\\u{1b}[2J\
             %0Ahint: did you mean `y`?"
        );
    }
}
