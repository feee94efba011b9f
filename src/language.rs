//! The languages a handbook and its pages may be written in (`language`): each picks how search
//! stems words (a Snowball stemmer tantivy has, which the browser runs as wasm built from the same
//! frostem code: `src/search/analyzer.rs`). Chinese, Japanese and Korean have no stemmer: their
//! characters are indexed as overlapping pairs, and the Latin-script words among them are stemmed
//! as English, the language such words mostly are in a handbook.

use std::fmt;

/// A language of `language` in `opsbook.toml` or of a page's front matter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    Arabic,
    Chinese,
    Danish,
    Dutch,
    #[default]
    English,
    Finnish,
    French,
    German,
    Greek,
    Hungarian,
    Italian,
    Japanese,
    Korean,
    Norwegian,
    Portuguese,
    Romanian,
    Russian,
    Spanish,
    Swedish,
    Tamil,
    Turkish,
}

/// Every language: ISO 639-1 code, English name, own name.
const LANGUAGES: &[(Language, &str, &str, &str)] = &[
    (Language::Arabic, "ar", "arabic", "العربية"),
    (Language::Chinese, "zh", "chinese", "中文"),
    (Language::Danish, "da", "danish", "Dansk"),
    (Language::Dutch, "nl", "dutch", "Nederlands"),
    (Language::English, "en", "english", "English"),
    (Language::Finnish, "fi", "finnish", "Suomi"),
    (Language::French, "fr", "french", "Français"),
    (Language::German, "de", "german", "Deutsch"),
    (Language::Greek, "el", "greek", "Ελληνικά"),
    (Language::Hungarian, "hu", "hungarian", "Magyar"),
    (Language::Italian, "it", "italian", "Italiano"),
    (Language::Japanese, "ja", "japanese", "日本語"),
    (Language::Korean, "ko", "korean", "한국어"),
    (Language::Norwegian, "no", "norwegian", "Norsk"),
    (Language::Portuguese, "pt", "portuguese", "Português"),
    (Language::Romanian, "ro", "romanian", "Română"),
    (Language::Russian, "ru", "russian", "Русский"),
    (Language::Spanish, "es", "spanish", "Español"),
    (Language::Swedish, "sv", "swedish", "Svenska"),
    (Language::Tamil, "ta", "tamil", "தமிழ்"),
    (Language::Turkish, "tr", "turkish", "Türkçe"),
];

impl Language {
    fn entry(self) -> &'static (Language, &'static str, &'static str, &'static str) {
        LANGUAGES
            .iter()
            .find(|entry| entry.0 == self)
            .expect("every language is listed")
    }

    /// The ISO 639-1 code: `de`.
    pub fn code(self) -> &'static str {
        self.entry().1
    }

    /// The language's name for itself: `Deutsch`.
    pub fn own_name(self) -> &'static str {
        self.entry().3
    }

    /// Reads a language tag (`de`, `de-CH`, `pt_BR`, `nb`) or an English name (`German`).
    pub fn parse(text: &str) -> Option<Language> {
        let lowered = text.trim().to_ascii_lowercase();
        let primary = lowered.split(['-', '_']).next().unwrap_or("");
        // Norwegian Bokmål and Nynorsk share the Norwegian stemmer.
        let primary = match primary {
            "nb" | "nn" => "no",
            other => other,
        };
        LANGUAGES
            .iter()
            .find(|(_, code, name, _)| *code == primary || *name == lowered)
            .map(|entry| entry.0)
    }

    /// The tag `<html lang>` gets for `written`: a language written by name (`German`) as its
    /// code, anything else as written (`de-CH`).
    pub(crate) fn html_tag(written: &str) -> String {
        match Language::parse(written) {
            Some(language) if written.len() > 3 && !written.contains(['-', '_']) => {
                language.code().to_string()
            }
            _ => written.to_string(),
        }
    }

    /// Every code, for messages.
    pub fn codes() -> String {
        LANGUAGES
            .iter()
            .map(|entry| entry.1)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The code of the language whose stemmer the language's words get: `en` for English and
    /// for the Latin-script words of Chinese, Japanese and Korean text.
    pub fn stemmer_code(self) -> &'static str {
        match self {
            Language::Chinese | Language::Japanese | Language::Korean => "en",
            _ => self.code(),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Language {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Language, D::Error> {
        let text = String::deserialize(deserializer)?;
        Language::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown language `{text}`: search knows {}",
                Language::codes()
            ))
        })
    }
}

impl serde::Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_codes_and_names_read_and_others_do_not() {
        assert_eq!(Language::parse("de"), Some(Language::German));
        assert_eq!(Language::parse("de-CH"), Some(Language::German));
        assert_eq!(Language::parse("pt_BR"), Some(Language::Portuguese));
        assert_eq!(Language::parse("German"), Some(Language::German));
        assert_eq!(Language::parse("nb"), Some(Language::Norwegian));
        assert_eq!(Language::parse("zh-Hans"), Some(Language::Chinese));
        assert_eq!(Language::parse("klingon"), None);
        assert_eq!(Language::parse("xx"), None);
        assert_eq!(Language::Japanese.stemmer_code(), "en");
        assert_eq!(Language::French.own_name(), "Français");
    }
}
