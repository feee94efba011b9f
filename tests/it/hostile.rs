//! Hostile content: what a handbook open to many contributors may hold. Each case must end in a
//! clear message naming the file, with no panic, nothing written outside the output folder and
//! memory bounded.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{
    assert_same_tree, check_json, findings, page, snapshot, text, Handbook, Run, NOW,
};

const HOME: &str = "+++\ntitle = \"Home\"\n+++\nWelcome.\n";

fn handbook(files: &[(&str, &str)]) -> Handbook {
    let mut all = vec![
        ("opsbook.toml", "title = \"Hostile\"\n"),
        ("content/_index.md", HOME),
    ];
    all.extend_from_slice(files);
    Handbook::new(&all)
}

/// Runs `opsbook build` on `hb` into `tmp/public` and returns the run with the process's peak
/// resident memory in MB, read from `/proc` while it runs.
fn build_measured(hb: &Handbook) -> (Run, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .arg("build")
        .arg(&hb.root)
        .arg("-o")
        .arg(hb.out("public"))
        .args(["--no-cache", "--now", NOW])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the opsbook binary");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    while child.try_wait().expect("wait for opsbook").is_none() {
        let status = std::fs::read_to_string(&status_file).unwrap_or_default();
        if let Some(kb) = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().expect("opsbook output");
    let run = Run {
        status: output.status,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    (run, peak_kb / 1024)
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    snapshot(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle))
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn symlinks_out_of_the_handbook_are_skipped_with_a_warning() {
    let hb = handbook(&[(
        "content/runbooks/disk.md",
        "+++\ntitle = \"Disk\"\n+++\nFine.\n",
    )]);
    let outside = hb.tmp.path().join("home");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("id_rsa"), "PRIVATE KEY MATERIAL").unwrap();
    std::fs::write(
        outside.join("secret.md"),
        "+++\ntitle = \"PRIVATE KEY MATERIAL\"\n+++\n",
    )
    .unwrap();
    std::fs::create_dir_all(hb.root.join("static")).unwrap();
    let link =
        |target: &Path, at: &str| std::os::unix::fs::symlink(target, hb.root.join(at)).unwrap();
    link(&outside.join("secret.md"), "content/runbooks/leak.md");
    link(&outside, "content/linked");
    link(&outside.join("id_rsa"), "static/id_rsa");
    link(&outside, "static/home");

    let run = hb.build(&[]);
    run.assert_success();
    let skipped = |path: &str| {
        format!("warning: {path}: symbolic link skipped: opsbook never follows links out of the handbook")
    };
    for path in [
        "content/linked",
        "content/runbooks/leak.md",
        "static/home",
        "static/id_rsa",
    ] {
        assert!(
            run.warnings().contains(&skipped(path).as_str()),
            "{path}:\n{}",
            run.stderr
        );
    }
    let out = hb.out("public");
    assert_eq!(files_containing(&out, b"PRIVATE KEY"), Vec::<String>::new());
    assert!(!out.join("id_rsa").exists() && !out.join("home").exists());
    assert!(!out.join("runbooks/leak").exists() && !out.join("linked").exists());
    assert_eq!(text(&page(&out, "runbooks/disk/"), "h1.doc-title"), "Disk");
}

/// What the folders outside the handbook hold: found in no output file.
const OUTSIDE: &str = "OUTSIDE-THE-HANDBOOK";

/// `tmp/outside/`, a folder beside the handbook holding a static file, templates, a stylesheet
/// and a page, each carrying [`OUTSIDE`].
fn outside_folder(hb: &Handbook) -> std::path::PathBuf {
    let outside = hb.tmp.path().join("outside");
    for (path, text) in [
        ("secret.txt", format!("{OUTSIDE} static file")),
        ("style.css", format!("/* {OUTSIDE} */")),
        (
            "index.html",
            format!("<p>{OUTSIDE} template</p><a href=\"/nowhere/\">x</a>"),
        ),
        ("page.html", format!("<p>{OUTSIDE} template</p>")),
        (
            "runbooks/leak.md",
            format!("+++\ntitle = \"{OUTSIDE}\"\n+++\n{OUTSIDE}\n"),
        ),
        ("templates/index.html", format!("<p>{OUTSIDE} theme</p>")),
        ("templates/page.html", format!("<p>{OUTSIDE} theme</p>")),
        ("static/secret.txt", format!("{OUTSIDE} theme static")),
        ("static/style.css", format!("/* {OUTSIDE} theme */")),
    ] {
        let path = outside.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    outside
}

fn skipped(path: &str) -> String {
    format!(
        "warning: {path}: symbolic link skipped: opsbook never follows links out of the handbook"
    )
}

/// Builds `hb` and checks it: the build succeeds warning once that `link` was skipped, nothing
/// of [`OUTSIDE`] is in the output, and `check` reports the same warning.
#[track_caller]
fn assert_linked_folder_skipped(hb: &Handbook, link: &str) {
    let run = hb.build(&[]);
    run.assert_success();
    assert_eq!(run.warnings(), [skipped(link)], "{}", run.stderr);
    let out = hb.out("public");
    assert_eq!(
        files_containing(&out, OUTSIDE.as_bytes()),
        Vec::<String>::new()
    );
    assert!(!out.join("secret.txt").exists());
    assert_eq!(text(&page(&out, "runbooks/disk/"), "h1.doc-title"), "Disk");
    let (code, report) = check_json(&hb.root);
    assert_eq!(code, Some(0), "{report}");
    let found: Vec<_> = findings(&report)
        .into_iter()
        .map(|(_, file, level, message)| (file, level, message))
        .collect();
    assert_eq!(
        found,
        [(
            link.to_string(),
            "warning".to_string(),
            "symbolic link skipped: opsbook never follows links out of the handbook".to_string()
        )],
        "{report}"
    );
}

fn disk_runbook() -> (&'static str, &'static str) {
    (
        "content/runbooks/disk.md",
        "+++\ntitle = \"Disk\"\nowners = [\"sre\"]\nlast_reviewed = 2026-11-01\n+++\nFine.\n",
    )
}

#[test]
fn a_static_folder_that_is_a_link_is_skipped_with_a_warning() {
    let hb = handbook(&[disk_runbook()]);
    let outside = outside_folder(&hb);
    std::os::unix::fs::symlink(&outside, hb.root.join("static")).unwrap();
    assert_linked_folder_skipped(&hb, "static");
}

#[test]
fn a_templates_folder_that_is_a_link_is_skipped_with_a_warning() {
    let hb = handbook(&[disk_runbook()]);
    let outside = outside_folder(&hb);
    std::os::unix::fs::symlink(&outside, hb.root.join("templates")).unwrap();
    // Its `index.html` links to `/nowhere/`: `check` does not read it for links either.
    assert_linked_folder_skipped(&hb, "templates");
}

#[test]
fn a_theme_folder_that_is_a_link_is_skipped_with_a_warning() {
    let config = ("opsbook.toml", "title = \"Hostile\"\ntheme = \"mine\"\n");
    // The theme itself, its `static/` and its `templates/`.
    for (link, target) in [
        ("themes/mine", ""),
        ("themes/mine/static", "static"),
        ("themes/mine/templates", "templates"),
    ] {
        let hb = Handbook::new(&[config, ("content/_index.md", HOME), disk_runbook()]);
        let outside = outside_folder(&hb);
        let at = hb.root.join(link);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(outside.join(target), at).unwrap();
        assert_linked_folder_skipped(&hb, link);
    }
    // `themes/` itself.
    let hb = Handbook::new(&[config, ("content/_index.md", HOME), disk_runbook()]);
    let outside = outside_folder(&hb);
    let themes = hb.tmp.path().join("themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::os::unix::fs::symlink(&outside, themes.join("mine")).unwrap();
    std::os::unix::fs::symlink(&themes, hb.root.join("themes")).unwrap();
    assert_linked_folder_skipped(&hb, "themes");
}

#[test]
fn a_content_folder_that_is_a_link_is_an_error_naming_it() {
    // opsbook's own layout, and another tool's (`docs/` of an MkDocs site).
    for (files, folder) in [
        (vec![("opsbook.toml", "title = \"Hostile\"\n")], "content"),
        (vec![("mkdocs.yml", "site_name: Hostile\n")], "docs"),
    ] {
        let hb = Handbook::new(&files);
        let outside = outside_folder(&hb);
        std::os::unix::fs::symlink(&outside, hb.root.join(folder)).unwrap();
        let before = snapshot(hb.tmp.path());
        let run = hb.build(&[]);
        run.assert_failure();
        let message = format!("{folder}: the content folder `{folder}/` is a symbolic link: opsbook never follows links out of the handbook");
        assert_eq!(
            run.errors(),
            [format!("error: {message}")],
            "{}",
            run.stderr
        );
        assert_eq!(
            run.hint_after(&format!("error: {message}")),
            Some(format!("move the folder it points to into the handbook in place of `{folder}`, or run opsbook on the handbook that holds it").as_str())
        );
        assert!(!hb.out("public").exists());
        assert_same_tree(&before, &snapshot(hb.tmp.path()));
        // `check` cannot read the handbook either: exit 2.
        let (code, report) = check_json(&hb.root);
        assert_eq!(code, Some(2), "{report}");
        assert_eq!(
            findings(&report),
            [(
                "content".to_string(),
                folder.to_string(),
                "error".to_string(),
                message.split_once(": ").unwrap().1.to_string()
            )]
        );
    }
}

#[test]
fn a_further_folder_of_markdown_that_is_a_link_is_skipped_with_a_warning() {
    // A Docusaurus site publishes `docs/` and `blog/`; `blog/` leads outside.
    let hb = Handbook::new(&[
        (
            "docusaurus.config.js",
            "module.exports = { title: 'Hostile' };\n",
        ),
        ("docs/intro.md", "# Intro\n\nWelcome.\n"),
    ]);
    let outside = outside_folder(&hb);
    std::os::unix::fs::symlink(outside.join("runbooks"), hb.root.join("blog")).unwrap();
    let run = hb.build(&[]);
    run.assert_success();
    assert!(
        run.warnings().contains(&skipped("blog").as_str()),
        "{}",
        run.stderr
    );
    let out = hb.out("public");
    assert_eq!(
        files_containing(&out, OUTSIDE.as_bytes()),
        Vec::<String>::new()
    );
    assert!(out.join("docs/intro/index.html").is_file());
}

#[test]
fn slugs_aliases_and_urls_that_leave_the_output_are_refused() {
    let hb = handbook(&[
        (
            "content/runbooks/slug.md",
            "+++\ntitle = \"Slug\"\nslug = \"../../../escaped-by-slug\"\n+++\nx\n",
        ),
        (
            "content/runbooks/alias.md",
            "+++\ntitle = \"Alias\"\naliases = [\"/ok/\", \"../../../escaped-by-alias/\", \"/a/../../escaped/\"]\n+++\nx\n",
        ),
        (
            "content/runbooks/url.md",
            "+++\ntitle = \"Url\"\nurl = \"/../../escaped-by-url/\"\n+++\nx\n",
        ),
    ]);
    let before = snapshot(hb.tmp.path());
    let run = hb.build(&[]);
    run.assert_failure();
    let errors = run.errors();
    for expected in [
        "error: content/runbooks/alias.md:3:",
        "error: content/runbooks/slug.md:3:",
        "error: content/runbooks/url.md:3:",
    ] {
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(expected) && e.contains("leaves the site")),
            "{expected}:\n{}",
            run.stderr
        );
    }
    assert_eq!(errors.len(), 4, "{}", run.stderr);
    assert_same_tree(&before, &snapshot(hb.tmp.path()));
}

#[test]
fn a_50_mb_page_builds_in_bounded_memory() {
    let mut body = String::from("+++\ntitle = \"Pasted log\"\n+++\n\n");
    let paragraph = "Disk full on the postgres replica: evicting pods from the node under pressure, restarting the writer and waiting for the replica lag to drop. ";
    let mut section = 0;
    while body.len() < 50 * 1024 * 1024 {
        body.push_str(&format!("## Section {section}\n\n"));
        for _ in 0..40 {
            body.push_str(paragraph);
            body.push_str("\n\n");
        }
        body.push_str("```bash\ndf -h /var/lib/postgresql\nkubectl get pods -n db\n```\n\n");
        section += 1;
    }
    let hb = handbook(&[("content/runbooks/log.md", &body)]);
    let (run, peak_mb) = build_measured(&hb);
    run.assert_success();
    let html = std::fs::read_to_string(hb.out("public/runbooks/log/index.html")).unwrap();
    assert!(html.len() > 50 * 1024 * 1024);
    assert!(html.contains(&format!("id=\"section-{}\"", section - 1)));
    // About ten times the page: its text, its HTML and its search index.
    assert!(peak_mb < 1500, "peak memory {peak_mb} MB");
}

#[test]
fn ten_thousand_nested_lists_and_blockquotes_build() {
    let levels = 10_000;
    let body = format!(
        "+++\ntitle = \"Deep\"\n+++\n\n{}deep list\n\n{}deep quote\n\n{} tight quote\n\n{}numbered\n\n{}x{}\n\n{}x{}\n",
        "- ".repeat(levels),
        "> ".repeat(levels),
        ">".repeat(levels),
        "1. ".repeat(levels),
        "*".repeat(levels),
        "*".repeat(levels),
        "[".repeat(levels),
        "]".repeat(levels),
    );
    let hb = handbook(&[("content/runbooks/deep.md", &body)]);
    let (run, peak_mb) = build_measured(&hb);
    run.assert_success();
    let html = std::fs::read_to_string(hb.out("public/runbooks/deep/index.html")).unwrap();
    assert!(
        html.matches("<ul>").count() >= levels,
        "lists were flattened"
    );
    assert!(
        html.matches("<blockquote").count() >= 2 * levels,
        "quotes were flattened"
    );
    assert!(html.contains("deep list") && html.contains("tight quote"));
    assert!(peak_mb < 1000, "peak memory {peak_mb} MB");
}

#[test]
fn a_million_links_build_and_broken_ones_are_summarised() {
    let line = |count: usize, link: &dyn Fn(usize) -> String| {
        (0..count).map(link).collect::<Vec<_>>().join(" ")
    };
    let good = line(1_000_000, &|i| format!("[l{i}](disk.md)"));
    let hb = handbook(&[
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\n+++\nx\n",
        ),
        (
            "content/runbooks/links.md",
            &format!("+++\ntitle = \"Links\"\n+++\n\n{good}\n"),
        ),
    ]);
    let (run, peak_mb) = build_measured(&hb);
    run.assert_success();
    let html = std::fs::read_to_string(hb.out("public/runbooks/links/index.html")).unwrap();
    let (_, content) = html.split_once("<div class=\"content\">").unwrap();
    assert_eq!(
        content.matches("<a href=\"/runbooks/disk/\">").count(),
        1_000_000
    );
    assert!(peak_mb < 2500, "peak memory {peak_mb} MB");

    let broken = line(100_000, &|i| format!("[m{i}](missing-{i}.md)"));
    hb.write(
        "content/runbooks/links.md",
        format!("+++\ntitle = \"Links\"\n+++\n\n{broken}\n").as_bytes(),
    );
    let run = hb.build(&[]);
    run.assert_failure();
    // Twenty, with their columns on the one line, and a count of the rest.
    assert_eq!(run.errors().len(), 20, "{}", &run.stderr[..2000]);
    assert!(run.errors()[0].starts_with("error: content/runbooks/links.md:5:"));
    assert!(
        run.stderr
            .contains("  … and 99980 more in content/runbooks/links.md, not shown\n"),
        "{}",
        &run.stderr[..2000]
    );
    assert!(run
        .stderr
        .ends_with("Build failed with 100000 errors; the output folder was left as it was.\n"));
}

#[test]
fn nul_bytes_and_invalid_utf8_are_named_and_nothing_is_half_written() {
    let hb = handbook(&[]);
    hb.write(
        "content/runbooks/nul.md",
        b"+++\ntitle = \"Null\"\n+++\nbody \x00 with a NUL, and `\x00` in code\n\n```bash\necho \x00\n```\n",
    );
    let run = hb.build(&[]);
    run.assert_success();
    assert_eq!(
        run.warnings(),
        ["warning: content/runbooks/nul.md:4:6: NUL character replaced with U+FFFD (\u{fffd})"]
    );
    let out = hb.out("public");
    assert_eq!(files_containing(&out, b"\x00"), Vec::<String>::new());
    let html = std::fs::read_to_string(out.join("runbooks/nul/index.html")).unwrap();
    assert!(html.contains("body \u{fffd} with a NUL"));

    // A NUL in front matter is replaced too: TOML would refuse it.
    hb.write(
        "content/runbooks/title.md",
        b"+++\ntitle = \"Null \x00 title\"\n+++\nx\n",
    );
    // Names that are not UTF-8, in content/ and static/; a body that is not UTF-8.
    let name = |dir: &str, bytes: &[u8]| {
        let mut path = hb.root.join(dir).into_os_string();
        path.push("/");
        path.push(std::ffi::OsStr::from_bytes(bytes));
        path
    };
    std::fs::create_dir_all(hb.root.join("static")).unwrap();
    std::fs::write(
        name("content/runbooks", b"caf\xe9.md"),
        "+++\ntitle = \"x\"\n+++\n",
    )
    .unwrap();
    std::fs::write(name("static", b"logo\xff.png"), "png").unwrap();
    hb.write(
        "content/runbooks/latin1.md",
        b"+++\ntitle = \"x\"\n+++\ncaf\xe9\n",
    );
    let before = snapshot(&out);
    let run = hb.build(&[]);
    run.assert_failure();
    let mut errors = run.errors();
    errors.sort();
    assert_eq!(
        errors,
        [
            "error: content/runbooks/caf\u{fffd}.md: the file name is not valid UTF-8, so it has no URL",
            "error: content/runbooks/latin1.md:4:4: the file is not valid UTF-8",
            "error: static/logo\u{fffd}.png: the file name is not valid UTF-8, so it has no URL",
        ],
        "{}",
        run.stderr
    );
    assert!(run.warnings().contains(
        &"warning: content/runbooks/title.md:2:15: NUL character replaced with U+FFFD (\u{fffd})"
    ));
    assert_same_tree(&before, &snapshot(&out));
}

#[test]
fn templates_that_recurse_forever_fail_with_the_template_named() {
    let hb = handbook(&[
        (
            "templates/partials/loop.html",
            "{% macro again(n) %}{{ self::again(n=n+1) }}{% endmacro again %}",
        ),
        (
            "templates/index.html",
            "{% import \"partials/loop.html\" as l %}<html>{{ l::again(n=1) }}</html>",
        ),
    ]);
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        ["error: templates/partials/loop.html:1:24: while rendering `content/_index.md`: templates nest too deeply: a macro or an include calls itself without end"],
        "{}",
        run.stderr
    );
    assert!(!hb.out("public").exists());

    // Two partials that include each other.
    hb.write(
        "templates/partials/a.html",
        b"a{% include \"partials/b.html\" %}",
    );
    hb.write(
        "templates/partials/b.html",
        b"b{% include \"partials/a.html\" %}",
    );
    hb.write(
        "templates/index.html",
        b"<html>{% include \"partials/a.html\" %}</html>",
    );
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(run.errors().len(), 1, "{}", run.stderr);
    assert!(
        run.errors()[0].contains("templates nest too deeply"),
        "{}",
        run.stderr
    );
}

#[test]
fn files_differing_only_in_case_are_named() {
    let hb = handbook(&[
        (
            "content/runbooks/Disk.md",
            "+++\ntitle = \"Upper\"\n+++\nx\n",
        ),
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"lower\"\n+++\ny\n",
        ),
        ("static/img/Logo.png", "upper"),
        ("static/img/logo.png", "lower"),
    ]);
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        ["error: content/runbooks/disk.md: `content/runbooks/Disk.md` and `content/runbooks/disk.md` both want the URL `/runbooks/disk/`; the second is at `/runbooks/disk-2/`"]
    );
    let case_warning = "warning: static/img/logo.png: `static/img/Logo.png` and `static/img/logo.png` differ only in case: on macOS and Windows one overwrites the other";
    assert_eq!(run.warnings(), [case_warning]);

    // Static files that differ in case are both copied: URLs are case-sensitive.
    std::fs::remove_file(hb.root.join("content/runbooks/Disk.md")).unwrap();
    let run = hb.build(&[]);
    run.assert_success();
    assert_eq!(run.warnings(), [case_warning]);
    let out = hb.out("public");
    assert_eq!(std::fs::read(out.join("img/Logo.png")).unwrap(), b"upper");
    assert_eq!(std::fs::read(out.join("img/logo.png")).unwrap(), b"lower");
}

#[test]
fn templates_cannot_read_the_environment() {
    let hb = handbook(&[(
        "templates/index.html",
        "<html>{{ get_env(name=\"OPSBOOK_TEST_SECRET\", default=\"none\") }}</html>",
    )]);
    let run = crate::support::build_with_env(
        &hb.root,
        &hb.out("public"),
        &[],
        &[("OPSBOOK_TEST_SECRET", "hunter2")],
    );
    run.assert_failure();
    assert_eq!(run.errors().len(), 1, "{}", run.stderr);
    assert!(
        run.errors()[0].starts_with("error: templates/index.html")
            && run.errors()[0].ends_with(
                "templates cannot read environment variables: they could publish a secret"
            ),
        "{}",
        run.stderr
    );
    assert!(!hb.out("public").exists());
}

#[test]
fn a_template_that_writes_without_end_is_stopped_with_its_name() {
    // The loop that wrote a 1.45 GB `404.html` with 4 GB of memory; tera's `range` alone made
    // 100 million numbers before the loop began.
    let hb = handbook(&[(
        "templates/404.html",
        "{% for i in range(end=100000000) %}xxxxxxxxxx{% endfor %}",
    )]);
    let started = std::time::Instant::now();
    let (run, peak_mb) = build_measured(&hb);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        ["error: templates/404.html:1:13: while rendering the 404 page: Failed to render '404.html': Function call 'range' failed: Function `range` would make 100000000 numbers; a template may make at most 1000000"],
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(peak_mb < 400, "{peak_mb} MB");
    assert!(!hb.out("public").exists());

    // Loops within that bound that write a gigabyte: stopped at 64 MB.
    let kilobyte = "x".repeat(1024);
    hb.write(
        "templates/404.html",
        format!(
            "{{% for i in range(end=1000) %}}{{% for j in range(end=1000) %}}{kilobyte}{{% endfor %}}{{% endfor %}}"
        )
        .as_bytes(),
    );
    let started = std::time::Instant::now();
    let (run, peak_mb) = build_measured(&hb);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        ["error: templates/404.html: while rendering the 404 page: `404.html` wrote more than 64 MB, the most one file may have; rendering stopped"],
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(peak_mb < 400, "{peak_mb} MB");
    assert!(!hb.out("public").exists());

    // A step of 0 made tera's `range` loop for ever.
    hb.write(
        "templates/404.html",
        b"{% for i in range(end=10, step_by=0) %}x{% endfor %}",
    );
    let (run, _) = build_measured(&hb);
    run.assert_failure();
    assert!(
        run.errors()[0].ends_with("Function `range` needs a `step_by` of 1 or more"),
        "{}",
        run.stderr
    );
    // What themes do with it still works.
    hb.write(
        "templates/404.html",
        b"{% for i in range(start=2, end=11, step_by=3) %}[{{ i }}]{% endfor %}",
    );
    let (run, _) = build_measured(&hb);
    run.assert_success();
    assert_eq!(
        std::fs::read_to_string(hb.out("public/404.html")).unwrap(),
        "[2][5][8]"
    );
}
