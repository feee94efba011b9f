// Loads a built site in headless Chromium at phone and desktop widths, light and dark, and checks:
// no horizontal overflow, no console errors or failed requests, the theme toggle persists across
// reloads, and pages stay readable with JavaScript off.
//
//   node theme.mjs SITE_DIR PREFIX PAGE...      (PREFIX is the base path the site was built for)
import { serve, launch, watch } from "./lib.mjs";

const [root, prefix, ...pages] = process.argv.slice(2);
const failures = [];
const fail = (msg) => { failures.push(msg); console.log(`FAIL ${msg}`); };

const server = await serve(root, prefix);
const browser = await launch();
try {
  for (const width of [375, 1280]) {
    for (const scheme of ["light", "dark"]) {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      const problems = watch(page);
      for (const rel of pages) {
        await page.goto(server.url + rel, { waitUntil: "load" });
        const sizes = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
          bg: getComputedStyle(document.body).backgroundColor,
        }));
        if (sizes.scroll > sizes.client) fail(`${rel} at ${width}px ${scheme}: page is ${sizes.scroll}px wide, viewport ${sizes.client}px`);
        const dark = await page.evaluate(() => {
          const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
          return (r + g + b) / 3 < 128;
        });
        if (dark !== (scheme === "dark")) fail(`${rel} at ${width}px: background ${sizes.bg} does not follow the ${scheme} system scheme`);
      }
      for (const p of problems) fail(`${width}px ${scheme}: ${p}`);
      await page.close();
    }
  }

  // The toggle: choose dark on a light system, reload, still dark; choose again, still remembered.
  const page = await browser.context.newPage();
  const problems = watch(page);
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(server.url + pages[0]);
  const toggle = page.locator("#theme-toggle");
  if (!(await toggle.isVisible())) fail("theme toggle is not visible with JavaScript on");
  const seen = [];
  for (let i = 0; i < 3; i++) {
    await toggle.click();
    const chosen = await page.evaluate(() => document.documentElement.getAttribute("data-theme") || "system");
    const stored = await page.evaluate(() => localStorage.getItem("opsbook-theme"));
    await page.reload();
    const after = await page.evaluate(() => document.documentElement.getAttribute("data-theme") || "system");
    if (after !== chosen) fail(`theme "${chosen}" was not kept across a reload (got "${after}", stored "${stored}")`);
    seen.push(chosen);
  }
  if (!seen.includes("dark")) fail(`the toggle never selected dark: ${seen.join(", ")}`);
  await page.goto(server.url + pages[0]);
  const darkBg = await page.evaluate(() => {
    localStorage.setItem("opsbook-theme", "dark");
    return true;
  });
  await page.reload();
  const bodyIsDark = await page.evaluate(() => {
    const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
    return (r + g + b) / 3 < 128;
  });
  if (darkBg && !bodyIsDark) fail("a stored dark theme is not applied on a light system");
  for (const p of problems) fail(`toggle: ${p}`);
  await page.close();

  // A page carries its table of contents once: on a wide screen the script copies it into the
  // aside (every entry, the inline one hidden); on a narrow one the inline one shows.
  const withToc = pages.find((rel) => rel.startsWith("runbooks/") && rel.split("/").length > 2);
  const tocLinks = (p, selector) => p.locator(selector).evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  for (const width of [1280, 375]) {
    const p = await browser.context.newPage();
    await p.setViewportSize({ width, height: 900 });
    await p.goto(server.url + withToc);
    const inline = await tocLinks(p, ".toc-inline .toc a");
    const aside = await tocLinks(p, ".toc-aside .toc a");
    if (inline.length === 0) fail(`${withToc}: no table of contents`);
    if (aside.join() !== inline.join()) fail(`${withToc}: the aside's TOC ${aside.join()} is not the page's ${inline.join()}`);
    const wide = width === 1280;
    if ((await p.locator(".toc-aside .toc").isVisible()) !== wide) fail(`${withToc} at ${width}px: aside TOC visible is not ${wide}`);
    if ((await p.locator(".toc-inline").isVisible()) === wide) fail(`${withToc} at ${width}px: inline TOC visible is not ${!wide}`);
    await p.close();
  }

  // JavaScript off: content and navigation are there, the toggle is hidden, the one table of
  // contents shows inline at every width.
  const noJs = await browser.browser.newContext({ javaScriptEnabled: false });
  {
    const p = await noJs.newPage();
    await p.goto(server.url + pages[pages.length - 1]);
    if (!(await p.locator("main h1").first().isVisible())) fail("no visible <h1> in <main> with JavaScript off");
    if (await p.locator("#theme-toggle").isVisible()) fail("theme toggle shows with JavaScript off");
    await p.setViewportSize({ width: 1280, height: 900 });
    await p.goto(server.url + withToc);
    if (!(await p.locator(".toc-inline").isVisible())) fail(`${withToc}: no visible TOC with JavaScript off`);
    if ((await p.locator(".toc").count()) !== 1) fail(`${withToc}: the page carries its TOC more than once`);
    await noJs.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(failures.length === 0 ? "theme checks passed" : `${failures.length} theme check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
