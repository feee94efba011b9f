//! One markdown file read into a [`Document`]: front matter split, parsed and typed (other
//! tools' keys mapped by the adapters first), and the body rewritten where another tool's
//! markdown needs it. Every problem names the file as the user wrote it.

use super::adapters;
use super::front_matter::{self, Positions};
use super::layout::Layout;
use super::meta::{self, Meta};
use crate::diagnostic::{Diagnostic, LineIndex, Location};
use crate::packed::PackedText;
use crate::paths::{file_name, parent, HandbookPath};
use crate::vocabulary::Kind;

/// One markdown file, parsed.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where the page sits in the site: relative to the content folder, `/`-separated, in
    /// opsbook's own names (`runbooks/disk.md`, `_index.md` for a folder's own page). Another
    /// tool's names are read as these: a `README.md` describing its folder is its `_index.md`.
    pub(crate) path: String,
    /// The file it was read from, relative to the content folder: links in its body are
    /// relative to it.
    pub(crate) source: String,
    /// The same file, relative to the handbook: how messages and edit links name it.
    pub(crate) file: HandbookPath,
    /// The whole file (front matter and body), compressed: a build holds every page's.
    text: PackedText,
    pub(crate) body_offset: usize,
    /// 1-based line of the body's first line.
    pub(crate) body_line: usize,
    pub(crate) meta: Meta,
    /// Where each front matter field was written, for later checks.
    pub(crate) positions: Positions,
}

impl Document {
    /// The markdown after the front matter.
    pub(crate) fn body(&self) -> String {
        self.text.unpack().split_off(self.body_offset)
    }

    /// The front matter, as written (empty when there is none).
    pub(crate) fn front_matter_text(&self) -> String {
        let mut text = self.text.unpack();
        text.truncate(self.body_offset);
        text
    }

    /// `_index.md`: the document describing a section.
    pub(crate) fn is_section_index(&self) -> bool {
        file_name(&self.path) == "_index.md"
    }

    /// `index.md`: a page stored as a folder with its assets.
    pub(crate) fn is_bundle(&self) -> bool {
        file_name(&self.path) == "index.md"
    }

    /// Where the front matter field at `key` (`components.1`) was written.
    pub(crate) fn location_of(&self, key: &str) -> Location {
        let (line, column) = self.positions.value(key);
        Location::at(&self.file, line, column)
    }
}

/// A markdown file of the content: where it is, and where it sits in the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// Content-relative, as on disk.
    pub source: String,
    /// Content-relative, in opsbook's names ([`Document::path`]).
    pub path: String,
}

/// A document and its warnings, or every problem that kept it from being read.
pub type Read = Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Reads the file `placed` of the content.
pub(super) fn read(layout: &Layout, placed: &Placed) -> Read {
    let file = layout.file(&placed.source);
    let bytes = std::fs::read(layout.disk(&placed.source)).map_err(|e| {
        vec![Diagnostic::error(
            Some(Location::file(&file)),
            format!("cannot read the file: {e}"),
        )
        .with_rule("content")]
    })?;
    parse(layout, placed, bytes)
}

/// The document in `bytes`, the contents of the file `placed`: what [`read`] makes of a file
/// once it is read.
pub(super) fn parse(layout: &Layout, placed: &Placed, bytes: Vec<u8>) -> Read {
    let file = layout.file(&placed.source);
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or("");
        let (line, column) = LineIndex::new(valid).position(valid, valid.len());
        vec![Diagnostic::error(
            Some(Location::at(&file, line, column)),
            "the file is not valid UTF-8",
        )
        .with_hint("save it as UTF-8")]
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let at = |line, column| Some(Location::at(&file, line, column));
    // CommonMark replaces U+0000 for safety; so does opsbook, everywhere in the file (titles
    // included), so that no NUL reaches a page, a feed or the search index.
    let mut nul_warning = None;
    let text = match text.find('\0') {
        None => text,
        Some(first) => {
            let (line, column) = LineIndex::new(&text).position(&text, first);
            nul_warning = Some(
                Diagnostic::warning(at(line, column), "NUL character replaced with U+FFFD (�)")
                    .with_rule("nul-character"),
            );
            text.replace('\0', "\u{fffd}")
        }
    };
    let syntax_error = |p: front_matter::Problem| {
        Diagnostic::error(at(p.line, p.column), p.message).with_rule("front-matter")
    };
    // Front matter never closed leaves no body to show; front matter that does not parse
    // leaves the page its body, under the title its first heading gives.
    let split = front_matter::split(&text).map_err(|p| vec![syntax_error(p)])?;
    let mut syntax = None;
    let mut parsed = front_matter::parse(&split).unwrap_or_else(|p| {
        syntax = Some(syntax_error(p));
        front_matter::Parsed::default()
    });
    let body_offset = split.body_offset;
    let mut folder_kind = if file_name(&placed.source) == "_index.md" {
        Kind::Page
    } else {
        layout.kind_of_folder(parent(&placed.source))
    };
    if layout.inferred
        && folder_kind == Kind::Postmortem
        && !parsed.values.contains_key("kind")
        && !adapters::reads_like_postmortem(
            &parsed.values,
            &text[split.body_offset..],
            &placed.source,
        )
    {
        folder_kind = Kind::Page;
    }
    let mapped = adapters::fields::translate(&mut parsed, folder_kind, layout, placed);
    let (mut meta, mut problems) = meta::read(&parsed, folder_kind);
    problems.splice(0..0, mapped.problems);
    let mut diagnostics: Vec<Diagnostic> = syntax.into_iter().collect();
    diagnostics.extend(problems.into_iter().map(|p| {
        let d = if p.is_error {
            Diagnostic::error(at(p.line, p.column), p.message)
        } else {
            Diagnostic::warning(at(p.line, p.column), p.message)
        };
        let d = d.with_rule(p.rule);
        match p.hint {
            Some(hint) => d.with_hint(hint),
            None => d,
        }
    }));
    meta.extra.extend(mapped.kept);
    let body_line = text[..body_offset].matches('\n').count() + 1;
    let (text, mut warnings) =
        adapters::rewrite_body(layout, &placed.source, text, body_offset, body_line);
    warnings.splice(0..0, diagnostics);
    warnings.extend(nul_warning);
    let document = Document {
        path: placed.path.clone(),
        source: placed.source.clone(),
        file,
        text: PackedText::pack(&text),
        body_offset,
        body_line,
        meta,
        positions: parsed.positions,
    };
    Ok((document, warnings))
}
