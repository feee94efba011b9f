//! The rules `check` adds to what `build` validates. Each reads the assembled site and pushes
//! findings; none changes the site. Locations point at the front matter field concerned, or at
//! the line of the body the finding is about.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::action_items::{self, section_matches};
use super::finding;
use crate::config::CheckPolicy;
use crate::dates::DateTime;
use crate::diagnostic::{Diagnostics, Location};
use crate::model::{Page, Site};
use crate::render::DEFAULT_THEME;
use crate::source::meta::{Impact, PostmortemStatus};
use crate::source::Kind;

/// What every rule may read.
pub struct Context<'a> {
    pub site: &'a Site,
    pub root: &'a Path,
    pub policy: &'a CheckPolicy,
    pub today: DateTime,
}

pub fn run_all(context: &Context<'_>, out: &mut Diagnostics) {
    let urls = KnownUrls::new(context.site, context.root);
    for (id, page) in context.site.pages.iter().enumerate() {
        if page.document.is_none() {
            continue;
        }
        rooted_links(page, &urls, out);
        if page.is_section() {
            continue;
        }
        required_fields(page, out);
        match page.kind {
            Kind::Runbook => {
                review(page, out);
                runbook_owner(page, out);
            }
            Kind::Process => review(page, out),
            Kind::Incident => incident(context, id, page, out),
            Kind::Postmortem => postmortem(context, page, out),
            Kind::Page => {}
        }
    }
    duplicate_alerts(context.site, out);
    orphan_pages(context.site, out);
    duplicate_titles(context.site, out);
}

fn file_of(page: &Page) -> String {
    format!("content/{}", page.path)
}

/// Fields each kind needs; a group is satisfied by any one of its fields.
fn required(kind: Kind) -> &'static [&'static [&'static str]] {
    match kind {
        Kind::Runbook | Kind::Process => &[&["last_reviewed"]],
        Kind::Postmortem => &[&["started", "date"], &["severity"], &["status"]],
        Kind::Incident => &[&["impact"], &["started", "scheduled_start"]],
        Kind::Page => &[],
    }
}

fn has_field(page: &Page, field: &str) -> bool {
    let meta = &page.meta;
    match field {
        "last_reviewed" => meta.last_reviewed.is_some(),
        "started" => meta.started.is_some(),
        "date" => meta.date.is_some(),
        "severity" => meta.severity.is_some(),
        "status" => meta.status.is_some(),
        "impact" => meta.impact.is_some(),
        "scheduled_start" => meta.scheduled_start.is_some(),
        _ => true,
    }
}

fn required_fields(page: &Page, out: &mut Diagnostics) {
    for group in required(page.kind) {
        if group.iter().any(|field| has_field(page, field)) {
            continue;
        }
        let names: Vec<String> = group.iter().map(|f| format!("`{f}`")).collect();
        out.push(
            finding(
                "missing-field",
                page.location_of(group[0]),
                format!("{} page has no {}", page.kind.as_str(), names.join(" or ")),
            )
            .with_hint(format!(
                "every {} needs it; `opsbook new {}` writes a complete front matter",
                page.kind.as_str(),
                page.kind.as_str()
            )),
        );
    }
}

fn review(page: &Page, out: &mut Diagnostics) {
    let Some(review) = page.review.filter(|r| r.overdue_days > 0) else {
        return;
    };
    let last = page.meta.last_reviewed.map(|d| d.iso()).unwrap_or_default();
    out.push(
        finding(
            "review-overdue",
            page.location_of("last_reviewed"),
            format!(
                "review overdue by {} days (last reviewed {last}, due every {} days)",
                review.overdue_days, review.interval_days
            ),
        )
        .with_hint("review the page, then set `last_reviewed` to the day you did"),
    );
}

fn runbook_owner(page: &Page, out: &mut Diagnostics) {
    if page.meta.owners.is_empty() {
        out.push(
            finding(
                "runbook-no-owner",
                page.location_of("owners"),
                "runbook has no owners",
            )
            .with_hint("add `owners = [\"team-name\"]`: who keeps it right"),
        );
    }
}

fn incident(context: &Context<'_>, id: usize, page: &Page, out: &mut Diagnostics) {
    let meta = &page.meta;
    for (index, pair) in meta.updates.windows(2).enumerate() {
        if pair[1].at < pair[0].at {
            out.push(
                finding(
                    "incident-update-order",
                    page.location_of(&format!("updates.{}.at", index + 1)),
                    format!(
                        "update at {} comes before the update above it ({})",
                        pair[1].at, pair[0].at
                    ),
                )
                .with_hint("list updates oldest first"),
            );
        }
    }
    if let (Some(started), None) = (meta.started, meta.resolved) {
        let days = started.days_until(&context.today);
        let max = i64::from(context.policy.ongoing_incident_max_days);
        if meta.impact != Some(Impact::Maintenance) && days > max {
            out.push(finding(
                "incident-ongoing",
                page.location_of("started"),
                format!("incident has been ongoing for {days} days (more than {max})"),
            ).with_hint("set `resolved` when it is over; the age is `ongoing_incident_max_days` in [checks]"));
        }
    }
    let needs_postmortem = meta.resolved.is_some()
        && meta
            .impact
            .is_some_and(|i| context.policy.postmortem_required_impacts.contains(&i));
    if needs_postmortem && context.site.postmortem_of(id).is_none() {
        out.push(
            finding(
                "postmortem-missing",
                page.location_of("impact"),
                format!(
                    "{} incident has no postmortem",
                    meta.impact.map_or("", impact_name)
                ),
            )
            .with_hint(format!(
                "write one with `opsbook new postmortem` and set its `incident = \"{}\"`",
                page.stem()
            )),
        );
    }
}

fn impact_name(impact: Impact) -> &'static str {
    match impact {
        Impact::None => "none",
        Impact::Minor => "minor",
        Impact::Major => "major",
        Impact::Critical => "critical",
        Impact::Maintenance => "maintenance",
    }
}

fn postmortem(context: &Context<'_>, page: &Page, out: &mut Diagnostics) {
    let Some(document) = &page.document else {
        return;
    };
    let file = file_of(page);
    let headings = action_items::headings(document.body(), document.body_line);
    for section in &context.policy.postmortem_sections {
        if !headings.iter().any(|h| section_matches(&h.text, section)) {
            out.push(
                finding(
                    "postmortem-section-missing",
                    Location::at(&file, document.body_line, 1),
                    format!("postmortem has no `{section}` section"),
                )
                .with_hint(format!(
                    "add a `## {section}` heading; the required sections are `postmortem_sections` in [checks]"
                )),
            );
        }
    }
    let items = action_items::action_items(document.body(), document.body_line);
    if items.is_empty() && page.meta.status == Some(PostmortemStatus::Published) {
        out.push(
            finding(
                "postmortem-no-action-items",
                page.location_of("status"),
                "published postmortem has no action items",
            )
            .with_hint("list them as task items: `- [ ] what (@owner, due YYYY-MM-DD)`"),
        );
    }
    for item in items {
        let at = Location::at(&file, item.line, item.column);
        if item.owners.is_empty() {
            out.push(
                finding(
                    "action-item-no-owner",
                    at.clone(),
                    format!("action item has no owner: {}", item.text),
                )
                .with_hint("name one with `@`: `(@team-data, due 2026-12-01)`"),
            );
        }
        if let Some(due) = item.due.filter(|due| !item.done && *due < context.today) {
            out.push(
                finding(
                    "action-item-overdue",
                    at,
                    format!("open action item was due {}: {}", due.iso(), item.text),
                )
                .with_hint("tick it (`[x]`) when done, or set a new `due` date"),
            );
        }
    }
}

fn duplicate_alerts(site: &Site, out: &mut Diagnostics) {
    let mut first: HashMap<&str, &Page> = HashMap::new();
    for page in site.pages.iter().filter(|p| p.kind == Kind::Runbook) {
        for (index, alert) in page.meta.alerts.iter().enumerate() {
            match first.get(alert.as_str()) {
                Some(other) => out.push(
                    finding(
                        "duplicate-alert",
                        page.location_of(&format!("alerts.{index}")),
                        format!("alert `{alert}` is also declared by `{}`", file_of(other)),
                    )
                    .with_hint("an alert leads to one runbook: declare it in only one of them"),
                ),
                None => {
                    first.insert(alert, page);
                }
            }
        }
    }
}

/// Pages a section lists: the default section and home templates list all their pages; a
/// section with its own `template` may not.
fn lists_its_pages(section: &Page) -> bool {
    matches!(
        section.meta.template.as_deref(),
        None | Some("section.html") | Some("index.html")
    )
}

fn orphan_pages(site: &Site, out: &mut Diagnostics) {
    // A page is shown when every section above it lists its pages.
    let reached: Vec<bool> = (0..site.pages.len())
        .map(|id| {
            site.ancestors(id)
                .iter()
                .all(|&s| lists_its_pages(&site.pages[s]))
        })
        .collect();
    for (id, page) in site.pages.iter().enumerate().skip(1) {
        if reached[id] || !page.backlinks.is_empty() || page.document.is_none() {
            continue;
        }
        out.push(
            finding(
                "orphan-page",
                Location::at(file_of(page), 1, 1),
                "no page links here and no section list shows this page",
            )
            .with_hint("link to it from a related page, or delete it if it is obsolete"),
        );
    }
}

/// Incidents are told apart by their date, and often share a title ("Elevated error rates").
fn duplicate_titles(site: &Site, out: &mut Diagnostics) {
    let sections = site.pages.iter().filter(|p| p.kind != Kind::Incident);
    for section in sections.filter_map(|p| p.list.as_ref()) {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut ids = section.pages.clone();
        ids.sort_by(|&a, &b| site.pages[a].path.cmp(&site.pages[b].path));
        for id in ids {
            let page = &site.pages[id];
            match seen.get(&page.title.to_lowercase()) {
                Some(&other) => out.push(
                    finding(
                        "duplicate-title",
                        page.location_of("title"),
                        format!(
                            "`{}` has the same title as `{}` in this section",
                            page.title,
                            file_of(&site.pages[other])
                        ),
                    )
                    .with_hint("readers tell pages apart by title: make one more specific"),
                ),
                None => {
                    seen.insert(page.title.to_lowercase(), id);
                }
            }
        }
    }
}

/// Every URL the site will have that a rooted link may name: pages, aliases, assets, static
/// files, taxonomy pages and the files every build writes.
pub struct KnownUrls<'a> {
    site: &'a Site,
    /// Page URL → page id.
    pages: HashMap<String, usize>,
    files: BTreeSet<String>,
}

/// Generated areas other parts of the build own; rooted links into them are not checked.
const GENERATED_AREAS: [&str; 2] = ["search/", "alerts/"];

impl<'a> KnownUrls<'a> {
    pub fn new(site: &'a Site, root: &Path) -> Self {
        let mut files: BTreeSet<String> = site.assets.iter().cloned().collect();
        files.extend(
            [
                "404.html",
                "sitemap.xml",
                "robots.txt",
                "syntax-light.css",
                "syntax-dark.css",
            ]
            .map(String::from),
        );
        for (name, terms) in &site.taxonomies {
            if !terms.is_empty() {
                files.insert(format!("{name}/"));
            }
            files.extend(terms.keys().map(|slug| format!("{name}/{slug}/")));
        }
        if let Some(dir) = DEFAULT_THEME.get_dir("static") {
            let mut stack = vec![dir];
            while let Some(dir) = stack.pop() {
                stack.extend(dir.dirs());
                files.extend(dir.files().filter_map(|f| {
                    let relative = f.path().strip_prefix("static").ok()?;
                    Some(relative.to_string_lossy().replace('\\', "/"))
                }));
            }
        }
        let theme = root.join("themes").join(&site.config.theme).join("static");
        for folder in [theme, root.join("static")] {
            for entry in walkdir::WalkDir::new(&folder).into_iter().flatten() {
                if let Ok(relative) = entry.path().strip_prefix(&folder) {
                    if entry.file_type().is_file() {
                        files.insert(relative.to_string_lossy().replace('\\', "/"));
                    }
                }
            }
        }
        let pages = (site.pages.iter().enumerate())
            .map(|(id, p)| (p.url.clone(), id))
            .collect();
        KnownUrls { site, pages, files }
    }

    /// Whether a site path (no base path, no leading `/`) is something the site will have.
    fn resolves(&self, path: &str) -> bool {
        let path = path.split(['#', '?']).next().unwrap_or("");
        if path.is_empty() || GENERATED_AREAS.iter().any(|a| path.starts_with(a)) {
            return true;
        }
        let as_folder = as_folder(path);
        self.page(path).is_some()
            || self.site.aliases.contains_key(path)
            || self.files.contains(path)
            || self.files.contains(&as_folder)
    }

    /// The page at a site path, directly or through one of its `aliases`.
    fn page(&self, path: &str) -> Option<usize> {
        let as_folder = as_folder(path.split(['#', '?']).next().unwrap_or(""));
        self.pages
            .get(&as_folder)
            .or_else(|| self.site.aliases.get(&as_folder))
            .copied()
    }
}

/// `runbooks/x`, `runbooks/x/index.html` → `runbooks/x/`.
fn as_folder(path: &str) -> String {
    let path = path.strip_suffix("index.html").unwrap_or(path);
    if path.ends_with('/') || path.is_empty() {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

/// Links written from the site root (`/runbooks/x/#step-2`), which markdown keeps as they are.
fn rooted_links(page: &Page, urls: &KnownUrls<'_>, out: &mut Diagnostics) {
    for link in &page.rendered.rooted_links {
        let at = Location::at(file_of(page), link.line, link.column);
        let path = &link.href[1..];
        if !urls.resolves(path) {
            out.push(finding(
                "broken-link",
                at,
                format!(
                    "broken link `{}`: no page, alias or file has that URL",
                    link.href
                ),
            ));
            continue;
        }
        let target = urls.page(path).map(|id| &urls.site.pages[id]);
        if let (Some(target), Some(anchor)) = (target, &link.anchor) {
            if !target.rendered.anchors.contains(anchor.as_str()) {
                out.push(finding(
                    "broken-anchor",
                    at,
                    format!(
                        "broken link `{}`: `{}` has no heading with the id `{anchor}`",
                        link.href,
                        file_of(target)
                    ),
                ));
            }
        }
    }
}

/// Hard-coded links in the handbook's own templates (`href="{{ site.base_path }}runbooks/"`,
/// `href="/runbooks/"`) that lead nowhere. The default theme's links are tested with it.
pub fn template_links(site: &Site, root: &Path, out: &mut Diagnostics) {
    let urls = KnownUrls::new(site, root);
    let theme = Path::new("themes")
        .join(&site.config.theme)
        .join("templates");
    for folder in [Path::new("templates").to_path_buf(), theme] {
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
