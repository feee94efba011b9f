//! The index, exported for browsers: tantivy's own term dictionary, postings (with term
//! frequencies), fieldnorms and document counts — never recomputed — written as classic scripts
//! that register themselves (`opsbook.search.shard(3, {...})`), so the site searches from any
//! static host, any sub-path, and `file://`. The format is documented in the README.
//!
//! Terms are cut into shards by term range, so a query loads only the shards of its words.

use std::collections::BTreeMap;

use base64::Engine;
use serde::Serialize;
use serde_json::json;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Index, SegmentReader, TERMINATED};

use super::Fields;

/// Everything about the format that is not in the data: part of the export's fingerprint.
pub fn format_id() -> String {
    format!("format 2, shards of {SHARD_TARGET_BYTES} bytes, {DOC_SHARD_SIZE} docs, {SNIPPET_TEXT_CHARS} chars")
}

/// Raw bytes of term data per shard before a new shard starts.
const SHARD_TARGET_BYTES: usize = 12 * 1024;
/// Documents per document-table file.
pub const DOC_SHARD_SIZE: usize = 32;
/// Characters of section text kept for snippets.
const SNIPPET_TEXT_CHARS: usize = 400;

/// One exported file: its name inside `search/` and its text.
pub type File = (String, String);

/// The document table row of one section, in index order, written as a JSON array: url, page
/// title, heading path (outermost first), kind, text.
#[derive(Serialize)]
pub struct DocRow(String, String, Vec<String>, String, String);

/// Exports a single-segment index (see [`super::build_memory_index`]) whose documents are `rows`.
pub fn export(index: &Index, fields: &Fields, rows: &[DocRow]) -> tantivy::Result<Vec<File>> {
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
    let mut field_meta = Vec::new();
    for (number, (field, boost)) in searched.iter().enumerate() {
        let inverted = segment.inverted_index(*field)?;
        let fieldnorms = segment.get_fieldnorms_reader(*field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            let mut postings = inverted
                .read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)?;
            let encoded = encode_postings(&mut postings, Some(&fieldnorms));
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
    let mut current: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
    let mut current_bytes = 0;
    for (key, lists) in terms {
        let term = String::from_utf8_lossy(&key).into_owned();
        if current_bytes >= SHARD_TARGET_BYTES {
            files.push(shard_file(
                shard_starts.len() - 1,
                &std::mem::take(&mut current),
            ));
            current_bytes = 0;
        }
        if current.is_empty() {
            shard_starts.push(term.clone());
        }
        current_bytes += term.len() + lists.iter().map(|(_, p)| p.len() + 8).sum::<usize>();
        current.insert(term, lists);
    }
    if !current.is_empty() {
        files.push(shard_file(shard_starts.len() - 1, &current));
    }
    files.extend(doc_files(rows));
    files.push(filters_file(segment, fields)?);
    let meta = json!({
        "version": 1,
        "doc_count": segment.max_doc(),
        "fields": field_meta,
        "fieldnorms": (0..=255u8).map(FieldNormReader::id_to_fieldnorm).collect::<Vec<u32>>(),
        "shards": shard_starts,
        "doc_shard_size": DOC_SHARD_SIZE,
        "filters": filter_values(segment, fields)?,
    });
    files.push(("meta.js".into(), register("meta", None, &meta)));
    Ok(files)
}

fn empty_export() -> Vec<File> {
    let meta = json!({"version": 1, "doc_count": 0, "fields": [], "fieldnorms": [], "shards": [],
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

/// `doc_delta, term_freq, fieldnorm_id` (without fieldnorms: `doc_delta` only) as LEB128, base64.
fn encode_postings<P: Postings>(postings: &mut P, fieldnorms: Option<&FieldNormReader>) -> String {
    let mut bytes = Vec::new();
    let mut previous = 0;
    let mut doc = postings.doc();
    while doc != TERMINATED {
        push_varint(&mut bytes, doc - previous);
        if let Some(fieldnorms) = fieldnorms {
            push_varint(&mut bytes, postings.term_freq());
            push_varint(&mut bytes, u32::from(fieldnorms.fieldnorm_id(doc)));
        }
        previous = doc;
        doc = postings.advance();
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn push_varint(bytes: &mut Vec<u8>, mut value: u32) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(low);
            return;
        }
        bytes.push(low | 0x80);
    }
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
pub fn doc_row(url: String, title: &str, path: &[String], kind: &str, text: &str) -> DocRow {
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
    fn varints_are_leb128() {
        let mut bytes = Vec::new();
        for value in [0, 1, 127, 128, 300, 16_384] {
            push_varint(&mut bytes, value);
        }
        assert_eq!(bytes, [0, 1, 127, 0x80, 1, 0xac, 2, 0x80, 0x80, 1]);
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
