//! Relative links as authors write them (`../runbooks/x.md#step-2`, `../runbooks/object-store/`)
//! resolved against the content tree and rewritten to the target page's URL.
//!
//! The content tree is described by [`LinkTargets`]; this module only does path arithmetic.

/// What a link resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// Leave the link as it is (external, mail, protocol-relative…).
    Keep,
    /// Rewrite to `url`; `target` is the page or section id when it is one, for anchor checks.
    Rewrite { url: String, target: Option<usize> },
    /// Nothing at that path.
    Missing { reason: String },
}

/// Answers where content paths lead; implemented by the site model.
pub trait LinkTargets: Sync {
    /// A page or section whose file is `path` (relative to the content folder, `/`-separated).
    fn page_at(&self, path: &str) -> Option<(usize, &str)>;
    /// How messages name the content file `path`: as the user sees it in the handbook.
    fn file(&self, path: &str) -> String;
    /// Whether a non-markdown file exists at `path` (it is copied beside the pages).
    fn asset_exists(&self, path: &str) -> bool;
    /// The site's base path (`/handbook/`).
    fn base_path(&self) -> &str;
}

/// Resolves `href`, written in the file at `source` (content-relative).
pub(crate) fn resolve(href: &str, source: &str, targets: &dyn LinkTargets) -> Resolved {
    if href.is_empty() || href.starts_with('#') || has_scheme(href) || href.starts_with("//") {
        return Resolved::Keep;
    }
    let (path_part, fragment) = match href.find(['#', '?']) {
        Some(i) => (&href[..i], &href[i..]),
        None => (href, ""),
    };
    if let Some(rooted) = path_part.strip_prefix('/') {
        // Other tools' sites link their pages from the root by file name (`/docs/x.html`).
        if rooted.ends_with(".html") || rooted.ends_with(".md") {
            let decoded = percent_decode(rooted);
            for candidate in candidates(&decoded, false) {
                if let Some((id, url)) = targets.page_at(&candidate) {
                    return Resolved::Rewrite {
                        url: format!("{url}{fragment}"),
                        target: Some(id),
                    };
                }
            }
        }
        let url = format!("{}{}{}", targets.base_path(), rooted, fragment);
        return Resolved::Rewrite { url, target: None };
    }
    let decoded = percent_decode(path_part);
    let base_dir = source.rsplit_once('/').map_or("", |(dir, _)| dir);
    let Some(joined) = normalize(base_dir, &decoded) else {
        return Resolved::Missing {
            reason: "it points outside the content folder".into(),
        };
    };
    for candidate in candidates(&joined, decoded.ends_with('/')) {
        if let Some((id, url)) = targets.page_at(&candidate) {
            return Resolved::Rewrite {
                url: format!("{url}{fragment}"),
                target: Some(id),
            };
        }
    }
    if targets.asset_exists(&joined) {
        let url = format!("{}{}{}", targets.base_path(), joined, fragment);
        return Resolved::Rewrite { url, target: None };
    }
    Resolved::Missing {
        reason: format!("no page or file at `{}`", targets.file(&joined)),
    }
}

/// Source paths a link may mean: the file itself, or a folder's index, or a page without `.md`.
fn candidates(path: &str, is_folder: bool) -> Vec<String> {
    let trimmed = path.trim_end_matches('/');
    let index = |name: &str| {
        if trimmed.is_empty() {
            name.to_string()
        } else {
            format!("{trimmed}/{name}")
        }
    };
    if !is_folder && (path.ends_with(".md") || path.ends_with(".markdown")) {
        // A folder's README.md or index.md may have become its section's `_index.md`.
        let mut list = vec![path.to_string()];
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        if name == "readme.md" || name == "index.md" {
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            list.push(if dir.is_empty() {
                "_index.md".to_string()
            } else {
                format!("{dir}/_index.md")
            });
        }
        return list;
    }
    // Other tools' links: `x.html` and `x.mdx` name the page `x.md`.
    if let Some(stem) = trimmed
        .strip_suffix(".html")
        .or_else(|| trimmed.strip_suffix(".mdx"))
    {
        return vec![
            format!("{stem}.md"),
            format!("{stem}.mdx"),
            format!("{stem}/_index.md"),
            format!("{stem}/index.md"),
        ];
    }
    let mut list = vec![index("_index.md"), index("index.md")];
    if !trimmed.is_empty() {
        list.push(format!("{trimmed}.md"));
        list.push(format!("{trimmed}.mdx"));
        list.push(index("README.md"));
    }
    list
}

fn has_scheme(href: &str) -> bool {
    match href.find(':') {
        Some(i) => {
            let scheme = &href[..i];
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// Joins `relative` onto `base` and removes `.` and `..`; `None` when it climbs out of the root.
pub(crate) fn normalize(base: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    let mut joined = parts.join("/");
    if relative.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(high * 16 + low);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture;

    impl LinkTargets for Fixture {
        fn page_at(&self, path: &str) -> Option<(usize, &str)> {
            match path {
                "runbooks/disk.md" => Some((1, "/hb/runbooks/disk/")),
                "runbooks/object-store/index.md" => Some((2, "/hb/runbooks/object-store/")),
                "runbooks/_index.md" => Some((3, "/hb/runbooks/")),
                "my page.md" => Some((4, "/hb/my-page/")),
                _ => None,
            }
        }
        fn asset_exists(&self, path: &str) -> bool {
            path == "runbooks/object-store/chart.svg"
        }
        fn file(&self, path: &str) -> String {
            format!("content/{path}")
        }
        fn base_path(&self) -> &str {
            "/hb/"
        }
    }

    fn url(href: &str, source: &str) -> Resolved {
        resolve(href, source, &Fixture)
    }

    #[test]
    fn rewrites_md_folder_and_section_links() {
        let rewrite = |url: &str, target| Resolved::Rewrite {
            url: url.into(),
            target,
        };
        assert_eq!(
            url("../runbooks/disk.md#step-2", "processes/x.md"),
            rewrite("/hb/runbooks/disk/#step-2", Some(1))
        );
        assert_eq!(
            url("object-store/", "runbooks/disk.md"),
            rewrite("/hb/runbooks/object-store/", Some(2))
        );
        assert_eq!(
            url("./", "runbooks/disk.md"),
            rewrite("/hb/runbooks/", Some(3))
        );
        assert_eq!(
            url("my%20page.md", "x.md"),
            rewrite("/hb/my-page/", Some(4))
        );
        assert_eq!(
            url("chart.svg", "runbooks/object-store/index.md"),
            rewrite("/hb/runbooks/object-store/chart.svg", None)
        );
        assert_eq!(
            url("/static/logo.svg", "x.md"),
            rewrite("/hb/static/logo.svg", None)
        );
    }

    #[test]
    fn keeps_external_and_reports_missing() {
        assert_eq!(url("https://example.org/x.md", "a.md"), Resolved::Keep);
        assert_eq!(url("mailto:a@b", "a.md"), Resolved::Keep);
        assert_eq!(url("#local", "a.md"), Resolved::Keep);
        assert!(matches!(
            url("../nope.md", "runbooks/disk.md"),
            Resolved::Missing { .. }
        ));
        assert!(matches!(
            url("../../../etc/passwd", "a.md"),
            Resolved::Missing { .. }
        ));
    }
}
