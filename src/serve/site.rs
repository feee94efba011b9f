//! The site's files as the preview answers them: a request path decoded and checked before it
//! touches the file system, the file found inside the output folder and nowhere else, folders
//! by their `index.html`, a missing file by the site's `404.html`, HTML with the reload script.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::http::Reply;
use super::reload;
use super::Shared;

/// How long a request waits for the output folder while a build swaps it in.
const SWAP_WAIT: Duration = Duration::from_secs(3);

/// The answer for a path of the site.
pub(super) fn site_response(target: &str, shared: &Shared) -> Reply {
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

pub(super) fn percent_decode(bytes: &[u8]) -> Result<Vec<u8>, ()> {
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

/// A build without an atomic exchange replaces the output folder by two renames; a request in
/// between waits for the second.
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
