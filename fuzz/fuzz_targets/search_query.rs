//! Whatever is typed in the search box, against the index of the example handbook: tokenized,
//! prefix-expanded and run as `opsbook search` runs it.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use opsbook::build::index::fresh_search_index;
use opsbook::build::BuildOptions;
use opsbook::search::{Filters, Searcher};

static SEARCHER: LazyLock<Searcher> = LazyLock::new(|| {
    let cache = tempfile::tempdir().expect("a temporary folder").keep();
    let options = BuildOptions {
        root: Path::new(env!("CARGO_MANIFEST_DIR")).join("../content-example"),
        cache_dir: Some(cache),
        ..BuildOptions::default()
    };
    let (dir, _) = fresh_search_index(&options).expect("the example handbook indexes");
    Searcher::open(&dir).expect("the index opens")
});

fuzz_target!(
    // Indexing the example handbook takes a second: done before the first input, so that it
    // does not count as that input's time.
    init: {
        std::sync::LazyLock::force(&SEARCHER);
    },
    |bytes: &[u8]| {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return;
        };
        // A first line, when there is one, picks a kind filter, as the search page's menu does.
        let (kind, query) = match text.split_once('\n') {
            Some((kind, query)) => (Some(kind.to_string()), query),
            None => (None, text),
        };
        let filters = Filters {
            kind,
            ..Filters::default()
        };
        let hits = SEARCHER
            .search_as_typed(query, &filters, 10)
            .expect("a query never fails");
        assert!(hits.len() <= 10);
        let _ = SEARCHER
            .search(query, &Filters::default(), 10)
            .expect("a query never fails");
    }
);
