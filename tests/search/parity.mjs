// Parity of the browser search runtime with tantivy: every query of QUERIES_FILE is run by the
// runtime (`pages()`, what the search box calls, in node, over the exported index of SITE_DIR,
// prefix expansion off) and by `opsbook search HANDBOOK_DIR QUERY --json` (tantivy, env
// OPSBOOK_BIN); the top 10 pages must be the same pages in the same order, each with the same
// sections, with scores within 1e-5, and the same "showing results for" correction. Both rank
// the sections with the most words first (src/search/searcher.rs): the queries must show that
// ranking at work at least once, a lower score ahead of a higher one, and correct a misspelt
// word at least three times.
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
let exactScores = 0, comparedScores = 0, maxDifference = 0, withResults = 0, reordered = 0, corrected = 0;

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
    actual = await search.pages(query.text, { limit: LIMIT, prefix: false, ...query.filters });
  } catch (e) {
    failures.add(`${label}: the runtime failed: ${e.stack || e}`);
    continue;
  }
  if (expected.showing !== actual.showing) {
    failures.add(`${label}: showing results for: tantivy ${JSON.stringify(expected.showing)}, js ${JSON.stringify(actual.showing)}`);
  }
  if (expected.showing) corrected++;
  if (expected.pages.length) withResults++;
  const wanted = query.filters.expect;
  if (wanted && !expected.pages.some((p) => p.url.includes(wanted) || p.sections.some((h) => h.url.includes(wanted)))) {
    failures.add(`${label}: no result of opsbook search is at ${wanted}: ${expected.pages.map((p) => p.url).join(", ")}`);
  }
  const urls = (pages) => pages.map((p) => `${p.url} [${p.sections.map((h) => h.url).join(" ")}]`);
  if (JSON.stringify(urls(expected.pages)) !== JSON.stringify(urls(actual.pages))) {
    const rows = [];
    for (let i = 0; i < Math.max(expected.pages.length, actual.pages.length); i++) {
      const e = expected.pages[i], a = actual.pages[i];
      rows.push(`    ${i + 1}. tantivy ${e ? `${urls([e])} ${e.score}` : "-"}\n       js      ${a ? `${urls([a])} ${a.score}` : "-"}`);
    }
    failures.add(`${label}: different results\n${rows.join("\n")}`);
    continue;
  }
  const pages = expected.pages;
  if (pages.some((e, i) => i > 0 && Math.fround(e.score) > Math.fround(pages[i - 1].score))) reordered++;
  pages.forEach((page, p) => {
    for (const key of ["title", "kind"]) {
      if (page[key] !== actual.pages[p][key]) failures.add(`${label}: page #${p + 1} ${key}: tantivy ${page[key]}, js ${actual.pages[p][key]}`);
    }
    if (page.sections.length > 3) failures.add(`${label}: page #${p + 1} lists ${page.sections.length} sections`);
    page.sections.forEach((e, i) => {
      const a = actual.pages[p].sections[i];
      // The CLI prints the f32 score in its shortest form; Math.fround gives back its exact bits.
      const difference = Math.abs(Math.fround(e.score) - a.score);
      comparedScores++;
      if (difference === 0) exactScores++;
      maxDifference = Math.max(maxDifference, difference);
      if (!(difference < TOLERANCE)) failures.add(`${label}: ${e.url}: tantivy ${e.score}, js ${a.score}`);
      for (const key of ["title", "section", "kind", "path"]) {
        if (JSON.stringify(e[key]) !== JSON.stringify(a[key])) failures.add(`${label}: ${e.url} ${key}: tantivy ${JSON.stringify(e[key])}, js ${JSON.stringify(a[key])}`);
      }
      if (typeof a.snippet !== "string" || typeof a.doc !== "number") failures.add(`${label}: ${e.url} lacks snippet or doc`);
    });
    if (Math.fround(page.score) !== Math.fround(page.sections[0].score)) failures.add(`${label}: page #${p + 1} is not scored by its best section`);
  });
}

const fixture = process.env.OPSBOOK_PARITY_FIXTURE === "1";
const least = fixture ? 15 : 50;
if (queries.length < least) failures.add(`only ${queries.length} queries in ${queriesFile}; the parity test wants at least ${least}`);
if (!reordered && !fixture) failures.add("no query ranks a page with more words above a better-scored one");
if (corrected < 3 && !fixture) failures.add(`only ${corrected} queries corrected a misspelt word; the parity test wants at least 3`);
const bad = loaded.filter((f) => !/^(meta|filters|[tdv]\d+|stem-[a-z]{2})\.js$/.test(f));
if (bad.length) failures.add(`the runtime asked for unexpected files: ${bad.join(", ")}`);
failures.finish(
  `${queries.length} queries (${withResults} with results), ${comparedScores} scores compared, ` +
    `${exactScores} bit-identical, largest difference ${maxDifference}, ${reordered} queries ` +
    `with more-word pages above better scores, ${corrected} corrected; loaded ${loaded.length} index files`,
);
