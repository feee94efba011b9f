//! Builds `content-example/` once and checks the site through its HTML, as a reader would see it.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use crate::support::{
    attrs, build, count, example_dir, fact, fact_text, html_file, html_files, page, sel, text,
    text_of, texts, SharedBuild,
};

const BASE_URL: &str = "https://ops.northwind.example/";
const STALE_RUNBOOK: &str = "runbooks/kafka-consumer-lag/";
const DISK_RUNBOOK: &str = "runbooks/postgres/disk-almost-full/";
const PG_POSTMORTEM: &str = "postmortems/2026-08-14-managed-postgres-writes-failing/";
const PG_INCIDENT: &str = "status/2026-08-14-managed-postgres-writes-failing/";
const ONGOING_INCIDENT: &str = "status/2026-11-26-block-storage-latency-ams1/";
const DRAFT_RUNBOOK: &str = "runbooks/registry-storage-full/";

/// The example built once (without drafts) for every test of this module.
fn shared() -> &'static SharedBuild {
    static BUILD: OnceLock<SharedBuild> = OnceLock::new();
    BUILD.get_or_init(|| crate::support::shared_build(&example_dir(), "example", &[]))
}

/// The output folder of the shared build, which must have succeeded.
fn example() -> &'static Path {
    let shared = shared();
    shared.run.assert_success();
    &shared.out
}

#[test]
fn example_builds_without_errors_or_warnings() {
    let run = &shared().run;
    run.assert_success();
    assert_eq!(run.errors(), Vec::<&str>::new());
    assert_eq!(run.warnings(), Vec::<&str>::new());
    let lines: Vec<&str> = run.stderr.lines().collect();
    let built = lines[lines.len() - 2];
    assert!(
        built.starts_with("Built ") && built.contains(" pages (") && built.ends_with(" ms"),
        "unexpected summary {built:?}"
    );
    // The example keeps one draft, which the build counts and leaves out.
    let markdown = lines[lines.len() - 1];
    assert!(
        markdown.contains(" markdown files: ") && markdown.ends_with(" pages, 1 draft left out"),
        "unexpected summary {markdown:?}"
    );
}

#[test]
fn runbook_header_shows_services_alerts_owners_and_review_date() {
    let html = page(example(), DISK_RUNBOOK);
    assert_eq!(text(&html, "h1.doc-title"), "Postgres: disk almost full");
    assert_eq!(
        attrs(&html, "article.doc-runbook", "class").len(),
        1,
        "a runbook uses the runbook template"
    );
    assert_eq!(text(&html, ".doc-eyebrow .badge-kind"), "Runbook");
    assert_eq!(fact_text(&html, "Severity"), "SEV2");

    let services = fact(&html, "Services").expect("a Services fact");
    let links: Vec<(String, String)> = services
        .select(&sel("a"))
        .map(|a| (text_of(a), a.value().attr("href").unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        links,
        [(
            "managed-postgres".to_string(),
            "/services/managed-postgres/".to_string()
        )]
    );

    let owners = fact(&html, "Owners").expect("an Owners fact");
    let links: Vec<(String, String)> = owners
        .select(&sel("a"))
        .map(|a| (text_of(a), a.value().attr("href").unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        links,
        [("team-data".to_string(), "/owners/team-data/".to_string())]
    );

    let alerts = fact(&html, "Alerts").expect("an Alerts fact");
    let names: Vec<String> = alerts.select(&sel("code")).map(text_of).collect();
    assert_eq!(
        names,
        ["PostgresDiskAlmostFull", "PostgresWalArchiveFailing"]
    );

    let reviewed = fact(&html, "Last reviewed").expect("a Last reviewed fact");
    let time = reviewed.select(&sel("time")).next().expect("a <time>");
    assert_eq!(time.value().attr("datetime"), Some("2026-09-18"));
    assert_eq!(text_of(time), "18 Sep 2026");
    // 2026-09-18 + review_interval_days = 90.
    let due = fact(&html, "Next review").expect("a Next review fact");
    let due_at: Vec<&str> = due
        .select(&sel("time"))
        .filter_map(|t| t.value().attr("datetime"))
        .collect();
    assert_eq!(due_at, ["2026-12-17"], "90 days after the last review");
}

#[test]
fn stale_runbook_shows_the_overdue_warning_and_a_fresh_one_does_not() {
    let stale = page(example(), STALE_RUNBOOK);
    let warning = text(&stale, ".review-warning");
    assert!(
        warning.starts_with("Review overdue."),
        "warning text: {warning}"
    );
    // last_reviewed 2025-12-10 + 180 days ([checks] default) = 2026-06-08; today 2026-11-27.
    assert!(
        warning.contains("10 Dec 2025") && warning.contains("172 days past its review date"),
        "warning text: {warning}"
    );
    assert_eq!(
        count(&stale, ".review-warning time[datetime='2025-12-10']"),
        1
    );
    assert_eq!(count(&stale, "dl.facts > .is-overdue .badge-overdue"), 1);
    assert_eq!(
        attrs(&stale, ".facts > .is-overdue time", "datetime"),
        ["2026-06-08"]
    );

    let fresh = page(example(), DISK_RUNBOOK);
    assert_eq!(count(&fresh, ".review-warning"), 0);
    assert_eq!(count(&fresh, ".is-overdue, .badge-overdue"), 0);

    // The runbooks listing flags the stale runbook only.
    let listing = page(example(), "runbooks/");
    let overdue: Vec<String> = listing
        .select(&sel(".page-list > li"))
        .filter(|row| row.select(&sel(".badge-overdue")).next().is_some())
        .flat_map(|row| {
            row.select(&sel("li > div:first-child > a"))
                .filter_map(|a| a.value().attr("href").map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        overdue.contains(&format!("/{STALE_RUNBOOK}")),
        "overdue rows: {overdue:?}"
    );
    assert!(!overdue.contains(&format!("/{DISK_RUNBOOK}")));
}

#[test]
fn postmortem_shows_severity_status_authors_window_and_incident_link() {
    let html = page(example(), PG_POSTMORTEM);
    assert_eq!(count(&html, "article.doc-postmortem"), 1);
    assert_eq!(
        text(&html, "h1.doc-title"),
        "Writes failing on managed Postgres clusters in fra1"
    );
    assert_eq!(count(&html, "dl.facts .sev.sev-sev1"), 1);
    assert_eq!(fact_text(&html, "Severity"), "SEV1");
    assert_eq!(count(&html, "dl.facts .pm-status.pm-published"), 1);
    assert_eq!(fact_text(&html, "Status"), "Published");
    let authors = fact(&html, "Authors").expect("an Authors fact");
    let names: Vec<String> = authors.select(&sel("li")).map(text_of).collect();
    assert_eq!(names, ["a.kowalski", "m.jansen"]);
    // 02:17 → 06:20 UTC.
    assert_eq!(fact_text(&html, "Duration"), "4 h 3 min");
    assert_eq!(fact_text(&html, "Time to detect"), "14 min");

    let window: Vec<(String, String)> = html
        .select(&sel("ol.milestones > li"))
        .map(|li| {
            let label = li
                .select(&sel("li > span"))
                .next()
                .map(text_of)
                .unwrap_or_default();
            let at = li
                .select(&sel("time"))
                .next()
                .and_then(|t| t.value().attr("datetime"))
                .unwrap_or("")
                .to_string();
            (label, at)
        })
        .collect();
    let expected = [
        ("Started", "2026-08-14T02:17:00Z"),
        ("Detected", "2026-08-14T02:31:00Z"),
        ("Mitigated", "2026-08-14T04:05:00Z"),
        ("Resolved", "2026-08-14T06:20:00Z"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(window, expected);

    let incident = fact(&html, "Status incident").expect("a Status incident fact");
    let link = incident.select(&sel("a")).next().expect("a link");
    assert_eq!(link.value().attr("href"), Some(&*format!("/{PG_INCIDENT}")));
    assert_eq!(
        text_of(link),
        "Writes failing on some managed Postgres clusters in fra1"
    );

    // And the incident links back to its postmortem.
    let incident_page = page(example(), PG_INCIDENT);
    let back = fact(&incident_page, "Postmortem").expect("a Postmortem fact");
    let hrefs: Vec<&str> = back
        .select(&sel("a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(hrefs, [format!("/{PG_POSTMORTEM}")]);
}

#[test]
fn incident_shows_impact_components_and_updates_newest_first() {
    let html = page(example(), PG_INCIDENT);
    assert_eq!(count(&html, "article.doc-incident"), 1);
    assert_eq!(count(&html, ".incident-banner.impact-critical"), 1);
    assert_eq!(count(&html, ".incident-banner.is-ongoing"), 0);
    assert_eq!(text(&html, ".incident-banner .incident-state"), "Resolved");
    assert_eq!(
        text(&html, ".incident-banner .impact.impact-critical"),
        "Critical impact"
    );
    let components = fact(&html, "Component").expect("a Component fact");
    let names: Vec<String> = components.select(&sel("li")).map(text_of).collect();
    assert_eq!(names, ["Managed Postgres"], "component names, not ids");
    assert_eq!(fact_text(&html, "Duration"), "4 h 3 min");

    let updates: Vec<(String, String)> = html
        .select(&sel("section.updates ol.timeline > li"))
        .map(|li| {
            let status = li
                .select(&sel("li > div:first-child .upd"))
                .next()
                .map(text_of)
                .unwrap_or_default();
            let at = li
                .select(&sel("li > div:first-child time"))
                .next()
                .and_then(|t| t.value().attr("datetime"))
                .unwrap_or("")
                .to_string();
            (status, at)
        })
        .collect();
    // The source lists them oldest first.
    let expected = [
        ("Resolved", "2026-08-14T06:20:00Z"),
        ("Monitoring", "2026-08-14T05:05:00Z"),
        ("Monitoring", "2026-08-14T04:10:00Z"),
        ("Identified", "2026-08-14T03:12:00Z"),
        ("Investigating", "2026-08-14T02:40:00Z"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(updates, expected);
    let first_message = texts(&html, "ol.timeline > li > div + div")
        .into_iter()
        .next()
        .unwrap_or_default();
    assert!(
        first_message.starts_with("Archiving has caught up on all clusters"),
        "{first_message}"
    );
}

#[test]
fn ongoing_incident_is_marked_ongoing() {
    let html = page(example(), ONGOING_INCIDENT);
    assert_eq!(count(&html, ".incident-banner.is-ongoing"), 1);
    assert_eq!(count(&html, ".incident-banner .live-dot"), 1);
    let summary = text(&html, ".incident-banner .incident-summary");
    assert!(summary.starts_with("Ongoing since"), "{summary}");
    assert_eq!(fact_text(&html, "Resolved"), "Ongoing");
    assert_eq!(count(&html, "dl.facts .badge-ongoing"), 1);
    assert!(
        fact(&html, "Duration").is_none(),
        "no duration while ongoing"
    );

    // A resolved incident carries none of it.
    let resolved = page(example(), PG_INCIDENT);
    assert_eq!(
        count(&resolved, ".is-ongoing, .live-dot, .badge-ongoing"),
        0
    );

    // The status history lists it as ongoing.
    let history = page(example(), "status/");
    let ongoing: Vec<String> = history
        .select(&sel("li.page-row.is-ongoing a.page-row-title"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert!(
        ongoing.contains(&format!("/{ONGOING_INCIDENT}")),
        "ongoing rows: {ongoing:?}"
    );
    assert!(!ongoing.contains(&format!("/{PG_INCIDENT}")));
}

#[test]
fn relative_md_links_become_page_urls() {
    let html = page(example(), PG_POSTMORTEM);
    let hrefs = attrs(&html, "article .content a[href]", "href");
    for expected in [
        "/runbooks/postgres/disk-almost-full/",
        "/runbooks/postgres/disk-almost-full/#step-2-fix-wal-archiving",
        "/runbooks/postgres/disk-almost-full/#step-3-expand-the-volume",
    ] {
        assert!(
            hrefs.iter().any(|h| h == expected),
            "no link to {expected} in {hrefs:?}"
        );
    }
    assert!(
        !hrefs.iter().any(|h| h.contains(".md")),
        "a `.md` link was left as it was: {hrefs:?}"
    );
    // The anchor the link names exists on the target page.
    let disk = page(example(), DISK_RUNBOOK);
    assert_eq!(count(&disk, "h2#step-2-fix-wal-archiving"), 1);
    // The other direction: the runbook lists the postmortem among its backlinks.
    let backlinks = attrs(&disk, ".backlinks a", "href");
    assert!(
        backlinks.contains(&format!("/{PG_POSTMORTEM}")),
        "backlinks: {backlinks:?}"
    );
}

#[test]
fn no_page_links_to_a_markdown_source() {
    for file in html_files(example()) {
        let html = html_file(example(), &file);
        for href in attrs(&html, ".content a[href]", "href") {
            let path = href.split(['#', '?']).next().unwrap_or("");
            assert!(
                href.contains("://") || !path.ends_with(".md"),
                "{file}: link {href} still points at a markdown file"
            );
        }
    }
}

#[test]
fn heading_ids_are_unique() {
    let html = page(example(), "runbooks/load-balancer-502s/");
    let ids = attrs(&html, ".content :is(h1, h2, h3, h4, h5, h6)[id]", "id");
    assert!(ids.contains(&"verify".to_string()), "{ids:?}");
    assert!(ids.contains(&"verify-1".to_string()), "{ids:?}");
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate heading ids: {ids:?}");
    // Each heading's text is a link to itself, and the TOC points at real ids.
    for id in ["verify", "verify-1"] {
        assert_eq!(
            count(&html, &format!("#{id} > a:only-child[href='#{id}']")),
            1,
            "link of #{id}"
        );
    }
    for href in attrs(&html, "nav.toc a[href]", "href") {
        let id = href.trim_start_matches('#');
        assert!(
            ids.iter().any(|i| i == id),
            "TOC entry {href} has no heading"
        );
    }

    // No id appears twice on any page of the site.
    for file in html_files(example()) {
        let html = html_file(example(), &file);
        let ids = attrs(&html, "[id]", "id");
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{file}: duplicate ids in {ids:?}");
    }
}

#[test]
fn code_blocks_are_highlighted_per_language() {
    // language → a page of the example using it.
    let cases = [
        ("bash", "runbooks/load-balancer-502s/"),
        ("yaml", "runbooks/postgres/replication-lag/"),
        ("sql", "runbooks/billing-job-stuck/"),
        ("python", "runbooks/billing-job-stuck/"),
        ("hcl", "runbooks/dns-resolution-failures/"),
    ];
    for (lang, url) in cases {
        let html = page(example(), url);
        let selector = format!("pre.code[data-lang='{lang}']");
        let blocks = count(&html, &selector);
        assert!(blocks > 0, "{url}: no {selector}");
        let spans = count(&html, &format!("{selector} > code span[class^='h']"));
        assert!(spans > 3, "{url}: {lang} block is not highlighted");
    }
    // Both colour schemes ship and style every class the pages use.
    let light = std::fs::read_to_string(example().join("syntax-light.css")).unwrap();
    let dark = std::fs::read_to_string(example().join("syntax-dark.css")).unwrap();
    let html = page(example(), "runbooks/billing-job-stuck/");
    let selector = scraper::Selector::parse("pre.code span[class]").unwrap();
    let classes: std::collections::BTreeSet<String> = html
        .select(&selector)
        .filter_map(|span| span.value().attr("class"))
        .map(str::to_string)
        .collect();
    assert!(classes.len() > 3, "{classes:?}");
    for class in &classes {
        assert!(
            light.contains(&format!(".{class}{{color:#")),
            "light lacks {class}"
        );
        assert!(
            dark.contains(&format!("html[data-theme=dark] .{class}{{")),
            "dark lacks {class}"
        );
        assert!(
            dark.contains(&format!("html:not([data-theme=light]) .{class}{{")),
            "dark lacks {class}"
        );
    }
    assert_ne!(light, dark);
}

#[test]
fn unknown_language_is_plain_escaped_text() {
    let html = page(example(), DISK_RUNBOOK);
    let block = html
        .select(&sel("pre.code[data-lang='promql'] > code"))
        .next()
        .expect("a promql block");
    assert_eq!(
        block.select(&sel("*")).count(),
        0,
        "no markup inside: {}",
        block.inner_html()
    );
    let code: String = block.text().collect();
    assert!(
        code.starts_with(
            "predict_linear(node_filesystem_avail_bytes{job=\"pg-node\",mountpoint=\"/var/lib/postgresql\"}[1h], 4*3600) < 0"
        ),
        "{code}"
    );
    // `<` was escaped in the source, not taken as markup.
    assert!(
        block.inner_html().contains("&lt; 0"),
        "{}",
        block.inner_html()
    );
}

#[test]
fn taxonomy_pages_list_the_pages_carrying_the_term() {
    let out = example();
    for name in ["tags", "services", "owners"] {
        let index = page(out, &format!("{name}/"));
        let terms = attrs(&index, "ul.term-cloud a.term", "href");
        assert!(!terms.is_empty(), "{name}/ lists no terms");
        for href in &terms {
            let relative = href.trim_start_matches('/');
            assert!(
                out.join(relative).join("index.html").is_file(),
                "{name}/ links to {href}, which was not written"
            );
        }
    }
    let index = page(out, "services/");
    let row = index
        .select(&sel("ul.term-cloud a.term"))
        .find(|a| a.value().attr("href") == Some("/services/managed-postgres/"))
        .expect("managed-postgres in the services list");
    let listed_count: usize = row
        .select(&sel(".term-count"))
        .next()
        .map(|c| c.text().next().unwrap_or("").trim().parse().unwrap())
        .expect("a count");

    let term = page(out, "services/managed-postgres/");
    // Titled with the service's name: its status component's.
    assert_eq!(text(&term, "h1.doc-title"), "Managed Postgres");
    // The service page adds the status incidents of its component, which carry no `services`.
    let pages = attrs(
        &term,
        "section[aria-labelledby]:not([aria-labelledby$='-incident']) .page-list > li > div:first-child > a",
        "href",
    );
    assert_eq!(pages.len(), listed_count, "count on services/ vs rows");
    for expected in [
        DISK_RUNBOOK,
        "runbooks/postgres/replication-lag/",
        PG_POSTMORTEM,
    ] {
        assert!(
            pages.contains(&format!("/{expected}")),
            "{expected} missing from {pages:?}"
        );
    }
    assert!(!pages.contains(&format!("/{STALE_RUNBOOK}")));
    // Every page listed carries the service.
    for href in &pages {
        let html = page(out, href.trim_start_matches('/'));
        let services = attrs(&html, "dl.facts a[href^='/services/']", "href");
        assert!(
            services.iter().any(|s| s == "/services/managed-postgres/"),
            "{href} is listed under managed-postgres but shows {services:?}"
        );
    }

    let tag = page(out, "tags/wal/");
    let pages = attrs(&tag, ".page-list > li > div:first-child > a", "href");
    assert!(pages.contains(&format!("/{DISK_RUNBOOK}")), "{pages:?}");
    assert!(pages.contains(&format!("/{PG_POSTMORTEM}")), "{pages:?}");
    let owner = page(out, "owners/team-data/");
    let pages = attrs(&owner, ".page-list > li > div:first-child > a", "href");
    assert!(pages.contains(&format!("/{DISK_RUNBOOK}")), "{pages:?}");
    // The page's own tag chips lead to the tag pages.
    let disk = page(out, DISK_RUNBOOK);
    let chips = attrs(&disk, ".doc-tags a", "href");
    assert_eq!(chips, ["/tags/postgres/", "/tags/storage/", "/tags/wal/"]);
}

fn sitemap_locs(out: &Path) -> Vec<String> {
    let xml = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    xml.split("<loc>")
        .skip(1)
        .map(|rest| rest.split("</loc>").next().unwrap().to_string())
        .collect()
}

/// `X/index.html` pages of the output that are not redirects, as URLs relative to the base.
fn real_pages(out: &Path) -> Vec<String> {
    html_files(out)
        .into_iter()
        .filter_map(|f| f.strip_suffix("index.html").map(str::to_string))
        .filter(|url| count(&page(out, url), "meta[http-equiv='refresh']") == 0)
        // Pages that ask search engines to stay away (the search results page) are no content.
        .filter(|url| count(&page(out, url), "meta[name='robots'][content*='noindex']") == 0)
        .collect()
}

#[test]
fn sitemap_lists_every_content_page_with_the_base_url() {
    let out = example();
    let locs = sitemap_locs(out);
    let unique: BTreeSet<&String> = locs.iter().collect();
    assert_eq!(unique.len(), locs.len(), "duplicate sitemap entries");
    for loc in &locs {
        let relative = loc
            .strip_prefix(BASE_URL)
            .unwrap_or_else(|| panic!("{loc} does not start with the base URL"));
        assert!(
            out.join(relative).join("index.html").is_file(),
            "sitemap lists {loc}, which was not written"
        );
    }
    for url in [
        "",
        DISK_RUNBOOK,
        STALE_RUNBOOK,
        PG_POSTMORTEM,
        PG_INCIDENT,
        ONGOING_INCIDENT,
        "runbooks/",
        "runbooks/object-storage-5xx/",
        "services/managed-postgres/",
    ] {
        assert!(
            locs.contains(&format!("{BASE_URL}{url}")),
            "sitemap misses {url}"
        );
    }
    // Every page that came from a markdown file, section or not.
    for url in real_pages(out).into_iter().filter(|u| {
        !["tags/", "services/", "owners/"]
            .iter()
            .any(|t| u.starts_with(t))
    }) {
        assert!(
            locs.contains(&format!("{BASE_URL}{url}")),
            "sitemap misses {url}"
        );
    }
    assert!(
        !locs.iter().any(|l| l.contains("old-pg-disk")),
        "no aliases"
    );
    assert!(
        !locs.iter().any(|l| l.contains("registry-storage-full")),
        "no drafts"
    );
    let robots = std::fs::read_to_string(out.join("robots.txt")).unwrap();
    assert!(
        robots.contains(&format!("Sitemap: {BASE_URL}sitemap.xml")),
        "{robots}"
    );
}

#[test]
fn sitemap_lists_every_html_page_of_the_site() {
    // Taxonomy lists (`/tags/`, `/services/`, `/owners/`) are pages of the site too.
    let out = example();
    let locs = sitemap_locs(out);
    let missing: Vec<String> = real_pages(out)
        .into_iter()
        .filter(|url| !locs.contains(&format!("{BASE_URL}{url}")))
        .collect();
    assert!(missing.is_empty(), "sitemap misses {missing:?}");
}

#[test]
fn alias_is_a_redirect_page_to_the_disk_runbook() {
    let html = page(example(), "runbooks/old-pg-disk/");
    let refresh = attrs(&html, "meta[http-equiv='refresh']", "content");
    assert_eq!(refresh, [format!("0; url=/{DISK_RUNBOOK}")]);
    let canonical = attrs(&html, "link[rel='canonical']", "href");
    assert_eq!(canonical, [format!("{BASE_URL}{DISK_RUNBOOK}")]);
    assert_eq!(attrs(&html, "meta[name='robots']", "content"), ["noindex"]);
    assert_eq!(attrs(&html, "body a", "href"), [format!("/{DISK_RUNBOOK}")]);
}

#[test]
fn colocated_asset_is_copied_and_linked() {
    let out = example();
    let source = example_dir().join("content/runbooks/object-storage-5xx/error-dashboard.svg");
    let copied = out.join("runbooks/object-storage-5xx/error-dashboard.svg");
    assert_eq!(
        std::fs::read(&copied).expect("the svg is copied beside the page"),
        std::fs::read(source).unwrap()
    );
    let html = page(out, "runbooks/object-storage-5xx/");
    let srcs = attrs(&html, ".content img", "src");
    assert!(
        srcs.contains(&"/runbooks/object-storage-5xx/error-dashboard.svg".to_string()),
        "{srcs:?}"
    );
    // Static files and the theme's assets too.
    for file in [
        "favicon.svg",
        "images/logo.svg",
        "style.css",
        "opsbook.js",
        "syntax-light.css",
        "syntax-dark.css",
        "404.html",
        "robots.txt",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    assert_eq!(
        std::fs::read(out.join("images/logo.svg")).unwrap(),
        std::fs::read(example_dir().join("static/images/logo.svg")).unwrap()
    );
}

#[test]
fn draft_runbook_is_absent_without_drafts_and_present_with_them() {
    let out = example();
    assert!(
        !out.join(DRAFT_RUNBOOK).exists(),
        "draft written without --drafts"
    );
    for file in html_files(out) {
        let html = html_file(out, &file);
        let hrefs = attrs(&html, "a[href]", "href");
        assert!(
            !hrefs.iter().any(|h| h.contains("registry-storage-full")),
            "{file} links to the draft"
        );
    }

    let tmp = tempfile::tempdir().unwrap();
    let drafts = tmp.path().join("public");
    build(&example_dir(), &drafts, &["--drafts"]).assert_success();
    let html = page(&drafts, DRAFT_RUNBOOK);
    assert_eq!(
        text(&html, "h1.doc-title"),
        "Container registry: storage quota exhausted"
    );
    assert_eq!(count(&html, ".doc-eyebrow .badge-draft"), 1);
    let listing = page(&drafts, "runbooks/");
    assert!(
        attrs(&listing, ".page-list > li > div:first-child > a", "href")
            .contains(&format!("/{DRAFT_RUNBOOK}"))
    );
}

#[test]
fn alerts_and_admonitions_render_as_admonitions() {
    let out = example();
    // GitHub alert: `> [!NOTE]`.
    let kafka = page(out, STALE_RUNBOOK);
    let note = kafka
        .select(&sel(".content div.admonition.note"))
        .next()
        .expect("a GitHub NOTE alert");
    assert_eq!(
        note.select(&sel(".admonition-title"))
            .next()
            .map(text_of)
            .as_deref(),
        Some("Note")
    );
    assert!(text_of(note).contains("past its review date"));
    assert_eq!(
        count(&kafka, ".content blockquote"),
        0,
        "no blockquote left"
    );
    let disk = page(out, DISK_RUNBOOK);
    assert!(count(&disk, ".content div.admonition.warning") >= 1);

    // MkDocs: `!!! warning "Title"`, `??? note "Title"` (collapsible), `!!! tip "Title"`.
    let cert = page(out, "runbooks/certificate-expiry/");
    assert_eq!(
        texts(&cert, ".content div.admonition.warning > .admonition-title"),
        ["An expired certificate is an outage"]
    );
    assert_eq!(
        texts(
            &cert,
            ".content details.admonition.note > summary.admonition-title"
        ),
        ["Details: why we renew 30 days before expiry"]
    );
    assert_eq!(
        texts(&cert, ".content div.admonition.tip > .admonition-title"),
        ["Check the whole chain"]
    );
    let body = cert
        .select(&sel(
            ".content div.admonition.tip > p:not(.admonition-title) code",
        ))
        .map(text_of)
        .collect::<Vec<_>>();
    assert!(
        body.contains(&"curl".to_string()),
        "markdown inside: {body:?}"
    );
    assert!(!text_of(cert.root_element()).contains("!!!"));

    // Docusaurus: `:::tip` and `:::danger Title`.
    let dns = page(out, "runbooks/dns-resolution-failures/");
    assert_eq!(
        texts(&dns, ".content div.admonition.tip > .admonition-title"),
        ["Tip"]
    );
    assert_eq!(
        texts(&dns, ".content div.admonition.danger > .admonition-title"),
        ["Do not withdraw more than one node per region"]
    );
    assert!(!texts(&dns, ".content p")
        .iter()
        .any(|p| p.starts_with(":::")));
}

#[test]
fn every_link_of_every_page_leads_to_a_file_of_the_site() {
    assert_eq!(
        crate::support::broken_links(example()),
        Vec::<(String, String)>::new()
    );
}
