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

use std::collections::{HashMap, HashSet};
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

mod plan;

pub(crate) use plan::Plan;

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

/// Per segment and document: how many clauses it matches by whole words, and counting prefixes.
type ClauseCounts = HashMap<SegmentId, HashMap<DocId, (u32, u32)>>;

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
