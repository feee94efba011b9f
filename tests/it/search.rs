//! `opsbook search`: the tantivy index of heading sections, queried from the terminal.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::*;

fn search(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let cache = dir.join(".opsbook-cache-test");
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .arg("search")
        .arg(dir)
        .args(args)
        .arg("--cache-dir")
        .arg(&cache)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `opsbook search --json`: `{showing, pages: [{url, title, kind, score, sections}]}`.
fn json_results(dir: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let (code, stdout, stderr) = search(dir, &all);
    assert_eq!(code, 0, "{stderr}");
    let results: Value = serde_json::from_str(&stdout).expect("JSON");
    let pages = results["pages"].as_array().expect("pages");
    let urls: Vec<&str> = pages.iter().map(|p| p["url"].as_str().unwrap()).collect();
    for page in pages {
        let sections = page["sections"].as_array().expect("sections");
        assert!((1..=3).contains(&sections.len()), "{page}");
        assert_eq!(page["score"], sections[0]["score"], "{page}");
        let url = page["url"].as_str().unwrap();
        assert_eq!(urls.iter().filter(|u| **u == url).count(), 1, "{url} twice");
        for section in sections {
            let own = section["url"].as_str().unwrap().split('#').next().unwrap();
            assert_eq!(own, url, "{page}");
        }
    }
    results
}

/// The sections `opsbook search --json` lists, page after page.
fn json_hits(dir: &Path, args: &[&str]) -> Vec<Value> {
    let results = json_results(dir, args);
    let pages = results["pages"].as_array().unwrap();
    (pages.iter())
        .flat_map(|p| p["sections"].as_array().unwrap().clone())
        .collect()
}

/// A copy of the example, so the index cache never lands in the repository.
fn example_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&example_dir(), tmp.path());
    tmp
}

#[test]
fn the_disk_runbook_section_comes_first_with_the_documented_fields() {
    let example = example_copy();
    let hits = json_hits(example.path(), &["disk full postgres"]);
    assert!(!hits.is_empty());
    let first = &hits[0];
    let url = first["url"].as_str().unwrap();
    assert!(
        url.starts_with("runbooks/postgres/disk-almost-full/"),
        "{hits:#?}"
    );
    assert_eq!(first["kind"], "runbook");
    assert_eq!(first["title"], "Postgres: disk almost full");
    for hit in &hits {
        for field in ["url", "title", "section", "kind", "snippet"] {
            assert!(hit[field].is_string(), "{field} in {hit}");
        }
        // `section` is the last heading of `path`; an introduction has neither.
        let path = hit["path"].as_array().expect("path is an array");
        let last = path.last().map_or("", |h| h.as_str().unwrap());
        assert_eq!(hit["section"].as_str().unwrap(), last, "{hit}");
    }
    // A section hit carries its anchor, and that anchor exists on the built page.
    let anchored = hits
        .iter()
        .find(|h| h["url"].as_str().unwrap().contains('#'))
        .unwrap();
    let (page_url, anchor) = anchored["url"].as_str().unwrap().split_once('#').unwrap();
    let out = example.path().join("public");
    build(example.path(), &out, &[]).assert_success();
    let html = page(&out, page_url);
    assert_eq!(
        count(&html, &format!("[id='{anchor}']")),
        1,
        "{page_url}#{anchor}"
    );
}

#[test]
fn a_section_hit_carries_its_whole_heading_path() {
    let example = example_copy();
    let hits = json_hits(example.path(), &["verify wal archiving"]);
    let first = &hits[0];
    assert_eq!(
        first["url"], "runbooks/postgres/disk-almost-full/#verify",
        "{hits:#?}"
    );
    assert_eq!(first["section"], "Verify");
    assert_eq!(
        first["path"],
        serde_json::json!(["Step 2: Fix WAL archiving", "Verify"])
    );
}

#[test]
fn filters_narrow_by_kind_service_and_severity() {
    let example = example_copy();
    let postmortems = json_hits(example.path(), &["postgres", "--kind", "postmortem"]);
    assert!(!postmortems.is_empty());
    assert!(
        postmortems.iter().all(|h| h["kind"] == "postmortem"),
        "{postmortems:#?}"
    );
    let by_service = json_hits(
        example.path(),
        &["disk", "--service", "managed-postgres", "--limit", "50"],
    );
    assert!(!by_service.is_empty());
    assert!(
        by_service.iter().all(|h| {
            let url = h["url"].as_str().unwrap();
            url.contains("postgres")
        }),
        "{by_service:#?}"
    );
    let sev1 = json_hits(example.path(), &["writes", "--severity", "sev1"]);
    assert!(
        sev1.iter()
            .all(|h| h["url"].as_str().unwrap().contains("postgres")),
        "{sev1:#?}"
    );
    let limited = json_results(example.path(), &["the", "--limit", "3"]);
    assert_eq!(limited["pages"].as_array().unwrap().len(), 3);
}

#[test]
fn stems_match_and_markup_in_queries_is_only_text() {
    let example = example_copy();
    let stemmed = json_hits(example.path(), &["expiring certificates"]);
    assert!(
        stemmed[0]["url"]
            .as_str()
            .unwrap()
            .starts_with("runbooks/certificate-expiry/"),
        "{stemmed:#?}"
    );
    let hostile = json_hits(
        example.path(),
        &["<script>alert(1)</script> \"disk\" AND OR (title:x"],
    );
    assert!(!hostile.is_empty());
    let none = json_hits(example.path(), &["zzzxqv"]);
    assert!(none.is_empty());
    let (code, _, stderr) = search(example.path(), &["zzzxqv"]);
    assert_eq!(code, 0);
    assert!(stderr.contains("No results"), "{stderr}");
}

#[test]
fn the_index_is_rebuilt_only_when_sources_change() {
    let handbook = Handbook::new(&[
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "content/runbooks/dns.md",
            "+++\ntitle = \"DNS failures\"\n+++\n## Flush\n\nRestart unbound.\n",
        ),
    ]);
    let (_, stdout, stderr) = search(&handbook.root, &["unbound"]);
    assert!(stderr.contains("Indexed"), "{stderr}");
    assert!(stdout.contains("runbooks/dns/\n  - Flush\n"), "{stdout}");
    let (_, _, stderr) = search(&handbook.root, &["unbound"]);
    assert!(
        !stderr.contains("Indexed"),
        "a fresh index is reused: {stderr}"
    );
    handbook.write(
        "content/runbooks/kafka.md",
        b"+++\ntitle = \"Kafka lag\"\n+++\nConsumer lag grows.\n",
    );
    let (_, stdout, stderr) = search(&handbook.root, &["consumer"]);
    assert!(stderr.contains("Indexed"), "{stderr}");
    assert!(stdout.contains("runbooks/kafka/"), "{stdout}");
}

#[test]
fn an_unreadable_handbook_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = search(tmp.path(), &["anything"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no `content/` folder"), "{stderr}");
}

#[test]
fn a_site_without_search_has_no_box_no_page_and_no_index() {
    let disk = "+++\ntitle = \"Disk\"\n+++\nFull disk.\n";
    let with = Handbook::new(&[
        ("opsbook.toml", "title = \"x\"\n"),
        ("content/runbooks/disk.md", disk),
    ]);
    let without = Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"x\"\n\n[search]\nenabled = false\n",
        ),
        ("content/runbooks/disk.md", disk),
    ]);
    for (hb, searched) in [(&with, true), (&without, false)] {
        hb.build(&[]).assert_success();
        let out = hb.out("public");
        let html = page(&out, "runbooks/disk/");
        assert_eq!(count(&html, "form#site-search"), usize::from(searched));
        assert_eq!(
            count(&html, "script[src='/search-ui.js']"),
            usize::from(searched)
        );
        assert_eq!(out.join("search/index.html").is_file(), searched);
        assert_eq!(out.join("search/meta.js").is_file(), searched);
        assert_eq!(out.join("search").exists(), searched);
    }
}

#[test]
fn a_huge_limit_is_a_usage_error_and_never_an_allocation() {
    let example = example_copy();
    for limit in [
        "18446744073709551615",
        "17592186044416",
        "10001",
        "0",
        "ten",
    ] {
        let (code, stdout, stderr) = search(example.path(), &["postgres", "--limit", limit]);
        assert_eq!(code, 2, "--limit {limit}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.starts_with(&format!(
                "error: invalid value '{limit}' for '--limit <LIMIT>': expected a whole number from 1 to 10000"
            )),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(
        json_hits(example.path(), &["postgres", "--limit", "10000"]).len(),
        json_hits(example.path(), &["postgres", "--limit", "5000"]).len()
    );

    // The library bounds what it is given too: by what the index holds.
    let options = opsbook::build::BuildOptions {
        root: example.path().to_path_buf(),
        cache_dir: Some(example.path().join(".opsbook-cache-test")),
        ..Default::default()
    };
    let (index, _) = opsbook::build::index::fresh_search_index(&options).unwrap();
    let searcher = opsbook::search::Searcher::open(&index).unwrap();
    let filters = opsbook::search::Filters::default();
    let all = searcher.search("postgres", &filters, usize::MAX).unwrap();
    assert!(!all.is_empty());
    let typed = searcher
        .search_as_typed("postg", &filters, usize::MAX)
        .unwrap();
    assert!(!typed.is_empty());
    assert_eq!(
        all.len(),
        searcher.search("postgres", &filters, 5000).unwrap().len()
    );
}

/// A handbook of `pages` notes of 10 sections each: every section has `disk` and a few of 40
/// other words; every fifth is long, so that its fieldnorm id passes 63, and only those have
/// `marathon`; `disk` is in every title.
fn many_sections(pages: usize) -> Handbook {
    let handbook = Handbook::new(&[("opsbook.toml", "title = \"Many sections\"\n")]);
    let words: Vec<String> = (0..40).map(|n| format!("word{n}")).collect();
    for page in 0..pages {
        let mut text = format!(
            "+++\ntitle = \"Disk note {page}\"\n+++\n\nDisk and word{}.\n",
            page % 40
        );
        for section in 1..10 {
            let n = page * 10 + section;
            let long = n % 5 == 0;
            let length = if long { 200 } else { 4 + n % 7 };
            let body: Vec<&str> = (0..length)
                .map(|i| words[(n * 7 + i * i) % 40].as_str())
                .collect();
            let marathon = if long { " marathon" } else { "" };
            text.push_str(&format!(
                "\n## Step {section}\n\nThe disk{marathon} {}.\n",
                body.join(" ")
            ));
        }
        handbook.write(&format!("content/notes/note-{page}.md"), text.as_bytes());
    }
    handbook
}

/// Every list the browser index exports is tantivy's, posting for posting: the runtime's reading
/// of each (tests/search/postings.mjs), heads and tail blocks of cut terms put back together,
/// against the postings of `opsbook search`'s own index.
#[test]
fn every_exported_posting_list_reads_back_as_tantivys() {
    use tantivy::postings::Postings;
    use tantivy::schema::IndexRecordOption;
    use tantivy::{DocSet, TERMINATED};

    if Command::new("node").arg("--version").output().is_err() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "node is required under CI"
        );
        eprintln!("skipping: node is not installed");
        return;
    }
    let handbook = many_sections(700);
    let site = handbook.out("site");
    // Its lists are far below the build's own cut: cut them at 16 KB to reach heads and tails.
    let cut_short = [("OPSBOOK_SEARCH_SPLIT_BYTES", "16384")];
    build_with_env(&handbook.root, &site, &["-q"], &cut_short).assert_success();
    let options = opsbook::build::BuildOptions {
        root: handbook.root.clone(),
        cache_dir: Some(handbook.tmp.path().join("cache")),
        ..Default::default()
    };
    let (dir, _) = opsbook::build::index::fresh_search_index(&options).unwrap();
    let index = tantivy::Index::open_in_dir(dir).unwrap();
    let searcher = index.reader().unwrap().searcher();
    let [segment] = searcher.segment_readers() else {
        panic!("the index has one segment")
    };
    let mut terms: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for (number, name) in ["title", "section", "body"].into_iter().enumerate() {
        let field = index.schema().get_field(name).unwrap();
        let inverted = segment.inverted_index(field).unwrap();
        let norms = segment.get_fieldnorms_reader(field).unwrap();
        let mut stream = inverted.terms().stream().unwrap();
        while stream.advance() {
            let mut postings = inverted
                .read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)
                .unwrap();
            let mut list = Vec::new();
            let mut doc = postings.doc();
            while doc != TERMINATED {
                list.push(serde_json::json!([
                    doc,
                    postings.term_freq(),
                    norms.fieldnorm_id(doc)
                ]));
                doc = postings.advance();
            }
            let term = String::from_utf8_lossy(stream.key()).into_owned();
            terms
                .entry(term)
                .or_default()
                .push(serde_json::json!([number, list]));
        }
    }
    let expected = handbook.tmp.path().join("postings.json");
    std::fs::write(&expected, serde_json::json!({ "terms": terms }).to_string()).unwrap();
    let mut command = Command::new("node");
    command
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search/postings.mjs"))
        .arg(&site)
        .arg(&expected)
        .env_remove("OPSBOOK_RUNTIME");
    assert_node_succeeds(command, "postings.mjs");
}

#[test]
fn synonyms_find_each_other_and_a_changed_group_rebuilds_the_index() {
    let example = example_copy();
    let urls = |hits: &[Value]| -> Vec<String> {
        (hits.iter())
            .map(|h| h["url"].as_str().unwrap().to_string())
            .collect()
    };
    let k8s = json_hits(example.path(), &["k8s"]);
    assert!(
        urls(&k8s)[0].starts_with("runbooks/kubernetes/"),
        "{:?}",
        urls(&k8s)
    );
    // A word the example never writes finds what its group's word finds, ranked alike.
    let config = example.path().join("opsbook.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let with = text.replace(
        "[\"k8s\", \"kubernetes\"]",
        "[\"k8s\", \"kubernetes\"], [\"helmsman\", \"kubernetes\"]",
    );
    assert_ne!(text, with);
    std::fs::write(&config, &with).unwrap();
    let helmsman = json_results(example.path(), &["helmsman"]);
    let pages = |results: &Value| urls(results["pages"].as_array().unwrap());
    assert!(!pages(&helmsman).is_empty());
    assert_eq!(
        pages(&helmsman),
        pages(&json_results(example.path(), &["kubernetes"]))
    );
    std::fs::write(&config, &text).unwrap();
    assert!(json_hits(example.path(), &["helmsman"]).is_empty());
}

#[test]
fn a_synonym_that_is_not_one_word_is_an_error_at_its_place() {
    let handbook = Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"T\"\n[search]\nsynonyms = [[\"k8s\", \"kube rnetes\"], [\"pg\"]]\n",
        ),
        ("content/a.md", "# A\n"),
    ]);
    let run = handbook.build(&[]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("opsbook.toml:3:21")
            && run
                .stderr
                .contains("the synonym `kube rnetes` is not one word"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("opsbook.toml:3:38")
            && run
                .stderr
                .contains("the synonym group of `pg` has no other word"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_language_search_does_not_know_is_an_error_in_the_config_and_a_warning_in_a_page() {
    let handbook = Handbook::new(&[
        ("opsbook.toml", "title = \"T\"\nlanguage = \"tlh\"\n"),
        ("content/a.md", "# A\n"),
    ]);
    let run = handbook.build(&[]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("opsbook.toml:2:12")
            && run.stderr.contains("unknown `language` \"tlh\""),
        "{}",
        run.stderr
    );

    let handbook = Handbook::new(&[
        ("opsbook.toml", "title = \"T\"\n"),
        (
            "content/sicherung.md",
            "+++\ntitle = \"Sicherung\"\nlang = \"de\"\n+++\nDie Sicherungen der Datenbanken.\n",
        ),
        (
            "content/other.md",
            "+++\ntitle = \"Other\"\nlang = \"tlh\"\n+++\nBackups of the databases.\n",
        ),
    ]);
    let run = handbook.build(&[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown `lang` \"tlh\""),
        "{}",
        run.stderr
    );
    // The German page is analyzed in German, the English one in English: each word finds its
    // page in either form, as the handbook has both languages.
    for (query, page) in [
        ("Sicherung", "sicherung/"),
        ("Datenbank", "sicherung/"),
        ("databases", "other/"),
        ("backup", "other/"),
    ] {
        let hits = json_hits(&handbook.root, &[query]);
        assert_eq!(
            hits.first().and_then(|h| h["url"].as_str()),
            Some(page),
            "{query}: {hits:#?}"
        );
    }
}

#[test]
fn an_exact_alert_name_finds_its_runbook_first() {
    let example = example_copy();
    for query in ["PostgresDiskAlmostFull", "postgresdiskalmostfull"] {
        let results = json_results(example.path(), &[query]);
        let first = &results["pages"][0];
        assert_eq!(
            first["url"], "runbooks/postgres/disk-almost-full/",
            "{results:#}"
        );
        // The glossary mentions the alert too: once, below the runbook.
        let pages = results["pages"].as_array().unwrap();
        let glossary = pages.iter().position(|p| p["url"] == "glossary/");
        assert!(glossary.is_some_and(|at| at > 0), "{results:#}");
    }
}

#[test]
fn the_words_of_an_alert_name_find_its_runbook() {
    let handbook = Handbook::new(&[
        ("opsbook.toml", "title = \"T\"\n"),
        (
            "content/runbooks/consumers.md",
            "+++\ntitle = \"Consumers behind\"\nalerts = [\"KafkaConsumerLagTooHigh\", \"HighCPU\"]\n+++\nScale the group out.\n",
        ),
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\n+++\nFree some space on the volume.\n",
        ),
    ]);
    for query in [
        "consumer lag",
        "lag too high",
        "kafkaconsumerlagtoohigh",
        "high cpu",
    ] {
        let results = json_results(&handbook.root, &[query]);
        assert!(results["showing"].is_null(), "{query}: {results:#}");
        assert_eq!(
            results["pages"][0]["url"], "runbooks/consumers/",
            "{query}: {results:#}"
        );
    }
}

/// Alert and metric names written in headings and text, not only in front matter: their words
/// find the section, and no word is "corrected" into another because it only ever occurs inside
/// such a name (the benchmark handbook's "disk full" used to show results for "disk null").
#[test]
fn the_words_of_a_camel_case_name_in_the_text_find_its_section() {
    let handbook = Handbook::new(&[
        ("opsbook.toml", "title = \"T\"\n"),
        (
            "content/runbooks/postgres.md",
            "+++\ntitle = \"Postgres\"\n+++\nThe primary database.\n\n\
             ## PostgresDiskAlmostFull\n\nFree some space on the volume.\n\n\
             ## Replication\n\nWhen PostgresReplicaLagHigh fires, restart the replica.\n",
        ),
        (
            "content/runbooks/nulls.md",
            "+++\ntitle = \"Nulls\"\n+++\nA null value in a column.\n",
        ),
    ]);
    for (query, section) in [
        ("disk full", "runbooks/postgres/#postgresdiskalmostfull"),
        ("almost full", "runbooks/postgres/#postgresdiskalmostfull"),
        ("replica lag high", "runbooks/postgres/#replication"),
    ] {
        let results = json_results(&handbook.root, &[query]);
        assert!(results["showing"].is_null(), "{query}: {results:#}");
        assert_eq!(
            results["pages"][0]["url"], "runbooks/postgres/",
            "{query}: {results:#}"
        );
        assert_eq!(
            results["pages"][0]["sections"][0]["url"], section,
            "{query}: {results:#}"
        );
    }
    // The whole name is still one word: it finds its section.
    let results = json_results(&handbook.root, &["PostgresReplicaLagHigh"]);
    assert_eq!(
        results["pages"][0]["sections"][0]["url"], "runbooks/postgres/#replication",
        "{results:#}"
    );
}

#[test]
fn a_page_is_listed_once_with_its_sections_that_have_the_words() {
    let handbook = Handbook::new(&[
        ("opsbook.toml", "title = \"T\"\n"),
        (
            "content/runbooks/backup.md",
            "+++\ntitle = \"Backup\"\n+++\nHow backups run.\n\n## Restore\n\nRestore a backup.\n\n\
             ## Retention\n\nKept 30 days.\n\n## Verify\n\nCheck the backup.\n\n## Monitor\n\n\
             A backup alert.\n\n## Owners\n\nTeam data.\n",
        ),
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\n+++\nA backup can fill the disk.\n",
        ),
    ]);
    let results = json_results(&handbook.root, &["backup"]);
    let pages = results["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2, "{results:#}");
    assert_eq!(pages[0]["url"], "runbooks/backup/");
    let sections: Vec<&str> = (pages[0]["sections"].as_array().unwrap().iter())
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    // Three of the four sections with the word; never `Retention` or `Owners`, which have the
    // word only in the page's title.
    assert_eq!(sections.len(), 3, "{sections:?}");
    assert_eq!(sections[0], "runbooks/backup/");
    assert!(
        sections
            .iter()
            .all(|s| !s.ends_with("#retention") && !s.ends_with("#owners")),
        "{sections:?}"
    );
    // The text output: one entry per page, its sections under it.
    let (_, stdout, _) = search(&handbook.root, &["backup"]);
    assert_eq!(stdout.matches("runbooks/backup/\n").count(), 1, "{stdout}");
    assert_eq!(stdout.matches("\n  - ").count(), 4, "{stdout}");
}

#[test]
fn a_whole_word_outranks_a_prefix_expansion_of_it() {
    let handbook = Handbook::new(&[
        ("opsbook.toml", "title = \"T\"\n"),
        (
            "content/runbooks/pagerduty.md",
            "+++\ntitle = \"Pagerduty\"\n+++\nPagerduty status, Pagerduty routing, Pagerduty.\n",
        ),
        (
            "content/processes/updates.md",
            "+++\ntitle = \"Customer updates\"\n+++\nPost on the status page, then every hour: \
             what we know, what we do, when we update next, in words customers use. The status \
             page is public.\n",
        ),
    ]);
    let options = opsbook::build::BuildOptions {
        root: handbook.root.clone(),
        cache_dir: Some(handbook.root.join(".opsbook-cache-test")),
        ..Default::default()
    };
    let (index, _) = opsbook::build::index::fresh_search_index(&options).unwrap();
    let searcher = opsbook::search::Searcher::open(&index).unwrap();
    let filters = opsbook::search::Filters::default();
    let typed = searcher.pages("status page", &filters, 10, true).unwrap();
    let urls: Vec<&str> = typed.pages.iter().map(|p| p.url.as_str()).collect();
    assert_eq!(urls, ["processes/updates/", "runbooks/pagerduty/"]);
    // The prefix's page scores higher: only the whole word puts the other first.
    assert!(typed.pages[1].score > typed.pages[0].score, "{typed:#?}");
}

#[test]
fn a_misspelt_word_is_corrected_and_the_results_say_so() {
    let example = example_copy();
    let results = json_results(example.path(), &["postgers disk"]);
    assert_eq!(results["showing"], "postgres disk", "{results:#}");
    assert_eq!(
        results["pages"][0]["url"], "runbooks/postgres/disk-almost-full/",
        "{results:#}"
    );
    let (code, stdout, _) = search(example.path(), &["postgers disk"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("Showing results for \"postgres disk\".\n"),
        "{stdout}"
    );
    // A word the index has is never corrected, nor a word nothing is near.
    assert!(json_results(example.path(), &["postgres disk"])["showing"].is_null());
    let nothing = json_results(example.path(), &["zzzxqv"]);
    assert!(nothing["showing"].is_null() && nothing["pages"].as_array().unwrap().is_empty());
}
