//! `[search] synonyms`: groups of words that find each other. A query word's clause holds its
//! term and the terms of its group, in the CLI and in the browser alike, so `k8s` finds the
//! pages about Kubernetes and both rank them the same.

use std::collections::BTreeMap;
use std::path::Path;

use tantivy::tokenizer::TextAnalyzer;

/// Where an index folder keeps its synonyms for `opsbook search`.
const SYNONYMS_FILE: &str = "synonyms.json";

/// Each index term of a group → the group's other terms, in the order written (a term in
/// several groups gets all their terms).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Synonyms(BTreeMap<String, Vec<String>>);

impl Synonyms {
    /// The groups of the configuration, each word analyzed as the index analyzes text.
    pub(crate) fn new(groups: &[Vec<String>], analyzer: &mut TextAnalyzer) -> Synonyms {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for group in groups {
            let mut terms: Vec<String> = Vec::new();
            for word in group {
                analyzer.token_stream(word).process(&mut |token| {
                    if !terms.contains(&token.text) {
                        terms.push(token.text.clone());
                    }
                });
            }
            for term in &terms {
                let others = map.entry(term.clone()).or_default();
                for other in &terms {
                    if other != term && !others.contains(other) {
                        others.push(other.clone());
                    }
                }
            }
        }
        map.retain(|_, others| !others.is_empty());
        Synonyms(map)
    }

    /// The other terms of `term`'s groups.
    pub(crate) fn of(&self, term: &str) -> &[String] {
        self.0.get(term).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes them into an index folder.
    pub(crate) fn save(&self, dir: &Path) -> std::io::Result<()> {
        let json = serde_json::to_string(self).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(SYNONYMS_FILE), json)
    }

    /// Those of an index folder; none when it has no file (or one this version cannot read).
    pub(crate) fn load(dir: &Path) -> Synonyms {
        std::fs::read(dir.join(SYNONYMS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TokenizerManager;

    #[test]
    fn each_term_finds_the_others_of_its_groups() {
        let mut analyzer = TokenizerManager::default().get("en_stem").unwrap();
        let groups = [
            vec!["k8s".to_string(), "Kubernetes".to_string()],
            vec!["pg".into(), "postgres".into(), "PostgreSQL".into()],
            vec!["db".into(), "postgres".into()],
        ];
        let synonyms = Synonyms::new(&groups, &mut analyzer);
        assert_eq!(synonyms.of("k8s"), ["kubernet"]);
        assert_eq!(synonyms.of("kubernet"), ["k8s"]);
        assert_eq!(synonyms.of("postgr"), ["pg", "postgresql", "db"]);
        assert_eq!(synonyms.of("db"), ["postgr"]);
        assert!(synonyms.of("disk").is_empty());
        let dir = tempfile::tempdir().unwrap();
        synonyms.save(dir.path()).unwrap();
        assert_eq!(Synonyms::load(dir.path()), synonyms);
    }
}
