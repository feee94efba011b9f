//! Output reuse between builds: a second build links unchanged files from the previous output
//! instead of rendering them, and must still give exactly what a fresh build gives.

use std::path::Path;
use std::process::Command;

use crate::support::*;

/// `opsbook build DIR -o OUT --cache-dir CACHE`: a build that keeps its cache.
fn cached_build(dir: &Path, out: &Path, cache: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .arg("build")
        .arg(dir)
        .arg("-o")
        .arg(out)
        .arg("--cache-dir")
        .arg(cache)
        .args(["--now", "2026-11-27"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

fn unchanged(stderr: &str) -> usize {
    stderr
        .split(" unchanged")
        .next()
        .and_then(|head| head.rsplit(", ").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn second_build_reuses_unchanged_files_and_equals_a_fresh_build() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, cache, fresh) = (
        tmp.path().join("public"),
        tmp.path().join("cache"),
        tmp.path().join("fresh"),
    );
    let first = cached_build(&example_dir(), &out, &cache);
    assert_eq!(unchanged(&first), 0, "{first}");
    let inode = |path: &str| {
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(out.join(path)).unwrap())
    };
    let (meta, page_file) = (inode("search/meta.js"), inode("runbooks/index.html"));
    let second = cached_build(&example_dir(), &out, &cache);
    assert!(unchanged(&second) > 60, "{second}");
    // Taken over by hard link, not written again: pages, and the search files as a whole.
    assert_eq!(inode("runbooks/index.html"), page_file);
    assert_eq!(
        inode("search/meta.js"),
        meta,
        "the search export was not reused"
    );
    build(&example_dir(), &fresh, &[]).assert_success();
    assert_same_tree(&snapshot(&fresh), &snapshot(&out));
}

#[test]
fn an_edit_renders_every_page_that_shows_it_again() {
    let handbook = Handbook::new(&[
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "content/runbooks/a.md",
            "+++\ntitle = \"Alpha\"\n+++\nSee [beta](b.md).\n",
        ),
        (
            "content/runbooks/b.md",
            "+++\ntitle = \"Beta\"\n+++\nBody.\n",
        ),
        (
            "content/processes/c.md",
            "+++\ntitle = \"Gamma\"\n+++\nUnrelated.\n",
        ),
    ]);
    let (out, cache) = (handbook.out("public"), handbook.out("cache"));
    cached_build(&handbook.root, &out, &cache);
    handbook.write(
        "content/runbooks/b.md",
        b"+++\ntitle = \"Beta renamed\"\n+++\nBody.\n",
    );
    let second = cached_build(&handbook.root, &out, &cache);
    let fresh = handbook.out("fresh");
    build(&handbook.root, &fresh, &[]).assert_success();
    assert_same_tree(&snapshot(&fresh), &snapshot(&out));
    // The sidebar of every page in the section names "Beta renamed", so they all change; the
    // process page's sidebar does not open that section, so it is reused.
    assert!(unchanged(&second) >= 1, "{second}");
    let alpha = page(&out, "runbooks/a/");
    assert!(texts(&alpha, "nav a").iter().any(|t| t == "Beta renamed"));
}

#[test]
fn an_output_file_edited_by_hand_is_rendered_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, cache) = (tmp.path().join("public"), tmp.path().join("cache"));
    cached_build(&example_dir(), &out, &cache);
    let about = out.join("about/index.html");
    let original = std::fs::read(&about).unwrap();
    std::fs::write(&about, b"defaced").unwrap();
    cached_build(&example_dir(), &out, &cache);
    assert_eq!(std::fs::read(&about).unwrap(), original);
}
