//! The search UI of the default theme in headless Chromium (tests/browser/search.mjs): the header
//! box, the results page, keyboard navigation, hostile queries and titles, phones, contrast and
//! JavaScript off, on the example built for a sub-path and served under it; and the same box
//! opened from disk in an `--offline` build. Skipped with a reason when Chromium, node or
//! playwright-core are missing, except under CI.

use std::path::Path;
use std::process::Command;

use crate::browser::{browser_available, run_script};
use crate::support::Handbook;

/// Builds `dir` into `out` for `base_url` (with `extra` options), as a reader would get it.
fn build_site(dir: &Path, out: &Path, base_url: &str, extra: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .arg("build")
        .arg(dir)
        .arg("-o")
        .arg(out)
        .args([
            "--base-url",
            base_url,
            "--no-cache",
            "-q",
            "--now",
            "2026-11-27",
        ])
        .args(extra)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run the opsbook binary");
    assert!(
        output.status.success(),
        "opsbook build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn search_box_results_page_keyboard_and_hostile_text() {
    if !browser_available() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    build_site(&example, &site, "https://ops.example.org/handbook/", &[]);

    // A handbook whose page title is HTML: results must show it as text.
    let hostile = Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"Hostile\"\nbase_url = \"https://hostile.example/hb/\"\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\nA handbook.\n"),
        (
            "content/runbooks/hostile.md",
            "+++\ntitle = '<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\"> & \"quotes\"'\n+++\nThe hostile runbook.\n\n## Restart the hostile service\n\nRun `systemctl restart hostile`.\n",
        ),
    ]);
    let hostile_site = hostile.out("site");
    build_site(
        &hostile.root,
        &hostile_site,
        "https://hostile.example/hb/",
        &[],
    );

    // A Chinese handbook: its box says so, and finds two characters inside a sentence.
    let chinese = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/languages/zh");
    let chinese_site = out.path().join("chinese");
    build_site(&chinese, &chinese_site, "https://zh.example/zh/", &[]);

    run_script(
        "search.mjs",
        &[
            site.to_str().unwrap(),
            "/handbook/",
            hostile_site.to_str().unwrap(),
            chinese_site.to_str().unwrap(),
        ],
    );
}

#[test]
fn search_box_works_from_disk_in_an_offline_build() {
    if !browser_available() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    build_site(
        &example,
        &site,
        "https://ops.example.org/handbook/",
        &["--offline"],
    );
    run_script("search.mjs", &["--offline", site.to_str().unwrap()]);
}
