//! Posting lists as the browser reads them: tantivy's own postings, term frequencies and
//! fieldnorm ids, written as columns of small numbers, and, for a long list, cut into a head and
//! a tail by score (the runtime ranks exactly from the heads alone when the tails cannot change
//! the results: `rank` in the runtime).

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Score, TERMINATED};

use super::segments::Ordered;

/// Raw bytes of a term's lists above which it is cut into a head and a tail. A cut term costs a
/// file more, and a query that needs more than the head loads its tail, so only the longest
/// lists are cut: at 10,000 pages 10 of the benchmark's 60 queries load a tail (27 with 16 KB).
pub(super) const SPLIT_BYTES: usize = 64 * 1024;

/// [`SPLIT_BYTES`], unless `OPSBOOK_SEARCH_SPLIT_BYTES` says otherwise: for the tests, whose
/// handbooks are too small to have such long lists, to reach the heads and tails all the same
/// (the unit tests' indexes are cut at 16 KB).
pub(super) fn split_bytes() -> usize {
    if cfg!(test) {
        return 16 * 1024;
    }
    static SPLIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *SPLIT.get_or_init(|| {
        std::env::var("OPSBOOK_SEARCH_SPLIT_BYTES")
            .ok()
            .and_then(|bytes| bytes.parse().ok())
            .unwrap_or(SPLIT_BYTES)
    })
}

/// The head's share of a cut list: what one or two common words usually rank from alone.
pub(super) const HEAD_SHARE: f64 = 0.3;
/// The fewest documents a head has: the most results a page asks for at once, with room.
pub(super) const HEAD_MIN_DOCUMENTS: usize = 64;
/// Raw bytes of a tail's block: a longer tail is cut by doc id into blocks of about this size,
/// each a file with its own bound, so that a document a head lacks is bounded by the block it
/// would be in (often far below the tail's best) and the runtime loads only that block to know it.
pub(super) const TAIL_BLOCK_BYTES: usize = 64 * 1024;

/// One field's list of a term: its documents, term frequencies and fieldnorm ids (without
/// fieldnorms: the documents only).
#[derive(Default)]
pub(super) struct Columns {
    docs: Vec<DocId>,
    freqs: Vec<u32>,
    norms: Vec<u8>,
}

impl Columns {
    /// Adds the postings of a segment whose first document is `base`, after every document
    /// already here.
    pub(super) fn append<P: Postings>(
        &mut self,
        postings: &mut P,
        fieldnorms: Option<&FieldNormReader>,
        base: DocId,
    ) {
        let mut doc = postings.doc();
        while doc != TERMINATED {
            self.docs.push(base + doc);
            if let Some(fieldnorms) = fieldnorms {
                self.freqs.push(postings.term_freq());
                self.norms.push(fieldnorms.fieldnorm_id(doc));
            }
            doc = postings.advance();
        }
    }

    /// The postings in `parts` parts, each in the part `part_of` gives its document.
    fn partition(&self, parts: usize, part_of: impl Fn(DocId) -> usize) -> Vec<Columns> {
        let mut out: Vec<Columns> = (0..parts).map(|_| Columns::default()).collect();
        for (i, doc) in self.docs.iter().enumerate() {
            let part = &mut out[part_of(*doc)];
            part.docs.push(*doc);
            part.freqs.push(self.freqs[i]);
            part.norms.push(self.norms[i]);
        }
        out
    }

    /// The list as text: its length, then every doc id gap, then every term frequency, each
    /// number written by [`push_number`], then every fieldnorm id written by [`push_norm`]
    /// (without fieldnorms: the length and the gaps only). Columns compress better than
    /// interleaved triples: gaps, frequencies and fieldnorm ids each have their own few common
    /// values.
    pub(super) fn text(&self) -> String {
        let mut text = String::with_capacity(self.docs.len() * 4 + 2);
        push_number(&mut text, self.docs.len() as u32);
        let mut previous = 0;
        for doc in &self.docs {
            push_number(&mut text, doc - previous);
            previous = *doc;
        }
        for number in &self.freqs {
            push_number(&mut text, *number);
        }
        for id in &self.norms {
            push_norm(&mut text, *id);
        }
        text
    }
}

/// One searched field's list of a term, with what scores it.
pub(super) struct FieldList {
    /// The field's number in `meta.js`.
    pub field: usize,
    pub columns: Columns,
    /// The field's boost and average fieldnorm: with the list's length, its BM25 weight.
    boost: Score,
    average: Score,
}

impl FieldList {
    pub(super) fn doc_freq(&self) -> u32 {
        self.columns.docs.len() as u32
    }
}

/// A term of the searched fields, its lists in field order.
pub(super) struct Term {
    pub key: String,
    pub lists: Vec<FieldList>,
    /// The documents of its lists, summed: what prefix expansion ranks terms by.
    pub documents: u32,
    /// The index's: the idf's N.
    doc_count: u64,
}

/// How a term is exported: whole, or cut by score into a head and a tail.
pub(super) enum Cut {
    Whole(Vec<(usize, String)>),
    Split {
        /// Per field: the head's postings and the whole list's document count (the idf's).
        head: Vec<(usize, String, u32)>,
        /// The rest, by doc id, in blocks of about [`TAIL_BLOCK_BYTES`].
        tail: Vec<TailBlock>,
    },
}

/// The tail's documents from `first` on (up to the next block's first), per field.
pub(super) struct TailBlock {
    pub first: DocId,
    pub lists: Vec<(usize, String)>,
    /// The best score in the block: no document of its range outside the head scores more.
    pub bound: Score,
}

impl TailBlock {
    /// About the bytes it takes in a file.
    pub(super) fn bytes(&self) -> usize {
        self.lists.iter().map(|(_, p)| p.len() + 8).sum()
    }
}

/// Every term of the `searched` fields (with their boosts), in byte order, one at a time: the
/// fields' term lists of every segment are merged as they are read, so only one term's postings
/// are decoded at once (holding them all was the build's peak of memory).
pub(super) fn for_each_term<T>(
    segments: &Ordered<'_>,
    searched: &[(Field, Score)],
    mut each: impl FnMut(Term) -> T,
) -> tantivy::Result<Vec<T>> {
    let doc_count = segments.doc_count();
    // Per field: its boost and average fieldnorm, and per segment its postings, fieldnorms, base
    // and term stream.
    let mut fields = Vec::with_capacity(searched.len());
    for (field, boost) in searched {
        // As tantivy's Bm25Weight::for_terms computes it, over all segments.
        let average = segments.total_tokens(*field)? as Score / doc_count.max(1) as Score;
        let mut parts = Vec::new();
        for (segment, base) in segments.iter() {
            let inverted = segment.inverted_index(*field)?;
            let fieldnorms = segment.get_fieldnorms_reader(*field)?;
            parts.push((inverted, fieldnorms, base));
        }
        fields.push((parts, *boost, average));
    }
    let mut streams: Vec<Vec<_>> = Vec::with_capacity(fields.len());
    for (parts, ..) in &fields {
        let mut of_field = Vec::with_capacity(parts.len());
        for (inverted, ..) in parts {
            let mut stream = inverted.terms().stream()?;
            let more = stream.advance();
            of_field.push((stream, more));
        }
        streams.push(of_field);
    }
    let mut out = Vec::new();
    while let Some(key) = (streams.iter().flatten())
        .filter(|(_, more)| *more)
        .map(|(stream, _)| stream.key())
        .min()
        .map(<[u8]>::to_vec)
    {
        let mut lists = Vec::new();
        for (number, of_field) in streams.iter_mut().enumerate() {
            let (parts, boost, average) = &fields[number];
            let mut columns = None;
            for ((stream, more), (inverted, fieldnorms, base)) in of_field.iter_mut().zip(parts) {
                if !*more || stream.key() != key.as_slice() {
                    continue;
                }
                let mut postings = inverted
                    .read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)?;
                (columns.get_or_insert_with(Columns::default)).append(
                    &mut postings,
                    Some(fieldnorms),
                    *base,
                );
                *more = stream.advance();
            }
            if let Some(columns) = columns {
                lists.push(FieldList {
                    field: number,
                    columns,
                    boost: *boost,
                    average: *average,
                });
            }
        }
        out.push(each(Term {
            key: String::from_utf8_lossy(&key).into_owned(),
            documents: lists.iter().map(FieldList::doc_freq).sum(),
            lists,
            doc_count: u64::from(doc_count),
        }));
    }
    Ok(out)
}

impl Term {
    /// The term's score in every document that has it, by doc id: its fields' BM25 scores added
    /// in field order, as tantivy adds a word's fields and as the runtime does, bit for bit.
    pub(super) fn scores(&self) -> Vec<(DocId, Score)> {
        let mut sums: Vec<(DocId, Score)> = Vec::new();
        for list in &self.lists {
            let weight = Bm25Weight::for_one_term_without_explain(
                u64::from(list.doc_freq()),
                self.doc_count,
                list.average,
            )
            .boost_by(list.boost);
            let columns = &list.columns;
            let field = (columns.docs.iter().enumerate())
                .map(|(i, doc)| (*doc, weight.score(columns.norms[i], columns.freqs[i])));
            sums = add_by_doc(&sums, field);
        }
        sums
    }

    /// Whole when its lists are short, else split: the first `head` documents of `ranked` (see
    /// [`rank`]) in the head, the rest in the tail's blocks, of about as many documents each.
    pub(super) fn cut(
        &self,
        scores: &[(DocId, Score)],
        ranked: &[(DocId, Score)],
        head: usize,
    ) -> Cut {
        let texts: Vec<(usize, String)> = (self.lists.iter())
            .map(|l| (l.field, l.columns.text()))
            .collect();
        if texts.iter().map(|(_, t)| t.len()).sum::<usize>() <= split_bytes() {
            return Cut::Whole(texts);
        }
        if head >= ranked.len() {
            return Cut::Whole(texts);
        }
        // Per doc id up to the term's last: its part, 0 for the head, 1 + b for the tail's block b.
        let mut part = vec![0u16; scores.last().map_or(0, |(doc, _)| *doc as usize + 1)];
        for (doc, _) in &ranked[head..] {
            part[*doc as usize] = 1;
        }
        let tail: Vec<(DocId, Score)> = (scores.iter().copied())
            .filter(|(doc, _)| part[*doc as usize] != 0)
            .collect();
        let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
        let count = (bytes * tail.len() / scores.len()).div_ceil(TAIL_BLOCK_BYTES);
        let blocks: Vec<&[(DocId, Score)]> = tail.chunks(tail.len().div_ceil(count)).collect();
        for (b, block) in blocks.iter().enumerate() {
            for (doc, _) in *block {
                part[*doc as usize] = 1 + b as u16;
            }
        }
        // The first block starts at 0, so that every doc id falls in a block.
        let firsts: Vec<DocId> = (blocks.iter().enumerate())
            .map(|(i, block)| if i == 0 { 0 } else { block[0].0 })
            .collect();
        let part_of = |doc: DocId| usize::from(part[doc as usize]);
        let parts: Vec<Vec<Columns>> = (self.lists.iter())
            .map(|l| l.columns.partition(1 + blocks.len(), part_of))
            .collect();
        Cut::Split {
            head: (self.lists.iter().zip(&parts))
                .map(|(l, parts)| (l.field, parts[0].text(), l.doc_freq()))
                .collect(),
            tail: (blocks.iter().enumerate())
                .map(|(b, block)| TailBlock {
                    first: firsts[b],
                    lists: (self.lists.iter().zip(&parts))
                        .map(|(l, parts)| (l.field, parts[1 + b].text()))
                        .collect(),
                    bound: block.iter().map(|(_, score)| *score).fold(0.0, Score::max),
                })
                .collect(),
        }
    }
}

/// `sums` with `more` added (both by doc id): a document in both gets `sums`' score plus its own,
/// in that order.
fn add_by_doc(
    sums: &[(DocId, Score)],
    more: impl Iterator<Item = (DocId, Score)>,
) -> Vec<(DocId, Score)> {
    let mut out = Vec::with_capacity(sums.len());
    let mut rest = sums.iter().copied().peekable();
    for (doc, score) in more {
        while let Some(earlier) = rest.next_if(|(earlier, _)| *earlier < doc) {
            out.push(earlier);
        }
        match rest.next_if(|(same, _)| *same == doc) {
            Some((_, sum)) => out.push((doc, sum + score)),
            None => out.push((doc, score)),
        }
    }
    out.extend(rest);
    out
}

/// The documents of `scores` reordered: first the head, the best [`HEAD_SHARE`] of them (at least
/// [`HEAD_MIN_DOCUMENTS`], and every document tied with the last), the best `sorted` of those in
/// order, score descending, ties to the smaller doc id (a one-word query's order); then the rest.
/// Returns them and the head's size.
pub(super) fn rank(scores: &[(DocId, Score)], sorted: usize) -> (Vec<(DocId, Score)>, usize) {
    let order = |a: &(DocId, Score), b: &(DocId, Score)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    let mut ranked = scores.to_vec();
    let mut head = HEAD_MIN_DOCUMENTS.max((ranked.len() as f64 * HEAD_SHARE).ceil() as usize);
    if head < ranked.len() {
        ranked.select_nth_unstable_by(head - 1, order);
        // Documents tied with the last join the head.
        let last = ranked[head - 1].1;
        let start = head;
        for i in start..ranked.len() {
            if ranked[i].1 == last {
                ranked.swap(head, i);
                head += 1;
            }
        }
    } else {
        head = ranked.len();
    }
    let sorted = sorted.min(head);
    if sorted > 0 && sorted < head {
        ranked[..head].select_nth_unstable_by(sorted - 1, order);
    }
    ranked[..sorted].sort_unstable_by(order);
    (ranked, head)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A number as characters of the base64 alphabet, 5 bits each, low bits first: a character of
/// the first half (`A`…`f`, 0–31) ends the number, one of the second half (`g`…`/`) carries 5
/// bits and says more follow. Gaps and frequencies under 32 take one character; text, unlike
/// base64 of bytes, keeps every number on its own characters, which gzip can count.
pub(super) fn push_number(text: &mut String, mut value: u32) {
    while value >= 32 {
        text.push(char::from(ALPHABET[32 + (value & 31) as usize]));
        value >>= 5;
    }
    text.push(char::from(ALPHABET[value as usize]));
}

/// A fieldnorm id as one character of the base64 alphabet when it is below 63, else `/` (63)
/// and the rest written by [`push_number`]: most sections are 20 to 100 words long, whose ids
/// (32 to 62) [`push_number`] would write in two characters.
fn push_norm(text: &mut String, id: u8) {
    if id < 63 {
        text.push(char::from(ALPHABET[usize::from(id)]));
    } else {
        text.push('/');
        push_number(text, u32::from(id - 63));
    }
}

/// Numbers written as [`push_number`] does: a few characters each where JSON took a dozen.
pub(super) fn numbers(values: impl IntoIterator<Item = u32>) -> String {
    let mut text = String::new();
    for value in values {
        push_number(&mut text, value);
    }
    text
}

/// The numbers of a text written by [`push_number`].
#[cfg(test)]
pub(super) fn read_numbers(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let (mut value, mut shift) = (0u32, 0);
    for c in text.bytes() {
        let digit = ALPHABET
            .iter()
            .position(|a| *a == c)
            .expect("a base64 character") as u32;
        value |= (digit & 31) << shift;
        if digit < 32 {
            out.push(value);
            (value, shift) = (0, 0);
        } else {
            shift += 5;
        }
    }
    out
}

/// A list's postings as (doc id, term frequency, fieldnorm id), read back from its text.
#[cfg(test)]
pub(super) fn read_postings(text: &str) -> Vec<(DocId, u32, u8)> {
    let digits: Vec<u32> = (text.bytes())
        .map(|c| {
            ALPHABET
                .iter()
                .position(|a| *a == c)
                .expect("a base64 character") as u32
        })
        .collect();
    let mut at = 0;
    let number = |at: &mut usize| {
        let (mut value, mut shift) = (0, 0);
        loop {
            let digit = digits[*at];
            *at += 1;
            value |= (digit & 31) << shift;
            if digit < 32 {
                return value;
            }
            shift += 5;
        }
    };
    let n = number(&mut at) as usize;
    let gaps: Vec<u32> = (0..n).map(|_| number(&mut at)).collect();
    let freqs: Vec<u32> = (0..n).map(|_| number(&mut at)).collect();
    let mut norms = Vec::new();
    for _ in 0..n {
        let digit = digits[at];
        at += 1;
        norms.push(if digit < 63 {
            digit
        } else {
            63 + number(&mut at)
        } as u8);
    }
    assert_eq!(at, digits.len(), "{text}: characters left over");
    let mut doc = 0;
    (0..n)
        .map(|i| {
            doc += gaps[i];
            (doc, freqs[i], norms[i])
        })
        .collect()
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
        let values = [0, 1, 31, 32, 33, 1023, 1024, u32::MAX];
        assert_eq!(read_numbers(&numbers(values)), values);
    }

    #[test]
    fn fieldnorm_ids_below_63_take_one_character() {
        let mut text = String::new();
        for id in [0, 31, 32, 62, 63, 64, 95, 255] {
            push_norm(&mut text, id);
            text.push(' ');
        }
        assert_eq!(text, "A f g + /A /B /gB /gG ");
    }

    #[test]
    fn scores_add_up_by_document() {
        let sums = add_by_doc(
            &[(1, 1.0), (4, 2.0)],
            [(0, 0.5), (4, 0.25), (9, 3.0)].into_iter(),
        );
        assert_eq!(sums, [(0, 0.5), (1, 1.0), (4, 2.25), (9, 3.0)]);
    }

    #[test]
    fn a_cut_term_gives_back_every_posting_under_true_bounds() {
        let (index, fields, _) = super::super::tests::synthetic(12_000);
        let searcher = index.reader().unwrap().searcher();
        let segments = Ordered::new(searcher.segment_readers(), "order").unwrap();
        let searched = [
            (fields.title, 3.0),
            (fields.section, 2.0),
            (fields.body, 1.0),
        ];
        let mut cut = 0;
        for term in for_each_term(&segments, &searched, |term| term).unwrap() {
            let scores = term.scores();
            let (ranked, size) = rank(&scores, 0);
            let Cut::Split { head, tail } = term.cut(&scores, &ranked, size) else {
                continue;
            };
            cut += 1;
            let score: std::collections::HashMap<DocId, Score> = scores.iter().copied().collect();
            let in_head: std::collections::BTreeSet<DocId> = (head.iter())
                .flat_map(|(_, text, _)| read_postings(text))
                .map(|(doc, _, _)| doc)
                .collect();
            assert!(in_head.len() >= HEAD_MIN_DOCUMENTS);
            let worst_head = in_head
                .iter()
                .map(|doc| score[doc])
                .fold(Score::MAX, Score::min);
            for (b, block) in tail.iter().enumerate() {
                let end = tail.get(b + 1).map_or(DocId::MAX, |next| next.first);
                let docs: Vec<DocId> = (block.lists.iter())
                    .flat_map(|(_, text)| read_postings(text))
                    .map(|(doc, _, _)| doc)
                    .collect();
                assert!(docs
                    .iter()
                    .all(|doc| (block.first..end).contains(doc) && !in_head.contains(doc)));
                let best = docs.iter().map(|doc| score[doc]).fold(0.0, Score::max);
                assert_eq!(best, block.bound, "{}: block {b}", term.key);
                assert!(
                    block.bound < worst_head,
                    "{}: a tail document scores like the head",
                    term.key
                );
            }
            // Per field, the head and the blocks hold tantivy's list, and the whole list's length.
            for (f, list) in term.lists.iter().enumerate() {
                let mut got = read_postings(&head[f].1);
                for block in &tail {
                    assert_eq!(block.lists[f].0, list.field);
                    got.extend(read_postings(&block.lists[f].1));
                }
                got.sort_unstable();
                let c = &list.columns;
                let whole: Vec<_> = (0..c.docs.len())
                    .map(|i| (c.docs[i], c.freqs[i], c.norms[i]))
                    .collect();
                assert_eq!(got, whole, "{}", term.key);
                assert_eq!(head[f].2, list.doc_freq());
            }
        }
        assert!(cut >= 5, "only {cut} terms were cut");
    }

    #[test]
    fn ranking_breaks_ties_by_doc_id_and_keeps_ties_in_the_head() {
        let scores: Vec<(DocId, Score)> = (0..200).map(|doc| (doc, (doc % 50) as Score)).collect();
        let (ranked, head) = rank(&scores, 5);
        assert_eq!(
            ranked[..5],
            [(49, 49.0), (99, 49.0), (149, 49.0), (199, 49.0), (48, 48.0)]
        );
        // 64 is at least the share: the 64 best end with score 34, which 4 documents have.
        assert_eq!(head, 64);
        assert!(ranked[..head].iter().all(|(_, s)| *s >= 34.0));
        assert!(ranked[head..].iter().all(|(_, s)| *s < 34.0));
        let scores: Vec<(DocId, Score)> = (0..200).map(|doc| (doc, (doc % 3) as Score)).collect();
        let (_, head) = rank(&scores, 0);
        assert_eq!(head, 66, "every document tied with the 64th is in the head");
    }
}
