//! Typo correction, the same in `opsbook search` and in the browser runtime: a query word whose
//! clause finds no term in the index (none of its terms, synonyms or prefix expansions is in any
//! section) is replaced by the vocabulary terms close to its term, and the results say what they
//! are for.
//!
//! The rule, exactly as `correct` in the runtime applies it:
//!
//! - only a term of [`MIN_TYPO_CHARS`] characters or more is corrected;
//! - the vocabulary is the index's terms made of letters only (no digits: identifiers, hashes and
//!   numbers are never what a misspelt word meant), each with its documents (the sum of its
//!   document frequencies in the searched fields, as prefix expansion counts them);
//! - a candidate is within one edit of the term, two for a term of [`LONG_TERM_CHARS`] characters
//!   or more, in Damerau's optimal string alignment distance over characters (insert, delete,
//!   replace, or swap two neighbours: `postgers` is one edit from `postgres`), and shares the
//!   term's first or its last character (what lets a browser look it up in two small files; with
//!   one edit, every candidate of a term of 3 characters or more does);
//! - candidates are ordered by distance, then most documents, then term (byte order), and the
//!   first [`MAX_CORRECTIONS`] replace the clause's terms, as synonyms share one.
//!
//! The browser's vocabulary files ([`vocabulary_files`]) hold the same terms twice: ordered by
//! first character, then length, then term, and by last character, length and term, cut into
//! files of about [`VOCABULARY_FILE_BYTES`]. A correction loads the few files of the term's first
//! and last character at the lengths within its edits.

use std::cmp::Reverse;

use serde_json::{json, Value};

/// Shorter terms are not corrected: within one edit of them is half the vocabulary.
pub(crate) const MIN_TYPO_CHARS: usize = 3;
/// From this many characters on, a term may be two edits away from what was meant.
pub(crate) const LONG_TERM_CHARS: usize = 8;
/// The most vocabulary terms a misspelt word is replaced by: each is a posting list to load.
pub(crate) const MAX_CORRECTIONS: usize = 4;
/// Raw bytes of a vocabulary file before the next one starts.
const VOCABULARY_FILE_BYTES: usize = 4 * 1024;

/// How many edits a term of `chars` characters may be from its corrections.
pub(crate) fn max_edits(chars: usize) -> usize {
    if chars >= LONG_TERM_CHARS {
        2
    } else {
        1
    }
}

/// Whether a term is in the vocabulary of corrections: letters only.
pub(crate) fn in_vocabulary(term: &str) -> bool {
    !term.is_empty() && term.chars().all(char::is_alphabetic)
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

/// The corrections of `typo` (a term) among `vocabulary`, (term, documents) pairs: see the
/// module's rule. Terms outside the vocabulary are skipped here.
pub(crate) fn corrections_in<'a>(
    typo: &str,
    vocabulary: impl IntoIterator<Item = (&'a str, u64)>,
) -> Vec<String> {
    let typed: Vec<char> = typo.chars().collect();
    let (Some(&first), Some(&end)) = (typed.first(), typed.last()) else {
        return Vec::new();
    };
    if typed.len() < MIN_TYPO_CHARS {
        return Vec::new();
    }
    let edits = max_edits(typed.len());
    let mut found: Vec<(usize, Reverse<u64>, &str)> = Vec::new();
    for (term, documents) in vocabulary {
        let chars = term.chars().count();
        if chars.abs_diff(typed.len()) > edits || term == typo || !in_vocabulary(term) {
            continue;
        }
        if !term.starts_with(first) && !term.ends_with(end) {
            continue;
        }
        let distance = edit_distance(typo, term);
        if distance <= edits {
            found.push((distance, Reverse(documents), term));
        }
    }
    found.sort();
    found.truncate(MAX_CORRECTIONS);
    found.into_iter().map(|(_, _, t)| t.to_string()).collect()
}

/// The browser's vocabulary files (`vN.js`, N from 0) of `terms`, (term, documents) pairs in any
/// order, and what `meta.js` says of them: the first key of each file, `[family, character,
/// length]`, family 0 ordered by first character, family 1 by last. A file registers
/// `opsbook.search.vocab(N, "term:documents term:documents …")`, ordered by key, then term.
pub(crate) fn vocabulary_files(terms: &[(String, u32)]) -> (Value, Vec<(String, String)>) {
    let mut starts = Vec::new();
    let mut files = Vec::new();
    for family in 0..2u32 {
        let mut keyed: Vec<((u32, usize), &str, u32)> = terms
            .iter()
            .filter(|(term, _)| in_vocabulary(term))
            .map(|(term, documents)| {
                let at = if family == 0 {
                    term.chars().next()
                } else {
                    term.chars().next_back()
                };
                let key = (at.map_or(0, u32::from), term.chars().count());
                (key, term.as_str(), *documents)
            })
            .collect();
        keyed.sort();
        let mut text = String::new();
        for (key, term, documents) in keyed {
            if text.len() >= VOCABULARY_FILE_BYTES {
                files.push(vocabulary_file(files.len(), &text));
                text.clear();
            }
            if text.is_empty() {
                starts.push(json!([family, key.0, key.1]));
            } else {
                text.push(' ');
            }
            text.push_str(&format!("{term}:{documents}"));
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
        // One edit for a 4-letter term; ties of distance by documents, then by term.
        assert_eq!(
            corrections_in("dsik", vocabulary),
            ["disk"],
            "a swap is one edit, two replacements are two"
        );
        assert_eq!(corrections_in("disx", vocabulary), ["dis", "disk"]);
        assert_eq!(corrections_in("dask", vocabulary), ["disk", "desk", "dusk"]);
        // Two edits from 8 characters on, one below.
        let long = [("certificate", 7), ("certify", 9), ("certification", 2)];
        assert_eq!(corrections_in("certficat", long), ["certificate"]);
        assert_eq!(corrections_in("certifyng", long), ["certify"]);
        assert_eq!(corrections_in("certfy", long), ["certify"]);
        assert!(
            corrections_in("crtfy", long).is_empty(),
            "two edits below 8 characters"
        );
        // Too short to correct.
        assert!(corrections_in("ds", vocabulary).is_empty());
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
        assert_eq!(corrections_in("zbcdefgz", vocabulary), Vec::<String>::new());
        assert_eq!(corrections_in("abcdefgz", vocabulary), ["abcdefgh"]);
        let capped: Vec<(String, u64)> = (b'a'..=b'z')
            .map(|c| (format!("dis{}", c as char), u64::from(c)))
            .collect();
        let found = corrections_in("disz", capped.iter().map(|(t, d)| (t.as_str(), *d)));
        assert_eq!(
            found,
            ["disy", "disx", "disw", "disv"],
            "the most documents first, capped"
        );
    }

    #[test]
    fn vocabulary_files_list_letter_terms_by_first_and_by_last_character() {
        let terms: Vec<(String, u32)> = [("disk", 3), ("b12", 1), ("abc", 2), ("deb", 4)]
            .iter()
            .map(|(t, d)| (t.to_string(), *d))
            .collect();
        let (starts, files) = vocabulary_files(&terms);
        assert_eq!(starts, json!([[0, 97, 3], [1, 98, 3]]));
        assert_eq!(files.len(), 2);
        assert_eq!(
            files[0].1,
            "opsbook.search.vocab(0,\"abc:2 deb:4 disk:3\");\n"
        );
        assert_eq!(
            files[1].1,
            "opsbook.search.vocab(1,\"deb:4 abc:2 disk:3\");\n"
        );
    }
}
