//! Headless Chromium checks of the built example (tests/browser/*.mjs, driven by node and
//! playwright-core). They skip with a reason when Chromium, node or the npm packages are missing,
//! except under CI, where a missing piece is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Whether the browser tests can run here; under CI they must.
pub(crate) fn browser_available() -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing = if !Path::new(&chromium).exists() {
        Some(format!(
            "Chromium is not installed at {chromium} (apt-get install chromium)"
        ))
    } else if Command::new("node").arg("--version").output().is_err() {
        Some("node is not installed".to_string())
    } else if !browser_dir().join("node_modules/playwright-core").is_dir() {
        Some("playwright-core is not installed (npm ci --prefix tests/browser)".to_string())
    } else {
        None
    };
    match missing {
        None => true,
        Some(reason) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("browser tests must run under CI, but {reason}")
        }
        Some(reason) => {
            eprintln!("skipping browser test: {reason}");
            false
        }
    }
}

/// Runs `node tests/browser/SCRIPT ARGS…` and fails the test with its output when it fails.
pub(crate) fn run_script(script: &str, args: &[&str]) {
    let mut command = Command::new("node");
    command.arg(browser_dir().join(script)).args(args);
    crate::support::assert_node_succeeds(command, script);
}

#[test]
fn theme_has_no_overflow_no_console_errors_and_a_persistent_toggle() {
    if !browser_available() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    let status = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args([
            "build",
            example.to_str().unwrap(),
            "-o",
            site.to_str().unwrap(),
        ])
        .args([
            "--base-url",
            "https://ops.example.org/handbook/",
            "--no-cache",
            "-q",
            "--now",
            "2026-11-27",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    run_script(
        "theme.mjs",
        &[
            site.to_str().unwrap(),
            "/handbook/",
            "",
            "runbooks/",
            "runbooks/postgres/disk-almost-full/",
            "runbooks/kafka-consumer-lag/",
            "postmortems/2026-08-14-managed-postgres-writes-failing/",
            "status/2026-11-26-block-storage-latency-ams1/",
            "status/",
            "tags/",
            "processes/on-call/",
        ],
    );
}

/// Screenshots of the operations pages, kept for people to look at:
/// `target/tmp/opsbook-screenshots/*.png`.
#[test]
fn operations_pages_screenshots() {
    if !browser_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    crate::support::build(&example, &site, &[]).assert_success();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("opsbook-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let pages = [
        "status/",
        "status/slo/",
        "status/subscribe/",
        "status/embed/",
        "postmortems/2026-08-14-managed-postgres-writes-failing/",
        "postmortems/metrics/",
        "services/managed-postgres/",
    ];
    for mode in ["1280", "1280:dark", "390", "375", "375:dark"] {
        let mut args = vec![site.to_str().unwrap(), "/", shots.to_str().unwrap(), mode];
        args.extend(pages);
        run_script("screenshot.mjs", &args);
    }
    for name in [
        "status-1280-light.png",
        "status-1280-dark.png",
        "status-390-light.png",
        "postmortems_2026-08-14-managed-postgres-writes-failing-1280-light.png",
        "postmortems_metrics-1280-light.png",
        "services_managed-postgres-1280-light.png",
        "status_slo-1280-light.png",
        "status_slo-1280-dark.png",
        "status_slo-375-light.png",
        "status_slo-375-dark.png",
        "status_subscribe-1280-light.png",
        "status_subscribe-1280-dark.png",
        "status_subscribe-375-light.png",
        "status_subscribe-375-dark.png",
    ] {
        let bytes = std::fs::read(shots.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(bytes.starts_with(b"\x89PNG"), "{name} is not a PNG");
    }
}

/// Every page of the example and of handbooks laid out by other tools fits a phone's width (no
/// sideways scrolling at 375px, or at 320px for the example), and chart labels stay readable.
#[test]
fn no_page_scrolls_sideways_on_a_phone() {
    if !browser_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let wide = crate::support::Handbook::new(&[
        ("opsbook.toml", "title = \"Wide things\"\nbase_url = \"http://localhost/\"\n"),
        (
            "content/runbooks/wide.md",
            "+++\ntitle = \"A runbook whose title is Supercalifragilisticexpialidocious-and-then-some-more-words-without-spaces\"\nowner = \"team-with-a-very-long-name-that-never-breaks-anywhere-at-all\"\nlast_reviewed = 2026-11-01\ntags = [\"a-tag-that-is-much-longer-than-any-phone-is-wide-by-design-x\"]\n+++\n\n\
Embedded dashboard:\n\n<iframe src=\"about:blank\" width=\"900\" height=\"300\"></iframe>\n\n\
<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" width=\"1200\" height=\"20\" alt=\"wide\">\n\n\
A URL: https://grafana.example.org/d/abcdefghijklmnopqrstuvwxyz0123456789/very-long-dashboard-name?orgId=1&from=now-6h&to=now\n\n\
Word: Pneumonoultramicroscopicsilicovolcanoconiosis-pneumonoultramicroscopicsilicovolcanoconiosis\n\n\
`an-inline-code-span-that-is-far-too-long-to-fit-on-a-phone-screen-at-all-anywhere`\n\n\
| host | region | zone | role | cpu | memory | disk | network | owner | notes |\n|---|---|---|---|---|---|---|---|---|---|\n\
| db-primary-01.ams1.example.org | eu-west | ams1-a | primary | 64 | 512 GiB | 4 TiB | 25 Gb/s | storage | failover target |\n\n\
```sh\nkubectl --context production-ams1 -n managed-postgres exec -it statefulset/postgres-primary -- psql -c 'select pg_size_pretty(pg_database_size(current_database()))'\n```\n\n\
<table><tr><td>raw</td><td>html-table-cell-with-a-very-long-unbreakable-value-inside-it-xxxxxxxxxxxxxxx</td></tr></table>\n",
        ),
    ]);
    let mut sites = vec![
        (crate::support::example_dir(), "example"),
        (wide.root.clone(), "wide"),
    ];
    for name in [
        "docusaurus-site",
        "govuk-erb",
        "postmortem-collection",
        "cstate-history",
        "alerts-repo",
        "mkdocs",
        "gitlab",
    ] {
        sites.push((
            crate::support::fixture_dir(&format!("migrate/{name}")),
            name,
        ));
    }
    for (dir, name) in &sites {
        let site = tmp.path().join(name);
        crate::support::build(dir, &site, &["--base-url", "http://localhost/"]).assert_success();
        run_script("widths.mjs", &[site.to_str().unwrap(), "/", "375"]);
        if *name == "example" {
            run_script("widths.mjs", &[site.to_str().unwrap(), "/", "320"]);
        }
    }
}

/// The small handbook the on-call checks open: a runbook with a parameter, placeholders, a
/// checklist and a heading to land on, answering the alert `ReplicaLagHigh`.
fn oncall_handbook() -> crate::support::Handbook {
    crate::support::Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"On call\"\nbase_url = \"https://ops.example.org/handbook/\"\n",
        ),
        (
            "content/runbooks/replica-lag.md",
            "+++\ntitle = \"Replica lag\"\nalerts = [\"ReplicaLagHigh\"]\nlast_reviewed = 2026-11-01\n\n\
[[parameters]]\nname = \"cluster\"\ndescription = \"The Kubernetes cluster\"\nexample = \"prod-eu-1\"\n\n\
[[parameters]]\nname = \"namespace\"\n+++\n\n\
Replicas fall behind in `<<cluster>>`.\n\n## Look\n\nSee [the graphs](https://grafana.example.org/d/lag?var-cluster=<<cluster>>).\n\n\
- [ ] Page the database owner\n- [ ] Restart the replica in `<<cluster>>`\n- [ ] Check the lag again\n\n\
Filler paragraph so the page is long enough to scroll.\n\n\
Filler.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\n\
## Step\n\nRestart it:\n\n```sh\nkubectl --context <<cluster>> -n <<namespace>> rollout restart sts/replica # $HOME {{ $labels.pod }}\n```\n\n\
More filler.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n\nFiller.\n",
        ),
    ])
}

/// `/alerts/NAME/?k=v#anchor` lands on the runbook with the same query and anchor, under a
/// sub-path over HTTP and from an offline build opened from disk; the runbook's placeholders,
/// copy buttons and checklist work there (see tests/browser/oncall.mjs).
#[test]
fn alert_urls_open_the_runbook_filled_in_with_a_checklist_that_remembers() {
    if !browser_available() {
        return;
    }
    let handbook = oncall_handbook();
    let http = handbook.out("http");
    let offline = handbook.out("offline");
    crate::support::build(&handbook.root, &http, &[]).assert_success();
    crate::support::build(&handbook.root, &offline, &["--offline"]).assert_success();
    run_script(
        "oncall.mjs",
        &[
            http.to_str().unwrap(),
            "/handbook/",
            offline.to_str().unwrap(),
            "ReplicaLagHigh",
            "step",
        ],
    );
}
