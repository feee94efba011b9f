//! The escaping audit: text anyone may write in front matter and markdown (titles,
//! descriptions, owners, incident messages, alert names, action items, component names) carrying
//! `<script>`, quotes, attribute breakers and `javascript:` URLs must come out inert in every
//! format the build writes: HTML, JSON, Atom, iCalendar and the search index.

use std::path::Path;

use scraper::Html;

use crate::support::{sel, snapshot, Handbook};

/// Breaks out of text, of both kinds of attribute, and of a `<script>` element.
const EVIL: &str =
    "<script>pwned()</script>\"><img src=x onerror=pwned()>' javascript:pwned() </script><b>&amp;";

fn toml_string(text: &str) -> String {
    format!("{:?}", text).replace("\\'", "'")
}

/// A handbook with [`EVIL`] in every field. With `raw_html`, markdown HTML is trusted, so the
/// bodies hold it only in code; without, the bodies hold it as it is.
fn hostile_handbook(raw_html: bool) -> Handbook {
    let evil = toml_string(EVIL);
    let in_body = if raw_html {
        format!("`{EVIL}`")
    } else {
        EVIL.to_string()
    };
    let config = format!(
        "title = {evil}\ndescription = {evil}\nrepo_url = \"https://example.com/repo\"\n\n[markdown]\nraw_html = {raw_html}\n\n[[status.components]]\nid = \"api\"\nname = {evil}\ngroup = {evil}\nslo = 99.9\n\n[[postmortems.factors]]\nid = \"evil\"\nname = {evil}\ndescription = {evil}\n"
    );
    let runbook = format!(
        "+++\ntitle = {evil}\ndescription = {evil}\nservices = [\"api\"]\nowners = [{evil}]\ntags = [{evil}]\nalerts = [\"DiskFull\"]\nlast_reviewed = 2026-11-01\n+++\n\n## Steps {in_body}\n\nRun `{EVIL}` and read [the docs](javascript:pwned()).\n\n<script>pwned()</script>\n"
    );
    let incident = format!(
        "+++\ntitle = {evil}\ndescription = {evil}\ncomponents = [\"api\"]\nimpact = \"major\"\nstarted = 2026-11-20T10:00:00Z\nresolved = 2026-11-20T11:00:00Z\n\n[[updates]]\nat = 2026-11-20T10:05:00Z\nstatus = \"investigating\"\nmessage = {evil}\n\n[[updates]]\nat = 2026-11-20T11:00:00Z\nstatus = \"resolved\"\nmessage = {evil}\n+++\n\n{in_body}\n"
    );
    let maintenance = format!(
        "+++\ntitle = {evil}\ndescription = {evil}\ncomponents = [\"api\"]\nimpact = \"maintenance\"\nscheduled_start = 2026-12-03T01:00:00Z\nscheduled_end = 2026-12-03T05:00:00Z\n\n[[updates]]\nat = 2026-11-19T10:00:00Z\nstatus = \"scheduled\"\nmessage = {}\n+++\n",
        toml_string(&format!("{EVIL}\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected"))
    );
    let postmortem = format!(
        "+++\ntitle = {evil}\ndescription = {evil}\ndate = 2026-11-21\nseverity = \"sev2\"\nservices = [\"api\"]\nstarted = 2026-11-20T10:00:00Z\nresolved = 2026-11-20T11:00:00Z\nauthors = [{evil}]\nstatus = \"published\"\ntriggers = [\"evil\"]\ncontributing_factors = [\"evil\", \"change\"]\n+++\n\n## Action items\n\n- [ ] {in_body} (@team-a, due 2026-12-01)\n"
    );
    Handbook::new(&[
        ("opsbook.toml", &config),
        (
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
        ),
        ("content/runbooks/evil.md", &runbook),
        ("content/status/2026-11-20-evil.md", &incident),
        (
            "content/status/2026-12-03-evil-maintenance.md",
            &maintenance,
        ),
        ("content/postmortems/2026-11-21-evil.md", &postmortem),
    ])
}

/// Everything in `html` that would run script or that the hostile text made into markup.
fn live_markup(html: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let mut found = Vec::new();
    for script in document.select(&sel("script")) {
        let code: String = script.text().collect();
        if code.contains("pwned") {
            found.push(format!("script running {code:?}"));
        }
    }
    for element in document.select(&sel("*")) {
        for (name, value) in element.value().attrs() {
            let compact: String = value
                .chars()
                .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if name.starts_with("on") && value.contains("pwned") {
                found.push(format!(
                    "<{}> handler {name}={value:?}",
                    element.value().name()
                ));
            }
            if matches!(name, "href" | "src" | "action" | "formaction")
                && compact.starts_with("javascript:")
            {
                found.push(format!("<{}> {name}={value:?}", element.value().name()));
            }
        }
        // `<b>` from the hostile text would be markup made from text.
        if element.value().name() == "b" {
            found.push("a <b> element".to_string());
        }
    }
    found
}

fn files_with_extension<'a>(
    files: &'a std::collections::BTreeMap<String, Vec<u8>>,
    extension: &'a str,
) -> impl Iterator<Item = (&'a String, String)> + 'a {
    files
        .iter()
        .filter(move |(name, _)| name.ends_with(extension))
        .map(|(name, bytes)| (name, String::from_utf8_lossy(bytes).into_owned()))
}

/// Every string anywhere in `value`.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

fn built(raw_html: bool) -> (Handbook, std::collections::BTreeMap<String, Vec<u8>>) {
    let hb = hostile_handbook(raw_html);
    let run = hb.build(&[]);
    run.assert_success();
    let files = snapshot(&hb.out("public"));
    (hb, files)
}

#[test]
fn hostile_text_is_inert_in_every_html_page() {
    let (_hb, files) = built(true);
    let pages: Vec<_> = files_with_extension(&files, ".html").collect();
    assert!(pages.len() > 15, "{} pages", pages.len());
    let mut shown_as_text = 0;
    for (name, html) in &pages {
        let live = live_markup(html);
        // Its body's own HTML is trusted: see `markdown_html_is_trusted_by_default`.
        if name.as_str() != "runbooks/evil/index.html" {
            assert!(live.is_empty(), "{name}: {live:?}");
        }
        // The text is there, escaped, where pages show it.
        if html.contains(
            "&lt;script&gt;pwned()&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=pwned()&gt;",
        ) {
            shown_as_text += 1;
        }
    }
    assert!(
        shown_as_text > 10,
        "the hostile text shows on {shown_as_text} pages"
    );
}

#[test]
fn hostile_text_is_inert_in_badges_charts_and_the_components_feeds() {
    let (hb, files) = built(true);
    let out = hb.out("public");
    let mut svgs = 0;
    for (name, text) in files_with_extension(&files, ".svg") {
        let Ok(svg) = roxmltree::Document::parse(&text) else {
            panic!("{name} is no XML");
        };
        for node in svg.descendants().filter(|n| n.is_element()) {
            assert_ne!(node.tag_name().name(), "script", "{name}");
            assert!(
                node.attributes().all(|a| !a.name().starts_with("on")),
                "{name}: {node:?}"
            );
        }
        if svg
            .descendants()
            .any(|n| n.text().is_some_and(|t| t.contains(EVIL)))
        {
            svgs += 1;
        }
    }
    assert!(svgs >= 1, "the name is in {svgs} badges");
    // The objectives' charts are inline SVG in their page, which the HTML test reads.
    let slo = String::from_utf8_lossy(&files["status/slo/index.html"]).into_owned();
    assert!(slo.contains("<svg class=\"chart chart-slo\""));
    let feed = std::fs::read(out.join("status/components/api/feed.xml")).unwrap();
    let feed = feed_rs::parser::parse(feed.as_slice()).expect("the component's feed parses");
    assert!(feed.title.unwrap().content.contains(EVIL));
    let ics = std::fs::read_to_string(out.join("status/components/api/calendar.ics")).unwrap();
    assert_eq!(
        ics.lines().filter(|l| *l == "BEGIN:VEVENT").count(),
        1,
        "{ics}"
    );
}

#[test]
fn markdown_html_is_trusted_by_default() {
    let (_hb, files) = built(true);
    let runbook = String::from_utf8_lossy(&files["runbooks/evil/index.html"]).into_owned();
    // HTML written as HTML is trusted; a link written in markdown still loses a script URL.
    assert_eq!(live_markup(&runbook), ["script running \"pwned()\""]);
    assert!(runbook.contains("<a href=\"#\">the docs</a>"), "{runbook}");
}

#[test]
fn raw_html_off_escapes_the_markdown_html_too() {
    let (_hb, files) = built(false);
    for (name, html) in files_with_extension(&files, ".html") {
        let mut live = live_markup(&html);
        // `[the docs](javascript:…)` is emptied, not only escaped.
        live.retain(|l| !l.is_empty());
        assert!(live.is_empty(), "{name}: {live:?}");
    }
    let runbook = String::from_utf8_lossy(&files["runbooks/evil/index.html"]).into_owned();
    assert!(runbook.contains("&lt;script&gt;pwned()&lt;/script&gt;"));
    assert!(runbook.contains("<a href=\"#\">the docs</a>"), "{runbook}");
}

#[test]
fn hostile_text_round_trips_through_json_atom_ical_and_search_files() {
    let (hb, files) = built(true);
    let out = hb.out("public");

    // JSON: valid, and the text comes back exactly as written.
    let mut json_files = 0;
    for (name, text) in files_with_extension(&files, ".json") {
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut all = Vec::new();
        strings(&value, &mut all);
        if all.iter().any(|s| s.contains(EVIL)) {
            json_files += 1;
        }
    }
    assert!(json_files >= 3, "the text is in {json_files} JSON files");

    // Atom: well-formed, with the titles and messages as text.
    let atom = std::fs::read(out.join("status/feed.xml")).unwrap();
    let feed = feed_rs::parser::parse(atom.as_slice()).expect("the Atom feed parses");
    assert!(feed
        .entries
        .iter()
        .any(|e| e.title.as_ref().is_some_and(|t| t.content.contains(EVIL))));
    let atom = String::from_utf8(atom).unwrap();
    assert!(
        !atom.contains("<script>") && !atom.contains("<img"),
        "{atom}"
    );

    // iCalendar: the message's line breaks cannot start an event of their own.
    let ics = std::fs::read_to_string(out.join("status/maintenance.ics")).unwrap();
    let events = ics.lines().filter(|l| *l == "BEGIN:VEVENT").count();
    assert_eq!(events, 1, "{ics}");
    assert!(
        !ics.lines().any(|l| l.starts_with("SUMMARY:injected")),
        "{ics}"
    );
    assert!(
        ics.contains("END:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:injected") || !ics.contains("injected")
    );

    // Search files are scripts that register JSON: each call's argument parses, and the text
    // is inside a JSON string, never script.
    let mut search_hits = 0;
    for (name, text) in files_with_extension(&files, ".js") {
        if !name.starts_with("search/") || name.ends_with("opsbook-search.js") {
            continue;
        }
        let Some(open) = text.find('(') else { continue };
        let inner = text[open + 1..]
            .trim_end()
            .trim_end_matches(';')
            .trim_end_matches(')');
        // `register(17, {…})` or `register({…})`.
        let json = match inner.find(['{', '[']) {
            Some(start) => &inner[start..],
            None => continue,
        };
        let payload: serde_json::Value = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", &text[..text.len().min(300)]));
        let mut all = Vec::new();
        strings(&payload, &mut all);
        if all.iter().any(|s| s.contains("<script>pwned()</script>")) {
            search_hits += 1;
        }
    }
    assert!(search_hits > 0, "the hostile text is in no search file");
    assert!(Path::new(&out).join("alerts/DiskFull/index.html").is_file());
}

#[test]
fn llms_txt_shows_hostile_text_as_text_and_links_only_to_the_site() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let (_hb, files) = built(true);
    let llms = String::from_utf8(files["llms.txt"].clone()).unwrap();
    let mut text = String::new();
    let mut links = Vec::new();
    let mut headings = 0;
    // Quotes stay as written: they are part of the text to find.
    let options = Options::all().difference(Options::ENABLE_SMART_PUNCTUATION);
    for event in Parser::new_ext(&llms, options) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => panic!("HTML {html:?} in:\n{llms}"),
            Event::Start(Tag::Image { .. }) => panic!("an image in:\n{llms}"),
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Text(t) => text.push_str(&t),
            _ => {}
        }
    }
    // The title, the runbooks and the optional files: the handbook's text makes no heading.
    assert_eq!(headings, 3, "{llms}");
    assert!(text.contains(EVIL), "{llms}");
    assert!(!links.is_empty());
    for link in links {
        assert!(
            link.starts_with('/') && !link.starts_with("//"),
            "{link} is not the site's"
        );
    }
}

#[test]
fn alert_names_that_are_no_prometheus_names_are_refused() {
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"x\"\n"),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "content/runbooks/r.md",
            "+++\ntitle = \"R\"\nalerts = [\"Disk<script>\", \"../../x\"]\n+++\n",
        ),
    ]);
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        [
            "error: content/runbooks/r.md:3:11: alert name `Disk<script>` cannot be a URL",
            "error: content/runbooks/r.md:3:27: alert name `../../x` cannot be a URL",
        ],
        "{}",
        run.stderr
    );
    assert!(!hb.out("public").exists());
}

#[test]
fn repo_url_must_be_http() {
    let hb = Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"x\"\nrepo_url = \"javascript:pwned()\"\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
    ]);
    let run = hb.build(&[]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert_eq!(
        run.errors(),
        ["error: opsbook.toml:2: `repo_url` must be an http(s) URL, not `javascript:pwned()`"],
        "{}",
        run.stderr
    );
}

/// `opsbook check . --format FORMAT` run in `dir`: exit code, stdout and stderr.
fn check(dir: &Path, format: &str) -> (Option<i32>, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .current_dir(dir)
        .args(["check", ".", "--format", format])
        .args(["--now", crate::support::NOW])
        .env("NO_COLOR", "1")
        .output()
        .expect("run the opsbook binary");
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Text that a CI log reads as a workflow command, and that a terminal runs as escape codes.
const INJECTED: &str = "sev9\n::error file=README.md,line=1::X";

#[test]
fn control_characters_of_values_reach_no_terminal_and_no_ci_log() {
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"Injected\"\n"),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "content/runbooks/r.md",
            &format!(
                "+++\ntitle = \"R\"\nowners = [\"a\"]\nlast_reviewed = 2026-11-01\nseverity = {}\n\"colour\\u001b[2J\\u001b]0;pwned\\u0007\" = 1\n+++\nBody.\n",
                toml_string(INJECTED)
            ),
        ),
        (
            "content/postmortems/p.md",
            "+++\ntitle = \"P\"\nseverity = \"sev3\"\nstatus = \"draft\"\nstarted = 2026-11-01T00:00:00Z\n+++\n## Action items\n- [ ] Clear \u{1b}[2Jthe screen\n",
        ),
    ]);
    let no_escape_codes = |text: &str, what: &str| {
        assert!(!text.contains('\u{1b}'), "{what} holds ESC:\n{text:?}");
        assert!(!text.contains('\u{7}'), "{what} holds BEL:\n{text:?}");
    };

    let run = hb.build(&[]);
    run.assert_failure();
    no_escape_codes(&run.stderr, "build");
    assert!(
        !run.stderr.lines().any(|l| l.starts_with("::")),
        "{}",
        run.stderr
    );
    assert!(
        run.errors().iter().any(|l| l.contains(
            "content/runbooks/r.md:5:12: invalid `severity`: unknown variant `sev9\\n::error file=README.md,line=1::X`"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.warnings()
            .iter()
            .any(|l| l.contains("unknown field `colour\\u{1b}[2J\\u{1b}]0;pwned\\u{7}`")),
        "{}",
        run.stderr
    );

    let (code, stdout, stderr) = check(&hb.root, "human");
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    for (text, what) in [(&stdout, "check's stdout"), (&stderr, "check's stderr")] {
        no_escape_codes(text, what);
        assert!(!text.lines().any(|l| l.starts_with("::")), "{what}: {text}");
    }
    assert!(stdout.contains("unknown variant `sev9\\n::error file=README.md,line=1::X`"));
    assert!(stdout.contains("action item has no owner: Clear \\u{1b}[2Jthe screen"));

    // JSON keeps every value exact (serde escapes it); GitHub gets one annotation per finding.
    let (_, json, _) = check(&hb.root, "json");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let messages: Vec<&str> = findings
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains(INJECTED)),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("Clear \u{1b}[2Jthe")));

    let (code, github, stderr) = check(&hb.root, "github");
    assert_eq!(code, Some(1), "{github}{stderr}");
    no_escape_codes(&github, "check --format github");
    let annotations: Vec<&str> = github.lines().collect();
    assert_eq!(annotations.len(), findings.len(), "{github}");
    for (line, finding) in annotations.iter().zip(findings) {
        let head = format!(
            "::{} file={},",
            finding["level"].as_str().unwrap(),
            finding["file"].as_str().unwrap()
        );
        assert!(line.starts_with(&head), "{line:?} is not {head:?}…");
    }
    assert!(
        github.contains("unknown variant `sev9\\n::error file=README.md,line=1::X`"),
        "{github}"
    );
}

#[test]
fn base_url_is_an_http_url_or_a_path_in_the_config_and_on_the_command_line() {
    let page = ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n");
    let hb = Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"x\"\nbase_url = \"javascript:alert(1)\"\n",
        ),
        page,
    ]);
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        ["error: opsbook.toml:2:12: `base_url` must be an http(s) URL, such as `https://example.org/handbook/`, or a path starting with `/`, not `javascript:alert(1)`"],
        "{}",
        run.stderr
    );
    assert!(!hb.out("public").exists());

    let hb = Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"x\"\nbase_url = \"https://example.org/\\r\\nDisallow: /\"\n",
        ),
        page,
    ]);
    let run = hb.build(&[]);
    run.assert_failure();
    assert_eq!(
        run.errors(),
        ["error: opsbook.toml:2:12: `base_url` cannot hold a control character: `https://example.org/\\r\\nDisallow: /`"],
        "{}",
        run.stderr
    );

    // The flag: refused before anything is read or written.
    let hb = Handbook::new(&[("opsbook.toml", "title = \"x\"\n"), page]);
    for url in [
        "https://example.org/\r\nDisallow: /",
        "https://example.org/\nBEGIN:VEVENT",
        "javascript:alert(1)",
        "https://example.org/ x/",
    ] {
        let run = hb.build(&["--base-url", url]);
        run.assert_failure();
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{}", run.stderr);
        assert!(errors[0].starts_with("error: `--base-url` "), "{errors:?}");
        assert!(!run.stderr.contains('\r'), "{:?}", run.stderr);
        assert!(!hb.out("public").exists(), "{url:?} wrote the site");
    }
    hb.build(&["--base-url", "https://example.org/handbook/"])
        .assert_success();
    let robots = std::fs::read_to_string(hb.out("public/robots.txt")).unwrap();
    assert_eq!(
        robots,
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/handbook/sitemap.xml\n"
    );
}

#[test]
fn calendar_lines_are_folded_at_75_octets_and_a_message_stays_in_its_event() {
    let long = "Wartung der Datenbank – ½ Stunde, Ünterbrechung möglich; 🛠 ".repeat(12);
    let message = format!("{long}\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected\\;x");
    let hb = Handbook::new(&[
        (
            "opsbook.toml",
            "title = \"Kalender, 📅\"\nbase_url = \"https://status.example/\"\n[[status.components]]\nid = \"db\"\nname = \"DB; primary, replica\"\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "content/status/2026-12-03-db.md",
            &format!(
                "+++\ntitle = \"Datenbank-Wartung 🛠, Teil 1; ½\"\ncomponents = [\"db\"]\nimpact = \"maintenance\"\nscheduled_start = 2026-12-03T01:00:00Z\nscheduled_end = 2026-12-03T05:00:00Z\n\n[[updates]]\nat = 2026-11-19T10:00:00Z\nstatus = \"scheduled\"\nmessage = {}\n+++\n",
                toml_string(&message)
            ),
        ),
    ]);
    hb.build(&[]).assert_success();
    let bytes = std::fs::read(hb.out("public/status/maintenance.ics")).unwrap();
    assert!(bytes.ends_with(b"END:VCALENDAR\r\n"));
    for line in bytes[..bytes.len() - 1].split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").expect("every line ends with CRLF");
        assert!(
            line.len() <= 75,
            "{} octets: {:?}",
            line.len(),
            String::from_utf8_lossy(line)
        );
        // A fold inside a character would leave invalid UTF-8 on both sides of it.
        assert!(std::str::from_utf8(line).is_ok(), "{line:?}");
    }
    let text = String::from_utf8(bytes).unwrap();
    let unfolded = text.replace("\r\n ", "");
    let content: Vec<&str> = unfolded.split("\r\n").collect();
    assert_eq!(
        content.iter().filter(|l| **l == "BEGIN:VEVENT").count(),
        1,
        "{unfolded}"
    );
    assert!(!content.iter().any(|l| l.starts_with("SUMMARY:injected")));
    assert!(content.contains(&"SUMMARY:Datenbank-Wartung 🛠\\, Teil 1\\; ½"));
    let description = content
        .iter()
        .find_map(|l| l.strip_prefix("DESCRIPTION:"))
        .unwrap();
    let expected = format!(
        "{}\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:injected\\\\\\;x\\n\\nAffects: DB\\; primary\\, replica",
        long.replace(',', "\\,").replace(';', "\\;")
    );
    assert_eq!(description, expected);
    assert!(content.contains(&"X-WR-CALNAME:Kalender\\, 📅: maintenance"));
    assert!(content.contains(&"UID:2026-12-03-db@status.example"));
}

/// URLs a browser runs as script, spelt as they slip past a naive check.
const SCRIPT_URLS: [&str; 6] = [
    "javascript:pwned()",
    "JaVaScRiPt:pwned()",
    "java\tscript:pwned()",
    "data:text/html,%3Cscript%3Epwned()%3C/script%3E",
    "data:text/html;base64,PHNjcmlwdD5wd25lZCgpPC9zY3JpcHQ+",
    "vbscript:pwned()",
];

/// One line of markdown holding every [`SCRIPT_URLS`] as a link and as an image (in angle
/// brackets too, the only way a tab gets into a destination), as autolinks, and a link that is
/// fine.
fn script_links_line() -> String {
    let mut text = String::from("See [fine](https://example.com/ok) ");
    for url in SCRIPT_URLS {
        if !url.contains('\t') {
            text.push_str(&format!("[link]({url}) ![image]({url}) "));
        }
        text.push_str(&format!("[angle](<{url}>) ![angle image](<{url}>) "));
    }
    text.push_str("<javascript:pwned()> <VBScript:pwned()>");
    text
}

/// [`script_links_line`] with links by reference, as a paragraph.
fn script_links() -> String {
    format!(
        "{} [by reference][evil] ![by reference][evil]\n\n[evil]: JavaScript:pwned()\n",
        script_links_line()
    )
}

/// A handbook where every piece of markdown the site renders from data — page bodies (and so
/// summaries), descriptions, incident update messages, action items — carries [`SCRIPT_URLS`].
fn script_link_handbook(raw_html: bool) -> Handbook {
    let links = script_links();
    let field = toml_string(&links);
    let config = format!(
        "title = \"Links\"\ndescription = {field}\n\n[markdown]\nraw_html = {raw_html}\n\n[[status.components]]\nid = \"api\"\nname = \"API\"\ndescription = {field}\n"
    );
    let runbook = format!(
        "+++\ntitle = \"Runbook\"\ndescription = {field}\nservices = [\"api\"]\nowners = [\"sre\"]\nlast_reviewed = 2026-11-01\n+++\n\n{links}\n## Steps\n\n{links}\n"
    );
    let update = |at: &str, status: &str| {
        format!("\n[[updates]]\nat = {at}\nstatus = \"{status}\"\nmessage = {field}\n")
    };
    let incident = format!(
        "+++\ntitle = \"Incident\"\ndescription = {field}\ncomponents = [\"api\"]\nimpact = \"major\"\nstarted = 2026-11-20T10:00:00Z\nresolved = 2026-11-20T11:00:00Z\n{}{}+++\n\n{links}\n",
        update("2026-11-20T10:05:00Z", "investigating"),
        update("2026-11-20T11:00:00Z", "resolved"),
    );
    // No description: the status APIs describe it by its summary.
    let ongoing = format!(
        "+++\ntitle = \"Ongoing\"\ncomponents = [\"api\"]\nimpact = \"minor\"\nstarted = 2026-11-26T10:00:00Z\n{}+++\n\n{links}\n",
        update("2026-11-26T10:05:00Z", "identified"),
    );
    let maintenance = format!(
        "+++\ntitle = \"Maintenance\"\ndescription = {field}\ncomponents = [\"api\"]\nimpact = \"maintenance\"\nscheduled_start = 2026-12-03T01:00:00Z\nscheduled_end = 2026-12-03T05:00:00Z\n{}+++\n\n{links}\n",
        update("2026-11-19T10:00:00Z", "scheduled"),
    );
    let postmortem = format!(
        "+++\ntitle = \"Postmortem\"\ndescription = {field}\ndate = 2026-11-21\nseverity = \"sev2\"\nservices = [\"api\"]\nstarted = 2026-11-20T10:00:00Z\nresolved = 2026-11-20T11:00:00Z\nincident = \"2026-11-20-incident\"\nstatus = \"published\"\n+++\n\n{links}\n## Action items\n\n- [ ] Fix {} (@team-a, due 2026-12-01)\n- [x] Done {} (@team-b)\n",
        script_links_line(),
        script_links_line(),
    );
    let section = |title: &str| format!("+++\ntitle = \"{title}\"\n+++\n\n{links}\n");
    Handbook::new(&[
        ("opsbook.toml", &config),
        ("content/_index.md", &section("Home")),
        ("content/runbooks/_index.md", &section("Runbooks")),
        ("content/runbooks/links.md", &runbook),
        ("content/status/_index.md", &section("Status")),
        ("content/status/2026-11-20-incident.md", &incident),
        ("content/status/2026-11-26-ongoing.md", &ongoing),
        ("content/status/2026-12-03-maintenance.md", &maintenance),
        ("content/postmortems/_index.md", &section("Postmortems")),
        ("content/postmortems/2026-11-21-postmortem.md", &postmortem),
    ])
}

/// Whether a browser runs `url` as script: its scheme, tabs, newlines and controls dropped and
/// case ignored, is `javascript`, `vbscript` or `data`.
fn url_runs_script(url: &str) -> bool {
    let compact: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|scheme| compact.starts_with(scheme))
}

/// Every link or image of `html` whose URL runs script.
fn script_urls_in_html(html: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let mut found = Vec::new();
    for element in document.select(&sel("*")) {
        for (name, value) in element.value().attrs() {
            let url_attribute = matches!(
                name,
                "href" | "src" | "action" | "formaction" | "poster" | "xlink:href"
            );
            if url_attribute && url_runs_script(value) {
                found.push(format!("<{}> {name}={value:?}", element.value().name()));
            }
        }
    }
    found
}

/// Every link or image whose URL runs script in `text`, read as markdown and as HTML: what a
/// consumer of the status APIs may render it as.
fn script_urls_in_markup(text: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut found = script_urls_in_html(text);
    for event in Parser::new_ext(text, Options::all()) {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event {
            if url_runs_script(&dest_url) {
                found.push(format!("markdown link to {:?}", dest_url.as_ref()));
            }
        }
    }
    found
}

/// Every link or image whose URL runs script in any file of the site, by file.
fn script_urls_in_site(out: &Path) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    for (name, bytes) in snapshot(out) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let in_strings = |value: &serde_json::Value| {
            let mut all = Vec::new();
            strings(value, &mut all);
            all.iter()
                .flat_map(|s| script_urls_in_markup(s))
                .collect::<Vec<_>>()
        };
        let urls = if name.ends_with(".html") {
            script_urls_in_html(&text)
        } else if name == "status/feed.xml" {
            let feed = feed_rs::parser::parse(bytes.as_slice()).expect("the Atom feed parses");
            let mut urls = script_urls_in_html(&text);
            for entry in &feed.entries {
                let content = entry.content.as_ref().and_then(|c| c.body.clone());
                urls.extend(script_urls_in_html(&content.unwrap_or_default()));
                urls.extend(
                    entry
                        .links
                        .iter()
                        .filter(|l| url_runs_script(&l.href))
                        .map(|l| l.href.clone()),
                );
            }
            urls
        } else if name == "llms.txt" {
            script_urls_in_markup(&text)
        } else if (name.starts_with("status/api/") || name.starts_with("api/v1/"))
            && !name.ends_with('/')
        {
            let value: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            in_strings(&value)
        } else if name.starts_with("search/") && name.ends_with(".js") {
            // `register(…, {…})`: the JSON after the first bracket.
            match text.find(['{', '[']) {
                Some(start) if !name.ends_with("opsbook-search.js") => {
                    let json = text[start..]
                        .trim_end()
                        .trim_end_matches(';')
                        .trim_end_matches(')');
                    let value: serde_json::Value =
                        serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: {e}"));
                    in_strings(&value)
                }
                _ => Vec::new(),
            }
        } else {
            Vec::new()
        };
        if !urls.is_empty() {
            // A few are enough to tell what let them through.
            found.push((name, urls.into_iter().take(2).collect()));
        }
    }
    found
}

#[test]
fn no_markdown_from_data_links_to_script_with_or_without_raw_html() {
    for raw_html in [false, true] {
        let hb = script_link_handbook(raw_html);
        let run = hb.build(&[]);
        run.assert_success();
        let out = hb.out("public");
        assert_eq!(
            script_urls_in_site(&out),
            Vec::<(String, Vec<String>)>::new(),
            "raw_html = {raw_html}"
        );
        // The fields did reach every kind of output, and the link that is fine stays a link.
        let read = |path: &str| std::fs::read_to_string(out.join(path)).unwrap();
        for (path, fine) in [
            (
                "status/2026-11-20-incident/index.html",
                "<a href=\"https://example.com/ok\">fine</a>",
            ),
            (
                "runbooks/links/index.html",
                "<a href=\"https://example.com/ok\">fine</a>",
            ),
            (
                "postmortems/2026-11-21-postmortem/index.html",
                "<a href=\"https://example.com/ok\">fine</a>",
            ),
            (
                "status/feed.xml",
                "&lt;a href=&quot;https://example.com/ok&quot;&gt;fine&lt;/a&gt;",
            ),
            (
                "status/api/v2/incidents.json",
                "[fine](https://example.com/ok)",
            ),
            (
                "status/api/v2/components.json",
                "[fine](https://example.com/ok)",
            ),
            (
                "status/api/scs/incidents.json",
                "[fine](https://example.com/ok)",
            ),
            ("api/v1/runbooks.json", "[fine](https://example.com/ok)"),
            ("api/v1/action-items.json", "[fine](https://example.com/ok)"),
        ] {
            assert!(read(path).contains(fine), "raw_html = {raw_html}: {path}");
        }
        let incident = read("status/2026-11-20-incident/index.html");
        assert!(incident.contains("angle image"), "{incident}");
        let items = read("postmortems/action-items/index.html");
        assert!(items.contains("Fix See"), "{items}");
    }
}
