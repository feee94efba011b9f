// Search benchmark on a built site: index size on disk (raw and gzipped), bytes a cold query of
// 1, 2 and 3 words loads (runtime included), and query time once its files are loaded (node).
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

const queries = [["postgres"], ["disk", "full"], ["disk", "full", "postgres"], ["certificate"], ["kafka", "lag"], ["dns", "resolver", "timeout"]];
for (const words of queries) {
  const text = words.join(" ");
  const { search, loaded } = loadRuntime(site);
  await search.query(text, { limit: 10, prefix: false });
  const all = ["opsbook-search.js", ...loaded];
  const bytes = all.reduce((a, f) => a + size(f), 0);
  const bytesGz = all.reduce((a, f) => a + gzipped(f), 0);
  const times = [];
  for (let i = 0; i < 20; i++) {
    const start = process.hrtime.bigint();
    await search.query(text, { limit: 10, prefix: false });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`"${text}" (${words.length} word${words.length > 1 ? "s" : ""}): loads ${loaded.length + 1} files, ${kb(bytes)} (${kb(bytesGz)} gzipped); warm query median ${times[10].toFixed(2)} ms`);
}
