//! Templates: the default theme embedded in the binary, overridden by name from a theme folder
//! or the handbook's `templates/`, rendered with tera. Errors name the template file, the line
//! when tera or the template source tells it, and the page being rendered.
//!
//! This is the only module that knows tera.

pub mod context;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use tera::Tera;

use crate::diagnostic::{Diagnostic, Location};

/// The default theme: `templates/` and `static/`.
pub static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A loaded set of templates.
pub struct Renderer {
    tera: Tera,
    /// Template name → (file shown in messages, source text).
    sources: HashMap<String, (PathBuf, String)>,
}

impl Renderer {
    /// Loads the default theme, then `theme_dir/templates` and `override_dir` over it.
    pub fn load(
        theme_dir: Option<&Path>,
        override_dir: &Path,
        root: &Path,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        let mut sources: HashMap<String, (PathBuf, String)> = HashMap::new();
        if let Some(templates) = DEFAULT_THEME.get_dir("templates") {
            for file in all_files(templates) {
                let name = file.path().strip_prefix("templates").unwrap_or(file.path());
                let name = name.to_string_lossy().replace('\\', "/");
                let text = String::from_utf8_lossy(file.contents()).into_owned();
                sources.insert(name, (Path::new("themes/default").join(file.path()), text));
            }
        }
        let mut problems = Vec::new();
        for dir in theme_dir
            .map(|t| t.join("templates"))
            .into_iter()
            .chain([override_dir.to_path_buf()])
        {
            read_overrides(&dir, root, &mut sources, &mut problems);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        tera.set_escape_fn(escape_html);
        let mut names: Vec<&String> = sources.keys().collect();
        names.sort();
        let templates: Vec<(&str, &str)> = names
            .iter()
            .map(|n| (n.as_str(), sources[*n].1.as_str()))
            .collect();
        if let Err(error) = tera.add_raw_templates(templates) {
            return Err(vec![template_error(&error, &sources, None)]);
        }
        Ok(Renderer { tera, sources })
    }

    /// A hash of every template's name and text: what output reuse must match.
    pub fn fingerprint(&self) -> [u8; 32] {
        let mut names: Vec<&String> = self.sources.keys().collect();
        names.sort();
        let mut hasher = blake3::Hasher::new();
        for name in names {
            hasher.update(name.as_bytes());
            hasher.update(b"\0");
            hasher.update(self.sources[name].1.as_bytes());
            hasher.update(b"\0");
        }
        *hasher.finalize().as_bytes()
    }

    /// Whether any template's text contains `word`: a safe over-approximation of whether the
    /// templates read a value of that name.
    pub fn mentions(&self, word: &str) -> bool {
        self.sources.values().any(|(_, text)| text.contains(word))
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Renders `template`; `page` names what is being rendered, for messages.
    pub fn render(
        &self,
        template: &str,
        context: &tera::Context,
        page: &str,
    ) -> Result<String, Diagnostic> {
        self.tera
            .render(template, context)
            .map_err(|e| template_error(&e, &self.sources, Some(page)))
    }
}

/// Escapes `& < > "`, enough for text and double-quoted attributes; unlike tera's default it
/// leaves `/` alone, so URLs stay readable.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<&include_dir::File<'_>> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(all_files(sub));
    }
    files
}

fn read_overrides(
    dir: &Path,
    root: &Path,
    sources: &mut HashMap<String, (PathBuf, String)>,
    problems: &mut Vec<Diagnostic>,
) {
    if !dir.is_dir() {
        return;
    }
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file()
            || crate::source::is_ignored(&entry.file_name().to_string_lossy())
        {
            continue;
        }
        let shown = crate::diagnostic::display_path(root, entry.path());
        let name = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        match std::fs::read(entry.path()).map(String::from_utf8) {
            Ok(Ok(text)) => {
                sources.insert(name, (shown, text));
            }
            Ok(Err(_)) => problems.push(Diagnostic::error(
                Some(Location::file(shown)),
                "the template is not valid UTF-8",
            )),
            Err(e) => problems.push(Diagnostic::error(
                Some(Location::file(shown)),
                format!("cannot read the template: {e}"),
            )),
        }
    }
}

/// Turns a tera error into a message with the template's file and line.
fn template_error(
    error: &tera::Error,
    sources: &HashMap<String, (PathBuf, String)>,
    page: Option<&str>,
) -> Diagnostic {
    let mut messages = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = current {
        messages.push(e.to_string());
        current = e.source();
    }
    let template = messages
        .iter()
        .find_map(|m| quoted(m, '\''))
        .filter(|name| sources.contains_key(*name));
    let location = match messages.iter().find_map(|m| parse_error_position(m)) {
        // A syntax error: tera names the line itself.
        Some((line, column)) => template
            .and_then(|name| sources.get(name))
            .map(|(file, _)| Location::at(file, line, column)),
        None => runtime_error_location(&messages, template, sources),
    };
    let detail: Vec<String> = messages
        .iter()
        .map(|m| {
            m.lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let mut message = detail.join(": ");
    if let Some(page) = page {
        message = format!("while rendering {page}: {message}");
    }
    Diagnostic::error(location, message)
}

/// Where a render error comes from: the first place the failing expression (tera quotes it in
/// backticks) is written — in the template rendered, else in a template it extends or includes,
/// the handbook's own templates before the theme's.
fn runtime_error_location(
    messages: &[String],
    template: Option<&str>,
    sources: &HashMap<String, (PathBuf, String)>,
) -> Option<Location> {
    let named = template.and_then(|name| sources.get(name));
    let Some(needle) = messages.iter().rev().find_map(|m| quoted(m, '`')) else {
        return named.map(|(file, _)| Location::file(file));
    };
    let mut candidates: Vec<&(PathBuf, String)> = named.into_iter().collect();
    let mut others: Vec<&(PathBuf, String)> = sources.values().collect();
    others.sort_by_key(|(file, _)| (file.starts_with("themes/default"), file.clone()));
    candidates.extend(others);
    candidates
        .into_iter()
        .find_map(|(file, text)| {
            find_in(text, needle).map(|(line, column)| Location::at(file, line, column))
        })
        .or_else(|| named.map(|(file, _)| Location::file(file)))
}

fn quoted(message: &str, quote: char) -> Option<&str> {
    let start = message.find(quote)? + 1;
    let end = message[start..].find(quote)? + start;
    Some(&message[start..end])
}

/// tera's parse errors carry ` --> line:column`.
fn parse_error_position(message: &str) -> Option<(usize, usize)> {
    let rest = &message[message.find("--> ")? + 4..];
    let spot = rest.split_whitespace().next()?;
    let (line, column) = spot.split_once(':')?;
    Some((line.parse().ok()?, column.parse().ok()?))
}

fn find_in(text: &str, needle: &str) -> Option<(usize, usize)> {
    let offset = text.find(needle)?;
    let index = crate::diagnostic::LineIndex::new(text);
    Some(index.position(text, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_theme_templates_parse() {
        let dir = tempfile::tempdir().unwrap();
        let renderer = Renderer::load(None, &dir.path().join("templates"), dir.path())
            .map_err(|e| format!("{e:?}"))
            .unwrap();
        for name in [
            "base.html",
            "index.html",
            "section.html",
            "page.html",
            "runbook.html",
            "postmortem.html",
            "incident.html",
            "process.html",
            "taxonomy.html",
            "taxonomy_term.html",
            "404.html",
            "alias.html",
        ] {
            assert!(renderer.has_template(name), "missing {name}");
        }
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("templates");
        std::fs::create_dir_all(&templates).unwrap();
        std::fs::write(
            templates.join("page.html"),
            "<p>\n{{ page.title \n</p>\n{% if %}",
        )
        .unwrap();
        let errors = Renderer::load(None, &templates, dir.path()).err().unwrap();
        let location = errors[0].location.clone().unwrap();
        assert_eq!(location.path, PathBuf::from("templates/page.html"));
        assert!(location.line >= 2, "{errors:?}");
    }
}
