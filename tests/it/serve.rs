//! `opsbook serve`: the real binary on a free port, spoken to with raw TCP so nothing normalizes
//! the request paths. Path safety, HEAD, MIME types, 404, redirects, many open event streams,
//! the port messages, Ctrl-C, and the rebuild path checked byte for byte against fresh builds.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::*;

/// 2026-11-27T00:00:00Z: the served builds and the fresh ones see the same "today".
const NOW_EPOCH: &str = "1795737600";
const SCRIPT_START: &str = "<script id=\"opsbook-serve-reload\">";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `opsbook serve`; interrupted (like Ctrl-C) when dropped.
struct Serve {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

/// One HTTP response.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Starts the binary with `args`, its stderr collected into the returned log.
fn spawn(args: &[&str]) -> (Child, Arc<Mutex<String>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", NOW_EPOCH)
        .env("OPSBOOK_SERVE_HEARTBEAT_MS", "250")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the opsbook binary");
    let log = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().unwrap();
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut log = sink.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    (child, log)
}

impl Serve {
    /// `opsbook serve DIR --port P` on a free port, once it answers.
    fn start(dir: &Path) -> Serve {
        Serve::start_with(dir, &[])
    }

    fn start_with(dir: &Path, extra: &[&str]) -> Serve {
        let port = free_port();
        let port_text = port.to_string();
        let mut args = vec!["serve", dir.to_str().unwrap(), "--port", &port_text];
        args.extend_from_slice(extra);
        let (child, log) = spawn(&args);
        let mut serve = Serve { child, port, log };
        serve.wait_until_ready();
        serve
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("serve exited with {status}:\n{}", self.log());
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                let status = self.status();
                if status["builds"].as_u64() >= Some(1) {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("serve did not answer in time:\n{}", self.log());
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The log once it holds `text` (it is read from the server's stderr by another thread), or
    /// as it is after 10 s.
    fn log_with(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.log().contains(text) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.log()
    }

    /// Sends `head` (a request line and headers, without the blank line) as it is.
    fn raw(&self, head: &str) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "{head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        parse_reply(&bytes)
    }

    fn get(&self, path: &str) -> Reply {
        self.raw(&format!("GET {path} HTTP/1.1"))
    }

    fn status(&self) -> Value {
        let reply = self.get("/__opsbook/status");
        assert_eq!(reply.status, 200, "{}", reply.text());
        serde_json::from_slice(&reply.body).unwrap()
    }

    /// The private output folder the server answers from.
    fn output(&self) -> PathBuf {
        PathBuf::from(self.status()["output"].as_str().unwrap())
    }

    /// Waits for a build after the `builds`-th, and for the watcher to have been quiet since.
    fn wait_for_build(&self, builds: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last: Option<Value> = None;
        while Instant::now() < deadline {
            let status = self.status();
            let done = status["builds"].as_u64().unwrap() > builds
                && status["building"] == Value::Bool(false);
            if done && last.as_ref() == Some(&status) {
                return status;
            }
            last = done.then_some(status);
            std::thread::sleep(Duration::from_millis(if done { 400 } else { 25 }));
        }
        panic!("no rebuild after build {builds}:\n{}", self.log());
    }

    /// Waits until every event stream closed by its page has given back its thread.
    fn wait_until_no_clients(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.status()["clients"] != 0 {
            assert!(
                Instant::now() < deadline,
                "closed streams kept their threads"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn builds(&self) -> u64 {
        self.status()["builds"].as_u64().unwrap()
    }

    /// Interrupts the server like Ctrl-C and waits for it to exit.
    fn interrupt(&mut self) -> Option<ExitStatus> {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() && self.interrupt().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn parse_reply(bytes: &[u8]) -> Reply {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    Reply {
        status: status.parse().unwrap(),
        headers,
        body: bytes[end + 4..].to_vec(),
    }
}

/// `html` without the injected reload script, which must be there exactly once.
fn strip_script(html: &[u8], what: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    assert_eq!(text.matches(SCRIPT_START).count(), 1, "{what}: no script");
    let start = text.find(SCRIPT_START).unwrap();
    let end = start + text[start..].find("</script>\n").unwrap() + "</script>\n".len();
    [&html[..start], &html[end..]].concat()
}

/// Percent-encodes what a request path cannot hold as it is.
fn encode(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn no_request_reads_outside_the_site() {
    let serve = Serve::start(&example_dir());
    let output = serve.output();
    // A symbolic link inside the output must not lead out of it either.
    std::os::unix::fs::symlink("/etc", output.join("leak")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", output.join("leak.txt")).unwrap();
    // Refused as requests (400) before the file system is asked anything.
    for path in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2e/x",
        "/..%2fetc%2fpasswd",
        "/..%2F..%2F..%2Fetc%2Fpasswd",
        "/..\\..\\x",
        "/..\\..\\etc\\passwd",
        "/%5c..%5c..%5cetc%5cpasswd",
        "/%00",
        "/a%00.html",
        "/index.html%00.css",
        "//etc/passwd",
        "/C:/Windows/win.ini",
        "/c:%5cwindows%5cwin.ini",
        "/runbooks/../../../../etc/passwd",
        "/%ff%fe",
    ] {
        let reply = serve.get(path);
        assert_eq!(reply.status, 400, "{path}");
        assert!(!reply.text().contains("root:"), "{path} leaked a file");
    }
    // Plain paths that do not name a file of the site: 404.
    for path in ["/leak/passwd", "/leak.txt", "/%252e%252e/etc/passwd"] {
        let reply = serve.get(path);
        assert_eq!(reply.status, 404, "{path}");
        assert!(!reply.text().contains("root:"), "{path} leaked a file");
    }
    // Also in absolute form, which names a host in the request line.
    let reply = serve.raw("GET http://127.0.0.1/../../etc/passwd HTTP/1.1");
    assert!(!reply.text().contains("root:"));
    assert!(reply.status >= 400);
}

#[test]
fn pages_head_mime_types_404_and_folders() {
    let serve = Serve::start(&example_dir());
    let output = serve.output();
    for (path, mime) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/opsbook.js", "text/javascript; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
        ("/runbooks/index.html", "text/html; charset=utf-8"),
        ("/runbooks/", "text/html; charset=utf-8"),
        ("/sitemap.xml", "application/xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ] {
        let reply = serve.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("Content-Type"), Some(mime), "{path}");
        assert_eq!(reply.header("Cache-Control"), Some("no-store"), "{path}");
    }

    let page = serve.get("/runbooks/");
    let on_disk = std::fs::read(output.join("runbooks/index.html")).unwrap();
    assert_eq!(strip_script(&page.body, "/runbooks/"), on_disk);
    assert!(page.text().contains(
        "new EventSource(\"/__opsbook/events?page=\" + encodeURIComponent(location.pathname))"
    ));
    let css = serve.get("/style.css");
    assert_eq!(css.body, std::fs::read(output.join("style.css")).unwrap());
    assert!(!css.text().contains(SCRIPT_START));

    let head = serve.raw("HEAD /runbooks/ HTTP/1.1");
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        head.header("Content-Length"),
        Some(page.body.len().to_string().as_str())
    );
    assert!(head.body.is_empty(), "HEAD sent a body");
    let head = serve.raw("HEAD /style.css HTTP/1.1");
    assert_eq!(
        head.header("Content-Length"),
        Some(css.body.len().to_string().as_str())
    );
    assert!(head.body.is_empty());

    let missing = serve.get("/runbooks/no-such-page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    let not_found = std::fs::read(output.join("404.html")).unwrap();
    assert_eq!(strip_script(&missing.body, "404"), not_found);
    assert!(missing.text().contains("Page not found"));

    let folder = serve.get("/runbooks/postgres?x=1");
    assert_eq!(folder.status, 302);
    assert_eq!(folder.header("Location"), Some("/runbooks/postgres/?x=1"));
    assert_eq!(serve.get("/runbooks/postgres/").status, 200);
    assert_eq!(serve.get("/runbooks%2Fpostgres/").status, 200);
    assert_eq!(serve.get("/").status, 200);

    let post = serve.raw("POST /runbooks/ HTTP/1.1\r\nContent-Length: 0");
    assert_eq!(post.status, 405);
}

/// Opens the event stream and reads until its `hello`.
fn open_events(port: u16) -> BufReader<TcpStream> {
    open_events_from(port, "")
}

/// Opens the event stream as the page at `page` does (`/runbooks/a/`; "" for none).
fn open_events_from(port: u16, page: &str) -> BufReader<TcpStream> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let query = if page.is_empty() {
        String::new()
    } else {
        format!("?page={}", page.replace('/', "%2F"))
    };
    write!(
        stream,
        "GET /__opsbook/events{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut seen = String::new();
    while !seen.contains("event: hello") {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "stream ended");
        seen.push_str(&line);
    }
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(seen.contains("Content-Type: text/event-stream"), "{seen}");
    reader
}

/// Reads the stream until an `event: NAME` line; returns its `data:`.
fn next_event(reader: &mut BufReader<TcpStream>, name: &str) -> String {
    let wanted = format!("event: {name}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "no `{name}` event in time");
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "stream ended");
        if line.trim_end() == wanted {
            let mut data = String::new();
            reader.read_line(&mut data).unwrap();
            return data.trim_end().strip_prefix("data: ").unwrap().to_string();
        }
    }
}

#[test]
fn fifty_open_event_streams_do_not_stop_pages_and_are_dropped_when_closed() {
    let serve = Serve::start(&example_dir());
    let streams: Vec<_> = (0..50).map(|_| open_events(serve.port)).collect();
    assert_eq!(serve.status()["clients"], 50);
    let pages = [
        "/",
        "/runbooks/",
        "/processes/",
        "/postmortems/",
        "/status/",
        "/tags/",
        "/style.css",
        "/opsbook.js",
        "/sitemap.xml",
        "/robots.txt",
    ];
    std::thread::scope(|scope| {
        for chunk in pages.chunks(5) {
            let serve = &serve;
            scope.spawn(move || {
                for _ in 0..2 {
                    for page in chunk {
                        assert_eq!(serve.get(page).status, 200, "{page}");
                    }
                }
            });
        }
    });
    // Heartbeats arrive on an idle stream.
    let mut first = streams.into_iter().next().unwrap();
    let mut line = String::new();
    while !line.starts_with(": heartbeat") {
        line.clear();
        first.read_line(&mut line).unwrap();
    }
    drop(first);
    serve.wait_until_no_clients();
}

/// Copies the example handbook into a temporary folder.
fn copy_of_example() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("hb");
    let example = example_dir();
    for entry in walkdir::WalkDir::new(&example) {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(&example).unwrap();
        if relative.starts_with("public") || relative.starts_with(".opsbook-cache") {
            continue;
        }
        let target = root.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    (tmp, root)
}

/// A fresh `opsbook build` of `root` for the server's address: every file with its bytes.
fn fresh_build(root: &Path, url: &str) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(root, &site, &["--base-url", url]).assert_success();
    snapshot(&site)
}

/// Checks that the server answers every file of `expected` with its bytes (less the script),
/// and that its output folder holds exactly those files.
#[track_caller]
fn assert_serves(serve: &Serve, expected: &BTreeMap<String, Vec<u8>>, step: &str) {
    eprintln!("checking: {step}");
    assert_same_tree(expected, &snapshot(&serve.output()));
    for (path, bytes) in expected.iter().filter(|(p, _)| !p.ends_with('/')) {
        let url = format!("/{}", encode(path));
        let reply = serve.get(&url);
        assert_eq!(reply.status, 200, "{step}: {url}");
        let body = if path.ends_with(".html") {
            strip_script(&reply.body, &url)
        } else {
            reply.body
        };
        assert!(&body == bytes, "{step}: {url} differs from a fresh build");
    }
}

/// Applies `edit`, waits for the rebuild, checks it was made the way `how` says (`patch`,
/// `templates` or `full`), and compares with a fresh build.
fn step(
    serve: &Serve,
    root: &Path,
    (name, how): (&str, &str),
    edit: impl FnOnce(),
) -> BTreeMap<String, Vec<u8>> {
    let builds = serve.builds();
    edit();
    let status = serve.wait_for_build(builds);
    assert_eq!(status["state"], "ok", "{name}: {status}\n{}", serve.log());
    assert_eq!(status["how"], how, "{name}: {status}\n{}", serve.log());
    let expected = fresh_build(root, &serve.url());
    assert_serves(serve, &expected, name);
    expected
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn every_rebuild_serves_exactly_what_a_fresh_build_gives() {
    let (_tmp, root) = copy_of_example();
    let serve = Serve::start(&root);
    let content = root.join("content");
    assert_serves(&serve, &fresh_build(&root, &serve.url()), "first build");

    let runbook = content.join("runbooks/certificate-expiry.md");
    let site = step(&serve, &root, ("edit a body", "patch"), || {
        let mut text = std::fs::read_to_string(&runbook).unwrap();
        text.push_str("\nA closing paragraph about quokkas written by the serve test.\n");
        std::fs::write(&runbook, text).unwrap();
    });
    let page =
        String::from_utf8_lossy(&site["runbooks/certificate-expiry/index.html"]).into_owned();
    assert!(page.contains("written by the serve test"));
    let search_has = |site: &BTreeMap<String, Vec<u8>>, word: &str| {
        site.iter().any(|(path, bytes)| {
            path.starts_with("search/t") && bytes.windows(word.len()).any(|w| w == word.as_bytes())
        })
    };
    assert!(
        search_has(&site, "\"quokka\""),
        "the search index has the new words"
    );
    let site = step(&serve, &root, ("edit the same body again", "patch"), || {
        replace_in(&runbook, "about quokkas", "about wombats");
    });
    assert!(!search_has(&site, "\"quokka\"") && search_has(&site, "\"wombat\""));
    step(&serve, &root, ("edit a summary", "full"), || {
        replace_in(
            &runbook,
            "Almost all our certificates",
            "Nearly all our certificates",
        );
    });
    step(&serve, &root, ("add a link", "full"), || {
        let mut text = std::fs::read_to_string(&runbook).unwrap();
        text.push_str("\nSee also [the handbook](../about.md).\n");
        std::fs::write(&runbook, text).unwrap();
    });
    step(
        &serve,
        &root,
        ("add code in a new language", "full"),
        || {
            let mut text = std::fs::read_to_string(&runbook).unwrap();
            text.push_str("\n```haskell\nmain :: IO ()\nmain = putStrLn \"renewed\"\n```\n");
            std::fs::write(&runbook, text).unwrap();
        },
    );
    step(
        &serve,
        &root,
        ("close a postmortem's action item", "full"),
        || {
            replace_in(
                &content.join("postmortems/2026-11-12-api-rate-limiting.md"),
                "- [ ] Run a polling load test",
                "- [x] Run a polling load test",
            );
        },
    );
    step(&serve, &root, ("edit a heading", "full"), || {
        replace_in(&runbook, "\n## ", "\n## Renamed: ");
    });
    let read_and_rendered = || {
        let status = serve.status();
        (
            status["read"].as_u64().unwrap(),
            status["markdown"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        read_and_rendered(),
        (1, 1),
        "only the edited file was read again"
    );
    step(
        &serve,
        &root,
        ("change a title (atomic save)", "full"),
        || {
            let path = content.join("runbooks/dns-resolution-failures.md");
            let text = std::fs::read_to_string(&path).unwrap().replacen(
                "title: \"DNS: resolution failures\"",
                "title: \"DNS: names do not resolve\"",
                1,
            );
            let temp = content.join("runbooks/.dns-resolution-failures.md.tmp");
            std::fs::write(&temp, text).unwrap();
            std::fs::rename(&temp, &path).unwrap();
        },
    );
    assert_eq!(
        read_and_rendered(),
        (1, 1),
        "a title is not part of other pages' markdown"
    );
    step(
        &serve,
        &root,
        ("add a page in a new folder", "full"),
        || {
            let folder = content.join("runbooks/scratch");
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(
            folder.join("first-steps.md"),
            "+++\ntitle = \"First steps\"\nowners = [\"team-serve\"]\n+++\n\nSee [certificates](../certificate-expiry.md).\n",
        )
        .unwrap();
        },
    );
    let (read, rendered) = read_and_rendered();
    assert_eq!(read, 1, "only the new page was read");
    assert!(
        rendered > 20,
        "a new page can be a link target: all links are resolved again"
    );
    step(&serve, &root, ("rename a folder", "full"), || {
        std::fs::rename(
            content.join("runbooks/scratch"),
            content.join("runbooks/first-aid"),
        )
        .unwrap();
    });
    step(&serve, &root, ("delete a page", "full"), || {
        std::fs::remove_file(content.join("runbooks/first-aid/first-steps.md")).unwrap();
    });
    let theme_page =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/page.html");
    let template = std::fs::read_to_string(theme_page).unwrap();
    let marker = "<div class=\"content\">";
    step(
        &serve,
        &root,
        ("add a template override", "templates"),
        || {
            std::fs::create_dir_all(root.join("templates")).unwrap();
            let text = template.replacen(
                marker,
                "<p class=\"tpl\">one</p>\n  <div class=\"content\">",
                1,
            );
            std::fs::write(root.join("templates/page.html"), text).unwrap();
        },
    );
    let site = step(&serve, &root, ("change the template", "templates"), || {
        replace_in(
            &root.join("templates/page.html"),
            "\">one</p>",
            "\">two</p>",
        );
    });
    assert!(String::from_utf8_lossy(&site["about/index.html"]).contains("<p class=\"tpl\">two</p>"));
    step(&serve, &root, ("change the config", "full"), || {
        replace_in(
            &root.join("opsbook.toml"),
            "title = \"Northwind Cloud — Operations Handbook\"",
            "title = \"Northwind Handbook (serve test)\"",
        );
    });
    step(
        &serve,
        &root,
        ("add a stylesheet to static/", "full"),
        || {
            std::fs::write(root.join("static/custom.css"), "p { color: #123; }\n").unwrap();
        },
    );
    step(
        &serve,
        &root,
        ("edit a stylesheet in static/", "patch"),
        || {
            replace_in(&root.join("static/custom.css"), "#123", "#456");
        },
    );
    let site = step(&serve, &root, ("edit an image in static/", "patch"), || {
        replace_in(
            &root.join("static/images/logo.svg"),
            "<svg",
            "<svg data-edited=\"1\"",
        );
    });

    // Broken front matter: the last good site is still served, the status names the file.
    let about = content.join("about.md");
    let good = std::fs::read_to_string(&about).unwrap();
    let builds = serve.builds();
    std::fs::write(
        &about,
        good.replacen("title = \"About this handbook\"", "title = ", 1),
    )
    .unwrap();
    let status = serve.wait_for_build(builds);
    assert_eq!(status["state"], "failed", "{status}");
    assert_eq!(
        status["problems"][0]["file"], "content/about.md",
        "{status}"
    );
    assert_eq!(status["problems"][0]["line"], 2, "{status}");
    assert_serves(
        &serve,
        &site,
        "broken front matter keeps the last good site",
    );

    step(&serve, &root, ("fix the front matter", "full"), || {
        std::fs::write(&about, &good).unwrap();
    });
}

#[test]
fn events_tell_pages_to_reload_swap_css_or_show_errors() {
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"Events\"\n"),
        ("content/runbooks/a.md", "+++\ntitle = \"A\"\n+++\nBody.\n"),
        ("static/extra.css", "p { color: red; }\n"),
    ]);
    let serve = Serve::start(&hb.root);
    let mut events = open_events(serve.port);

    hb.write(
        "content/runbooks/a.md",
        b"+++\ntitle = \"A\"\n+++\nNew body.\n",
    );
    next_event(&mut events, "reload");
    hb.write("static/extra.css", b"p { color: blue; }\n");
    next_event(&mut events, "css");
    hb.write("content/runbooks/a.md", b"+++\ntitle = [\n+++\n");
    let data = next_event(&mut events, "error");
    let problems: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(problems[0]["file"], "content/runbooks/a.md", "{data}");
    assert!(problems[0]["line"].as_u64().unwrap() >= 1);
    assert!(problems[0]["message"].as_str().unwrap().len() > 3);

    // A page opened while the site is broken hears about it at once.
    let mut late = open_events(serve.port);
    next_event(&mut late, "error");
    // Fixing it reloads every page, which removes the overlay.
    let before = serve.builds();
    hb.write(
        "content/runbooks/a.md",
        b"+++\ntitle = \"A\"\n+++\nFixed.\n",
    );
    next_event(&mut events, "reload");
    next_event(&mut late, "reload");
    // Editor swap files and backups do not rebuild. (The pages hear of a build before it has
    // written the search files and counts as finished: wait for that first.)
    let builds = serve.wait_for_build(before)["builds"].as_u64().unwrap();
    hb.write("content/runbooks/.a.md.swp", b"x");
    hb.write("content/runbooks/a.md~", b"x");
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(serve.builds(), builds, "{}", serve.log());
}

#[test]
fn polling_notices_edits_creations_and_removals() {
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"Polled\"\n"),
        ("content/a.md", "+++\ntitle = \"A\"\n+++\nFirst.\n"),
    ]);
    let serve = Serve::start_with(&hb.root, &["--poll"]);
    let builds = serve.builds();
    hb.write("content/a.md", b"+++\ntitle = \"A\"\n+++\nSecond.\n");
    serve.wait_for_build(builds);
    assert!(serve.get("/a/").text().contains("Second."));
    let builds = serve.builds();
    hb.write("content/b.md", b"+++\ntitle = \"B\"\n+++\n");
    serve.wait_for_build(builds);
    assert_eq!(serve.get("/b/").status, 200);
    let builds = serve.builds();
    std::fs::remove_file(hb.root.join("content/b.md")).unwrap();
    serve.wait_for_build(builds);
    assert_eq!(serve.get("/b/").status, 404);
}

#[test]
fn a_handbook_broken_from_the_start_shows_its_errors() {
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"Broken\"\n"),
        ("content/a.md", "+++\ntitle = \n+++\n"),
    ]);
    let serve = Serve::start(&hb.root);
    assert_eq!(serve.status()["state"], "failed");
    let page = serve.get("/");
    assert_eq!(page.status, 503);
    assert!(page.text().contains(SCRIPT_START));
    let mut events = open_events(serve.port);
    assert!(next_event(&mut events, "error").contains("content/a.md"));
    hb.write("content/a.md", b"+++\ntitle = \"A\"\n+++\n");
    next_event(&mut events, "reload");
    assert_eq!(serve.get("/a/").status, 200);
}

#[test]
fn a_busy_port_is_named_and_exits_1() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_opsbook"))
        .args(["serve", example_dir().to_str().unwrap(), "--port", &port])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("port {port} ")), "{stderr}");
    assert!(stderr.contains("already in use"), "{stderr}");
}

#[test]
fn without_a_port_the_next_free_one_is_taken_and_said() {
    // Hold 1111 (or find it held already).
    let _held = TcpListener::bind("127.0.0.1:1111");
    let (child, log) = spawn(&["serve", example_dir().to_str().unwrap()]);
    let mut serve = Serve {
        child,
        port: 0,
        log,
    };
    let deadline = Instant::now() + Duration::from_secs(180);
    while !serve.log().contains("Serving ") {
        assert!(Instant::now() < deadline, "{}", serve.log());
        assert!(serve.child.try_wait().unwrap().is_none(), "{}", serve.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = serve.log();
    assert!(log.contains("port 1111"), "{log}");
    assert!(log.contains("already in use; using port "), "{log}");
    assert!(!log.contains("at http://127.0.0.1:1111/"), "{log}");
    serve.port = log
        .split("at http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap();
    assert_eq!(serve.get("/").status, 200);
}

#[test]
fn ctrl_c_stops_cleanly_and_removes_the_private_output() {
    let mut serve = Serve::start(&example_dir());
    let output = serve.output();
    assert!(output.join("index.html").is_file());
    assert!(
        !output.starts_with(example_dir()),
        "the site must not be built inside the handbook"
    );
    let status = serve.interrupt().expect("serve stops on Ctrl-C");
    assert!(status.success(), "{status}: {}", serve.log());
    assert!(!output.exists(), "{} was left behind", output.display());
    assert!(!output.parent().unwrap().exists());
    assert!(serve.log().contains("Stopped."));
}

#[test]
fn live_reload_overlay_and_css_swap_in_chromium() {
    if !crate::browser::browser_available() {
        return;
    }
    let paragraphs: String = (1..=80)
        .map(|i| format!("Paragraph {i} of a long page to scroll.\n\n"))
        .collect();
    let page = format!(
        "+++\ntitle = \"Live page\"\n+++\n\n<link rel=\"stylesheet\" href=\"/custom.css\">\n\n<p class=\"css-probe\">probe</p>\n\nOriginal text.\n\n{paragraphs}"
    );
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"Live Handbook\"\n"),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        ("content/runbooks/live.md", &page),
        (
            "static/custom.css",
            ".css-probe { color: rgb(10, 20, 30); }\n",
        ),
    ]);
    let serve = Serve::start(&hb.root);
    let run = std::panic::catch_unwind(|| {
        crate::browser::run_script("serve.mjs", &[&serve.url(), hb.root.to_str().unwrap()]);
    });
    assert!(run.is_ok(), "the server said:\n{}", serve.log());
}

#[test]
fn another_tools_layout_is_watched_in_its_own_folder() {
    let hb = Handbook::new(&[
        ("docs/index.md", "# Team handbook\n\nHello.\n"),
        ("docs/runbooks/README.md", "# Runbooks\n\nAll of them.\n"),
        ("docs/runbooks/disk.md", "# Disk full\n\nFree space.\n"),
    ]);
    let serve = Serve::start(&hb.root);
    // The same session serves every layout: a body edit is patched in place.
    let site = step(
        &serve,
        &hb.root,
        ("edit a page under docs/", "patch"),
        || {
            let path = hb.root.join("docs/runbooks/disk.md");
            let mut text = std::fs::read_to_string(&path).unwrap();
            text.push_str("\nCheck the quokka partition first.\n");
            std::fs::write(path, text).unwrap();
        },
    );
    let page = String::from_utf8_lossy(&site["runbooks/disk/index.html"]).into_owned();
    assert!(page.contains("quokka partition"), "{page}");
    let site = step(&serve, &hb.root, ("add a page under docs/", "full"), || {
        std::fs::write(
            hb.root.join("docs/runbooks/cpu.md"),
            "# CPU hot\n\nSee [disk](disk.md).\n",
        )
        .unwrap();
    });
    assert!(site.contains_key("runbooks/cpu/index.html"));
    // A README.md is its folder's own page; its title is the section's.
    let site = step(&serve, &hb.root, ("retitle a README", "full"), || {
        replace_in(
            &hb.root.join("docs/runbooks/README.md"),
            "# Runbooks",
            "# Every runbook",
        );
    });
    let section = String::from_utf8_lossy(&site["runbooks/index.html"]).into_owned();
    assert!(section.contains("Every runbook"), "{section}");
    // The other tool's navigation is watched too: its order and titles follow each edit.
    let nav = |first: &str, second: &str| {
        format!("nav:\n  - index.md\n  - Runbooks:\n      - runbooks/README.md\n      - {first}\n      - {second}\n")
    };
    let order = |site: &BTreeMap<String, Vec<u8>>| {
        let section = String::from_utf8_lossy(&site["runbooks/index.html"]).into_owned();
        let cpu = section.find(">CPU").expect("the CPU page is listed");
        let disk = section.find(">Disk").expect("the disk page is listed");
        (cpu < disk, section)
    };
    let site = step(&serve, &hb.root, ("write mkdocs.yml", "full"), || {
        let yml = nav("CPU from the nav: runbooks/cpu.md", "runbooks/disk.md");
        std::fs::write(hb.root.join("mkdocs.yml"), yml).unwrap();
    });
    let (cpu_first, section) = order(&site);
    assert!(
        cpu_first && section.contains("CPU from the nav"),
        "{section}"
    );
    let site = step(&serve, &hb.root, ("reorder mkdocs.yml", "full"), || {
        let yml = nav("runbooks/disk.md", "CPU from the nav: runbooks/cpu.md");
        std::fs::write(hb.root.join("mkdocs.yml"), yml).unwrap();
    });
    let (cpu_first, section) = order(&site);
    assert!(!cpu_first, "{section}");
}

#[test]
fn idle_connections_and_a_burst_of_requests_during_edits_fail_nothing() {
    let (_tmp, root) = copy_of_example();
    let serve = Serve::start(&root);
    // Slow-loris: connections that send nothing, or never finish their request head.
    let idle: Vec<TcpStream> = (0..200)
        .map(|i| {
            let mut stream = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
            if i % 2 == 1 {
                stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            }
            stream
        })
        .collect();
    let mut streams: Vec<_> = (0..10).map(|_| open_events(serve.port)).collect();
    let page = root.join("content/runbooks/billing-job-stuck.md");
    let original = std::fs::read_to_string(&page).unwrap();
    let builds = serve.builds();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for edit in 0..30 {
                std::fs::write(&page, format!("{original}\nEdit {edit} under load.\n")).unwrap();
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        for worker in 0..8 {
            let serve = &serve;
            scope.spawn(move || {
                let paths = [
                    "/",
                    "/runbooks/",
                    "/runbooks/billing-job-stuck/",
                    "/style.css",
                    "/status/",
                ];
                for n in 0..100 {
                    let path = paths[(worker + n) % paths.len()];
                    let reply = serve.get(path);
                    assert_eq!(reply.status, 200, "{path} while editing");
                    assert!(!reply.body.is_empty(), "{path} came back empty");
                }
            });
        }
    });
    let status = serve.wait_for_build(builds);
    let last = status["generation"].as_u64().unwrap().to_string();
    // Every open page hears of the last build.
    for stream in &mut streams {
        while next_event(stream, "reload") != last {}
    }
    let served = serve.get("/runbooks/billing-job-stuck/").text();
    assert!(served.contains("Edit 29 under load."));
    assert_eq!(serve.status()["clients"], 10);
    drop(streams);
    drop(idle);
    serve.wait_until_no_clients();
}

/// Sends `bytes` as they are on a new connection and reads the reply until the server closes.
fn exchange(port: u16, bytes: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(bytes).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    parse_reply(&reply)
}

/// The resident memory of process `pid`, in MB.
fn resident_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap();
    kb / 1024
}

fn small_serve_handbook() -> Handbook {
    Handbook::new(&[
        ("opsbook.toml", "title = \"Stalled\"\n"),
        (
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
        ),
        ("content/runbooks/a.md", "+++\ntitle = \"A\"\n+++\nFirst.\n"),
    ])
}

#[test]
fn stalled_and_slow_clients_delay_no_other_request_and_event_streams_live_on() {
    let hb = small_serve_handbook();
    let serve = Serve::start(&hb.root);
    let mut events = open_events(serve.port);
    // Clients that announce a large body, send five bytes of it, and wait: 32 of them stopped
    // every request of the server this replaces.
    let stalled: Vec<TcpStream> = (0..32)
        .map(|i| {
            let mut stream = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
            let method = if i % 2 == 0 { "GET" } else { "POST" };
            write!(
                stream,
                "{method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\nhello"
            )
            .unwrap();
            stream
        })
        .collect();
    // Clients that never finish their request head.
    let slow: Vec<TcpStream> = (0..32)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                .unwrap();
            stream
        })
        .collect();
    let opened = Instant::now();
    for n in 0..20 {
        let path = ["/", "/runbooks/a/", "/style.css", "/__opsbook/status"][n % 4];
        let started = Instant::now();
        let reply = serve.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path} took {:?} beside stalled clients",
            started.elapsed()
        );
    }
    // The stalled ones were told that the preview takes no body, without it being read.
    for mut stream in stalled {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        let reply = String::from_utf8_lossy(&reply);
        assert!(
            reply.starts_with("HTTP/1.1 413 ") || reply.starts_with("HTTP/1.1 405 "),
            "{reply}"
        );
    }
    // The slow ones are closed once their head has taken too long (10 s).
    for mut stream in slow {
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        assert!(
            String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 408 "),
            "{}",
            String::from_utf8_lossy(&reply)
        );
    }
    assert!(opened.elapsed() >= Duration::from_secs(10));
    // The event stream opened first outlived the head timeout: the server writes to it, and
    // never reads from it again.
    hb.write(
        "content/runbooks/a.md",
        b"+++\ntitle = \"A\"\n+++\nSecond.\n",
    );
    next_event(&mut events, "reload");
    assert_eq!(serve.status()["clients"], 1);
}

#[test]
fn a_huge_request_head_is_refused_within_bounded_memory() {
    let hb = small_serve_handbook();
    let serve = Serve::start(&hb.root);
    let pid = serve.child.id();
    let before = resident_mb(pid);
    // 64 MB of one header, streamed (the server this replaces kept all of it, and more).
    let mut stream = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ")
        .unwrap();
    let block = vec![b'a'; 1024 * 1024];
    let mut sent = 0;
    while sent < 64 {
        if stream.write_all(&block).is_err() {
            break;
        }
        sent += 1;
    }
    let during = resident_mb(pid);
    assert!(sent < 64, "the server read all 64 MB of the head");
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 431 "),
        "{reply}"
    );
    drop(stream);
    assert!(
        during < before + 100,
        "memory went from {before} MB to {during} MB"
    );
    // Lines of headers instead of one: the same bound.
    let mut many = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_vec();
    for n in 0..20_000 {
        many.extend_from_slice(format!("X-{n}: {}\r\n", "b".repeat(20)).as_bytes());
    }
    let mut stream = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(&many);
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 431 "),
        "{reply}"
    );
    assert_eq!(serve.get("/").status, 200);
    assert!(resident_mb(pid) < before + 100);
}

#[test]
fn only_requests_for_this_machine_are_answered() {
    let hb = small_serve_handbook();
    let serve = Serve::start(&hb.root);
    let port = serve.port;
    let ask = |host: &str, path: &str| {
        exchange(
            port,
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    };
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        "localhost.evil.example".to_string(),
        "127.0.0.1.evil.example".to_string(),
        format!("10.0.0.1:{port}"),
        "[::1]x".to_string(),
        String::new(),
    ] {
        for path in ["/", "/__opsbook/status", "/__opsbook/events"] {
            let reply = ask(&host, path);
            assert_eq!(reply.status, 403, "Host: {host:?} {path}");
            assert!(!reply.text().contains("opsbook-serve-"), "{}", reply.text());
        }
    }
    for host in [
        "localhost".to_string(),
        format!("localhost:{port}"),
        format!("LocalHost.:{port}"),
        format!("preview.localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "127.0.0.2".to_string(),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(ask(&host, "/").status, 200, "Host: {host:?}");
    }
    // HTTP/1.1 needs a Host; HTTP/1.0 may leave it out.
    assert_eq!(exchange(port, b"GET / HTTP/1.1\r\n\r\n").status, 400);
    assert_eq!(exchange(port, b"GET / HTTP/1.0\r\n\r\n").status, 200);
    assert_eq!(
        exchange(
            port,
            b"GET / HTTP/1.1\r\nHost: a.example\r\nHost: localhost\r\n\r\n"
        )
        .status,
        400
    );
}

#[test]
fn the_private_output_folder_is_its_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let hb = small_serve_handbook();
    let serve = Serve::start(&hb.root);
    let private = serve.output().parent().unwrap().to_path_buf();
    assert!(private
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("opsbook-serve-"));
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{} has mode {mode:o}", private.display());
}

#[test]
fn a_static_folder_linked_out_of_the_handbook_is_not_served() {
    let hb = small_serve_handbook();
    let outside = hb.tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "OUTSIDE-THE-HANDBOOK").unwrap();
    std::os::unix::fs::symlink(&outside, hb.root.join("static")).unwrap();
    let serve = Serve::start(&hb.root);
    assert_eq!(serve.status()["state"], "ok", "{}", serve.log());
    let skipped =
        "warning: static: symbolic link skipped: opsbook never follows links out of the handbook";
    let log = serve.log_with(skipped);
    assert!(log.contains(skipped), "{log}");
    assert_eq!(serve.get("/runbooks/a/").status, 200);
    let reply = serve.get("/secret.txt");
    assert_eq!(reply.status, 404);
    assert!(!reply.text().contains("OUTSIDE-THE-HANDBOOK"));
    assert!(!serve.output().join("secret.txt").exists());
}

/// Whether an `event: NAME` arrives on `reader` within `wait`.
fn event_within(reader: &mut BufReader<TcpStream>, name: &str, wait: Duration) -> bool {
    reader.get_ref().set_read_timeout(Some(wait)).unwrap();
    let wanted = format!("event: {name}");
    let deadline = Instant::now() + wait;
    let mut seen = false;
    while Instant::now() < deadline && !seen {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => seen = line.trim_end() == wanted,
        }
    }
    reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    seen
}

#[test]
fn open_pages_are_written_and_reloaded_first_and_hear_of_each_rebuild_once() {
    let theme_base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"),
    )
    .unwrap();
    let hb = Handbook::new(&[
        ("opsbook.toml", "title = \"First\"\n"),
        ("content/runbooks/a.md", "+++\ntitle = \"Alpha\"\n+++\nA.\n"),
        ("content/runbooks/b.md", "+++\ntitle = \"Beta\"\n+++\nB.\n"),
        (
            "content/processes/c.md",
            "+++\ntitle = \"Gamma\"\n+++\nC.\n",
        ),
        ("templates/base.html", &theme_base),
    ]);
    let serve = Serve::start(&hb.root);
    let output = serve.output();
    let mut open = open_events_from(serve.port, "/runbooks/a/");
    let mut home = open_events_from(serve.port, "/");
    let mut elsewhere = open_events(serve.port);

    // A template edit: the open pages hear first, and already show it when they do.
    let builds = serve.builds();
    let marked = theme_base.replacen("</body>", "<!-- marker-one --></body>", 1);
    hb.write("templates/base.html", marked.as_bytes());
    let first: u64 = next_event(&mut open, "reload").parse().unwrap();
    let page = std::fs::read_to_string(output.join("runbooks/a/index.html")).unwrap();
    assert!(
        page.contains("marker-one"),
        "the open page was not written first"
    );
    let home_first: u64 = next_event(&mut home, "reload").parse().unwrap();
    assert!(std::fs::read_to_string(output.join("index.html"))
        .unwrap()
        .contains("marker-one"));
    let last: u64 = next_event(&mut elsewhere, "reload").parse().unwrap();
    assert!(
        first == home_first && first < last,
        "{first} {home_first} {last}"
    );
    for page in [
        "runbooks/b/index.html",
        "processes/c/index.html",
        "404.html",
    ] {
        let html = std::fs::read_to_string(output.join(page)).unwrap();
        assert!(html.contains("marker-one"), "{page} was not rendered again");
    }
    serve.wait_for_build(builds);
    assert!(
        !event_within(&mut open, "reload", Duration::from_millis(400)),
        "the open page was told twice"
    );

    // A title edit: the page that shows it, open, hears first and shows the new title.
    let builds = serve.builds();
    hb.write(
        "content/runbooks/a.md",
        b"+++\ntitle = \"Alpha renamed\"\n+++\nA.\n",
    );
    next_event(&mut open, "reload");
    let page = std::fs::read_to_string(output.join("runbooks/a/index.html")).unwrap();
    assert!(
        page.contains("Alpha renamed"),
        "the open page was not written first"
    );
    next_event(&mut elsewhere, "reload");
    serve.wait_for_build(builds);
    let url = format!("http://127.0.0.1:{}/", serve.port);
    assert_serves(&serve, &fresh_build(&hb.root, &url), "after the title edit");
}
