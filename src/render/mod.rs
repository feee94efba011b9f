//! Templates: the default theme embedded in the binary, overridden by name from a theme folder
//! or the handbook's `templates/`, rendered with tera. Errors name the template file, the line
//! when tera or the template source tells it, and the page being rendered.
//!
//! This is the only module that knows tera.

pub(crate) mod context;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use tera::Tera;

use crate::diagnostic::{Diagnostic, Location};

/// The default theme: `templates/` and `static/`.
pub(crate) static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The default theme's `static/` files (stylesheet, script, icons), by their path in the site.
pub(crate) fn default_static_files() -> Vec<(String, &'static [u8])> {
    DEFAULT_THEME
        .get_dir("static")
        .map(all_files)
        .unwrap_or_default()
        .into_iter()
        .map(|file| {
            let relative = file.path().strip_prefix("static").unwrap_or(file.path());
            (crate::paths::slashed(relative), file.contents())
        })
        .collect()
}

/// A loaded set of templates.
pub(crate) struct Renderer {
    tera: Tera,
    /// Template name → (file shown in messages, source text).
    sources: HashMap<String, (PathBuf, String)>,
}

impl Renderer {
    /// Loads the default theme, then `theme_dir/templates` and `override_dir` over it.
    pub(crate) fn load(
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
        tera.register_function(DEPTH_GUARD, depth_guard);
        tera.register_function("range", range);
        // tera's own `get_env` would let a template copy CI secrets into a published page.
        tera.register_function("get_env", |_: &HashMap<String, tera::Value>| {
            Err(tera::Error::msg(
                "templates cannot read environment variables: they could publish a secret",
            ))
        });
        let mut names: Vec<&String> = sources.keys().collect();
        names.sort();
        let guarded: Vec<String> = names.iter().map(|n| guarded(&sources[*n].1)).collect();
        let templates: Vec<(&str, &str)> = names
            .iter()
            .zip(&guarded)
            .map(|(n, text)| (n.as_str(), text.as_str()))
            .collect();
        if let Err(error) = tera.add_raw_templates(templates) {
            // The guard calls shift columns and show in tera's message: a template that does
            // not parse is reported from the text as the user wrote it.
            let written: Vec<(&str, &str)> = names
                .iter()
                .map(|n| (n.as_str(), sources[*n].1.as_str()))
                .collect();
            let error = Tera::default()
                .add_raw_templates(written)
                .err()
                .unwrap_or(error);
            return Err(vec![template_error(&error, &sources, None)]);
        }
        Ok(Renderer { tera, sources })
    }

    /// A hash of every template's name and text: what output reuse must match.
    pub(crate) fn fingerprint(&self) -> [u8; 32] {
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
    pub(crate) fn mentions(&self, word: &str) -> bool {
        self.sources.values().any(|(_, text)| text.contains(word))
    }

    pub(crate) fn has_template(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// The name of every template, for a did-you-mean hint.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.sources.keys().map(String::as_str)
    }

    /// Renders `template`; `page` names what is being rendered, for messages.
    pub(crate) fn render(
        &self,
        template: &str,
        context: &tera::Context,
        page: &str,
    ) -> Result<String, Diagnostic> {
        let base = 0u8;
        STACK_BASE.set(std::ptr::addr_of!(base) as usize);
        let mut output = Bounded::default();
        let rendered = self.tera.render_to(template, context, &mut output);
        STACK_BASE.set(0);
        if output.full {
            let file = self.sources.get(template).map(|(file, _)| file.clone());
            return Err(Diagnostic::error(
                file.map(Location::file),
                format!(
                    "while rendering {page}: `{template}` wrote more than {} MB, the most one file may have; rendering stopped",
                    MAX_OUTPUT / (1024 * 1024)
                ),
            )
            .with_hint("a loop in the template (or one it extends or includes) runs far too long"));
        }
        rendered.map_err(|e| template_error(&e, &self.sources, Some(page)))?;
        String::from_utf8(output.bytes).map_err(|_| {
            Diagnostic::error(
                None,
                format!("while rendering {page}: `{template}` wrote invalid UTF-8"),
            )
        })
    }
}

/// The most one rendered file may hold: far more than any page needs (the example's largest is
/// under 1 MB), and a bound on what a template that loops too long can make opsbook spend (one
/// wrote a 1.45 GB `404.html`, with 4 GB of memory).
pub(crate) const MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// What a render writes, refusing to grow past [`MAX_OUTPUT`]: tera stops at the first write
/// that fails.
#[derive(Default)]
struct Bounded {
    bytes: Vec<u8>,
    full: bool,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT {
            self.full = true;
            return Err(std::io::Error::other("the output limit was reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The most numbers one `range()` makes. tera's own makes all of them first, 40 bytes each
/// (`range(end=100000000)` took 4 GB before the loop began), and loops for ever, growing,
/// with `step_by=0`.
const MAX_RANGE: usize = 1_000_000;

/// tera's `range(end, start=0, step_by=1)`, bounded by [`MAX_RANGE`].
fn range(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let number = |name: &str, default: Option<usize>| -> tera::Result<usize> {
        match args.get(name) {
            Some(value) => value
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    tera::Error::msg(format!(
                    "Function `range` received {name}={value} but `{name}` can only be a number"
                ))
                }),
            None => default.ok_or_else(|| {
                tera::Error::msg(format!(
                    "Function `range` was called without a `{name}` argument"
                ))
            }),
        }
    };
    let (start, end, step) = (
        number("start", Some(0))?,
        number("end", None)?,
        number("step_by", Some(1))?,
    );
    if start > end {
        return Err(tera::Error::msg(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    if step == 0 {
        return Err(tera::Error::msg(
            "Function `range` needs a `step_by` of 1 or more",
        ));
    }
    let count = (end - start).div_ceil(step);
    if count > MAX_RANGE {
        return Err(tera::Error::msg(format!(
            "Function `range` would make {count} numbers; a template may make at most {MAX_RANGE}"
        )));
    }
    Ok(tera::Value::Array(
        (start..end).step_by(step).map(tera::Value::from).collect(),
    ))
}

/// tera has no limit on how deeply macros call macros and templates include templates, so a
/// template that calls itself without end would overflow the stack and abort the process. Every
/// template and every macro body starts with a call of this function, which fails the render
/// once it has taken more than [`STACK_LIMIT`] of stack: an error naming the template, not a
/// crash.
const DEPTH_GUARD: &str = "__opsbook_depth_guard";

/// Far deeper than any real theme nests (the default theme's deepest page takes 12 KiB of stack
/// in a release build, 90 KiB in a debug one), and half the 2 MiB stack of a spawned thread.
const STACK_LIMIT: usize = 1024 * 1024;

thread_local! {
    /// Where the stack stood when the current render began; 0 outside a render.
    static STACK_BASE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn depth_guard(_: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let here = 0u8;
    let here = std::ptr::addr_of!(here) as usize;
    let base = STACK_BASE.get();
    // The stack grows down on every platform opsbook runs on.
    if base != 0 && base.saturating_sub(here) > STACK_LIMIT {
        return Err(tera::Error::msg(
            "templates nest too deeply: a macro or an include calls itself without end",
        ));
    }
    Ok(tera::Value::String(String::new()))
}

/// `text` with a call of the depth guard where the template's content starts (after its
/// imports; none when it extends another template, whose start renders instead) and at the
/// start of each macro body. The calls print nothing, trim what the tag before them trimmed, and
/// keep every line where it was.
fn guarded(text: &str) -> String {
    let call = |after: &str| {
        if after.ends_with("-%}") {
            format!("{{{{- {DEPTH_GUARD}() -}}}}")
        } else {
            format!("{{{{ {DEPTH_GUARD}() }}}}")
        }
    };
    let mut out = String::with_capacity(text.len() + 64);
    let extends = tags(text).any(|(tag, _)| tag_word(tag) == "extends");
    let content_starts = tags(text)
        .take_while(|(tag, _)| tag_word(tag) == "import")
        .last();
    let mut copied = 0;
    if !extends {
        match content_starts {
            Some((tag, end)) => {
                // tera drops the blank text between the imports and the content.
                let end = end + (text[end..].len() - text[end..].trim_start().len());
                out.push_str(&text[..end]);
                out.push_str(&call(tag));
                copied = end;
            }
            None => out.push_str(&call("")),
        }
    }
    let scanned_from = copied;
    for (tag, end) in tags(&text[scanned_from..]) {
        if tag_word(tag) == "macro" {
            let end = scanned_from + end;
            out.push_str(&text[copied..end]);
            out.push_str(&call(tag));
            copied = end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Every `{% … %}` tag of `text`, with the offset just after it.
fn tags(text: &str) -> impl Iterator<Item = (&str, usize)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = from + text[from..].find("{%")?;
        let end = start + text[start..].find("%}")? + 2;
        from = end;
        Some((&text[start..end], end))
    })
}

/// The keyword of a tag: `macro` for `{%- macro name(x) %}`.
fn tag_word(tag: &str) -> &str {
    tag.trim_start_matches("{%")
        .trim_start_matches('-')
        .split_whitespace()
        .next()
        .unwrap_or("")
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
    // A folder reached through a symbolic link is read from outside the handbook; the source
    // stage warns about it.
    if !dir.is_dir() || crate::source::linked_folder(root, dir).is_some() {
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
    if let Some(guard) = messages.iter().find(|m| m.contains(DEPTH_GUARD)) {
        // The guard's own name means nothing to the user: keep its message and the template.
        let reason = messages.last().unwrap_or(guard);
        let message = match page {
            Some(page) => format!("while rendering {page}: {reason}"),
            None => reason.to_string(),
        };
        return Diagnostic::error(location, message);
    }
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
    fn range_gives_what_teras_own_gives_up_to_its_bound() -> Result<(), String> {
        let render = |tera: &mut Tera, call: &str| {
            tera.render_str(
                &format!("{{{{ {call} | json_encode() }}}}"),
                &tera::Context::new(),
            )
            .map_err(|e| format!("{e:?}"))
        };
        let mut theirs = Tera::default();
        let mut ours = Tera::default();
        ours.register_function("range", range);
        for call in [
            "range(end=5)",
            "range(end=0)",
            "range(start=3, end=3)",
            "range(start=2, end=11, step_by=3)",
            "range(start=2, end=12, step_by=5)",
            "range(end=1000000)",
        ] {
            assert_eq!(
                render(&mut ours, call)?,
                render(&mut theirs, call)?,
                "{call}"
            );
        }
        for call in [
            "range(start=4, end=3)",
            "range()",
            "range(end=\"x\")",
            "range(end=-1)",
        ] {
            assert!(render(&mut ours, call).is_err(), "{call}");
        }
        for (call, message) in [
            ("range(end=1000001)", "would make 1000001 numbers"),
            ("range(end=10, step_by=0)", "needs a `step_by` of 1 or more"),
        ] {
            let error = render(&mut ours, call).unwrap_err();
            assert!(error.contains(message), "{call}: {error}");
        }
        Ok(())
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
    /// Renders `index.html` from `templates` on a thread with the 2 MiB stack of any spawned
    /// thread, as the build's workers have.
    fn render_on_a_thread(
        templates: &'static [(&'static str, &'static str)],
    ) -> Result<String, String> {
        std::thread::spawn(move || {
            let dir = tempfile::tempdir().unwrap();
            let folder = dir.path().join("templates");
            for (name, text) in templates {
                let path = folder.join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            let renderer =
                Renderer::load(None, &folder, dir.path()).map_err(|e| format!("{e:?}"))?;
            renderer
                .render("index.html", &tera::Context::new(), "the home page")
                .map_err(|e| e.to_string())
        })
        .join()
        .expect("the render thread ends without crashing")
    }

    #[test]
    fn a_macro_calling_itself_without_end_fails_the_render_not_the_process() {
        let error = render_on_a_thread(&[
            (
                "partials/loop.html",
                "{% macro again(n) %}{{ self::again(n=n+1) }}{% endmacro again %}",
            ),
            (
                "index.html",
                "{% import \"partials/loop.html\" as l %}<p>{{ l::again(n=1) }}</p>",
            ),
        ])
        .unwrap_err();
        assert!(error.contains("templates/partials/loop.html"), "{error}");
        assert!(
            error.ends_with("while rendering the home page: templates nest too deeply: a macro or an include calls itself without end"),
            "{error}"
        );
    }

    #[test]
    fn templates_including_each_other_fail_the_render_not_the_process() {
        let error = render_on_a_thread(&[
            ("partials/a.html", "a{% include \"partials/b.html\" %}"),
            ("partials/b.html", "b{% include \"partials/a.html\" %}"),
            ("index.html", "<p>{% include \"partials/a.html\" %}</p>"),
        ])
        .unwrap_err();
        assert!(error.contains("templates nest too deeply"), "{error}");
    }

    #[test]
    fn recursion_that_ends_still_renders() {
        let html = render_on_a_thread(&[
            ("m.html", "{% macro down(n) %}{% if n > 0 %}.{{ self::down(n=n-1) }}{% endif %}{% endmacro down %}"),
            ("index.html", "{% import \"m.html\" as m %}{{ m::down(n=40) }}"),
        ])
        .unwrap();
        assert_eq!(html, ".".repeat(40));
    }

    #[test]
    fn the_depth_guard_changes_no_output() {
        let templates = [
            "{%- import \"m.html\" as m -%}\n  <p>{{ m::f() }}</p>\n",
            "{% import \"m.html\" as m %}\n\n{{ m::f() }}|{{ m::g() }}",
            "  leading {{ 1 + 1 }} text\n",
        ];
        let macros = "{% macro f() -%}\n   trimmed\n{%- endmacro f %}\n{% macro g() %}\n kept \n{% endmacro g %}\n";
        for template in templates {
            let mut plain = Tera::default();
            plain
                .add_raw_templates(vec![("m.html", macros), ("t.html", template)])
                .unwrap();
            let mut guarded_tera = Tera::default();
            guarded_tera.register_function(DEPTH_GUARD, depth_guard);
            let (m, t) = (guarded(macros), guarded(template));
            guarded_tera
                .add_raw_templates(vec![("m.html", m.as_str()), ("t.html", t.as_str())])
                .unwrap();
            let context = tera::Context::new();
            assert_eq!(
                guarded_tera.render("t.html", &context).unwrap(),
                plain.render("t.html", &context).unwrap(),
                "{template:?}"
            );
        }
    }
}
