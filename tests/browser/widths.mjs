// Loads every page of a built site in headless Chromium at a phone's width and reports each one
// wider than the viewport (it would scroll sideways), and chart text too small to read.
//
//   node widths.mjs SITE_DIR PREFIX WIDTH
import fs from "node:fs";
import path from "node:path";
import { serve, launch } from "./lib.mjs";

const [root, prefix, width = "375"] = process.argv.slice(2);
const pages = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name === "index.html" || entry.name === "404.html") {
      // Redirects (aliases, alert addresses) leave before they can be measured.
      if (fs.readFileSync(full, "utf8").includes('http-equiv="refresh"')) continue;
      const rel = path.relative(root, full).split(path.sep).join("/");
      pages.push(rel.endsWith("index.html") ? rel.slice(0, -"index.html".length) : rel);
    }
  }
})(root);
pages.sort();

const failures = [];
const server = await serve(root, prefix);
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: Number(width), height: 800 });
  for (const rel of pages) {
    await page.goto(server.url + rel, { waitUntil: "load" });
    const seen = await page.evaluate(() => {
      const doc = document.documentElement;
      // Chart text as a reader sees it: the rendered height of each label of an SVG chart.
      const small = [...document.querySelectorAll("figure svg text, .chart svg text")]
        .map((t) => t.getBoundingClientRect().height)
        .filter((h) => h > 0 && h < 9);
      return { scroll: doc.scrollWidth, client: doc.clientWidth, small: small.length };
    });
    if (seen.scroll > seen.client) failures.push(`${rel}: ${seen.scroll}px wide at ${seen.client}px`);
    if (seen.small > 0) failures.push(`${rel}: ${seen.small} chart labels under 9px high`);
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`${pages.length} pages at ${width}px`);
if (pages.length === 0) failures.push(`no page found under ${root}`);
for (const f of failures) console.log(`FAIL ${f}`);
process.exit(failures.length ? 1 : 0);
