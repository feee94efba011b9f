//! Output reuse between builds: a second build links unchanged files from the previous output
//! instead of rendering them, and must still give exactly what a fresh build gives.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::support::*;

/// `opsbook build DIR -o OUT --cache-dir CACHE`: a build that keeps its cache.
fn cached_build(dir: &Path, out: &Path, cache: &Path) -> String {
    cached_build_at(dir, out, cache, "2026-11-27", &[])
}

fn cached_build_at(dir: &Path, out: &Path, cache: &Path, now: &str, extra: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .arg("build")
        .arg(dir)
        .arg("-o")
        .arg(out)
        .arg("--cache-dir")
        .arg(cache)
        .args(["--now", now, "--timings"])
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

fn unchanged(stderr: &str) -> usize {
    let built = stderr
        .lines()
        .find(|l| l.starts_with("Built "))
        .unwrap_or("");
    built
        .split(" unchanged")
        .next()
        .and_then(|head| head.rsplit(", ").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn second_build_reuses_unchanged_files_and_equals_a_fresh_build() {
    let tmp = tempfile::tempdir().unwrap();
    let handbook = tmp.path().join("handbook");
    copy_tree(&example_dir(), &handbook);
    let (out, cache, fresh) = (
        tmp.path().join("public"),
        tmp.path().join("cache"),
        tmp.path().join("fresh"),
    );
    let first = cached_build(&handbook, &out, &cache);
    assert_eq!(unchanged(&first), 0, "{first}");
    let inode = |path: &str| {
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(out.join(path)).unwrap())
    };
    let (meta, page_file) = (inode("search/meta.js"), inode("runbooks/index.html"));
    // Written again as it was: the build reads it again, and every output is reused.
    let about = handbook.join("content/about.md");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&about, std::fs::read(&about).unwrap()).unwrap();
    let second = cached_build(&handbook, &out, &cache);
    assert!(!left_as_it_was(&second), "{second}");
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

/// Whether the build took the output as it was ([`cached_build`] asks for the timings).
fn left_as_it_was(stderr: &str) -> bool {
    stderr
        .lines()
        .any(|line| line.trim_start().starts_with("unchanged "))
}

#[test]
fn a_build_with_nothing_changed_leaves_the_output_as_it_is_and_any_change_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let handbook = tmp.path().join("handbook");
    copy_tree(&example_dir(), &handbook);
    let (out, cache) = (tmp.path().join("public"), tmp.path().join("cache"));
    let first = cached_build(&handbook, &out, &cache);
    assert!(!left_as_it_was(&first), "{first}");
    let folder = || std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&out).unwrap());
    let before = (folder(), snapshot(&out));
    let second = cached_build(&handbook, &out, &cache);
    assert!(left_as_it_was(&second), "{second}");
    let files = second
        .split(" files, ")
        .next()
        .and_then(|head| head.rsplit('(').next())
        .unwrap();
    assert!(
        second.contains(&format!("({files} files, {files} unchanged)")),
        "{second}"
    );
    assert_eq!((folder(), snapshot(&out)), before, "the output was touched");

    // Each of these is a change a build must see.
    let about = handbook.join("content/about.md");
    let text = std::fs::read_to_string(&about).unwrap();
    std::fs::write(&about, format!("{text}\nA line added.\n")).unwrap();
    let edited = cached_build(&handbook, &out, &cache);
    assert!(!left_as_it_was(&edited), "{edited}");
    assert!(std::fs::read_to_string(out.join("about/index.html"))
        .unwrap()
        .contains("A line added."));
    std::fs::remove_file(out.join("about/index.html")).unwrap();
    let repaired = cached_build(&handbook, &out, &cache);
    assert!(!left_as_it_was(&repaired), "{repaired}");
    assert!(out.join("about/index.html").is_file());
    let other_url = cached_build_at(
        &handbook,
        &out,
        &cache,
        "2026-11-27",
        &["--base-url", "https://elsewhere.example/"],
    );
    assert!(!left_as_it_was(&other_url), "{other_url}");
    std::fs::write(handbook.join("static/new.txt"), "new").unwrap();
    let added = cached_build(&handbook, &out, &cache);
    assert!(!left_as_it_was(&added), "{added}");
    assert!(out.join("new.txt").is_file());
    // And after all of them, nothing changed again.
    let last = cached_build(&handbook, &out, &cache);
    assert!(left_as_it_was(&last), "{last}");
    let fresh = tmp.path().join("fresh");
    build(&handbook, &fresh, &[]).assert_success();
    assert_same_tree(&snapshot(&fresh), &snapshot(&out));
}

/// The status page's "As of": the one thing a build that left the output as it was does not
/// move.
fn without_moment(tree: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    let mask = |bytes: Vec<u8>| {
        let Ok(mut text) = String::from_utf8(bytes.clone()) else {
            return bytes;
        };
        while let Some(start) = text.find("As of <time") {
            let end = text[start..]
                .find("</time>")
                .map_or(text.len(), |e| start + e + 7);
            text.replace_range(start..end, "As of");
        }
        text.into_bytes()
    };
    tree.into_iter()
        .map(|(path, bytes)| (path, mask(bytes)))
        .collect()
}

#[test]
fn a_later_now_leaves_the_output_as_it_is_only_while_every_page_stays_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let handbook = tmp.path().join("handbook");
    copy_tree(&example_dir(), &handbook);
    // The one incident the example leaves open counts as down to "now" on the uptime bars; closed,
    // the example's 90 days of uptime are over by June 2027, when a maintenance is planned.
    let open = handbook.join("content/status/2026-11-26-block-storage-latency-ams1.md");
    let text = std::fs::read_to_string(&open).unwrap().replace(
        "started = 2026-11-26T16:40:00Z",
        "started = 2026-11-26T16:40:00Z\nresolved = 2026-11-28T09:00:00Z",
    );
    std::fs::write(&open, text).unwrap();
    // A weekly maintenance always has a window in the last 90 days: see the test after this one.
    std::fs::remove_file(handbook.join("content/status/2026-11-03-kubernetes-weekly-patching.md"))
        .unwrap();
    std::fs::write(
        handbook.join("content/status/2027-06-02-network-maintenance.md"),
        "+++\ntitle = \"Network maintenance in fra1\"\ncomponents = [\"compute\"]\n\
         impact = \"maintenance\"\nscheduled_start = 2027-06-02T10:00:00Z\n\
         scheduled_end = 2027-06-02T11:00:00Z\n\n[[updates]]\nat = 2027-05-20T10:00:00Z\n\
         status = \"scheduled\"\nmessage = \"Planned.\"\n+++\nSwitch upgrades.\n",
    )
    .unwrap();
    // (now, whether the output of the build before still holds)
    let steps = [
        ("2027-06-01T08:00:00Z", false),
        ("2027-06-01T20:00:00Z", true),  // the same day
        ("2027-06-02T09:00:00Z", false), // a new day
        ("2027-06-02T09:59:59Z", true),  // the window not begun
        ("2027-06-02T10:00:00Z", false), // it begins
        ("2027-06-02T10:00:00Z", true),  // the same moment
        ("2027-06-02T10:30:00Z", false), // it lasts: its duration runs on
    ];
    let out = build_in_steps(&handbook, tmp.path(), &steps);
    let status = std::fs::read_to_string(out.join("status/index.html")).unwrap();
    assert!(
        status.contains("In progress"),
        "the maintenance is not shown as going on"
    );
}

/// Builds `handbook` at each "now" of `steps` into `work/public`, checking whether the build
/// left the output as it was, and that the output equals a fresh build's (but for the "As of").
fn build_in_steps(handbook: &Path, work: &Path, steps: &[(&str, bool)]) -> std::path::PathBuf {
    let (out, cache) = (work.join("public"), work.join("cache"));
    for &(now, holds) in steps {
        let stderr = cached_build_at(handbook, &out, &cache, now, &[]);
        assert_eq!(left_as_it_was(&stderr), holds, "at {now}: {stderr}");
        let (fresh, fresh_cache) = (work.join("fresh"), work.join("fresh-cache"));
        let _ = std::fs::remove_dir_all(&fresh);
        let _ = std::fs::remove_dir_all(&fresh_cache);
        cached_build_at(handbook, &fresh, &fresh_cache, now, &[]);
        assert_same_tree(
            &without_moment(snapshot(&fresh)),
            &without_moment(snapshot(&out)),
        );
    }
    out
}

#[test]
fn a_recurring_maintenance_turns_the_pages_at_a_window_its_rule_makes() {
    // Every four months from 15 January 2026, 14:00 to 15:00 UTC: on 15 January 2027 the last
    // window (15 September) is out of the 90 days, and the next starts at 14:00.
    let handbook = Handbook::new(&[
        (
            "opsbook.toml",
            "[[status.components]]\nid = \"db\"\nname = \"DB\"\n",
        ),
        (
            "content/status/patching.md",
            "+++\ntitle = \"Patching\"\ncomponents = [\"db\"]\nimpact = \"maintenance\"\nscheduled_start = 2026-01-15T14:00:00Z\nscheduled_end = 2026-01-15T15:00:00Z\nrecurrence = \"FREQ=MONTHLY;INTERVAL=4\"\n+++\n",
        ),
    ]);
    let steps = [
        ("2027-01-15T08:00:00Z", false),
        ("2027-01-15T13:59:59Z", true), // the same day, the window not begun
        ("2027-01-15T14:00:00Z", false), // a window of the rule begins
    ];
    let work = handbook.out("work");
    let out = build_in_steps(&handbook.root, &work, &steps);
    let status = std::fs::read_to_string(out.join("status/index.html")).unwrap();
    assert!(
        status.contains("In progress"),
        "the window is not shown as going on"
    );
}
