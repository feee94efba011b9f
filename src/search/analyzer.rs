//! tantivy's `en_stem` analyzer with its stems remembered. A handbook repeats a few thousand
//! words millions of times, and Snowball stemming each one anew was a fifth of indexing; a
//! lookup gives the same stem. The tokens are exactly `en_stem`'s, which the browser runtime
//! and the parity tests rely on.

use std::collections::HashMap;

use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;

use super::ANALYZER;

/// Words an analyzer remembers before it starts again, so memory stays bounded.
const REMEMBERED: usize = 500_000;

/// Registers the remembering analyzer under `en_stem` for `index`.
pub(super) fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, en_stem());
}

/// `en_stem`: split on non-alphanumeric characters, drop tokens of 40 bytes or more, lowercase,
/// stem (English Snowball).
fn en_stem() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(RememberedStems)
        .build()
}

#[derive(Clone, Copy)]
struct RememberedStems;

impl TokenFilter for RememberedStems {
    type Tokenizer<T: Tokenizer> = StemsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> StemsFilter<T> {
        StemsFilter {
            inner,
            memo: Memo::default(),
        }
    }
}

/// tantivy's stemmer on single words, and the stems it gave.
#[derive(Clone)]
struct Memo {
    stemmer: TextAnalyzer,
    stems: HashMap<String, String>,
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::default())
                .build(),
            stems: HashMap::new(),
        }
    }
}

impl Memo {
    fn stem_into(&mut self, text: &mut String) {
        if let Some(stem) = self.stems.get(text.as_str()) {
            text.clone_from(stem);
            return;
        }
        let stem = {
            let mut stream = self.stemmer.token_stream(text);
            match stream.advance() {
                true => stream.token().text.clone(),
                false => text.clone(),
            }
        };
        if self.stems.len() >= REMEMBERED {
            self.stems.clear();
        }
        self.stems
            .insert(std::mem::replace(text, stem.clone()), stem);
    }
}

#[derive(Clone)]
struct StemsFilter<T> {
    inner: T,
    memo: Memo,
}

impl<T: Tokenizer> Tokenizer for StemsFilter<T> {
    type TokenStream<'a> = StemsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemsStream {
            tail: self.inner.token_stream(text),
            memo: &mut self.memo,
        }
    }
}

struct StemsStream<'a, T> {
    tail: T,
    memo: &'a mut Memo,
}

impl<T: TokenStream> TokenStream for StemsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        self.memo.stem_into(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TokenizerManager;

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    #[test]
    fn gives_exactly_the_tokens_of_tantivys_en_stem_twice_over() {
        let mut ours = en_stem();
        let mut theirs = TokenizerManager::default()
            .get("en_stem")
            .expect("built in");
        let text = "Running runners RAN; the Zürich caches were cached, \
                    caching 12 restarts of postgres-primary's pods. \
                    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ok";
        let expected = tokens(&mut theirs, text);
        assert!(expected.iter().any(|t| t.0 == "cach"), "{expected:?}");
        // The second pass answers from the memo.
        assert_eq!(tokens(&mut ours, text), expected);
        assert_eq!(tokens(&mut ours, text), expected);
    }
}
