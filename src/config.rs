//! `opsbook.toml`: read, check, and turn into the settings every later stage uses.
//!
//! Unknown keys are errors (with line and column) so a typo never silently does nothing. This
//! module reads one file and knows nothing of content.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, LineIndex, Location};
use crate::language::Language;
use crate::vocabulary::{Factor, Impact, Kind};

mod language;

pub(crate) const CONFIG_FILE: &str = "opsbook.toml";

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<toml::Spanned<String>>,
    language: Option<toml::Spanned<String>>,
    repo_url: Option<String>,
    branch: Option<String>,
    theme: Option<String>,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    status: RawStatus,
    #[serde(default)]
    checks: RawChecks,
    #[serde(default)]
    content: RawContent,
    #[serde(default)]
    markdown: RawMarkdown,
    #[serde(default)]
    search: RawSearch,
    #[serde(default)]
    postmortems: RawPostmortems,
}

/// The vocabulary postmortems name their triggers and contributing factors in.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPostmortems {
    /// Whether the built-in factors come first (`false`: only the handbook's own).
    default_factors: Option<bool>,
    #[serde(default)]
    factors: Vec<RawFactor>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFactor {
    id: toml::Spanned<String>,
    name: Option<String>,
    description: String,
}

/// The site's search.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    enabled: Option<bool>,
    #[serde(default)]
    synonyms: Vec<Vec<toml::Spanned<String>>>,
}

/// How page bodies are read.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMarkdown {
    raw_html: Option<bool>,
}

/// Where the markdown lives and what its folders hold, for handbooks laid out by another tool.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawContent {
    dir: Option<String>,
    #[serde(default)]
    kinds: BTreeMap<String, Kind>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBuild {
    broken_links: Option<LinkPolicy>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawStatus {
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawChecks {
    review_interval_days: Option<u32>,
    #[serde(default)]
    rules: BTreeMap<String, RuleLevel>,
    postmortem_sections: Option<Vec<String>>,
    ongoing_incident_max_days: Option<u32>,
    postmortem_required_impacts: Option<Vec<Impact>>,
    #[serde(default)]
    alert_labels: Vec<String>,
    recurrence_days: Option<u32>,
}

/// The level `[checks] rules` gives one `opsbook check` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RuleLevel {
    Error,
    Warning,
    Off,
}

/// The `[checks]` policies `opsbook check` applies beyond what `build` validates.
#[derive(Debug, Clone)]
pub(crate) struct CheckPolicy {
    /// Rule id → level, as written; unknown ids are reported by `check`.
    pub rules: BTreeMap<String, RuleLevel>,
    /// Headings every postmortem must have, matched without regard to case.
    pub postmortem_sections: Vec<String>,
    /// An incident still open after this many days is reported.
    pub ongoing_incident_max_days: u32,
    /// Resolved incidents of these impacts need a postmortem naming them.
    pub postmortem_required_impacts: Vec<Impact>,
    /// Labels every alert carries besides its rule's own (those the scrape config adds).
    pub alert_labels: Vec<String>,
    /// A factor hitting a service again within this many days is a recurrence.
    pub recurrence_days: u32,
}

pub(crate) const DEFAULT_POSTMORTEM_SECTIONS: [&str; 5] = [
    "Summary",
    "Impact",
    "Timeline",
    "Root cause",
    "Action items",
];

/// What a link to a missing page or anchor does to the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LinkPolicy {
    #[default]
    Error,
    Warn,
}

/// A part of the service shown on the status page.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Component {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub group: Option<String>,
    /// The availability target in percent, strictly between 0 and 100 (`99.9`).
    pub slo: Option<toml::Spanned<f64>>,
    /// Whether maintenance counts as down time against the target (it does not by default).
    #[serde(default)]
    pub slo_counts_maintenance: bool,
    /// Since when the component is watched: its availability counts from then.
    #[serde(default, deserialize_with = "date_in_toml")]
    pub observed_since: Option<crate::dates::DateTime>,
    /// Line and column of `slo` in `opsbook.toml`.
    #[serde(skip)]
    pub slo_at: (usize, usize),
}

impl Component {
    /// The availability target in parts per million (99.9 % is 999,000).
    pub(crate) fn slo_ppm(&self) -> Option<u32> {
        self.slo
            .as_ref()
            .map(|s| (s.get_ref() * 10_000.0).round() as u32)
    }
}

/// A date or date-time written as TOML writes it (`2026-01-01`), or as a string.
fn date_in_toml<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<crate::dates::DateTime>, D::Error> {
    let value = toml::Value::deserialize(deserializer)?;
    let text = match &value {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => {
            return Err(serde::de::Error::custom(format!(
                "expected a date, found {}",
                other.type_str()
            )))
        }
    };
    crate::dates::DateTime::parse(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// The checked configuration of one handbook.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    /// Absolute site URL, always ending in `/`.
    pub(crate) base_url: String,
    /// The path part of `base_url`, always starting and ending in `/`.
    pub(crate) base_path: String,
    /// `<html lang>`: `language` as written, a name as its code (`german` → `de`).
    pub(crate) language: String,
    /// The language search analyzes the handbook's text and queries in.
    pub(crate) search_language: Language,
    pub(crate) repo_url: Option<String>,
    pub(crate) branch: String,
    pub(crate) theme: String,
    pub(crate) broken_links: LinkPolicy,
    pub(crate) components: Vec<Component>,
    pub(crate) review_interval_days: u32,
    /// Whether `[checks] review_interval_days` is written: the handbook tracks reviews.
    pub(crate) tracks_reviews: bool,
    /// The content folder relative to the handbook (`content`; `""` for the handbook itself).
    pub(crate) content_dir: String,
    /// Folder name → kind of the pages under it, beside the built-in names.
    pub(crate) folder_kinds: BTreeMap<String, Kind>,
    pub(crate) checks: CheckPolicy,
    /// Whether HTML written in markdown passes through (`[markdown] raw_html`, on by default:
    /// a handbook is trusted content). Off, it is escaped into text, and links with a
    /// `javascript:`, `vbscript:` or `data:` URL lose it.
    pub(crate) raw_html: bool,
    /// Whether the site has its search box and index (`[search] enabled`, on by default).
    pub(crate) search: bool,
    /// Groups of words that find each other (`[search] synonyms`), one word each.
    pub(crate) synonyms: Vec<Vec<String>>,
    /// What postmortems may name in `triggers` and `contributing_factors`, in the order pages
    /// list them.
    pub(crate) factors: Vec<Factor>,
}

pub(crate) const DEFAULT_REVIEW_INTERVAL_DAYS: u32 = 180;

impl Default for Config {
    fn default() -> Self {
        Config::from_raw(RawConfig::default())
    }
}

impl Config {
    /// Reads `opsbook.toml` in `root`; a handbook without one gets the defaults.
    pub(crate) fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
                vec![Diagnostic::error(
                    Some(Location::file(CONFIG_FILE)),
                    format!("file is not valid UTF-8 ({e})"),
                )]
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(vec![Diagnostic::error(
                    Some(Location::file(CONFIG_FILE)),
                    format!("cannot read the config: {e}"),
                )])
            }
        };
        Config::parse(&text)
    }

    /// Parses the text of an `opsbook.toml`; problems are reported against that file name.
    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| LineIndex::new(text).position(text, span.start))
                .unwrap_or((0, 0));
            vec![Diagnostic::error(
                Some(Location::at(CONFIG_FILE, line, column)),
                e.message().trim().to_string(),
            )]
        })?;
        let mut problems = Vec::new();
        if let Some(url) = &raw.base_url {
            if let Some(problem) = base_url_problem(url.get_ref()) {
                let (line, column) = LineIndex::new(text).position(text, url.span().start);
                problems.push(Diagnostic::error(
                    Some(Location::at(CONFIG_FILE, line, column)),
                    format!("`base_url` {problem}"),
                ));
            }
        }
        problems.extend((raw.language.as_ref()).and_then(|l| language::problem(l, text)));
        problems.extend(synonym_problems(&raw.search.synonyms, text));
        problems.extend(factor_problems(&raw.postmortems.factors, text));
        let mut config = Config::from_raw(raw);
        problems.extend(config.validate(text));
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    fn from_raw(raw: RawConfig) -> Config {
        let base_url = normalize_base_url(raw.base_url.as_ref().map_or("/", |u| u.get_ref()));
        let base_path = base_path_of(&base_url);
        Config {
            title: raw
                .title
                .unwrap_or_else(|| "Operations Handbook".to_string()),
            description: raw.description,
            base_url,
            base_path,
            language: (raw.language.as_ref())
                .map_or("en".into(), |l| Language::html_tag(l.get_ref())),
            search_language: (raw
                .language
                .as_ref()
                .and_then(|l| Language::parse(l.get_ref())))
            .unwrap_or_default(),
            repo_url: raw.repo_url.map(|u| u.trim_end_matches('/').to_string()),
            branch: raw.branch.unwrap_or_else(|| "main".to_string()),
            theme: raw.theme.unwrap_or_else(|| "default".to_string()),
            broken_links: raw.build.broken_links.unwrap_or_default(),
            raw_html: raw.markdown.raw_html.unwrap_or(true),
            search: raw.search.enabled.unwrap_or(true),
            synonyms: (raw.search.synonyms.iter())
                .map(|group| group.iter().map(|w| w.get_ref().clone()).collect())
                .collect(),
            components: raw.status.components,
            factors: vocabulary(raw.postmortems),
            tracks_reviews: raw.checks.review_interval_days.is_some(),
            review_interval_days: raw
                .checks
                .review_interval_days
                .unwrap_or(DEFAULT_REVIEW_INTERVAL_DAYS),
            content_dir: raw.content.dir.map_or_else(
                || "content".to_string(),
                |d| d.trim_matches('/').to_string(),
            ),
            folder_kinds: raw.content.kinds,
            checks: CheckPolicy {
                rules: raw.checks.rules,
                postmortem_sections: raw
                    .checks
                    .postmortem_sections
                    .unwrap_or_else(|| DEFAULT_POSTMORTEM_SECTIONS.map(String::from).to_vec()),
                ongoing_incident_max_days: raw.checks.ongoing_incident_max_days.unwrap_or(14),
                postmortem_required_impacts: raw
                    .checks
                    .postmortem_required_impacts
                    .unwrap_or_else(|| vec![Impact::Major, Impact::Critical]),
                alert_labels: raw.checks.alert_labels,
                recurrence_days: raw.checks.recurrence_days.unwrap_or(90),
            },
        }
    }

    fn validate(&mut self, text: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        let lines = LineIndex::new(text);
        for component in &mut self.components {
            let Some(slo) = &component.slo else { continue };
            component.slo_at = lines.position(text, slo.span().start);
            let target = *slo.get_ref();
            let ppm = target * 10_000.0;
            let problem = if !(target > 0.0 && target < 100.0) {
                Some("must lie strictly between 0 and 100 (a percentage of time available)")
            } else if (ppm - ppm.round()).abs() > 1e-6 {
                Some("has at most four decimals (99.9999)")
            } else {
                None
            };
            if let Some(problem) = problem {
                let (line, column) = component.slo_at;
                problems.push(
                    Diagnostic::error(
                        Some(Location::at(CONFIG_FILE, line, column)),
                        format!(
                            "`slo` of component `{}` is {target}: it {problem}",
                            component.id
                        ),
                    )
                    .with_hint("write the availability target in percent, such as `slo = 99.9`"),
                );
            }
        }
        for component in &self.components {
            if !seen.insert(component.id.as_str()) {
                let line = line_of(text, &format!("\"{}\"", component.id));
                problems.push(Diagnostic::error(
                    Some(Location::at(CONFIG_FILE, line, 0)),
                    format!("status component `{}` is declared twice", component.id),
                ));
            }
        }
        if let Some(url) = &self.repo_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                problems.push(Diagnostic::error(
                    Some(Location::at(CONFIG_FILE, line_of(text, "repo_url"), 0)),
                    format!("`repo_url` must be an http(s) URL, not `{url}`"),
                ));
            }
        }
        problems
    }

    /// Replaces the base URL, as `--base-url` does; the caller has checked it with
    /// [`base_url_problem`].
    pub(crate) fn set_base_url(&mut self, url: &str) {
        self.base_url = normalize_base_url(url);
        self.base_path = base_path_of(&self.base_url);
    }

    pub(crate) fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    /// The factor `id` of the vocabulary, and its place in it.
    pub(crate) fn factor(&self, id: &str) -> Option<(usize, &Factor)> {
        self.factors.iter().enumerate().find(|(_, f)| f.id == id)
    }
}

/// The built-in factors (unless `default_factors = false`), each replaced by the handbook's
/// factor of the same id, then the handbook's other factors in the order written.
fn vocabulary(raw: RawPostmortems) -> Vec<Factor> {
    let mut factors: Vec<Factor> = if raw.default_factors.unwrap_or(true) {
        crate::vocabulary::DEFAULT_FACTORS
            .iter()
            .map(|(id, name, description)| Factor {
                id: id.to_string(),
                name: name.to_string(),
                description: description.to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    for declared in raw.factors {
        let id = declared.id.into_inner();
        match factors.iter_mut().find(|f| f.id == id) {
            Some(known) => {
                known.name = declared.name.unwrap_or(known.name.clone());
                known.description = declared.description;
            }
            None => factors.push(Factor {
                name: declared
                    .name
                    .unwrap_or_else(|| crate::vocabulary::factor_name(&id)),
                id,
                description: declared.description,
            }),
        }
    }
    factors
}

/// Factor ids that cannot be written in front matter and anchors, or are declared twice.
fn factor_problems(factors: &[RawFactor], text: &str) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for factor in factors {
        let id = factor.id.get_ref();
        let problem = if !crate::vocabulary::is_factor_id(id) {
            format!("factor id `{id}` must be lower-case letters, digits, `-` and `_`")
        } else if !seen.insert(id.as_str()) {
            format!("factor `{id}` is declared twice")
        } else {
            continue;
        };
        let (line, column) = LineIndex::new(text).position(text, factor.id.span().start);
        problems.push(Diagnostic::error(
            Some(Location::at(CONFIG_FILE, line, column)),
            problem,
        ));
    }
    problems
}

/// Why `url` cannot be the site's base URL, or `None` when it can: an http(s) URL with a host,
/// or a path from the root of a host (`/`, `/handbook/`) for a site that does not know its
/// address. It lands in every canonical link, the feeds, the sitemap, `robots.txt` and the
/// calendar, so it holds no whitespace or control character (a line break would start a line of
/// its own in `robots.txt` and the calendar), none of the characters a URL never holds, and no
/// query or fragment, after which the pages' paths would be lost.
pub fn base_url_problem(url: &str) -> Option<String> {
    let shown = crate::diagnostic::shown(url);
    if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
        let what = if c.is_control() {
            "a control character"
        } else {
            "whitespace"
        };
        return Some(format!("cannot hold {what}: `{shown}`"));
    }
    if let Some(c) = url.chars().find(|c| "\"<>\\^`{|}".contains(*c)) {
        return Some(format!("cannot hold `{c}`, which no URL holds: `{shown}`"));
    }
    if let Some(c) = url.chars().find(|c| matches!(c, '?' | '#')) {
        return Some(format!(
            "cannot have a query or a fragment (`{c}`): page paths are added to it: `{shown}`"
        ));
    }
    let lower = url.to_ascii_lowercase();
    let host = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
        .map(|rest| rest.split('/').next().unwrap_or(""));
    match host {
        Some("") => Some(format!("has no host: `{shown}`")),
        Some(_) => None,
        None if url.starts_with("//") => Some(format!(
            "cannot start with `//`, which names another host: `{shown}`"
        )),
        None if url.starts_with('/') => None,
        None => Some(format!(
            "must be an http(s) URL, such as `https://example.org/handbook/`, or a path starting with `/`, not `{shown}`"
        )),
    }
}

/// A synonym is matched against the words of a query, which are runs of letters and digits: an
/// entry with a space or punctuation could never match, and a group needs two entries.
fn synonym_problems(groups: &[Vec<toml::Spanned<String>>], text: &str) -> Vec<Diagnostic> {
    let lines = LineIndex::new(text);
    let mut problems = Vec::new();
    for group in groups {
        let problem = |at: usize, message: String| {
            let (line, column) = lines.position(text, at);
            Diagnostic::error(Some(Location::at(CONFIG_FILE, line, column)), message)
                .with_hint("write `synonyms = [[\"k8s\", \"kubernetes\"], [\"pg\", \"postgres\"]]`")
        };
        if let [only] = group.as_slice() {
            problems.push(problem(
                only.span().start,
                format!(
                    "the synonym group of `{}` has no other word",
                    only.get_ref()
                ),
            ));
        }
        for word in group {
            let written = word.get_ref();
            if written.is_empty() || !written.chars().all(char::is_alphanumeric) {
                problems.push(problem(
                    word.span().start,
                    format!("the synonym `{written}` is not one word of letters and digits"),
                ));
            }
        }
    }
    problems
}

fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(0, |offset| text[..offset].matches('\n').count() + 1)
}

fn normalize_base_url(url: &str) -> String {
    let url = url.trim();
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// `https://example.org/handbook/` → `/handbook/`; a bare path is kept as it is.
fn base_path_of(base_url: &str) -> String {
    let after_scheme = match base_url.find("://") {
        Some(i) => &base_url[i + 3..],
        None => return ensure_slashes(base_url),
    };
    match after_scheme.find('/') {
        Some(i) => ensure_slashes(&after_scheme[i..]),
        None => "/".to_string(),
    }
}

fn ensure_slashes(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_comes_from_the_base_url() {
        assert_eq!(base_path_of("https://example.org/handbook/"), "/handbook/");
        assert_eq!(base_path_of("https://example.org/"), "/");
        assert_eq!(base_path_of("https://example.org"), "/");
        assert_eq!(base_path_of("/docs"), "/docs/");
    }

    #[test]
    fn base_urls_are_http_urls_or_paths() {
        for good in [
            "https://example.org/",
            "https://example.org",
            "HTTP://example.org/handbook/",
            "http://127.0.0.1:1111/",
            "http://[::1]:8080/",
            "https://例え.jp/ハンドブック/",
            "https://example.org/a%20b/",
            "/",
            "/docs/",
        ] {
            assert_eq!(base_url_problem(good), None, "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript://example.org/%0aalert(1)",
            "data:text/html,x",
            "ftp://example.org/",
            "example.org/",
            "",
            "https://",
            "https:///x/",
            "//evil.example/",
            "https://example.org/\r\nDisallow: /",
            "https://example.org/\n",
            " https://example.org/",
            "https://example.org/a b/",
            "https://example.org/\u{1b}[2J",
            "https://example.org/\u{85}",
            "https://example.org/\u{2028}",
            "https://example.org/\"><script>",
            "https://example.org/?q=1",
            "https://example.org/#top",
            "/docs\\x/",
        ] {
            assert!(base_url_problem(bad).is_some(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_bad_base_url_is_an_error_at_its_value() {
        let errors =
            Config::parse("title = \"x\"\nbase_url   = \"javascript:alert(1)\"\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        let location = errors[0].location.as_ref().unwrap();
        assert_eq!((location.line, location.column), (2, 14));
        assert_eq!(
            errors[0].message,
            "`base_url` must be an http(s) URL, such as `https://example.org/handbook/`, or a path starting with `/`, not `javascript:alert(1)`"
        );
    }

    #[test]
    fn a_language_search_does_not_know_is_an_error_at_its_value() {
        let problems = Config::parse("title = \"x\"\nlanguage = \"klingon\"\n").unwrap_err();
        let location = problems[0].location.as_ref().unwrap();
        assert_eq!((location.line, location.column), (2, 12));
        assert!(
            problems[0].message.contains("klingon"),
            "{}",
            problems[0].message
        );
        let config = Config::parse("language = \"German\"\n").unwrap();
        assert_eq!(config.language, "de");
        assert_eq!(config.search_language, Language::German);
        let config = Config::parse("language = \"pt-BR\"\n").unwrap();
        assert_eq!(config.language, "pt-BR");
        assert_eq!(config.search_language, Language::Portuguese);
    }

    #[test]
    fn unknown_keys_are_errors_with_position() {
        let errors = Config::parse("title = \"x\"\n\n[status]\ncomponentz = []\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        let location = errors[0].location.as_ref().unwrap();
        assert_eq!((location.line, location.column), (4, 1));
        assert!(
            errors[0].message.contains("componentz"),
            "{}",
            errors[0].message
        );
    }
}
