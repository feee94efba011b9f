//! The browser search runtime (`src/search/runtime/opsbook-search.js`) against tantivy, on the
//! example handbook and on a generated 1,000-page one: the node scripts of `tests/search/` run
//! the runtime over the exported index, as a browser would, and compare it with
//! `opsbook search --json` (the same top 10, scores within 1e-5) and with opsbook's analyzers
//! (tantivy's tokenizer and Snowball stemmers) and tantivy's `Bm25Weight`, computed here and
//! handed to node as JSON. The handbooks of `tests/fixtures/languages` (German, French, Chinese,
//! Japanese, with pages in other languages and mixed scripts) are checked the same way. Skipped with a reason when node (or
//! the corpus generator) is missing, except under CI, where that is a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use opsbook::search::{analyze, Language};
use serde_json::{json, Value};
use tantivy::query::Bm25Weight;

use crate::support::{build_with_env, example_dir};

/// Field boosts of the index (title, section, body, names).
const BOOSTS: [f32; 4] = [3.0, 2.0, 1.0, 4.0];

/// Text tantivy and the runtime must tokenize alike: case mappings that change length or
/// depend on context, ligatures, marks, emoji, numbers of every kind, and tokens around the
/// 40-byte limit (which tantivy applies before lowercasing).
const HOSTILE: &[&str] = &[
    "İstanbul İİ iİ ıI DİYARBAKIR",
    "Straße STRASSE ẞ ß",
    "ΟΔΟΣ οδος ΣΑΣ Σ ΌΣΟΣ σς",
    "ﬁle ﬂow ﬀ ﬃ ﬓ Ǆ ǅ ǆ Ǉ ŉ",
    "😀 disk👍full 🏳️‍🌈 ❤️postgres",
    "e\u{301}cole école café cafe\u{301} naïve nai\u{308}ve Zürich",
    "\u{915}\u{93f}\u{924}\u{93e}\u{92c} हिन्दी",
    "東京都 日本語テキスト 한국어 中文",
    "٣٤٥ ١٢٣ 502 ½ ² Ⅻ ⅻ 𝟗 ⓵ 10.0.0.1 99.9%",
    "Ｋelvin \u{212a}elvin Ꭰ ꭰ Ⱥ ⱥ Ɐ",
    "C3PO R2D2 x86_64 pg_wal disk-full don't e-mail",
    "zero\u{200b}width joiner\u{200d}x non\u{a0}breaking tab\tnew\nline",
    "running runs ran generously skies dying lying consolidated connections expiring certificates",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "éééééééééééééééééééa éééééééééééééééééééé",
    "İİİİİİİİİİİİİİİİİİİ İİİİİİİİİİİİİİİİİİİİ",
    "ȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺ ȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺa",
    "CONNECTIONS Generously RUNNING İNDEXING",
    "",
    "!!! --- ...",
    "数据库备份失败了 数 数据 在Kafka集群中restarting brokers",
    "ディスク容量ｶﾀｶﾅ ひらがなカタカナ漢字 々〆〇 ー",
    "서울데이터센터 ᄀᄁ ㄱㄴ 한글abc한글",
    "𠀀𠀁𠀂 𪜀x𪜁 丽丸",
    "ＡＢＣ１２３ ｄｉｓｋｓ Ｒｕｎｎｉｎｇ ＣＰＵ使用率 ！？＃ ０９ｚＺ",
    "中\u{301}文 e\u{301}数据 가\u{302}나 カ\u{3099}キ",
    "数据😀库 🇨🇳中国 日本🗾語 한국❤️어 東京\u{3000}大阪、京都。",
    "数据库数据库数据库数据库数据库数据库数据库数据库数据库数据库",
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔａｂｃｄｅｆｇｈｉｊｋｌｍｎ",
];

/// A text in each stemmer's language (every one is also given the hostile texts).
const STEMMING: &[(&str, &str)] = &[
    ("ar", "المكتبات والكتاب يكتبون"),
    ("da", "forbindelserne sikkerhedskopierne fejlede"),
    ("de", "Sicherungen Datenbanken übergeben Verbindungen"),
    ("el", "ΔΙΑΚΟΜΙΣΤΕΣ διακομιστών πιστοποιητικά"),
    ("en", "running connections"),
    ("es", "copias de seguridad fallidas servidores reiniciados"),
    ("fi", "varmuuskopiot epäonnistuivat palvelimilla"),
    ("fr", "sauvegardes échouées serveurs redémarrés"),
    ("hu", "mentések szerverek tanúsítványok"),
    ("it", "backup falliti server riavviati certificati scaduti"),
    ("nl", "back-ups mislukten servers herstarten certificaten"),
    ("no", "sikkerhetskopiene feilet tjenerne"),
    ("pt", "cópias de segurança falharam servidores reiniciados"),
    ("ro", "copiile de rezervă serverele certificatele"),
    ("ru", "резервные копии серверов сертификаты"),
    ("sv", "säkerhetskopiorna misslyckades servrarna"),
    ("ta", "சேவையகங்கள் காப்புப்பிரதிகள்"),
    ("tr", "yedeklemeler sunucuların sertifikaları"),
    ("zh", "数据库backups ＣＰＵ使用率 Restarting"),
    ("ja", "ディスク容量 certificates expiring"),
    ("ko", "서울에서 servers"),
];

/// Strings whose UTF-8 byte order differs from JavaScript's UTF-16 order.
const ORDER: &[&str] = &[
    "a",
    "ab",
    "b",
    "z",
    "é",
    "\u{ff21}",
    "\u{e000}",
    "\u{fffd}",
    "𝟗",
    "𠀀",
    "\u{10ffff}",
    "東",
    "",
    "0",
    "9",
    "ä",
    "ß",
];

fn required(reason: String) -> bool {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("the search parity test must run under CI, but {reason}");
    }
    eprintln!("skipping the search parity test: {reason}");
    false
}

fn node_available() -> bool {
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => true,
        _ => required("node is not installed".to_string()),
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn language_named(code: &str) -> Language {
    Language::parse(code).expect("a language search knows")
}

/// The JSON a `search/NAME.js` file registers: `opsbook.search.NAME(N,{…});`.
fn registered(file: &Path) -> Value {
    let text = std::fs::read_to_string(file).unwrap();
    let start = text.find(['{', '[']).expect("a JSON literal");
    let end = text.rfind(')').expect("a call");
    serde_json::from_str(&text[start..end]).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// What tantivy says about one built site: its vocabulary through the analyzer of its handbook's
/// `language`, and BM25 clause scores from tantivy's own `Bm25Weight` with the site's statistics
/// (every doc_freq, each field).
fn site_expectations(site: &Path, language: Language) -> Value {
    let search = site.join("search");
    let meta = registered(&search.join("meta.js"));
    let mut terms = BTreeMap::new();
    for entry in std::fs::read_dir(&search).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with('t') && name.ends_with(".js")) {
            continue;
        }
        let shard = registered(&path);
        for term in shard["terms"].as_object().expect("terms").keys() {
            terms.insert(term.clone(), analyze(language, term));
        }
    }
    assert!(!terms.is_empty(), "{} exported no terms", site.display());

    let doc_count = meta["doc_count"].as_u64().unwrap();
    let mut bm25 = Vec::new();
    for (field, boost) in meta["fields"].as_array().unwrap().iter().zip(BOOSTS) {
        let total_tokens = field["total_tokens"].as_u64().unwrap();
        // As tantivy computes it in Bm25Weight::for_terms.
        let average = total_tokens as f32 / doc_count as f32;
        for doc_freq in 1..=doc_count {
            let weight = Bm25Weight::for_one_term(doc_freq, doc_count, average).boost_by(boost);
            // A spread of fieldnorm ids and term frequencies, all 256 ids for the rarest term.
            let cases: Vec<(u8, u32)> = if doc_freq == 1 {
                (0..=255u8).map(|id| (id, 1 + u32::from(id) % 4)).collect()
            } else {
                vec![(((doc_freq * 37) % 256) as u8, 1 + (doc_freq % 7) as u32)]
            };
            for (id, tf) in cases {
                let score = weight.score(id, tf);
                bm25.push(json!([
                    doc_freq,
                    doc_count,
                    total_tokens,
                    boost,
                    id,
                    tf,
                    score.to_bits()
                ]));
            }
        }
    }
    json!({"dir": site, "terms": terms, "bm25": bm25})
}

fn run_node(script: &str, args: &[&Path], env: &[(&str, &Path)]) {
    let mut command = Command::new("node");
    command
        .arg(repo().join("tests/search").join(script))
        .args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.env_remove("OPSBOOK_RUNTIME");
    crate::support::assert_node_succeeds(command, script);
}

/// Builds `handbook` (in `language`) into `tmp/site`, then runs the node checks on it.
fn check(handbook: &Path, tmp: &Path, language: Language) -> PathBuf {
    let site = build_and_check_tokens(handbook, tmp, language);
    check_prefixes(handbook, tmp, &site, TYPED, false);
    check_queries(
        handbook,
        tmp,
        &site,
        &repo().join("tests/search/queries.txt"),
        false,
    );
    site
}

/// Builds `handbook` into `tmp/site` and runs `tokenizer.mjs` on it.
fn build_and_check_tokens(handbook: &Path, tmp: &Path, language: Language) -> PathBuf {
    build_and_check_tokens_with(handbook, tmp, language, &[])
}

/// [`build_and_check_tokens`], the build run with `env`.
fn build_and_check_tokens_with(
    handbook: &Path,
    tmp: &Path,
    language: Language,
    env: &[(&str, &str)],
) -> PathBuf {
    let site = tmp.join("site");
    build_with_env(handbook, &site, &["-q"], env).assert_success();
    assert!(site.join("search/meta.js").is_file(), "no search/meta.js");
    assert!(site.join("search/opsbook-search.js").is_file());

    let cases: Vec<Value> = HOSTILE
        .iter()
        .map(|text| json!({"text": text, "tokens": analyze(Language::English, text)}))
        .collect();
    let stemming: Vec<Value> = STEMMING
        .iter()
        .flat_map(|&(code, own)| {
            std::iter::once(own)
                .chain(HOSTILE.iter().copied())
                .map(move |text| {
                    json!({"language": code, "text": text, "tokens": analyze(language_named(code), text)})
                })
        })
        .collect();
    let mut order: Vec<&str> = ORDER.to_vec();
    order.sort(); // str's Ord is byte order
    let expected = json!({
        "cases": cases,
        "stemming": stemming,
        "stemmers_dir": repo().join("src/search/runtime/stemmers"),
        "order": order,
        "sites": [site_expectations(&site, language)],
    });
    let expected_file = tmp.join("expected.json");
    std::fs::write(&expected_file, expected.to_string()).unwrap();
    run_node("tokenizer.mjs", &[&expected_file], &[]);
    site
}

/// `parity.mjs`: the queries of `queries` through `opsbook search` and the runtime.
fn check_queries(handbook: &Path, tmp: &Path, site: &Path, queries: &Path, fixture: bool) {
    // `opsbook search` keeps its index in a cache folder: a temporary one, so the handbook's
    // folder (the example is in the repository) stays as it is.
    let cache = tmp.join("search-cache");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_opsbook"));
    let mut command = Command::new("node");
    command
        .arg(repo().join("tests/search/parity.mjs"))
        .args([site, handbook, queries])
        .env("OPSBOOK_BIN", &bin)
        .env("OPSBOOK_CACHE_DIR", &cache)
        .env_remove("OPSBOOK_RUNTIME");
    if fixture {
        command.env("OPSBOOK_PARITY_FIXTURE", "1");
    }
    crate::support::assert_node_succeeds(command, "parity.mjs");
}

/// Text typed into the search box: the last word is expanded (or, for `co`, `re` and the last
/// four of the first group, not: it is shorter than 3 characters, finished, or dropped by the
/// analyzer); a misspelt word is corrected.
const TYPED: &[&str] = &[
    "kuber",
    "filesy",
    "disk fu",
    "postgres rep",
    "cert",
    "dns resol",
    "co",
    "re",
    "rep",
    "dis",
    "migration rep",
    "Kafka kaf",
    "disk full disk",
    "restore po",
    "zür",
    "disk ",
    "disk f",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "k8s kuber",
    "pg postgre",
    "postgers rep",
    "dsik",
    "kubernets nod",
    "status page",
];

/// Text typed into the search box of each fixture handbook: stems of its language, words of its
/// pages in another language, CJK text (whose pairs are never prefixes) ending in Latin letters.
const TYPED_IN: &[(&str, &[&str])] = &[
    (
        "de",
        &[
            "Datenb",
            "Sicher",
            "Festplatten vo",
            "consum",
            "restar",
            "Über",
        ],
    ),
    ("fr", &["sauveg", "redém", "serveurs red", "équil", "astr"]),
    (
        "zh",
        &[
            "数据库",
            "kafka消",
            "consu",
            "值班 告",
            "数据库back",
            "ＫＡＦ",
        ],
    ),
    (
        "ja",
        &[
            "ディス",
            "ＣＰＵ使",
            "certif",
            "証明書の期",
            "데이터센",
            "expi",
            "Sund",
        ],
    ),
];

/// Prefix expansion: what tantivy's term dictionary and queries give for `typed`
/// (`Searcher::search_as_typed`), against the runtime (`tests/search/prefix.mjs`).
fn check_prefixes(handbook: &Path, tmp: &Path, site: &Path, typed: &[&str], fixture: bool) {
    let options = opsbook::build::BuildOptions {
        root: handbook.to_path_buf(),
        cache_dir: Some(tmp.join("typed-cache")),
        ..Default::default()
    };
    let (index, _) =
        opsbook::build::index::fresh_search_index(&options).expect("the handbook indexes");
    let searcher = opsbook::search::Searcher::open(&index).unwrap();
    let filters = opsbook::search::Filters::default();
    let cases: Vec<Value> = typed
        .iter()
        .map(|text| {
            let clauses = searcher.clauses_as_typed(text).unwrap();
            let hits = searcher.search_as_typed(text, &filters, 10).unwrap();
            let pages = searcher.pages(text, &filters, 10, true).unwrap();
            json!({"text": text, "clauses": clauses, "hits": hits, "pages": pages,
                "max_expansions": opsbook::search::MAX_EXPANSIONS})
        })
        .collect();
    let expected = tmp.join("typed.json");
    std::fs::write(&expected, Value::from(cases).to_string()).unwrap();
    let mut command = Command::new("node");
    command
        .arg(repo().join("tests/search/prefix.mjs"))
        .args([site, expected.as_path()])
        .env_remove("OPSBOOK_RUNTIME");
    if fixture {
        command.env("OPSBOOK_PARITY_FIXTURE", "1");
    }
    crate::support::assert_node_succeeds(command, "prefix.mjs");
}

#[test]
fn runtime_ranks_and_tokenizes_like_tantivy_on_the_example() {
    if !node_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let site = check(&example_dir(), tmp.path(), Language::English);
    // Loading, prefixes, filters and snippets, on words the example is known to have.
    run_node("runtime.mjs", &[&site], &[]);
}

#[test]
fn runtime_ranks_and_tokenizes_like_tantivy_on_a_generated_1000_page_handbook() {
    let generator = repo().join("../shared/bench/gen_corpus.py");
    if !generator.is_file() && !required(format!("{} is missing", generator.display())) {
        return;
    }
    if !node_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let handbook = tmp.path().join("handbook");
    let status = Command::new("python3")
        .arg(&generator)
        .args(["--flavor", "opsbook", "--pages", "1000", "--out"])
        .arg(&handbook)
        .arg("--force")
        .status()
        .expect("python3 runs");
    assert!(status.success(), "gen_corpus.py failed");
    // Lists this short are not cut at the build's own threshold: cut them, so that the ranking
    // is checked where the runtime loads tails.
    let site = build_and_check_tokens_with(&handbook, tmp.path(), Language::English, CUT_SHORT);
    let cut = std::fs::read_dir(site.join("search"))
        .unwrap()
        .filter_map(|entry| std::fs::read_to_string(entry.unwrap().path()).ok())
        .any(|text| text.contains("\"split\":{\""));
    assert!(cut, "no term was cut into a head and a tail");
    check_prefixes(&handbook, tmp.path(), &site, TYPED, false);
    check_queries(
        &handbook,
        tmp.path(),
        &site,
        &repo().join("tests/search/queries.txt"),
        false,
    );
}

/// Cuts lists of more than 16 KB into heads and tails (the build's own threshold is 64 KB).
const CUT_SHORT: &[(&str, &str)] = &[("OPSBOOK_SEARCH_SPLIT_BYTES", "16384")];

/// The handbooks of `tests/fixtures/languages`, each in its language: the runtime analyzes their
/// text and queries as the index did (stems, CJK pairs, full-width letters), and ranks as
/// `opsbook search` does, with the queries of `tests/search/languages/CODE.txt`.
#[test]
fn runtime_ranks_and_tokenizes_like_tantivy_in_german_french_chinese_and_japanese() {
    if !node_available() {
        return;
    }
    for code in ["de", "fr", "zh", "ja"] {
        let tmp = tempfile::tempdir().unwrap();
        let handbook = repo().join("tests/fixtures/languages").join(code);
        let site = build_and_check_tokens(&handbook, tmp.path(), language_named(code));
        let typed = TYPED_IN
            .iter()
            .find(|(c, _)| *c == code)
            .expect("typed text")
            .1;
        check_prefixes(&handbook, tmp.path(), &site, typed, true);
        let queries = repo().join(format!("tests/search/languages/{code}.txt"));
        check_queries(&handbook, tmp.path(), &site, &queries, true);
    }
}

/// The runtime builds ship is its commented source minified (`scripts/build-runtime.sh`): a
/// change to the source that was not minified again fails here.
#[test]
fn the_shipped_runtime_is_its_source_minified() {
    let terser = repo().join("tests/browser/node_modules/terser");
    if !terser.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "terser is not installed (npm ci --prefix tests/browser)"
        );
        eprintln!("skipped: terser is not installed (npm ci --prefix tests/browser)");
        return;
    }
    let run = Command::new("bash")
        .arg(repo().join("scripts/build-runtime.sh"))
        .arg("--check")
        .output()
        .expect("run bash");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
