// Parity of the browser search runtime with tantivy: every query of QUERIES_FILE is run by the
// runtime (in node, over the exported index of SITE_DIR, prefix expansion off) and by
// `opsbook search HANDBOOK_DIR QUERY --json` (tantivy, env OPSBOOK_BIN); the top 10 must be the
// same sections in the same order, with scores within 1e-5. Both rank the sections that contain
// every word first (Searcher::queries in src/search/mod.rs): the queries must show that ranking at
// work at least once, a lower score ahead of a higher one.
//
//   OPSBOOK_BIN=target/debug/opsbook node tests/search/parity.mjs SITE_DIR HANDBOOK_DIR QUERIES_FILE
//
// Optional env: OPSBOOK_CACHE_DIR (the --cache-dir of `opsbook search`, so the example handbook's
// folder stays clean), OPSBOOK_RUNTIME (a runtime file to test instead of the site's copy).
//
// QUERIES_FILE: one query a line; `#` starts a comment line; filters are written after the query
// as ` --kind=postmortem`, ` --service=billing`, ` --severity=sev1`, and ` --expect=TEXT`
// requires a result whose url contains TEXT. Leading and trailing spaces of a query are kept
// only when quoted: `"disk "`.
//
// Env OPSBOOK_PARITY_FIXTURE=1: a small handbook written for the test (tests/fixtures/languages):
// 15 queries are enough, and the every-word ranking need not show.

import fs from "node:fs";
import { execFileSync } from "node:child_process";
import { loadRuntime, Failures } from "./harness.mjs";

const [siteDir, handbookDir, queriesFile] = process.argv.slice(2);
if (!siteDir || !handbookDir || !queriesFile || !process.env.OPSBOOK_BIN) {
  console.error("usage: OPSBOOK_BIN=… node parity.mjs SITE_DIR HANDBOOK_DIR QUERIES_FILE");
  process.exit(2);
}
const LIMIT = 10;
const TOLERANCE = 1e-5;

/** Parses the query file into [{line, text, filters: {kind?, service?, severity?}}]. */
function parseQueries(source) {
  const queries = [];
  source.split("\n").forEach((raw, index) => {
    if (!raw.trim() || raw.trimStart().startsWith("#")) return;
    let rest = raw;
    const filters = {};
    for (;;) {
      const m = rest.match(/\s+--(kind|service|severity|expect)=(\S+)\s*$/);
      if (!m) break;
      filters[m[1]] = m[2];
      rest = rest.slice(0, m.index);
    }
    let text = rest.trim();
    if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
    queries.push({ line: index + 1, text, filters });
  });
  return queries;
}

function tantivy(query) {
  const args = ["search", "--json", "--limit", String(LIMIT)];
  for (const [name, value] of Object.entries(query.filters)) {
    if (name !== "expect") args.push(`--${name}`, value);
  }
  if (process.env.OPSBOOK_CACHE_DIR) args.push("--cache-dir", process.env.OPSBOOK_CACHE_DIR);
  // After `--`, a query such as `--force` is a query, not an option.
  args.push("--", handbookDir, query.text);
  const out = execFileSync(process.env.OPSBOOK_BIN, args, {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(out);
}

const queries = parseQueries(fs.readFileSync(queriesFile, "utf8"));
const { search, loaded } = loadRuntime(siteDir);
const failures = new Failures(`parity ${siteDir}`);
let exactScores = 0, comparedScores = 0, maxDifference = 0, withResults = 0, reordered = 0;

for (const query of queries) {
  const label = `line ${query.line} ${JSON.stringify(query.text)}${Object.entries(query.filters)
    .map(([k, v]) => ` --${k}=${v}`).join("")}`;
  let expected, actual;
  try {
    expected = tantivy(query);
  } catch (e) {
    failures.add(`${label}: opsbook search failed: ${e.stderr || e.message}`);
    continue;
  }
  try {
    actual = await search.query(query.text, { limit: LIMIT, prefix: false, ...query.filters });
  } catch (e) {
    failures.add(`${label}: the runtime failed: ${e.stack || e}`);
    continue;
  }
  if (expected.length) withResults++;
  const wanted = query.filters.expect;
  if (wanted && !expected.some((e) => e.url.includes(wanted))) {
    failures.add(`${label}: no result of opsbook search is at ${wanted}: ${expected.map((e) => e.url).join(", ")}`);
  }
  const urls = (list) => list.map((h) => h.url);
  if (JSON.stringify(urls(expected)) !== JSON.stringify(urls(actual))) {
    const rows = [];
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const e = expected[i], a = actual[i];
      rows.push(`    ${i + 1}. tantivy ${e ? `${e.url} ${e.score}` : "-"} | js ${a ? `${a.url} ${a.score}` : "-"}`);
    }
    failures.add(`${label}: different results\n${rows.join("\n")}`);
    continue;
  }
  if (expected.some((e, i) => i > 0 && Math.fround(e.score) > Math.fround(expected[i - 1].score))) reordered++;
  expected.forEach((e, i) => {
    const a = actual[i];
    // The CLI prints the f32 score in its shortest form; Math.fround gives back its exact bits.
    const difference = Math.abs(Math.fround(e.score) - a.score);
    comparedScores++;
    if (difference === 0) exactScores++;
    maxDifference = Math.max(maxDifference, difference);
    if (!(difference < TOLERANCE)) failures.add(`${label}: #${i + 1} ${e.url}: tantivy ${e.score}, js ${a.score}`);
    for (const key of ["title", "section", "kind", "path"]) {
      if (JSON.stringify(e[key]) !== JSON.stringify(a[key])) failures.add(`${label}: #${i + 1} ${key}: tantivy ${JSON.stringify(e[key])}, js ${JSON.stringify(a[key])}`);
    }
    if (typeof a.snippet !== "string" || typeof a.doc !== "number") failures.add(`${label}: #${i + 1} lacks snippet or doc`);
  });
}

const fixture = process.env.OPSBOOK_PARITY_FIXTURE === "1";
const least = fixture ? 15 : 50;
if (queries.length < least) failures.add(`only ${queries.length} queries in ${queriesFile}; the parity test wants at least ${least}`);
if (!reordered && !fixture) failures.add("no query ranks a section with every word above a better-scored one");
const bad = loaded.filter((f) => !/^(meta|filters|t\d+|d\d+|stem-[a-z]{2})\.js$/.test(f));
if (bad.length) failures.add(`the runtime asked for unexpected files: ${bad.join(", ")}`);
failures.finish(
  `${queries.length} queries (${withResults} with results), ${comparedScores} scores compared, ` +
    `${exactScores} bit-identical, largest difference ${maxDifference}, ${reordered} queries ` +
    `with every-word sections above better scores; loaded ${loaded.length} index files`,
);
