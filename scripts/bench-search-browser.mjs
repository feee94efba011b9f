// Search benchmark in headless Chromium on the shared benchmark handbook (default 10,000 pages):
//
// - build: a cold release build with --timings; the search index's own time ("(search index)",
//   which runs beside the rendering) and its share of the whole build's wall time;
// - the index on disk: files, raw and gzipped (each file gzipped alone, as a server would);
// - cold first queries of 1, 2 and 3 words, each in a fresh browser context (empty cache): the
//   bytes of every search/ file the page loaded (runtime included), raw and gzipped;
// - query latency once the query's files are loaded, median of 20, two ways: "scoring" forgets
//   the per-term scores the runtime keeps between queries, so each run decodes and scores every
//   posting list again; "repeat" keeps them, as when the same words are typed again.
//
//   node scripts/bench-search-browser.mjs [PAGES] [--no-build]
//
// Needs target/release/opsbook and chromium. --no-build measures the site of the last run.
//
// Env: GEN_CORPUS (default ../shared/bench/gen_corpus.py), BENCH_DIR (default
// /tmp/opsbook-bench), CHROMIUM (default /usr/bin/chromium).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { serve, launch } from "../tests/browser/lib.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const pages = Number(args.find((a) => /^\d+$/.test(a)) || 10000);
const rebuild = !args.includes("--no-build");
const work = process.env.BENCH_DIR || "/tmp/opsbook-bench";
const generator = process.env.GEN_CORPUS || path.join(repo, "../shared/bench/gen_corpus.py");
const bin = path.join(repo, "target/release/opsbook");
const handbook = path.join(work, `hb-${pages}`);
const site = path.join(work, `site-${pages}`);
const QUERIES = [
  ["postgres", "certificate"],
  ["disk full", "kafka lag"],
  ["disk full postgres", "dns resolver timeout"],
];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const gzip = (bytes) => zlib.gzipSync(bytes).length;
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: cargo build --release`);
fs.mkdirSync(work, { recursive: true });
if (!fs.existsSync(path.join(handbook, "opsbook.toml"))) {
  execFileSync("python3", [generator, "--flavor", "opsbook", "--pages", String(pages), "--out", handbook, "--force", "--quiet"]);
}

// 1. A cold build: no output, no cache.
if (rebuild) {
  fs.rmSync(site, { recursive: true, force: true });
  fs.rmSync(path.join(handbook, ".opsbook-cache"), { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const build = spawnSync(bin, ["build", handbook, "-o", site, "-q", "--timings"], { encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (build.status !== 0) throw new Error(`build failed:\n${build.stderr}`);
  const timing = (name) => {
    const line = build.stderr.split("\n").find((l) => l.trim().startsWith(name));
    return line ? Number(line.trim().slice(name.length).trim().split(/\s+/)[0]) : NaN;
  };
  const searchMs = timing("(search index)");
  console.log(`${pages} pages: cold build ${(wall / 1000).toFixed(2)} s wall; search index ${(searchMs / 1000).toFixed(2)} s ` +
    `(${((100 * searchMs) / wall).toFixed(1)}% of the build, beside render+search ${(timing("render+search") / 1000).toFixed(2)} s)`);
}

// 2. The index on disk.
const dir = path.join(site, "search");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".js"));
let raw = 0, gz = 0;
for (const f of files) {
  const bytes = fs.readFileSync(path.join(dir, f));
  raw += bytes.length;
  gz += gzip(bytes);
}
console.log(`index: ${files.length} files, ${kb(raw)} raw, ${kb(gz)} gzipped`);

// 3 and 4. Chromium.
const server = await serve(site, "/");
const { browser, close } = await launch();
try {
  for (const group of QUERIES) {
    for (const text of group) {
      const context = await browser.newContext();
      const page = await context.newPage();
      // Every search/ file the page asked for (the files served are the files on disk).
      const loaded = new Set();
      page.on("requestfinished", (request) => {
        const url = new URL(request.url());
        if (/\/search\/[^/]+\.js$/.test(url.pathname)) loaded.add(path.basename(url.pathname));
      });
      await page.goto(server.url + "search/", { waitUntil: "load" });
      await page.waitForFunction(() => window.opsbookSearch && window.opsbookSearch.query);
      const found = await page.evaluate((q) => window.opsbookSearch.query(q, { limit: 10 }).then((r) => r.length), text);
      // The query has resolved, so its files have arrived; let their events reach us.
      await page.waitForLoadState("networkidle");
      let bytes = 0, bytesGz = 0;
      for (const name of loaded) {
        const data = fs.readFileSync(path.join(dir, name));
        bytes += data.length;
        bytesGz += gzip(data);
      }
      const times = await page.evaluate(async (q) => {
        const search = window.opsbookSearch;
        const scoring = [], repeat = [];
        for (let i = 0; i < 20; i++) {
          search._internals.forgetScores();
          const t0 = performance.now();
          await search.query(q, { limit: 10 });
          scoring.push(performance.now() - t0);
        }
        for (let i = 0; i < 20; i++) {
          const t0 = performance.now();
          await search.query(q, { limit: 10 });
          repeat.push(performance.now() - t0);
        }
        return { scoring, repeat };
      }, text);
      const words = text.split(" ").length;
      console.log(`"${text}" (${words} word${words > 1 ? "s" : ""}, ${found} results): cold query loads ${loaded.size} files, ` +
        `${kb(bytes)} raw, ${kb(bytesGz)} gzipped; latency median of 20: scoring ${median(times.scoring).toFixed(1)} ms, ` +
        `repeat ${median(times.repeat).toFixed(1)} ms`);
      await context.close();
    }
  }
} finally {
  await close();
  server.close();
}
