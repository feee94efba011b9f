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
        // A first line, when there is one, picks a kind filter, as the search page's menu does;
        // a first line that is a number is the number of results instead, as `--limit` gives
        // it (any usize: the searcher bounds it, the command line too).
        let (first, query) = match text.split_once('\n') {
            Some((first, query)) => (Some(first), query),
            None => (None, text),
        };
        let limit = first.and_then(|f| f.parse::<u128>().ok());
        let kind = first.filter(|_| limit.is_none()).map(str::to_string);
        let limit = limit.map_or(10, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let filters = Filters {
            kind,
            ..Filters::default()
        };
        let hits = SEARCHER
            .search_as_typed(query, &filters, limit)
            .expect("a query never fails");
        assert!(hits.len() <= limit.clamp(1, opsbook::search::MAX_LIMIT));
        let _ = SEARCHER
            .search(query, &Filters::default(), limit)
            .expect("a query never fails");
    }
);
