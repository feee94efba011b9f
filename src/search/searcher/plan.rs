//! What a query's text becomes before it runs: one clause per token, each with its term in every
//! language of the handbook and its synonyms; the prefix expansions of the word being typed; and
//! the corrections of a misspelt word (`typos.rs`). `opsbook search` and the browser runtime
//! (`plan` in opsbook-search.js) make the same clauses.

use std::collections::{BTreeMap, HashMap};

use tantivy::Term;

use super::{searched, typos, Searcher, MAX_EXPANSIONS, MIN_PREFIX_CHARS};
use crate::search::analyzer;

/// The clause of each word of a query (none for a word the analyzer drops).
type WordClauses = Vec<Option<usize>>;

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

impl Searcher {
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
            analyzer::raw_tokens(word, &mut |token| raw.push(token.to_string()));
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
            let cjk = raw.iter().any(|token| token.starts_with(analyzer::is_cjk));
            of_words.push(clause_of_word.filter(|_| raw.len() == 1 && !cjk));
        }
        Ok((clauses, of_words))
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
                analyzer::raw_tokens(word, &mut |t| token = t.to_string());
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
}
