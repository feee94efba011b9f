//! Handbooks as real repositories have them, each a fixture written for the test under
//! `tests/fixtures/migrate/`: a collection of public postmortems linking their originals,
//! GOV.UK tech docs in ERB, a runbook repository under `alerts/`, a cState history with dates
//! out of order, a Docusaurus site of several folders. Each builds as it is, renders every page
//! it can, and says what it could not (`migrate.rs` checks that every markdown file of every
//! fixture is a page or named as left out).

use std::path::PathBuf;

use crate::support::{
    attrs, build, check_json, count, fact, fact_text, findings, fixture_dir, page, text, texts, Run,
};

fn built(name: &str) -> (tempfile::TempDir, PathBuf, Run) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let run = build(&fixture_dir(&format!("migrate/{name}")), &out, &[]);
    run.assert_success();
    (tmp, out, run)
}

#[test]
fn a_postmortem_collection_links_each_original_and_builds_every_report() {
    let (_tmp, out, run) = built("postmortem-collection");
    let originals = [
        (
            "2023-02-22-queue-outage",
            "https://status.example-queues.test/incidents/8812",
        ),
        (
            "2022-11-03-dns",
            "https://blog.example-dns.test/post-incident-review",
        ),
        (
            "2021-06-14-storage",
            "https://example-storage.test/rca/2021-06-14",
        ),
        (
            "2020-01-09-login",
            "https://status.example-login.test/incidents/1",
        ),
    ];
    for (name, url) in originals {
        let report = page(&out, &format!("postmortems/{name}/"));
        assert_eq!(attrs(&report, ".doc-source a", "href"), [url], "{name}");
        assert!(text(&report, ".doc-source").starts_with("Originally published at"));
    }
    // No alias was made of them; a relative `url` still is one.
    assert!(!run.stderr.contains("alias"), "{}", run.stderr);
    assert!(out.join("how-to-write/index.html").is_file());
    // A bad value is dropped with a warning, and its page is built with everything else.
    let login = page(&out, "postmortems/2020-01-09-login/");
    assert_eq!(text(&login, "h1.doc-title"), "Login errors");
    assert!(run.warnings().contains(
        &"warning: postmortems/2020-01-09-login.md:4:1: invalid `severity`: unknown variant `catastrophic`, expected one of `sev1`, `sev2`, `sev3`, `sev4`; left out"
    ), "{}", run.stderr);
    // Dates in the forms these tools write are read: `2023-02-22 10:30:00` (as UTC) and
    // `2023-02-22T13:05:00+01:00`.
    let queue = page(&out, "postmortems/2023-02-22-queue-outage/");
    assert_eq!(fact_text(&queue, "Duration"), "1 h 35 min");
    // The end before the start makes no duration.
    let storage = page(&out, "postmortems/2021-06-14-storage/");
    assert_eq!(fact_text(&storage, "Company"), "Example Storage");
    assert!(fact(&storage, "Duration").is_none());
    // `check` holds the same problems as errors.
    let (code, report) = check_json(&fixture_dir("migrate/postmortem-collection"));
    assert_eq!(code, Some(1));
    let errors: Vec<(String, String)> = findings(&report)
        .into_iter()
        .filter(|(_, _, level, _)| level == "error")
        .map(|(rule, file, ..)| (rule, file.rsplit('/').next().unwrap_or("").to_string()))
        .collect();
    assert!(
        errors.contains(&("invalid-field".into(), "2020-01-09-login.md".into())),
        "{errors:?}"
    );
    assert!(
        errors.contains(&(
            "incident-resolved-before-start".into(),
            "2021-06-14-storage.md".into()
        )),
        "{errors:?}"
    );
}

#[test]
fn govuk_tech_docs_in_erb_render_links_and_show_what_is_not_run() {
    let (_tmp, out, run) = built("govuk-erb");
    let home = page(&out, "");
    assert_eq!(
        attrs(&home, ".content p a", "href"),
        ["/documentation/incidents/process/"],
        "link_to becomes a link to the page, its .html name read as the page"
    );
    assert_eq!(
        texts(&home, ".content .erb-placeholder"),
        ["<%= partial \"partials/contact\" %>"]
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        !html.contains("Keep this page short"),
        "an ERB comment vanishes"
    );
    let process = page(&out, "documentation/incidents/process/");
    assert_eq!(
        count(&process, "article.doc-process"),
        1,
        "a page with a review cycle"
    );
    assert_eq!(count(&process, ".content .erb-placeholder"), 4);
    assert_eq!(
        attrs(&process, ".content ol a", "href"),
        ["/documentation/incidents/db-failover/"]
    );
    // ERB inside a code block is code.
    let failover = page(&out, "documentation/incidents/db-failover/");
    assert!(
        text(&failover, "pre code").contains("<%= link_to \"not a link: this is code\", \"/x\" %>")
    );
    assert!(run.warnings().contains(
        &"warning: source/documentation/incidents/process.html.md.erb:11:1: ERB `warning_text` is not run: shown as a placeholder"
    ), "{}", run.stderr);
    // The partial is no page, and says so.
    assert!(!out.join("partials").exists());
    assert!(
        run.stderr.contains("4 markdown files: 3 pages, 1 left out"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_runbook_repository_under_alerts_builds_each_runbook_at_its_alert() {
    let (_tmp, out, run) = built("alerts-repo");
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    for (alert, runbook) in [
        (
            "KubePodCrashLooping",
            "alerts/kubernetes/kubepodcrashlooping/",
        ),
        (
            "KubeDeploymentReplicasMismatch",
            "alerts/kubernetes/kubedeploymentreplicasmismatch/",
        ),
        (
            "PostgresReplicationLag",
            "alerts/postgres/postgresreplicationlag/",
        ),
    ] {
        let html = std::fs::read_to_string(out.join(format!("alerts/{alert}/index.html"))).unwrap();
        assert!(
            html.contains(&format!("url=/{runbook}\"")),
            "the address of {alert} leads to its runbook"
        );
        let page = page(&out, runbook);
        assert_eq!(count(&page, "article.doc-runbook"), 1);
        assert!(attrs(&page, "a", "href").contains(&format!("/alerts/{alert}/")));
    }
    let list = page(&out, "alerts/");
    assert_eq!(count(&list, "table tbody tr"), 3);
}

#[test]
fn a_status_history_with_dates_out_of_order_builds_and_fails_check() {
    let (_tmp, out, run) = built("cstate-history");
    let warnings = run.warnings();
    for (file, resolved, started) in [
        (
            "2022-03-01-edge-errors.md:5:1",
            "2022-03-01T13:40:00Z",
            "2022-03-01T14:10:00Z",
        ),
        (
            "2022-05-09-shield.md:5:1",
            "2022-05-08T23:00:00Z",
            "2022-05-09T06:00:00Z",
        ),
    ] {
        let line = format!(
            "warning: content/issues/{file}: incident is resolved ({resolved}) before it started ({started})"
        );
        assert!(warnings.contains(&line.as_str()), "{warnings:?}");
    }
    // Shown as written.
    let shield = page(&out, "issues/2022-05-09-shield/");
    assert_eq!(fact_text(&shield, "Started"), "9 May 2022, 06:00 UTC");
    assert_eq!(fact_text(&shield, "Resolved"), "8 May 2022, 23:00 UTC");
    // An informational post is a notice; an incident never marked resolved, years old, is shown
    // once as unresolved, not as an outage happening now.
    let notice = page(&out, "issues/2023-01-20-notice/");
    assert_eq!(text(&notice, ".incident-state"), "Notice");
    let purge = page(&out, "issues/2023-06-02-purge/");
    assert_eq!(text(&purge, ".incident-state"), "Unresolved");
    assert!(text(&purge, ".incident-summary").starts_with("Unresolved since 2 Jun 2023"));
    let status_html = std::fs::read_to_string(out.join("status/index.html")).unwrap();
    assert!(status_html.contains("status-banner state-operational"));
    assert!(!status_html.contains("Ongoing"), "nothing is happening now");
    // cState's `systems` are the components, without a warning each.
    assert!(
        !run.stderr.contains("created from `affected`"),
        "{}",
        run.stderr
    );
    let status = page(&out, "status/");
    assert!(texts(&status, ".component-name")
        .iter()
        .any(|n| n == "Origin shield"));
    let (code, report) = check_json(&fixture_dir("migrate/cstate-history"));
    assert_eq!(code, Some(1));
    let out_of_order: Vec<String> = findings(&report)
        .into_iter()
        .filter(|(rule, _, level, _)| rule == "incident-resolved-before-start" && level == "error")
        .map(|(_, file, ..)| file)
        .collect();
    assert_eq!(out_of_order.len(), 2, "{out_of_order:?}");
}

#[test]
fn a_docusaurus_site_publishes_every_folder_it_declares() {
    let (_tmp, out, run) = built("docusaurus-site");
    assert!(
        run.stderr.starts_with(
            "No opsbook.toml: read `docs/`, `blog/`, `community/`, `src/pages/` as the content (Docusaurus layout)"
        ),
        "{}",
        run.stderr
    );
    let home = page(&out, "");
    assert_eq!(text(&home, "title"), "Northwind Operations");
    // `_category_.json` and the number prefix name the folder and leave the prefix out.
    assert_eq!(text(&page(&out, "docs/operations/"), "h1"), "Operations");
    assert_eq!(
        text(&page(&out, "docs/operations/on-call/"), "h1.doc-title"),
        "On-call"
    );
    // The blog, newest first, each post dated by its name.
    let blog = page(&out, "blog/");
    assert_eq!(
        attrs(&blog, "time", "datetime"),
        ["2024-03-10", "2024-01-05"]
    );
    assert_eq!(
        text(&page(&out, "community/style-guide/"), "h1.doc-title"),
        "Style guide"
    );
    assert_eq!(text(&page(&out, "about/"), "h1.doc-title"), "About us");
    // A rooted link to the blog resolves on the built site.
    let intro = page(&out, "docs/intro/");
    assert!(attrs(&intro, ".content a", "href").contains(&"/blog".to_string()));
    assert!(out.join("blog/index.html").is_file());
}
