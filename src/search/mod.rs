//! The search index: one tantivy document per heading section of every page (a hit lands on
//! `page/#section`), built at build time into the cache folder, and queried by `opsbook search`.
//!
//! What names a page (its title, and its `names`: alert names, services, aliases, the last part
//! of its URL) is indexed in the page's first section only (its introduction, when it has one):
//! every other section is found by its own heading path and text, so a query matching a page's
//! title lists the page, not each of its sections.
//!
//! Text goes through the analyzer of its page's language (`analyzer.rs`): split on
//! non-alphanumeric characters, CJK characters in overlapping pairs, drop tokens of 40 bytes or
//! more, lowercase, Snowball stemming (English: exactly tantivy's `en_stem`); the index adds the
//! parts of each camel-case word after it, queries keep it whole. There is no ASCII folding: a
//! browser runtime must tokenize exactly as `opsbook search` does, and folding would need
//! tantivy's whole folding table in it; `Zürich` is found by `zürich`. The fields' analyzer is
//! the handbook's language; a page in another language is analyzed by its own and handed to
//! tantivy as tokens.
//!
//! This is the only module that knows tantivy.

mod analyzer;
pub(crate) mod export;
mod searcher;
mod stamp;
mod synonyms;
mod typos;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexWriter, TantivyDocument};

pub use crate::language::Language;
use crate::markdown::TextSection;
use crate::model::{Page, Site};
pub use analyzer::analyze;
pub use searcher::{
    Filters, Hit, PageHit, Results, Searcher, MAX_EXPANSIONS, MAX_LIMIT, POOL_PER_PAGE,
    SECTIONS_PER_PAGE,
};
pub(crate) use stamp::source_stamp;
pub(crate) use synonyms::Synonyms;

/// The analyzer of every searchable text field: the handbook language's (`analyzer::register`).
pub(crate) const ANALYZER: &str = "opsbook";
/// Where an index folder keeps its languages, the handbook's first, for `opsbook search`.
const LANGUAGES_FILE: &str = "languages.json";
/// How much a match in each field counts.
pub(crate) const TITLE_BOOST: f32 = 3.0;
pub(crate) const SECTION_BOOST: f32 = 2.0;
/// Alert names, services, aliases, the URL's last part: an exact name finds its page first.
pub(crate) const NAMES_BOOST: f32 = 4.0;
const INDEX_FOLDER: &str = "search-index";

/// The fields of a section document.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    /// The page title (searchable, boosted; in the page's first section only).
    pub title: Field,
    /// What else names the page (searchable, boosted most; in its first section only).
    pub names: Field,
    /// The page title of every section (stored only).
    pub page_title: Field,
    /// The section's heading path (searchable, boosted).
    pub section: Field,
    /// The section's text (searchable, stored for snippets).
    pub body: Field,
    pub url: Field,
    pub heading: Field,
    /// Every heading of the section's path, outermost first (stored only).
    pub path: Field,
    pub kind: Field,
    pub services: Field,
    pub severity: Field,
    pub tags: Field,
    /// The section's place in index order (a fast field): the export puts the segments of the
    /// index in memory back in that order instead of merging them into one.
    pub order: Field,
}

/// The searched fields with their boosts, in the order the browser export numbers them.
pub(crate) fn searched(fields: &Fields) -> [(Field, f32); 4] {
    [
        (fields.title, TITLE_BOOST),
        (fields.section, SECTION_BOOST),
        (fields.body, 1.0),
        (fields.names, NAMES_BOOST),
    ]
}

/// The index schema.
pub(crate) fn schema() -> (Schema, Fields) {
    schema_with(true)
}

/// The schema, with stored fields (for `opsbook search`'s results and snippets) or without them
/// (the index the browser export walks takes its document table from the site itself).
fn schema_with(store: bool) -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqs);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored && store {
            options.set_stored()
        } else {
            options
        }
    };
    let stored_only = if store {
        TextOptions::from(STORED)
    } else {
        TextOptions::default()
    };
    let fields = Fields {
        title: builder.add_text_field("title", text(false)),
        section: builder.add_text_field("section", text(false)),
        body: builder.add_text_field("body", text(true)),
        names: builder.add_text_field("names", text(false)),
        page_title: builder.add_text_field("page_title", stored_only.clone()),
        url: builder.add_text_field("url", stored_only.clone()),
        heading: builder.add_text_field("heading", stored_only.clone()),
        path: builder.add_text_field("path", stored_only),
        kind: builder.add_text_field("kind", if store { STRING | STORED } else { STRING }),
        services: builder.add_text_field("services", STRING),
        severity: builder.add_text_field("severity", STRING),
        tags: builder.add_text_field("tags", STRING),
        order: builder.add_u64_field("order", FAST),
    };
    (builder.build(), fields)
}

/// Where the index of a handbook lives inside its cache folder.
pub(crate) fn index_dir(cache_dir: &Path) -> PathBuf {
    cache_dir.join(INDEX_FOLDER)
}

/// Indexes every page of `site` into `dir` (replaced whole), stamped with `stamp`.
pub(crate) fn build_index(site: &Site, dir: &Path, stamp: &str) -> tantivy::Result<usize> {
    let (schema, fields) = schema();
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".search-index-")
        .tempdir_in(parent)?;
    let index = Index::create_in_dir(staging.path(), schema)?;
    analyzer::register(&index, site.config.search_language);
    let (words, pages) = fill(&index, &fields, site, Segments::Merged)?;
    let documents = pages.iter().map(|(_, sections)| *sections as usize).sum();
    std::fs::write(staging.path().join(stamp::STAMP_FILE), stamp)?;
    let languages = serde_json::to_string(&site_languages(site)).map_err(std::io::Error::other)?;
    std::fs::write(staging.path().join(LANGUAGES_FILE), languages)?;
    site_synonyms(site).save(staging.path())?;
    typos::save_words(&words, staging.path())?;
    let staged = staging.keep();
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::rename(&staged, dir)?;
    Ok(documents)
}

/// The index of `site` in memory, in the segments it was written in: what the browser export
/// walks; and the vocabulary of typo correction.
pub(crate) fn build_memory_index(
    site: &Site,
) -> tantivy::Result<(Index, Fields, typos::Words, SiteRows<'_>)> {
    let (schema, fields) = schema_with(false);
    let index = Index::create_in_ram(schema);
    analyzer::register(&index, site.config.search_language);
    let (words, pages) = fill(&index, &fields, site, Segments::AsWritten)?;
    Ok((index, fields, words, SiteRows::new(pages)))
}

/// The rows of the indexed pages, made from a page's sections when the export asks for them.
pub(crate) struct SiteRows<'s> {
    pages: Vec<&'s Page>,
    sizes: Vec<u32>,
}

impl<'s> SiteRows<'s> {
    fn new(pages: IndexedPages<'s>) -> SiteRows<'s> {
        let (pages, sizes) = pages.into_iter().unzip();
        SiteRows { pages, sizes }
    }
}

impl export::Rows for SiteRows<'_> {
    fn page_sizes(&self) -> &[u32] {
        &self.sizes
    }

    fn page(&self, n: usize) -> Vec<export::DocRow> {
        let page = self.pages[n];
        (page.rendered.sections().iter())
            .map(|section| {
                export::doc_row(
                    &page.url,
                    section.id.as_deref(),
                    &page.title,
                    &section.path,
                    page.kind.as_str(),
                    &section.text,
                )
            })
            .collect()
    }
}

/// Each page indexed, with how many sections it has, in index order.
type IndexedPages<'s> = Vec<(&'s Page, u32)>;

/// What [`fill`] leaves the index as.
#[derive(Clone, Copy, PartialEq)]
enum Segments {
    /// One segment, so that document ids follow page order: `opsbook search`'s index on disk.
    Merged,
    /// The segments as the one indexing thread wrote them, each a run of sections in order (see
    /// [`Fields::order`]): the browser export reads them in that order. Merging them would hold
    /// the old segments and the new one side by side (1.1 GB more at 100,000 pages).
    AsWritten,
}

/// Adds one document per section of every page, in page order (one build equals the next), and
/// leaves the segments as `segments` says. Returns the vocabulary of typo correction, gathered
/// on the way, and each page indexed with how many sections it has, in index order.
fn fill<'s>(
    index: &Index,
    fields: &Fields,
    site: &'s Site,
    segments: Segments,
) -> tantivy::Result<(typos::Words, IndexedPages<'s>)> {
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 96_000_000)?;
    if segments == Segments::AsWritten {
        // A merge by size would join segments that are not neighbours in index order.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }
    let mut others = BTreeMap::new();
    let mut vocabulary = Vocabulary::new(site.config.search_language);
    let mut pages: IndexedPages<'_> = Vec::new();
    for (place, (page, section, first)) in sections(site).enumerate() {
        match pages.last_mut() {
            Some((last, sections)) if !first && std::ptr::eq(*last, page) => *sections += 1,
            _ => pages.push((page, 1)),
        }
        vocabulary.add_section(page, &section, first);
        let own = page_language(site, page);
        let analyzer = (own != site.config.search_language).then(|| {
            others
                .entry(own)
                .or_insert_with(|| analyzer::index_analyzer(own))
        });
        let mut document = section_document(fields, page, &section, first, analyzer);
        document.add_u64(fields.order, place as u64);
        writer.add_document(document)?;
    }
    writer.commit()?;
    let written = index.searchable_segment_ids()?;
    if segments == Segments::Merged && written.len() > 1 {
        writer.merge(&written).wait()?;
    }
    writer.wait_merging_threads()?;
    Ok((vocabulary.words, pages))
}

/// Every section of every page, in index order (the document ids of the index), and whether it
/// is its page's first.
fn sections(site: &Site) -> impl Iterator<Item = (&Page, TextSection, bool)> {
    indexed_pages(site).flat_map(|page| {
        (page.rendered.sections().into_iter().enumerate())
            .map(move |(n, section)| (page, section, n == 0))
    })
}

/// The pages the index holds (those with a document), in index order.
fn indexed_pages(site: &Site) -> impl Iterator<Item = &Page> {
    site.pages.iter().filter(|page| page.document.is_some())
}

fn section_url(page: &Page, section: &TextSection) -> String {
    match &section.id {
        Some(anchor) => format!("{}#{anchor}", page.url),
        None => page.url.clone(),
    }
}

/// The language a page's text is analyzed in: its own, else its handbook's.
fn page_language(site: &Site, page: &Page) -> Language {
    page.meta.language.unwrap_or(site.config.search_language)
}

/// The languages of the indexed pages: the handbook's first, then the others by code.
pub(crate) fn site_languages(site: &Site) -> Vec<Language> {
    let handbook = site.config.search_language;
    let others: BTreeSet<Language> = (site.pages.iter())
        .filter(|page| page.document.is_some() && !page.rendered.packed_sections.is_empty())
        .map(|page| page_language(site, page))
        .filter(|&language| language != handbook)
        .collect();
    std::iter::once(handbook).chain(others).collect()
}

/// What names a page besides its title: its alerts (the analyzer indexes a camel-case name whole,
/// so the exact name finds its runbook, and in words, so "disk full" finds it too), its services
/// and aliases, and the last part of its URL (`disk-almost-full`).
fn page_names(page: &Page) -> String {
    let slug = page.url.trim_end_matches('/').rsplit('/').next();
    (page.meta.alerts.iter().map(String::as_str))
        .chain(page.meta.services.iter().map(String::as_str))
        .chain(page.meta.aliases.iter().map(String::as_str))
        .chain(slug.filter(|s| !s.is_empty()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A section's document; `first` says whether it is its page's first section, which carries the
/// page's title and names; `analyzer` is its page's language's when that is not the handbook's.
fn section_document(
    fields: &Fields,
    page: &Page,
    section: &TextSection,
    first: bool,
    analyzer: Option<&mut TextAnalyzer>,
) -> TantivyDocument {
    let url = section_url(page, section);
    let mut document = TantivyDocument::new();
    let mut searched = vec![
        (fields.section, section.path.join(" ")),
        (fields.body, section.text.clone()),
    ];
    if first {
        searched.push((fields.title, page.title.clone()));
        searched.push((fields.names, page_names(page)));
    }
    match analyzer {
        None => searched
            .into_iter()
            .for_each(|(field, text)| document.add_text(field, text)),
        Some(analyzer) => searched.into_iter().for_each(|(field, text)| {
            document.add_pre_tokenized_text(field, analyzer::pre_tokenized(analyzer, &text))
        }),
    }
    document.add_text(fields.page_title, &page.title);
    document.add_text(fields.url, url);
    let heading = section.path.last().map_or("", String::as_str);
    document.add_text(fields.heading, heading);
    document.add_text(fields.kind, page.kind.as_str());
    for heading in &section.path {
        document.add_text(fields.path, heading);
    }
    for service in &page.meta.services {
        document.add_text(fields.services, service);
    }
    for tag in &page.meta.tags {
        document.add_text(fields.tags, tag);
    }
    if let Some(severity) = page.meta.severity {
        document.add_text(fields.severity, severity_name(severity));
    }
    document
}

fn severity_name(severity: crate::vocabulary::Severity) -> &'static str {
    use crate::vocabulary::Severity::*;
    match severity {
        Sev1 => "sev1",
        Sev2 => "sev2",
        Sev3 => "sev3",
        Sev4 => "sev4",
    }
}

/// The browser runtime as shipped in `search/opsbook-search.js`: its source
/// (`runtime/opsbook-search.js`) minified by `scripts/build-runtime.sh`, as a cold first query
/// loads it.
pub(crate) const RUNTIME: &str = include_str!("runtime/opsbook-search.min.js");

/// The Snowball stemmer of a language as a wasm module in a script (`stem-de.js`), built by
/// `scripts/build-stemmer-wasm.sh`; English's is in the runtime.
fn stemmer_module(code: &str) -> Option<&'static str> {
    macro_rules! modules {
        ($($code:literal),*) => {
            match code {
                $($code => Some(include_str!(concat!("runtime/stemmers/stem-", $code, ".js"))),)*
                _ => None,
            }
        };
    }
    modules!(
        "ar", "da", "de", "el", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ro", "ru", "sv",
        "ta", "tr"
    )
}

/// Whether an output path is one of the browser search files (the results page is not).
pub(crate) fn is_browser_file(path: &str) -> bool {
    path.starts_with("search/") && path.ends_with(".js")
}

/// Every file of the browser search (`search/…`): the exported index and the runtime.
pub(crate) fn browser_files(site: &Site) -> tantivy::Result<Vec<export::File>> {
    let mut files = Vec::new();
    write_browser_files(site, &mut |file| files.push(file))?;
    Ok(files)
}

/// [`browser_files`], each handed to `emit` as soon as it is made; returns how many.
pub(crate) fn write_browser_files(
    site: &Site,
    emit: &mut dyn FnMut(export::File),
) -> tantivy::Result<usize> {
    let (index, fields, words, rows) = build_memory_index(site)?;
    let synonyms = site_synonyms(site);
    let languages = site_languages(site);
    let made = export::export_into(index, &fields, &rows, &synonyms, &words, &languages, emit)?;
    emit(("opsbook-search.js".into(), RUNTIME.to_string()));
    let stemmers = stemmer_files(&languages);
    let count = stemmers.len();
    stemmers.into_iter().for_each(emit);
    Ok(made + 1 + count)
}

/// The stemmer modules the runtime loads for `languages` (`stem-de.js`, …): all but English's,
/// which the runtime has in it.
fn stemmer_files(languages: &[Language]) -> Vec<export::File> {
    let codes: BTreeSet<&str> = languages.iter().map(|l| l.stemmer_code()).collect();
    codes
        .into_iter()
        .filter_map(|code| {
            let module = stemmer_module(code)?;
            Some((format!("stem-{code}.js"), module.to_string()))
        })
        .collect()
}

/// The handbook's synonym groups as `index` analyzes them.
fn site_synonyms(site: &Site) -> Synonyms {
    let mut analyzer = analyzer::analyzer(site.config.search_language);
    Synonyms::new(&site.config.synonyms, &mut analyzer)
}

/// Every word of letters the index was made of, lowercased, with its term: the vocabulary of
/// typo correction (`typos.rs`), gathered as the sections are indexed. A word the analyzer does
/// not make one term of is left out.
struct Vocabulary {
    analyzer: TextAnalyzer,
    seen: foldhash::HashSet<String>,
    words: typos::Words,
}

impl Vocabulary {
    /// The vocabulary of a handbook in `language`, whose words are turned into terms as a query
    /// turns them.
    fn new(language: Language) -> Vocabulary {
        Vocabulary {
            analyzer: analyzer::analyzer(language),
            seen: foldhash::HashSet::default(),
            words: typos::Words::new(),
        }
    }

    /// The words a section is found by: its page's title and names for its first section, its
    /// headings and its text.
    fn add_section(&mut self, page: &Page, section: &TextSection, first: bool) {
        if first {
            self.add(&page.title);
            self.add(&page_names(page));
        }
        section.path.iter().for_each(|heading| self.add(heading));
        self.add(&section.text);
    }

    fn add(&mut self, text: &str) {
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() || self.seen.contains(word) {
                continue;
            }
            // Only words of letters are in the vocabulary, and the parts of compounds. Numbers,
            // ids and host names are not remembered as seen: they were most of the distinct words
            // of a large handbook, and the set of them outgrew the processor's caches.
            if !typos::in_vocabulary(word) && !analyzer::has_capital_inside(word) {
                continue;
            }
            self.seen.insert(word.to_string());
            // A compound's parts are indexed words too (`analyzer::index_analyzer`).
            for part in analyzer::compound_parts(word).into_iter().flatten() {
                self.add_word(&part);
            }
            self.add_word(word);
        }
    }

    fn add_word(&mut self, word: &str) {
        let lowered: String = word.chars().flat_map(char::to_lowercase).collect();
        if !typos::in_vocabulary(&lowered) || self.words.contains_key(&lowered) {
            return;
        }
        let mut terms = Vec::new();
        self.analyzer
            .token_stream(word)
            .process(&mut |token| terms.push(token.text.clone()));
        if let [term] = terms.as_slice() {
            self.words.insert(lowered, term.clone());
        }
    }
}

/// A hash of everything the browser search files are made from: every section document and the
/// runtime. Equal fingerprints give equal files.
pub(crate) fn input_fingerprint(site: &Site) -> [u8; 32] {
    let mut hasher =
        crate::reuse::Hasher::new(concat!("search 3 ", env!("CARGO_PKG_VERSION")).as_bytes());
    hasher.add("runtime", &RUNTIME);
    hasher.add("format", &export::format_id());
    hasher.add("synonyms", &site.config.synonyms);
    let languages = site_languages(site);
    hasher.add("languages", &languages);
    hasher.add("stemmers", &stemmer_files(&languages));
    // Page by page on every core (each page's sections are unpacked to be hashed), then the
    // pages' hashes in index order.
    let indexed: Vec<&Page> = indexed_pages(site).collect();
    let pages: Vec<[u8; 32]> = indexed
        .par_iter()
        .map(|page| page_fingerprint(site, page))
        .collect();
    hasher.add("pages", &pages);
    hasher.finish()
}

/// A hash of what the search files take from `page`, as [`sections`] gives it.
fn page_fingerprint(site: &Site, page: &Page) -> [u8; 32] {
    let mut hasher = crate::reuse::Hasher::new(b"page");
    let severity = page.meta.severity.map(severity_name);
    hasher.add("filters", &(&page.meta.services, &page.meta.tags, severity));
    hasher.add("language", &page_language(site, page));
    hasher.add("names", &page_names(page));
    for section in page.rendered.sections() {
        hasher.add(
            "section",
            &(
                &page.title,
                &section.path,
                &section.text,
                section_url(page, &section),
                page.kind.as_str(),
            ),
        );
    }
    hasher.finish()
}
