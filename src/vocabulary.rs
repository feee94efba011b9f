//! The words of the content model: what a page is, how bad an incident was, where a
//! postmortem or an incident update stands. Front matter, `opsbook.toml`, templates and the
//! status APIs all use these names; this module knows nothing else.

use serde::{Deserialize, Serialize};

/// What a page is; decides its fields, template and header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Page,
    Runbook,
    Process,
    Postmortem,
    Incident,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Runbook => "runbook",
            Kind::Process => "process",
            Kind::Postmortem => "postmortem",
            Kind::Incident => "incident",
        }
    }

    /// The kind of pages under a top-level content folder.
    pub(crate) fn from_folder(folder: &str) -> Kind {
        match folder {
            "runbooks" => Kind::Runbook,
            "processes" => Kind::Process,
            "postmortems" => Kind::Postmortem,
            "status" | "incidents" => Kind::Incident,
            _ => Kind::Page,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    Sev1,
    Sev2,
    Sev3,
    Sev4,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Impact {
    None,
    Minor,
    Major,
    Critical,
    Maintenance,
}

impl Impact {
    /// The name as front matter and the status APIs write it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Impact::None => "none",
            Impact::Minor => "minor",
            Impact::Major => "major",
            Impact::Critical => "critical",
            Impact::Maintenance => "maintenance",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum PostmortemStatus {
    Draft,
    InReview,
    Published,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum UpdateStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Scheduled,
    InProgress,
    Completed,
}

/// One word of the handbook's vocabulary of causes: what a postmortem names in `triggers`
/// (what set the incident off) and `contributing_factors` (what made it possible or worse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Factor {
    /// As front matter writes it: lower-case letters, digits, `-` and `_`.
    pub id: String,
    /// As pages show it.
    pub name: String,
    pub description: String,
}

/// The vocabulary a handbook starts with (`[postmortems] default_factors = false` drops it):
/// few enough to pick from without a guide, broad enough that most incidents fit.
pub(crate) const DEFAULT_FACTORS: [(&str, &str, &str); 8] = [
    (
        "change",
        "Change / deploy",
        "A deploy, release, migration or other planned change.",
    ),
    (
        "configuration",
        "Configuration",
        "A setting, flag, limit or policy that was wrong, missing or changed.",
    ),
    (
        "capacity",
        "Capacity",
        "Load or growth beyond what the system was sized for: traffic, data, quotas, resources.",
    ),
    (
        "dependency",
        "Dependency",
        "A failure of a service, vendor or component the system relies on.",
    ),
    (
        "hardware",
        "Hardware",
        "Failed or degraded hardware: disks, hosts, network equipment, power.",
    ),
    (
        "human-process",
        "Human / process",
        "A manual step or procedure that was missing, unclear or easy to get wrong.",
    ),
    (
        "monitoring-gap",
        "Monitoring gap",
        "Missing, noisy or misrouted alerts, or dashboards that did not show the problem.",
    ),
    ("unknown", "Unknown", "The cause is not known, or not yet."),
];

/// Whether `id` can name a factor: it lands in front matter, anchors and JSON as it is.
pub(crate) fn is_factor_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// `client-behaviour` → `Client behaviour`: the name of a factor declared without one.
pub(crate) fn factor_name(id: &str) -> String {
    let words = id.replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
