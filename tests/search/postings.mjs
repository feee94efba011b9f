// Every posting list of a built site's search/ folder as the runtime reads it (`postingValues`),
// the head of a cut term and its tail blocks put back together, against tantivy's own postings,
// which tests/it/search.rs writes live:
//
//   node tests/search/postings.mjs SITE_DIR EXPECTED_JSON
//
// EXPECTED_JSON: {"terms": {"term": [[field number, [[doc id, term frequency, fieldnorm id], …]], …]}}
//
// Checks: the same terms, each field's list whole and exact; a head's third number is its whole
// list's length; every document of a tail block is in the block's range and not in the head.

import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { loadRuntime, Failures } from "./harness.mjs";

const [siteDir, expectedFile] = process.argv.slice(2);
if (!siteDir || !expectedFile) {
  console.error("usage: node postings.mjs SITE_DIR EXPECTED_JSON");
  process.exit(2);
}
const expected = JSON.parse(fs.readFileSync(expectedFile, "utf8")).terms;
const failures = new Failures("postings");
const decode = loadRuntime(siteDir).search._internals.postingValues;

// Every t file, registered through a stub registry.
const files = {};
let meta = null;
const context = vm.createContext({
  opsbook: { search: { meta: (m) => { meta = m; }, shard: (n, s) => { files[n] = s; }, docs() {}, filters() {} } },
});
const dir = path.join(siteDir, "search");
for (const file of fs.readdirSync(dir).filter((f) => /^(meta|t\d+)\.js$/.test(f))) {
  vm.runInContext(fs.readFileSync(path.join(dir, file), "utf8"), context, { filename: file });
}

/** [[doc, tf, fieldnorm id], …] of a list's text. */
function postings(text) {
  const values = decode(text);
  const n = values[0];
  const out = [];
  let doc = 0;
  for (let i = 1; i <= n; i++) {
    doc += values[i];
    out.push([doc, values[i + n], values[i + 2 * n]]);
  }
  if (values.length !== 1 + 3 * n) failures.add(`${JSON.stringify(text)}: ${values.length} numbers for ${n} postings`);
  return out;
}

let terms = 0, cut = 0, blocks = 0;
const seen = new Set();
for (let n = 0; n < meta.shards.length; n++) {
  const shard = files[n];
  for (const [term, lists] of Object.entries(shard.terms)) {
    terms++;
    seen.add(term);
    const got = {};
    for (const list of lists) got[list[0]] = postings(list[1]);
    const split = shard.split && shard.split[term];
    if (split) {
      cut++;
      const head = new Set(Object.values(got).flat().map((p) => p[0]));
      split.forEach(([file, first], b) => {
        blocks++;
        const end = b + 1 < split.length ? split[b + 1][1] : Infinity;
        const tail = files[file] && files[file].tails && files[file].tails[term];
        if (!tail) return failures.add(`${term}: no tail block in t${file}.js`);
        for (const [field, text] of tail) {
          for (const p of postings(text)) {
            if (p[0] < first || p[0] >= end || head.has(p[0])) failures.add(`${term}: doc ${p[0]} of block ${b} [${first}, ${end})`);
            (got[field] = got[field] || []).push(p);
          }
        }
      });
      for (const list of lists) {
        const whole = (expected[term] || []).find((e) => e[0] === list[0]);
        if (whole && list[2] !== whole[1].length) failures.add(`${term}: head says ${list[2]} documents in field ${list[0]}, tantivy ${whole[1].length}`);
      }
    }
    for (const [field, list] of expected[term] || []) {
      const mine = (got[field] || []).sort((a, b) => a[0] - b[0]);
      if (JSON.stringify(mine) !== JSON.stringify(list)) failures.add(`${term}: field ${field} differs (${mine.length} postings, tantivy ${list.length})`);
    }
    if (!expected[term]) failures.add(`${term}: not a term of tantivy's`);
  }
}
for (const term of Object.keys(expected)) if (!seen.has(term)) failures.add(`${term}: not exported`);
if (!cut) failures.add("no term was cut into a head and a tail");
failures.finish(`${terms} terms, ${cut} cut into a head and ${blocks} tail blocks, every posting tantivy's`);
