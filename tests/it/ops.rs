//! The operations features through the real binary: the status page and its machine files on the
//! example handbook, computed numbers on a small handbook with known incidents, and the
//! validation errors of status content.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::support::{
    attrs, count, example_dir, page, sel, text, text_of, texts, Handbook, SharedBuild,
};

const STATUS: &str = "status/";

fn shared() -> &'static SharedBuild {
    static BUILD: OnceLock<SharedBuild> = OnceLock::new();
    BUILD.get_or_init(|| crate::support::shared_build(&example_dir(), "ops", &[]))
}

fn example() -> &'static Path {
    let shared = shared();
    shared.run.assert_success();
    &shared.out
}

fn read(out: &Path, relative: &str) -> String {
    std::fs::read_to_string(out.join(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

fn json_file(out: &Path, relative: &str) -> Value {
    serde_json::from_str(&read(out, relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

#[test]
fn status_page_shows_the_overall_state_open_events_and_components() {
    let html = page(example(), STATUS);
    assert_eq!(text(&html, "h1.doc-title"), "Status");
    // An ongoing minor incident outweighs the maintenance in progress.
    assert_eq!(text(&html, ".status-banner-title"), "Degraded performance");
    assert_eq!(
        attrs(&html, ".status-banner time", "datetime"),
        ["2026-11-27T00:00:00Z"]
    );
    assert_eq!(
        texts(&html, "#status-active + .page-list .page-row-title"),
        [
            "Scheduled maintenance: DNS resolver upgrades in waw1",
            "Elevated block storage latency in ams1"
        ]
    );
    assert_eq!(
        texts(&html, "#status-upcoming + .page-list .page-row-title"),
        [
            "Weekly maintenance: Kubernetes control plane patching",
            "Scheduled maintenance: Managed Postgres minor version upgrades in fra1",
            "Weekly maintenance: Kubernetes control plane patching",
            "Weekly maintenance: Kubernetes control plane patching"
        ]
    );
    let state = |id: &str| text(&html, &format!("#component-{id} .component-state"));
    assert_eq!(state("compute"), "Degraded performance");
    assert_eq!(state("dns"), "Under maintenance");
    assert_eq!(state("kubernetes"), "Operational");
    assert_eq!(
        texts(&html, ".component-group-title"),
        ["Infrastructure", "Platform", "Customer-facing"]
    );
}

#[test]
fn uptime_bars_have_ninety_days_with_tooltips_and_the_percentage() {
    let html = page(example(), STATUS);
    assert_eq!(count(&html, ".component"), 10);
    for component in html.select(&sel(".component")) {
        assert_eq!(
            component.select(&sel("ol.uptime-days > li.day")).count(),
            90
        );
        assert_eq!(component.select(&sel("li.day .day-tip")).count(), 90);
    }
    // 2 September: 138 minutes of major impact on Kubernetes; 89 whole days observed.
    // 1 − 8280 / 7 689 600 = 99.892… %
    assert_eq!(
        text(&html, "#component-kubernetes .uptime-value"),
        "99.89 % uptime"
    );
    assert_eq!(
        text(&html, "#component-dns .uptime-value"),
        "100.00 % uptime"
    );
    let kubernetes = html.select(&sel("#component-kubernetes")).next().unwrap();
    let tips: Vec<String> = kubernetes.select(&sel(".day-tip")).map(text_of).collect();
    assert_eq!(tips[0], "30 Aug 2026: no incidents");
    assert_eq!(
        tips[3],
        "2 Sep 2026: Partial outage, 2 h 18 min down • Kubernetes API timeouts for clusters in ams1"
    );
    // Days with incidents are links to the first of them, so they take keyboard focus; quiet
    // days stay out of the accessibility tree.
    let links = attrs(&html, "#component-kubernetes .uptime-days a", "href");
    let weekly = "/status/2026-11-03-kubernetes-weekly-patching/";
    assert_eq!(
        links,
        [
            "/status/2026-09-02-kubernetes-api-unavailable/",
            weekly,
            weekly,
            weekly,
            weekly
        ]
    );
    assert_eq!(
        count(&html, "#component-kubernetes li.day[aria-hidden='true']"),
        85
    );
    // The weekly maintenance's past windows are maintenance days (Tuesdays 02:00 Berlin time).
    let kubernetes_days = attrs(&html, "#component-kubernetes li.day", "class");
    assert_eq!(kubernetes_days[86], "day state-maintenance", "24 Nov");
    assert_eq!(
        tips[86],
        "24 Nov 2026: Under maintenance, 1 h maintenance • Weekly maintenance: Kubernetes control plane patching"
    );
    let classes = attrs(&html, "#component-compute li.day", "class");
    assert_eq!(classes[88], "day state-degraded", "26 Nov");
    assert_eq!(classes[89], "day state-degraded", "today: still ongoing");
    assert_eq!(
        attrs(&html, "#component-dns li.day", "class")[89],
        "day state-maintenance"
    );
}

#[test]
fn status_history_is_grouped_by_month_with_every_past_event() {
    let html = page(example(), "status/history/");
    assert_eq!(
        texts(&html, ".month-heading"),
        [
            "November 2026",
            "October 2026",
            "September 2026",
            "August 2026",
            "July 2026",
            "June 2026"
        ]
    );
    // Ten events, and four windows of the weekly maintenance (3, 10, 17 and 24 November).
    assert_eq!(count(&html, ".status-event"), 14);
    let recent = page(example(), STATUS);
    assert_eq!(
        texts(&recent, "#status-history ~ .month-heading"),
        ["November 2026", "October 2026", "September 2026"]
    );
}

/// A small handbook whose numbers are known.
fn known_incidents() -> Handbook {
    Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"T\"\nbase_url = \"https://status.example.org/\"\n[[status.components]]\nid = \"api\"\nname = \"API <v2>\"\n[[status.components]]\nid = \"db\"\nname = \"Database\"\ngroup = \"Data\"\n",
        ),
        (
            "content/status/a.md",
            "+++\ntitle = \"API down & out\"\ncomponents = [\"api\", \"db\"]\nimpact = \"critical\"\nstarted = 2026-11-20T10:00:00Z\nresolved = 2026-11-20T13:00:00Z\n[[updates]]\nat = 2026-11-20T10:05:00Z\nstatus = \"investigating\"\nmessage = \"Looking <now>.\"\n[[updates]]\nat = 2026-11-20T13:00:00Z\nstatus = \"resolved\"\nmessage = \"Fixed, see `x`.\"\n+++\n",
        ),
        (
            "content/status/b.md",
            "+++\ntitle = \"Slow API\"\ncomponents = [\"api\"]\nimpact = \"minor\"\nstarted = 2026-11-26T06:00:00Z\n[[updates]]\nat = 2026-11-26T06:10:00Z\nstatus = \"identified\"\nmessage = \"Slow.\"\n+++\n",
        ),
    ])
}

#[test]
fn known_incidents_give_known_numbers() {
    let handbook = known_incidents();
    handbook.build(&[]).assert_success();
    let out = handbook.out("public");
    let html = page(&out, STATUS);
    // 3 h down of 89 days observed: 1 − 10 800 / 7 689 600 = 99.859… %
    assert_eq!(
        text(&html, "#component-api .uptime-value"),
        "99.85 % uptime"
    );
    assert_eq!(text(&html, "#component-db .uptime-value"), "99.85 % uptime");
    assert_eq!(text(&html, ".status-banner-title"), "Degraded performance");
    assert_eq!(text(&html, "#component-api .component-name"), "API <v2>");
    let raw = read(&out, "status/index.html");
    assert!(
        raw.contains("API &lt;v2&gt;") && !raw.contains("API <v2>"),
        "names are escaped"
    );
    let status = json_file(&out, "status/api/v2/status.json");
    assert_eq!(
        status["status"],
        json!({"indicator": "minor", "description": "Minor Service Outage"})
    );
    let unresolved = json_file(&out, "status/api/v2/incidents/unresolved.json");
    assert_eq!(unresolved["incidents"][0]["id"], "b");
    assert_eq!(unresolved["incidents"][0]["status"], "identified");
}

#[test]
fn atom_feed_has_one_entry_per_update_and_parses() {
    let handbook = known_incidents();
    handbook.build(&[]).assert_success();
    let xml = read(&handbook.out("public"), "status/feed.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("a valid Atom feed");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert_eq!(
        titles,
        [
            "[Identified] Slow API",
            "[Resolved] API down & out",
            "[Investigating] API down & out"
        ]
    );
    let first = &feed.entries[2];
    assert_eq!(first.id, "https://status.example.org/status/a/#update-1");
    assert_eq!(first.links[0].href, "https://status.example.org/status/a/");
    assert_eq!(first.summary.as_ref().unwrap().content, "Looking <now>.");
    assert!(
        first
            .content
            .as_ref()
            .unwrap()
            .body
            .as_deref()
            .unwrap()
            .contains("Looking &lt;now&gt;."),
        "markup in a message stays text"
    );
    assert_eq!(
        feed.updated.unwrap().to_rfc3339(),
        "2026-11-26T06:10:00+00:00"
    );
}

#[test]
fn a_long_history_feeds_its_latest_200_updates() {
    let mut files = vec![(
        "opsbook.toml".to_string(),
        "title = \"T\"\nbase_url = \"https://status.example.org/\"\n[[status.components]]\nid = \"api\"\nname = \"API\"\n".to_string(),
    )];
    // 70 incidents of 3 updates each, a day apart: 210 updates.
    for day in 0..70 {
        let (month, date) = (1 + day / 28, 1 + day % 28);
        let at = |hour: u32| format!("2026-{month:02}-{date:02}T{hour:02}:00:00Z");
        files.push((
            format!("content/status/i{day:02}.md"),
            format!(
                "+++\ntitle = \"Incident {day:02}\"\ncomponents = [\"api\"]\nimpact = \"minor\"\nstarted = {}\nresolved = {}\n[[updates]]\nat = {}\nstatus = \"investigating\"\nmessage = \"a\"\n[[updates]]\nat = {}\nstatus = \"monitoring\"\nmessage = \"b\"\n[[updates]]\nat = {}\nstatus = \"resolved\"\nmessage = \"c\"\n+++\n",
                at(1), at(4), at(2), at(3), at(4)
            ),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let handbook = Handbook::new(&files);
    handbook.build(&[]).assert_success();
    let out = handbook.out("public");
    for feed in ["status/feed.xml", "status/components/api/feed.xml"] {
        let xml = read(&out, feed);
        let parsed = feed_rs::parser::parse(xml.as_bytes()).expect("a valid Atom feed");
        let titles: Vec<String> = (parsed.entries.iter())
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert_eq!(titles.len(), 200, "{feed}");
        assert_eq!(titles[0], "[Resolved] Incident 69", "{feed}: newest first");
        // The oldest ten updates (incident 00's three, …, incident 03's first) are left out.
        assert_eq!(titles[199], "[Monitoring] Incident 03", "{feed}");
        assert!(!titles.iter().any(|t| t.ends_with("Incident 02")), "{feed}");
    }
}

#[test]
fn maintenance_calendar_is_valid_icalendar() {
    let ics = read(example(), "status/maintenance.ics");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line:?}");
        assert!(!line.contains('\n'), "bare newline in {line:?}");
    }
    let unfolded = ics.replace("\r\n ", "");
    assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), 3);
    assert!(unfolded.contains("DTSTART;TZID=Europe/Berlin:20261103T020000\r\nDTEND;TZID=Europe/Berlin:20261103T030000\r\nRRULE:FREQ=WEEKLY;BYDAY=TU\r\n"));
    assert!(unfolded.contains("UID:2026-12-03-postgres-maintenance-fra1@ops.northwind.example\r\n"));
    assert!(unfolded.contains("DTSTART:20261203T010000Z\r\nDTEND:20261203T050000Z\r\n"));
    assert!(unfolded.contains("(Cluster\\, Settings\\, Upgrade minor version)"));
}

/// The Statuspage v2 shapes, as Statuspage documents them.
fn statuspage_schema() -> Value {
    let time = json!({"type": "string", "format": "date-time", "pattern": "Z$"});
    let nullable_time = json!({"type": ["string", "null"], "format": "date-time"});
    let page = json!({
        "type": "object",
        "required": ["id", "name", "url", "time_zone", "updated_at"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "url": {"type": "string", "format": "uri"}, "time_zone": {"type": "string"}, "updated_at": time},
    });
    let component = json!({
        "type": "object",
        "required": ["id", "name", "status", "created_at", "updated_at", "position", "description", "showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded"],
        "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "status": {"enum": ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"]},
            "created_at": time, "updated_at": time, "position": {"type": "integer", "minimum": 1},
            "description": {"type": ["string", "null"]}, "group_id": {"type": ["string", "null"]},
            "group": {"type": "boolean"}, "components": {"type": "array", "items": {"type": "string"}},
        },
    });
    let update = json!({
        "type": "object",
        "required": ["id", "status", "body", "incident_id", "created_at", "updated_at", "display_at", "affected_components"],
        "properties": {
            "status": {"enum": ["investigating", "identified", "monitoring", "resolved", "postmortem", "scheduled", "in_progress", "verifying", "completed"]},
            "body": {"type": "string"}, "created_at": time, "display_at": time,
        },
    });
    let incident = json!({
        "type": "object",
        "required": ["id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact", "shortlink", "started_at", "page_id", "incident_updates", "components"],
        "properties": {
            "status": {"enum": ["investigating", "identified", "monitoring", "resolved", "postmortem", "scheduled", "in_progress", "verifying", "completed"]},
            "impact": {"enum": ["none", "minor", "major", "critical", "maintenance"]},
            "created_at": time, "updated_at": time, "started_at": time,
            "monitoring_at": nullable_time, "resolved_at": nullable_time,
            "shortlink": {"type": "string", "format": "uri"},
            "incident_updates": {"type": "array", "items": update},
            "components": {"type": "array", "items": component},
            "scheduled_for": time, "scheduled_until": time,
        },
    });
    json!({
        "type": "object",
        "required": ["page"],
        "properties": {
            "page": page,
            "status": {"type": "object", "required": ["indicator", "description"], "properties": {"indicator": {"enum": ["none", "minor", "major", "critical", "maintenance"]}}},
            "components": {"type": "array", "items": component},
            "incidents": {"type": "array", "items": incident},
            "scheduled_maintenances": {"type": "array", "items": {"allOf": [incident, {"required": ["scheduled_for", "scheduled_until"]}]}},
        },
    })
}

#[track_caller]
fn assert_valid(schema: &Value, document: &Value, name: &str) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("a valid schema");
    let problems: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{name}: {problems:#?}");
}

#[test]
fn statuspage_v2_files_match_the_statuspage_shapes() {
    let out = example();
    let schema = statuspage_schema();
    for (name, key) in [
        ("summary.json", "components"),
        ("status.json", "status"),
        ("components.json", "components"),
        ("incidents.json", "incidents"),
        ("incidents/unresolved.json", "incidents"),
        ("scheduled-maintenances.json", "scheduled_maintenances"),
        (
            "scheduled-maintenances/upcoming.json",
            "scheduled_maintenances",
        ),
        (
            "scheduled-maintenances/active.json",
            "scheduled_maintenances",
        ),
    ] {
        let document = json_file(out, &format!("status/api/v2/{name}"));
        assert!(document.get(key).is_some(), "{name} has no `{key}`");
        assert_valid(&schema, &document, name);
    }
    let summary = json_file(out, "status/api/v2/summary.json");
    assert_eq!(summary["status"]["indicator"], "minor");
    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&summary["incidents"]),
        ["2026-11-26-block-storage-latency-ams1"]
    );
    // The weekly maintenance's next three windows, as concrete maintenances (01:00 UTC is
    // 02:00 in Berlin in winter).
    assert_eq!(
        ids(&summary["scheduled_maintenances"]),
        [
            "2026-11-03-kubernetes-weekly-patching-20261215T0100Z",
            "2026-11-03-kubernetes-weekly-patching-20261208T0100Z",
            "2026-12-03-postgres-maintenance-fra1",
            "2026-11-03-kubernetes-weekly-patching-20261201T0100Z",
            "2026-11-26-dns-resolver-upgrade-waw1"
        ]
    );
    let compute = summary["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "compute")
        .unwrap();
    assert_eq!(compute["status"], "degraded_performance");
    assert_eq!(compute["group_id"], "group-infrastructure");
    let incidents = json_file(out, "status/api/v2/incidents.json");
    assert_eq!(incidents["incidents"].as_array().unwrap().len(), 11);
    assert_eq!(
        incidents["page"]["url"],
        "https://ops.northwind.example/status/"
    );
}

/// The SCS status page API 1.1 response shapes (status-page-openapi 1.1.2).
fn scs_schema(data: Value) -> Value {
    json!({"type": "object", "required": ["data"], "additionalProperties": false, "properties": {"data": data}})
}

#[test]
fn scs_files_match_the_scs_status_page_api() {
    let out = example();
    let impact = json!({
        "type": "object", "additionalProperties": false,
        "properties": {"reference": {"type": "string"}, "type": {"type": "string"}, "severity": {"type": "integer", "minimum": 0, "maximum": 100}},
    });
    let date = json!({"type": ["string", "null"], "format": "date-time"});
    let component = json!({
        "type": "object", "required": ["id"], "additionalProperties": false,
        "properties": {
            "id": {"type": "string"}, "displayName": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "activelyAffectedBy": {"type": "array", "items": impact},
        },
    });
    let incident = json!({
        "type": "object", "required": ["id", "beganAt", "endedAt"], "additionalProperties": false,
        "properties": {
            "id": {"type": "string"}, "displayName": {"type": "string"}, "description": {"type": "string"},
            "beganAt": date, "endedAt": date,
            "phase": {"type": "object", "required": ["generation", "order"], "properties": {"generation": {"type": "integer", "minimum": 1}, "order": {"type": "integer", "minimum": 0}}},
            "affects": {"type": "array", "items": impact},
            "updates": {"type": "array", "items": {"type": "integer", "minimum": 0}},
        },
    });
    let named = |extra: Value| {
        let mut properties = json!({"displayName": {"type": "string"}});
        properties
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"type": "object", "additionalProperties": false, "properties": properties})
    };
    let cases = [
        ("components", json!({"type": "array", "items": component})),
        ("incidents", json!({"type": "array", "items": incident})),
        (
            "impacttypes",
            json!({"type": "array", "items": {"allOf": [named(json!({"id": {"type": "string"}, "description": {"type": "string"}})), {"required": ["id"]}]}}),
        ),
        (
            "severities",
            json!({"type": "array", "items": named(json!({"value": {"type": "integer", "minimum": 0, "maximum": 100}}))}),
        ),
        (
            "phases",
            json!({"type": "object", "required": ["generation", "phases"], "additionalProperties": false, "properties": {"generation": {"type": "integer"}, "phases": {"type": "array", "items": {"type": "string"}}}}),
        ),
    ];
    for (name, data) in cases {
        let bare = json_file(out, &format!("status/api/scs/{name}"));
        assert_valid(&scs_schema(data), &bare, name);
        assert_eq!(
            bare,
            json_file(out, &format!("status/api/scs/{name}.json")),
            "{name}.json"
        );
    }
    let components = json_file(out, "status/api/scs/components");
    let compute = components["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "compute")
        .unwrap();
    assert_eq!(
        compute["activelyAffectedBy"],
        json!([{"reference": "2026-11-26-block-storage-latency-ams1", "type": "minor", "severity": 75}])
    );
    // Every impact's type and every phase reference exist.
    let types: Vec<Value> = json_file(out, "status/api/scs/impacttypes")["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect();
    let phases = json_file(out, "status/api/scs/phases")["data"]["phases"]
        .as_array()
        .unwrap()
        .len();
    for incident in json_file(out, "status/api/scs/incidents")["data"]
        .as_array()
        .unwrap()
    {
        assert!((incident["phase"]["order"].as_u64().unwrap() as usize) < phases);
        for impact in incident["affects"].as_array().unwrap() {
            assert!(types.contains(&impact["type"]), "{impact}");
        }
    }
}

/// Builds a one-component handbook with `files` added and returns the error lines.
fn errors_of(files: &[(&str, &str)]) -> Vec<String> {
    let mut all = vec![(
        "opsbook.toml",
        "[[status.components]]\nid = \"db\"\nname = \"DB\"\n[[status.components]]\nid = \"api\"\nname = \"API\"\n",
    )];
    all.extend_from_slice(files);
    let handbook = Handbook::new(&all);
    let run = handbook.build(&[]);
    run.assert_failure();
    assert!(!handbook.out("public").exists());
    run.errors().into_iter().map(str::to_string).collect()
}

#[test]
fn status_content_errors_name_file_line_and_column() {
    let errors = errors_of(&[(
        "content/status/x.md",
        "+++\ncomponents = [\"db\", \"apx\"]\nimpact = \"major\"\nstarted = 2026-11-20T10:00:00Z\nresolved = 2026-11-20T09:00:00Z\n[[updates]]\nat = 2026-11-20T09:30:00Z\nstatus = \"investigating\"\nmessage = \"m\"\n+++\n",
    )]);
    assert_eq!(
        errors,
        [
            "error: content/status/x.md:2:21: incident names unknown component `apx`",
            "error: content/status/x.md:5:12: incident is resolved (2026-11-20T09:00:00Z) before it started (2026-11-20T10:00:00Z)",
            "error: content/status/x.md:7:6: update at 2026-11-20T09:30:00Z comes before the incident started (2026-11-20T10:00:00Z)",
        ]
    );
}

#[test]
fn overlapping_maintenance_of_one_component_is_an_error() {
    let maintenance = |start: &str, end: &str, components: &str| {
        format!("+++\ncomponents = {components}\nimpact = \"maintenance\"\nscheduled_start = {start}\nscheduled_end = {end}\n+++\n")
    };
    let first = maintenance("2026-12-01T01:00:00Z", "2026-12-01T03:00:00Z", "[\"db\"]");
    let second = maintenance(
        "2026-12-01T02:00:00Z",
        "2026-12-01T04:00:00Z",
        "[\"api\", \"db\"]",
    );
    let other = maintenance("2026-12-01T02:00:00Z", "2026-12-01T04:00:00Z", "[\"api\"]");
    let backwards = maintenance("2026-12-05T02:00:00Z", "2026-12-05T01:00:00Z", "[\"api\"]");
    let errors = errors_of(&[
        ("content/status/a.md", &first),
        ("content/status/b.md", &second),
        ("content/status/c.md", &backwards),
    ]);
    assert_eq!(
        errors,
        [
            "error: content/status/b.md:2:22: maintenance window 2026-12-01T02:00:00Z → 2026-12-01T04:00:00Z for component `db` overlaps `content/status/a.md` (2026-12-01T01:00:00Z → 2026-12-01T03:00:00Z)",
            "error: content/status/c.md:5:17: maintenance window ends (2026-12-05T01:00:00Z) before it starts (2026-12-05T02:00:00Z)",
        ]
    );
    // Another component's maintenance at the same time is fine.
    let handbook = Handbook::new(&[
        ("opsbook.toml", "[[status.components]]\nid = \"db\"\nname = \"DB\"\n[[status.components]]\nid = \"api\"\nname = \"API\"\n"),
        ("content/status/a.md", &first),
        ("content/status/d.md", &other),
    ]);
    handbook.build(&[]).assert_success();
}

/// Every `href` and `src` of every HTML page that stays inside the site leads to a file.
#[test]
fn every_internal_link_of_the_example_resolves() {
    let out = example();
    let mut broken = Vec::new();
    for file in crate::support::html_files(out) {
        let html = crate::support::html_file(out, &file);
        for attr in ["href", "src"] {
            for target in attrs(&html, &format!("[{attr}]"), attr) {
                if !target.starts_with('/') || target.starts_with("//") {
                    continue;
                }
                let path = target
                    .split(['#', '?'])
                    .next()
                    .unwrap()
                    .trim_start_matches('/');
                let path = percent_decode(path);
                let on_disk = out.join(&path);
                let exists = if path.is_empty() || path.ends_with('/') {
                    on_disk.join("index.html").is_file()
                } else {
                    on_disk.is_file()
                };
                if !exists {
                    broken.push(format!("{file}: {target}"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "links leading nowhere: {broken:#?}");
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn alert_urls_redirect_to_their_runbook() {
    let html = page(example(), "alerts/PostgresDiskAlmostFull/");
    let runbook = "/runbooks/postgres/disk-almost-full/";
    assert_eq!(
        attrs(&html, "meta[http-equiv='refresh']", "content"),
        [format!("0; url={runbook}")]
    );
    assert_eq!(
        attrs(&html, "link[rel='canonical']", "href"),
        [format!("https://ops.northwind.example{runbook}")]
    );
    assert_eq!(attrs(&html, "meta[name='robots']", "content"), ["noindex"]);
    assert_eq!(attrs(&html, "body a", "href"), [runbook]);
    assert_eq!(text(&html, "body a"), "Postgres: disk almost full");

    let list = page(example(), "alerts/");
    let names = texts(&list, "tbody tr td:first-child code");
    assert_eq!(names.len(), 25, "{names:?}");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(text(&list, "pre code").contains(
        "runbook_url: \"https://ops.northwind.example/alerts/{{ $labels.alertname }}/\""
    ));
    // The runbook shows its alerts as links to their stable URLs.
    let runbook_html = page(example(), "runbooks/postgres/disk-almost-full/");
    assert!(attrs(&runbook_html, ".facts a", "href")
        .contains(&"/alerts/PostgresDiskAlmostFull/".to_string()));
    // Redirect pages stay out of the sitemap; the list is in it.
    let sitemap = read(example(), "sitemap.xml");
    assert!(sitemap.contains("<loc>https://ops.northwind.example/alerts/</loc>"));
    assert!(!sitemap.contains("alerts/PostgresDiskAlmostFull"));
}

#[test]
fn one_alert_declared_by_two_runbooks_is_an_error() {
    let files = [
        (
            "content/runbooks/a.md",
            "+++\nalerts = [\"DiskFull\"]\n+++\n",
        ),
        (
            "content/runbooks/b.md",
            "+++\nalerts = [\"Other\", \"diskfull\", \"bad/name\"]\n+++\n",
        ),
    ];
    let expected = [
        "content/runbooks/b.md:2:20: alert `diskfull` is already declared by `content/runbooks/a.md` as `DiskFull`",
        "content/runbooks/b.md:2:32: alert name `bad/name` cannot be a URL",
    ];
    let with_config: Vec<_> = files
        .iter()
        .copied()
        .chain([("opsbook.toml", "title = \"Ops\"\n")])
        .collect();
    let run = Handbook::new(&with_config).build(&[]);
    run.assert_failure();
    let errors: Vec<String> = expected.iter().map(|e| format!("error: {e}")).collect();
    assert_eq!(run.errors(), errors);
    // Read as another tool's handbook, a problem in one page's content is a warning: every
    // page is built.
    let handbook = Handbook::new(&files);
    let run = handbook.build(&[]);
    run.assert_success();
    let warnings: Vec<String> = expected.iter().map(|e| format!("warning: {e}")).collect();
    assert_eq!(run.warnings(), warnings);
    assert!(handbook
        .out("public")
        .join("runbooks/b/index.html")
        .is_file());
}

#[test]
fn a_page_at_a_generated_url_wins_and_the_generated_pages_move_with_every_link() {
    let handbook = Handbook::new(&[
        ("opsbook.toml", "title = \"Ops\"\n"),
        ("content/search/_index.md", "# Search tips\n\nUse quotes.\n"),
        ("content/reviews.md", "# Our reviews\n\nHow we review.\n"),
        ("content/tags/_index.md", "# Tags we use\n"),
        (
            "content/runbooks/disk.md",
            "+++\ntitle = \"Disk\"\nlast_reviewed = 2026-11-01\ntags = [\"storage\"]\n+++\n\nBody.\n",
        ),
        (
            "content/postmortems/2026-10-01-disk.md",
            "+++\ntitle = \"Disk full\"\nstarted = 2026-10-01T10:00:00Z\nresolved = 2026-10-01T11:00:00Z\nseverity = \"sev2\"\nstatus = \"published\"\n+++\n\n## Summary\n\nFull.\n",
        ),
        ("content/postmortems/metrics.md", "# How we measure\n"),
    ]);
    let run = handbook.build(&[]);
    run.assert_success();
    let out = handbook.out("public");
    for (file, usual, moved) in [
        ("content/search/_index.md", "/search/", "/search-2/"),
        ("content/reviews.md", "/reviews/", "/reviews-2/"),
        ("content/tags/_index.md", "/tags/", "/tags-2/"),
        (
            "content/postmortems/metrics.md",
            "/postmortems/metrics/",
            "/postmortems/metrics-2/",
        ),
    ] {
        let warning =
            format!("warning: {file}: this page has the URL `{usual}` where opsbook puts ");
        assert!(
            run.warnings()
                .iter()
                .any(|w| w.starts_with(&warning) && w.ends_with(&format!("they are at `{moved}`"))),
            "{}",
            run.stderr
        );
        assert!(
            out.join(&moved[1..]).join("index.html").is_file(),
            "{moved}"
        );
    }
    // The handbook's pages keep their URLs.
    assert_eq!(text(&page(&out, "search/"), "h1"), "Search tips");
    assert_eq!(text(&page(&out, "reviews/"), "h1.doc-title"), "Our reviews");
    assert_eq!(
        text(&page(&out, "postmortems/metrics/"), "h1.doc-title"),
        "How we measure"
    );
    // Every link follows the generated pages.
    let runbook = page(&out, "runbooks/disk/");
    assert_eq!(
        attrs(&runbook, "form.site-search", "action"),
        ["/search-2/"]
    );
    assert!(attrs(&runbook, "a", "href").contains(&"/tags-2/storage/".to_string()));
    assert!(attrs(&runbook, "a", "href").contains(&"/reviews-2/".to_string()));
    let table = page(&out, "postmortems/");
    assert!(attrs(&table, "a", "href").contains(&"/postmortems/metrics-2/".to_string()));
    assert_eq!(
        crate::support::broken_links(&out),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn service_page_gathers_runbooks_postmortems_incidents_and_owners() {
    let html = page(example(), "services/managed-postgres/");
    assert_eq!(text(&html, "h1.doc-title"), "Managed Postgres");
    assert_eq!(crate::support::fact_text(&html, "Owners"), "team-data");
    assert_eq!(crate::support::fact_text(&html, "Status"), "Operational");
    assert_eq!(
        texts(
            &html,
            "#service-runbook + .page-list > li > div:first-child > a"
        ),
        ["Postgres: disk almost full", "Postgres: replication lag"]
    );
    // The object storage incident of July broke WAL archiving too.
    assert_eq!(
        texts(
            &html,
            "#service-postmortem + .page-list > li > div:first-child > a"
        ),
        [
            "Writes failing on managed Postgres clusters in fra1",
            "Object storage errors in fra1"
        ]
    );
    assert_eq!(
        texts(
            &html,
            "#service-incident + .page-list > li > div:first-child > a"
        ),
        [
            "Scheduled maintenance: Managed Postgres minor version upgrades in fra1",
            "Delayed backups for managed Postgres in waw1",
            "Writes failing on some managed Postgres clusters in fra1",
            "Elevated error rates on object storage in fra1"
        ]
    );
    // A service with a runbook past its review date says so.
    let kafka = page(example(), "services/kafka/");
    assert_eq!(
        texts(&kafka, ".review-warning a"),
        ["Kafka: consumer group lag"]
    );
}

#[test]
fn review_dashboard_lists_overdue_first() {
    let html = page(example(), "reviews/");
    assert_eq!(
        texts(&html, "#overdue tbody td:first-child a"),
        ["Kafka: consumer group lag"]
    );
    assert_eq!(text(&html, "#overdue .badge-overdue"), "172 days overdue");
    let upcoming = texts(&html, "#upcoming tbody td:first-child a");
    assert_eq!(upcoming[0], "Postgres: disk almost full");
    assert_eq!(upcoming.len(), 15);
}

#[test]
fn incidents_and_postmortems_reference_each_other() {
    let incident = page(
        example(),
        "status/2026-08-14-managed-postgres-writes-failing/",
    );
    let postmortem_url = "/postmortems/2026-08-14-managed-postgres-writes-failing/".to_string();
    assert!(attrs(&incident, ".backlinks a", "href").contains(&postmortem_url));
    let postmortem = page(example(), &postmortem_url[1..]);
    assert!(attrs(&postmortem, ".backlinks a", "href")
        .contains(&"/status/2026-08-14-managed-postgres-writes-failing/".to_string()));
    assert_eq!(
        crate::support::fact_text(&postmortem, "Runbook used"),
        "Postgres: disk almost full"
    );
    // The runbooks a postmortem links to list it back.
    let runbook = page(example(), "runbooks/postgres/disk-almost-full/");
    assert!(attrs(&runbook, ".backlinks a", "href").contains(&postmortem_url));
}

#[test]
fn postmortems_table_sorts_without_javascript() {
    let html = page(example(), "postmortems/");
    let titles = texts(&html, ".postmortems-table tbody td:nth-child(2) a");
    assert_eq!(titles.len(), 5);
    assert_eq!(titles[0], "API requests rejected with HTTP 429");
    assert_eq!(attrs(&html, "th[aria-sort]", "aria-sort"), ["descending"]);
    let sort_links = attrs(&html, "thead a.sort-link", "href");
    assert_eq!(
        sort_links,
        [
            "/postmortems/sorted/title/",
            "/postmortems/sorted/severity/",
            "/postmortems/sorted/duration/",
            "/postmortems/sorted/status/"
        ]
    );
    assert_eq!(count(&html, "meta[name='robots']"), 0);
    let by_severity = page(example(), "postmortems/sorted/severity/");
    let severities = texts(&by_severity, ".postmortems-table tbody td:nth-child(3)");
    assert_eq!(severities, ["SEV1", "SEV2", "SEV2", "SEV3", "SEV4"]);
    assert_eq!(
        attrs(&by_severity, "meta[name='robots']", "content"),
        ["noindex"]
    );
    assert_eq!(
        attrs(&by_severity, "link[rel='canonical']", "href"),
        ["https://ops.northwind.example/postmortems/"]
    );
    let by_duration = page(example(), "postmortems/sorted/duration/");
    assert_eq!(
        texts(&by_duration, ".postmortems-table tbody td:nth-child(4)"),
        [
            "9 h 10 min",
            "4 h 3 min",
            "2 h 54 min",
            "2 h 18 min",
            "1 h 37 min"
        ]
    );
    // Open action items per postmortem, overdue ones called out.
    assert_eq!(
        texts(&html, ".postmortems-table tbody td:last-child"),
        ["3", "1 1 overdue", "1", "3 1 overdue", "2 1 overdue"]
    );
}

#[test]
fn action_items_are_collected_open_first_with_overdue_marked() {
    let html = page(example(), "postmortems/action-items/");
    assert_eq!(crate::support::fact_text(&html, "Open"), "10");
    assert_eq!(crate::support::fact_text(&html, "Overdue"), "3");
    assert_eq!(crate::support::fact_text(&html, "Done"), "15");
    let open = html
        .select(&sel("#table-open tbody tr"))
        .map(text_of)
        .collect::<Vec<_>>();
    assert_eq!(open.len(), 10);
    assert!(open[0].starts_with("Overdue Upgrade to a Ceph release that reshards without blocking writes team-storage 2026-10-31"), "{}", open[0]);
    assert_eq!(count(&html, "#table-open tr.is-overdue"), 3);
    assert_eq!(count(&html, "#table-done tbody tr"), 15);
    assert_eq!(
        attrs(
            &html,
            "#table-open tbody tr:first-child td:last-child a",
            "href"
        ),
        ["/postmortems/2026-07-03-object-storage-errors-fra1/#action-items"]
    );
}

#[test]
fn metrics_are_accessible_svg_charts_with_tables() {
    let html = page(example(), "postmortems/metrics/");
    assert_eq!(count(&html, "svg.chart[role='img']"), 3);
    for id in ["chart-severity", "chart-durations", "chart-services"] {
        let labelled = attrs(
            &html,
            &format!("svg[aria-labelledby='{id}-title {id}-desc']"),
            "role",
        );
        assert_eq!(labelled, ["img"], "{id}");
        assert_eq!(count(&html, &format!("#{id}-title")), 1);
        assert_eq!(count(&html, &format!("#{id}-desc")), 1);
    }
    assert_eq!(count(&html, "table.data-table"), 3);
    assert_eq!(count(&html, "svg.chart text.axis-label"), 3);
    let rows = table_rows(&html, "#metrics-severity ~ .chart-pair tbody tr");
    assert_eq!(
        rows,
        [
            "Jun 2026 0 0 0 0 1 1",
            "Jul 2026 0 1 0 0 1 2",
            "Aug 2026 1 0 0 0 0 1",
            "Sep 2026 0 1 0 0 0 1",
            "Oct 2026 0 0 0 1 2 3",
            "Nov 2026 0 0 1 0 2 3"
        ]
    );
    let medians = table_rows(&html, "#metrics-durations ~ .chart-pair tbody tr");
    assert_eq!(medians[2], "Aug 2026 14 min 4 h 3 min");
    let services = table_rows(&html, "#metrics-services ~ .chart-pair tbody tr");
    assert_eq!(&services[..2], ["managed-postgres 3", "api 2"]);
}

/// Each row's cells, joined by a space.
fn table_rows(html: &scraper::Html, selector: &str) -> Vec<String> {
    let cell = sel("th, td");
    html.select(&sel(selector))
        .map(|row| row.select(&cell).map(text_of).collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn incomplete_incidents_build_with_warnings() {
    let handbook = Handbook::new(&[
        (
            "content/status/a.md",
            "+++\nimpact = \"minor\"\nstarted = 2026-11-20T10:00:00Z\n[[updates]]\nat = 2026-11-20T11:00:00Z\nstatus = \"resolved\"\nmessage = \"m\"\n+++\n",
        ),
        ("content/status/b.md", "+++\nimpact = \"maintenance\"\n+++\n"),
    ]);
    let run = handbook.build(&[]);
    run.assert_success();
    assert_eq!(
        run.warnings(),
        [
            "warning: content/status/a.md: the latest update says `resolved`, but the incident has no `resolved` time: it shows as ongoing",
            "warning: content/status/b.md: maintenance has no `scheduled_start`: it stays \"scheduled\" and is left out of the calendar",
        ]
    );
}

#[test]
fn status_page_exists_and_is_linked_when_incidents_live_elsewhere() {
    let handbook = Handbook::new(&[
        (
            "opsbook.toml",
            "[[status.components]]\nid = \"api\"\nname = \"API\"\n",
        ),
        (
            "content/incidents/a.md",
            "+++\ncomponents = [\"api\"]\nimpact = \"major\"\nstarted = 2026-11-20T10:00:00Z\nresolved = 2026-11-20T11:00:00Z\n+++\n",
        ),
    ]);
    handbook.build(&[]).assert_success();
    let out = handbook.out("public");
    let html = page(&out, STATUS);
    assert_eq!(text(&html, "h1.doc-title"), "Status");
    // 1 h down of 89 days observed: 1 − 3600 / 7 689 600 = 99.953… %
    assert_eq!(
        text(&html, "#component-api .uptime-value"),
        "99.95 % uptime"
    );
    let home = page(&out, "");
    assert!(attrs(&home, ".sidebar a", "href").contains(&"/status/".to_string()));
}

#[test]
fn example_feed_has_an_entry_for_every_update() {
    let updates: usize = std::fs::read_dir(example_dir().join("content/status"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .map(|text| text.matches("[[updates]]").count())
        .sum();
    let xml = read(example(), "status/feed.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("a valid Atom feed");
    assert_eq!(feed.entries.len(), updates);
    let times: Vec<_> = feed.entries.iter().map(|e| e.updated.unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(feed.entries.iter().all(|e| e.links[0]
        .href
        .starts_with("https://ops.northwind.example/status/")));
}

#[test]
fn status_history_has_a_page_per_year() {
    let incident = |date: &str| {
        format!("+++\ncomponents = [\"api\"]\nimpact = \"minor\"\nstarted = {date}T10:00:00Z\nresolved = {date}T11:00:00Z\n+++\n")
    };
    let (a, b, c) = (
        incident("2024-03-01"),
        incident("2025-07-01"),
        incident("2025-08-01"),
    );
    let handbook = Handbook::new(&[
        (
            "opsbook.toml",
            "[[status.components]]\nid = \"api\"\nname = \"API\"\n",
        ),
        ("content/status/a.md", &a),
        ("content/status/b.md", &b),
        ("content/status/c.md", &c),
    ]);
    handbook.build(&[]).assert_success();
    let out = handbook.out("public");
    let all = page(&out, "status/history/");
    assert_eq!(
        texts(&all, ".month-heading"),
        ["August 2025", "July 2025", "March 2024"]
    );
    assert_eq!(
        attrs(&all, ".history-years a", "href"),
        ["/status/history/2025/", "/status/history/2024/"]
    );
    let year = page(&out, "status/history/2025/");
    assert_eq!(text(&year, "h1.doc-title"), "Status history 2025");
    assert_eq!(texts(&year, ".month-heading"), ["August 2025", "July 2025"]);
    assert_eq!(text(&year, ".history-years [aria-current='page']"), "2025");
}

/// Builds the example as of `now`, into a fresh folder.
fn example_at(now: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .arg("build")
        .arg(example_dir())
        .arg("-o")
        .arg(&out)
        .args(["--no-cache", "-q", "--now", now])
        .env_remove("SOURCE_DATE_EPOCH")
        .status()
        .unwrap();
    assert!(status.success());
    (tmp, out)
}

/// Every place the state of the incident `name` appears, as (place, words shown).
fn states_shown(out: &std::path::Path, name: &str) -> Vec<(String, String)> {
    let mut shown = Vec::new();
    let incident = page(out, &format!("status/{name}/"));
    shown.push(("incident page".into(), text(&incident, ".incident-state")));
    // Every list that shows it with a state: the status page, its history, the service pages.
    let row = format!("/status/{name}/");
    for file in crate::support::html_files(out) {
        let html = crate::support::html_file(out, &file);
        for item in html.select(&crate::support::sel(".page-list > li")) {
            let links = item
                .select(&crate::support::sel("a"))
                .filter_map(|a| a.value().attr("href"))
                .any(|href| href == row);
            let badge = item.select(&crate::support::sel(".badge.phase")).next();
            if let (true, Some(badge)) = (links, badge) {
                shown.push((file.clone(), crate::support::text_of(badge)));
            }
        }
    }
    let json = |path: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(out.join(path)).unwrap()).unwrap()
    };
    for (file, list) in [
        ("status/api/v2/incidents.json", "incidents"),
        (
            "status/api/v2/scheduled-maintenances.json",
            "scheduled_maintenances",
        ),
    ] {
        for entry in json(file)[list].as_array().unwrap() {
            if entry["id"] == name {
                shown.push((file.into(), entry["status"].as_str().unwrap().to_string()));
            }
        }
    }
    shown
}

#[test]
fn an_incidents_state_is_the_same_on_every_page_feed_and_api_at_every_now() {
    let maintenance = "2026-11-26-dns-resolver-upgrade-waw1";
    // Before, during and after its window (22:00 to 03:00).
    for (now, label, status) in [
        ("2026-11-20", "Scheduled", "scheduled"),
        ("2026-11-27T01:00:00Z", "In progress", "in_progress"),
        ("2026-12-07", "Completed", "completed"),
    ] {
        let (_tmp, out) = example_at(now);
        let shown = states_shown(&out, maintenance);
        assert!(shown.len() >= 3, "{now}: {shown:?}");
        for (place, words) in &shown {
            let expected = if place.ends_with(".json") {
                status
            } else {
                label
            };
            assert_eq!(words, expected, "{now}: {place} says {words:?}: {shown:?}");
        }
        // A maintenance is called a maintenance, on its page and in lists.
        let page = page(&out, &format!("status/{maintenance}/"));
        assert_eq!(text(&page, ".doc-eyebrow .badge-kind"), "Maintenance");
        let summary = text(&page, ".incident-summary");
        match status {
            "scheduled" => assert!(summary.starts_with("Scheduled for "), "{summary}"),
            "in_progress" => assert!(summary.starts_with("In progress since "), "{summary}"),
            _ => assert_eq!(summary, "This maintenance lasted 5 h."),
        }
        // Once over, the status page quotes no update that says it is still going on.
        let status_page = std::fs::read_to_string(out.join("status/index.html")).unwrap();
        if status == "completed" {
            assert!(!status_page.contains("Two of four resolver nodes are done"));
        }
    }
}
