// Search benchmark on a built site: index size on disk (raw and gzipped), bytes a cold query of
// 1, 2 and 3 words loads (runtime included; what the search box asks: `pages()`, 10 pages), the
// same with a misspelt word, and query time once its files are loaded (node);
// then the same bytes over a fixed mix of 60 queries of 1 to 3 words drawn from 50 operations
// words, most of them unrelated, with how many loaded a block of a tail.
//
//   node scripts/bench-search.mjs SITE_DIR
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { loadRuntime } from "../tests/search/harness.mjs";

const site = process.argv[2];
const dir = path.join(site, "search");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".js"));
const size = (f) => fs.statSync(path.join(dir, f)).size;
const gzipped = (f) => zlib.gzipSync(fs.readFileSync(path.join(dir, f))).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const raw = files.reduce((a, f) => a + size(f), 0);
const gz = files.reduce((a, f) => a + gzipped(f), 0);
console.log(`index: ${files.length} files, ${kb(raw)} raw, ${kb(gz)} gzipped`);

const queries = [["postgres"], ["disk", "full"], ["disk", "full", "postgres"], ["certificate"], ["kafka", "lag"], ["dns", "resolver", "timeout"],
  // Misspelt: corrected from the vocabulary files (the `v` files loaded).
  ["postgers"], ["kafak", "lag"], ["dsn", "resolver"], ["certficate", "expiry"], ["postgres", "dsik"]];
for (const words of queries) {
  const text = words.join(" ");
  const { search, loaded } = loadRuntime(site);
  const found = await search.pages(text, { limit: 10, prefix: false });
  const all = ["opsbook-search.js", ...loaded];
  const vocabulary = loaded.filter((f) => /^v\d+\.js$/.test(f));
  const bytes = all.reduce((a, f) => a + size(f), 0);
  const bytesGz = all.reduce((a, f) => a + gzipped(f), 0);
  const times = [];
  for (let i = 0; i < 20; i++) {
    const start = process.hrtime.bigint();
    await search.pages(text, { limit: 10, prefix: false });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const typo = found.showing ? `, showing results for "${found.showing}" (vocabulary: ${vocabulary.length} files, ` +
    `${kb(vocabulary.reduce((a, f) => a + gzipped(f), 0))} gzipped)` : "";
  console.log(`"${text}" (${words.length} word${words.length > 1 ? "s" : ""}): loads ${loaded.length + 1} files, ${kb(bytes)} (${kb(bytesGz)} gzipped)${typo}; warm query median ${times[10].toFixed(2)} ms`);
}

// The mix: words drawn by a fixed generator, so every run and every index gets the same queries.
const WORDS = ("disk full kafka lag postgres dns resolver timeout certificate expiry memory leak restart " +
  "pod rollback deploy queue backlog crash loop api gateway errors latency replica failover billing etcd " +
  "cache redis tls load balancer alert page oncall incident outage network partition cpu throttling " +
  "database connection pool exhausted slow query migration backup").split(" ");
let seed = 7;
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const mix = { 1: [], 2: [], 3: [] };
let withTail = 0;
const meta = fs.readFileSync(path.join(dir, "meta.js"), "utf8");
const shards = (JSON.parse(meta.slice(meta.indexOf("(") + 1, meta.lastIndexOf(")"))).shards || []).length;
for (let i = 0; i < 60; i++) {
  const count = i < 20 ? 1 : i < 45 ? 2 : 3;
  const words = Array.from({ length: count }, () => WORDS[Math.floor(next() * WORDS.length)]);
  const { search, loaded } = loadRuntime(site);
  await search.pages(words.join(" "), { limit: 10, prefix: false });
  mix[count].push(["opsbook-search.js", ...loaded].reduce((a, f) => a + gzipped(f), 0));
  // Files numbered past the shards are tail blocks (format 3).
  if (loaded.some((f) => /^t\d+\.js$/.test(f) && Number(f.slice(1, -3)) >= shards)) withTail++;
}
const at = (list, share) => [...list].sort((a, b) => a - b)[Math.floor(list.length * share)];
for (const count of [1, 2, 3]) {
  console.log(`mix, ${count} word${count > 1 ? "s" : ""} (${mix[count].length} queries): median ${kb(at(mix[count], 0.5))}, ` +
    `90th percentile ${kb(at(mix[count], 0.9))} gzipped`);
}
console.log(`mix: ${withTail} of 60 queries loaded a block of a tail`);
