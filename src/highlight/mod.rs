//! Syntax highlighting at build time: syntect with the grammars of `two-face` (TOML, Dockerfile,
//! HCL/Terraform, nginx, … that syntect alone lacks).
//!
//! Each token is styled by a light and a dark theme at once and gets one short class naming both
//! styles (`h` + light colour and font style + dark colour and font style), so one page reads well
//! in either scheme and the stylesheets are derived from the class names a build used. Colours are
//! raised to a 4.5:1 contrast against the default theme's code backgrounds. Highlighted blocks are
//! cached by content hash in a file that CI can keep, so a rebuild highlights only new code.
//!
//! This is the only module that knows syntect.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use foldhash::HashMap as FastMap;
use syntect::highlighting::{FontStyle, Highlighter as Styler, Theme};
use syntect::parsing::{ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use two_face::theme::EmbeddedThemeName;

mod cache;
mod css;

use cache::{cache_key, read_cache, Key};
pub(crate) use css::class_names;
use css::Palette;

struct Themes {
    light: Theme,
    dark: Theme,
    palette: Palette,
}

/// Highlights code blocks; shared by all rendering threads.
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    themes: OnceLock<Themes>,
    cached: HashMap<Key, Arc<str>>,
    /// Every block of this build, cached or new: what the cache file keeps next time.
    used: Mutex<HashMap<Key, Arc<str>>>,
    /// Every class this build's blocks use: what the stylesheets define.
    classes: Mutex<BTreeSet<String>>,
    /// Tells this highlighter's line memo (kept per thread) from another's.
    id: u64,
    memoize_lines: bool,
    cache_dir: Option<PathBuf>,
}

/// Backtracking steps one regex search of a grammar may take (oniguruma's default is ten
/// million per start position, without a limit per search). A few grammars backtrack without
/// end on hostile lines: a 200-byte Python line the fuzzer found took 165 ms, so a page of a
/// thousand such lines took minutes. Past the limit a search counts as no match (syntect's
/// rule), which only changes the colours of such a line, the same way on every machine; real
/// code stays far below it.
const REGEX_RETRY_LIMIT: u64 = 100_000;

#[allow(unsafe_code)]
fn bound_regex_backtracking() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: each call stores one integer in a global of oniguruma that every later
        // search reads; `Once` makes it happen once, before this process highlights anything.
        unsafe {
            onig_sys::onig_set_retry_limit_in_search(REGEX_RETRY_LIMIT as std::os::raw::c_ulong);
        }
    });
}

impl Highlighter {
    /// A highlighter that reads and later writes its cache in `cache_dir`, when given.
    pub fn new(cache_dir: Option<PathBuf>) -> Highlighter {
        let cached = cache_dir.as_deref().map(read_cache).unwrap_or_default();
        Highlighter {
            syntaxes: OnceLock::new(),
            themes: OnceLock::new(),
            cached,
            used: Mutex::default(),
            classes: Mutex::default(),
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            memoize_lines: true,
            cache_dir,
        }
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(|| {
            bound_regex_backtracking();
            two_face::syntax::extra_newlines()
        })
    }

    fn themes(&self) -> &Themes {
        self.themes.get_or_init(|| {
            let set = two_face::theme::extra();
            let light = set.get(EmbeddedThemeName::InspiredGithub).clone();
            let dark = set.get(EmbeddedThemeName::OneHalfDark).clone();
            Themes {
                palette: Palette::new(&light, &dark),
                light,
                dark,
            }
        })
    }

    /// The whole `<pre>` element for a fenced block with info string `lang`.
    pub fn block(&self, lang: &str, code: &str) -> String {
        let lang = lang.split([' ', ',', '{']).next().unwrap_or("").trim();
        let key = cache_key(lang, code);
        let inner = match self.cached.get(&key) {
            Some(html) => html.clone(),
            None => Arc::from(self.highlight(lang, code)),
        };
        let block = wrap(lang, &inner);
        self.note_classes(&inner);
        // Kept for the cache file only: a build without one holds no second copy of its code.
        if self.cache_dir.is_some() {
            self.used
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key, inner);
        }
        block
    }

    /// Forgets the classes used so far: a new build of the same handbook starts.
    pub(crate) fn forget_classes(&self) {
        self.classes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Forgets every block, class and line highlighted so far, keeping the loaded grammars: for
    /// a caller that highlights without end, such as a fuzzer, whose memory must stay flat.
    pub fn forget_everything_highlighted(&self) {
        self.forget_classes();
        self.used.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.begin_memo(LineMemo::clear);
    }

    /// Counts `classes` as used, for a page whose rendering an earlier build made.
    pub(crate) fn note_used_classes<'a>(&self, classes: impl IntoIterator<Item = &'a String>) {
        let mut used = self.classes.lock().unwrap_or_else(|e| e.into_inner());
        for class in classes {
            if !used.contains(class) {
                used.insert(class.clone());
            }
        }
    }

    fn note_classes(&self, html: &str) {
        let mut classes = class_names(html).peekable();
        if classes.peek().is_none() {
            return;
        }
        let mut used = self.classes.lock().unwrap_or_else(|e| e.into_inner());
        for class in classes {
            if !used.contains(class) {
                used.insert(class.to_string());
            }
        }
    }

    fn highlight(&self, lang: &str, code: &str) -> String {
        let Some(syntax) = self.find(lang) else {
            return escape(code);
        };
        let syntaxes = self.syntaxes();
        let themes = self.themes();
        let (light, dark) = (Styler::new(&themes.light), Styler::new(&themes.dark));
        let grammar = syntaxes
            .syntaxes()
            .iter()
            .position(|s| std::ptr::eq(s, syntax))
            .unwrap_or(usize::MAX);
        let mut state = Some(LineState::new(syntax));
        // Code repeats itself: a line highlights the same wherever it starts in the same state
        // (grammar contexts and scope stack), and ends in the same state. Each
        // state a build meets is kept once, and each line by the state it starts in.
        let first = state.as_ref().expect("just made");
        let mut at =
            self.begin_memo(|memo| self.memoize_lines.then(|| memo.intern(grammar, first)));
        let mut html = String::with_capacity(code.len() * 2);
        for line in LinesWithEndings::from(code) {
            if let Some(start) = at {
                if let Some((line_html, end)) =
                    self.with_memo(|memo| memo.get(grammar, start, line))
                {
                    html.push_str(&line_html);
                    at = Some(end);
                    // The state is the remembered one; it is taken out again only if needed.
                    state = None;
                    continue;
                }
            }
            let mut current = match (state.take(), at) {
                (Some(current), _) => current,
                (None, Some(start)) => self.with_memo(|memo| memo.state(start)),
                (None, None) => unreachable!("a state is kept or remembered"),
            };
            let Some(line_html) = self.with_memo(|memo| {
                current.highlight(
                    line,
                    syntaxes,
                    (&light, &dark),
                    &themes.palette,
                    &mut memo.looks,
                )
            }) else {
                return escape(code);
            };
            if let Some(start) = at {
                let end = self.with_memo(|memo| {
                    let end = memo.intern(grammar, &current);
                    memo.insert(grammar, start, line, Arc::from(line_html.as_str()), end);
                    end
                });
                at = Some(end);
            }
            html.push_str(&line_html);
            state = Some(current);
        }
        html
    }

    /// Runs `f` on this thread's line memo of this highlighter. A grammar's state holds
    /// pointers of the regex engine and stays on its thread, so each thread has its own memo.
    ///
    /// The memo starts again when it is another highlighter's or full: only here, before a
    /// block, so the state numbers a block holds stay valid to its end (nothing else runs on
    /// the thread while a block is highlighted).
    fn begin_memo<T>(&self, f: impl FnOnce(&mut LineMemo) -> T) -> T {
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            if memo.0 != self.id
                || memo.1.line_count > MEMO_LINES
                || memo.1.looks.0.len() > MEMO_LINES
            {
                *memo = (self.id, LineMemo::default());
            }
            f(&mut memo.1)
        })
    }

    /// Runs `f` on the memo [`Self::begin_memo`] made ready for this block.
    fn with_memo<T>(&self, f: impl FnOnce(&mut LineMemo) -> T) -> T {
        MEMO.with(|memo| f(&mut memo.borrow_mut().1))
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

    /// Whether `lang` has a grammar.
    #[cfg(test)]
    pub(crate) fn knows(&self, lang: &str) -> bool {
        self.find(lang).is_some_and(|s| s.name != "Plain Text")
    }

    /// The light and dark stylesheets for the classes used so far. The dark one applies when the
    /// page asks for dark (`html[data-theme=dark]`) or follows a dark system setting.
    pub(crate) fn stylesheets(&self) -> (String, String) {
        let classes = self.classes.lock().unwrap_or_else(|e| e.into_inner());
        self.themes().palette.stylesheets(classes.iter())
    }

    /// Writes the cache of this build's blocks, replacing the old file atomically.
    pub(crate) fn save_cache(&self) -> std::io::Result<()> {
        let Some(dir) = &self.cache_dir else {
            return Ok(());
        };
        cache::write(dir, &self.used.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Lines a thread's memo holds before it starts again: a long `serve` session stays bounded.
const MEMO_LINES: usize = 200_000;

thread_local! {
    /// The line memo of the highlighter this thread last worked for.
    static MEMO: std::cell::RefCell<(u64, LineMemo)> = std::cell::RefCell::default();
}

/// A remembered line's HTML and the number of the state it ends in.
type LineEnd = (Arc<str>, usize);

/// The states lines start and end in, each kept once, and the lines highlighted from each.
#[derive(Default)]
struct LineMemo {
    /// Every state met, by grammar and scope stack (a cheap first sort).
    states: Vec<LineState>,
    by_scopes: FastMap<(usize, u64), Vec<usize>>,
    /// (grammar, state before) → line → (its HTML, state after).
    lines: FastMap<(usize, usize), FastMap<Box<str>, LineEnd>>,
    line_count: usize,
    looks: Looks,
}

impl LineMemo {
    /// The number of `state`, kept if it is new.
    fn intern(&mut self, grammar: usize, state: &LineState) -> usize {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        state.stack.as_slice().hash(&mut hasher);
        let bucket = self
            .by_scopes
            .entry((grammar, hasher.finish()))
            .or_default();
        if let Some(&known) = bucket.iter().find(|&&i| self.states[i] == *state) {
            return known;
        }
        self.states.push(state.clone());
        bucket.push(self.states.len() - 1);
        self.states.len() - 1
    }

    fn state(&self, number: usize) -> LineState {
        self.states[number].clone()
    }

    fn get(&self, grammar: usize, start: usize, line: &str) -> Option<(Arc<str>, usize)> {
        self.lines.get(&(grammar, start))?.get(line).cloned()
    }

    fn insert(&mut self, grammar: usize, start: usize, line: &str, html: Arc<str>, end: usize) {
        let lines = self.lines.entry((grammar, start)).or_default();
        if lines.insert(Box::from(line), (html, end)).is_none() {
            self.line_count += 1;
        }
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    fn clear(&mut self) {
        *self = LineMemo::default();
    }
}

/// Where a block stands between two lines: the grammar's parse state and its scope stack.
#[derive(Clone, PartialEq)]
struct LineState {
    parse: ParseState,
    stack: ScopeStack,
}

/// How a scope stack looks: its class (empty when plain in both themes) and whether either
/// theme underlines it.
#[derive(Clone)]
struct Look {
    class: Arc<str>,
    underlined: bool,
}

/// The look of every scope stack met: a theme resolves a stack by matching each of its rules
/// against it, which cost more than parsing while every push did it for both themes, and a build
/// meets a few thousand stacks many million times.
#[derive(Default)]
struct Looks(FastMap<Vec<Scope>, Look>);

impl Looks {
    fn of(
        &mut self,
        stack: &[Scope],
        stylers: (&Styler<'_>, &Styler<'_>),
        palette: &Palette,
    ) -> Look {
        if let Some(look) = self.0.get(stack) {
            return look.clone();
        }
        let (light, dark) = (
            stylers.0.style_for_stack(stack),
            stylers.1.style_for_stack(stack),
        );
        let look = Look {
            class: Arc::from(palette.class_for(light, dark)),
            underlined: (light.font_style | dark.font_style).contains(FontStyle::UNDERLINE),
        };
        self.0.insert(stack.to_vec(), look.clone());
        look
    }
}

impl LineState {
    fn new(syntax: &SyntaxReference) -> LineState {
        LineState {
            parse: ParseState::new(syntax),
            stack: ScopeStack::new(),
        }
    }

    /// Highlights one line (with its newline) and moves the state past it: the text up to each
    /// change of the scope stack takes the look of the stack before the change.
    fn highlight(
        &mut self,
        line: &str,
        syntaxes: &SyntaxSet,
        stylers: (&Styler<'_>, &Styler<'_>),
        palette: &Palette,
        looks: &mut Looks,
    ) -> Option<String> {
        let ops = self.parse.parse_line(line, syntaxes).ok()?;
        let mut runs = Vec::with_capacity(ops.len() + 1);
        let mut position = 0;
        let last = (line.len(), ScopeStackOp::Noop);
        for (end, op) in ops.iter().chain(std::iter::once(&last)) {
            if *end > position {
                runs.push((
                    looks.of(self.stack.as_slice(), stylers, palette),
                    position..*end,
                ));
                position = *end;
            }
            // A stack the grammar cannot apply ends the styling; the rest is plain text.
            if self.stack.apply(op).is_err() {
                break;
            }
        }
        Some(merge_runs(line, &runs))
    }
}

/// Writes `line` as its runs, each styled piece wrapped in its class.
fn merge_runs(line: &str, runs: &[(Look, std::ops::Range<usize>)]) -> String {
    let mut html = String::with_capacity(line.len() * 2);
    let mut position = 0;
    let mut pending: Option<(Arc<str>, usize, usize)> = None;
    for (look, range) in runs {
        let end = range.end;
        // Blanks show no colour: they join the open run (unless underlined, which would show),
        // so a run of one class is not cut by the spaces between its tokens.
        let blank = line[position..end].trim().is_empty() && !look.underlined;
        match &mut pending {
            Some((open, _, pending_end)) if *open == look.class || (blank && !open.is_empty()) => {
                *pending_end = end
            }
            _ => {
                flush(&mut html, line, pending.take());
                pending = Some((look.class.clone(), position, end));
            }
        }
        position = end;
    }
    flush(&mut html, line, pending);
    if position < line.len() {
        escape_into(&mut html, &line[position..]);
    }
    html
}

fn flush(html: &mut String, line: &str, piece: Option<(Arc<str>, usize, usize)>) {
    let Some((class, start, end)) = piece else {
        return;
    };
    let text = &line[start..end];
    if class.is_empty() || text.trim().is_empty() {
        escape_into(html, text);
    } else {
        // Class names are letters and digits only: the attribute needs no quotes.
        html.push_str("<span class=");
        html.push_str(&class);
        html.push('>');
        escape_into(html, text);
        html.push_str("</span>");
    }
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
    escape_into(&mut html, code);
    html
}

fn escape_into(html: &mut String, text: &str) {
    let _ = pulldown_cmark_escape::escape_html_body_text(html, text);
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
    fn tokens_get_one_class_naming_both_themes() {
        let highlighter = Highlighter::new(None);
        let html = highlighter.block("bash", "echo \"<hi>\" # note\n");
        assert!(html.contains("<span class=h"), "{html}");
        assert!(html.contains("&lt;hi&gt;"), "{html}");
        assert!(!html.contains("<span class=h>"), "{html}");
        let text: String = html
            .split('<')
            .map(|p| p.split_once('>').map_or(p, |(_, t)| t))
            .collect();
        assert_eq!(
            text, "echo \"&lt;hi&gt;\" # note\n\n",
            "the text is kept whole"
        );
        let (light, dark) = highlighter.stylesheets();
        for class in class_names(&html) {
            assert!(light.contains(&format!(".{class}{{color:#")), "{light}");
            assert!(
                dark.contains(&format!("html[data-theme=dark] .{class}{{")),
                "{dark}"
            );
        }
        assert!(dark.contains("@media (prefers-color-scheme: dark)"));
    }

    #[test]
    fn blanks_between_tokens_of_one_class_do_not_cut_the_run() {
        let html = Highlighter::new(None).block("bash", "for p in a; do echo $p; done\n");
        // `;` and `do` are both keywords: one span holds them and the space between.
        assert!(html.contains("<span class=h210w>; do "), "{html}");
    }

    #[test]
    fn memoized_lines_highlight_as_without_memo() {
        let code = "kubectl get pods -n kube-system\nif [ -f x ]; then\n  echo \"a\"\nfi\nkubectl get pods -n kube-system\necho 'multi\nline'\nkubectl get pods -n kube-system\n";
        let mut plain = Highlighter::new(None);
        plain.memoize_lines = false;
        let memoized = Highlighter::new(None);
        for lang in ["bash", "yaml", "python"] {
            let expected = plain.highlight(lang, code);
            assert_eq!(
                memoized.highlight(lang, code),
                expected,
                "{lang}, first time"
            );
            assert_eq!(
                memoized.highlight(lang, code),
                expected,
                "{lang}, from the memo"
            );
        }
        assert!(!memoized.begin_memo(|m| m.is_empty()));
        assert!(plain.begin_memo(|m| m.is_empty()));
        // Nested lines are remembered too, not only those at the grammar's top level.
        let nested = "a:\n  b:\n    - c: 1\n    - c: 1\n";
        let expected = plain.highlight("yaml", nested);
        assert_eq!(memoized.highlight("yaml", nested), expected);
        let remembered = memoized.begin_memo(|m| m.line_count);
        assert_eq!(memoized.highlight("yaml", nested), expected);
        assert_eq!(memoized.begin_memo(|m| m.line_count), remembered);
    }

    /// A Python line the markdown fuzzer found (`fuzz/artifacts`), on which a string regex of
    /// the grammar backtracked for 165 ms in a release build.
    const BACKTRACKING_LINE: &str = "with pso_opg.connect(\"sere^1]\\\\\\\\\\\\\\\\P\u{fffd}\\\\\\\\\\\\\\\\\\\\\\\\1\\\\\\\\z\\\\[\\\\i\u{fffd}iflcat% oC le\u{b}i<///////////[^el- \u{b}i<ele]\u{b}i<///////////[^el- [\u{f}\u{fffd} ] i<<el";

    #[test]
    fn lines_that_make_a_grammar_backtrack_without_end_are_cut_short() {
        let highlighter = Highlighter::new(None);
        let code: String = (0..200)
            .map(|i| format!("{BACKTRACKING_LINE}{i}\n"))
            .collect();
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let html = highlighter.block("python", &code);
                let _ = done.send(html);
            });
            // Unbounded, this took 47 s in a debug build; bounded, 2 s.
            let html = finished
                .recv_timeout(std::time::Duration::from_secs(20))
                .expect("highlighting ends");
            assert_eq!(html.matches("i&lt;&lt;el").count(), 200);
        });
    }
}
