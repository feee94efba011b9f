//! `opsbook new` and `opsbook init`: files written from templates so that a page, or a whole
//! handbook, starts out complete and passes `check`.
//!
//! Archetypes (`themes/default/archetypes/KIND.md`, embedded in the binary; a handbook's own
//! `archetypes/KIND.md` wins) are front matter and a section skeleton with `{{ name }}`
//! placeholders. Nothing here ever overwrites a file.

pub mod init;
pub mod new;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::dates::DateTime;

/// A file that could not be written, or was not because it exists.
#[derive(Debug)]
pub struct ScaffoldError(pub String);

impl std::fmt::Display for ScaffoldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Values placeholders are replaced with, already written as TOML values where they go into
/// front matter (`{{ title }}` → `"Disk full"`), so any title is safe.
pub(crate) struct Placeholders(BTreeMap<&'static str, String>);

impl Placeholders {
    /// The date placeholders for `today`: `date` (YYYY-MM-DD), `now` (RFC 3339) and `due`
    /// (30 days on, for a first action item).
    pub(crate) fn new(today: DateTime) -> Self {
        let mut values = BTreeMap::new();
        values.insert("date", today.date().to_string());
        values.insert(
            "now",
            today.instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        values.insert("due", today.add_days(30).date().to_string());
        Placeholders(values)
    }

    /// Sets `name` to `text` as a TOML string.
    pub(crate) fn string(&mut self, name: &'static str, text: &str) {
        self.0.insert(name, toml_string(text));
    }

    /// Sets `name` to `text` as it is (in files that are not front matter, such as CI files).
    pub(crate) fn text(&mut self, name: &'static str, text: &str) {
        self.0.insert(name, text.to_string());
    }

    /// Sets `name` to `items` as a TOML array of strings.
    pub(crate) fn list(&mut self, name: &'static str, items: &[String]) {
        let quoted: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
        self.0.insert(name, format!("[{}]", quoted.join(", ")));
    }

    /// `text` with every `{{ name }}` it knows replaced; unknown ones are left for the author.
    pub(crate) fn fill(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (name, value) in &self.0 {
            out = out.replace(&format!("{{{{ {name} }}}}"), value);
        }
        out
    }
}

/// A JSON string is also a TOML basic string and a YAML double-quoted string, so archetypes
/// may use either front matter format.
fn toml_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// `Elevated 5xx on the API!` → `elevated-5xx-on-the-api`: lowercase letters and digits, one
/// `-` between words.
pub(crate) fn slug(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Writes `text` at `path`, creating its folders; fails, naming the file, when it exists.
pub(crate) fn write_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| ScaffoldError(format!("cannot create `{}`: {e}", parent.display())))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ScaffoldError(format!(
                "`{}` already exists; it was left as it is",
                path.display()
            )),
            _ => ScaffoldError(format!("cannot create `{}`: {e}", path.display())),
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| ScaffoldError(format!("cannot write `{}`: {e}", path.display())))
}

/// `dir/relative` as it should be shown: without a leading `./`.
pub(crate) fn shown(dir: &Path, relative: &str) -> PathBuf {
    if dir == Path::new(".") {
        PathBuf::from(relative)
    } else {
        dir.join(relative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(slug("Elevated 5xx on the API!"), "elevated-5xx-on-the-api");
        assert_eq!(slug("  Postgres: disk -- full  "), "postgres-disk-full");
        assert_eq!(slug("Ünïcode títle"), "ünïcode-títle");
    }

    #[test]
    fn placeholders_are_toml_values() {
        let mut values = Placeholders::new(DateTime::parse("2026-11-27").unwrap());
        values.string("title", "Say \"hi\"");
        values.list("services", &["a".into(), "b".into()]);
        let text = values.fill("title = {{ title }}\nservices = {{ services }}\nat = {{ now }}\ndue {{ due }} {{ other }}");
        assert_eq!(
            text,
            "title = \"Say \\\"hi\\\"\"\nservices = [\"a\", \"b\"]\nat = 2026-11-27T00:00:00Z\ndue 2026-12-27 {{ other }}"
        );
    }
}
