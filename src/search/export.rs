//! The index, exported for browsers: tantivy's own term dictionary, postings (with term
//! frequencies), fieldnorms and document counts — never recomputed — written as classic scripts
//! that register themselves (`opsbook.search.shard(3, {...})`), so the site searches from any
//! static host, any sub-path, and `file://`.
//!
//! The files of `search/` (format version 2):
//!
//! - `meta.js`: `opsbook.search.meta({version, doc_count, fields: [{name, boost, total_tokens}],
//!   fieldnorms: [256 fieldnorms by id], shards: [first term of each shard], single, doc_shard_size,
//!   filters: {kind|services|severity: [values]}})`; `single` has a number per shard (as below):
//!   the document count of its term when the shard holds one term only, else 0.
//! - `tN.js`: `opsbook.search.shard(N, {terms: {term: [[field number, postings], …]}})`, terms cut
//!   by term range into shards of about `SHARD_TARGET_BYTES`; a posting list longer than that
//!   is a shard of its own. Postings are numbers written by `push_number`: the list's length
//!   n, then n doc id gaps, n term frequencies, n fieldnorm ids.
//! - `dN.js`: `opsbook.search.docs(N, [[url, title, [headings], kind, text], …])`, the sections
//!   N·[`DOC_SHARD_SIZE`]… in index order: loaded only for the results shown.
//! - `filters.js`: `opsbook.search.filters({kind|services|severity: {value: postings}})`, the
//!   postings being the length and the doc id gaps.
//!
//! What a cold query loads is what matters (a first query loads `opsbook-search.js`, `meta.js`,
//! one shard per word and one document file per result shown): long lists alone, columns of small
//! numbers as characters gzip can count, and small document files keep it small.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Index, SegmentReader, TERMINATED};

use super::Fields;

/// Everything about the format that is not in the data: part of the export's fingerprint.
pub(crate) fn format_id() -> String {
    format!("format 3, shards of {SHARD_TARGET_BYTES} bytes, {DOC_SHARD_SIZE} docs, {SNIPPET_TEXT_CHARS} chars")
}

/// Raw bytes of term data per shard before a new shard starts.
const SHARD_TARGET_BYTES: usize = 8 * 1024;
/// Documents per document-table file.
pub(crate) const DOC_SHARD_SIZE: usize = 8;
/// Characters of section text kept for snippets.
const SNIPPET_TEXT_CHARS: usize = 400;

/// One exported file: its name inside `search/` and its text.
pub(crate) type File = (String, String);

/// The document table row of one section, in index order, written as a JSON array: url, page
/// title, heading path (outermost first), kind, text.
#[derive(Serialize)]
pub(crate) struct DocRow(String, String, Vec<String>, String, String);

/// Exports a single-segment index (see [`super::build_memory_index`]) whose documents are `rows`.
pub(crate) fn export(
    index: &Index,
    fields: &Fields,
    rows: &[DocRow],
) -> tantivy::Result<Vec<File>> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let segment = match searcher.segment_readers() {
        [segment] => segment,
        [] => return Ok(empty_export()),
        _ => {
            return Err(tantivy::TantivyError::InvalidArgument(
                "export needs one segment".into(),
            ))
        }
    };
    let searched = [
        (fields.title, super::TITLE_BOOST),
        (fields.section, super::SECTION_BOOST),
        (fields.body, 1.0),
    ];
    let mut terms: BTreeMap<Vec<u8>, Vec<(usize, String)>> = BTreeMap::new();
    // Per term, its document frequencies in the fields summed: what prefix expansion ranks by.
    let mut documents: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
    let mut field_meta = Vec::new();
    for (number, (field, boost)) in searched.iter().enumerate() {
        let inverted = segment.inverted_index(*field)?;
        let fieldnorms = segment.get_fieldnorms_reader(*field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            let mut postings = inverted
                .read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)?;
            let encoded = encode_postings(&mut postings, Some(&fieldnorms));
            *documents.entry(stream.key().to_vec()).or_default() += stream.value().doc_freq;
            terms
                .entry(stream.key().to_vec())
                .or_default()
                .push((number, encoded));
        }
        let name = index.schema().get_field_name(*field).to_string();
        field_meta.push(
            json!({"name": name, "boost": boost, "total_tokens": inverted.total_num_tokens()}),
        );
    }
    let mut files = Vec::new();
    let mut shard_starts: Vec<String> = Vec::new();
    // The shards of one term each (long posting lists), with the term's document count: a query
    // for a word the index does not have that would fall in such a shard need not load it, nor
    // does prefix expansion to rank the term.
    let mut single: BTreeMap<usize, u32> = BTreeMap::new();
    let mut current_documents = 0;
    let mut current: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
    let mut current_bytes = 0;
    for (key, lists) in terms {
        let term = String::from_utf8_lossy(&key).into_owned();
        let bytes = term.len() + lists.iter().map(|(_, p)| p.len() + 8).sum::<usize>();
        // A shard ends before the term that would take it past the target: a long posting list
        // starts a shard of its own, so a query for `full` does not load `from` with it.
        if !current.is_empty() && current_bytes + bytes > SHARD_TARGET_BYTES {
            if current.len() == 1 {
                single.insert(shard_starts.len() - 1, current_documents);
            }
            files.push(shard_file(
                shard_starts.len() - 1,
                &std::mem::take(&mut current),
            ));
            current_bytes = 0;
        }
        if current.is_empty() {
            shard_starts.push(term.clone());
        }
        current_bytes += bytes;
        current_documents = documents.get(&key).copied().unwrap_or(0);
        current.insert(term, lists);
    }
    if !current.is_empty() {
        if current.len() == 1 {
            single.insert(shard_starts.len() - 1, current_documents);
        }
        files.push(shard_file(shard_starts.len() - 1, &current));
    }
    files.extend(doc_files(rows));
    files.push(filters_file(segment, fields)?);
    let meta = json!({
        "version": 2,
        "doc_count": segment.max_doc(),
        "fields": field_meta,
        "fieldnorms": (0..=255u8).map(FieldNormReader::id_to_fieldnorm).collect::<Vec<u32>>(),
        "shards": shard_starts,
        "single": single_counts(shard_starts.len(), &single),
        "doc_shard_size": DOC_SHARD_SIZE,
        "filters": filter_values(segment, fields)?,
    });
    files.push(("meta.js".into(), register("meta", None, &meta)));
    Ok(files)
}

/// Per shard, the document count of its term when it holds only one (else 0), written as
/// [`push_number`] does: a few characters a shard where a JSON object took a dozen.
fn single_counts(shards: usize, single: &BTreeMap<usize, u32>) -> String {
    let mut text = String::new();
    for shard in 0..shards {
        push_number(&mut text, single.get(&shard).copied().unwrap_or(0));
    }
    text
}

fn empty_export() -> Vec<File> {
    let meta = json!({"version": 2, "doc_count": 0, "fields": [], "fieldnorms": [], "shards": [], "single": "",
        "doc_shard_size": DOC_SHARD_SIZE, "filters": {}});
    vec![("meta.js".into(), register("meta", None, &meta))]
}

/// `opsbook.search.NAME(N, JSON);` — JSON from serde_json, so nothing user-written can escape
/// the literal; `</` is escaped too so the text is also safe inline in HTML.
fn register(name: &str, number: Option<usize>, value: &impl Serialize) -> String {
    let json = serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace("</", "<\\/");
    match number {
        Some(n) => format!("opsbook.search.{name}({n},{json});\n"),
        None => format!("opsbook.search.{name}({json});\n"),
    }
}

fn shard_file(number: usize, terms: &BTreeMap<String, Vec<(usize, String)>>) -> File {
    (
        format!("t{number}.js"),
        register("shard", Some(number), &json!({ "terms": terms })),
    )
}

/// A posting list as text: its length, then every doc id gap, then every term frequency, then
/// every fieldnorm id (without fieldnorms: the length and the gaps only), each number written by
/// [`push_number`]. Columns compress better than interleaved triples: gaps, frequencies and
/// fieldnorm ids each have their own few common values.
fn encode_postings<P: Postings>(postings: &mut P, fieldnorms: Option<&FieldNormReader>) -> String {
    let (mut gaps, mut freqs, mut norms) = (Vec::new(), Vec::new(), Vec::new());
    let mut previous = 0;
    let mut doc = postings.doc();
    while doc != TERMINATED {
        gaps.push(doc - previous);
        if let Some(fieldnorms) = fieldnorms {
            freqs.push(postings.term_freq());
            norms.push(u32::from(fieldnorms.fieldnorm_id(doc)));
        }
        previous = doc;
        doc = postings.advance();
    }
    let mut text = String::new();
    push_number(&mut text, gaps.len() as u32);
    for number in gaps.into_iter().chain(freqs).chain(norms) {
        push_number(&mut text, number);
    }
    text
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A number as characters of the base64 alphabet, 5 bits each, low bits first: a character of
/// the first half (`A`…`f`, 0–31) ends the number, one of the second half (`g`…`/`) carries 5
/// bits and says more follow. Gaps and frequencies under 32 take one character; text, unlike
/// base64 of bytes, keeps every number on its own characters, which gzip can count.
fn push_number(text: &mut String, mut value: u32) {
    while value >= 32 {
        text.push(char::from(ALPHABET[32 + (value & 31) as usize]));
        value >>= 5;
    }
    text.push(char::from(ALPHABET[value as usize]));
}

fn doc_files(rows: &[DocRow]) -> Vec<File> {
    rows.chunks(DOC_SHARD_SIZE)
        .enumerate()
        .map(|(number, chunk)| {
            (
                format!("d{number}.js"),
                register("docs", Some(number), &chunk),
            )
        })
        .collect()
}

/// The row for a section: its text cut to what snippets need.
pub(crate) fn doc_row(url: String, title: &str, path: &[String], kind: &str, text: &str) -> DocRow {
    let text = text.chars().take(SNIPPET_TEXT_CHARS).collect();
    DocRow(
        url,
        title.to_string(),
        path.to_vec(),
        kind.to_string(),
        text,
    )
}

fn filter_fields(fields: &Fields) -> [(&'static str, Field); 3] {
    [
        ("kind", fields.kind),
        ("services", fields.services),
        ("severity", fields.severity),
    ]
}

fn filter_values(
    segment: &SegmentReader,
    fields: &Fields,
) -> tantivy::Result<BTreeMap<&'static str, Vec<String>>> {
    let mut values = BTreeMap::new();
    for (name, field) in filter_fields(fields) {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        let mut list = Vec::new();
        while stream.advance() {
            list.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
        values.insert(name, list);
    }
    Ok(values)
}

fn filters_file(segment: &SegmentReader, fields: &Fields) -> tantivy::Result<File> {
    let mut filters: BTreeMap<&'static str, BTreeMap<String, String>> = BTreeMap::new();
    for (name, field) in filter_fields(fields) {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        let entry = filters.entry(name).or_default();
        while stream.advance() {
            let mut postings =
                inverted.read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)?;
            entry.insert(
                String::from_utf8_lossy(stream.key()).into_owned(),
                encode_postings(&mut postings, None),
            );
        }
    }
    Ok(("filters.js".into(), register("filters", None, &filters)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_5_bit_groups_low_first() {
        let mut text = String::new();
        for value in [0, 1, 31, 32, 33, 1023, 1024, u32::MAX] {
            push_number(&mut text, value);
            text.push(' ');
        }
        assert_eq!(text, "A B f gB hB /f ggB //////D ");
    }

    #[test]
    fn registration_cannot_close_a_script() {
        let text = register(
            "docs",
            Some(0),
            &json!(["</script><script>alert(1)</script>"]),
        );
        assert!(!text.contains("</script>"), "{text}");
        assert!(text.starts_with("opsbook.search.docs(0,"));
    }
}
