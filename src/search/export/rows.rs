//! What a result shows: each section's url, page title, heading path, kind and the start of its
//! text, in document files of whole pages, and beside the lists of common terms the rows of
//! their best sections (`top`), so that a one-word query needs no document file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use tantivy::DocId;

use super::postings::numbers;
use super::File;

/// Characters of section text kept for snippets: the runtime shows 160 around the first word
/// that matches, and every character more is paid for by every section of a document file.
pub(super) const SNIPPET_TEXT_CHARS: usize = 180;
/// Raw bytes of rows per document file before the next page starts a new one: every result
/// that no loaded `top` has costs a document file, so they stay small; whole pages keep a page's
/// url, title and kind written once.
pub(super) const DOC_FILE_BYTES: usize = 28 * 1024;

/// The rows of the index a page at a time, made again when asked: the export reads the `top`
/// rows it needs, then every page once for the document files, and never holds every section's
/// row (half a gigabyte at 100,000 pages).
pub(crate) trait Rows {
    /// How many sections each page has, in index order (pages without sections left out).
    fn page_sizes(&self) -> &[u32];
    /// The rows of page `n` of [`Rows::page_sizes`].
    fn page(&self, n: usize) -> Vec<DocRow>;
}

/// Rows held in memory, for tests.
#[cfg(test)]
pub(crate) struct RowList {
    pages: Vec<Vec<DocRow>>,
    sizes: Vec<u32>,
}

#[cfg(test)]
impl RowList {
    /// `rows` in index order, a page being a run of rows with the same url.
    pub(crate) fn new(rows: Vec<DocRow>) -> RowList {
        let mut pages: Vec<Vec<DocRow>> = Vec::new();
        for row in rows {
            match pages.last_mut() {
                Some(page) if page[0].page == row.page => page.push(row),
                _ => pages.push(vec![row]),
            }
        }
        let sizes = pages.iter().map(|p| p.len() as u32).collect();
        RowList { pages, sizes }
    }

    pub(crate) fn len(&self) -> usize {
        self.sizes.iter().sum::<u32>() as usize
    }
}

#[cfg(test)]
impl Rows for RowList {
    fn page_sizes(&self) -> &[u32] {
        &self.sizes
    }

    fn page(&self, n: usize) -> Vec<DocRow> {
        self.pages[n].clone()
    }
}

/// The rows of some sections, by doc id: those the `top` of the shards show.
pub(super) type TopRows = BTreeMap<DocId, DocRow>;

/// The rows of `docs`, reading only the pages that hold them.
pub(super) fn top_rows(rows: &dyn Rows, docs: &BTreeSet<DocId>) -> TopRows {
    let mut top = TopRows::new();
    let mut start: DocId = 0;
    for (n, size) in rows.page_sizes().iter().enumerate() {
        let end = start + size;
        if docs.range(start..end).next().is_some() {
            for (doc, row) in (start..).zip(rows.page(n)) {
                if docs.contains(&doc) {
                    top.insert(doc, row);
                }
            }
        }
        start = end;
    }
    top
}

/// One section, in index order.
#[derive(Clone)]
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
pub(super) fn top_value(rows: &TopRows, docs: &[u32]) -> Value {
    let known: Vec<(u32, &DocRow)> = (docs.iter())
        .filter_map(|doc| Some((*doc, rows.get(doc)?)))
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

/// The document files, `dN.js`, each handed to `emit`: whole pages in index order, a new file at
/// a page's start once the current one has [`DOC_FILE_BYTES`]; returns `meta.docs`: how many
/// sections each file holds.
pub(super) fn doc_files(rows: &dyn Rows, emit: &mut dyn FnMut(File)) -> String {
    let mut counts = Vec::new();
    let mut pages: Vec<Value> = Vec::new();
    let (mut bytes, mut count) = (0, 0u32);
    for n in 0..rows.page_sizes().len() {
        let page = rows.page(n);
        if page.is_empty() {
            continue;
        }
        if !pages.is_empty() && bytes >= DOC_FILE_BYTES {
            emit(doc_file(counts.len(), &std::mem::take(&mut pages)));
            counts.push(std::mem::take(&mut count));
            bytes = 0;
        }
        pages.push(page_value(&page));
        bytes += page.iter().map(DocRow::bytes).sum::<usize>()
            + page[0].page.len()
            + page[0].title.len();
        count += page.len() as u32;
    }
    if !pages.is_empty() {
        emit(doc_file(counts.len(), &pages));
        counts.push(count);
    }
    numbers(counts)
}

/// `meta.pages`: how many sections each page has, in index order (what groups results by page).
pub(super) fn page_sizes(rows: &dyn Rows) -> String {
    numbers(rows.page_sizes().iter().copied())
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
        let mut files = Vec::new();
        let counts = doc_files(&RowList::new(rows), &mut |file| files.push(file));
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
