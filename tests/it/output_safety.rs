//! The output folder: replaced only by a successful build, never the handbook itself, and the
//! same bytes for the same input.

use std::path::Path;

use crate::support::{
    assert_same_tree, build, build_with_env, entries, example_dir, html_file, html_files, page,
    sel, snapshot, text, Handbook,
};

fn small_handbook() -> Handbook {
    Handbook::new(&[
        ("opsbook.toml", "title = \"Safety\"\n"),
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\nservices = [\"db\"]\nlast_reviewed = 2026-10-01\n+++\n\n## Step 1\n\nFree space.\n",
        ),
        (
            "content/runbooks/dns.md",
            "+++\ntitle = \"DNS\"\n+++\n\nSee [disk](disk.md#step-1).\n",
        ),
        ("content/about.md", "# About\n\nA handbook.\n"),
        ("static/robots-extra.txt", "extra\n"),
    ])
}

/// Entries beside the output folder, other than the handbook and the output itself.
fn leftovers(tmp: &Path) -> Vec<String> {
    entries(tmp)
        .into_iter()
        .filter(|e| e != "hb" && e != "public")
        .collect()
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_identical() {
    let hb = small_handbook();
    let out = hb.out("public");
    hb.build(&[]).assert_success();
    let before = snapshot(&out);
    assert!(before.contains_key("runbooks/disk/index.html"));
    assert!(before.contains_key("robots-extra.txt"));

    // A front matter error, and a link to a heading the edit removed: both reported, nothing
    // written.
    hb.write(
        "content/runbooks/disk.md",
        b"+++\ntitle = \"Disk\"\nseverity = \"sev9\"\n+++\n\nChanged.\n",
    );
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        [
            "error: content/runbooks/disk.md:3:12: invalid `severity`: unknown variant `sev9`, expected one of `sev1`, `sev2`, `sev3`, `sev4`; left out",
            "error: content/runbooks/dns.md:5:5: broken link `disk.md#step-1`: `content/runbooks/disk.md` has no heading with the id `step-1`",
        ]
    );
    assert_same_tree(&before, &snapshot(&out));
    assert_eq!(leftovers(hb.tmp.path()), Vec::<String>::new());
}

#[test]
fn a_build_failing_while_rendering_leaves_the_previous_output_byte_identical() {
    let hb = small_handbook();
    let out = hb.out("public");
    hb.build(&[]).assert_success();
    let before = snapshot(&out);

    // A template that parses but fails at render time, after the staging folder exists.
    hb.write(
        "templates/page.html",
        b"{% extends \"base.html\" %}\n{% block main %}\n<p>{{ page.no_such_field.deeper }}</p>\n{% endblock main %}\n",
    );
    let run = hb.build(&[]);
    run.assert_failure();
    // Runbooks extend page.html, so the runbook fails too, and is traced to the same line.
    assert_eq!(
        run.errors(),
        [
            "error: templates/page.html:3:7: while rendering `content/about.md`: Failed to render 'page.html': Variable `page.no_such_field.deeper` not found in context while rendering 'page.html'",
            "error: templates/page.html:3:7: while rendering `content/runbooks/disk.md`: Failed to render 'runbook.html' (error happened in a parent template): Variable `page.no_such_field.deeper` not found in context while rendering 'runbook.html'",
        ]
    );
    assert_same_tree(&before, &snapshot(&out));
    assert_eq!(
        leftovers(hb.tmp.path()),
        Vec::<String>::new(),
        "a staging folder was left beside the output"
    );
}

#[test]
fn a_successful_build_replaces_the_output_entirely() {
    let hb = small_handbook();
    let out = hb.out("public");
    hb.build(&[]).assert_success();
    std::fs::write(out.join("stale.html"), "old").unwrap();
    std::fs::remove_file(hb.root.join("content/about.md")).unwrap();
    hb.write(
        "content/runbooks/dns.md",
        b"+++\ntitle = \"DNS, renamed\"\n+++\n\nSee [disk](disk.md#step-1).\n",
    );
    hb.build(&[]).assert_success();
    assert!(!out.join("stale.html").exists(), "stale file kept");
    assert!(!out.join("about").exists(), "removed page kept");
    assert_eq!(
        text(&page(&out, "runbooks/dns/"), "h1.doc-title"),
        "DNS, renamed"
    );
    assert_eq!(leftovers(hb.tmp.path()), Vec::<String>::new());
}

#[test]
fn refuses_dangerous_output_folders_and_deletes_nothing() {
    let hb = small_handbook();
    std::fs::create_dir_all(hb.root.join("content/sub")).unwrap();
    std::fs::write(hb.root.join("content/sub/note.txt"), "keep me").unwrap();
    std::fs::write(hb.tmp.path().join("sibling.txt"), "keep me too").unwrap();
    let before = snapshot(hb.tmp.path());
    let root = hb.root.clone();
    let cases = [
        (root.clone(), "it is the handbook folder itself"),
        (hb.tmp.path().to_path_buf(), "it contains the handbook"),
        (
            root.join("content"),
            "it is inside the handbook's `content/` folder",
        ),
        (
            root.join("content/sub"),
            "it is inside the handbook's `content/` folder",
        ),
        (
            root.join("content/new"),
            "it is inside the handbook's `content/` folder",
        ),
        (
            root.join("static"),
            "it is inside the handbook's `static/` folder",
        ),
    ];
    for (out, why) in cases {
        let run = build(&root, &out, &[]);
        run.assert_failure();
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{}", run.stderr);
        let canonical = out.canonicalize().unwrap_or_else(|_| {
            out.parent()
                .unwrap()
                .canonicalize()
                .unwrap()
                .join(out.file_name().unwrap())
        });
        assert_eq!(
            errors[0],
            format!(
                "error: refusing to write the site to `{}`: {why}",
                canonical.display()
            ),
            "{}",
            run.stderr
        );
        assert_eq!(
            run.hint_after(errors[0]),
            Some("choose an output folder of its own, such as `public/`, with -o")
        );
        assert_same_tree(&before, &snapshot(hb.tmp.path()));
    }
    // Spelled relative, through `..`, from inside the handbook.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .current_dir(root.join("content"))
        .args([
            "build",
            "..",
            "-o",
            "../content/..",
            "--no-cache",
            "--now",
            crate::support::NOW,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("refusing to write the site to"));
    assert_same_tree(&before, &snapshot(hb.tmp.path()));
}

#[test]
fn same_input_gives_byte_identical_output() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    let second = tmp.path().join("second");
    // Different thread counts, so parallel rendering finishes in a different order.
    build_with_env(&example_dir(), &first, &[], &[("RAYON_NUM_THREADS", "1")]).assert_success();
    build_with_env(&example_dir(), &second, &[], &[("RAYON_NUM_THREADS", "4")]).assert_success();
    let a = snapshot(&first);
    let b = snapshot(&second);
    assert!(a.len() > 50, "suspiciously few files: {}", a.len());
    assert_same_tree(&a, &b);
}

#[test]
fn offline_build_links_resolve_to_files_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("offline");
    build(
        &example_dir(),
        &out,
        &[
            "--offline",
            "--base-url",
            "https://ops.example.org/handbook/",
        ],
    )
    .assert_success();
    let selector = sel("[href], [src], form[action]");
    let mut checked = 0;
    for file in html_files(&out) {
        let html = html_file(&out, &file);
        let folder = std::path::Path::new(&file).parent().unwrap().to_path_buf();
        for element in html.select(&selector) {
            let attrs = element.value();
            let Some(url) = attrs
                .attr("href")
                .or(attrs.attr("src"))
                .or(attrs.attr("action"))
            else {
                continue;
            };
            if url.starts_with('#') || url.contains("://") || url.starts_with("mailto:") {
                continue;
            }
            assert!(!url.starts_with('/'), "{file}: `{url}` is not relative");
            let path = url.split(['#', '?']).next().unwrap();
            let target = out.join(&folder).join(path);
            assert!(
                target.is_file(),
                "{file}: `{url}` leads to no file ({})",
                target.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} links checked");
}

/// The steps of the swap at which `OPSBOOK_TEST_KILL_AT` kills the build; the last two are the
/// swap without exchange, which systems without one use (and which they make the build use).
const KILL_STEPS: [&str; 5] = [
    "before-swap",
    "after-exchange",
    "removing-old",
    "between-renames",
    "after-renames",
];

#[test]
fn a_build_killed_at_any_step_of_the_swap_leaves_a_whole_site_and_the_next_build_cleans_up() {
    use std::os::unix::process::ExitStatusExt;
    let changed = "+++\ntitle = \"Disk, renamed\"\nservices = [\"db\"]\nlast_reviewed = 2026-10-01\n+++\n\n## Step 1\n\nFree more space.\n\n## Step 2\n\nCheck.\n";
    let broken = "+++\ntitle = \"Disk\"\nseverity = \"sev9\"\n+++\n";
    for step in KILL_STEPS {
        let hb = small_handbook();
        let out = hb.out("public");
        hb.build(&[]).assert_success();
        let old = snapshot(&out);
        hb.write("content/runbooks/disk.md", changed.as_bytes());
        let reference = hb.out("reference");
        build(&hb.root, &reference, &[]).assert_success();
        let new = snapshot(&reference);
        std::fs::remove_dir_all(&reference).unwrap();
        assert_ne!(old, new);

        let killed = build_with_env(&hb.root, &out, &[], &[("OPSBOOK_TEST_KILL_AT", step)]);
        assert_eq!(killed.status.signal(), Some(9), "{step}: {}", killed.stderr);
        let left = leftovers(hb.tmp.path());
        assert!(
            !left.is_empty(),
            "{step}: the kill left nothing to clean up"
        );
        let expected = if step == "between-renames" {
            // The one moment without an output folder: the old site waits beside it, under a
            // name the next build knows.
            assert!(!out.exists(), "{step}");
            assert!(
                left.iter()
                    .any(|n| n.starts_with(".public.opsbook-previous-")),
                "{step}: {left:?}"
            );
            &old
        } else {
            let now = snapshot(&out);
            assert!(now == old || now == new, "{step}: a site of both builds");
            if step == "before-swap" {
                assert_same_tree(&old, &now);
                &old
            } else {
                assert_same_tree(&new, &now);
                &new
            }
        };

        // The next build, even one that fails, first puts back a site left beside the output
        // and removes what the killed one left.
        hb.write("content/runbooks/disk.md", broken.as_bytes());
        hb.build(&[]).assert_failure();
        assert_same_tree(expected, &snapshot(&out));
        assert_eq!(
            leftovers(hb.tmp.path()),
            Vec::<String>::new(),
            "{step}: leftovers stay"
        );
        hb.write("content/runbooks/disk.md", changed.as_bytes());
        hb.build(&[]).assert_success();
        assert_same_tree(&new, &snapshot(&out));
        assert_eq!(leftovers(hb.tmp.path()), Vec::<String>::new(), "{step}");
    }
}

#[test]
fn leftovers_of_running_builds_and_other_folders_are_never_removed() {
    let hb = small_handbook();
    let out = hb.out("public");
    hb.build(&[]).assert_success();
    let site = snapshot(&out);
    // A running process's staging folder (this test's own), folders named almost like
    // leftovers, a leftover of another output folder, and a symbolic link named as a leftover.
    let running = format!(".public.opsbook-staging-{}-abc", std::process::id());
    let kept = [
        running.as_str(),
        ".public.opsbook-staging-x-1",
        ".public.opsbook-stagingx-1-1",
        ".public.opsbook-previous-",
        ".other.opsbook-staging-999999999-1",
        "public.opsbook-staging-999999999-1",
        ".opsbook-previous-abcdef",
    ];
    for name in kept {
        std::fs::create_dir_all(hb.tmp.path().join(name).join("inner")).unwrap();
        std::fs::write(hb.tmp.path().join(name).join("inner/file"), name).unwrap();
    }
    let target = hb.tmp.path().join("precious");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("file"), "keep").unwrap();
    std::os::unix::fs::symlink(
        &target,
        hb.tmp.path().join(".public.opsbook-previous-999999999-1"),
    )
    .unwrap();
    // A dead build's folders (a pid no process has) are removed.
    let dead = ".public.opsbook-staging-999999999-dead";
    std::fs::create_dir_all(hb.tmp.path().join(dead).join("x")).unwrap();

    hb.build(&[]).assert_success();
    assert_same_tree(&site, &snapshot(&out));
    let left = leftovers(hb.tmp.path());
    for name in kept {
        assert!(
            left.iter().any(|n| n == name),
            "{name} was removed: {left:?}"
        );
        assert_eq!(
            std::fs::read_to_string(hb.tmp.path().join(name).join("inner/file")).unwrap(),
            name
        );
    }
    assert!(!left.iter().any(|n| n == dead), "{left:?}");
    assert_eq!(
        std::fs::read_to_string(target.join("file")).unwrap(),
        "keep"
    );
    assert!(left
        .iter()
        .any(|n| n == ".public.opsbook-previous-999999999-1"));
}
