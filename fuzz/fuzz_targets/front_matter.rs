//! A markdown file's bytes, read as a page of every kind: front matter split and parsed (TOML
//! and YAML), fields checked, and another tool's keys translated.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use opsbook::migrate::Layout;
use opsbook::source::parse_document;

/// One file name per kind, and a section index.
const PATHS: [&str; 7] = [
    "page.md",
    "_index.md",
    "runbooks/disk.md",
    "processes/review.md",
    "postmortems/2026-01-01-outage.md",
    "incidents/2026-01-01-dns.md",
    "services/api.md",
];

fuzz_target!(|bytes: &[u8]| {
    let standard = Layout::standard(Path::new("/handbook"));
    let mut foreign = standard.clone();
    foreign.foreign = true;
    for layout in [&standard, &foreign] {
        for path in PATHS {
            let _ = parse_document(layout, path, bytes.to_vec());
        }
    }
});
