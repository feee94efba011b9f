//! A markdown file's bytes, read as a page of every kind: front matter split and parsed (TOML
//! and YAML), fields checked, and another tool's keys translated.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use opsbook::source::{parse_document, Handbook, Placed};

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
    let standard = Handbook::standard(Path::new("/handbook"), false);
    let foreign = Handbook::standard(Path::new("/handbook"), true);
    for handbook in [&standard, &foreign] {
        for path in PATHS {
            let placed = Placed {
                source: path.to_string(),
                path: path.to_string(),
            };
            let _ = parse_document(handbook, &placed, bytes.to_vec());
        }
    }
});
