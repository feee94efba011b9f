//! `--offline`: a site that works opened from disk (`file://`), search included. Every internal
//! URL in the HTML becomes relative to the page, and folder URLs name their `index.html`, since
//! a browser reading files does not look for an index itself.
//!
//! Only double-quoted `href`, `src` and `action` attributes and meta-refresh targets are
//! rewritten: that is everything the theme and the markdown renderer write. Absolute URLs
//! (`https://…`, canonical and OpenGraph links) are left alone.

/// Rewrites the internal URLs of `html`, the file at `path` (relative to the site root, like
/// `runbooks/disk/index.html`), on a site whose URLs start with `base_path` (`/handbook/`).
pub(super) fn relativize(html: &str, path: &str, base_path: &str) -> String {
    let up = "../".repeat(path.matches('/').count());
    let mut out = String::with_capacity(html.len() + html.len() / 32);
    let mut rest = html;
    while let Some((before, attribute, after)) = next_url(rest) {
        out.push_str(before);
        out.push_str(attribute);
        let end = after.find('"').unwrap_or(after.len());
        let value = &after[..end];
        match value
            .strip_prefix(base_path)
            .filter(|_| !value.starts_with("//"))
        {
            Some(target) => {
                out.push_str(&up);
                out.push_str(&with_index(target));
            }
            None => out.push_str(value),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Splits at the next URL-carrying attribute: text before it, the attribute up to its opening
/// quote (or `url=` of a meta refresh), and the text from the URL on.
fn next_url(html: &str) -> Option<(&str, &str, &str)> {
    const MARKERS: [&str; 4] = [" href=\"", " src=\"", " action=\"", "; url="];
    let (start, marker) = MARKERS
        .iter()
        .filter_map(|m| html.find(m).map(|i| (i, *m)))
        .min_by_key(|(i, _)| *i)?;
    let url_start = start + marker.len();
    Some((&html[..start], &html[start..url_start], &html[url_start..]))
}

/// `runbooks/disk/#step` → `runbooks/disk/index.html#step`; `` → `index.html`.
fn with_index(target: &str) -> String {
    let split = target.find(['#', '?']).unwrap_or(target.len());
    let (path, suffix) = target.split_at(split);
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html{suffix}")
    } else {
        target.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_urls_become_relative_with_index_files() {
        let html = r##"<a href="/hb/runbooks/disk/#step-2">x</a><link href="/hb/style.css"><img src="/hb/a/b.svg"><a href="https://x.org/hb/y/">e</a><a href="#top">t</a><form action="/hb/search/"><meta http-equiv="refresh" content="0; url=/hb/runbooks/">"##;
        let out = relativize(html, "processes/on-call/index.html", "/hb/");
        assert_eq!(
            out,
            r##"<a href="../../runbooks/disk/index.html#step-2">x</a><link href="../../style.css"><img src="../../a/b.svg"><a href="https://x.org/hb/y/">e</a><a href="#top">t</a><form action="../../search/index.html"><meta http-equiv="refresh" content="0; url=../../runbooks/index.html">"##
        );
    }

    #[test]
    fn the_home_page_and_a_root_base_path() {
        let out = relativize(
            r#"<a href="/">home</a> <a href="//cdn.example/x">x</a>"#,
            "index.html",
            "/",
        );
        assert_eq!(
            out,
            r#"<a href="index.html">home</a> <a href="//cdn.example/x">x</a>"#
        );
    }
}
