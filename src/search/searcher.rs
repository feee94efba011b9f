//! `opsbook search`: tantivy queries over the index of a handbook, the very queries the browser
//! runtime reproduces (ranking, every-word-first, prefix expansion while typing).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::index::SegmentId;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocId, DocSet, Index, Score, SegmentReader, TantivyDocument, Term, TERMINATED};

use super::{schema, stamp, Fields, Language, SECTION_BOOST, TITLE_BOOST};

/// While typing, the last word is a prefix once it has this many characters…
pub(crate) const MIN_PREFIX_CHARS: usize = 3;
/// …and adds at most this many terms to the query: the ones in the most documents. Each costs a
/// posting list to score (and perhaps a shard to load); 8 covers the plural, verb and noun forms
/// a stem has, and keeps a query fast at every keystroke.
pub const MAX_EXPANSIONS: usize = 8;
/// The most results one search returns (`opsbook search --limit`).
pub const MAX_LIMIT: usize = 10_000;

/// Narrows a search to pages of a kind, service or severity.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub kind: Option<String>,
    pub service: Option<String>,
    pub severity: Option<String>,
}

/// One result, best first.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    /// URL relative to the site root, with the section anchor: `runbooks/disk/#step-2`.
    pub url: String,
    pub title: String,
    /// The section's heading (empty for a page's introduction).
    pub section: String,
    /// The headings above the section and its own, outermost first (empty for an introduction):
    /// shown as `Restore › Point-in-time recovery`.
    pub path: Vec<String>,
    pub kind: String,
    pub score: f32,
    /// The best fragment of the section's text, plain.
    pub snippet: String,
}

/// Lowercasing one character at a time, as tantivy's `LowerCaser` does (`str::to_lowercase`
/// writes a final `Σ` as `ς`).
trait LowercasePerChar {
    fn to_lowercase_per_char(&self) -> String;
}

impl LowercasePerChar for str {
    fn to_lowercase_per_char(&self) -> String {
        self.chars().flat_map(char::to_lowercase).collect()
    }
}

/// The two queries of a search: see [`Searcher::queries`].
pub(crate) struct Queries {
    pub any: Box<dyn Query>,
    pub all: Box<dyn Query>,
}

/// An opened index.
pub struct Searcher {
    index: Index,
    fields: Fields,
    synonyms: super::Synonyms,
    /// The analyzers of the handbook's languages, its own first: a query word's clause holds
    /// its term in each.
    analyzers: Vec<TextAnalyzer>,
}

impl Searcher {
    pub fn open(dir: &Path) -> tantivy::Result<Searcher> {
        let index = Index::open_in_dir(dir)?;
        let (_, fields) = schema();
        let languages: Vec<Language> = std::fs::read(dir.join(super::LANGUAGES_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .filter(|languages: &Vec<Language>| !languages.is_empty())
            .unwrap_or_else(|| vec![Language::English]);
        super::analyzer::register(&index, languages[0]);
        Ok(Searcher {
            index,
            fields,
            synonyms: super::Synonyms::load(dir),
            analyzers: languages
                .into_iter()
                .map(super::analyzer::analyzer)
                .collect(),
        })
    }

    /// The stamp the index was built with, when it has one.
    pub(crate) fn stamp(dir: &Path) -> Option<String> {
        std::fs::read_to_string(dir.join(stamp::STAMP_FILE)).ok()
    }

    /// The terms of `text`, one clause per token (its term in each language of the handbook,
    /// then the `[search] synonyms` of those): the words are the runs of alphanumeric characters
    /// (so `AND`, `OR`, `NOT` and other query syntax people type are plain words), each one token
    /// but a run of CJK characters, which is its overlapping pairs (every pair is required, as
    /// every word is). A token written again exactly as before is dropped (as tantivy's query
    /// grammar drops a clause equal to an earlier one, before analysis: `disk disk` is one
    /// clause, `kafka Kafka` two), and a token the analyzer drops (40 bytes or more) makes no
    /// clause.
    pub(crate) fn clauses(&self, text: &str) -> tantivy::Result<Vec<Vec<String>>> {
        Ok(self.clauses_and_last(text)?.0)
    }

    /// [`Searcher::clauses`], and the clause of the last token (none when the analyzer dropped
    /// it, or when it is CJK: a pair is whole, never a prefix).
    fn clauses_and_last(&self, text: &str) -> tantivy::Result<(Vec<Vec<String>>, Option<usize>)> {
        let mut analyzers = self.analyzers.clone();
        let mut seen: HashMap<String, Option<usize>> = HashMap::new();
        let mut clauses: Vec<Vec<String>> = Vec::new();
        let mut last = None;
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            // The raw tokens of the word, then each language's term of each (the same count: the
            // languages differ only in stemming).
            let mut raw: Vec<String> = Vec::new();
            super::analyzer::raw_tokens(word, &mut |token| raw.push(token.to_string()));
            let per_language: Vec<Vec<Option<String>>> = analyzers
                .iter_mut()
                .map(|analyzer| {
                    raw.iter()
                        .map(|token| {
                            let mut terms = Vec::new();
                            analyzer
                                .token_stream(token)
                                .process(&mut |t| terms.push(t.text.clone()));
                            terms.pop()
                        })
                        .collect()
                })
                .collect();
            for (i, token) in raw.iter().enumerate() {
                if let Some(&clause) = seen.get(token) {
                    last = clause;
                    continue;
                }
                let mut terms: Vec<String> = Vec::new();
                for term in per_language.iter().filter_map(|terms| terms[i].as_ref()) {
                    if !terms.contains(term) {
                        terms.push(term.clone());
                    }
                }
                // The token's synonyms share its clause: any of them satisfies it.
                for term in terms.clone() {
                    for other in self.synonyms.of(&term) {
                        if !terms.contains(other) {
                            terms.push(other.clone());
                        }
                    }
                }
                let cjk = token.starts_with(super::analyzer::is_cjk);
                last = (!terms.is_empty() && !cjk).then_some(clauses.len());
                seen.insert(token.clone(), last);
                if !terms.is_empty() {
                    clauses.push(terms);
                }
            }
        }
        Ok((clauses, last))
    }

    /// One term in title, section and body, with their boosts: the query tantivy's query parser
    /// makes of a quoted word.
    fn term_query(&self, text: &str) -> Box<dyn Query> {
        let fields = self.fields;
        let searched = [
            (fields.title, TITLE_BOOST),
            (fields.section, SECTION_BOOST),
            (fields.body, 1.0),
        ];
        let subqueries = searched
            .iter()
            .map(|&(field, boost)| {
                let term = TermQuery::new(
                    Term::from_field_text(field, text),
                    IndexRecordOption::WithFreqs,
                );
                let query: Box<dyn Query> = if boost == 1.0 {
                    Box::new(term)
                } else {
                    Box::new(BoostQuery::new(Box::new(term), boost))
                };
                (Occur::Should, query)
            })
            .collect();
        Box::new(BooleanQuery::new(subqueries))
    }

    /// What `opsbook search` runs for `clauses` (see [`Searcher::clauses`]); the browser runtime
    /// reproduces exactly these two queries.
    ///
    /// - `any` scores: every term of every clause, in order, ORed (a `BooleanQuery` of `Should`
    ///   clauses, each a `Searcher::term_query`), and every filter required (`Must`) without
    ///   adding to the score. A single term is its term query alone, as the query parser makes it.
    /// - `all` ranks: a `BooleanQuery` with one `Must` clause per clause (the ORed terms of the
    ///   clause), which matches the documents containing every word.
    ///
    /// Results are the documents of `any`; those that `all` matches come first; within each group,
    /// by `any`'s score descending, then in document order.
    pub(crate) fn queries(&self, clauses: &[Vec<String>], filters: &Filters) -> Queries {
        let fields = self.fields;
        let terms: Vec<&String> = clauses.iter().flatten().collect();
        let words: Box<dyn Query> = match terms.as_slice() {
            [one] => self.term_query(one),
            _ => Box::new(BooleanQuery::new(
                terms
                    .iter()
                    .map(|t| (Occur::Should, self.term_query(t)))
                    .collect(),
            )),
        };
        let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, words)];
        let filter = |field: Field, value: &Option<String>| {
            value.as_ref().map(|v| {
                let term = Term::from_field_text(field, v);
                let matches = TermQuery::new(term, IndexRecordOption::Basic);
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(Box::new(matches), 0.0)) as Box<dyn Query>,
                )
            })
        };
        any.extend(filter(fields.kind, &filters.kind));
        any.extend(filter(fields.services, &filters.service));
        any.extend(filter(fields.severity, &filters.severity));
        let all = clauses
            .iter()
            .map(|clause| {
                let either: Box<dyn Query> = Box::new(BooleanQuery::new(
                    clause
                        .iter()
                        .map(|t| (Occur::Should, self.term_query(t)))
                        .collect(),
                ));
                (Occur::Must, either)
            })
            .collect();
        Queries {
            any: Box::new(BooleanQuery::new(any)),
            all: Box::new(BooleanQuery::new(all)),
        }
    }

    /// The documents of each segment that `query` matches.
    fn matching(
        searcher: &tantivy::Searcher,
        query: &dyn Query,
    ) -> tantivy::Result<HashMap<SegmentId, HashSet<DocId>>> {
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut sets = HashMap::new();
        for segment in searcher.segment_readers() {
            let mut scorer = weight.scorer(segment, 1.0)?;
            let mut docs = HashSet::new();
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                docs.insert(doc);
                doc = scorer.advance();
            }
            sets.insert(segment.segment_id(), docs);
        }
        Ok(sets)
    }

    /// The clauses of `text` still being typed: [`Searcher::clauses`], and when `text` ends in
    /// the middle of a word of at least [`MIN_PREFIX_CHARS`] characters, that word's clause also
    /// holds up to [`MAX_EXPANSIONS`] index terms that start with the word lowercased or with its
    /// term (other than its term): those in the most documents (the sum of the term's document
    /// frequencies in title, section and body), ties to the smaller term, in term order.
    pub fn clauses_as_typed(&self, text: &str) -> tantivy::Result<Vec<Vec<String>>> {
        let (mut clauses, typed) = self.clauses_and_last(text)?;
        let Some(word) = text.split(|c: char| !c.is_alphanumeric()).next_back() else {
            return Ok(clauses);
        };
        let mut last = String::new();
        super::analyzer::raw_tokens(word, &mut |token| last = token.to_string());
        let Some(typed) = typed else {
            return Ok(clauses);
        };
        if last.chars().count() < MIN_PREFIX_CHARS {
            return Ok(clauses);
        }
        let own = clauses[typed][0].clone();
        let lowered = last.to_lowercase_per_char();
        let more = self.expansions(&[own.as_str(), lowered.as_str()], &own)?;
        let clause = &mut clauses[typed];
        for term in more {
            if !clause.contains(&term) {
                clause.push(term);
            }
        }
        Ok(clauses)
    }

    /// See [`Searcher::clauses_as_typed`].
    fn expansions(&self, prefixes: &[&str], except: &str) -> tantivy::Result<Vec<String>> {
        let reader = self.index.reader()?;
        let searcher = reader.searcher();
        let mut documents: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for field in [self.fields.title, self.fields.section, self.fields.body] {
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                let mut in_field = BTreeMap::new();
                for prefix in prefixes.iter().map(|p| str::as_bytes(p)) {
                    let mut stream = inverted.terms().range().ge(prefix).into_stream()?;
                    while stream.advance() && stream.key().starts_with(prefix) {
                        in_field.insert(stream.key().to_vec(), stream.value().doc_freq);
                    }
                }
                for (term, count) in in_field {
                    *documents.entry(term).or_default() += u64::from(count);
                }
            }
        }
        documents.remove(except.as_bytes());
        let mut ranked: Vec<(Vec<u8>, u64)> = documents.into_iter().collect();
        // Most documents first; the sort is stable, so ties stay in term order.
        ranked.sort_by_key(|&(_, documents)| std::cmp::Reverse(documents));
        ranked.truncate(MAX_EXPANSIONS);
        ranked.sort();
        Ok(ranked
            .into_iter()
            .map(|(term, _)| String::from_utf8_lossy(&term).into_owned())
            .collect())
    }

    /// The best `limit` sections for `text`.
    pub fn search(&self, text: &str, filters: &Filters, limit: usize) -> tantivy::Result<Vec<Hit>> {
        self.run(self.clauses(text)?, filters, limit)
    }

    /// The best `limit` sections for `text` still being typed: its last word is also a prefix
    /// (see [`Searcher::clauses_as_typed`]). What the search box of the site shows.
    pub fn search_as_typed(
        &self,
        text: &str,
        filters: &Filters,
        limit: usize,
    ) -> tantivy::Result<Vec<Hit>> {
        self.run(self.clauses_as_typed(text)?, filters, limit)
    }

    fn run(
        &self,
        clauses: Vec<Vec<String>>,
        filters: &Filters,
        limit: usize,
    ) -> tantivy::Result<Vec<Hit>> {
        let reader = self.index.reader()?;
        let searcher = reader.searcher();
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        // tantivy keeps a heap of `limit` entries: a limit from outside (`--limit`) is bounded
        // by what the index holds before it becomes an allocation.
        let limit = limit.clamp(
            1,
            usize::try_from(searcher.num_docs())
                .unwrap_or(MAX_LIMIT)
                .clamp(1, MAX_LIMIT),
        );
        let Queries { any, all } = self.queries(&clauses, filters);
        let first = Arc::new(Self::matching(&searcher, &*all)?);
        // Sorted by (matches every word, score): tantivy's TopDocs orders equal keys by document.
        let ranking =
            TopDocs::with_limit(limit.max(1)).tweak_score(move |segment: &SegmentReader| {
                let first = Arc::clone(&first);
                let id = segment.segment_id();
                move |doc: DocId, score: Score| {
                    let every_word = first.get(&id).is_some_and(|docs| docs.contains(&doc));
                    (every_word, score)
                }
            });
        let top = searcher.search(&*any, &ranking)?;
        let mut snippets = SnippetGenerator::create(&searcher, &*any, self.fields.body)?;
        snippets.set_max_num_chars(180);
        let mut hits = Vec::with_capacity(top.len());
        for ((_, score), address) in top {
            let document: TantivyDocument = searcher.doc(address)?;
            // A page in another language than its handbook's has its text as tokens too.
            let get = |field: Field| {
                document
                    .get_first(field)
                    .and_then(|v| {
                        (v.as_str().map(str::to_string))
                            .or_else(|| v.as_pre_tokenized_text().map(|tokens| tokens.text))
                    })
                    .unwrap_or_default()
            };
            let snippet = snippets.snippet(get(self.fields.body).trim());
            let snippet = if snippet.fragment().is_empty() {
                get(self.fields.body).chars().take(180).collect()
            } else {
                snippet.fragment().to_string()
            };
            hits.push(Hit {
                url: get(self.fields.url),
                title: get(self.fields.title),
                section: get(self.fields.heading),
                path: document
                    .get_all(self.fields.path)
                    .filter_map(|v| v.as_str())
                    .map(str::to_string)
                    .collect(),
                kind: get(self.fields.kind),
                score,
                snippet,
            });
        }
        Ok(hits)
    }
}
