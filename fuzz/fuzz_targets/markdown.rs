//! A page body through the whole markdown pipeline: admonitions, heading ids, link rewriting,
//! highlighting, table of contents and the text the search index reads.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use opsbook::highlight::Highlighter;
use opsbook::markdown::{render, Context, LinkTargets};

struct Targets;

impl LinkTargets for Targets {
    fn page_at(&self, path: &str) -> Option<(usize, &str)> {
        match path {
            "runbooks/disk.md" => Some((1, "/runbooks/disk/")),
            "processes/_index.md" => Some((2, "/processes/")),
            _ => None,
        }
    }
    fn asset_exists(&self, path: &str) -> bool {
        path.ends_with(".png")
    }
    fn file(&self, path: &str) -> String {
        format!("content/{path}")
    }
    fn base_path(&self) -> &str {
        "/handbook/"
    }
}

static HIGHLIGHTER: LazyLock<Highlighter> = LazyLock::new(|| Highlighter::new(None));

fuzz_target!(
    // Loading the grammars and themes takes a moment: done before the first input.
    init: {
        HIGHLIGHTER.block("bash", "echo warm\n");
        HIGHLIGHTER.forget_everything_highlighted();
    },
    |bytes: &[u8]| {
        let Ok(body) = std::str::from_utf8(bytes) else {
            return;
        };
        for raw_html in [true, false] {
            let context = Context {
                highlighter: &HIGHLIGHTER,
                targets: &Targets,
                source: "processes/review.md",
                first_line: 4,
                title: Some("Review"),
                raw_html,
                placeholders: raw_html,
            };
            let rendered = render(body, &context);
            // What the page template and the search index read of it.
            assert!(rendered.summary.chars().count() <= 201);
            if !raw_html {
                assert!(!rendered.html().contains("<script"), "raw HTML got through");
            }
        }
        HIGHLIGHTER.forget_everything_highlighted();
    }
);
