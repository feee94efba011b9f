//! Links hard-coded in the handbook's own templates, checked against every URL the site will have
//! (links written from the site root are checked by the build: [`crate::build::KnownUrls`]).

use std::path::Path;

use super::finding;
use crate::build::KnownUrls;
use crate::diagnostic::{Diagnostics, Location};

/// Hard-coded links in the handbook's own templates (`href="{{ site.base_path }}runbooks/"`,
/// `href="/runbooks/"`) that lead nowhere. The default theme's links are tested with it.
pub(super) fn template_links(urls: &KnownUrls<'_>, root: &Path, out: &mut Diagnostics) {
    let site = urls.site();
    let theme = Path::new("themes")
        .join(&site.config.theme)
        .join("templates");
    for folder in [Path::new("templates").to_path_buf(), theme] {
        // The render stage never reads a linked folder (the source stage warns about it).
        if crate::source::linked_folder(root, &root.join(&folder)).is_some() {
            continue;
        }
        for entry in walkdir::WalkDir::new(root.join(&folder))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let shown = crate::diagnostic::display_path(root, entry.path());
            for (offset, href) in hard_coded_links(&text) {
                if !urls.resolves(href) {
                    let (line, column) =
                        crate::diagnostic::LineIndex::new(&text).position(&text, offset);
                    out.push(finding(
                        "template",
                        Location::at(&shown, line, column),
                        format!("template links to `{href}`, which is no page, alias or file of the site"),
                    ));
                }
            }
        }
    }
}

/// `href` and `src` values that name a fixed site path: the offset of the value and the path
/// without the base. Values built from variables are left alone.
fn hard_coded_links(text: &str) -> Vec<(usize, &str)> {
    const BASES: [&str; 4] = [
        "{{ site.base_path }}",
        "{{site.base_path}}",
        "{{ site.base_url }}",
        "{{site.base_url}}",
    ];
    let mut links = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        for (start, _) in text.match_indices(attribute) {
            let value_start = start + attribute.len();
            let Some(length) = text[value_start..].find('"') else {
                continue;
            };
            let value = &text[value_start..value_start + length];
            let path = BASES
                .iter()
                .find_map(|base| value.strip_prefix(base))
                .or_else(|| value.strip_prefix('/').filter(|v| !v.starts_with('/')));
            if let Some(path) = path.filter(|p| !p.contains("{{") && !p.contains("{%")) {
                links.push((value_start, path));
            }
        }
    }
    links.sort();
    links
}
