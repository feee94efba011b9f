//! The browser runtime as shipped: its source without comments, indentation or blank lines. A
//! cold first query loads the runtime, so its bytes count; the source keeps its comments.
//!
//! Line by line, which is safe for a script without multi-line strings or template literals (the
//! runtime has neither; a test checks): a line that is a comment goes, a block comment opening a
//! line goes to its end, and a trailing `// …` goes only when nothing before it on the line has a
//! quote or a slash (a string or a regular expression could hold `//`).

/// The first line of the shipped runtime: where its source is.
const HEADER: &str =
    "/* opsbook search runtime; commented source: src/search/runtime/opsbook-search.js */";

/// `source` without its comments and layout.
pub(super) fn compact(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    out.push_str(HEADER);
    out.push('\n');
    let mut in_block = false;
    for line in source.lines() {
        let line = line.trim();
        if in_block {
            in_block = !line.contains("*/");
            continue;
        }
        if line.starts_with("/*") && !line.starts_with("/*WASM*/") {
            in_block = !line.contains("*/");
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        out.push_str(without_trailing_comment(line));
        out.push('\n');
    }
    out
}

fn without_trailing_comment(line: &str) -> &str {
    match line.find(" //") {
        Some(at) if !line[..at].contains(['"', '\'', '/', '`']) => line[..at].trim_end(),
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_and_code_stays() {
        let source = "/* a\n * block */\n  var a = 1; // one\n\n  // alone\n  var b = \"http://x\"; // kept\n  var c = /\\/\\//.test(d); // kept\n";
        assert_eq!(
            compact(source),
            format!("{HEADER}\nvar a = 1;\nvar b = \"http://x\"; // kept\nvar c = /\\/\\//.test(d); // kept\n")
        );
    }

    #[test]
    fn the_runtime_has_no_template_literals_and_shrinks() {
        let runtime = super::super::RUNTIME;
        assert!(
            !runtime.contains('`')
                || runtime.lines().all(|l| {
                    let l = l.trim();
                    !l.contains('`')
                        || l.starts_with("//")
                        || l.starts_with('*')
                        || l.starts_with("/*")
                })
        );
        let shipped = compact(runtime);
        // Most of what is left is the stemmer's wasm, base64.
        assert!(
            shipped.len() + 10_000 < runtime.len(),
            "{} of {}",
            shipped.len(),
            runtime.len()
        );
        assert!(shipped.contains("/*WASM*/\""), "the stemmer went");
    }
}
