//! Problems found in a handbook, with the place they were found.
//!
//! Every stage reports user-fixable problems as [`Diagnostic`]s instead of failing on the first
//! one, so a build prints all of them at once. This module only describes and formats problems;
//! it never decides whether a build goes on.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Warning,
    Error,
}

/// A place in a user's file; `line` and `column` are 1-based, 0 when unknown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub(crate) fn file(path: impl Into<PathBuf>) -> Self {
        Location {
            path: path.into(),
            line: 0,
            column: 0,
        }
    }

    pub(crate) fn at(path: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Location {
            path: path.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", shown(&self.path.to_string_lossy()))?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// One problem: what is wrong, where, and how to fix it when we can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub level: Level,
    pub location: Option<Location>,
    pub message: String,
    pub hint: Option<String>,
    /// The stable id of the check that found it (`broken-link`); `opsbook check` shows it and
    /// lets `[checks] rules` change its level. `None` when the finder did not name one.
    pub rule: Option<&'static str>,
}

impl Diagnostic {
    pub(crate) fn error(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Error,
            location,
            message: message.into(),
            hint: None,
            rule: None,
        }
    }

    pub(crate) fn warning(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Warning,
            location,
            message: message.into(),
            hint: None,
            rule: None,
        }
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn with_rule(mut self, rule: &'static str) -> Self {
        self.rule = Some(rule);
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let message = shown(&self.message);
        match &self.location {
            Some(location) => write!(f, "{label}: {location}: {message}")?,
            None => write!(f, "{label}: {message}")?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {}", shown(hint))?;
        }
        Ok(())
    }
}

/// `text` as a terminal or a CI log may show it: control characters (a line break would start
/// a line of its own, which GitHub Actions reads as a workflow command; ESC starts a terminal
/// escape sequence) and the characters that reorder or break lines are written as escapes,
/// `\n`, `\r`, `\t` or `\u{1b}`. Everything else is kept.
pub fn shown(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// All problems of one build, errors and warnings.
#[derive(Debug, Default, Clone)]
pub(crate) struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub(crate) fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub(crate) fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| !d.is_error())
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Diagnostic> {
        self.items.iter_mut()
    }

    pub(crate) fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Converts byte offsets in a text into 1-based line and column (in characters).
pub(crate) struct LineIndex {
    line_starts: Vec<usize>,
    /// The last offset asked for and its 0-based column: the next offset on the same line is
    /// counted from there, so the columns of every link on a 2 MB line cost one pass, not one
    /// pass each.
    last: Cell<(usize, usize)>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            line_starts,
            last: Cell::new((0, 0)),
        }
    }

    /// Line and column of `offset`; `text` must be the text the index was made from.
    pub(crate) fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let (last_offset, last_column) = self.last.get();
        let (from, counted) = if (start..=offset).contains(&last_offset) {
            (last_offset, last_column)
        } else {
            (start, 0)
        };
        let column = counted
            + text
                .get(from..offset)
                .map_or(offset - from, |s| s.chars().count());
        if text.is_char_boundary(offset) {
            self.last.set((offset, column));
        }
        (line, column + 1)
    }
}

/// How many problems of one file a person is shown; the rest are counted. A page with a
/// million broken links prints twenty of them, not a million lines.
pub(crate) const SHOWN_PER_FILE: usize = 20;

/// Splits `sorted` (grouped by file) into what to show, and for each file with more than
/// [`SHOWN_PER_FILE`] problems, how many were left out, keyed by the last one shown.
pub fn shown_per_file<'a>(sorted: &[&'a Diagnostic]) -> Vec<(&'a Diagnostic, usize)> {
    let mut shown: Vec<(&Diagnostic, usize)> = Vec::new();
    let mut in_file = 0;
    let mut file: Option<&Path> = None;
    for &diagnostic in sorted {
        let this = diagnostic.location.as_ref().map(|l| l.path.as_path());
        if this != file || this.is_none() {
            file = this;
            in_file = 0;
        }
        in_file += 1;
        if in_file <= SHOWN_PER_FILE {
            shown.push((diagnostic, 0));
        } else if let Some(last) = shown.last_mut() {
            last.1 += 1;
        }
    }
    shown
}

/// The line that stands for `hidden` problems of `file` left out.
pub fn hidden_line(file: Option<&Location>, hidden: usize) -> String {
    let file = file.map_or_else(String::new, |l| {
        format!(" in {}", shown(&l.path.to_string_lossy()))
    });
    format!("  … and {hidden} more{file}, not shown")
}

/// The path to show for a file: relative to the handbook root when it is inside it.
pub(crate) fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// The known name closest to `unknown`, when one is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    unknown: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    known
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(unknown, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\ncdé f\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), (1, 1));
        assert_eq!(index.position(text, 3), (2, 1));
        assert_eq!(index.position(text, text.find('f').unwrap()), (2, 5));
    }

    #[test]
    fn positions_remembered_along_a_line_equal_those_counted_afresh() {
        let text = "é [a](x) ü [b](y)\nzz [c](w) ñ\n";
        let remembering = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        // Forwards, backwards and jumping between lines, as diagnostics may ask.
        let order = offsets
            .iter()
            .chain(offsets.iter().rev())
            .chain(offsets.iter().step_by(3));
        for &offset in order {
            assert_eq!(
                remembering.position(text, offset),
                LineIndex::new(text).position(text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(shown("plain café"), "plain café");
        assert_eq!(
            shown("a\n::error x\r\t\u{1b}[2J\u{7f}\u{9b}\u{202e}b"),
            "a\\n::error x\\r\\t\\u{1b}[2J\\u{7f}\\u{9b}\\u{202e}b"
        );
        let d = Diagnostic::error(
            Some(Location::at("content/a\nb.md", 2, 3)),
            "bad `x\n::error file=README.md::X`",
        )
        .with_hint("y\u{1b}]0;title\u{7}");
        let text = d.to_string();
        assert_eq!(
            text,
            "error: content/a\\nb.md:2:3: bad `x\\n::error file=README.md::X`\n  hint: y\\u{1b}]0;title\\u{7}"
        );
    }

    #[test]
    fn suggests_close_field_names_only() {
        let known = ["last_reviewed", "owners", "services"];
        assert_eq!(did_you_mean("last_review", known), Some("last_reviewed"));
        assert_eq!(did_you_mean("servces", known), Some("services"));
        assert_eq!(did_you_mean("zebra", known), None);
    }
}
