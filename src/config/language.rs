//! `language` of `opsbook.toml`: one search has an analyzer for.

use crate::diagnostic::{Diagnostic, LineIndex, Location};
use crate::language::Language;

/// `language` when search has no analyzer for it, at its value in `text`.
pub(super) fn problem(language: &toml::Spanned<String>, text: &str) -> Option<Diagnostic> {
    Language::parse(language.get_ref()).is_none().then(|| {
        let (line, column) = LineIndex::new(text).position(text, language.span().start);
        Diagnostic::error(
            Some(Location::at(super::CONFIG_FILE, line, column)),
            format!("unknown `language` \"{}\"", language.get_ref()),
        )
        .with_hint(format!(
            "write an ISO 639-1 code search knows: {}",
            Language::codes()
        ))
    })
}
