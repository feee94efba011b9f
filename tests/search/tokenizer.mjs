// The runtime's analysis and arithmetic, piece by piece, against what tantivy computed for the
// same inputs. tests/it/search_parity.rs writes EXPECTED_JSON live with tantivy itself (never a
// hard-coded copy):
//
//   node tests/search/tokenizer.mjs EXPECTED_JSON
//
// {
//   "cases":    [{"text": "…", "tokens": ["…"]}],   hostile inputs through the English analyzer
//   "stemming": [{"language": "de", "text": "…", "tokens": ["…"]}],  each language's analyzer,
//                                                   its stemmer from STEMMERS_DIR/stem-CODE.js
//   "order":    ["…"],                              strings sorted by UTF-8 bytes (Rust's order)
//   "sites": [{
//     "dir": "SITE_DIR",                            a built site (its search/ folder is read)
//     "terms": {"term": ["tokens"]},                 every exported term through the handbook's
//                                                   analyzer (the runtime's default once loaded)
//     "bm25": [[doc_freq, doc_count, total_tokens, boost, fieldnorm_id, tf, score_f32_bits]]
//   }]
// }
//
// Checks: the runtime tokenizes every case as tantivy does; its term order is byte order; every
// exported term analyzes in the runtime to what it analyzes to in tantivy (so a term that is its
// own stem in tantivy is its own stem here), and each is found in the shard the runtime would
// look in; its BM25 pieces give the very f32 bits of tantivy's Bm25Weight.

import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { loadRuntime, Failures } from "./harness.mjs";

const expectedFile = process.argv[2];
if (!expectedFile) {
  console.error("usage: node tokenizer.mjs EXPECTED_JSON");
  process.exit(2);
}
const expected = JSON.parse(fs.readFileSync(expectedFile, "utf8"));
const failures = new Failures("tokenizer");
const show = (value) => JSON.stringify(value);
const counts = { cases: 0, terms: 0, fixedPoints: 0, bm25: 0 };

/** Every data file of SITE/search/, registered through a stub registry: {meta, shards: [terms]}. */
function readIndex(siteDir) {
  const index = { meta: null, shards: [] };
  const context = vm.createContext({
    opsbook: {
      search: {
        meta: (m) => { index.meta = m; },
        shard: (n, s) => { index.shards[n] = s.terms; },
        docs: () => {},
        filters: () => {},
      },
    },
  });
  const dir = path.join(siteDir, "search");
  for (const file of fs.readdirSync(dir).filter((f) => /^(meta|t\d+)\.js$/.test(f))) {
    vm.runInContext(fs.readFileSync(path.join(dir, file), "utf8"), context, { filename: file });
  }
  return index;
}

const bits = new Uint32Array(1);
const floats = new Float32Array(bits.buffer);
function f32Bits(x) {
  floats[0] = x;
  return bits[0];
}

const first = expected.sites[0];
const { search, window } = loadRuntime(first.dir);
const inner = search._internals;

// Hostile inputs, in English (before the handbook's index, and its language, is loaded).
for (const { text, tokens } of expected.cases) {
  counts.cases++;
  const actual = search.analyze(text, "en");
  if (show(actual) !== show(tokens)) failures.add(`${show(text)}: tantivy ${show(tokens)}, js ${show(actual)}`);
}

// Every language's stemmer, from its module as a build copies it.
const stemmersDir = expected.stemmers_dir;
for (const { language, text, tokens } of expected.stemming || []) {
  counts.cases++;
  const module = path.join(stemmersDir, `stem-${language}.js`);
  if (language !== "en" && fs.existsSync(module)) vm.runInContext(fs.readFileSync(module, "utf8"), window);
  let actual;
  try {
    actual = search.analyze(text, language);
  } catch (e) {
    actual = String(e);
  }
  if (show(actual) !== show(tokens)) failures.add(`${language} ${show(text)}: tantivy ${show(tokens)}, js ${show(actual)}`);
}

// The handbook's languages, and their stemmers, for its terms below.
await search.languages();

// Byte order of terms.
const sorted = expected.order.slice().sort(inner.compareTerms);
if (show(sorted) !== show(expected.order)) {
  failures.add(`term order: Rust ${show(expected.order)}, js ${show(sorted)}`);
}

for (const site of expected.sites) {
  const index = readIndex(site.dir);
  const m = index.meta;
  // The vocabulary: exactly the terms Rust read, each analyzed like tantivy, each in its shard.
  const seen = new Set();
  index.shards.forEach((terms, n) => {
    for (const term of Object.keys(terms)) {
      seen.add(term);
      if (inner.shardOf(m, term) !== n) failures.add(`${site.dir}: ${show(term)} is in t${n}.js, the runtime looks in t${inner.shardOf(m, term)}.js`);
    }
  });
  for (const [term, tokens] of Object.entries(site.terms)) {
    counts.terms++;
    if (!seen.has(term)) failures.add(`${site.dir}: ${show(term)} is not in any shard`);
    const actual = search.analyze(term);
    if (show(actual) !== show(tokens)) failures.add(`${site.dir}: term ${show(term)}: tantivy ${show(tokens)}, js ${show(actual)}`);
    else if (tokens.length === 1 && tokens[0] === term) counts.fixedPoints++;
  }
  if (seen.size !== Object.keys(site.terms).length) {
    failures.add(`${site.dir}: the shards hold ${seen.size} terms, Rust read ${Object.keys(site.terms).length}`);
  }
  // BM25, one clause at a time.
  const caches = new Map();
  for (const [docFreq, docCount, totalTokens, boost, fieldnormId, tf, scoreBits] of site.bm25) {
    counts.bm25++;
    const key = `${totalTokens}/${docCount}`;
    if (!caches.has(key)) caches.set(key, inner.tfCacheOf(totalTokens, docCount));
    const weight = inner.termWeight(docFreq, docCount, boost);
    const score = inner.termScore(weight, caches.get(key), fieldnormId, tf);
    if (f32Bits(score) !== scoreBits) {
      floats[0] = 0;
      bits[0] = scoreBits;
      failures.add(`${site.dir}: bm25 n=${docFreq} N=${docCount} tokens=${totalTokens} boost=${boost} id=${fieldnormId} tf=${tf}: tantivy ${floats[0]}, js ${score}`);
    }
  }
}

failures.finish(
  `${counts.cases} hostile inputs, ${counts.terms} exported terms (${counts.fixedPoints} their own stem), ` +
    `${expected.order.length} strings ordered, ${counts.bm25} BM25 clause scores bit-identical`,
);
