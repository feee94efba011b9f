//! The analyzer of every searchable field, one per language, with its stems remembered.
//!
//! Words are the runs of alphanumeric characters (`char::is_alphanumeric`), as tantivy's
//! `SimpleTokenizer` splits them. Inside a word, the characters of the Han, Hiragana, Katakana
//! and Hangul scripts ([`is_cjk`]) become overlapping pairs (`数据库` → `数据`, `据库`; a lone
//! one stays itself) and every other run between them is one token, with full-width ASCII
//! letters and digits written as ASCII (`ＡＢＣ１` → `ABC1`). Tokens of 40 bytes or more are
//! dropped, the rest lowercased, and those not CJK stemmed by the language's Snowball stemmer. For
//! text without CJK or full-width characters, the English analyzer gives exactly tantivy's
//! `en_stem` tokens. The browser runtime does the same (`opsbook-search.js`, `analyze`), and the
//! parity tests hold the two together.
//!
//! A handbook repeats a few thousand words millions of times, and Snowball stemming each one anew
//! was a fifth of indexing; a lookup gives the same stem.

use foldhash::HashMap as FastMap;

use tantivy::tokenizer::Language as Stemming;
use tantivy::tokenizer::{
    LowerCaser, PreTokenizedString, RawTokenizer, RemoveLongFilter, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;

use super::{Language, ANALYZER};

/// Words an analyzer remembers before it starts again, so memory stays bounded.
const REMEMBERED: usize = 500_000;

/// Registers the indexing analyzer of `language` under [`ANALYZER`] for `index`.
pub(super) fn register(index: &Index, language: Language) {
    index
        .tokenizers()
        .register(ANALYZER, index_analyzer(language));
}

/// The analyzer of `language` for queries (see the module documentation).
pub(crate) fn analyzer(language: Language) -> TextAnalyzer {
    with_tokenizer(WordsAndPairs::default(), language)
}

/// The analyzer of `language` for indexing: [`analyzer`]'s tokens, each compound word followed
/// by its parts ([`compound_parts`]). A query's words stay whole, so a query names the same
/// terms in `opsbook search` and in the browser, whose runtime analyzes queries only.
pub(super) fn index_analyzer(language: Language) -> TextAnalyzer {
    let tokenizer = WordsAndPairs {
        compounds: true,
        ..WordsAndPairs::default()
    };
    with_tokenizer(tokenizer, language)
}

fn with_tokenizer(tokenizer: WordsAndPairs, language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(tokenizer)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(RememberedStems(language))
        .build()
}

/// Whether a capital follows the first letter of `word`: only then can it have parts
/// ([`compound_parts`]); most words have none.
pub(super) fn has_capital_inside(word: &str) -> bool {
    match word.is_ascii() {
        true => word.bytes().skip(1).any(|b| b.is_ascii_uppercase()),
        false => word.chars().skip(1).any(char::is_uppercase),
    }
}

/// The parts of a word written in camel case (`PostgresDiskAlmostFull` → `postgres`, `disk`,
/// `almost`, `full`; `HighCPU` → `high`, `cpu`), as heck's snake case cuts it; `None` for a word
/// of one part. Alert and metric names are written so, in headings and text as much as in front
/// matter, and people search them by their words: "disk full".
pub(super) fn compound_parts(word: &str) -> Option<Vec<String>> {
    use heck::ToSnakeCase;
    if !has_capital_inside(word) {
        return None;
    }
    let snake = word.to_snake_case();
    let parts: Vec<String> = (snake.split('_'))
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect();
    (parts.len() > 1).then_some(parts)
}

/// The terms `language`'s analyzer makes of `text`, in order.
pub fn analyze(language: Language, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    analyzer(language)
        .token_stream(text)
        .process(&mut |token| out.push(token.text.clone()));
    out
}

/// The tokens of `text` before they are filtered: words (full-width letters as ASCII) and CJK
/// pairs, as written.
pub(super) fn raw_tokens(text: &str, each: &mut dyn FnMut(&str)) {
    WordsAndPairs::default()
        .token_stream(text)
        .process(&mut |token| each(&token.text));
}

/// `text` as `analyzer` tokenizes it, for a field whose registered analyzer is another
/// language's: a page in a language other than its handbook's.
pub(super) fn pre_tokenized(analyzer: &mut TextAnalyzer, text: &str) -> PreTokenizedString {
    let mut tokens = Vec::new();
    analyzer
        .token_stream(text)
        .process(&mut |token| tokens.push(token.clone()));
    PreTokenizedString {
        text: text.to_string(),
        tokens,
    }
}

/// Whether `c` is of the Han, Hiragana, Katakana or Hangul script (the blocks of the Unicode
/// standard that hold them, half-width forms included). The runtime's `isCjk` has the same
/// ranges.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x11FF // Hangul Jamo
        | 0x2E80..=0x2FDF // CJK and Kangxi radicals
        | 0x3005..=0x3007 // 々 〆 〇
        | 0x3021..=0x3029 // Hangzhou numerals
        | 0x3038..=0x303C
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3130..=0x318F // Hangul compatibility Jamo
        | 0x31F0..=0x31FF // Katakana phonetic extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xA960..=0xA97F // Hangul Jamo extended A
        | 0xAC00..=0xD7FF // Hangul syllables, Jamo extended B
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFFDC // half-width Katakana and Hangul
        | 0x20000..=0x3FFFF // CJK extensions B to H
    )
}

/// Full-width ASCII letters and digits (`Ａ`, `ｚ`, `１`) as ASCII; any other character as it is.
fn narrow(c: char) -> char {
    match u32::from(c) {
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => {
            char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

/// The Snowball stemmer of `language`'s words (see [`Language::stemmer_code`]).
pub(crate) fn stemming(language: Language) -> Stemming {
    use Language::*;
    match language {
        Arabic => Stemming::Arabic,
        Danish => Stemming::Danish,
        Dutch => Stemming::Dutch,
        English | Chinese | Japanese | Korean => Stemming::English,
        Finnish => Stemming::Finnish,
        French => Stemming::French,
        German => Stemming::German,
        Greek => Stemming::Greek,
        Hungarian => Stemming::Hungarian,
        Italian => Stemming::Italian,
        Norwegian => Stemming::Norwegian,
        Portuguese => Stemming::Portuguese,
        Romanian => Stemming::Romanian,
        Russian => Stemming::Russian,
        Spanish => Stemming::Spanish,
        Swedish => Stemming::Swedish,
        Tamil => Stemming::Tamil,
        Turkish => Stemming::Turkish,
    }
}

/// The tokenizer: words, and CJK characters in pairs (see the module documentation); with
/// `compounds`, each compound word followed by its parts.
#[derive(Clone, Default)]
struct WordsAndPairs {
    tokens: Tokens,
    compounds: bool,
}

/// The tokens of the text being read. The tokens of earlier texts stay, their texts' buffers
/// reused: a token of its own allocation each was a visible share of indexing.
#[derive(Clone, Default)]
struct Tokens {
    list: Vec<Token>,
    used: usize,
}

impl Tokens {
    fn clear(&mut self) {
        self.used = 0;
    }

    /// Adds the token at `from..to` of the text, whose text `write` writes.
    fn push(&mut self, from: usize, to: usize, write: impl FnOnce(&mut String)) {
        if self.used == self.list.len() {
            self.list.push(Token::default());
        }
        let token = &mut self.list[self.used];
        token.offset_from = from;
        token.offset_to = to;
        token.position = self.used;
        token.position_length = 1;
        token.text.clear();
        write(&mut token.text);
        self.used += 1;
    }
}

impl Tokenizer for WordsAndPairs {
    type TokenStream<'a> = PairsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairsStream<'a> {
        self.tokens.clear();
        // The CJK characters of the current run (offset, char), and where the other run being
        // read starts.
        let mut pairs: Vec<(usize, char)> = Vec::new();
        let mut word: Option<usize> = None;
        for (at, c) in text.char_indices() {
            if !c.is_alphanumeric() {
                if let Some(from) = word.take() {
                    push_word(&mut self.tokens, text, from, at, self.compounds);
                }
                if !pairs.is_empty() {
                    flush_pairs(&mut self.tokens, &mut pairs);
                }
            } else if is_cjk(c) {
                if let Some(from) = word.take() {
                    push_word(&mut self.tokens, text, from, at, self.compounds);
                }
                pairs.push((at, c));
            } else {
                if !pairs.is_empty() {
                    flush_pairs(&mut self.tokens, &mut pairs);
                }
                word.get_or_insert(at);
            }
        }
        if let Some(from) = word.take() {
            push_word(&mut self.tokens, text, from, text.len(), self.compounds);
        }
        flush_pairs(&mut self.tokens, &mut pairs);
        PairsStream {
            tokens: &mut self.tokens.list[..self.tokens.used],
            next: 0,
        }
    }
}

/// The word `text[from..to]`, its full-width letters and digits written as ASCII; with
/// `compounds`, then its parts, each at the word's offsets.
fn push_word(tokens: &mut Tokens, text: &str, from: usize, to: usize, compounds: bool) {
    let word = &text[from..to];
    match word.is_ascii() {
        // Full-width forms are never ASCII: an ASCII word is copied whole.
        true => tokens.push(from, to, |out| out.push_str(word)),
        false => tokens.push(from, to, |out| out.extend(word.chars().map(narrow))),
    }
    if !compounds {
        return;
    }
    let pushed = &tokens.list[tokens.used - 1].text;
    if let Some(parts) = compound_parts(pushed) {
        for part in parts {
            tokens.push(from, to, |out| out.push_str(&part));
        }
    }
}

/// The pairs of a run of CJK characters, or the one character of a run of one.
fn flush_pairs(tokens: &mut Tokens, pairs: &mut Vec<(usize, char)>) {
    match pairs.as_slice() {
        [] => {}
        [(at, c)] => tokens.push(*at, at + c.len_utf8(), |out| out.push(*c)),
        _ => {
            for two in pairs.windows(2) {
                let (at, first) = two[0];
                let (next, second) = two[1];
                tokens.push(at, next + second.len_utf8(), |out| {
                    out.push(first);
                    out.push(second);
                });
            }
        }
    }
    pairs.clear();
}

struct PairsStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl TokenStream for PairsStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// The language's stemmer on every token but CJK ones.
#[derive(Clone, Copy)]
struct RememberedStems(Language);

impl TokenFilter for RememberedStems {
    type Tokenizer<T: Tokenizer> = StemsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> StemsFilter<T> {
        StemsFilter {
            inner,
            memo: Memo::new(self.0),
        }
    }
}

/// tantivy's stemmer on single words, and the stems it gave.
#[derive(Clone)]
struct Memo {
    stemmer: TextAnalyzer,
    stems: FastMap<String, String>,
}

impl Memo {
    fn new(language: Language) -> Memo {
        Memo {
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(stemming(language)))
                .build(),
            stems: FastMap::default(),
        }
    }

    fn stem_into(&mut self, text: &mut String) {
        if text.starts_with(is_cjk) {
            return;
        }
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
    use tantivy::tokenizer::{SimpleTokenizer, TokenizerManager};

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
        let mut ours = analyzer(Language::English);
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

    #[test]
    fn the_index_adds_a_compounds_parts_after_it_and_a_query_keeps_it_whole() {
        let indexed = |text: &str| -> Vec<String> {
            let mut analyzer = index_analyzer(Language::English);
            tokens(&mut analyzer, text)
                .into_iter()
                .map(|t| t.0)
                .collect()
        };
        assert_eq!(
            indexed("PostgresDiskAlmostFull fires"),
            [
                "postgresdiskalmostful",
                "postgr",
                "disk",
                "almost",
                "full",
                "fire"
            ]
        );
        assert_eq!(indexed("HighCPU"), ["highcpu", "high", "cpu"]);
        // Lowercase and all-capital words are one part: the index has what a query has.
        let plain = "Running HTTP servers on k8s";
        assert_eq!(indexed(plain), analyze(Language::English, plain));
        assert_eq!(
            analyze(Language::English, "PostgresDiskAlmostFull"),
            ["postgresdiskalmostful"]
        );
        // A compound too long to be a term still gives its parts.
        let long = "ReplicationSlotRetainedWalExceedsTheConfiguredLimit";
        assert_eq!(indexed(long)[0], "replic");
        assert_eq!(compound_parts("etcd3"), None);
        assert_eq!(compound_parts("iPhone").unwrap(), ["i", "phone"]);
    }

    #[test]
    fn words_of_other_languages_are_tantivys_snowball_tokens() {
        for (language, text) in [
            (
                Language::German,
                "Die Datenbanken wurden gesichert; Sicherungen prüfen",
            ),
            (
                Language::French,
                "Les sauvegardes échouées, redémarrer les serveurs",
            ),
            (Language::Russian, "Резервные копии базы данных"),
        ] {
            let mut theirs = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(40))
                .filter(LowerCaser)
                .filter(Stemmer::new(stemming(language)))
                .build();
            assert_eq!(
                tokens(&mut analyzer(language), text),
                tokens(&mut theirs, text)
            );
        }
    }

    #[test]
    fn cjk_runs_become_overlapping_pairs_and_full_width_letters_ascii() {
        let got = |text: &str| analyze(Language::Japanese, text);
        assert_eq!(got("数据库备份"), ["数据", "据库", "库备", "备份"]);
        assert_eq!(got("库"), ["库"]);
        assert_eq!(
            got("在Kafka集群中restarting"),
            ["在", "kafka", "集群", "群中", "restart"]
        );
        assert_eq!(
            got("ディスク容量"),
            ["ディ", "ィス", "スク", "ク容", "容量"]
        );
        assert_eq!(got("한국어 텍스트"), ["한국", "국어", "텍스", "스트"]);
        assert_eq!(got("ＡＢＣ１２ ｄｉｓｋｓ"), ["abc12", "disk"]);
        let offsets = tokens(&mut analyzer(Language::Chinese), "a 数据库");
        assert_eq!(
            offsets,
            [
                ("a".into(), 0, 1, 0),
                ("数据".into(), 2, 8, 1),
                ("据库".into(), 5, 11, 2)
            ]
        );
    }
}
