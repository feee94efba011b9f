//! The segments of the index in memory, in index order: each one a run of sections as the one
//! indexing thread wrote them, so a section's doc id in the export is its segment's first
//! section's place plus its own doc id in the segment. tantivy keeps no order among segments;
//! the `order` fast field (each section's place) gives it back, and is checked whole.

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, SegmentReader};

use super::postings::Columns;

/// The segments with documents, by the place of their first section.
pub(super) struct Ordered<'a> {
    parts: Vec<(&'a SegmentReader, DocId)>,
    doc_count: DocId,
}

impl<'a> Ordered<'a> {
    /// `readers` in index order; an error when their sections are not consecutive runs.
    pub(super) fn new(readers: &'a [SegmentReader], order: &str) -> tantivy::Result<Self> {
        let mut parts = Vec::with_capacity(readers.len());
        for reader in readers.iter().filter(|r| r.max_doc() > 0) {
            let places = reader.fast_fields().u64(order)?;
            let first = places.first(0).unwrap_or(u64::MAX);
            let consecutive =
                (0..reader.max_doc()).all(|doc| places.first(doc) == Some(first + u64::from(doc)));
            if !consecutive {
                return Err(not_in_order());
            }
            parts.push((reader, DocId::try_from(first).map_err(|_| not_in_order())?));
        }
        parts.sort_by_key(|(_, base)| *base);
        let mut doc_count: DocId = 0;
        for (reader, base) in &parts {
            if *base != doc_count {
                return Err(not_in_order());
            }
            doc_count += reader.max_doc();
        }
        Ok(Ordered { parts, doc_count })
    }

    /// Each segment with the doc id of its first section, in index order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&'a SegmentReader, DocId)> + '_ {
        self.parts.iter().copied()
    }

    pub(super) fn doc_count(&self) -> DocId {
        self.doc_count
    }

    pub(super) fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The tokens of `field` in every segment: the BM25 average's numerator, as tantivy's
    /// searcher sums it.
    pub(super) fn total_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let mut total = 0;
        for (reader, _) in self.iter() {
            total += reader.inverted_index(field)?.total_num_tokens();
        }
        Ok(total)
    }

    /// Every term of `field` with its documents (no frequencies), in byte order: for the few
    /// terms of the filter fields.
    pub(super) fn documents_by_term(
        &self,
        field: Field,
    ) -> tantivy::Result<Vec<(String, Columns)>> {
        let mut terms: std::collections::BTreeMap<Vec<u8>, Columns> = Default::default();
        for (reader, base) in self.iter() {
            let inverted = reader.inverted_index(field)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                let mut postings = inverted
                    .read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)?;
                (terms.entry(stream.key().to_vec()).or_default()).append(&mut postings, None, base);
            }
        }
        Ok(terms
            .into_iter()
            .map(|(key, columns)| (String::from_utf8_lossy(&key).into_owned(), columns))
            .collect())
    }
}

fn not_in_order() -> tantivy::TantivyError {
    tantivy::TantivyError::InvalidArgument(
        "the index's segments are not runs of sections in order".into(),
    )
}
