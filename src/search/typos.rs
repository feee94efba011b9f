//! Typo correction, the same in `opsbook search` and in the browser runtime: a query word whose
//! clause finds no term in the index (none of its terms, synonyms or prefix expansions is in any
//! section) is replaced by the terms of the handbook's words closest to it, and the results say
//! what they are for.
//!
//! Words are compared as written, not as stemmed: `certficate` is one edit from `certificate`,
//! but its stem `certfic` is two from `certif`. The vocabulary is every word the index was made
//! of (lowercased; letters only: identifiers, hashes and numbers are never what a misspelt word
//! meant), each with its term and that term's documents (the sum of its document frequencies in
//! the searched fields, as prefix expansion counts them). The rule, exactly as `correct` in the
//! runtime applies it:
//!
//! - only a word of [`MIN_TYPO_CHARS`] characters or more is corrected, lowercased;
//! - a candidate is a vocabulary word within one edit of it, two for a word of
//!   [`LONG_TERM_CHARS`] characters or more, in Damerau's optimal string alignment distance over
//!   characters (insert, delete, replace, or swap two neighbours: `postgers` is one edit from
//!   `postgres`), that shares its first or its last character (what lets a browser look it up
//!   in few small files; with one edit, every candidate of a word of 3 characters or more does);
//! - candidates are ordered by distance, then most documents, then word (byte order); their
//!   terms, each once, the first [`MAX_CORRECTIONS`] of them, replace the clause's terms, as
//!   synonyms share one; the first candidate's word is what "showing results for" shows.
//!
//! The browser's vocabulary files ([`vocabulary_files`]) hold the words twice: ordered by first
//! character, then length, then word, and by last character, length and word, cut into files of
//! about [`VOCABULARY_FILE_BYTES`]. A correction loads the files of the word's first and last
//! character at the lengths within its edits: usually one of each. `opsbook search` keeps the
//! vocabulary in the index folder ([`WORDS_FILE`]).

use std::cmp::Reverse;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

/// Shorter terms are not corrected: within one edit of them is half the vocabulary.
pub(crate) const MIN_TYPO_CHARS: usize = 3;
/// From this many characters on, a term may be two edits away from what was meant.
pub(crate) const LONG_TERM_CHARS: usize = 8;
/// The most vocabulary terms a misspelt word is replaced by: each is a posting list to load.
pub(crate) const MAX_CORRECTIONS: usize = 4;
/// Raw bytes of a vocabulary file before the next one starts.
pub(crate) const VOCABULARY_FILE_BYTES: usize = 4 * 1024;
/// The vocabulary in an index folder: a line per word, `word term`.
const WORDS_FILE: &str = "words.txt";

/// The handbook's words (lowercased) and their terms.
pub(crate) type Words = BTreeMap<String, String>;

/// A replacement of a misspelt word.
#[derive(Debug, PartialEq)]
pub(crate) struct Correction {
    /// The handbook's word it was found by.
    pub word: String,
    /// That word's term, what is searched.
    pub term: String,
}

/// How many edits a term of `chars` characters may be from its corrections.
pub(crate) fn max_edits(chars: usize) -> usize {
    if chars >= LONG_TERM_CHARS {
        2
    } else {
        1
    }
}

/// Whether a word is in the vocabulary of corrections: letters only.
pub(crate) fn in_vocabulary(word: &str) -> bool {
    !word.is_empty()
        && match word.is_ascii() {
            true => word.bytes().all(|b| b.is_ascii_alphabetic()),
            false => word.chars().all(char::is_alphabetic),
        }
}

/// Writes the vocabulary into an index folder.
pub(crate) fn save_words(words: &Words, dir: &Path) -> std::io::Result<()> {
    let mut text = String::new();
    for (word, term) in words {
        text.push_str(&format!("{word} {term}\n"));
    }
    std::fs::write(dir.join(WORDS_FILE), text)
}

/// The vocabulary of an index folder; none when it has no file.
pub(crate) fn load_words(dir: &Path) -> Words {
    let text = std::fs::read_to_string(dir.join(WORDS_FILE)).unwrap_or_default();
    (text.lines())
        .filter_map(|line| line.split_once(' '))
        .map(|(word, term)| (word.to_string(), term.to_string()))
        .collect()
}

/// How many edits `word` is from `typo` when it may be a candidate for it (see the module's
/// rule), else none.
pub(crate) fn candidate(typo: &str, word: &str) -> Option<usize> {
    let (typed, chars) = (typo.chars().count(), word.chars().count());
    let (first, end) = (typo.chars().next()?, typo.chars().next_back()?);
    let edits = max_edits(typed);
    if typed < MIN_TYPO_CHARS || chars.abs_diff(typed) > edits || word == typo {
        return None;
    }
    if !in_vocabulary(word) || (!word.starts_with(first) && !word.ends_with(end)) {
        return None;
    }
    Some(edit_distance(typo, word)).filter(|&distance| distance <= edits)
}

/// Damerau's optimal string alignment distance between `a` and `b`, over characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows of the matrix: two back (for a swap), the last one, the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut last, row);
    }
    last[b.len()]
}

/// The corrections of `typo` (a word, lowercased) among `vocabulary`: (word, term, documents)
/// triples. See the module's rule.
pub(crate) fn corrections_in<'a>(
    typo: &str,
    vocabulary: impl IntoIterator<Item = (&'a str, &'a str, u64)>,
) -> Vec<Correction> {
    let mut found: Vec<(usize, Reverse<u64>, &str, &str)> = (vocabulary.into_iter())
        .filter_map(|(word, term, documents)| {
            Some((candidate(typo, word)?, Reverse(documents), word, term))
        })
        .collect();
    found.sort();
    let mut corrections: Vec<Correction> = Vec::new();
    for (_, _, word, term) in found {
        if corrections.len() == MAX_CORRECTIONS {
            break;
        }
        if corrections.iter().all(|c| c.term != term) {
            corrections.push(Correction {
                word: word.to_string(),
                term: term.to_string(),
            });
        }
    }
    corrections
}

/// The browser's vocabulary files (`vN.js`, N from 0) of `words`, (word, term, documents) in any
/// order, and what `meta.js` says of them: the first key of each file, `[family, character,
/// length]` of its first word, family 0 ordered by first character, family 1 by last. A file
/// registers `opsbook.search.vocab(N, "word:documents word:documents:term …")`, ordered by key,
/// then word; the term is written when it is not the word itself.
pub(crate) fn vocabulary_files(words: &[(String, String, u32)]) -> (Value, Vec<(String, String)>) {
    let mut starts = Vec::new();
    let mut files = Vec::new();
    for family in 0..2u32 {
        let mut keyed: Vec<((u32, usize), &str, &str, u32)> = (words.iter())
            .filter(|(word, ..)| in_vocabulary(word))
            .map(|(word, term, documents)| {
                let at = if family == 0 {
                    word.chars().next()
                } else {
                    word.chars().next_back()
                };
                let key = (at.map_or(0, u32::from), word.chars().count());
                (key, word.as_str(), term.as_str(), *documents)
            })
            .collect();
        keyed.sort();
        let mut text = String::new();
        for (key, word, term, documents) in keyed {
            if text.len() >= VOCABULARY_FILE_BYTES {
                files.push(vocabulary_file(files.len(), &text));
                text.clear();
            }
            if text.is_empty() {
                starts.push(json!([family, key.0, key.1]));
            } else {
                text.push(' ');
            }
            text.push_str(&format!("{word}:{documents}"));
            if term != word {
                text.push_str(&format!(":{term}"));
            }
        }
        if !text.is_empty() {
            files.push(vocabulary_file(files.len(), &text));
        }
    }
    (Value::from(starts), files)
}

fn vocabulary_file(number: usize, text: &str) -> (String, String) {
    let json = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    (
        format!("v{number}.js"),
        format!("opsbook.search.vocab({number},{json});\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swap_of_neighbours_is_one_edit() {
        assert_eq!(edit_distance("postgers", "postgres"), 1);
        assert_eq!(edit_distance("postgres", "postgres"), 0);
        assert_eq!(edit_distance("dsik", "disk"), 1);
        assert_eq!(edit_distance("kafak", "kafka"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3); // optimal string alignment, not full Damerau
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("zürich", "zurich"), 1);
        assert_eq!(edit_distance("certifcate", "certificate"), 1);
        assert_eq!(edit_distance("kubernets", "kubernetes"), 1);
    }

    /// `corrections_in` over words that are their own terms, giving the terms.
    fn terms(typo: &str, vocabulary: &[(&str, u64)]) -> Vec<String> {
        let words = vocabulary.iter().map(|(w, d)| (*w, *w, *d));
        let found = corrections_in(typo, words);
        found.into_iter().map(|c| c.term).collect()
    }

    #[test]
    fn candidates_are_within_one_edit_or_two_from_eight_characters() {
        let vocabulary = [
            ("disk", 10),
            ("dusk", 1),
            ("desk", 3),
            ("dis", 40),
            ("risk", 50),
            ("disks", 2),
            ("diskette", 5),
            ("dk", 100),
        ];
        // One edit for a 4-letter word; ties of distance by documents, then by word.
        assert_eq!(terms("dsik", &vocabulary), ["disk"], "a swap is one edit");
        assert_eq!(terms("disx", &vocabulary), ["dis", "disk"]);
        assert_eq!(terms("dask", &vocabulary), ["disk", "desk", "dusk"]);
        // Two edits from 8 characters on, one below.
        let long = [("certificate", 7), ("certify", 9), ("certification", 2)];
        assert_eq!(terms("certficat", &long), ["certificate"]);
        assert_eq!(terms("certifyng", &long), ["certify"]);
        assert_eq!(terms("certfy", &long), ["certify"]);
        assert!(
            terms("crtfy", &long).is_empty(),
            "two edits below 8 characters"
        );
        // Too short to correct.
        assert!(terms("ds", &vocabulary).is_empty());
    }

    #[test]
    fn candidates_share_the_first_or_last_character_and_are_letters_only() {
        let vocabulary = [
            ("abcdefgh", 1),
            ("xbcdefgx", 1),
            ("abcdef12", 50),
            ("xbcdefgh", 1),
        ];
        // Two edits away, but at both ends: not a candidate.
        assert!(terms("zbcdefgz", &vocabulary).is_empty());
        assert_eq!(terms("abcdefgz", &vocabulary), ["abcdefgh"]);
        let capped: Vec<(String, u64)> = (b'a'..=b'z')
            .map(|c| (format!("dis{}", c as char), u64::from(c)))
            .collect();
        let capped: Vec<(&str, u64)> = capped.iter().map(|(w, d)| (w.as_str(), *d)).collect();
        let found = terms("disz", &capped);
        assert_eq!(
            found,
            ["disy", "disx", "disw", "disv"],
            "the most documents first, capped"
        );
    }

    #[test]
    fn words_are_compared_as_written_and_give_their_terms_once() {
        let words = [
            ("certificate", "certif", 30),
            ("certificates", "certif", 30),
            ("certificat", "certificat", 4),
        ];
        let found = corrections_in("certficate", words);
        assert_eq!(
            found,
            [
                Correction {
                    word: "certificate".into(),
                    term: "certif".into()
                },
                Correction {
                    word: "certificat".into(),
                    term: "certificat".into()
                },
            ]
        );
    }

    #[test]
    fn vocabulary_files_list_letter_words_by_first_and_by_last_character() {
        let words: Vec<(String, String, u32)> = [
            ("disks", "disk", 3),
            ("b12", "b12", 1),
            ("abc", "abc", 2),
            ("deb", "deb", 4),
        ]
        .iter()
        .map(|(w, t, d)| (w.to_string(), t.to_string(), *d))
        .collect();
        let (starts, files) = vocabulary_files(&words);
        assert_eq!(starts, json!([[0, 97, 3], [1, 98, 3]]));
        assert_eq!(files.len(), 2);
        assert_eq!(
            files[0].1,
            "opsbook.search.vocab(0,\"abc:2 deb:4 disks:3:disk\");\n"
        );
        assert_eq!(
            files[1].1,
            "opsbook.search.vocab(1,\"deb:4 abc:2 disks:3:disk\");\n"
        );
    }
}
