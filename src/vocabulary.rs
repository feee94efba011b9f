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
