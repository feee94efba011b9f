//! Syntax highlighting at build time: syntect with the grammars of `two-face` (TOML, Dockerfile,
//! HCL/Terraform, nginx, … that syntect alone lacks), emitting CSS classes so one page works in
//! light and dark. Highlighted blocks are cached by content hash in a file that CI can keep, so a
//! rebuild highlights only new or changed code.
//!
//! This is the only module that knows syntect.

use std::collections::HashMap;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use two_face::theme::EmbeddedThemeName;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const CACHE_FILE: &str = "highlight.bin";
/// Changes whenever cached HTML could differ: our version and the grammar set's.
const CACHE_MAGIC: &[u8] = concat!(
    "opsbook-highlight-cache 1 ",
    env!("CARGO_PKG_VERSION"),
    " two-face-0.5.2\n"
)
.as_bytes();

type Key = [u8; 32];

/// Highlights code blocks; shared by all rendering threads.
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    cached: HashMap<Key, String>,
    /// Every block of this build, cached or new: what the cache file keeps next time.
    used: Mutex<HashMap<Key, String>>,
    cache_dir: Option<PathBuf>,
}

impl Highlighter {
    /// A highlighter that reads and later writes its cache in `cache_dir`, when given.
    pub fn new(cache_dir: Option<PathBuf>) -> Highlighter {
        let cached = cache_dir.as_deref().map(read_cache).unwrap_or_default();
        Highlighter {
            syntaxes: OnceLock::new(),
            cached,
            used: Mutex::default(),
            cache_dir,
        }
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(two_face::syntax::extra_newlines)
    }

    /// The whole `<pre>` element for a fenced block with info string `lang`.
    pub fn block(&self, lang: &str, code: &str) -> String {
        let lang = lang.split([' ', ',', '{']).next().unwrap_or("").trim();
        let key = cache_key(lang, code);
        let inner = match self.cached.get(&key) {
            Some(html) => html.clone(),
            None => self.highlight(lang, code),
        };
        let block = wrap(lang, &inner);
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, inner);
        block
    }

    fn highlight(&self, lang: &str, code: &str) -> String {
        let Some(syntax) = self.find(lang) else {
            return escape(code);
        };
        let syntaxes = self.syntaxes();
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                return escape(code);
            }
        }
        generator.finalize()
    }

    /// The grammar for an info-string language, with the aliases handbooks use.
    fn find(&self, lang: &str) -> Option<&SyntaxReference> {
        if lang.is_empty() || matches!(lang, "text" | "plain" | "txt" | "plaintext") {
            return None;
        }
        let lower = lang.to_ascii_lowercase();
        let token = match lower.as_str() {
            "shell" | "console" | "shell-session" | "zsh" | "sh" => "bash",
            "terraform" | "tf" | "hcl" => "terraform",
            "yml" => "yaml",
            "golang" => "go",
            "py" | "python3" => "python",
            "docker" | "containerfile" => "dockerfile",
            "nginx.conf" | "nginxconf" => "nginx",
            "patch" => "diff",
            "psql" | "postgres" | "postgresql" | "pgsql" => "sql",
            "cfg" | "conf" | "systemd" => "ini",
            "jsonc" | "json5" => "json",
            other => other,
        };
        let syntaxes = self.syntaxes();
        syntaxes
            .find_syntax_by_token(token)
            .or_else(|| syntaxes.find_syntax_by_name(lang))
    }

    /// Whether `lang` has a grammar (for tests and `check`).
    pub fn knows(&self, lang: &str) -> bool {
        self.find(lang).is_some_and(|s| s.name != "Plain Text")
    }

    /// Writes the cache of this build's blocks, replacing the old file atomically.
    pub fn save_cache(&self) -> std::io::Result<()> {
        let Some(dir) = &self.cache_dir else {
            return Ok(());
        };
        std::fs::create_dir_all(dir)?;
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let mut entries: Vec<(&Key, &String)> = used.iter().collect();
        entries.sort_by_key(|(key, _)| **key);
        let temp = dir.join(format!("{CACHE_FILE}.tmp-{}", std::process::id()));
        {
            let mut out = BufWriter::new(std::fs::File::create(&temp)?);
            out.write_all(CACHE_MAGIC)?;
            for (key, html) in entries {
                out.write_all(key)?;
                out.write_all(&(html.len() as u64).to_le_bytes())?;
                out.write_all(html.as_bytes())?;
            }
            out.flush()?;
        }
        std::fs::rename(&temp, dir.join(CACHE_FILE))
    }
}

fn cache_key(lang: &str, code: &str) -> Key {
    let mut hasher = blake3::Hasher::new();
    hasher.update(lang.as_bytes());
    hasher.update(b"\0");
    hasher.update(code.as_bytes());
    *hasher.finalize().as_bytes()
}

/// Reads a cache file; a missing, foreign or damaged one is an empty cache.
fn read_cache(dir: &Path) -> HashMap<Key, String> {
    let mut bytes = Vec::new();
    let opened =
        std::fs::File::open(dir.join(CACHE_FILE)).and_then(|mut f| f.read_to_end(&mut bytes));
    if opened.is_err() || !bytes.starts_with(CACHE_MAGIC) {
        return HashMap::new();
    }
    parse_cache(&bytes[CACHE_MAGIC.len()..]).unwrap_or_default()
}

fn parse_cache(mut bytes: &[u8]) -> Option<HashMap<Key, String>> {
    let mut entries = HashMap::new();
    while !bytes.is_empty() {
        let key: Key = bytes.get(..32)?.try_into().ok()?;
        let len = u64::from_le_bytes(bytes.get(32..40)?.try_into().ok()?) as usize;
        let html = std::str::from_utf8(bytes.get(40..40usize.checked_add(len)?)?).ok()?;
        entries.insert(key, html.to_string());
        bytes = &bytes[40 + len..];
    }
    Some(entries)
}

fn wrap(lang: &str, inner: &str) -> String {
    let mut html = String::with_capacity(inner.len() + 64);
    html.push_str("<pre class=\"code\"");
    if !lang.is_empty() {
        html.push_str(" data-lang=\"");
        let _ = pulldown_cmark_escape::escape_html(&mut html, lang);
        html.push('"');
    }
    html.push_str("><code>");
    html.push_str(inner);
    html.push_str("</code></pre>\n");
    html
}

fn escape(code: &str) -> String {
    let mut html = String::with_capacity(code.len() + code.len() / 8);
    let _ = pulldown_cmark_escape::escape_html_body_text(&mut html, code);
    html
}

/// The light and dark stylesheets for the highlight classes. The dark one applies when the page
/// asks for dark (`html[data-theme=dark]`) or follows a dark system setting.
pub fn stylesheets() -> (String, String) {
    let themes = two_face::theme::extra();
    let light =
        css_for_theme_with_class_style(themes.get(EmbeddedThemeName::InspiredGithub), CLASS_STYLE)
            .unwrap_or_default();
    let dark =
        css_for_theme_with_class_style(themes.get(EmbeddedThemeName::OneHalfDark), CLASS_STYLE)
            .unwrap_or_default();
    let explicit = scope_css(&dark, "html[data-theme=dark] ");
    let system = scope_css(&dark, "html:not([data-theme=light]) ");
    let dark = format!("{explicit}\n@media (prefers-color-scheme: dark) {{\n{system}}}\n");
    (light, dark)
}

/// Prefixes every selector of a flat stylesheet (as syntect writes it) with `scope`.
fn scope_css(css: &str, scope: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    let mut in_comment = false;
    for line in css.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("/*") {
            in_comment = !trimmed.ends_with("*/");
            continue;
        }
        if in_comment {
            in_comment = !trimmed.ends_with("*/");
            continue;
        }
        if let Some(selectors) = trimmed.strip_suffix('{') {
            let scoped: Vec<String> = selectors
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| format!("{scope}{s}"))
                .collect();
            out.push_str(&scoped.join(", "));
            out.push_str(" {\n");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handbook_languages_have_grammars() {
        let highlighter = Highlighter::new(None);
        for lang in [
            "bash",
            "sh",
            "shell",
            "console",
            "yaml",
            "yml",
            "json",
            "toml",
            "python",
            "go",
            "sql",
            "dockerfile",
            "hcl",
            "terraform",
            "nginx",
            "ini",
            "diff",
        ] {
            assert!(highlighter.knows(lang), "no grammar for {lang}");
        }
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let html = Highlighter::new(None).block("promql", "rate(x[5m]) < 1 && <b>");
        assert_eq!(
            html,
            "<pre class=\"code\" data-lang=\"promql\"><code>rate(x[5m]) &lt; 1 &amp;&amp; &lt;b&gt;</code></pre>\n"
        );
    }

    #[test]
    fn highlighted_code_uses_prefixed_classes() {
        let html = Highlighter::new(None).block("bash", "echo \"hi\"\n");
        assert!(html.contains("class=\"hl-"), "{html}");
    }

    #[test]
    fn cache_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let first = Highlighter::new(Some(dir.path().to_path_buf()));
        let html = first.block("yaml", "a: 1\n");
        first.save_cache().unwrap();
        let second = Highlighter::new(Some(dir.path().to_path_buf()));
        assert_eq!(second.cached.len(), 1);
        assert_eq!(second.block("yaml", "a: 1\n"), html);
    }

    #[test]
    fn dark_css_is_scoped() {
        let (_, dark) = stylesheets();
        assert!(dark.contains("html[data-theme=dark] .hl-"));
        assert!(dark.contains("@media (prefers-color-scheme: dark)"));
    }
}
