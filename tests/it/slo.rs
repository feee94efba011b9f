//! Service level objectives through the real binary: numbers computed by hand for overlapping
//! incidents, an incident across a month's end, maintenance counted and not, a stale unresolved
//! incident; `slo.json` against its schema; and `check`'s findings about objectives and
//! recurrence rules, with their lines and columns.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{page, text, Handbook};

const NOW: &str = "2026-11-15T00:00:00Z";

fn incident(components: &str, impact: &str, started: &str, resolved: &str) -> String {
    format!("+++\ncomponents = {components}\nimpact = \"{impact}\"\nstarted = {started}\nresolved = {resolved}\n+++\n")
}

/// `api` (99.9) has two overlapping outages on 10 October (10:00–12:00 and 11:00–13:00: three
/// hours) and shares with `db` an outage across the end of September (23:00–02:00: one hour in
/// September, two in October). `db` (99.5) counts its four-hour maintenance of 15 October;
/// `queue` (99.5) has the same maintenance but does not count it, and an outage never resolved
/// whose last word (one hour in) is older than 14 days. `web` is watched from 1 September and
/// never down; `cache` is never observed. The status history starts on 30 September.
fn handbook() -> Handbook {
    let maintenance = "+++\ncomponents = [\"db\", \"queue\"]\nimpact = \"maintenance\"\nscheduled_start = 2026-10-15T00:00:00Z\nscheduled_end = 2026-10-15T04:00:00Z\n+++\n";
    let stale = "+++\ncomponents = [\"queue\"]\nimpact = \"major\"\nstarted = 2026-10-28T00:00:00Z\n[[updates]]\nat = 2026-10-28T01:00:00Z\nstatus = \"identified\"\nmessage = \"Found it.\"\n+++\n";
    Handbook::new(&[
        (
            "opsbook.toml",
            "[[status.components]]\nid = \"api\"\nname = \"API\"\nslo = 99.9\n\n[[status.components]]\nid = \"db\"\nname = \"DB\"\nslo = 99.5\nslo_counts_maintenance = true\n\n[[status.components]]\nid = \"queue\"\nname = \"Queue\"\nslo = 99.5\n\n[[status.components]]\nid = \"web\"\nname = \"Web\"\nslo = 99.9\nobserved_since = 2026-09-01\n\n[[status.components]]\nid = \"cache\"\nname = \"Cache\"\nslo = 99.9\n",
        ),
        (
            "content/status/i1.md",
            &incident("[\"api\"]", "major", "2026-10-10T10:00:00Z", "2026-10-10T12:00:00Z"),
        ),
        (
            "content/status/i2.md",
            &incident("[\"api\"]", "critical", "2026-10-10T11:00:00Z", "2026-10-10T13:00:00Z"),
        ),
        (
            "content/status/i3.md",
            &incident("[\"api\"]", "minor", "2026-10-20T10:00:00Z", "2026-10-20T18:00:00Z"),
        ),
        (
            "content/status/i4.md",
            &incident("[\"api\", \"db\"]", "critical", "2026-09-30T23:00:00Z", "2026-10-01T02:00:00Z"),
        ),
        ("content/status/m1.md", maintenance),
        ("content/status/i5.md", stale),
    ])
}

fn build_at(handbook: &Handbook, now: &str) -> std::path::PathBuf {
    let out = handbook.out("public");
    crate::support::build_now(&handbook.root, &out, now).assert_success();
    out
}

fn slo_json(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("status/slo.json")).unwrap()).unwrap()
}

/// `period availability down budget left status` of every period of `component`.
fn periods(json: &Value, component: &str, kind: &str) -> Vec<String> {
    let c = json["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == component)
        .unwrap();
    c[kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {} {} {}",
                p["period"].as_str().unwrap(),
                p["availability"].as_str().unwrap(),
                p["down_seconds"],
                p["budget_seconds"],
                p["budget_left_seconds"],
                p["status"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn slo_numbers_match_the_hand_computed_cases() {
    let handbook = handbook();
    let out = build_at(&handbook, NOW);
    let json = slo_json(&out);
    // September: 1 h down of the one observed day (30 September): 1 − 3600 / 86 400.
    // October: 2 h (the outage across the month's end) + 3 h (two outages overlapping by an
    // hour count once) of 31 days; the minor incident is no down time.
    // November so far: nothing down; the budget is 0.1 % of the whole month, 43 min 12 s.
    assert_eq!(
        periods(&json, "api", "months"),
        [
            "2026-09 95.833 3600 86 -3514 missed",
            "2026-10 99.327 18000 2678 -15322 missed",
            "2026-11 100.000 0 2592 2592 on_track",
        ]
    );
    assert_eq!(
        periods(&json, "api", "quarters"),
        [
            "2026-Q3 95.833 3600 86 -3514 missed",
            "2026-Q4 99.537 18000 7948 -10052 missed",
        ]
    );
    assert_eq!(
        periods(&json, "api", "years"),
        ["2026 99.456 21600 8035 -13565 missed"]
    );
    // Maintenance counted: 2 h of outage and 4 h of maintenance in October.
    assert_eq!(
        periods(&json, "db", "months")[1],
        "2026-10 99.193 21600 13392 -8208 missed"
    );
    // Maintenance not counted; the outage never resolved counts up to its last word, one hour.
    assert_eq!(
        periods(&json, "queue", "months")[1],
        "2026-10 99.865 3600 13392 9792 met"
    );
    // Watched from 1 September, never down.
    assert_eq!(
        periods(&json, "web", "months"),
        [
            "2026-09 100.000 0 2592 2592 met",
            "2026-10 100.000 0 2678 2678 met",
            "2026-11 100.000 0 2592 2592 on_track",
        ]
    );
    let cache = &json["components"][4];
    assert_eq!(
        (cache["id"].as_str(), cache["observed"].as_bool()),
        (Some("cache"), Some(false))
    );
    assert!(cache["months"].as_array().unwrap().is_empty());
    // The 90-day bars count the stale outage the same way: one hour of 89 days.
    let status = page(&out, "status/");
    assert_eq!(
        text(&status, "#component-queue .uptime-value"),
        "99.95 % uptime"
    );
    // The page shows the same numbers, and says how they are made.
    let html = page(&out, "status/slo/");
    let summary = crate::support::texts(&html, ".slo-summary tbody tr");
    // Component, target, this month, budget left in the month and in the quarter, status.
    assert_eq!(
        summary[0],
        "API99.9 %100.000 %43 min2 h 48 min overOn track"
    );
    assert!(summary[4].contains("Not observed"), "{summary:?}");
    assert!(text(&html, ".slo-formula").contains("Availability = 1 − down time ÷ observed time"));
    assert_eq!(crate::support::count(&html, "svg.chart-slo"), 4);
    let svg = crate::support::texts(&html, "svg.chart-slo title");
    assert!(
        svg.contains(&"October 2026: 99.327%, under the target".to_string()),
        "{svg:?}"
    );
}

#[test]
fn slo_json_matches_its_schema() {
    let handbook = handbook();
    let out = build_at(&handbook, NOW);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/status-slo.v1.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("a valid schema");
    let example = handbook.out("example");
    crate::support::build(&crate::support::example_dir(), &example, &[]).assert_success();
    for json in [slo_json(&out), slo_json(&example)] {
        let problems: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

/// `check --format json` at [`NOW`]: its exit code and its findings as
/// `rule file:line:column level`.
fn check(handbook: &Handbook) -> (Option<i32>, Vec<String>) {
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .arg("check")
        .arg(&handbook.root)
        .args(["--format", "json", "--now", NOW])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let lines = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{} {}",
                f["rule"].as_str().unwrap(),
                f["file"].as_str().unwrap_or(""),
                f["line"],
                f["column"],
                f["level"].as_str().unwrap()
            )
        })
        .collect();
    (output.status.code(), lines)
}

#[test]
fn check_reports_bad_rules_bad_targets_and_objectives_never_observed() {
    let handbook = Handbook::new(&[
        (
            "opsbook.toml",
            "[[status.components]]\nid = \"db\"\nname = \"DB\"\nslo = 99.9\n\n[[status.components]]\nid = \"cache\"\nname = \"Cache\"\nslo = 99.9\n",
        ),
        (
            "content/status/weekly.md",
            "+++\ncomponents = [\"db\"]\nimpact = \"maintenance\"\nscheduled_start = 2026-11-03T02:00:00Z\nscheduled_end = 2026-11-03T03:00:00Z\nrecurrence = \"FREQ=SOMETIMES\"\n+++\n",
        ),
        (
            "content/status/zone.md",
            "+++\ncomponents = [\"db\"]\nimpact = \"maintenance\"\nscheduled_start = 2026-12-03T02:00:00Z\nscheduled_end = 2026-12-03T03:00:00Z\nrecurrence = \"FREQ=WEEKLY\"\ntimezone = \"Mars/Olympus\"\n+++\n",
        ),
    ]);
    let (code, lines) = check(&handbook);
    assert_eq!(code, Some(1), "{lines:#?}");
    for expected in [
        "invalid-recurrence content/status/weekly.md:6:14 error",
        "invalid-recurrence content/status/zone.md:7:12 error",
        "slo-not-observed opsbook.toml:9:7 warning",
    ] {
        assert!(
            lines.contains(&expected.to_string()),
            "{expected} in {lines:#?}"
        );
    }
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("slo-not-observed opsbook.toml:4")),
        "db is observed: {lines:#?}"
    );
    // A target outside (0, 100) is an error in opsbook.toml, at its value.
    let bad = Handbook::new(&[(
        "opsbook.toml",
        "[[status.components]]\nid = \"db\"\nname = \"DB\"\nslo = 100\n\n[[status.components]]\nid = \"x\"\nname = \"X\"\nslo = -5\n",
    )]);
    let (code, lines) = check(&bad);
    assert_eq!(code, Some(2), "{lines:#?}");
    assert_eq!(
        lines,
        [
            "config opsbook.toml:4:7 error",
            "config opsbook.toml:9:7 error"
        ]
    );
    let run = bad.build(&[]);
    run.assert_failure();
    assert!(
        run.errors()
            .contains(&"error: opsbook.toml:4:7: `slo` of component `db` is 100: it must lie strictly between 0 and 100 (a percentage of time available)"),
        "{}",
        run.stderr
    );
}
