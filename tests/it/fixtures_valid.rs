//! Small valid handbooks written inline: front matter formats, kinds, ordering, base URLs and
//! the problems that are only warnings.

use std::path::Path;

use crate::support::{
    attrs, count, example_dir, html_file, html_files, page, text, texts, Handbook,
};

const CONFIG: (&str, &str) = ("opsbook.toml", "title = \"Fixture Handbook\"\n");

#[test]
fn toml_front_matter_sets_title_description_and_fields() {
    let hb = Handbook::new(&[
        CONFIG,
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk almost full\"\ndescription = \"Free space first.\"\nservices = [\"postgres\"]\nseverity = \"sev2\"\nowners = [\"team-data\"]\nlast_reviewed = 2026-10-01\ntags = [\"storage\"]\n+++\n\nBody paragraph.\n",
        ),
    ]);
    let run = hb.build(&[]);
    run.assert_success();
    assert_eq!(run.warnings(), Vec::<&str>::new());
    let out = hb.out("public");
    let html = page(&out, "runbooks/disk/");
    assert_eq!(text(&html, "h1.doc-title"), "Disk almost full");
    assert_eq!(text(&html, ".doc-header p.lead"), "Free space first.");
    assert_eq!(text(&html, "title"), "Disk almost full · Fixture Handbook");
    assert_eq!(count(&html, "dl.facts .sev.sev-sev2"), 1);
    assert_eq!(
        attrs(&html, "dl.facts a[href^='/services/']", "href"),
        ["/services/postgres/"]
    );
    assert_eq!(texts(&html, ".content p"), ["Body paragraph."]);
    assert!(out.join("tags/storage/index.html").is_file());
    assert!(out.join("owners/team-data/index.html").is_file());
}

#[test]
fn yaml_front_matter_reads_the_same_fields() {
    let hb = Handbook::new(&[
        CONFIG,
        (
            "content/processes/on-call.md",
            "---\ntitle: \"On-call: who answers the pager\"\ndescription: Rotations and handovers.\nowners:\n  - team-sre\nlast_reviewed: 2026-10-01\ntags: [pager, rotation]\n---\n\nThe rotation.\n",
        ),
    ]);
    let run = hb.build(&[]);
    run.assert_success();
    assert_eq!(run.warnings(), Vec::<&str>::new());
    let out = hb.out("public");
    let html = page(&out, "processes/on-call/");
    assert_eq!(
        text(&html, "h1.doc-title"),
        "On-call: who answers the pager"
    );
    assert_eq!(
        text(&html, ".doc-header p.lead"),
        "Rotations and handovers."
    );
    assert_eq!(count(&html, "article.doc-process"), 1);
    assert_eq!(
        attrs(&html, "dl.facts time", "datetime")
            .first()
            .map(String::as_str),
        Some("2026-10-01")
    );
    assert_eq!(
        attrs(&html, ".doc-tags a", "href"),
        ["/tags/pager/", "/tags/rotation/"]
    );
    assert!(out.join("owners/team-sre/index.html").is_file());
    assert_eq!(texts(&html, ".content p"), ["The rotation."]);
}

#[test]
fn no_front_matter_takes_the_title_from_the_first_heading() {
    let hb = Handbook::new(&[
        CONFIG,
        (
            "content/guides/escalation-paths.md",
            "# Who to call at 3 a.m.\n\nStart with the on-call lead.\n\n## Vendors\n\nThen the vendors.\n",
        ),
    ]);
    hb.build(&[]).assert_success();
    let html = page(&hb.out("public"), "guides/escalation-paths/");
    assert_eq!(text(&html, "h1.doc-title"), "Who to call at 3 a.m.");
    assert_eq!(
        text(&html, "title"),
        "Who to call at 3 a.m. · Fixture Handbook"
    );
    assert_eq!(count(&html, ".content h1"), 0, "the H1 is not repeated");
    assert_eq!(count(&html, "h1"), 1, "one H1 on the page");
    assert_eq!(
        texts(&html, ".content > *:first-child"),
        ["Start with the on-call lead."]
    );
    assert_eq!(attrs(&html, ".content h2", "id"), ["vendors"]);
    assert_eq!(count(&html, "article.doc-page"), 1);
}

#[test]
fn a_first_heading_other_than_the_title_is_kept() {
    let hb = Handbook::new(&[
        CONFIG,
        (
            "content/guides/glossary.md",
            "+++\ntitle = \"Glossary\"\n+++\n\n# Terms we use\n\nSLO, SLA.\n",
        ),
    ]);
    hb.build(&[]).assert_success();
    let html = page(&hb.out("public"), "guides/glossary/");
    assert_eq!(text(&html, "h1.doc-title"), "Glossary");
    assert_eq!(texts(&html, ".content h1"), ["Terms we use"]);
}

#[test]
fn kind_comes_from_the_folder_or_from_front_matter() {
    let hb = Handbook::new(&[
        CONFIG,
        ("content/runbooks/a.md", "# Folder runbook\n"),
        ("content/processes/b.md", "# Folder process\n"),
        (
            "content/postmortems/c.md",
            "+++\ntitle = \"Folder postmortem\"\nseverity = \"sev3\"\n+++\n",
        ),
        (
            "content/notes/d.md",
            "+++\ntitle = \"Runbook by field\"\nkind = \"runbook\"\nalerts = [\"DiskFull\"]\n+++\n",
        ),
        (
            "content/runbooks/e.md",
            "+++\ntitle = \"Page by field\"\nkind = \"page\"\n+++\n",
        ),
        ("content/notes/f.md", "# Plain page\n"),
    ]);
    let run = hb.build(&[]);
    run.assert_success();
    assert_eq!(run.warnings(), Vec::<&str>::new());
    let out = hb.out("public");
    for (url, kind) in [
        ("runbooks/a/", "runbook"),
        ("processes/b/", "process"),
        ("postmortems/c/", "postmortem"),
        ("notes/d/", "runbook"),
        ("runbooks/e/", "page"),
        ("notes/f/", "page"),
    ] {
        let html = page(&out, url);
        assert_eq!(
            count(&html, &format!("body.kind-{kind} article.doc-{kind}")),
            1,
            "{url} is not rendered as a {kind}"
        );
    }
    let d = page(&out, "notes/d/");
    assert_eq!(text(&d, ".doc-eyebrow .badge-kind"), "Runbook");
    assert_eq!(texts(&d, "dl.facts code"), ["DiskFull"]);
    let e = page(&out, "runbooks/e/");
    assert_eq!(count(&e, ".badge-kind, dl.facts"), 0);
}

#[test]
fn sections_order_by_weight_then_newest_date_then_title() {
    let hb = Handbook::new(&[
        CONFIG,
        ("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n"),
        (
            "content/guides/a-undated.md",
            "+++\ntitle = \"apple undated\"\n+++\n",
        ),
        (
            "content/guides/b-undated.md",
            "+++\ntitle = \"Banana undated\"\n+++\n",
        ),
        (
            "content/guides/older.md",
            "+++\ntitle = \"Older\"\ndate = 2026-01-05\n+++\n",
        ),
        (
            "content/guides/newer.md",
            "+++\ntitle = \"Newer\"\ndate = 2026-10-01\n+++\n",
        ),
        (
            "content/guides/heavy.md",
            "+++\ntitle = \"Zeta weighted 2\"\nweight = 2\ndate = 2026-11-01\n+++\n",
        ),
        (
            "content/guides/light.md",
            "+++\ntitle = \"Zulu weighted 1\"\nweight = 1\n+++\n",
        ),
    ]);
    hb.build(&[]).assert_success();
    let html = page(&hb.out("public"), "guides/");
    assert_eq!(
        texts(&html, ".page-list > li > div:first-child > a"),
        [
            "Zulu weighted 1",
            "Zeta weighted 2",
            "Newer",
            "Older",
            "apple undated",
            "Banana undated",
        ]
    );
    // The sidebar uses the same order.
    assert_eq!(
        texts(
            &html,
            "nav.sidebar .nav-group .nav-list > li > a:only-child:not(.nav-more)"
        ),
        [
            "Zulu weighted 1",
            "Zeta weighted 2",
            "Newer",
            "Older",
            "apple undated",
            "Banana undated",
        ]
    );
}

/// Every `href`, `src` and meta-refresh URL of every HTML file under `out`.
fn all_urls(out: &Path) -> Vec<(String, String)> {
    let mut urls = Vec::new();
    for file in html_files(out) {
        let html = html_file(out, &file);
        for attr in ["href", "src"] {
            for url in attrs(&html, &format!("[{attr}]"), attr) {
                urls.push((file.clone(), url));
            }
        }
        for content in attrs(&html, "meta[http-equiv='refresh']", "content") {
            let url = content.split_once("url=").map_or("", |(_, u)| u);
            urls.push((file.clone(), url.to_string()));
        }
    }
    urls
}

#[track_caller]
fn assert_under_base_path(out: &Path, origin: &str, base_path: &str) {
    let urls = all_urls(out);
    assert!(urls.len() > 20, "too few URLs found: {urls:?}");
    let mut internal = 0;
    for (file, url) in &urls {
        let is_external = url.contains("://") || url.starts_with("mailto:");
        if url.starts_with('#') {
            continue;
        }
        if is_external {
            // Absolute URLs to the site itself carry the base path too.
            if let Some(path) = url.strip_prefix(origin) {
                assert!(
                    path.starts_with(base_path),
                    "{file}: absolute URL {url} misses {base_path}"
                );
            }
            continue;
        }
        internal += 1;
        assert!(
            url.starts_with(base_path),
            "{file}: internal URL {url:?} does not start with {base_path}"
        );
    }
    assert!(internal > 10, "too few internal URLs: {urls:?}");
}

#[test]
fn base_url_prefixes_every_internal_url_of_a_small_handbook() {
    let hb = Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"Sub-path\"\nbase_url = \"https://ops.example.org/\"\n\n[[status.components]]\nid = \"api\"\nname = \"API\"\n",
        ),
        ("content/_index.md", "# Home\n\nSee [the runbooks](runbooks/).\n"),
        (
            "content/runbooks/_index.md",
            "+++\ntitle = \"Runbooks\"\n+++\n\nAll [runbooks](./) and the [bundle](bundle/).\n",
        ),
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\nservices = [\"api\"]\nowners = [\"team-a\"]\ntags = [\"storage\"]\naliases = [\"/old-disk/\"]\nlast_reviewed = 2026-10-01\n+++\n\n## Step 1\n\nSee [the bundle](bundle/index.md#check), [logo](/images/logo.svg) and [home](../_index.md).\n\n![chart](bundle/chart.svg)\n\n[Top](#step-1) · [external](https://example.com/x) · [mail](mailto:ops@example.org)\n",
        ),
        (
            "content/runbooks/bundle/index.md",
            "+++\ntitle = \"Bundle\"\n+++\n\n## Check\n\n![chart](chart.svg) and back to [disk](../disk.md).\n",
        ),
        ("content/runbooks/bundle/chart.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
        (
            "content/status/2026-11-01-api-down.md",
            "+++\ntitle = \"API down\"\ncomponents = [\"api\"]\nimpact = \"major\"\nstarted = 2026-11-01T10:00:00Z\nresolved = 2026-11-01T11:00:00Z\n\n[[updates]]\nat = 2026-11-01T10:05:00Z\nstatus = \"investigating\"\nmessage = \"Looking.\"\n+++\n",
        ),
        (
            "content/postmortems/2026-11-01-api-down.md",
            "+++\ntitle = \"API down\"\nincident = \"2026-11-01-api-down\"\nseverity = \"sev2\"\nservices = [\"api\"]\nstarted = 2026-11-01T10:00:00Z\nresolved = 2026-11-01T11:00:00Z\n+++\n\nSee [the runbook](../runbooks/disk.md#step-1).\n",
        ),
        ("static/images/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
    ]);
    let run = hb.build(&["--base-url", "https://example.org/handbook/"]);
    run.assert_success();
    let out = hb.out("public");
    assert_under_base_path(&out, "https://example.org", "/handbook/");

    // Spot checks: rewritten links carry the base path, and lead to files that exist.
    let disk = page(&out, "runbooks/disk/");
    let hrefs = attrs(&disk, ".content a[href]", "href");
    for expected in [
        "/handbook/runbooks/bundle/#check",
        "/handbook/images/logo.svg",
        "/handbook/",
    ] {
        assert!(
            hrefs.iter().any(|h| h == expected),
            "{expected} not in {hrefs:?}"
        );
    }
    assert_eq!(
        attrs(&disk, ".content img", "src"),
        ["/handbook/runbooks/bundle/chart.svg"]
    );
    assert_eq!(
        attrs(&disk, "link[rel='canonical']", "href"),
        ["https://example.org/handbook/runbooks/disk/"]
    );
    let alias = page(&out, "old-disk/");
    assert_eq!(
        attrs(&alias, "meta[http-equiv='refresh']", "content"),
        ["0; url=/handbook/runbooks/disk/"]
    );
    for (_, url) in all_urls(&out) {
        if let Some(path) = url.strip_prefix("/handbook/") {
            let path = path.split(['#', '?']).next().unwrap();
            let target = if path.is_empty() || path.ends_with('/') {
                out.join(path).join("index.html")
            } else {
                out.join(path)
            };
            assert!(
                target.is_file(),
                "{url} leads nowhere ({})",
                target.display()
            );
        }
    }
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://example.org/handbook/runbooks/disk/</loc>"));
    assert!(
        !sitemap.contains("https://ops.example.org/"),
        "the flag wins over the config"
    );
}

#[test]
fn base_url_prefixes_every_internal_url_of_the_example() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    crate::support::build(
        &example_dir(),
        &out,
        &["--base-url", "https://example.org/handbook/"],
    )
    .assert_success();
    assert_under_base_path(&out, "https://example.org", "/handbook/");
    let robots = std::fs::read_to_string(out.join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://example.org/handbook/sitemap.xml"));
}

#[test]
fn unknown_toml_field_is_a_warning_with_file_line_and_hint() {
    let hb = Handbook::new(&[
        CONFIG,
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\nlast_review = 2026-01-01\nsevrity = \"sev2\"\n+++\n\nBody.\n",
        ),
    ]);
    let run = hb.build(&[]);
    run.assert_success();
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    // The message and the hint…
    let messages: Vec<&str> = warnings
        .iter()
        .map(|w| w.split_once(": unknown ").map_or(*w, |(_, m)| m))
        .collect();
    assert_eq!(
        messages,
        [
            "field `last_review`; kept as `page.extra.last_review`",
            "field `sevrity`; kept as `page.extra.sevrity`"
        ]
    );
    assert_eq!(
        run.hint_after(warnings[0]),
        Some("did you mean `last_reviewed`?")
    );
    assert_eq!(
        run.hint_after(warnings[1]),
        Some("did you mean `severity`?")
    );
    // …at the line and column of the unknown key (as for YAML), not of its value.
    assert_eq!(
        warnings,
        [
            "warning: content/runbooks/disk.md:3:1: unknown field `last_review`; kept as `page.extra.last_review`",
            "warning: content/runbooks/disk.md:4:1: unknown field `sevrity`; kept as `page.extra.sevrity`",
        ]
    );
    assert!(hb.out("public/runbooks/disk/index.html").is_file());
}

#[test]
fn unknown_yaml_field_is_a_warning_with_file_line_and_hint() {
    let hb = Handbook::new(&[
        CONFIG,
        (
            "content/runbooks/dns.md",
            "---\ntitle: DNS\nservces: [dns]\nwiki_url: https://wiki.example.org/dns\n---\n\nBody.\n",
        ),
    ]);
    let run = hb.build(&[]);
    run.assert_success();
    let first =
        "warning: content/runbooks/dns.md:3:1: unknown field `servces`; kept as `page.extra.servces`";
    let second = "warning: content/runbooks/dns.md:4:1: unknown field `wiki_url`; kept as `page.extra.wiki_url`";
    assert_eq!(run.warnings(), [first, second], "{}", run.stderr);
    assert_eq!(run.hint_after(first), Some("did you mean `services`?"));
    // A foreign key far from any known field gets no guess.
    assert_eq!(run.hint_after(second), None);
    let last = run.stderr.lines().last().unwrap();
    assert!(last.ends_with(", 2 warnings"), "{last}");
    assert!(hb.out("public/runbooks/dns/index.html").is_file());
}

#[test]
fn broken_links_warn_policy_turns_errors_into_warnings() {
    let files = |config: &'static str| {
        Handbook::new(&[
            ("opsbook.toml", config),
            (
                "content/runbooks/lb.md",
                "+++\ntitle = \"LB\"\n+++\n\nSee [gone](gone.md) and [the step](#nowhere).\n\n## Here\n",
            ),
        ])
    };
    let strict = files("title = \"x\"\n");
    let run = strict.build(&[]);
    run.assert_failure();
    assert!(!strict.out("public").exists());

    let lenient = files("title = \"x\"\n\n[build]\nbroken_links = \"warn\"\n");
    let run = lenient.build(&[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr);
    assert_eq!(run.errors(), Vec::<&str>::new());
    assert_eq!(
        run.warnings(),
        [
            "warning: content/runbooks/lb.md:5:5: broken link `gone.md`: no page or file at `content/runbooks/gone.md`",
            "warning: content/runbooks/lb.md:5:25: broken link `#nowhere`: `content/runbooks/lb.md` has no heading with the id `nowhere`",
        ]
    );
    let html = page(&lenient.out("public"), "runbooks/lb/");
    assert_eq!(texts(&html, ".content h2"), ["Here"]);
}
