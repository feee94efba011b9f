//! Subscriptions per component, badges and the embed: each component's Atom feed and calendar,
//! read back with a feed parser and an iCalendar parser and expanded to the windows they mean;
//! the badges read back as SVG; a recurring maintenance as concrete windows in the APIs.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde_json::Value;

use crate::support::{attrs, page, Handbook};

/// Two components; an outage of both, a slow API still going on, a weekly maintenance of the
/// database in Berlin time across the end of summer time, and a monthly one of the API on the
/// last day of each month, across the month's end.
fn handbook() -> Handbook {
    Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"T\"\nbase_url = \"https://status.example.org/\"\n[[status.components]]\nid = \"api\"\nname = \"API <v2>\"\n[[status.components]]\nid = \"db\"\nname = \"Database\"\n",
        ),
        (
            "content/status/a.md",
            "+++\ntitle = \"Both down\"\ncomponents = [\"api\", \"db\"]\nimpact = \"critical\"\nstarted = 2026-11-20T10:00:00Z\nresolved = 2026-11-20T13:00:00Z\n[[updates]]\nat = 2026-11-20T10:05:00Z\nstatus = \"investigating\"\nmessage = \"Looking.\"\n[[updates]]\nat = 2026-11-20T13:00:00Z\nstatus = \"resolved\"\nmessage = \"Fixed.\"\n+++\n",
        ),
        (
            "content/status/b.md",
            "+++\ntitle = \"Slow API\"\ncomponents = [\"api\"]\nimpact = \"minor\"\nstarted = 2026-11-26T06:00:00Z\n[[updates]]\nat = 2026-11-26T06:10:00Z\nstatus = \"identified\"\nmessage = \"Slow.\"\n+++\n",
        ),
        (
            "content/status/weekly.md",
            "+++\ntitle = \"Weekly database patching\"\ncomponents = [\"db\"]\nimpact = \"maintenance\"\nscheduled_start = 2026-10-13T02:00:00+02:00\nscheduled_end = 2026-10-13T03:00:00+02:00\nrecurrence = \"FREQ=WEEKLY;BYDAY=TU;COUNT=6\"\ntimezone = \"Europe/Berlin\"\n[[updates]]\nat = 2026-10-01T09:00:00Z\nstatus = \"scheduled\"\nmessage = \"Every Tuesday, 02:00 to 03:00 Berlin time, six times.\"\n+++\n",
        ),
        (
            "content/status/monthly.md",
            "+++\ntitle = \"Month-end API deploy\"\ncomponents = [\"api\"]\nimpact = \"maintenance\"\nscheduled_start = 2026-10-31T22:00:00Z\nscheduled_end = 2026-11-01T01:00:00Z\nrecurrence = \"FREQ=MONTHLY;BYMONTHDAY=-1\"\n[[updates]]\nat = 2026-10-20T09:00:00Z\nstatus = \"scheduled\"\nmessage = \"On the last day of every month, 22:00 to 01:00 UTC.\"\n+++\n",
        ),
    ])
}

/// Builds `handbook` at `now` into a folder of its own.
fn built_at(handbook: &Handbook, now: &str) -> PathBuf {
    let out = handbook.out(&format!("public-{}", now.replace(':', "")));
    crate::support::build_now(&handbook.root, &out, now).assert_success();
    out
}

fn read(out: &Path, relative: &str) -> String {
    std::fs::read_to_string(out.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn each_components_atom_feed_parses_and_holds_only_its_updates() {
    let handbook = handbook();
    let out = built_at(&handbook, "2026-11-27T00:00:00Z");
    let titles = |file: &str| -> Vec<String> {
        let xml = read(&out, file);
        let feed = feed_rs::parser::parse(xml.as_bytes()).expect("a valid Atom feed");
        feed.entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect()
    };
    assert_eq!(
        titles("status/components/api/feed.xml"),
        [
            "[Identified] Slow API",
            "[Resolved] Both down",
            "[Investigating] Both down",
            "[Scheduled] Month-end API deploy"
        ]
    );
    assert_eq!(
        titles("status/components/db/feed.xml"),
        [
            "[Resolved] Both down",
            "[Investigating] Both down",
            "[Scheduled] Weekly database patching"
        ]
    );
    let xml = read(&out, "status/components/api/feed.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap();
    assert_eq!(feed.title.unwrap().content, "T: API <v2> status");
    assert_eq!(
        feed.id,
        "https://status.example.org/status/components/api/feed.xml"
    );
    assert!(xml.contains("API &lt;v2&gt;") && !xml.contains("API <v2>"));
    // The status page links every component's feed, in its head and in its row.
    let html = page(&out, "status/");
    let alternates = attrs(&html, "link[rel='alternate']", "href");
    assert!(alternates.contains(&"/status/components/db/feed.xml".to_string()));
    assert_eq!(
        attrs(&html, "#component-db .component-subscribe a", "href"),
        [
            "/status/components/db/feed.xml",
            "/status/components/db/calendar.ics"
        ]
    );
    let subscribe = page(&out, "status/subscribe/");
    let codes = crate::support::texts(&subscribe, "pre.code code");
    assert!(
        codes.contains(&"https://status.example.org/status/components/db/calendar.ics".to_string())
    );
}

/// The events of a calendar, parsed by an iCalendar parser: each one's `DTSTART` (with its
/// `TZID`), `DTEND`, `RRULE` and `SUMMARY`.
fn events_of(ics: &str) -> Vec<[String; 4]> {
    let unfolded = icalendar::parser::unfold(ics);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("a valid calendar");
    let property = |c: &icalendar::parser::Component<'_>, name: &str| -> String {
        c.properties
            .iter()
            .find(|p| p.name == name)
            .map(|p| {
                let zone = p
                    .params
                    .iter()
                    .find(|q| q.key == "TZID")
                    .and_then(|q| q.val.as_ref())
                    .map(|v| format!("TZID={}:", v.as_str()))
                    .unwrap_or_default();
                format!("{zone}{}", p.val.as_str())
            })
            .unwrap_or_default()
    };
    let zones: Vec<String> = calendar
        .components
        .iter()
        .filter(|c| c.name == "VTIMEZONE")
        .map(|c| property(c, "TZID"))
        .collect();
    calendar
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| {
            let start = property(c, "DTSTART");
            if let Some(zone) = start
                .strip_prefix("TZID=")
                .and_then(|s| s.split(':').next())
            {
                assert!(zones.contains(&zone.to_string()), "no VTIMEZONE for {zone}");
            }
            [
                start,
                property(c, "DTEND"),
                property(c, "RRULE"),
                property(c, "SUMMARY"),
            ]
        })
        .collect()
}

/// The windows a calendar event means, expanded from its `DTSTART` and `RRULE` by `rrule`
/// with its own time zone database: the first `count`, as UTC instants.
fn expand(event: &[String; 4], count: usize) -> Vec<(Timestamp, Timestamp)> {
    let dtstart = match event[0].strip_prefix("TZID=") {
        Some(rest) => {
            let (zone, time) = rest.split_once(':').unwrap();
            format!("DTSTART;TZID={zone}:{time}")
        }
        None => format!("DTSTART:{}", event[0]),
    };
    let set: rrule::RRuleSet = format!("{dtstart}\nRRULE:{}", event[2]).parse().unwrap();
    let plain = |t: &str| {
        t.rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches('Z')
            .to_string()
    };
    let length = {
        let parse = |t: &str| jiff::civil::DateTime::strptime("%Y%m%dT%H%M%S", plain(t)).unwrap();
        parse(&event[1]).duration_since(parse(&event[0]))
    };
    (&set.limit())
        .into_iter()
        .take(count)
        .map(|start| {
            let start = Timestamp::from_second(start.timestamp()).unwrap();
            (start, start.checked_add(length).unwrap())
        })
        .collect()
}

#[test]
fn calendars_parse_and_expand_across_summer_time_and_month_ends() {
    let handbook = handbook();
    let out = built_at(&handbook, "2026-11-27T00:00:00Z");
    let weekly = events_of(&read(&out, "status/components/db/calendar.ics"));
    assert_eq!(weekly.len(), 1, "{weekly:?}");
    assert_eq!(
        weekly[0][..3],
        [
            "TZID=Europe/Berlin:20261013T020000",
            "TZID=Europe/Berlin:20261013T030000",
            "FREQ=WEEKLY;BYDAY=TU;COUNT=6"
        ]
    );
    // Summer time ends on 25 October: 02:00 in Berlin is 00:00 UTC before, 01:00 UTC after.
    let expected = [
        "2026-10-13T00:00:00Z",
        "2026-10-20T00:00:00Z",
        "2026-10-27T01:00:00Z",
        "2026-11-03T01:00:00Z",
        "2026-11-10T01:00:00Z",
        "2026-11-17T01:00:00Z",
    ];
    let windows = expand(&weekly[0], 10);
    assert_eq!(
        windows,
        expected
            .iter()
            .map(|s| (
                at(s),
                at(s)
                    .checked_add(jiff::SignedDuration::from_hours(1))
                    .unwrap()
            ))
            .collect::<Vec<_>>()
    );
    // The API's calendar: its monthly deploy, on the last day of each month, across its end.
    let monthly = events_of(&read(&out, "status/components/api/calendar.ics"));
    assert_eq!(monthly.len(), 1);
    assert_eq!(monthly[0][3], "Month-end API deploy");
    let starts: Vec<String> = expand(&monthly[0], 5)
        .iter()
        .map(|(s, e)| format!("{s} {e}"))
        .collect();
    assert_eq!(
        starts,
        [
            "2026-10-31T22:00:00Z 2026-11-01T01:00:00Z",
            "2026-11-30T22:00:00Z 2026-12-01T01:00:00Z",
            "2026-12-31T22:00:00Z 2027-01-01T01:00:00Z",
            "2027-01-31T22:00:00Z 2027-02-01T01:00:00Z",
            "2027-02-28T22:00:00Z 2027-03-01T01:00:00Z",
        ]
    );
    // The site's calendar holds both, and the Statuspage API the same windows, concretely: the
    // past ones of the last 90 days and the next three.
    assert_eq!(events_of(&read(&out, "status/maintenance.ics")).len(), 2);
    let api: Value =
        serde_json::from_str(&read(&out, "status/api/v2/scheduled-maintenances.json")).unwrap();
    let windows: Vec<String> = api["scheduled_maintenances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} {} {} {}",
                m["id"].as_str().unwrap(),
                m["status"].as_str().unwrap(),
                m["scheduled_for"].as_str().unwrap(),
                m["scheduled_until"].as_str().unwrap()
            )
        })
        .collect();
    let expected: Vec<String> = [
        (
            "monthly-20270131T2200Z",
            "scheduled",
            "2027-01-31T22:00:00Z",
            "2027-02-01T01:00:00Z",
        ),
        (
            "monthly-20261231T2200Z",
            "scheduled",
            "2026-12-31T22:00:00Z",
            "2027-01-01T01:00:00Z",
        ),
        (
            "monthly-20261130T2200Z",
            "scheduled",
            "2026-11-30T22:00:00Z",
            "2026-12-01T01:00:00Z",
        ),
        (
            "weekly-20261117T0100Z",
            "completed",
            "2026-11-17T01:00:00Z",
            "2026-11-17T02:00:00Z",
        ),
        (
            "weekly-20261110T0100Z",
            "completed",
            "2026-11-10T01:00:00Z",
            "2026-11-10T02:00:00Z",
        ),
        (
            "weekly-20261103T0100Z",
            "completed",
            "2026-11-03T01:00:00Z",
            "2026-11-03T02:00:00Z",
        ),
        (
            "monthly-20261031T2200Z",
            "completed",
            "2026-10-31T22:00:00Z",
            "2026-11-01T01:00:00Z",
        ),
        (
            "weekly-20261027T0100Z",
            "completed",
            "2026-10-27T01:00:00Z",
            "2026-10-27T02:00:00Z",
        ),
        (
            "weekly-20261020T0000Z",
            "completed",
            "2026-10-20T00:00:00Z",
            "2026-10-20T01:00:00Z",
        ),
        (
            "weekly-20261013T0000Z",
            "completed",
            "2026-10-13T00:00:00Z",
            "2026-10-13T01:00:00Z",
        ),
    ]
    .iter()
    .map(|(id, status, from, until)| format!("{id} {status} {from} {until}"))
    .collect();
    assert_eq!(windows, expected);
    // The SCS API lists the same windows.
    let scs: Value = serde_json::from_str(&read(&out, "status/api/scs/incidents")).unwrap();
    let ids: Vec<&str> = scs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .filter(|id| id.starts_with("weekly-") || id.starts_with("monthly-"))
        .collect();
    assert_eq!(
        ids,
        expected
            .iter()
            .map(|e| e.split(' ').next().unwrap())
            .collect::<Vec<_>>()
    );
    // During a window the maintenance is in progress, and the status page lists the next ones.
    let during = built_at(&handbook, "2026-11-30T23:00:00Z");
    let html = page(&during, "status/");
    assert_eq!(
        crate::support::texts(&html, "#status-upcoming + .page-list .page-row-title"),
        [
            "Month-end API deploy",
            "Month-end API deploy",
            "Month-end API deploy"
        ]
    );
    assert!(
        crate::support::texts(&html, "#status-active + .page-list .page-row-title")
            .contains(&"Month-end API deploy".to_string())
    );
}

/// The `<title>` of an SVG, read by an XML parser.
fn svg_title(out: &Path, file: &str) -> String {
    let text = read(out, file);
    let svg = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let root = svg.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    let title = root
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_string();
    assert_eq!(root.attribute("aria-label"), Some(title.as_str()));
    title
}

#[test]
fn badges_parse_and_say_the_state_with_an_incident_going_on_and_without() {
    let handbook = handbook();
    let ongoing = built_at(&handbook, "2026-11-27T00:00:00Z");
    assert_eq!(
        svg_title(&ongoing, "status/badge.svg"),
        "status: degraded performance"
    );
    assert_eq!(
        svg_title(&ongoing, "status/components/api/badge.svg"),
        "API <v2>: degraded performance"
    );
    assert_eq!(
        svg_title(&ongoing, "status/components/db/badge.svg"),
        "Database: operational"
    );
    // Three weeks on, the slow API has had no word for longer than 14 days and nothing is on.
    let quiet = built_at(&handbook, "2026-12-20T00:00:00Z");
    for (file, title) in [
        ("status/badge.svg", "status: operational"),
        ("status/components/api/badge.svg", "API <v2>: operational"),
        ("status/components/db/badge.svg", "Database: operational"),
    ] {
        assert_eq!(svg_title(&quiet, file), title);
    }
    // In the monthly window, the API is under maintenance.
    let during = built_at(&handbook, "2026-12-31T23:00:00Z");
    assert_eq!(
        svg_title(&during, "status/components/api/badge.svg"),
        "API <v2>: under maintenance"
    );
    // The widget and the embed page: a page without script, and the snippets that show them.
    let widget = read(&ongoing, "status/widget.html");
    assert!(!widget.contains("<script"), "the widget has no script");
    assert!(widget.contains("API &lt;v2&gt;"));
    let embed = page(&ongoing, "status/embed/");
    let snippets = crate::support::texts(&embed, "pre.code code");
    assert!(snippets.contains(
        &"[![API <v2>: current state](https://status.example.org/status/components/api/badge.svg)](https://status.example.org/status/#component-api)".to_string()
    ));
    assert!(snippets
        .iter()
        .any(|s| s.starts_with("<iframe src=\"https://status.example.org/status/widget.html\"")));
    let sitemap = read(&ongoing, "sitemap.xml");
    assert!(!sitemap.contains("widget.html"));
}
