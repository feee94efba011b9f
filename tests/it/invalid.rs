//! Invalid handbooks under `tests/fixtures/invalid/<case>/`: each build must fail with exit
//! code 1, print exactly one precise `error: file:line:col: message`, and write nothing.

use crate::support::{build, check_json, entries, fixture_dir, snapshot, Handbook, Run};

/// Builds `tests/fixtures/invalid/<case>` into a fresh temporary folder and checks that the
/// build failed with exactly the error lines given, and that nothing was written.
#[track_caller]
fn assert_fails(case: &str, expected: &[&str]) -> Run {
    let dir = fixture_dir(&format!("invalid/{case}"));
    assert!(dir.join("content").is_dir(), "fixture {case} is missing");
    let before = snapshot(&dir);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let run = build(&dir, &out, &[]);
    run.assert_failure();
    assert_eq!(run.errors(), expected, "stderr:\n{}", run.stderr);
    assert_eq!(
        run.stderr.lines().last(),
        Some(
            format!(
                "Build failed with {} error{}; the output folder was left as it was.",
                expected.len(),
                if expected.len() == 1 { "" } else { "s" }
            )
            .as_str()
        )
    );
    assert!(!out.exists(), "{case}: an output folder was created");
    assert_eq!(
        entries(tmp.path()),
        Vec::<String>::new(),
        "{case}: something was left beside the output folder"
    );
    assert!(
        before == snapshot(&dir),
        "{case}: the build changed the handbook folder"
    );
    run
}

#[test]
fn malformed_toml_front_matter() {
    assert_fails(
        "malformed_toml_front_matter",
        &["error: content/runbooks/disk-full.md:4:22: invalid TOML front matter: unclosed array, expected `]`"],
    );
}

#[test]
fn malformed_yaml_front_matter() {
    assert_fails(
        "malformed_yaml_front_matter",
        &["error: content/processes/on-call.md:4:14: invalid YAML front matter: did not find expected ',' or ']'"],
    );
}

#[test]
fn unknown_config_key() {
    assert_fails(
        "unknown_config_key",
        &["error: opsbook.toml:5:1: unknown field `broken_link`, expected `broken_links`"],
    );
}

#[test]
fn bad_date() {
    assert_fails(
        "bad_date",
        &["error: content/runbooks/cert-expiry.md:4:17: invalid `last_reviewed`: invalid date `14/09/2026`: expected YYYY-MM-DD or an RFC 3339 date-time with an offset, such as 2026-10-02T09:14:00Z; left out"],
    );
}

#[test]
fn bad_enum() {
    assert_fails(
        "bad_enum",
        &["error: content/runbooks/dns.md:4:12: invalid `severity`: unknown variant `sev9`, expected one of `sev1`, `sev2`, `sev3`, `sev4`; left out"],
    );
}

#[test]
fn unknown_kind() {
    assert_fails(
        "unknown_kind",
        &["error: content/guides/pasta.md:3:8: unknown kind \"recipe\": expected one of page, runbook, process, postmortem, incident; read as page"],
    );
}

#[test]
fn broken_link() {
    assert_fails(
        "broken_link",
        &["error: content/runbooks/lb-502.md:7:27: broken link `backends-down.md`: no page or file at `content/runbooks/backends-down.md`"],
    );
}

#[test]
fn broken_anchor() {
    // The first link's anchor exists; only the second is reported.
    assert_fails(
        "broken_anchor",
        &["error: content/postmortems/2026-08-14-writes.md:9:1: broken link `../runbooks/disk.md#step-3-expand-the-volume`: `content/runbooks/disk.md` has no heading with the id `step-3-expand-the-volume`"],
    );
}

#[test]
fn template_syntax_error() {
    let run = assert_fails(
        "template_syntax_error",
        &["error: templates/page.html:6:39: Failed to parse 'page.html':  --> 6:39   | 6 |   <p class=\"lead\">{{ page.description }</p>   |                                       ^---   |   = expected `or`, `and`, `not`, `<=`, `>=`, `<`, `>`, `==`, `!=`, `+`, `-`, `*`, `/`, `%`, a filter, or a variable end (`}}`)"],
    );
    assert!(run.errors()[0].starts_with("error: templates/page.html:6:"));
}

#[test]
fn duplicate_url() {
    let run = assert_fails(
        "duplicate_url",
        &["error: content/a.md: `content/a/index.md` and `content/a.md` both want the URL `/a/`; the second is at `/a-2/`"],
    );
    assert_eq!(
        run.hint_after(run.errors()[0]),
        Some("rename one of the files or give one a different `slug`")
    );
}

#[test]
fn unknown_status_component() {
    // The id is on line 3, column 15 (`components = ["object-storag"]`).
    let run = assert_fails(
        "unknown_status_component",
        &["error: content/status/2026-07-03-s3-errors.md:3:15: incident names unknown component `object-storag`"],
    );
    assert_eq!(
        run.hint_after(run.errors()[0]),
        Some("did you mean `object-storage`?")
    );
}

#[test]
fn non_utf8_file() {
    // Latin-1 `é` (0xE9) in the title; kept out of the committed fixtures, which are text.
    let hb = Handbook::new(&[("opsbook.toml", "title = \"Non-UTF-8\"\n")]);
    hb.write(
        "content/runbooks/cafe.md",
        b"+++\ntitle = \"Caf\xe9 machine down\"\n+++\n\nRestart it.\n",
    );
    hb.write("content/runbooks/fine.md", b"# Fine\n\nAll good.\n");
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        ["error: content/runbooks/cafe.md:2:13: the file is not valid UTF-8"],
        "{}",
        run.stderr
    );
    assert_eq!(run.hint_after(run.errors()[0]), Some("save it as UTF-8"));
    assert!(!hb.out("public").exists());
    assert_eq!(entries(hb.tmp.path()), ["hb"]);
}

#[test]
fn several_problems_are_all_reported_sorted_by_file() {
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"Many problems\"\n"),
        (
            "content/runbooks/b.md",
            "+++\ntitle = \"B\"\nseverity = \"high\"\n+++\n",
        ),
        (
            "content/runbooks/a.md",
            "+++\ntitle = \"A\"\nlast_reviewed = \"last week\"\n+++\n",
        ),
    ]);
    let run = hb.build(&[]);
    run.assert_failure();
    let errors = run.errors();
    assert_eq!(errors.len(), 2, "{}", run.stderr);
    assert!(errors[0].starts_with("error: content/runbooks/a.md:3:17: invalid `last_reviewed`"));
    assert!(errors[1].starts_with("error: content/runbooks/b.md:3:12: invalid `severity`"));
    assert!(run
        .stderr
        .ends_with("Build failed with 2 errors; the output folder was left as it was.\n"));
    assert!(!hb.out("public").exists());
}

/// `opsbook check` on `hb`: its exit code and every finding as
/// `level [rule] file:line:column: message`.
fn checked(hb: &Handbook) -> (Option<i32>, Vec<String>) {
    let (code, report) = check_json(&hb.root);
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = match (f["line"].as_u64(), f["column"].as_u64()) {
                (Some(line), Some(column)) if line > 0 => format!(":{line}:{column}"),
                _ => String::new(),
            };
            format!(
                "{} [{}] {}{at}: {}",
                f["level"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["file"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    (code, findings)
}

fn home() -> (&'static str, &'static str) {
    (
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
    )
}

#[test]
fn a_template_syntax_error_is_at_the_users_line_and_column() {
    // On the first line, where the guard against endless recursion goes, and on a line after
    // imports and a macro, with a macro of its own.
    let first = "{% macro card(title) %}<div class=\"card\">{{ title }} {{ 1 + }}</div>{% endmacro card %}\n";
    let later = "{% import \"macros.html\" as m %}\n{% macro a() %}x{% endmacro a %}\n{% macro b() %}<p>{{ m::x( }}</p>{% endmacro b %}\n";
    for (text, at, line) in [
        (first, "1:61", first.lines().next().unwrap()),
        (later, "3:28", later.lines().nth(2).unwrap()),
    ] {
        let hb = Handbook::new(&[
            ("opsbook.toml", "title = \"x\"\n"),
            home(),
            ("templates/cards.html", text),
        ]);
        let run = hb.build(&[]);
        run.assert_failure();
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{}", run.stderr);
        let number = &at[..1];
        let column: usize = at[2..].parse().unwrap();
        let expected = format!(
            "error: templates/cards.html:{at}: Failed to parse 'cards.html':  --> {at}   | {number} | {line}   | {}^---   |   = expected ",
            " ".repeat(column - 1)
        );
        assert!(
            errors[0].starts_with(&expected),
            "{}\nnot {expected}",
            errors[0]
        );
        assert!(!run.stderr.contains("__opsbook"), "{}", run.stderr);
        let (code, findings) = checked(&hb);
        assert_eq!(code, Some(1));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0].starts_with(&format!(
                "error [template] templates/cards.html:{at}: Failed to parse 'cards.html'"
            )),
            "{findings:?}"
        );
        assert!(!findings[0].contains("__opsbook"), "{findings:?}");
    }
}

#[test]
fn a_bad_slug_is_named_slug_at_its_line() {
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"x\"\n"),
        home(),
        (
            "content/a.md",
            "+++\ntitle = \"A\"\nslug = \"../../x\"\n+++\nA.\n",
        ),
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\nowners = [\"sre\"]\nlast_reviewed = 2026-11-01\n+++\nDisk.\n",
        ),
    ]);
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        ["error: content/a.md:3:8: slug `../../x` leaves the site: a slug is a path inside it",],
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("alias"), "{}", run.stderr);
    let (code, findings) = checked(&hb);
    assert_eq!(code, Some(1));
    assert_eq!(
        findings,
        ["error [invalid-field] content/a.md:3:8: slug `../../x` leaves the site: a slug is a path inside it"]
    );

    hb.write(
        "content/a.md",
        b"+++\ntitle = \"A\"\nslug = \"/../b/x\"\n+++\nA.\n",
    );
    // A slug holding `/` is a whole path (Docusaurus'); this one is the runbook's URL.
    hb.write(
        "content/c.md",
        b"+++\ntitle = \"C\"\naliases = [\"/old-c/\"]\nslug = \"/runbooks/disk\"\n+++\nC.\n",
    );
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        [
            "error: content/a.md:3:8: slug `/../b/x` leaves the site: a slug is a path inside it",
            "error: content/c.md:4:8: slug `/runbooks/disk` gives the URL `/runbooks/disk/`, which is already the URL of another page or alias",
        ],
        "{}",
        run.stderr
    );
    let (_, findings) = checked(&hb);
    assert_eq!(
        findings,
        [
            "error [invalid-field] content/a.md:3:8: slug `/../b/x` leaves the site: a slug is a path inside it",
            "error [url-conflict] content/c.md:4:8: slug `/runbooks/disk` gives the URL `/runbooks/disk/`, which is already the URL of another page or alias",
        ]
    );
}

#[test]
fn a_file_where_the_site_needs_a_folder_is_named_in_build_and_check() {
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"x\"\n"),
        home(),
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\nservices = [\"api\"]\nowners = [\"sre\"]\nlast_reviewed = 2026-11-01\n+++\nDisk.\n",
        ),
        // A file at the service pages' folder, and files in a folder at a page's file.
        ("static/services", "a file"),
        ("static/runbooks/disk/index.html/notes.txt", "notes"),
    ]);
    let before = snapshot(hb.tmp.path());
    let run = hb.build(&[]);
    run.assert_failure();
    let services = "`static/services` goes to `services`, and the service page `api` goes to `services/api/index.html` inside it: `services` cannot be both a file and a folder";
    let notes = "the page of `content/runbooks/disk.md` goes to `runbooks/disk/index.html`, and `static/runbooks/disk/index.html/notes.txt` goes to `runbooks/disk/index.html/notes.txt` inside it: `runbooks/disk/index.html` cannot be both a file and a folder";
    assert_eq!(
        run.errors(),
        [
            format!("error: static/runbooks/disk/index.html/notes.txt: {notes}"),
            format!("error: static/services: {services}"),
        ],
        "{}",
        run.stderr
    );
    assert_eq!(
        run.hint_after(&format!("error: static/services: {services}")),
        Some("rename or move `static/services`")
    );
    assert!(!run.stderr.contains(&*hb.tmp.path().to_string_lossy()));
    assert_eq!(before, snapshot(hb.tmp.path()), "the build wrote something");
    let (code, findings) = checked(&hb);
    assert_eq!(code, Some(1));
    assert_eq!(
        findings,
        [
            format!("error [url-conflict] static/runbooks/disk/index.html/notes.txt: {notes}"),
            format!("error [url-conflict] static/services: {services}"),
        ]
    );
}

#[test]
fn a_page_naming_a_missing_template_is_an_error_in_build_and_check() {
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"x\"\n"),
        home(),
        (
            "content/about.md",
            "+++\ntitle = \"About\"\ntemplate = \"missing\"\n+++\nAbout.\n",
        ),
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\nowners = [\"sre\"]\nlast_reviewed = 2026-11-01\ntemplate = \"runbok.html\"\n+++\nDisk.\n",
        ),
    ]);
    let run = hb.build(&[]);
    run.assert_failure();
    let about = "content/about.md:3:12: template `missing` not found: no such file in `templates/`, the theme or the default theme";
    let disk = "content/runbooks/disk.md:5:12: template `runbok.html` not found: no such file in `templates/`, the theme or the default theme";
    assert_eq!(
        run.errors(),
        [format!("error: {about}"), format!("error: {disk}")],
        "{}",
        run.stderr
    );
    assert_eq!(
        run.hint_after(&format!("error: {disk}")),
        Some("did you mean `runbook.html`?")
    );
    assert!(!hb.out("public").exists());
    let (code, findings) = checked(&hb);
    assert_eq!(code, Some(1));
    assert_eq!(
        findings,
        [
            format!("error [template] {about}"),
            format!("error [template] {disk}")
        ]
    );
}

#[test]
fn a_static_file_over_a_page_the_site_renders_is_a_warning_naming_both() {
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"x\"\n"),
        home(),
        ("static/index.html", "<h1>Hand-made home</h1>"),
        // An asset beside the pages, at the runbooks section's file.
        ("content/runbooks/index.html", "<h1>Hand-made list</h1>"),
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\nowners = [\"sre\"]\nlast_reviewed = 2026-11-01\n+++\nDisk.\n",
        ),
    ]);
    let run = hb.build(&[]);
    run.assert_success();
    let home_page = "static/index.html: `static/index.html` replaces the home page at `index.html`";
    let section = "content/runbooks/index.html: `content/runbooks/index.html` replaces the page of `content/runbooks` at `runbooks/index.html`";
    assert_eq!(
        run.warnings(),
        [
            format!("warning: {section}"),
            format!("warning: {home_page}")
        ],
        "{}",
        run.stderr
    );
    assert_eq!(
        run.hint_after(&format!("warning: {home_page}")),
        Some("the copied file wins; to change the page, override its template in `templates/`, or rename the file to keep the page")
    );
    let out = hb.out("public");
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "<h1>Hand-made home</h1>"
    );
    let (code, findings) = checked(&hb);
    assert_eq!(code, Some(0));
    assert_eq!(
        findings,
        [
            format!("warning [url-conflict] {section}"),
            format!("warning [url-conflict] {home_page}")
        ]
    );
}
