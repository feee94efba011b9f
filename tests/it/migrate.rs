//! Handbooks written for other tools, built as they are with no opsbook.toml: Hugo, MkDocs,
//! Docusaurus, cState, GOV.UK tech-docs and plain GitLab-style markdown
//! (`tests/fixtures/migrate/`).

use std::path::{Path, PathBuf};

use crate::support::{
    attrs, build, check_json, count, findings, fixture_dir, page, text, texts, Handbook, Run,
};

/// Builds a migration fixture into a fresh temporary folder.
fn build_fixture(name: &str) -> (tempfile::TempDir, PathBuf, Run) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let run = build(&fixture_dir(&format!("migrate/{name}")), &out, &[]);
    run.assert_success();
    (tmp, out, run)
}

/// Every markdown file of each fixture and the URL of the page it becomes (`None`: left out, as
/// a draft or a partial).
const PAGES: &[(&str, &str, Option<&str>)] = &[
    ("postmortem-collection", "README.md", Some("")),
    (
        "postmortem-collection",
        "guides/writing-a-report.md",
        Some("guides/writing-a-report/"),
    ),
    (
        "postmortem-collection",
        "postmortems/2020-01-09-login.md",
        Some("postmortems/2020-01-09-login/"),
    ),
    (
        "postmortem-collection",
        "postmortems/2021-06-14-storage.md",
        Some("postmortems/2021-06-14-storage/"),
    ),
    (
        "postmortem-collection",
        "postmortems/2022-11-03-dns.md",
        Some("postmortems/2022-11-03-dns/"),
    ),
    (
        "postmortem-collection",
        "postmortems/2023-02-22-queue-outage.md",
        Some("postmortems/2023-02-22-queue-outage/"),
    ),
    ("govuk-erb", "source/index.html.md.erb", Some("")),
    (
        "govuk-erb",
        "source/documentation/incidents/process.html.md.erb",
        Some("documentation/incidents/process/"),
    ),
    (
        "govuk-erb",
        "source/documentation/incidents/db-failover.html.md.erb",
        Some("documentation/incidents/db-failover/"),
    ),
    ("govuk-erb", "source/partials/_contact.html.md.erb", None),
    ("alerts-repo", "README.md", Some("")),
    ("alerts-repo", "alerts/README.md", Some("alerts/")),
    (
        "alerts-repo",
        "alerts/postgres/README.md",
        Some("alerts/postgres/"),
    ),
    (
        "alerts-repo",
        "alerts/postgres/PostgresReplicationLag.md",
        Some("alerts/postgres/postgresreplicationlag/"),
    ),
    (
        "alerts-repo",
        "alerts/kubernetes/KubePodCrashLooping.md",
        Some("alerts/kubernetes/kubepodcrashlooping/"),
    ),
    (
        "alerts-repo",
        "alerts/kubernetes/KubeDeploymentReplicasMismatch.md",
        Some("alerts/kubernetes/kubedeploymentreplicasmismatch/"),
    ),
    (
        "cstate-history",
        "content/issues/2022-03-01-edge-errors.md",
        Some("issues/2022-03-01-edge-errors/"),
    ),
    (
        "cstate-history",
        "content/issues/2022-05-09-shield.md",
        Some("issues/2022-05-09-shield/"),
    ),
    (
        "cstate-history",
        "content/issues/2023-01-20-notice.md",
        Some("issues/2023-01-20-notice/"),
    ),
    (
        "cstate-history",
        "content/issues/2023-06-02-purge.md",
        Some("issues/2023-06-02-purge/"),
    ),
    ("docusaurus-site", "docs/intro.md", Some("docs/intro/")),
    (
        "docusaurus-site",
        "docs/runbooks/restart-api.md",
        Some("docs/runbooks/restart-api/"),
    ),
    (
        "docusaurus-site",
        "docs/02-operations/01-on-call.md",
        Some("docs/operations/on-call/"),
    ),
    (
        "docusaurus-site",
        "blog/2024-01-05-welcome.md",
        Some("blog/2024-01-05-welcome/"),
    ),
    (
        "docusaurus-site",
        "blog/2024-03-10-new-pager/index.md",
        Some("blog/2024-03-10-new-pager/"),
    ),
    ("docusaurus-site", "community/index.md", Some("community/")),
    (
        "docusaurus-site",
        "community/style-guide.md",
        Some("community/style-guide/"),
    ),
    ("docusaurus-site", "src/pages/about.md", Some("about/")),
    (
        "docusaurus-sidebars",
        "docs/welcome.md",
        Some("docs/welcome/"),
    ),
    (
        "docusaurus-sidebars",
        "docs/during/index.md",
        Some("docs/during/"),
    ),
    (
        "docusaurus-sidebars",
        "docs/during/01-declare.md",
        Some("docs/during/declare/"),
    ),
    (
        "docusaurus-sidebars",
        "docs/during/communicate.md",
        Some("docs/during/communicate/"),
    ),
    (
        "docusaurus-sidebars",
        "docs/during/escalation-policy.md",
        Some("docs/during/escalate/"),
    ),
    (
        "docusaurus-sidebars",
        "docs/after/review.md",
        Some("docs/after/review/"),
    ),
    (
        "docusaurus-sidebars",
        "docs/after/postmortem-template.md",
        Some("docs/after/postmortem-template/"),
    ),
    (
        "docusaurus-sidebars",
        "docs/before/prepare.md",
        Some("docs/before/prepare/"),
    ),
    (
        "docusaurus-sidebars",
        "docs/crisis/war-room.md",
        Some("docs/crisis/war-room/"),
    ),
    (
        "docusaurus-sidebars",
        "docs/crisis/exec-brief.md",
        Some("docs/crisis/exec-brief/"),
    ),
    (
        "docusaurus-sidebars",
        "docs/unlisted.md",
        Some("docs/unlisted/"),
    ),
    ("jekyll-posts", "index.md", Some("")),
    (
        "jekyll-posts",
        "_posts/2024-02-01-new-pager.md",
        Some("posts/2024-02-01-new-pager/"),
    ),
    (
        "jekyll-posts",
        "_posts/2023-05-01-older.md",
        Some("posts/2023-05-01-older/"),
    ),
    ("jekyll-posts", "_includes/contact.md", None),
    (
        "jekyll-posts",
        "runbooks/restart.md",
        Some("runbooks/restart/"),
    ),
    (
        "hugo-bundles",
        "content/posts/my-post/index.md",
        Some("posts/my-post/"),
    ),
    (
        "hugo-bundles",
        "content/runbooks/disk/index.md",
        Some("runbooks/disk/"),
    ),
    (
        "hugo-bundles",
        "content/runbooks/_index.md",
        Some("runbooks/"),
    ),
    ("mkdocs-docs-dir", "documentation/index.md", Some("")),
    (
        "mkdocs-docs-dir",
        "documentation/guides/zeta.md",
        Some("guides/zeta/"),
    ),
    (
        "mkdocs-docs-dir",
        "documentation/guides/alpha.md",
        Some("guides/alpha/"),
    ),
    ("mdbook", "src/SUMMARY.md", None),
    ("mdbook", "src/README.md", Some("")),
    ("mdbook", "src/on-call/README.md", Some("on-call/")),
    ("mdbook", "src/on-call/paging.md", Some("on-call/paging/")),
    (
        "mdbook",
        "src/on-call/handover.md",
        Some("on-call/handover/"),
    ),
    ("mdbook", "src/appendix.md", Some("appendix/")),
    ("gitbook", "SUMMARY.md", None),
    ("gitbook", "README.md", Some("")),
    ("gitbook", "ops/zulu.md", Some("ops/zulu/")),
    ("gitbook", "ops/alpha.md", Some("ops/alpha/")),
    ("hugo", "content/_index.md", Some("")),
    ("hugo", "content/runbooks/_index.md", Some("runbooks/")),
    ("hugo", "content/runbooks/disk.md", Some("runbooks/disk/")),
    (
        "hugo",
        "content/runbooks/database.md",
        Some("runbooks/database/"),
    ),
    ("hugo", "content/runbooks/old-procedure.md", None),
    (
        "hugo",
        "content/postmortems/2026-03-02-api-outage.md",
        Some("postmortems/2026-03-02-api-outage/"),
    ),
    ("mkdocs", "docs/index.md", Some("")),
    (
        "mkdocs",
        "docs/runbooks/restart.md",
        Some("runbooks/restart/"),
    ),
    ("mkdocs", "docs/runbooks/cache.md", Some("runbooks/cache/")),
    (
        "mkdocs",
        "docs/postmortems/2026-01-05-cache.md",
        Some("postmortems/2026-01-05-cache/"),
    ),
    ("docusaurus", "docs/intro.md", Some("docs/introduction/")),
    (
        "docusaurus",
        "docs/01-getting-started/02-install.md",
        Some("docs/getting-started/install/"),
    ),
    (
        "docusaurus",
        "docs/01-getting-started/03-configure.mdx",
        Some("docs/getting-started/configure/"),
    ),
    (
        "docusaurus",
        "docs/runbooks/deploy-rollback.md",
        Some("docs/runbooks/deploy-rollback/"),
    ),
    (
        "cstate",
        "content/issues/2018-04-13-api-down.md",
        Some("issues/2018-04-13-api-down/"),
    ),
    (
        "cstate",
        "content/issues/2021-06-04-slow-website.md",
        Some("issues/2021-06-04-slow-website/"),
    ),
    (
        "cstate",
        "content/issues/2021-07-01-maintenance.md",
        Some("issues/2021-07-01-maintenance/"),
    ),
    ("govuk", "source/index.html.md", Some("")),
    (
        "govuk",
        "source/documentation/runbooks/rotate-keys.html.md",
        Some("documentation/runbooks/rotate-keys/"),
    ),
    (
        "govuk",
        "source/documentation/support/on-call.html.md",
        Some("documentation/support/on-call/"),
    ),
    ("gitlab", "README.md", Some("")),
    ("gitlab", "playbooks/README.md", Some("playbooks/")),
    (
        "gitlab",
        "playbooks/db-failover.md",
        Some("playbooks/db-failover/"),
    ),
    (
        "gitlab",
        "playbooks/cert-renewal.md",
        Some("playbooks/cert-renewal/"),
    ),
    (
        "gitlab",
        "postmortems/2026-02-01-database.md",
        Some("postmortems/2026-02-01-database/"),
    ),
];

const FIXTURES: [&str; 17] = [
    "hugo",
    "mkdocs",
    "docusaurus",
    "cstate",
    "govuk",
    "gitlab",
    "postmortem-collection",
    "govuk-erb",
    "alerts-repo",
    "cstate-history",
    "docusaurus-site",
    "jekyll-posts",
    "hugo-bundles",
    "mkdocs-docs-dir",
    "mdbook",
    "gitbook",
    "docusaurus-sidebars",
];

fn markdown_files(root: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p.ends_with(".md") || p.ends_with(".mdx") || p.ends_with(".md.erb"))
        .collect();
    files.sort();
    files
}

/// `warning: path:line:column: message` (or `path:line:`).
fn names_file_and_line(warning: &str) -> bool {
    let Some(rest) = warning.strip_prefix("warning: ") else {
        return false;
    };
    let mut parts = rest.splitn(3, ':');
    let (Some(file), Some(line)) = (parts.next(), parts.next()) else {
        return false;
    };
    !file.is_empty() && !file.contains(' ') && line.parse::<usize>().is_ok_and(|n| n > 0)
}

#[test]
fn every_fixture_builds_a_page_per_markdown_file_and_warnings_name_file_and_line() {
    for name in FIXTURES {
        let root = fixture_dir(&format!("migrate/{name}"));
        let (_tmp, out, run) = build_fixture(name);
        assert!(run.errors().is_empty(), "{name}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("No opsbook.toml: read "),
            "{name}: the inferred layout is stated first:\n{}",
            run.stderr
        );
        for warning in run.warnings() {
            assert!(names_file_and_line(warning), "{name}: {warning}");
        }
        let (_, report) = check_json(&root);
        let left_out: Vec<String> = findings(&report)
            .into_iter()
            .filter(|(rule, ..)| rule == "left-out")
            .map(|(_, file, ..)| {
                file.trim_start_matches(&format!("{}/", root.display()))
                    .to_string()
            })
            .collect();
        let files = markdown_files(&root);
        let mut not_pages = 0;
        for file in &files {
            let expected = PAGES
                .iter()
                .find(|(fixture, path, _)| fixture == &name && path == file)
                .unwrap_or_else(|| panic!("{name}/{file} has no expected page in PAGES"));
            match expected.2 {
                Some(url) => assert!(
                    out.join(url).join("index.html").is_file(),
                    "{name}/{file} did not become `{url}`"
                ),
                None => {
                    not_pages += 1;
                    let draft = std::fs::read_to_string(root.join(file))
                        .unwrap()
                        .contains("draft: true");
                    assert!(
                        draft || left_out.contains(file),
                        "{name}/{file} is no page, and check does not say so: {left_out:?}"
                    );
                }
            }
        }
        // Every link the theme writes leads to a page of the site.
        assert_eq!(
            crate::support::broken_links_in(&out, true),
            Vec::<(String, String)>::new(),
            "{name}"
        );
        // The build counts every markdown file, and says how many are no page.
        if not_pages > 0 {
            let summary = format!(
                "{} markdown files: {} pages",
                files.len(),
                files.len() - not_pages
            );
            assert!(
                run.stderr.contains(&summary),
                "{name}: no `{summary}` in\n{}",
                run.stderr
            );
        } else {
            assert!(
                !run.stderr.contains("markdown files:"),
                "{name}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn hugo_front_matter_refs_and_shortcodes() {
    let (_tmp, out, run) = build_fixture("hugo");
    let disk = page(&out, "runbooks/disk/");
    assert_eq!(text(&disk, "h1.doc-title"), "Disk almost full");
    assert_eq!(count(&disk, "article.doc-runbook"), 1);
    assert_eq!(
        attrs(&disk, ".content p a", "href"),
        ["/runbooks/database/#failover", "/runbooks/"]
    );
    // The shortcode stays visible and is reported by name.
    assert!(texts(&disk, ".content p")
        .iter()
        .any(|p| p.contains("{{< hint warning >}}")));
    assert!(run
        .warnings()
        .contains(&"warning: content/runbooks/disk.md:20:1: Hugo shortcode `hint` is not supported: left as text"));
    // Theme keys are kept with the usual warning; Hugo's own keys are understood silently.
    assert!(run.stderr.contains("unknown field `bookToc`"));
    assert!(!run.stderr.contains("linkTitle") && !run.stderr.contains("`menu`"));
    // aliases and url keep old addresses working; weight orders the section.
    assert!(out.join("old/disk/index.html").is_file());
    assert!(out.join("db-failover/index.html").is_file());
    let home = page(&out, "");
    assert!(attrs(&home, ".content p a", "href").contains(&"/runbooks/disk/".to_string()));
    let postmortem = page(&out, "postmortems/2026-03-02-api-outage/");
    assert_eq!(count(&postmortem, "article.doc-postmortem"), 1);
    assert_eq!(
        attrs(&postmortem, ".content p a", "href"),
        ["/runbooks/disk/"]
    );
}

#[test]
fn mkdocs_titles_from_nav_admonitions_and_attribute_lists() {
    let (_tmp, out, run) = build_fixture("mkdocs");
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let restart = page(&out, "runbooks/restart/");
    assert_eq!(text(&restart, "h1.doc-title"), "Restart the API");
    assert_eq!(count(&restart, "div.admonition.tip"), 1);
    assert_eq!(count(&restart, "details.admonition.warning:not([open])"), 1);
    assert_eq!(count(&restart, "details.admonition.info[open]"), 1);
    assert_eq!(count(&restart, "h2#steps-anchor.big"), 1);
    let body = texts(&restart, ".content").join(" ");
    assert!(
        !body.contains("{:"),
        "attribute lists never printed: {body}"
    );
    assert!(attrs(&restart, ".content p a", "href").contains(&"/runbooks/cache/".to_string()));
    let cache = page(&out, "runbooks/cache/");
    assert_eq!(text(&cache, "h1.doc-title"), "Flush the cache");
    assert!(text(&cache, ".content p").ends_with('🔥'));
    let home = page(&out, "");
    assert_eq!(
        attrs(&home, ".content p a", "href"),
        ["/runbooks/restart/", "/runbooks/cache/"]
    );
    assert_eq!(text(&home, ".admonition-title"), "Read first");
    let postmortem = page(&out, "postmortems/2026-01-05-cache/");
    assert_eq!(text(&postmortem, "h1.doc-title"), "Cache stampede");
    assert_eq!(
        attrs(&postmortem, ".content p a", "href"),
        ["/runbooks/restart/#steps-anchor"]
    );
}

#[test]
fn docusaurus_prefixes_slugs_admonitions_and_mdx() {
    // The docs are published where Docusaurus publishes them: under `/docs/` (`routeBasePath`).
    let (_tmp, out, run) = build_fixture("docusaurus");
    let intro = page(&out, "docs/introduction/");
    assert_eq!(text(&intro, "h1.doc-title"), "Introduction");
    assert_eq!(
        text(&intro, "div.admonition.note .admonition-title"),
        "Read this"
    );
    assert_eq!(
        text(&intro, "li div.admonition.tip .admonition-title"),
        "Indented"
    );
    assert_eq!(
        attrs(&intro, ".content p a", "href"),
        ["/docs/getting-started/configure/"]
    );
    let install = page(&out, "docs/getting-started/install/");
    assert_eq!(text(&install, "h1.doc-title"), "Install the agent");
    assert_eq!(
        text(&install, "div.admonition.danger .admonition-title"),
        "Root only"
    );
    assert_eq!(
        attrs(&install, ".content p a", "href"),
        ["/docs/introduction/"]
    );
    let configure = page(&out, "docs/getting-started/configure/");
    assert_eq!(count(&configure, ".content .mdx-placeholder"), 2);
    assert_eq!(count(&configure, "div.admonition.warning"), 1);
    assert!(!texts(&configure, ".content")
        .join(" ")
        .contains("import Tabs"));
    let mdx = "docs/01-getting-started/03-configure.mdx";
    assert!(run.warnings().contains(
        &format!(
            "warning: {mdx}:8:1: MDX component `<Tabs>` is not rendered: shown as a placeholder"
        )
        .as_str()
    ));
    // `_category_.json` titles its folder.
    assert_eq!(
        text(&page(&out, "docs/getting-started/"), "h1"),
        "Getting started"
    );
    let runbook = page(&out, "docs/runbooks/deploy-rollback/");
    assert_eq!(count(&runbook, "article.doc-runbook"), 1);
}

#[test]
fn cstate_issues_become_status_incidents() {
    let (_tmp, out, run) = build_fixture("cstate");
    let down = page(&out, "issues/2018-04-13-api-down/");
    assert_eq!(count(&down, "article.doc-incident"), 1);
    assert_eq!(count(&down, ".incident-banner.impact-critical"), 1);
    assert_eq!(
        text(&down, ".incident-summary"),
        "This incident lasted 1 h 37 min."
    );
    assert_eq!(texts(&down, "dl.facts .inline-list li"), ["API"]);
    // The `track` shortcode shows its date.
    assert!(texts(&down, ".content p")[0].contains("2018-04-13 11:00:00"));
    let slow = page(&out, "issues/2021-06-04-slow-website/");
    assert_eq!(count(&slow, ".incident-banner.impact-major"), 1);
    assert_eq!(
        text(&slow, ".incident-summary"),
        "This incident lasted 2 h 30 min."
    );
    // An informational post is a notice, never ongoing.
    let notice = page(&out, "issues/2021-07-01-maintenance/");
    assert_eq!(count(&notice, ".incident-banner.impact-none"), 1);
    assert_eq!(count(&notice, ".incident-banner.is-ongoing"), 0);
    assert_eq!(text(&notice, ".incident-state"), "Notice");
    let warnings = run.warnings();
    // The components are the `systems` of cState's config: no warning creates them.
    assert!(
        !warnings
            .iter()
            .any(|w| w.contains("created from `affected`")),
        "{warnings:?}"
    );
    assert!(warnings.contains(&"warning: content/issues/2018-04-13-api-down.md:3:1: `date` `2018-04-13 09:23:00` has no time zone: read as UTC"));
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    // On the status page and in its machine files, with the components of cState's systems.
    let json = |path: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(out.join(path)).unwrap()).unwrap()
    };
    let incidents = json("status/api/v2/incidents.json");
    let shown: Vec<(&str, &str, &str)> = incidents["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap(),
                i["impact"].as_str().unwrap(),
                i["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            // A notice is no open incident: the APIs list it as resolved.
            ("Planned database maintenance", "none", "resolved"),
            ("Slow website", "major", "resolved"),
            ("API outage", "critical", "resolved"),
        ]
    );
    let components = json("status/api/v2/components.json");
    let names: Vec<&str> = components["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["API", "Website"]);
    // An old notice is in the history, not happening now.
    let history = page(&out, "status/history/");
    assert!(texts(&history, "a")
        .iter()
        .any(|t| t == "Planned database maintenance"));
}

#[test]
fn govuk_review_dates_owners_and_html_md_names() {
    let (_tmp, out, run) = build_fixture("govuk");
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let runbook = page(&out, "documentation/runbooks/rotate-keys/");
    assert_eq!(count(&runbook, "article.doc-runbook"), 1);
    assert_eq!(count(&runbook, "h1"), 1, "the repeated H1 is shown once");
    assert_eq!(
        count(&runbook, ".review-warning"),
        1,
        "six months after 2026-01-10 is past"
    );
    assert!(attrs(&runbook, "dl.facts time", "datetime").contains(&"2026-01-10".to_string()));
    assert_eq!(
        attrs(&runbook, ".content p a", "href"),
        ["/documentation/support/on-call/"]
    );
    assert!(out.join("owners/platform-team/index.html").is_file());
    let on_call = page(&out, "documentation/support/on-call/");
    assert_eq!(count(&on_call, "article.doc-process"), 1);
    assert_eq!(count(&on_call, ".review-warning"), 0);
    let home = page(&out, "");
    assert_eq!(
        attrs(&home, ".content p a", "href"),
        ["/documentation/runbooks/rotate-keys/"]
    );
}

#[test]
fn gitlab_markdown_toc_links_diagrams_and_fences() {
    let (_tmp, out, run) = build_fixture("gitlab");
    let home = page(&out, "");
    assert_eq!(
        attrs(&home, "nav.toc-marker a", "href"),
        ["#on-call", "#tools"]
    );
    let links = attrs(&home, ".content p a", "href");
    assert_eq!(
        links,
        [
            "/playbooks/",
            "/playbooks/db-failover/",
            "/playbooks/cert-renewal/",
            "/scripts/check.sh",
            "scripts/missing.sh"
        ]
    );
    assert!(out.join("scripts/check.sh").is_file());
    assert!(texts(&home, ".content p").iter().any(|p| p.contains('🚨')));
    assert!(run
        .warnings()
        .contains(&"warning: README.md:12:43: broken link `scripts/missing.sh`: no page or file at `scripts/missing.sh`"));
    let failover = page(&out, "playbooks/db-failover/");
    assert_eq!(count(&failover, "article.doc-runbook"), 1);
    // A runbook with no severity, services, owners, review or alerts shows no empty facts box.
    assert_eq!(count(&failover, "dl.facts"), 0);
    assert_eq!(count(&failover, "pre.mermaid"), 1);
    assert_eq!(count(&failover, "pre.math"), 2);
    assert_eq!(count(&failover, ".content details summary"), 1);
    assert_eq!(
        attrs(&failover, "script[src$='mermaid.min.js']", "src"),
        ["/vendor/mermaid/mermaid.min.js"]
    );
    assert!(out.join("vendor/mermaid/mermaid.min.js").is_file());
    // The doctoc block is left as written; its links find the headings.
    assert_eq!(
        attrs(&failover, ".content li a", "href"),
        ["#failover", "#verify"]
    );
    // The fence left open at the end is closed, with a warning at its line.
    assert!(texts(&failover, ".content pre.code")
        .join(" ")
        .contains("psql"));
    assert!(run.warnings().contains(
        &"warning: playbooks/db-failover.md:35:1: code block is never closed: closed at the end of the file"
    ));
    let cert = page(&out, "playbooks/cert-renewal/");
    assert_eq!(count(&cert, "script[src$='mermaid.min.js']"), 0);
    // Messages name the key the user wrote, not the field it became.
    assert!(run.warnings().contains(
        &"warning: postmortems/2026-02-01-database.md:3:1: `start_time` `2026-02-01 10:00` has no time zone: read as UTC"
    ));
    let postmortem = page(&out, "postmortems/2026-02-01-database/");
    assert_eq!(count(&postmortem, "article.doc-postmortem"), 1);
    assert_eq!(
        texts(&postmortem, "dl.facts .fact-extra dd"),
        ["Acme", "Database", "config-change"]
    );
}

#[test]
fn a_folder_of_markdown_builds_into_its_own_public_folder_twice() {
    let hb = Handbook::new(&[
        (
            "README.md",
            "# Team handbook\n\nSee [disk](runbooks/disk.md).\n",
        ),
        ("runbooks/disk.md", "# Disk full\n\nFree space.\n"),
    ]);
    for _ in 0..2 {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_opsbook"))
            .args(["build", "--no-cache", "--now", crate::support::NOW])
            .arg(&hb.root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(stderr.contains("read the handbook folder itself as the content"));
        assert!(
            stderr.contains("1 runbook"),
            "public/ is never read: {stderr}"
        );
    }
    let out = hb.root.join("public");
    assert_eq!(text(&page(&out, ""), "h1.hero-title"), "Team handbook");
    assert_eq!(
        count(&page(&out, "runbooks/disk/"), "article.doc-runbook"),
        1
    );
    // An output folder that holds the handbook's markdown is refused.
    let run = build(&hb.root, &hb.root.join("runbooks"), &[]);
    run.assert_failure();
    assert!(
        run.stderr.contains("it is inside the content folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_output_folder_inside_docs_is_refused() {
    let hb = Handbook::new(&[("docs/index.md", "# Docs\n")]);
    let run = build(&hb.root, &hb.root.join("docs/site"), &[]);
    run.assert_failure();
    assert!(
        run.stderr.contains("it is inside the content folder"),
        "{}",
        run.stderr
    );
    let run = build(&hb.root, &hb.out("public"), &[]);
    run.assert_success();
    assert!(
        run.stderr.starts_with(
            "No opsbook.toml: read `docs/` as the content; no pages but the home page;"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn init_from_writes_the_inferred_config_once_and_the_handbook_builds_with_it() {
    let hb = Handbook::new(&[
        (
            "docs/playbooks/disk.md",
            "# Disk full\n\nSee [nothing](gone.md).\n",
        ),
        ("docs/index.md", "# Team handbook\n"),
    ]);
    let init = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_opsbook"))
            .args(["init", "--from"])
            .arg(&hb.root)
            .output()
            .unwrap()
    };
    let first = init();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let config = std::fs::read_to_string(hb.root.join("opsbook.toml")).unwrap();
    assert!(config.contains("broken_links = \"warn\""), "{config}");
    assert!(config.contains("playbooks"), "{config}");
    // Never over an existing file.
    let second = init();
    assert_eq!(second.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&second.stderr).contains("exists already"));
    assert_eq!(
        std::fs::read_to_string(hb.root.join("opsbook.toml")).unwrap(),
        config
    );
    // With the written config the build reads the same layout, and the broken link warns.
    let out = hb.out("site");
    let run = build(&hb.root, &out, &[]);
    run.assert_success();
    assert!(
        run.warnings().iter().any(|w| w.contains("gone.md")),
        "{}",
        run.stderr
    );
    assert_eq!(
        count(&page(&out, "playbooks/disk/"), "article.doc-runbook"),
        1
    );
}

#[test]
fn edit_links_name_the_file_as_the_other_tool_wrote_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("govuk");
    let source = fixture_dir("migrate/govuk");
    for entry in walkdir::WalkDir::new(&source) {
        let entry = entry.unwrap();
        let target = root.join(entry.path().strip_prefix(&source).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    let config = opsbook::source::inferred_config(&root);
    let config = format!("repo_url = \"https://git.example/ops\"\n{config}");
    std::fs::write(root.join("opsbook.toml"), config).unwrap();
    let out = tmp.path().join("site");
    build(&root, &out, &[]).assert_success();
    let edit = attrs(
        &page(&out, "documentation/runbooks/rotate-keys/"),
        "a[href*='/edit/']",
        "href",
    );
    assert_eq!(
        edit,
        ["https://git.example/ops/edit/main/source/documentation/runbooks/rotate-keys.html.md"]
    );
}

/// The titles of the sidebar's links on the page at `url`, in order.
fn sidebar(out: &Path, url: &str) -> Vec<String> {
    texts(&page(out, url), "nav.sidebar a")
}

#[test]
fn another_tools_navigation_gives_the_order_and_titles() {
    let (_tmp, out, _) = build_fixture("mkdocs-docs-dir");
    assert_eq!(
        sidebar(&out, "guides/"),
        ["Home", "Guides", "Zeta first", "Alpha"]
    );
    assert_eq!(text(&page(&out, ""), "title"), "Docs Dir Ops");
    let (_tmp, out, run) = build_fixture("mdbook");
    assert_eq!(
        sidebar(&out, "on-call/"),
        ["Home", "On call", "Paging", "Handover", "Appendix"]
    );
    assert_eq!(text(&page(&out, ""), "title"), "The Ops Book");
    assert!(run.stderr.contains("(mdBook layout)"), "{}", run.stderr);
    // Docusaurus' sidebars.js: its order over sidebar_position, number prefixes and
    // _category_.json; its category labels over the folders' names; unlisted pages last.
    let (_tmp, out, _) = build_fixture("docusaurus-sidebars");
    assert_eq!(
        sidebar(&out, "docs/during/"),
        [
            "Home",
            "Docs",
            "Welcome",
            "During an incident",
            "Declare an incident",
            "Communicate",
            "Escalate",
            "After an incident",
            "Before",
            "Crisis",
            "Glossary"
        ]
    );
    assert_eq!(
        sidebar(&out, "docs/after/")[5..7],
        ["Write the postmortem", "Review meeting"]
    );
    assert_eq!(
        sidebar(&out, "docs/crisis/")[7..9],
        ["War room", "Executive brief"]
    );
    assert!(out.join("docs/during/escalate/index.html").is_file());
    let (_tmp, out, _) = build_fixture("gitbook");
    assert_eq!(sidebar(&out, "ops/"), ["Home", "Ops", "Zulu", "Alpha"]);
    assert!(
        !out.join("summary").exists(),
        "the table of contents is no page"
    );
}
