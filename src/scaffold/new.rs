//! `opsbook new KIND "Title"`: one page from the kind's archetype, named as the handbook
//! expects — `content/runbooks/slug.md`, `content/postmortems/YYYY-MM-DD-slug.md`,
//! `content/status/YYYY-MM-DD-slug.md` — never over an existing file.

use std::path::{Path, PathBuf};

use super::{shown, slug, write_new, Placeholders, ScaffoldError};
use crate::dates::DateTime;
use crate::render::DEFAULT_THEME;

/// The kinds `new` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewKind {
    Runbook,
    Process,
    Postmortem,
    Incident,
    Page,
}

impl NewKind {
    fn name(self) -> &'static str {
        match self {
            NewKind::Runbook => "runbook",
            NewKind::Process => "process",
            NewKind::Postmortem => "postmortem",
            NewKind::Incident => "incident",
            NewKind::Page => "page",
        }
    }

    /// The content folder pages of this kind live in.
    fn folder(self) -> &'static str {
        match self {
            NewKind::Runbook => "runbooks/",
            NewKind::Process => "processes/",
            NewKind::Postmortem => "postmortems/",
            NewKind::Incident => "status/",
            NewKind::Page => "",
        }
    }

    /// Postmortems and incidents are named after the day they happened.
    fn dated(self) -> bool {
        matches!(self, NewKind::Postmortem | NewKind::Incident)
    }
}

/// What to create.
#[derive(Debug, Clone)]
pub struct NewPage {
    pub root: PathBuf,
    pub kind: NewKind,
    pub title: String,
    /// Services (incidents: status components).
    pub services: Vec<String>,
    /// `sev1` … `sev4`; incidents turn it into an impact.
    pub severity: Option<String>,
    pub today: DateTime,
}

/// Writes the page; returns its path (under `root` as given).
pub fn create(page: &NewPage) -> Result<PathBuf, ScaffoldError> {
    let slug = slug(&page.title);
    if slug.is_empty() {
        return Err(ScaffoldError(
            "the title needs at least one letter or digit to name the file".into(),
        ));
    }
    let severity = page.severity.as_deref().unwrap_or("sev3");
    if !["sev1", "sev2", "sev3", "sev4"].contains(&severity) {
        return Err(ScaffoldError(format!(
            "unknown severity `{severity}`: expected sev1, sev2, sev3 or sev4"
        )));
    }
    let file_name = if page.kind.dated() {
        format!("{}-{slug}.md", page.today.date())
    } else {
        format!("{slug}.md")
    };
    let relative = format!("content/{}{file_name}", page.kind.folder());
    let mut values = Placeholders::new(page.today);
    values.string("title", &page.title);
    values.string("severity", severity);
    values.string("impact", impact_of(severity));
    values.list("services", &page.services);
    values.list("components", &page.services);
    let text = values.fill(&archetype(&page.root, page.kind)?);
    let path = shown(&page.root, &relative);
    write_new(&path, &text)?;
    Ok(path)
}

/// Incidents have an impact, not a severity.
fn impact_of(severity: &str) -> &'static str {
    match severity {
        "sev1" => "critical",
        "sev2" => "major",
        _ => "minor",
    }
}

/// The handbook's `archetypes/KIND.md`, else the default theme's.
fn archetype(root: &Path, kind: NewKind) -> Result<String, ScaffoldError> {
    let own = root.join("archetypes").join(format!("{}.md", kind.name()));
    match std::fs::read_to_string(&own) {
        Ok(text) => return Ok(text),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(ScaffoldError(format!(
                "cannot read `{}`: {e}",
                own.display()
            )))
        }
        Err(_) => {}
    }
    DEFAULT_THEME
        .get_file(format!("archetypes/{}.md", kind.name()))
        .and_then(|f| f.contents_utf8())
        .map(str::to_string)
        .ok_or_else(|| ScaffoldError(format!("no archetype for `{}`", kind.name())))
}
