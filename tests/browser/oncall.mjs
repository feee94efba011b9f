// The on-call path in headless Chromium: an alert URL carrying the alert's labels as a query and
// an anchor, opened on a site served under a sub-path and on an offline build from file://.
//
//   node oncall.mjs HTTP_SITE PREFIX OFFLINE_SITE ALERT ANCHOR
//
// The runbook behind ALERT declares the parameter `cluster`, has a heading with the id ANCHOR.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { serve, launch, watch } from "./lib.mjs";

const [root, prefix, offline, alert, anchor] = process.argv.slice(2);
const failures = [];
const fail = (msg) => { failures.push(msg); console.log(`FAIL ${msg}`); };
const value = "prod-eu-1";

const server = await serve(root, prefix);
const browser = await launch();
try {
  const starts = [
    ["http", `${server.url}alerts/${alert}/?cluster=${value}#${anchor}`],
    ["file", `${pathToFileURL(path.join(offline, "alerts", alert, "index.html")).href}?cluster=${value}#${anchor}`],
  ];
  for (const [how, start] of starts) {
    const page = await browser.context.newPage();
    const problems = watch(page);
    await page.goto(start);
    await page.waitForURL(/\/runbooks\//);
    const url = new URL(page.url());
    if (url.searchParams.get("cluster") !== value) fail(`${how}: the runbook's URL ${page.url()} lost the query`);
    if (url.hash !== `#${anchor}`) fail(`${how}: the runbook's URL ${page.url()} lost the anchor`);
    if (how === "http" && !url.pathname.startsWith(prefix)) fail(`${how}: ${page.url()} left the sub-path ${prefix}`);
    await page.waitForLoadState("load");
    const top = await page.evaluate((id) => document.getElementById(id)?.getBoundingClientRect().top, anchor);
    if (top === undefined || top < -2 || top > 200) fail(`${how}: the heading #${anchor} is at ${top}px, not at the top`);
    for (const p of problems) fail(`${how}: ${p}`);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
if (failures.length) {
  console.log(`${failures.length} failure(s)`);
  process.exit(1);
}
console.log("ok");
