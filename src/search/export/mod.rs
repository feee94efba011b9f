//! The index, exported for browsers: tantivy's own term dictionary, postings (with term
//! frequencies), fieldnorms and document counts — never recomputed — written as classic scripts
//! that register themselves (`opsbook.search.shard(3, {...})`), so the site searches from any
//! static host, any sub-path, and `file://`.
//!
//! The files of `search/` (format version 5), all in one folder and few (10,000 pages, 114,389
//! sections: 1,470 files):
//!
//! - `meta.js`: `opsbook.search.meta({version, doc_count, fields: [{name, boost, total_tokens}],
//!   shards: [first term of each shard], single, docs,
//!   pages, vocabulary, filters: {kind|services|severity: [values]}})`; `single` has a number
//!   per shard (as below): the document count of its term when the shard holds one term only,
//!   else 0; `docs` a number per document file: how many sections it holds, `pages` one per
//!   page; `vocabulary` the first key of each vocabulary file (`typos.rs`). The fields are
//!   title, section, body and names. With pages in a language other than English,
//!   `languages: [[code, stemmer code], …]`, the handbook's first: its words are analyzed in each
//!   (see `src/search/analyzer.rs`), and `stem-CODE.js` has each stemmer but English's.
//! - `tN.js`, N below the number of shards: `opsbook.search.shard(N, {terms: {term: lists},
//!   split: {term: blocks}, top: [rows]})`, terms cut by term range into shards of about
//!   [`SHARD_TARGET_BYTES`]. A term's lists are `[[field number, postings], …]`, postings being
//!   the list's length n, n doc id gaps and n term frequencies written by `push_number`, then n
//!   fieldnorm ids written by `push_norm`. A term whose lists pass [`postings::SPLIT_BYTES`] is
//!   cut: the shard has the lists of its best-scored documents (its head, a share of
//!   [`postings::HEAD_SHARE`]; each list then
//!   `[field number, postings, the whole list's length]`) and `split` has where the rest (its
//!   tail) is: `[[file, first doc id, bound], …]`, a block of the tail per doc id range (from its
//!   first doc id to the next block's), with the best score in it. `top` has the rows of the
//!   [`TOP_ROWS`] best sections of every term of the shard in [`MIN_TOP_DOCUMENTS`] documents or
//!   more, by page: `[[page url, title, kind, [[doc id, anchor, [headings], text], …]], …]`.
//! - `tN.js`, N from the number of shards on: `opsbook.search.shard(N, {terms: {}, tails:
//!   {term: lists}})`: a block of a long tail, or the short tails of a few cut terms, about
//!   [`postings::TAIL_BLOCK_BYTES`] a file.
//! - `dN.js`: `opsbook.search.docs(N, [[page url, title, kind, [[anchor, kept, [headings], text],
//!   …]], …])`, whole pages in index order (see `rows.rs`); a section's doc id is its place.
//! - `vN.js`: `opsbook.search.vocab(N, "word:documents word:documents:term …")`, the words of
//!   letters the index was made of, ordered by first character and by last character, then
//!   length, for typo correction (`typos.rs`).
//! - `filters.js`: `opsbook.search.filters({kind|services|severity: {value: postings}})`, the
//!   postings being the length and the doc id gaps.
//!
//! What a cold query loads is what matters (a first query loads `opsbook-search.js`, `meta.js`,
//! one shard per word, the tails the runtime cannot rank without, and a document file for each
//! result no loaded `top` has): heads instead of whole lists of common words, their best rows
//! beside them, columns of small numbers as characters gzip can count. Few files matter too:
//! a static host's deploy time and limits grow with them.

mod postings;
mod rows;
mod segments;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};
use tantivy::schema::Field;
use tantivy::{DocId, Index};

use super::Fields;
use postings::{numbers, Cut, TailBlock, Term};
#[cfg(test)]
pub(crate) use rows::RowList;
use rows::TopRows;
pub(crate) use rows::{doc_row, DocRow, Rows};
use segments::Ordered;

/// The format's version, in `meta.js`; the runtime reads no other.
const VERSION: u32 = 5;
/// Raw bytes of term data per shard before a new shard starts. Smaller shards load less per
/// cold query, but the search must stay within 1,500 files and the site under 20,000
/// (Cloudflare Pages' free plan). With these sizes 10,000 pages make 1,470 search files (628
/// shards, 54 tail files, 764 document files); `scripts/bench-search.mjs` chose them: of the
/// shard, cut and document sizes tried within the budget, they load least for a 2- and 3-word
/// query while a 1-word query stays about as it was (the document files are what multi-word
/// results mostly cost, so they got smaller and the shards larger).
const SHARD_TARGET_BYTES: usize = 36 * 1024;
/// Rows kept beside a common term's lists: what a one-word query shows (the search box shows 12).
const TOP_ROWS: usize = 12;
/// A term in fewer documents has no `top` rows: its results cost a document file each.
const MIN_TOP_DOCUMENTS: u32 = 200;

/// Everything about the format that is not in the data: part of the export's fingerprint.
pub(crate) fn format_id() -> String {
    format!(
        "format {VERSION}, shards of {SHARD_TARGET_BYTES} bytes, split over {} bytes with heads \
         of {} and at least {}, tail blocks of {} bytes, {TOP_ROWS} top rows from \
         {MIN_TOP_DOCUMENTS} documents, document files of {} bytes, {} chars, vocabulary files \
         of {} bytes",
        postings::split_bytes(),
        postings::HEAD_SHARE,
        postings::HEAD_MIN_DOCUMENTS,
        postings::TAIL_BLOCK_BYTES,
        rows::DOC_FILE_BYTES,
        rows::SNIPPET_TEXT_CHARS,
        super::typos::VOCABULARY_FILE_BYTES,
    )
}

/// One exported file: its name inside `search/` and its text.
pub(crate) type File = (String, String);

/// A term as exported: its lists (whole or cut) and the doc ids of its `top` rows.
struct Exported {
    key: String,
    /// The documents of its lists, summed.
    documents: u32,
    cut: Cut,
    top: Vec<DocId>,
}

impl Exported {
    fn new(term: Term) -> Self {
        // A term in few documents is never cut (its lists are short), nor has `top` rows.
        let (cut, top) = if term.documents < MIN_TOP_DOCUMENTS {
            (term.cut(&[], &[], 0), Vec::new())
        } else {
            let scores = term.scores();
            let (ranked, head) = postings::rank(&scores, TOP_ROWS);
            let top = ranked
                .iter()
                .take(TOP_ROWS.min(head))
                .map(|(doc, _)| *doc)
                .collect();
            (term.cut(&scores, &ranked, head), top)
        };
        Exported {
            key: term.key,
            documents: term.documents,
            cut,
            top,
        }
    }

    /// Raw bytes the term takes in its shard.
    fn bytes(&self, rows: &TopRows) -> usize {
        let lists: usize = match &self.cut {
            Cut::Whole(lists) => lists.iter().map(|(_, p)| p.len() + 8).sum(),
            Cut::Split { head, .. } => head.iter().map(|(_, p, _)| p.len() + 16).sum(),
        };
        let top: usize = self
            .top
            .iter()
            .filter_map(|doc| rows.get(doc))
            .map(|row| row.bytes() + 30)
            .sum();
        self.key.len() + lists + top
    }
}

/// Exports an index written in order by one thread (see [`super::build_memory_index`]) whose
/// documents are `rows`.
#[cfg(test)]
pub(crate) fn export(
    index: &Index,
    fields: &Fields,
    rows: &dyn Rows,
) -> tantivy::Result<Vec<File>> {
    let mut files = Vec::new();
    let none = super::Synonyms::default();
    let english = [super::Language::English];
    let words = super::typos::Words::new();
    export_into(
        index.clone(),
        fields,
        rows,
        &none,
        &words,
        &english,
        &mut |file| files.push(file),
    )?;
    Ok(files)
}

/// [`export`], each file handed to `emit` as soon as it is made, so a build writes the files
/// while the rest are being made rather than holding them all; returns how many it made.
pub(crate) fn export_into(
    index: Index,
    fields: &Fields,
    rows: &dyn Rows,
    synonyms: &super::Synonyms,
    words: &super::typos::Words,
    languages: &[super::Language],
    emit: &mut dyn FnMut(File),
) -> tantivy::Result<usize> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let order = index.schema().get_field_name(fields.order).to_string();
    let segments = Ordered::new(searcher.segment_readers(), &order)?;
    if segments.is_empty() {
        emit(empty_meta());
        return Ok(1);
    }
    let searched = super::searched(fields);
    let field_meta: Vec<Value> = searched
        .iter()
        .map(|(field, boost)| {
            let total_tokens = segments.total_tokens(*field)?;
            let name = index.schema().get_field_name(*field).to_string();
            Ok(json!({"name": name, "boost": boost, "total_tokens": total_tokens}))
        })
        .collect::<tantivy::Result<_>>()?;
    let terms: Vec<Exported> = postings::for_each_term(&segments, &searched, Exported::new)?;
    let (filters, filter_values) = filters(&segments, fields)?;
    let doc_count = segments.doc_count();
    // Everything is read from the index: its memory is given back before the rows are made.
    drop(segments);
    drop(searcher);
    drop(reader);
    drop(index);
    let top_docs: std::collections::BTreeSet<DocId> =
        terms.iter().flat_map(|t| t.top.iter().copied()).collect();
    let top = rows::top_rows(rows, &top_docs);
    drop(top_docs);
    let shards = cut_shards(&terms, &top);
    let tails = tail_files(&terms, shards.len());
    let mut made = 0;
    let mut emit = |file: File| {
        made += 1;
        emit(file);
    };
    let mut single = Vec::new();
    for (number, range) in shards.iter().enumerate() {
        let members = &terms[range.clone()];
        single.push(match members {
            [only] => only.documents,
            _ => 0,
        });
        emit(shard_file(number, members, &tails.of, &top));
    }
    tails.files.into_iter().for_each(&mut emit);
    let shard_keys: Vec<String> = shards.iter().map(|r| terms[r.start].key.clone()).collect();
    let documents: std::collections::HashMap<&str, u32> = (terms.iter())
        .map(|t| (t.key.as_str(), t.documents))
        .collect();
    let vocabulary: Vec<(String, String, u32)> = (words.iter())
        .filter_map(|(word, term)| {
            Some((word.clone(), term.clone(), *documents.get(term.as_str())?))
        })
        .collect();
    drop(documents);
    // The postings are in their files now; the document files are made without them in memory.
    drop(terms);
    drop(top);
    let (vocabulary_starts, vocabulary_files) = super::typos::vocabulary_files(&vocabulary);
    vocabulary_files.into_iter().for_each(&mut emit);
    let doc_counts = rows::doc_files(rows, &mut emit);
    emit(filters);
    let meta = json!({
        "version": VERSION,
        "doc_count": doc_count,
        "fields": field_meta,
        "shards": shard_keys,
        "single": numbers(single),
        "docs": doc_counts,
        "pages": rows::page_sizes(rows),
        "vocabulary": vocabulary_starts,
        "filters": filter_values,
    });
    let mut meta = meta;
    if !synonyms.is_empty() {
        meta["synonyms"] = json!(synonyms);
    }
    // English alone (the runtime's default) is left out, so its meta stays as it was.
    if languages != [super::Language::English] {
        let pairs: Vec<[&str; 2]> = languages
            .iter()
            .map(|l| [l.code(), l.stemmer_code()])
            .collect();
        meta["languages"] = json!(pairs);
    }
    emit(("meta.js".into(), register("meta", None, &meta)));
    Ok(made)
}

/// The terms of each shard, as ranges of `terms`: a shard ends before the term that would take
/// it past the target, so a long list or head starts a shard of its own and a query for `full`
/// does not load `from` with it.
fn cut_shards(terms: &[Exported], rows: &TopRows) -> Vec<std::ops::Range<usize>> {
    let mut shards = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, term) in terms.iter().enumerate() {
        let size = term.bytes(rows);
        if i > start && bytes + size > SHARD_TARGET_BYTES {
            shards.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < terms.len() {
        shards.push(start..terms.len());
    }
    shards
}

/// The tail files, numbered from `first` on, and where each cut term's tail blocks are:
/// `[file, first doc id, bound]` per block.
struct Tails {
    files: Vec<File>,
    of: BTreeMap<String, Vec<Value>>,
}

/// A block of a cut term's tail is a file of its own, except that tails of one block share files
/// of about [`postings::TAIL_BLOCK_BYTES`] with the next ones in term order.
fn tail_files(terms: &[Exported], first: usize) -> Tails {
    let mut tails = Tails {
        files: Vec::new(),
        of: BTreeMap::new(),
    };
    let mut shared: Vec<(&str, &TailBlock)> = Vec::new();
    let mut bytes = 0;
    for exported in terms {
        let Cut::Split { tail, .. } = &exported.cut else {
            continue;
        };
        let key = exported.key.as_str();
        if let [block] = tail.as_slice() {
            let size = block.bytes();
            if !shared.is_empty() && bytes + size > postings::TAIL_BLOCK_BYTES {
                add_tail_file(&mut tails, &std::mem::take(&mut shared), first);
                bytes = 0;
            }
            shared.push((key, block));
            bytes += size;
        } else {
            for block in tail {
                add_tail_file(&mut tails, &[(key, block)], first);
            }
        }
    }
    if !shared.is_empty() {
        add_tail_file(&mut tails, &shared, first);
    }
    tails
}

fn add_tail_file(tails: &mut Tails, blocks: &[(&str, &TailBlock)], first: usize) {
    let number = first + tails.files.len();
    let lists: BTreeMap<&str, &Vec<(usize, String)>> = blocks
        .iter()
        .map(|(term, block)| (*term, &block.lists))
        .collect();
    // Registered as a shard with no terms of its own, so that every `tN.js` reads alike.
    let value = json!({"terms": {}, "tails": lists});
    tails.files.push((
        format!("t{number}.js"),
        register("shard", Some(number), &value),
    ));
    for (term, block) in blocks {
        // The bound as the f64 of its exact value: JavaScript reads it back without a second
        // rounding.
        let entry = json!([number, block.first, f64::from(block.bound)]);
        tails.of.entry(term.to_string()).or_default().push(entry);
    }
}

/// Shard `number`: its terms' lists (heads of cut terms), where their tails are, and the `top`
/// rows of its common terms, each row once, by doc id.
fn shard_file(
    number: usize,
    terms: &[Exported],
    tail_of: &BTreeMap<String, Vec<Value>>,
    rows: &TopRows,
) -> File {
    let mut lists: BTreeMap<&str, Value> = BTreeMap::new();
    let mut split: BTreeMap<&str, Value> = BTreeMap::new();
    for exported in terms {
        let key = exported.key.as_str();
        match &exported.cut {
            Cut::Whole(whole) => {
                lists.insert(key, json!(whole));
            }
            Cut::Split { head, .. } => {
                lists.insert(key, json!(head));
                split.insert(key, json!(tail_of[key]));
            }
        }
    }
    let mut docs: Vec<DocId> = terms.iter().flat_map(|e| e.top.iter().copied()).collect();
    docs.sort_unstable();
    docs.dedup();
    let mut value = json!({ "terms": lists });
    if !split.is_empty() {
        value["split"] = json!(split);
    }
    if !docs.is_empty() {
        value["top"] = rows::top_value(rows, &docs);
    }
    (
        format!("t{number}.js"),
        register("shard", Some(number), &value),
    )
}

fn empty_meta() -> File {
    let meta = json!({"version": VERSION, "doc_count": 0, "fields": [],
        "shards": [], "single": "", "docs": "", "pages": "", "vocabulary": [], "filters": {}});
    ("meta.js".into(), register("meta", None, &meta))
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

fn filter_fields(fields: &Fields) -> [(&'static str, Field); 3] {
    [
        ("kind", fields.kind),
        ("services", fields.services),
        ("severity", fields.severity),
    ]
}

/// The values of each filter field, in `meta.js`.
type FilterValues = BTreeMap<&'static str, Vec<String>>;

/// `filters.js`, each value of the filter fields with its documents, and the values alone for
/// `meta.js`, from one read of their postings.
fn filters(segments: &Ordered<'_>, fields: &Fields) -> tantivy::Result<(File, FilterValues)> {
    let mut filters: BTreeMap<&'static str, BTreeMap<String, String>> = BTreeMap::new();
    let mut values = FilterValues::new();
    for (name, field) in filter_fields(fields) {
        let terms = segments.documents_by_term(field)?;
        values.insert(name, terms.iter().map(|(value, _)| value.clone()).collect());
        let entry = filters.entry(name).or_default();
        for (value, documents) in terms {
            entry.insert(value, documents.text());
        }
    }
    Ok((
        ("filters.js".into(), register("filters", None, &filters)),
        values,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::{doc, IndexWriter};

    /// An index of `sections` sections, 8 to a page, of words drawn with a long tail (word n
    /// about 1/n as often as word 1), so that common words are cut into heads and tails.
    pub(super) fn synthetic(sections: usize) -> (Index, Fields, RowList) {
        synthetic_in_runs(sections, sections)
    }

    /// [`synthetic`], committed every `run` sections: a segment each, as a large handbook's
    /// index in memory has.
    fn synthetic_in_runs(sections: usize, run: usize) -> (Index, Fields, RowList) {
        let (schema, fields) = super::super::schema_with(false);
        let index = Index::create_in_ram(schema);
        super::super::analyzer::register(&index, super::super::Language::English);
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 50_000_000).unwrap();
        let mut seed = 17u64;
        let mut word = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let uniform = ((seed >> 33) as f64 + 1.0) / (1u64 << 31) as f64;
            format!("w{}", (4000f64.powf(uniform)) as u32)
        };
        let mut rows = Vec::new();
        for n in 0..sections {
            let page = format!("p{}/", n / 8);
            let title: Vec<String> = (0..3).map(|_| word()).collect();
            let heading = word();
            let body: Vec<String> = (0..40).map(|_| word()).collect();
            let (title, body) = (title.join(" "), body.join(" "));
            writer
                .add_document(doc!(
                    fields.title => title.as_str(),
                    fields.section => heading.as_str(),
                    fields.body => body.as_str(),
                    fields.kind => "runbook",
                    fields.order => n as u64,
                ))
                .unwrap();
            if (n + 1) % run == 0 {
                writer.commit().unwrap();
            }
            let anchor = format!("s{n}");
            rows.push(doc_row(
                &page,
                Some(&anchor),
                &title,
                &[heading],
                "runbook",
                &body,
            ));
        }
        writer.commit().unwrap();
        (index, fields, RowList::new(rows))
    }

    /// What a registered file holds: the JSON after `opsbook.search.NAME(N,`.
    fn payload(text: &str) -> Value {
        let start = text.find(['{', '[']).unwrap();
        serde_json::from_str(&text[start..text.rfind(')').unwrap()]).unwrap()
    }

    #[test]
    fn an_index_in_several_segments_exports_as_the_same_index_in_one() {
        let (one, fields, rows) = synthetic(3_000);
        let (several, _, _) = synthetic_in_runs(3_000, 700);
        let segments = several.reader().unwrap().searcher().segment_readers().len();
        assert_eq!(segments, 5, "a segment per commit");
        assert_eq!(
            export(&one, &fields, &rows).unwrap(),
            export(&several, &fields, &rows).unwrap()
        );
    }

    #[test]
    fn a_large_index_makes_few_files_and_the_same_ones_each_time() {
        let (index, fields, rows) = synthetic(12_000);
        let files = export(&index, &fields, &rows).unwrap();
        // About one file per 80 sections on the benchmark handbook: shards by term range, tails
        // and document files by size, none by count.
        assert!(
            files.len() <= rows.len() / 40,
            "{} files for {} sections",
            files.len(),
            rows.len()
        );
        assert_eq!(files, export(&index, &fields, &rows).unwrap());

        let by_name: BTreeMap<&str, Value> = (files.iter())
            .map(|(name, text)| (name.as_str(), payload(text)))
            .collect();
        let meta = &by_name["meta.js"];
        let docs: u32 = postings::read_numbers(meta["docs"].as_str().unwrap())
            .iter()
            .sum();
        assert_eq!(
            docs as usize,
            rows.len(),
            "the document files hold every section once"
        );
        // Every tail block a shard names is where it says.
        let shards = meta["shards"].as_array().unwrap().len();
        let mut blocks = 0;
        for n in 0..shards {
            let shard = &by_name[format!("t{n}.js").as_str()];
            for (term, entries) in shard["split"].as_object().into_iter().flatten() {
                for entry in entries.as_array().unwrap() {
                    let file = &by_name[format!("t{}.js", entry[0]).as_str()];
                    assert!(entry[0].as_u64().unwrap() as usize >= shards);
                    assert!(file["tails"][term].is_array(), "{term} is not in {entry}");
                    blocks += 1;
                }
            }
        }
        assert!(blocks > 0, "no term was cut");
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
