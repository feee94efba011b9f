//! `opsbook search`: tantivy queries over the index of a handbook, the very queries the browser
//! runtime reproduces (ranking, most-words-first, whole words before prefixes, prefix expansion
//! while typing, typo correction, results by page).
//!
//! The ranking of sections, the same in the runtime (`rank` in opsbook-search.js): a section is a
//! result when it has a term of at least one clause (one clause per query word); results are
//! ordered by how many clauses the section matches through the word's own terms (its term, its
//! synonyms, its corrections: whole words), then by how many it matches counting the last word's
//! prefix expansions too, then by score (BM25 summed over every term, in query order), then in
//! index order. So a whole word always outranks a prefix expansion of the same word, and a
//! section with every word outranks one with fewer.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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

use super::{schema, searched, stamp, typos, Fields, Language};

/// While typing, the last word is a prefix once it has this many characters…
pub(crate) const MIN_PREFIX_CHARS: usize = 3;
/// …and adds at most this many terms to the query: the ones in the most documents. Each costs a
/// posting list to score (and perhaps a shard to load); 8 covers the plural, verb and noun forms
/// a stem has, and keeps a query fast at every keystroke.
pub const MAX_EXPANSIONS: usize = 8;
/// The most results one search returns (`opsbook search --limit`).
pub const MAX_LIMIT: usize = 10_000;
/// Results by page: the best sections of a query, this many per page asked for, are grouped by
/// page (see [`Searcher::pages`]). A page needs few: its first section holds its title and names.
pub const POOL_PER_PAGE: usize = 4;
/// The most sections listed under a page.
pub const SECTIONS_PER_PAGE: usize = 3;

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

/// One page of the results, with its best sections (the page's first section among them when it
/// matched).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PageHit {
    /// The page's URL, without anchor.
    pub url: String,
    pub title: String,
    pub kind: String,
    /// Its best section's score.
    pub score: f32,
    /// Up to [`SECTIONS_PER_PAGE`], best first.
    pub sections: Vec<Hit>,
}

/// What `opsbook search` prints and the search box shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Results {
    /// The query as corrected, when a word of it was misspelt ("Showing results for …").
    pub showing: Option<String>,
    pub pages: Vec<PageHit>,
}

/// The clause of each word of a query (none for a word the analyzer drops).
type WordClauses = Vec<Option<usize>>;

/// Per segment and document: how many clauses it matches by whole words, and counting prefixes.
type ClauseCounts = HashMap<SegmentId, HashMap<DocId, (u32, u32)>>;

/// The clauses of a query (see [`Searcher::clauses_and_words`]) and what made them.
pub(crate) struct Plan {
    pub clauses: Vec<Vec<String>>,
    /// Per clause, how many of its first terms are the word's own (its term, synonyms or
    /// corrections); the rest are prefix expansions.
    pub whole: Vec<usize>,
    /// The query as corrected, when a clause was.
    pub showing: Option<String>,
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

/// An opened index.
pub struct Searcher {
    index: Index,
    fields: Fields,
    synonyms: super::Synonyms,
    /// The analyzers of the handbook's languages, its own first: a query word's clause holds
    /// its term in each.
    analyzers: Vec<TextAnalyzer>,
    /// The index folder, and its vocabulary of typo correction once read.
    dir: PathBuf,
    words: OnceLock<typos::Words>,
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
            dir: dir.to_path_buf(),
            words: OnceLock::new(),
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
    /// clause. Returned with the clause of each word: none when the analyzer dropped it, or when
    /// the word is CJK or more than one token (a pair is whole: never a prefix, never corrected).
    fn clauses_and_words(&self, text: &str) -> tantivy::Result<(Vec<Vec<String>>, WordClauses)> {
        let mut analyzers = self.analyzers.clone();
        let mut seen: HashMap<String, Option<usize>> = HashMap::new();
        let mut clauses: Vec<Vec<String>> = Vec::new();
        let mut of_words = Vec::new();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() {
                continue;
            }
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
            let mut clause_of_word = None;
            for (i, token) in raw.iter().enumerate() {
                if let Some(&clause) = seen.get(token) {
                    clause_of_word = clause;
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
                clause_of_word = (!terms.is_empty()).then_some(clauses.len());
                seen.insert(token.clone(), clause_of_word);
                if !terms.is_empty() {
                    clauses.push(terms);
                }
            }
            let cjk = raw
                .iter()
                .any(|token| token.starts_with(super::analyzer::is_cjk));
            of_words.push(clause_of_word.filter(|_| raw.len() == 1 && !cjk));
        }
        Ok((clauses, of_words))
    }

    /// One term in the searched fields (title, section, body, names), with their boosts: the
    /// query tantivy's query parser makes of a quoted word.
    fn term_query(&self, text: &str) -> Box<dyn Query> {
        let subqueries = searched(&self.fields)
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

    /// The query `opsbook search` scores `clauses` with (see [`Searcher::clauses_and_words`]), which the
    /// browser runtime reproduces: every term of every clause, in order, ORed (a `BooleanQuery`
    /// of `Should` clauses, each a `Searcher::term_query`), and every filter required (`Must`)
    /// without adding to the score. A single term is its term query alone, as the query parser
    /// makes it. Its documents are the results; the module's comment says how they are ranked.
    pub(crate) fn any_query(&self, clauses: &[Vec<String>], filters: &Filters) -> Box<dyn Query> {
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
        Box::new(BooleanQuery::new(any))
    }

    /// Per segment and document, how many clauses of `plan` it matches through whole words, and
    /// how many counting prefix expansions: the first two keys of the ranking.
    fn clause_counts(
        &self,
        searcher: &tantivy::Searcher,
        plan: &Plan,
    ) -> tantivy::Result<ClauseCounts> {
        let mut counts = ClauseCounts::new();
        let either = |terms: &[String]| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                (terms.iter())
                    .map(|t| (Occur::Should, self.term_query(t)))
                    .collect(),
            ))
        };
        for (clause, &whole) in plan.clauses.iter().zip(&plan.whole) {
            let own = Self::matching(searcher, &*either(&clause[..whole]))?;
            let all = if whole == clause.len() {
                own.clone()
            } else {
                Self::matching(searcher, &*either(clause))?
            };
            for (segment, docs) in own {
                let entry = counts.entry(segment).or_default();
                for doc in docs {
                    entry.entry(doc).or_default().0 += 1;
                }
            }
            for (segment, docs) in all {
                let entry = counts.entry(segment).or_default();
                for doc in docs {
                    entry.entry(doc).or_default().1 += 1;
                }
            }
        }
        Ok(counts)
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

    /// The clauses of `text` still being typed: [`Searcher::clauses_and_words`], and when `text` ends in
    /// the middle of a word of at least [`MIN_PREFIX_CHARS`] characters, that word's clause also
    /// holds up to [`MAX_EXPANSIONS`] index terms that start with the word lowercased or with its
    /// term (other than its term): those in the most documents (the sum of the term's document
    /// frequencies in title, section and body), ties to the smaller term, in term order.
    pub fn clauses_as_typed(&self, text: &str) -> tantivy::Result<Vec<Vec<String>>> {
        Ok(self.plan(text, true)?.clauses)
    }

    /// The clauses of `text` (as typed, when `typing`: see [`Searcher::clauses_as_typed`]), each
    /// clause none of whose terms is in the index replaced by its corrections (`typos.rs`).
    pub(crate) fn plan(&self, text: &str, typing: bool) -> tantivy::Result<Plan> {
        let (mut clauses, of_words) = self.clauses_and_words(text)?;
        let mut whole: Vec<usize> = clauses.iter().map(Vec::len).collect();
        // The last word as its token (full-width forms folded).
        let last = text
            .split(|c: char| !c.is_alphanumeric())
            .next_back()
            .map(|word| {
                let mut token = String::new();
                super::analyzer::raw_tokens(word, &mut |t| token = t.to_string());
                token
            });
        if let (true, Some(last), Some(&Some(typed))) = (typing, last, of_words.last()) {
            if last.chars().count() >= MIN_PREFIX_CHARS {
                let own = clauses[typed][0].clone();
                let lowered = last.to_lowercase_per_char();
                let more = self.expansions(&[own.as_str(), lowered.as_str()], &own)?;
                let clause = &mut clauses[typed];
                for term in more {
                    if !clause.contains(&term) {
                        clause.push(term);
                    }
                }
            }
        }
        let mut corrected: Vec<Option<String>> = vec![None; clauses.len()];
        let typed: Vec<&str> = (text.split(|c: char| !c.is_alphanumeric()))
            .filter(|word| !word.is_empty())
            .collect();
        for (number, clause) in clauses.iter_mut().enumerate() {
            if self.in_index(clause)? {
                continue;
            }
            // The clause's word as typed (its first occurrence), lowercased.
            let Some(at) = of_words.iter().position(|c| *c == Some(number)) else {
                continue;
            };
            let found = self.corrections(&typed[at].to_lowercase_per_char())?;
            if let Some(best) = found.first() {
                corrected[number] = Some(best.word.clone());
                whole[number] = found.len();
                *clause = found.into_iter().map(|c| c.term).collect();
            }
        }
        // The words as typed, each corrected one replaced by its best correction.
        let showing = corrected.iter().any(Option::is_some).then(|| {
            (typed.iter().copied())
                .zip(&of_words)
                .map(
                    |(word, clause)| match clause.and_then(|c| corrected[c].as_ref()) {
                        Some(correction) => correction.as_str(),
                        None => word,
                    },
                )
                .collect::<Vec<_>>()
                .join(" ")
        });
        Ok(Plan {
            clauses,
            whole,
            showing,
        })
    }

    /// Whether some term of `clause` is in the index.
    fn in_index(&self, clause: &[String]) -> tantivy::Result<bool> {
        let searcher = self.index.reader()?.searcher();
        for term in clause {
            for (field, _) in searched(&self.fields) {
                if searcher.doc_freq(&Term::from_field_text(field, term))? > 0 {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The corrections of a misspelt word (lowercased) among the words of the index folder, each
    /// with its term's documents: the sum of its document frequencies in the searched fields.
    fn corrections(&self, typo: &str) -> tantivy::Result<Vec<typos::Correction>> {
        let words = self.words.get_or_init(|| typos::load_words(&self.dir));
        let searcher = self.index.reader()?.searcher();
        let mut near: Vec<(&str, &str, u64)> = Vec::new();
        for (word, term) in words {
            if typos::candidate(typo, word).is_none() {
                continue;
            }
            let mut documents = 0;
            for (field, _) in searched(&self.fields) {
                documents += searcher.doc_freq(&Term::from_field_text(field, term))?;
            }
            if documents > 0 {
                near.push((word, term, documents));
            }
        }
        Ok(typos::corrections_in(typo, near))
    }

    /// See [`Searcher::clauses_as_typed`].
    fn expansions(&self, prefixes: &[&str], except: &str) -> tantivy::Result<Vec<String>> {
        let reader = self.index.reader()?;
        let searcher = reader.searcher();
        let mut documents: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for (field, _) in searched(&self.fields) {
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

    /// The best `limit` sections for `text` (its misspelt words corrected).
    pub fn search(&self, text: &str, filters: &Filters, limit: usize) -> tantivy::Result<Vec<Hit>> {
        self.run(&self.plan(text, false)?, filters, limit)
    }

    /// The best `limit` pages for `text` (still being typed, when `typing`): the best
    /// [`POOL_PER_PAGE`] × `limit` sections, grouped by page, pages in the order of their best
    /// section, each with up to [`SECTIONS_PER_PAGE`] of its sections among them, best first.
    /// What `opsbook search` prints and the search box shows.
    pub fn pages(
        &self,
        text: &str,
        filters: &Filters,
        limit: usize,
        typing: bool,
    ) -> tantivy::Result<Results> {
        let plan = self.plan(text, typing)?;
        let pool = limit.saturating_mul(POOL_PER_PAGE).min(MAX_LIMIT);
        let hits = self.run(&plan, filters, pool)?;
        Ok(Results {
            showing: plan.showing,
            pages: group_by_page(hits, limit),
        })
    }

    /// The best `limit` sections for `text` still being typed: its last word is also a prefix
    /// (see [`Searcher::clauses_as_typed`]). What the search box of the site shows.
    pub fn search_as_typed(
        &self,
        text: &str,
        filters: &Filters,
        limit: usize,
    ) -> tantivy::Result<Vec<Hit>> {
        self.run(&self.plan(text, true)?, filters, limit)
    }

    fn run(&self, plan: &Plan, filters: &Filters, limit: usize) -> tantivy::Result<Vec<Hit>> {
        let reader = self.index.reader()?;
        let searcher = reader.searcher();
        if plan.clauses.is_empty() || limit == 0 {
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
        let any = self.any_query(&plan.clauses, filters);
        let counts = Arc::new(self.clause_counts(&searcher, plan)?);
        // Sorted by (whole-word clauses, clauses, score): tantivy's TopDocs orders equal keys by
        // document.
        let ranking =
            TopDocs::with_limit(limit.max(1)).tweak_score(move |segment: &SegmentReader| {
                let counts = Arc::clone(&counts);
                let id = segment.segment_id();
                move |doc: DocId, score: Score| {
                    let (whole, all) = (counts.get(&id))
                        .and_then(|docs| docs.get(&doc).copied())
                        .unwrap_or_default();
                    (whole, all, score)
                }
            });
        let top = searcher.search(&*any, &ranking)?;
        let mut snippets = SnippetGenerator::create(&searcher, &*any, self.fields.body)?;
        snippets.set_max_num_chars(180);
        let mut hits = Vec::with_capacity(top.len());
        for ((_, _, score), address) in top {
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
                title: get(self.fields.page_title),
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

/// `hits`, best first, grouped by page: see [`Searcher::pages`].
fn group_by_page(hits: Vec<Hit>, limit: usize) -> Vec<PageHit> {
    let mut pages: Vec<PageHit> = Vec::new();
    for hit in hits {
        let url = hit.url.split('#').next().unwrap_or_default();
        let count = pages.len();
        match pages.iter_mut().find(|page| page.url == url) {
            Some(page) if page.sections.len() < SECTIONS_PER_PAGE => page.sections.push(hit),
            Some(_) => {}
            None if count < limit => pages.push(PageHit {
                url: url.to_string(),
                title: hit.title.clone(),
                kind: hit.kind.clone(),
                score: hit.score,
                sections: vec![hit],
            }),
            None => {}
        }
    }
    pages
}
