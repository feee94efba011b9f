//! Answers HTTP requests from the private output folder with a small pool of worker threads.
//!
//! A request path is percent-decoded and checked before it touches the file system: `..` and
//! `.` segments (encoded or not), backslashes, NUL bytes and other control characters, empty
//! segments (`//etc`), drive letters (`/C:/…`) and invalid UTF-8 get 400. The file found must then canonicalize to a path
//! inside the output folder, so a symbolic link never leads out of it. Folders answer with their
//! `index.html` (and `/x` redirects to `/x/`), a missing file with the site's `404.html`, HTML
//! with the reload script injected. Every response says `Cache-Control: no-store`.
//!
//! Responses are written by hand so that they can say `Connection: close` (tiny_http drops that
//! header): tiny_http reads each connection on a thread of a pool that can leave a new
//! connection queued behind idle keep-alive ones when several arrive at once, which stalled a
//! page's last stylesheet or script for as long as the browser kept its other connections open.
//! Closing after each response keeps the pool moving; on a local machine it costs nothing.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tiny_http::{Method, Request, Server};

use super::reload::{self, EVENTS_PATH};
use super::Shared;

const STATUS_PATH: &str = "/__opsbook/status";
/// How long a request waits for the output folder while a build swaps it in.
const SWAP_WAIT: Duration = Duration::from_secs(3);

/// Starts `workers` threads answering requests on `listener`.
pub(super) fn start(
    listener: TcpListener,
    shared: Arc<Shared>,
    workers: usize,
) -> anyhow::Result<()> {
    let server = Server::from_listener(listener, None)
        .map_err(|e| anyhow::anyhow!("cannot start the HTTP server: {e}"))?;
    let server = Arc::new(server);
    let heartbeat = reload::heartbeat();
    for n in 0..workers {
        let server = Arc::clone(&server);
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name(format!("opsbook-http-{n}"))
            .spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(request, &shared, heartbeat);
                }
            })?;
    }
    Ok(())
}

fn handle(request: Request, shared: &Shared, heartbeat: Duration) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let reply = Reply::text(405, "only GET and HEAD\n").with("Allow", "GET, HEAD");
        return reply.send(request);
    }
    let target = request.url().to_string();
    let path = target.split(['?', '#']).next().unwrap_or("");
    match path {
        EVENTS_PATH => shared.hub.serve(request, heartbeat),
        STATUS_PATH => Reply {
            status: 200,
            content_type: mime_type("json"),
            body: shared.status_json().into_bytes(),
            headers: Vec::new(),
        }
        .send(request),
        _ => site_response(&target, shared).send(request),
    }
}

/// A complete response.
pub(super) struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub(super) fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            content_type: mime_type("txt"),
            body: text.as_bytes().to_vec(),
            headers: Vec::new(),
        }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes the response (headers only for HEAD) and closes the connection.
    pub(super) fn send(self, request: Request) {
        let head_only = *request.method() == Method::Head;
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut writer = request.into_writer();
        let _ = writer
            .write_all(head.as_bytes())
            .and_then(|()| {
                if head_only {
                    Ok(())
                } else {
                    writer.write_all(&self.body)
                }
            })
            .and_then(|()| writer.flush());
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// The answer for a path of the site.
fn site_response(target: &str, shared: &Shared) -> Reply {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let Ok(segments) = decode_path(path) else {
        return Reply::text(400, "bad request path\n");
    };
    if shared.status().generation == 0 {
        return no_site_yet(shared);
    }
    match locate(&shared.site, &segments, shared) {
        Found::File(file) => file_response(&file, 200, shared),
        Found::Folder => {
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            Reply::text(302, "").with("Location", format!("{path}/{query}"))
        }
        Found::Missing => not_found(shared),
    }
}

/// Percent-decodes `path` and splits it into segments; `Err` for anything that could step
/// outside the site or is not a plain path. A trailing slash gives a last empty segment.
pub(super) fn decode_path(path: &str) -> Result<Vec<String>, ()> {
    let rest = path.strip_prefix('/').ok_or(())?;
    let decoded = String::from_utf8(percent_decode(rest.as_bytes())?).map_err(|_| ())?;
    if decoded.contains(['\\', '\0']) || decoded.contains(char::is_control) {
        return Err(());
    }
    let segments: Vec<String> = decoded.split('/').map(str::to_string).collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        let empty_inside = segment.is_empty() && i != last;
        let drive = segment.len() == 2
            && segment.as_bytes()[0].is_ascii_alphabetic()
            && segment.ends_with(':');
        if empty_inside || segment == "." || segment == ".." || drive {
            return Err(());
        }
    }
    Ok(segments)
}

fn percent_decode(bytes: &[u8]) -> Result<Vec<u8>, ()> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(())?;
            let text = std::str::from_utf8(hex).map_err(|_| ())?;
            out.push(u8::from_str_radix(text, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

enum Found {
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    Folder,
    Missing,
}

/// Finds the file for `segments` inside `site`, never outside it.
fn locate(site: &Path, segments: &[String], shared: &Shared) -> Found {
    wait_for_swap(site, shared);
    let Ok(root) = site.canonicalize() else {
        return Found::Missing;
    };
    let mut path = root.clone();
    path.extend(segments.iter().filter(|s| !s.is_empty()));
    let Some(real) = path.canonicalize().ok().filter(|p| p.starts_with(&root)) else {
        return Found::Missing;
    };
    if real.is_file() {
        return Found::File(real);
    }
    if !real.is_dir() {
        return Found::Missing;
    }
    if segments.last().is_some_and(|s| !s.is_empty()) {
        return Found::Folder;
    }
    match real.join("index.html").canonicalize() {
        Ok(index) if index.starts_with(&root) && index.is_file() => Found::File(index),
        _ => Found::Missing,
    }
}

/// A build replaces the output folder by two renames; a request in between waits for the second.
fn wait_for_swap(site: &Path, shared: &Shared) {
    let started = Instant::now();
    while !site.is_dir() && shared.status().building && started.elapsed() < SWAP_WAIT {
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn file_response(file: &Path, status: u16, shared: &Shared) -> Reply {
    let Ok(bytes) = std::fs::read(file) else {
        return not_found(shared);
    };
    let extension = file
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let body = if extension == "html" {
        reload::inject(&bytes, &shared.hub.version())
    } else {
        bytes
    };
    Reply {
        status,
        content_type: mime_type(&extension),
        body,
        headers: Vec::new(),
    }
}

fn not_found(shared: &Shared) -> Reply {
    match locate(&shared.site, &["404.html".to_string()], shared) {
        Found::File(file) if std::fs::metadata(&file).is_ok() => file_response(&file, 404, shared),
        _ => Reply::text(404, "not found\n"),
    }
}

/// What every page shows while the first build has not succeeded: the overlay says why.
fn no_site_yet(shared: &Shared) -> Reply {
    let page = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>opsbook serve</title></head>\n<body><h1>opsbook serve</h1><p>The handbook has errors, so there is no site to show yet. Fix them and this page reloads.</p></body></html>\n";
    Reply {
        status: 503,
        content_type: mime_type("html"),
        body: reload::inject(page.as_bytes(), &shared.hub.version()),
        headers: Vec::new(),
    }
}

/// The `Content-Type` of a file extension (lower case).
pub(super) fn mime_type(extension: &str) -> &'static str {
    match extension {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_decode_into_segments() {
        assert_eq!(decode_path("/").unwrap(), [""]);
        assert_eq!(decode_path("/a/b/").unwrap(), ["a", "b", ""]);
        assert_eq!(decode_path("/a%20b/c.html").unwrap(), ["a b", "c.html"]);
        assert_eq!(decode_path("/caf%C3%A9/").unwrap(), ["café", ""]);
        assert_eq!(decode_path("/a..b/").unwrap(), ["a..b", ""]);
    }

    #[test]
    fn every_traversal_form_is_refused() {
        for bad in [
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2e/x",
            "/%2e./x",
            "/..%2fetc%2fpasswd",
            "/..%2Fetc",
            "/..\\..\\x",
            "/a%5c..%5cx",
            "/%00",
            "/a%00.html",
            "/a%0d%0aSet-Cookie:%20x",
            "/a\nb",
            "//etc/passwd",
            "/a//b",
            "/C:/Windows/win.ini",
            "/c%3A/x",
            "/./x",
            "/%ff",
            "/%zz",
            "/%2",
            "etc/passwd",
            "http://example.org/",
        ] {
            assert!(decode_path(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn mime_types_of_site_files() {
        assert_eq!(mime_type("css"), "text/css; charset=utf-8");
        assert_eq!(mime_type("woff2"), "font/woff2");
        assert_eq!(mime_type("ics"), "text/calendar; charset=utf-8");
        assert_eq!(mime_type("bin"), "application/octet-stream");
    }
}
