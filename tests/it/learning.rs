//! Learning from incidents: triggers and contributing factors, the factors page, related
//! postmortems, and the handbook as data (`api/v1/`, `llms.txt`), on the example handbook and
//! on small handbooks. Each data file follows its schema and says what the pages say.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::{
    attrs, count, example_dir, fact_text, html_file, html_files, page, sel, text, text_of, texts,
    Handbook, SharedBuild,
};

const BASE_URL: &str = "https://ops.northwind.example/";

fn shared() -> &'static SharedBuild {
    static BUILD: OnceLock<SharedBuild> = OnceLock::new();
    BUILD.get_or_init(|| crate::support::shared_build(&example_dir(), "learning", &[]))
}

fn example() -> &'static Path {
    let shared = shared();
    shared.run.assert_success();
    &shared.out
}

fn data(name: &str) -> Value {
    let path = example().join("api/v1").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The page of an absolute URL of the example.
fn page_at(url: &str) -> scraper::Html {
    let relative = url
        .strip_prefix(BASE_URL)
        .unwrap_or_else(|| panic!("{url} is not the site's"));
    page(example(), relative)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn data_files_follow_their_schemas_and_name_them() {
    for name in ["runbooks", "postmortems", "action-items", "metrics"] {
        let schema_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(format!("{name}.v1.json"));
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("a valid schema");
        let document = data(&format!("{name}.json"));
        let problems: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(problems.is_empty(), "{name}.json: {problems:#?}");
        assert_eq!(document["$schema"], schema["$id"], "{name}.json");
        assert_eq!(document["version"], 1);
        assert_eq!(document["as_of"], "2026-11-27");
    }
}

#[test]
fn runbooks_file_lists_every_runbook_page_as_it_shows() {
    let file = data("runbooks.json");
    let runbooks = file["runbooks"].as_array().unwrap();
    let mut pages: Vec<String> = html_files(example())
        .into_iter()
        .filter(|f| count(&html_file(example(), f), "article.doc-runbook") == 1)
        .map(|f| format!("{BASE_URL}{}", f.trim_end_matches("index.html")))
        .collect();
    pages.sort();
    let urls: Vec<String> = runbooks
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(urls, pages);
    for runbook in runbooks {
        let html = page_at(runbook["url"].as_str().unwrap());
        let url = &runbook["url"];
        assert_eq!(text(&html, "h1.doc-title"), runbook["title"], "{url}");
        assert_eq!(
            texts(&html, "dl.facts code"),
            runbook["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>(),
            "{url}"
        );
        let due = attrs(
            &html,
            ".facts > .is-overdue time, .facts > div time",
            "datetime",
        );
        assert!(
            due.contains(&runbook["review_due"].as_str().unwrap().to_string()),
            "{url}: {due:?}"
        );
        assert_eq!(
            count(&html, ".facts > .is-overdue") == 1,
            runbook["review_overdue"] == true,
            "{url}"
        );
        assert_eq!(
            count(&html, "form.runbook-params input"),
            runbook["parameters"].as_array().unwrap().len(),
            "{url}"
        );
    }
    let overdue: Vec<&str> = runbooks
        .iter()
        .filter(|r| r["review_overdue"] == true)
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    let reviews = page(example(), "reviews/");
    let on_dashboard: Vec<String> = texts(&reviews, "#overdue tbody td:first-child a");
    assert_eq!(overdue, on_dashboard);
    let lag = runbooks
        .iter()
        .find(|r| r["url"] == format!("{BASE_URL}runbooks/postgres/replication-lag/"))
        .unwrap();
    assert_eq!(lag["parameters"][0]["name"], "cluster_id");
}

#[test]
fn overdue_action_items_are_exactly_those_the_page_marks() {
    let file = data("action-items.json");
    let items = file["action_items"].as_array().unwrap();
    let html = page(example(), "postmortems/action-items/");
    let cells = |selector: &str| -> Vec<String> {
        html.select(&sel(selector))
            .map(|row| {
                row.select(&sel("td:nth-child(2)"))
                    .next()
                    .map(text_of)
                    .unwrap()
            })
            .collect()
    };
    let listed = |filter: &dyn Fn(&Value) -> bool| -> Vec<String> {
        items
            .iter()
            .filter(|i| filter(i))
            .map(|i| i["text"].as_str().unwrap().to_string())
            .collect()
    };
    let overdue = listed(&|i| i["overdue"] == true);
    assert_eq!(overdue.len(), 3);
    assert_eq!(cells("#table-open tr.is-overdue"), overdue);
    assert_eq!(
        cells("#table-open tbody tr"),
        listed(&|i| i["done"] == false)
    );
    assert_eq!(
        cells("#table-done tbody tr"),
        listed(&|i| i["done"] == true)
    );
    for (label, key) in [("Open", "open"), ("Overdue", "overdue"), ("Done", "done")] {
        assert_eq!(fact_text(&html, label), file["counts"][key].to_string());
    }
    let first = &items[0];
    assert_eq!(first["owners"][0], "team-storage");
    assert_eq!(first["due"], "2026-10-31");
    assert_eq!(
        first["postmortem"]["url"],
        format!("{BASE_URL}postmortems/2026-07-03-object-storage-errors-fra1/")
    );
    let source =
        std::fs::read_to_string(example_dir().join(first["file"].as_str().unwrap())).unwrap();
    let line = source
        .lines()
        .nth(first["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert!(line.contains("Upgrade to a Ceph release"), "{line}");
}

#[test]
fn postmortems_file_agrees_with_the_table_and_each_page() {
    let file = data("postmortems.json");
    let postmortems = file["postmortems"].as_array().unwrap();
    let table = page(example(), "postmortems/");
    // Title and severity, column by column, in the table's order.
    for (key, column) in [("title", "2) a"), ("severity", "3)")] {
        let values: Vec<String> = postmortems
            .iter()
            .map(|p| p[key].as_str().unwrap().to_lowercase())
            .collect();
        let cells = texts(
            &table,
            &format!(".postmortems-table tbody td:nth-child({column}"),
        );
        let cells: Vec<String> = cells.iter().map(|c| c.to_lowercase()).collect();
        assert_eq!(values, cells, "{key}");
    }
    for postmortem in postmortems {
        let url = postmortem["url"].as_str().unwrap();
        let html = page_at(url);
        let badges = |label: &str| -> Vec<String> {
            let Some(fact) = crate::support::fact(&html, label) else {
                return Vec::new();
            };
            fact.select(&sel(".badge-factor"))
                .map(|b| b.value().attr("href").unwrap().to_string())
                .collect()
        };
        let anchors = |key: &str| -> Vec<String> {
            strings(&postmortem[key])
                .iter()
                .map(|id| format!("/postmortems/factors/#factor-{id}"))
                .collect()
        };
        let trigger_label = if postmortem["triggers"].as_array().unwrap().len() == 1 {
            "Trigger"
        } else {
            "Triggers"
        };
        assert_eq!(badges(trigger_label), anchors("triggers"), "{url}");
        assert_eq!(
            badges("Contributing factors"),
            anchors("contributing_factors"),
            "{url}"
        );
        let window = &postmortem["window"];
        let milestones = attrs(&html, ".milestones time", "datetime");
        for key in ["started", "detected", "mitigated", "resolved"] {
            assert!(
                milestones.contains(&window[key].as_str().unwrap().to_string()),
                "{url}: {key}"
            );
        }
        let minutes = postmortem["durations"]["to_detect_minutes"]
            .as_i64()
            .unwrap();
        let shown = fact_text(&html, "Time to detect");
        assert!(
            shown.ends_with(&format!("{} min", minutes % 60)),
            "{url}: {shown}"
        );
    }
    let august = &postmortems[3];
    assert_eq!(
        august["related"][0]["url"],
        format!("{BASE_URL}postmortems/2026-07-03-object-storage-errors-fra1/")
    );
    assert_eq!(
        august["incident"]["name"],
        "2026-08-14-managed-postgres-writes-failing"
    );
    assert_eq!(august["durations"]["to_resolve_minutes"], 243);
    let repeats = file["repeats"].as_array().unwrap();
    assert_eq!(repeats.len(), 1, "{repeats:?}");
    assert_eq!(repeats[0]["factor"], "monitoring-gap");
    assert_eq!(repeats[0]["service"], "managed-postgres");
    assert_eq!(repeats[0]["days"], 42);
    let ids = file["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect::<Vec<_>>();
    assert_eq!(
        ids.len(),
        9,
        "the built-in eight and the example's own: {ids:?}"
    );
    assert_eq!(ids[8], "client-behaviour");
}

#[test]
fn metrics_file_holds_the_numbers_of_the_charts() {
    let file = data("metrics.json");
    let html = page(example(), "postmortems/metrics/");
    let rows = |selector: &str| -> Vec<Vec<String>> {
        html.select(&sel(selector))
            .map(|row| row.select(&sel("th, td")).map(text_of).collect())
            .collect()
    };
    let months = file["months"].as_array().unwrap();
    let severity_rows = rows("#metrics-severity ~ .chart-pair tbody tr");
    assert_eq!(months.len(), severity_rows.len());
    for (month, row) in months.iter().zip(&severity_rows) {
        let by = &month["by_severity"];
        let numbers: Vec<String> = ["sev1", "sev2", "sev3", "sev4", "none"]
            .iter()
            .map(|k| by[k].to_string())
            .chain([month["incidents"].to_string()])
            .collect();
        assert_eq!(row[1..], numbers[..], "{}", month["month"]);
    }
    assert_eq!(months[2]["month"], "2026-08");
    assert_eq!(months[2]["median_minutes_to_detect"], 14);
    assert_eq!(months[2]["median_minutes_to_resolve"], 243);
    let services = file["services"].as_array().unwrap();
    let service_rows = rows("#metrics-services ~ .chart-pair tbody tr");
    for (service, row) in services.iter().zip(&service_rows) {
        assert_eq!(row[0], service["service"].as_str().unwrap());
        assert_eq!(row[1], service["incidents"].to_string());
    }
    assert_eq!(services[0]["service"], "managed-postgres");
    assert_eq!(services[0]["incidents"], 3);
    let quarters = file["factors"]["quarters"].as_array().unwrap();
    assert_eq!(quarters.len(), 2);
    assert_eq!(quarters[0]["quarter"], "2026-Q3");
    assert_eq!(quarters[0]["counts"]["monitoring-gap"], 3);
}

#[test]
fn factors_page_counts_lists_and_links_each_factor_and_the_repeat() {
    let html = page(example(), "postmortems/factors/");
    assert_eq!(text(&html, "h1.doc-title"), "Contributing factors");
    let first = html.select(&sel(".factors-table tbody tr")).next().unwrap();
    assert_eq!(
        text_of(first),
        "Monitoring gap Missing, noisy or misrouted alerts, or dashboards that did not show the problem. 0 4 4"
    );
    // Every factor of the vocabulary is there; the unused ones link nowhere.
    assert_eq!(count(&html, ".factors-table tbody tr"), 9);
    assert_eq!(count(&html, ".factors-table tbody tr.is-unused a"), 0);
    assert_eq!(
        texts(&html, "#factor-monitoring-gap .page-row-title"),
        [
            "September invoices delayed",
            "Kubernetes API timeouts in ams1",
            "Writes failing on managed Postgres clusters in fra1",
            "Object storage errors in fra1"
        ]
    );
    assert_eq!(
        texts(&html, ".repeats-table tbody td"),
        [
            "managed-postgres",
            "Monitoring gap",
            "Object storage errors in fra1 3 Jul 2026",
            "Writes failing on managed Postgres clusters in fra1 14 Aug 2026",
            "42"
        ]
    );
    for id in ["chart-factor-quarters", "chart-factor-services"] {
        assert_eq!(
            attrs(
                &html,
                &format!("svg[aria-labelledby='{id}-title {id}-desc']"),
                "role"
            ),
            ["img"]
        );
    }
    // Every link within the page has its anchor, and the postmortems lead here.
    let ids = attrs(&html, "[id]", "id");
    for href in attrs(&html, ".doc-factors a[href^='#']", "href") {
        assert!(ids.contains(&href[1..].to_string()), "no #{href}");
    }
    let table = page(example(), "postmortems/");
    assert!(attrs(&table, ".postmortems-links a", "href").contains(&"/postmortems/factors/".into()));
    let metrics = page(example(), "postmortems/metrics/");
    assert!(attrs(&metrics, "a", "href").contains(&"/postmortems/factors/".into()));
}

#[test]
fn related_postmortems_link_both_ways() {
    let august = page(
        example(),
        "postmortems/2026-08-14-managed-postgres-writes-failing/",
    );
    assert_eq!(
        fact_text(&august, "Related"),
        "Object storage errors in fra1"
    );
    let july = page(
        example(),
        "postmortems/2026-07-03-object-storage-errors-fra1/",
    );
    assert!(attrs(&july, ".backlinks a", "href")
        .contains(&"/postmortems/2026-08-14-managed-postgres-writes-failing/".to_string()));
}

#[test]
fn llms_txt_has_the_title_the_sections_and_every_runbook_and_process() {
    let text = std::fs::read_to_string(example().join("llms.txt")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "# Northwind Cloud — Operations Handbook");
    assert!(lines[2].starts_with("> How Northwind Cloud runs"), "{text}");
    let headings: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("## "))
        .copied()
        .collect();
    assert_eq!(headings, ["## Runbooks", "## Processes", "## Optional"]);
    // Every link is `- [title](url): description`, to a page or file of the site itself.
    let mut linked = Vec::new();
    for line in lines.iter().filter(|l| l.starts_with("- [")) {
        let (_, rest) = line.split_once("](").unwrap();
        let (url, description) = rest.split_once(')').unwrap();
        assert!(url.starts_with(BASE_URL), "{line}");
        let relative = &url[BASE_URL.len()..];
        let target = if relative.ends_with('/') {
            example().join(relative).join("index.html")
        } else {
            example().join(relative)
        };
        assert!(target.is_file(), "{line}: no {}", target.display());
        assert!(
            description.starts_with(": ") && description.len() > 2,
            "{line}"
        );
        linked.push(url.to_string());
    }
    let runbooks = data("runbooks.json");
    for runbook in runbooks["runbooks"].as_array().unwrap() {
        assert!(linked.contains(&runbook["url"].as_str().unwrap().to_string()));
    }
    for process in [
        "change-management",
        "incident-response",
        "on-call",
        "postmortem-writing",
    ] {
        assert!(linked.contains(&format!("{BASE_URL}processes/{process}/")));
    }
    assert!(text.contains(&format!(
        "- [Runbooks]({BASE_URL}runbooks/): Step-by-step guides"
    )));
}

fn postmortem(name: &str, front: &str) -> (String, String) {
    (
        format!("content/postmortems/{name}.md"),
        format!(
            "+++\ntitle = \"{name}\"\nseverity = \"sev3\"\nstatus = \"draft\"\nservices = [\"api\"]\n{front}\n+++\n\n## Summary\n\nS.\n"
        ),
    )
}

#[test]
fn a_handbook_replaces_extends_or_drops_the_built_in_factors() {
    let (path, text) = postmortem(
        "2026-11-01-a",
        "started = 2026-11-01T10:00:00Z\ntriggers = [\"feature-flag\"]\ncontributing_factors = [\"capacity\"]",
    );
    let config = "title = \"x\"\n[postmortems]\ndefault_factors = false\n\n[[postmortems.factors]]\nid = \"feature-flag\"\ndescription = \"A flag flipped.\"\n\n[[postmortems.factors]]\nid = \"capacity\"\nname = \"Load\"\ndescription = \"Too much of it.\"\n";
    let hb = Handbook::new(&[("opsbook.toml", config), (&path, &text)]);
    hb.build(&[]).assert_success();
    let file = std::fs::read_to_string(hb.out("public/api/v1/postmortems.json")).unwrap();
    let file: Value = serde_json::from_str(&file).unwrap();
    let names: Vec<&str> = file["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Feature flag", "Load"]);
    let html = page(&hb.out("public"), "postmortems/2026-11-01-a/");
    assert_eq!(fact_text(&html, "Trigger"), "Feature flag");
    assert_eq!(fact_text(&html, "Contributing factor"), "Load");

    // Kept, the built-in ones come first; a built-in one is used (`change`) as in any handbook.
    let config = "title = \"x\"\n[[postmortems.factors]]\nid = \"Feature Flag\"\ndescription = \"x\"\n[[postmortems.factors]]\nid = \"dns\"\ndescription = \"x\"\n[[postmortems.factors]]\nid = \"dns\"\ndescription = \"y\"\n";
    let hb = Handbook::new(&[("opsbook.toml", config), (&path, &text)]);
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        [
            "error: opsbook.toml:3:6: factor id `Feature Flag` must be lower-case letters, digits, `-` and `_`",
            "error: opsbook.toml:9:6: factor `dns` is declared twice",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_factors_and_related_names_stop_the_build_at_their_place() {
    let (path, text) = postmortem(
        "2026-11-01-a",
        "started = 2026-11-01T10:00:00Z\ntriggers = \"chnage\"\nrelated = [\"2026-10-01-b\"]",
    );
    let hb = Handbook::new(&[("opsbook.toml", "title = \"x\"\n"), (&path, &text)]);
    let run = hb.build(&[]);
    run.assert_failure();
    let trigger =
        "error: content/postmortems/2026-11-01-a.md:7:12: postmortem names unknown factor `chnage` in `triggers`";
    assert!(run.errors().contains(&trigger), "{}", run.stderr);
    assert_eq!(run.hint_after(trigger), Some("did you mean `change`?"));
    assert!(run.stderr.contains(
        "2026-11-01-a.md:8:12: postmortem names related `2026-10-01-b`, but no postmortem or status page has that file name"
    ));
}

#[test]
fn other_tools_categories_are_tags_not_factors() {
    let dir = crate::support::fixture_dir("migrate/gitlab");
    let (_, report) = crate::support::check_json(&dir);
    let rules: Vec<String> = crate::support::findings(&report)
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert!(!rules.iter().any(|r| r == "unknown-factor"), "{rules:?}");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    crate::support::build(&dir, &out, &[]).assert_success();
    let postmortem = page(&out, "postmortems/2026-02-01-database/");
    assert_eq!(texts(&postmortem, ".doc-tags a"), ["config-change"]);
    assert_eq!(count(&postmortem, ".fact-factors"), 0);
    assert!(out.join("tags/config-change/index.html").is_file());
    assert!(!out.join("postmortems/factors/index.html").exists());
}
