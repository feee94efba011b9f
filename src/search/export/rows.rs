//! What a result shows: each section's url, page title, heading path, kind and the start of its
//! text, in document files of whole pages, and beside the lists of common terms the rows of
//! their best sections (`top`), so that a one-word query needs no document file.

use serde_json::{json, Value};

use super::postings::numbers;
use super::File;

/// Characters of section text kept for snippets: the runtime shows 160 around the first word
/// that matches, and every character more is paid for by every section of a document file.
pub(super) const SNIPPET_TEXT_CHARS: usize = 180;
/// Raw bytes of rows per document file before the next page starts a new one: every result
/// that no loaded `top` has costs a document file, so they stay small; whole pages keep a page's
/// url, title and kind written once.
pub(super) const DOC_FILE_BYTES: usize = 32 * 1024;

/// One section, in index order.
pub(crate) struct DocRow {
    page: String,
    /// `None` for the introduction, which is the page's own url.
    anchor: Option<String>,
    title: String,
    /// The heading path, outermost first.
    path: Vec<String>,
    kind: String,
    text: String,
}

/// The row of a section: its text cut to what snippets need.
pub(crate) fn doc_row(
    page: &str,
    anchor: Option<&str>,
    title: &str,
    path: &[String],
    kind: &str,
    text: &str,
) -> DocRow {
    DocRow {
        page: page.to_string(),
        anchor: anchor.map(str::to_string),
        title: title.to_string(),
        path: path.to_vec(),
        kind: kind.to_string(),
        text: text.chars().take(SNIPPET_TEXT_CHARS).collect(),
    }
}

impl DocRow {
    /// About the bytes the row takes in a file.
    pub(super) fn bytes(&self) -> usize {
        self.text.len() + self.path.iter().map(|h| h.len() + 3).sum::<usize>() + 16
    }
}

/// A shard's `top`: the rows of `docs` (sorted), by page: `[[page url, title, kind, [[doc id,
/// anchor, [headings], text], …]], …]`, a page's url, title and kind once.
pub(super) fn top_value(rows: &[DocRow], docs: &[u32]) -> Value {
    let known: Vec<(u32, &DocRow)> = (docs.iter())
        .filter_map(|doc| Some((*doc, rows.get(*doc as usize)?)))
        .collect();
    let pages: Vec<Value> = known
        .chunk_by(|a, b| a.1.page == b.1.page)
        .map(|page| {
            let first = page[0].1;
            let sections: Vec<Value> = (page.iter())
                .map(|(doc, row)| {
                    json!([doc, row.anchor.as_deref().unwrap_or(""), row.path, row.text])
                })
                .collect();
            json!([first.page, first.title, first.kind, sections])
        })
        .collect();
    Value::Array(pages)
}

/// The document files, `dN.js`: whole pages in index order, a new file at a page's start once
/// the current one has [`DOC_FILE_BYTES`]; and `meta.docs`: how many sections each file holds.
pub(super) fn doc_files(rows: &[DocRow]) -> (String, Vec<File>) {
    let mut counts = Vec::new();
    let mut files = Vec::new();
    let mut pages: Vec<Value> = Vec::new();
    let (mut bytes, mut count) = (0, 0u32);
    for page in rows.chunk_by(|a, b| a.page == b.page) {
        if !pages.is_empty() && bytes >= DOC_FILE_BYTES {
            files.push(doc_file(files.len(), &std::mem::take(&mut pages)));
            counts.push(std::mem::take(&mut count));
            bytes = 0;
        }
        pages.push(page_value(page));
        bytes += page.iter().map(DocRow::bytes).sum::<usize>()
            + page[0].page.len()
            + page[0].title.len();
        count += page.len() as u32;
    }
    if !pages.is_empty() {
        files.push(doc_file(files.len(), &pages));
        counts.push(count);
    }
    (numbers(counts), files)
}

/// `meta.pages`: how many sections each page has, in index order (what groups results by page).
pub(super) fn page_sizes(rows: &[DocRow]) -> String {
    numbers(
        rows.chunk_by(|a, b| a.page == b.page)
            .map(|page| page.len() as u32),
    )
}

fn doc_file(number: usize, pages: &[Value]) -> File {
    (
        format!("d{number}.js"),
        super::register("docs", Some(number), &pages),
    )
}

/// `[page url, title, kind, [[anchor, kept, [headings], text], …]]` for the sections of a page:
/// a section's heading path is the first `kept` headings of the one before it, then `headings`.
fn page_value(sections: &[DocRow]) -> Value {
    let first = &sections[0];
    let mut previous: &[String] = &[];
    let list: Vec<Value> = sections
        .iter()
        .map(|row| {
            let kept = previous
                .iter()
                .zip(&row.path)
                .take_while(|(a, b)| a == b)
                .count();
            previous = &row.path;
            json!([
                row.anchor.as_deref().unwrap_or(""),
                kept,
                &row.path[kept..],
                row.text
            ])
        })
        .collect();
    json!([first.page, first.title, first.kind, list])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(page: &str, anchor: Option<&str>, path: &[&str]) -> DocRow {
        let path: Vec<String> = path.iter().map(|h| h.to_string()).collect();
        doc_row(page, anchor, "Title", &path, "runbook", "text")
    }

    #[test]
    fn text_is_cut_to_what_snippets_need() {
        let long = "é".repeat(SNIPPET_TEXT_CHARS + 10);
        let row = doc_row("a/", None, "T", &[], "page", &long);
        assert_eq!(row.text.chars().count(), SNIPPET_TEXT_CHARS);
    }

    #[test]
    fn a_page_writes_its_url_once_and_shares_heading_prefixes() {
        let page = page_value(&[
            row("a/", None, &[]),
            row("a/", Some("one"), &["One"]),
            row("a/", Some("two"), &["One", "Two"]),
            row("a/", Some("three"), &["Three"]),
        ]);
        assert_eq!(
            page,
            json!([
                "a/",
                "Title",
                "runbook",
                [
                    ["", 0, [], "text"],
                    ["one", 0, ["One"], "text"],
                    ["two", 1, ["Two"], "text"],
                    ["three", 0, ["Three"], "text"]
                ]
            ])
        );
    }

    #[test]
    fn document_files_hold_whole_pages_and_count_their_sections() {
        let mut rows = Vec::new();
        for page in 0..400 {
            for section in 0..3 {
                let anchor = format!("s{section}");
                let path = ["H".to_string()];
                let text = format!("{page} {}", "words ".repeat(30));
                let page = format!("p{page}/");
                rows.push(doc_row(
                    &page,
                    Some(&anchor),
                    "Title",
                    &path,
                    "runbook",
                    &text,
                ));
            }
        }
        let (counts, files) = doc_files(&rows);
        assert!(files.len() > 1, "{} files", files.len());
        let counts = super::super::postings::read_numbers(&counts);
        assert_eq!(counts.len(), files.len());
        assert!(
            counts.iter().all(|c| c % 3 == 0),
            "a page was cut: {counts:?}"
        );
        assert_eq!(counts.iter().sum::<u32>(), 1200);
    }
}
