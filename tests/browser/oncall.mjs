// The on-call path in headless Chromium: an alert URL carrying the alert's labels as a query and
// an anchor, opened on a site served under a sub-path and on an offline build from file://.
//
//   node oncall.mjs HTTP_SITE PREFIX OFFLINE_SITE ALERT ANCHOR
//
// The runbook behind ALERT declares the parameters `cluster` and `namespace`, uses them in a code
// block under the heading with the id ANCHOR, in inline code and in a link, and has a checklist
// of three items, the last "Check the lag again". Checks: the runbook opens at the anchor with the
// value in its code, inline code and link; the copy button copies it; typing fills the page
// live; the tab remembers values; ticked boxes survive a reload, per incident; the copied log
// lists them in the order they were ticked; "reset" clears them; with JavaScript off the
// placeholders stay as written and the form stays hidden.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { serve, launch, watch } from "./lib.mjs";

const [root, prefix, offline, alert, anchor] = process.argv.slice(2);
const failures = [];
const fail = (msg) => { failures.push(msg); console.log(`FAIL ${msg}`); };
const value = "prod-eu-1";

/* What the page's copy buttons hand to the clipboard, whichever way they do it. */
const CAPTURE = () => {
  window.__copied = [];
  if (navigator.clipboard) navigator.clipboard.writeText = (text) => { window.__copied.push(text); return Promise.resolve(); };
  const exec = document.execCommand.bind(document);
  document.execCommand = (command, ...rest) => {
    if (command !== "copy") return exec(command, ...rest);
    window.__copied.push(document.activeElement ? document.activeElement.value : "");
    return true;
  };
};

async function copied(page, button) {
  const before = await page.evaluate(() => window.__copied.length);
  await button.click();
  await page.waitForFunction((n) => window.__copied.length > n, before);
  return page.evaluate(() => window.__copied[window.__copied.length - 1]);
}

/* Waits until another page of the browser sees `count` ticks: a page stores them at once, the
   browser a moment later, and a reload in a new process (file:// pages) reads the browser's.
   `again` does the page's action once more if they have not arrived after about 10 s: on a
   loaded machine Chromium has lost a file:// page's write (the reload found no storage at all),
   which a second write does not share. */
async function stored(page, count, again) {
  const probe = await page.context().newPage();
  try {
    // Up to about 30 s: a loaded machine hands storage on slowly.
    for (let i = 0; i < 300; i++) {
      await probe.goto(page.url());
      const n = await probe.evaluate(() => {
        const key = "opsbook-checklist:" + location.pathname;
        return Object.keys(JSON.parse(localStorage.getItem(key) || "{}")).length;
      });
      if (n === count) return;
      if (i === 100 && again) {
        console.log(`the browser has not stored ${count} ticks after ${i} looks: acting again`);
        await again();
      }
      await probe.waitForTimeout(100);
    }
    fail(`the browser never stored ${count} ticks`);
  } finally {
    await probe.close();
  }
}

const texts = (page, selector) => page.$$eval(selector, (els) => els.map((e) => e.textContent));

async function runbook(page, how) {
  const form = page.locator("form.runbook-params");
  if (!(await form.isVisible())) fail(`${how}: the parameters form is not shown`);
  const input = await page.inputValue("form.runbook-params input[name=cluster]");
  if (input !== value) fail(`${how}: the cluster field holds ${JSON.stringify(input)}`);
  const code = await page.textContent(`pre.code`);
  if (!code.includes(`--context ${value} -n <<namespace>>`)) fail(`${how}: the code block reads ${JSON.stringify(code)}`);
  if (!code.includes("$HOME {{ $labels.pod }}")) fail(`${how}: the code block's own template and variable changed: ${code}`);
  const inline = await texts(page, ".content p code");
  if (!inline.includes(value)) fail(`${how}: inline code reads ${JSON.stringify(inline)}`);
  const href = await page.getAttribute(".content a[data-param-href]", "href");
  if (href !== `https://grafana.example.org/d/lag?var-cluster=${value}`) fail(`${how}: the link leads to ${href}`);
  const empty = await page.$$eval("var[data-param=namespace]", (els) => els.map((e) => [e.textContent, e.classList.contains("is-filled"), getComputedStyle(e).borderStyle]));
  for (const [text, filled, border] of empty) {
    if (text !== "<<namespace>>" || filled || border !== "dashed") fail(`${how}: an empty placeholder reads ${text}, filled ${filled}, border ${border}`);
  }
  let text = await copied(page, page.locator("pre.code .copy-btn"));
  if (!text.includes(`--context ${value} -n <<namespace>>`)) fail(`${how}: the copy button copied ${JSON.stringify(text)}`);

  // Typing fills every placeholder at once, and the copy button follows.
  await page.fill("form.runbook-params input[name=namespace]", "db");
  text = await copied(page, page.locator("pre.code .copy-btn"));
  if (!text.includes(`--context ${value} -n db rollout`)) fail(`${how}: after typing, the copy button copied ${JSON.stringify(text)}`);
  if (new URL(page.url()).searchParams.get("namespace") !== "db") fail(`${how}: the address does not hold the typed value`);

  // The checklist: tick the third item, then the first; both survive a reload; the log lists
  // them in that order with the parameters; another incident has its own; reset clears.
  const boxes = page.locator(".content li > input[type=checkbox]");
  if ((await boxes.count()) !== 3) fail(`${how}: ${await boxes.count()} checkboxes`);
  const tick = async () => {
    await boxes.nth(2).check();
    await page.waitForTimeout(5);
    await boxes.nth(0).check();
  };
  await tick();
  await stored(page, 2, async () => {
    await boxes.nth(0).uncheck();
    await boxes.nth(2).uncheck();
    await tick();
  });
  await page.reload();
  // The checklist is set up by the deferred theme script.
  await page.waitForSelector(".checklist-tools");
  const states = await page.$$eval(".content li > input[type=checkbox]", (els) => els.map((e) => e.checked));
  if (JSON.stringify(states) !== "[true,false,true]") {
    const kept = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
    fail(`${how}: after a reload the boxes are ${JSON.stringify(states)}; stored: ${kept}`);
  }
  const log = (await copied(page, page.locator(".checklist-tools .checklist-copy"))).split("\n");
  const line = /^- \d\d:\d\d UTC ✓ (.*) \(cluster=prod-eu-1, namespace=db\)$/;
  const items = log.map((l) => (l.match(line) || [])[1]);
  if (log.length !== 2 || items[0] !== "Check the lag again" || items[1] !== "Page the database owner") fail(`${how}: the log reads ${JSON.stringify(log)}`);
  const here = page.url();
  const url = new URL(here);
  url.searchParams.set("incident", "INC-7");
  await page.goto(url.href);
  await page.waitForSelector(".checklist-tools");
  const other = await page.$$eval(".content li > input[type=checkbox]", (els) => els.filter((e) => e.checked).length);
  if (other !== 0) fail(`${how}: incident INC-7 starts with ${other} boxes ticked`);
  await page.goto(here);
  await page.waitForSelector(".checklist-tools");
  await page.click(".checklist-tools .checklist-reset");
  await stored(page, 0, () => page.click(".checklist-tools .checklist-reset"));
  await page.reload();
  await page.waitForSelector(".checklist-tools");
  const after = await page.$$eval(".content li > input[type=checkbox]", (els) => els.filter((e) => e.checked).length);
  if (after !== 0) fail(`${how}: after reset ${after} boxes are still ticked`);

  // The tab remembers typed values: the runbook opened again without a query is filled.
  const bare = new URL(page.url());
  bare.search = "";
  bare.hash = "";
  await page.goto(bare.href);
  const again = await page.textContent("pre.code");
  if (!again.includes(`--context ${value} -n db`)) fail(`${how}: opened again in the tab, the code reads ${again}`);
}

/* The on-call path from the alert URL `start`, in `context`; a step that throws is a failure. */
async function leg(context, how, start) {
  const page = await context.newPage();
  const problems = watch(page);
  try {
    await page.goto(start);
    await page.waitForURL(/\/runbooks\//);
    const url = new URL(page.url());
    if (url.searchParams.get("cluster") !== value) fail(`${how}: the runbook's URL ${page.url()} lost the query`);
    if (url.hash !== `#${anchor}`) fail(`${how}: the runbook's URL ${page.url()} lost the anchor`);
    if (how === "http" && !url.pathname.startsWith(prefix)) fail(`${how}: ${page.url()} left the sub-path ${prefix}`);
    await page.waitForLoadState("load");
    const top = await page.evaluate((id) => document.getElementById(id)?.getBoundingClientRect().top, anchor);
    if (top === undefined || top < -2 || top > 200) fail(`${how}: the heading #${anchor} is at ${top}px, not at the top`);
    await runbook(page, how);
    for (const p of problems) fail(`${how}: ${p}`);
  } catch (error) {
    fail(`${how}: ${String(error.message).split("\n")[0]}`);
  } finally {
    await page.close();
  }
}

const server = await serve(root, prefix);
const browser = await launch();
await browser.context.addInitScript(CAPTURE);
try {
  const starts = [
    ["http", `${server.url}alerts/${alert}/?cluster=${value}#${anchor}`],
    ["file", `${pathToFileURL(path.join(offline, "alerts", alert, "index.html")).href}?cluster=${value}#${anchor}`],
  ];
  for (const [how, start] of starts) {
    const before = failures.length;
    await leg(browser.context, how, start);
    // On a loaded machine Chromium has lost a file:// page's stored ticks for good (about one
    // full CI run in four; never when this check runs alone, even on busy cores): ticking again
    // did not bring them back, and after the reload the page found no storage at all. The leg
    // runs once more, whole, in a new browser context, and must then pass; a page that never
    // stores fails both times.
    const lost = failures.slice(before).some((f) => f.includes("never stored"));
    if (how === "file" && lost) {
      console.log(`${how}: the browser lost the checklist's storage; the leg once more in a new context`);
      failures.length = before;
      const fresh = await browser.browser.newContext();
      await fresh.addInitScript(CAPTURE);
      try {
        await leg(fresh, how, start);
      } finally {
        await fresh.close();
      }
    }
  }

  // A crafted value is text in the page and stays inside the link's query.
  {
    const page = await browser.context.newPage();
    const problems = watch(page);
    const hostile = `<img src=x onerror="window.__owned=1">&x=javascript:alert(1)`;
    await page.goto(`${server.url}runbooks/replica-lag/?cluster=${encodeURIComponent(hostile)}`);
    await page.waitForLoadState("load");
    const seen = await page.evaluate(() => ({
      images: document.querySelectorAll(".content img").length,
      owned: window.__owned === 1,
      text: document.querySelector("pre.code var[data-param=cluster]").textContent,
      href: document.querySelector(".content a[data-param-href]").href,
    }));
    if (seen.images || seen.owned || seen.text !== hostile) fail(`a crafted value became markup: ${JSON.stringify(seen)}`);
    const link = new URL(seen.href);
    if (link.origin !== "https://grafana.example.org" || link.searchParams.get("var-cluster") !== hostile || [...link.searchParams.keys()].length !== 1) fail(`a crafted value left its place in the link: ${seen.href}`);
    for (const p of problems) fail(`crafted value: ${p}`);
    await page.close();
  }

  // JavaScript off: the page reads as written, placeholders marked, no form.
  const plain = await browser.browser.newContext({ javaScriptEnabled: false });
  const page = await plain.newPage();
  await page.goto(`${server.url}alerts/${alert}/?cluster=${value}`);
  await page.waitForURL(/\/runbooks\//);
  if (await page.locator("form.runbook-params").isVisible()) fail("no script: the parameters form is shown");
  const code = await page.textContent("pre.code");
  if (!code.includes("--context <<cluster>> -n <<namespace>>")) fail(`no script: the code block reads ${code}`);
  const border = await page.$eval("var[data-param=cluster]", (e) => getComputedStyle(e).borderStyle);
  if (border !== "dashed") fail(`no script: a placeholder is not marked (border ${border})`);
  await plain.close();
} finally {
  await browser.close();
  server.close();
}
if (failures.length) {
  console.log(`${failures.length} failure(s)`);
  process.exit(1);
}
console.log("ok");
