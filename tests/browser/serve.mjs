// Live reload of `opsbook serve` in headless Chromium. The server is already running on a small
// handbook (see tests/it/serve.rs); this script edits the handbook's files and watches the page:
// an edit shows without a manual reload and keeps the scroll position, broken front matter shows
// the overlay naming the file (also on a page opened while broken), fixing it removes the overlay,
// and a stylesheet change restyles the page without a navigation.
//
//   node serve.mjs URL HANDBOOK_DIR
import fs from "node:fs";
import path from "node:path";
import { launch, watch } from "./lib.mjs";

const [base, root] = process.argv.slice(2);
const markdown = path.join(root, "content/runbooks/live.md");
const stylesheet = path.join(root, "static/custom.css");
const original = fs.readFileSync(markdown, "utf8");
const PAGE = base + "runbooks/live/";
const TIMEOUT = 20000;

const failures = [];
const fail = (msg) => { failures.push(msg); console.log(`FAIL ${msg}`); };
// What the page did, printed when something fails.
const started = Date.now();
const trace = [];
const note = (what) => trace.push(`${String(Date.now() - started).padStart(6)} ms  ${what}`);
const step = async (name, body) => {
  try { await body(); console.log(`ok   ${name}`); } catch (e) { fail(`${name}: ${e.message.split("\n")[0]}`); }
};
const write = (file, text) => fs.writeFileSync(file, text);

/** Waits until the server has `n` open event streams, so an edit cannot be missed. */
async function streams(n) {
  const end = Date.now() + TIMEOUT;
  while (Date.now() < end) {
    const status = await (await fetch(base + "__opsbook/status")).json();
    if (status.clients >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${n} event streams open`);
}

const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1000, height: 500 });
  const problems = watch(page);
  page.on("request", (r) => note(`request ${r.method()} ${r.url()}`));
  page.on("requestfinished", (r) => note(`finished ${r.url()}`));
  page.on("requestfailed", (r) => note(`failed ${r.url()} ${r.failure()?.errorText}`));
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) note(`navigated ${f.url()}`); });
  page.on("load", () => note("load"));
  await step("the page loads", () => page.goto(PAGE, { waitUntil: "load" }));
  await streams(1);

  await step("an edit appears without a manual reload", async () => {
    write(markdown, original.replace("Original text.", "Edited live 4711."));
    await page.getByText("Edited live 4711.").waitFor({ timeout: TIMEOUT });
  });

  await step("the reload keeps the scroll position", async () => {
    await streams(1);
    await page.evaluate(() => window.scrollTo(0, 900));
    const y = await page.evaluate(() => window.scrollY);
    if (y < 800) throw new Error(`the page did not scroll (scrollY ${y})`);
    write(markdown, original.replace("Original text.", "Edited again 4712."));
    await page.getByText("Edited again 4712.").waitFor({ timeout: TIMEOUT });
    await page.waitForFunction((want) => Math.abs(window.scrollY - want) < 5, y, { timeout: TIMEOUT });
  });

  await step("a title edit shows in the open page, written and reloaded first", async () => {
    await streams(1);
    const opened = await (await fetch(base + "__opsbook/status")).json();
    write(markdown, original.replace('title = "Live page"', 'title = "Live page renamed 4713"'));
    await page.locator("h1", { hasText: "Live page renamed 4713" }).waitFor({ timeout: TIMEOUT });
    // The open page is told before the build is over: once for the page, once for the rest.
    const end = Date.now() + TIMEOUT;
    let status = opened;
    while (Date.now() < end && (status.building || status.builds === opened.builds)) {
      await new Promise((r) => setTimeout(r, 50));
      status = await (await fetch(base + "__opsbook/status")).json();
    }
    if (status.generation !== opened.generation + 2) {
      throw new Error(`generation ${opened.generation} -> ${status.generation}, not told first`);
    }
    write(markdown, original.replace("Original text.", "Edited again 4712."));
    await page.getByText("Edited again 4712.").waitFor({ timeout: TIMEOUT });
  });

  const overlay = page.locator("#opsbook-serve-overlay");
  await step("broken front matter shows the overlay with the file", async () => {
    await streams(1);
    write(markdown, original.replace('title = "Live page"', "title = "));
    await overlay.waitFor({ state: "visible", timeout: TIMEOUT });
    const text = await overlay.innerText();
    if (!text.includes("content/runbooks/live.md:")) throw new Error(`overlay says: ${text}`);
    const style = await overlay.evaluate((e) => ({ position: getComputedStyle(e).position, color: getComputedStyle(e).color }));
    if (style.position !== "fixed") throw new Error(`overlay position ${style.position}`);
    // Behind the overlay, the last good page is still there.
    if ((await page.getByText("Edited again 4712.").count()) === 0) throw new Error("the last good page is gone");
  });

  await step("a page opened while the site is broken shows the overlay", async () => {
    const other = await browser.context.newPage();
    await other.goto(base, { waitUntil: "load" });
    await other.locator("#opsbook-serve-overlay").waitFor({ state: "visible", timeout: TIMEOUT });
    await other.close();
  });

  await step("fixing the file removes the overlay", async () => {
    await streams(1);
    write(markdown, original.replace("Original text.", "Fixed 4713."));
    await page.getByText("Fixed 4713.").waitFor({ timeout: TIMEOUT });
    await overlay.waitFor({ state: "detached", timeout: TIMEOUT });
  });

  await step("a stylesheet change restyles the page without a navigation", async () => {
    await streams(1);
    const probe = page.locator(".css-probe");
    const before = await probe.evaluate((e) => getComputedStyle(e).color);
    if (before !== "rgb(10, 20, 30)") throw new Error(`probe colour before: ${before}`);
    await page.evaluate(() => { window.__opsbookMarker = "same document"; });
    const navigations = await page.evaluate(() => performance.getEntriesByType("navigation").length);
    write(stylesheet, ".css-probe { color: rgb(200, 30, 40); }\n");
    await page.waitForFunction(
      () => getComputedStyle(document.querySelector(".css-probe")).color === "rgb(200, 30, 40)",
      null, { timeout: TIMEOUT });
    await page.waitForFunction(() => document.querySelectorAll('link[href*="custom.css"]').length === 1,
      null, { timeout: TIMEOUT });
    const after = await page.evaluate(() => ({
      marker: window.__opsbookMarker, navigations: performance.getEntriesByType("navigation").length,
    }));
    if (after.marker !== "same document" || after.navigations !== navigations) {
      throw new Error(`the page was reloaded: ${JSON.stringify(after)}`);
    }
  });

  for (const p of problems) fail(p);
  await page.close();
} finally {
  await browser.close();
  write(markdown, original);
}

if (failures.length) {
  console.log(trace.join("\n"));
  console.log(`${failures.length} failure(s)`);
  process.exit(1);
}
console.log("serve live reload: all checks passed");
