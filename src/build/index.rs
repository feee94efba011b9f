//! The search index `opsbook search` answers from: the site assembled as a build assembles it,
//! indexed into the cache folder, and rebuilt only when a source file changed.

use std::path::PathBuf;

use super::{assemble, open, BuildOptions, Earlier};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::highlight::Highlighter;
use crate::search;
use crate::source;

/// The search index of the handbook, rebuilt first when it is missing or older than the sources.
/// Returns its folder and whether it had to be rebuilt.
pub fn fresh_search_index(options: &BuildOptions) -> Result<(PathBuf, bool), Vec<Diagnostic>> {
    let cache = options
        .cache_dir
        .clone()
        .unwrap_or_else(|| options.root.join(".opsbook-cache"));
    let dir = search::index_dir(&cache);
    let (handbook, config) = open(options)?;
    // Stamped before reading, so an edit made while indexing leaves the index stale.
    let stamp = search::source_stamp(&handbook);
    if search::Searcher::stamp(&dir).as_deref() == Some(stamp.as_str()) {
        return Ok((dir, false));
    }
    let highlighter = Highlighter::new(Some(cache.clone()));
    let loaded = source::load(handbook, config, options.drafts, Default::default());
    let mut assembled = assemble(loaded, options.now, options.drafts);
    if assembled.diagnostics.has_errors() {
        return Err(errors(assembled.diagnostics));
    }
    assembled.render_markdown(&highlighter, &mut Earlier::default());
    if assembled.diagnostics.has_errors() {
        return Err(errors(assembled.diagnostics));
    }
    search::build_index(&assembled.site, &dir, &stamp).map_err(|e| {
        vec![Diagnostic::error(
            None,
            format!("cannot write the search index: {e}"),
        )]
    })?;
    let _ = highlighter.save_cache();
    Ok((dir, true))
}

fn errors(diagnostics: Diagnostics) -> Vec<Diagnostic> {
    diagnostics.into_vec()
}
