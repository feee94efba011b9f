//! `opsbook check`: one fixture handbook per rule under `tests/fixtures/check/`, each with the
//! exact findings it must give (rule, level, file, line, column), in all three formats.

use std::path::Path;
use std::process::Command;

use crate::support::{example_dir, fixture_dir, NOW};

/// One expected finding: level, rule, file, line, column.
type Expected = (&'static str, &'static str, &'static str, usize, usize);

/// Fixture, extra arguments, exit status, and every finding it gives.
const CASES: &[(&str, &[&str], i32, &[Expected])] = &[
    ("clean", &[], 0, &[]),
    (
        "broken-link",
        &[],
        1,
        &[("error", "broken-link", "content/about.md", 3, 5)],
    ),
    (
        "broken-link-rooted",
        &[],
        1,
        &[("error", "broken-link", "content/about.md", 6, 28)],
    ),
    (
        "broken-anchor",
        &[],
        1,
        &[
            ("error", "broken-anchor", "content/about.md", 3, 5),
            ("error", "broken-anchor", "content/about.md", 5, 6),
        ],
    ),
    (
        "front-matter",
        &[],
        1,
        &[("error", "front-matter", "content/about.md", 1, 1)],
    ),
    (
        "invalid-field",
        &[],
        1,
        &[("error", "invalid-field", "content/runbooks/disk.md", 6, 12)],
    ),
    // The page's own error, not one more for every link to it.
    (
        "link-to-invalid-page",
        &[],
        1,
        &[("error", "invalid-field", "content/runbooks/disk.md", 6, 12)],
    ),
    (
        "unknown-field",
        &[],
        0,
        &[("warning", "unknown-field", "content/runbooks/disk.md", 5, 1)],
    ),
    (
        "missing-field",
        &[],
        1,
        &[("error", "missing-field", "content/runbooks/disk.md", 2, 1)],
    ),
    (
        "url-conflict",
        &[],
        1,
        &[("error", "url-conflict", "content/b.md", 0, 0)],
    ),
    (
        "bad-alias",
        &[],
        1,
        &[("error", "bad-alias", "content/about.md", 3, 12)],
    ),
    (
        "template",
        &[],
        1,
        &[("error", "template", "templates/extra.html", 3, 12)],
    ),
    (
        "review-overdue",
        &[],
        0,
        &[(
            "warning",
            "review-overdue",
            "content/runbooks/disk.md",
            4,
            17,
        )],
    ),
    (
        "runbook-no-owner",
        &[],
        0,
        &[(
            "warning",
            "runbook-no-owner",
            "content/runbooks/disk.md",
            2,
            1,
        )],
    ),
    // Placeholders no parameter declares, in inline code, code blocks and link URLs, at their
    // columns; one in prose; parameters no placeholder uses; names that cannot be one (YAML
    // positions are those of the top-level key); TOML and YAML.
    (
        "runbook-parameters",
        &[],
        1,
        &[
            ("error", "bad-parameter", "content/runbooks/disk.md", 5, 1),
            (
                "warning",
                "unused-parameter",
                "content/runbooks/lag.md",
                12,
                8,
            ),
            ("error", "bad-parameter", "content/runbooks/lag.md", 15, 8),
            (
                "error",
                "undeclared-placeholder",
                "content/runbooks/lag.md",
                18,
                32,
            ),
            (
                "error",
                "undeclared-placeholder",
                "content/runbooks/lag.md",
                21,
                34,
            ),
            (
                "error",
                "undeclared-placeholder",
                "content/runbooks/lag.md",
                27,
                82,
            ),
            (
                "warning",
                "placeholder-in-prose",
                "content/runbooks/lag.md",
                29,
                20,
            ),
        ],
    ),
    (
        "duplicate-alert",
        &[],
        1,
        &[(
            "error",
            "duplicate-alert",
            "content/runbooks/disk.md",
            5,
            11,
        )],
    ),
    (
        "alert-url-taken",
        &[],
        0,
        &[(
            "warning",
            "alert-url-taken",
            "content/runbooks/disk.md",
            5,
            10,
        )],
    ),
    (
        "left-out",
        &[],
        0,
        &[("warning", "left-out", "content/guide/_index.md", 0, 0)],
    ),
    (
        "unknown-component",
        &[],
        1,
        &[(
            "error",
            "unknown-component",
            "content/status/2026-11-01-api-errors.md",
            3,
            15,
        )],
    ),
    (
        "unknown-incident",
        &[],
        1,
        &[(
            "error",
            "unknown-incident",
            "content/postmortems/2026-11-01-api-errors.md",
            6,
            12,
        )],
    ),
    // Factors outside the vocabulary, which the handbook extends with its own.
    (
        "unknown-factor",
        &[],
        1,
        &[
            (
                "error",
                "unknown-factor",
                "content/postmortems/2026-11-01-api-errors.md",
                6,
                13,
            ),
            (
                "error",
                "unknown-factor",
                "content/postmortems/2026-11-01-api-errors.md",
                7,
                43,
            ),
        ],
    ),
    // A name that is no postmortem or incident, and the page itself (YAML: at the key).
    (
        "unknown-related",
        &[],
        1,
        &[
            (
                "error",
                "unknown-related",
                "content/postmortems/2026-11-01-api-errors.md",
                6,
                1,
            ),
            (
                "error",
                "unknown-related",
                "content/postmortems/2026-11-01-api-errors.md",
                6,
                1,
            ),
        ],
    ),
    // `recurrence_days = 30`: October follows September after 39 days, November October after
    // 22, on `api` with `monitoring-gap` (`change`, trigger once and contributing factor once,
    // is 39 days apart too).
    (
        "recurring-factor",
        &[],
        0,
        &[(
            "warning",
            "recurring-factor",
            "content/postmortems/2026-11-01-api-errors.md",
            8,
            25,
        )],
    ),
    (
        "incident-update-order",
        &[],
        1,
        &[(
            "error",
            "incident-update-order",
            "content/status/2026-11-01-api-errors.md",
            14,
            6,
        )],
    ),
    (
        "incident-resolved-before-start",
        &[],
        1,
        &[(
            "error",
            "incident-resolved-before-start",
            "content/status/2026-11-01-api-errors.md",
            6,
            12,
        )],
    ),
    (
        "incident-ongoing",
        &[],
        0,
        &[(
            "warning",
            "incident-ongoing",
            "content/status/2026-10-01-api-errors.md",
            5,
            11,
        )],
    ),
    (
        "postmortem-missing",
        &[],
        1,
        &[(
            "error",
            "postmortem-missing",
            "content/status/2026-11-01-api-errors.md",
            4,
            10,
        )],
    ),
    (
        "postmortem-section-missing",
        &[],
        1,
        &[(
            "error",
            "postmortem-section-missing",
            "content/postmortems/2026-11-01-api-errors.md",
            7,
            1,
        )],
    ),
    (
        "postmortem-no-action-items",
        &[],
        1,
        &[(
            "error",
            "postmortem-no-action-items",
            "content/postmortems/2026-11-01-api-errors.md",
            5,
            10,
        )],
    ),
    (
        "action-item-no-owner",
        &[],
        0,
        &[(
            "warning",
            "action-item-no-owner",
            "content/postmortems/2026-11-01-api-errors.md",
            26,
            3,
        )],
    ),
    (
        "action-item-overdue",
        &[],
        0,
        &[(
            "warning",
            "action-item-overdue",
            "content/postmortems/2026-11-01-api-errors.md",
            28,
            3,
        )],
    ),
    (
        "orphan-page",
        &[],
        0,
        &[("warning", "orphan-page", "content/guides/setup.md", 1, 1)],
    ),
    (
        "duplicate-title",
        &[],
        0,
        &[(
            "warning",
            "duplicate-title",
            "content/processes/on-call.md",
            2,
            9,
        )],
    ),
    (
        "alerts",
        &["--alert-rules", "rules.yml"],
        1,
        &[
            (
                "warning",
                "alert-undefined",
                "content/runbooks/disk.md",
                5,
                23,
            ),
            ("error", "alert-no-runbook", "rules.yml", 10, 9),
            ("error", "alert-runbook-url", "rules.yml", 13, 11),
        ],
    ),
    // runbook_urls with a query: keys the runbook declares, labels the alert carries (its
    // aggregation's `by`, not what `without` drops, `[checks] alert_labels`).
    (
        "alert-context",
        &["--alert-rules", "rules.yml"],
        1,
        &[
            ("error", "alert-url-label", "rules.yml", 13, 83),
            ("error", "alert-url-parameter", "rules.yml", 13, 95),
            ("error", "alert-url-label", "rules.yml", 13, 115),
            ("error", "alert-url-parameter", "rules.yml", 13, 129),
            ("error", "alert-url-label", "rules.yml", 13, 144),
        ],
    ),
    (
        "alert-rules-file",
        &["--alert-rules", "rules.yml"],
        1,
        &[("error", "alert-rules-file", "rules.yml", 3, 12)],
    ),
    (
        "unknown-rule",
        &[],
        1,
        &[("error", "unknown-rule", "opsbook.toml", 4, 11)],
    ),
    // `[checks] rules` raises one rule to an error and turns another off.
    (
        "levels",
        &[],
        1,
        &[(
            "error",
            "runbook-no-owner",
            "content/runbooks/disk.md",
            2,
            1,
        )],
    ),
    // Dates far in the future are not yet due; due dates that are no dates are reported.
    (
        "dates",
        &[],
        0,
        &[
            (
                "warning",
                "invalid-field",
                "content/postmortems/2026-11-01-dates.md",
                26,
                47,
            ),
            (
                "warning",
                "invalid-field",
                "content/postmortems/2026-11-01-dates.md",
                27,
                36,
            ),
            (
                "warning",
                "action-item-overdue",
                "content/postmortems/2026-11-01-dates.md",
                29,
                3,
            ),
        ],
    ),
    (
        "bad-config",
        &[],
        2,
        &[("error", "config", "opsbook.toml", 4, 1)],
    ),
    (
        "no-content",
        &[],
        2,
        &[("error", "content", "content", 0, 0)],
    ),
];

struct CheckRun {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn check_in(dir: &Path, args: &[&str]) -> CheckRun {
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .current_dir(dir)
        .args(["check", ".", "--now", NOW])
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run the opsbook binary");
    CheckRun {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn run_case(fixture: &str, extra: &[&str], format: &str) -> CheckRun {
    let mut args = vec!["--format", format];
    args.extend_from_slice(extra);
    check_in(&fixture_dir(&format!("check/{fixture}")), &args)
}

fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/check-report.v1.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("a valid JSON schema")
}

#[test]
fn json_findings_are_exact_and_follow_the_schema() {
    let validator = schema();
    for &(fixture, extra, code, expected) in CASES {
        let run = run_case(fixture, extra, "json");
        assert_eq!(
            run.code,
            Some(code),
            "{fixture}: {}{}",
            run.stdout,
            run.stderr
        );
        let report: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{fixture}: not JSON ({e}): {}", run.stdout));
        if let Err(error) = validator.validate(&report) {
            panic!(
                "{fixture}: does not follow the schema: {error}\n{}",
                run.stdout
            );
        }
        let found: Vec<(String, String, String, usize, usize)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["level"].as_str().unwrap().to_string(),
                    f["rule"].as_str().unwrap().to_string(),
                    f["file"].as_str().unwrap_or("").to_string(),
                    f["line"].as_u64().unwrap_or(0) as usize,
                    f["column"].as_u64().unwrap_or(0) as usize,
                )
            })
            .collect();
        let wanted: Vec<(String, String, String, usize, usize)> = expected
            .iter()
            .map(|&(l, r, f, line, col)| (l.into(), r.into(), f.into(), line, col))
            .collect();
        assert_eq!(found, wanted, "{fixture}");
        let errors = expected.iter().filter(|e| e.0 == "error").count();
        assert_eq!(report["counts"]["errors"], errors, "{fixture}");
        assert_eq!(
            report["counts"]["warnings"],
            expected.len() - errors,
            "{fixture}"
        );
    }
}

#[test]
fn github_annotations_are_one_line_per_finding() {
    for &(fixture, extra, code, expected) in CASES {
        let run = run_case(fixture, extra, "github");
        assert_eq!(run.code, Some(code), "{fixture}: {}", run.stderr);
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), expected.len(), "{fixture}:\n{}", run.stdout);
        for (line, &(level, rule, file, number, column)) in lines.iter().zip(expected) {
            let place = if number == 0 {
                String::new()
            } else {
                format!(",line={number},col={column}")
            };
            let head = format!("::{level} file={file}{place},title={rule}::");
            assert!(
                line.starts_with(&head),
                "{fixture}: {line:?} should start with {head:?}"
            );
            let message = &line[head.len()..];
            assert!(
                !message.is_empty() && !message.contains('\n'),
                "{fixture}: {line:?}"
            );
        }
    }
}

#[test]
fn human_output_groups_findings_under_their_file() {
    for &(fixture, extra, code, expected) in CASES {
        let run = run_case(fixture, extra, "human");
        assert_eq!(run.code, Some(code), "{fixture}: {}", run.stdout);
        assert!(
            !run.stdout.contains('\x1b'),
            "{fixture}: colour with NO_COLOR"
        );
        let lines: Vec<&str> = run.stdout.lines().collect();
        for &(level, rule, file, line, column) in expected {
            let header = lines
                .iter()
                .position(|l| *l == file)
                .unwrap_or_else(|| panic!("{fixture}: no `{file}` header in\n{}", run.stdout));
            let place = if line == 0 {
                "-".to_string()
            } else {
                format!("{line}:{column}")
            };
            let finding = lines[header + 1..]
                .iter()
                .take_while(|l| !l.is_empty())
                .any(|l| {
                    l.trim_start().starts_with(&format!("{place}  {level}: "))
                        && l.ends_with(&format!("[{rule}]"))
                });
            assert!(
                finding,
                "{fixture}: no {level} {rule} at {place} under `{file}` in\n{}",
                run.stdout
            );
        }
        let summary = lines.last().copied().unwrap_or("");
        if expected.is_empty() {
            assert_eq!(summary, "No problems found.", "{fixture}");
        } else {
            assert!(
                summary.ends_with("warnings.") || summary.ends_with("warning."),
                "{fixture}: {summary}"
            );
        }
    }
}

#[test]
fn strict_makes_warnings_errors() {
    let run = run_case("review-overdue", &["--strict"], "github");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stdout.starts_with(
            "::error file=content/runbooks/disk.md,line=4,col=17,title=review-overdue::"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn github_paths_start_from_the_folder_given() {
    let parent = fixture_dir("check");
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .current_dir(&parent)
        .args(["check", "broken-link", "--format", "github", "--now", NOW])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with(
            "::error file=broken-link/content/about.md,line=3,col=5,title=broken-link::"
        ),
        "{stdout}"
    );
}

#[test]
fn unreadable_alert_rules_file_exits_2() {
    let run = run_case("clean", &["--alert-rules", "no-such-rules.yml"], "json");
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(
        run.stdout.contains("\"rule\": \"alert-rules-file\""),
        "{}",
        run.stdout
    );
}

#[test]
fn the_example_handbook_passes_with_no_errors() {
    let run = check_in(&example_dir(), &["--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["counts"]["errors"], 0, "{}", run.stdout);
}

#[test]
fn check_writes_nothing() {
    let before = list_files(&example_dir());
    let run = check_in(&example_dir(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(list_files(&example_dir()), before);
}

fn list_files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .map(|e| e.path().to_path_buf())
        .collect();
    files.sort();
    files
}

#[test]
fn the_readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for rule in opsbook::check::RULES {
        assert!(
            readme.contains(&format!("| `{}` |", rule.id)),
            "README has no row for `{}`",
            rule.id
        );
    }
}

#[test]
fn the_example_alert_rules_all_lead_to_runbooks() {
    let run = check_in(
        &example_dir(),
        &[
            "--format",
            "json",
            "--alert-rules",
            "monitoring/alert-rules.yml",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let alert_findings: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap_or("").starts_with("alert-"))
        .collect();
    assert!(alert_findings.is_empty(), "{alert_findings:#?}");
}

#[test]
fn far_future_dates_are_not_yet_due_and_impossible_due_dates_are_named() {
    let fixture = fixture_dir("check/dates");
    let run = check_in(&fixture, &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("review-overdue"), "{}", run.stdout);
    assert!(!run.stdout.contains("1970"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "26:47  warning: due date `2026-02-30` is no day of the calendar: the action item has no due date [invalid-field]"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "27:36  warning: due date `99999-01-01` is beyond the year 9999: the action item has no due date [invalid-field]"
        ),
        "{}",
        run.stdout
    );

    // build warns at the same places, builds, and shows no date of 1970 anywhere.
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = crate::support::build(&fixture, &site, &[]);
    run.assert_success();
    assert_eq!(
        run.warnings(),
        [
            "warning: content/postmortems/2026-11-01-dates.md:26:47: due date `2026-02-30` is no day of the calendar: the action item has no due date",
            "warning: content/postmortems/2026-11-01-dates.md:27:36: due date `99999-01-01` is beyond the year 9999: the action item has no due date",
        ],
        "{}",
        run.stderr
    );
    for page in crate::support::html_files(&site) {
        let text = std::fs::read_to_string(site.join(&page)).unwrap();
        assert!(
            !text.contains("1970") && !text.contains("overdue by"),
            "{page} shows a date of 1970 or an overdue review"
        );
    }
    let runbook = std::fs::read_to_string(site.join("runbooks/far-future/index.html")).unwrap();
    assert!(runbook.contains("31 Dec 9999"), "{runbook}");
}
