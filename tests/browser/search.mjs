// The search UI of the default theme in headless Chromium, on a site built for a sub-path and
// served under it: the header box (`/` opens it, results as you type grouped by page, ↑ ↓ move the
// active result, Enter opens it on its section anchor, Esc closes and gives focus back), the
// results page (search/?q=…, kind filters), hostile queries and titles shown as text, the phone
// layout, text contrast in light and dark, print, and the page the form reaches with JavaScript
// off. Any console error, failed request or dialog fails the run.
//
//   node search.mjs SITE_DIR PREFIX [HOSTILE_SITE_DIR [CHINESE_SITE_DIR]]
//   node search.mjs --offline SITE_DIR
//
// SITE_DIR is content-example built with --base-url https://…PREFIX; HOSTILE_SITE_DIR (optional)
// is a handbook whose runbook "hostile" has a title full of HTML (see tests/it/browser_search.rs);
// CHINESE_SITE_DIR (optional) is tests/fixtures/languages/zh built for /zh/: its box says it
// searches Chinese and finds two characters in the middle of a sentence.
// With --offline, SITE_DIR is an `opsbook build --offline` of content-example, opened from disk
// (file://): the box, Enter to a section anchor, and the results page.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { serve, launch, watch } from "./lib.mjs";

const offline = process.argv[2] === "--offline";
const [root, prefix, hostileRoot, chineseRoot] = offline ? [process.argv[3], null, null, null] : process.argv.slice(2);
const TIMEOUT = 10000;
const failures = [];
const fail = (msg) => { failures.push(msg); console.log(`FAIL ${msg}`); };
const check = (ok, msg) => { if (!ok) throw new Error(msg); };
const step = async (name, body) => {
  try { await body(); console.log(`ok   ${name}`); } catch (e) { fail(`${name}: ${e.message.split("\n")[0]}`); }
};

const server = offline ? { url: pathToFileURL(path.resolve(root)).href + "/", close() {} } : await serve(root, prefix);
const hostile = hostileRoot ? await serve(hostileRoot, "/hb/") : null;
const chinese = chineseRoot ? await serve(chineseRoot, "/zh/") : null;
const browser = await launch();
const opened = [];

/** A new page that records problems, dialogs and the scripts it requests. */
async function newPage({ width = 1280, scheme = "light", context = browser.context } = {}) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.setViewportSize({ width, height: 800 });
  await page.emulateMedia({ colorScheme: scheme });
  const problems = watch(page);
  const scripts = [];
  page.on("request", (req) => { if (req.resourceType() === "script") scripts.push(req.url()); });
  page.on("dialog", async (dialog) => {
    problems.push(`a dialog opened: ${dialog.type()} "${dialog.message()}"`);
    await dialog.dismiss().catch(() => {});
  });
  opened.push({ page, problems, label: `${width}px ${scheme}` });
  return { page, problems, scripts };
}

/** Waits until the header panel shows the results of exactly `text`. */
async function panelFor(page, text) {
  await page.waitForFunction((t) => {
    const panel = document.getElementById("site-search-panel");
    return panel && !panel.hidden && panel.getAttribute("data-query") === t;
  }, text);
}

/** The header box's options: id, page/section/more, text and link. */
function options(page) {
  return page.$$eval("#site-search-listbox [role=option]", (list) => list.map((o) => ({
    id: o.id,
    type: o.classList.contains("search-option-page") ? "page" : o.classList.contains("search-option-section") ? "section" : "more",
    group: o.closest("[role=group]")?.getAttribute("aria-label"),
    selected: o.getAttribute("aria-selected"),
    active: o.classList.contains("is-active"),
    href: o.querySelector("a")?.href,
    text: o.textContent,
  })));
}

const activeId = (page) => page.$eval("#site-search-input", (i) => i.getAttribute("aria-activedescendant"));

/** WCAG contrast of the text of every element matching `selectors` against what is behind it. */
function contrastProblems(page, selectors) {
  return page.evaluate((selectors) => {
    const parse = (c) => {
      const m = c.match(/[\d.]+/g);
      if (!m) return null;
      return { r: +m[0], g: +m[1], b: +m[2], a: m.length > 3 ? +m[3] : 1 };
    };
    const over = (top, below) => ({
      r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a),
      b: top.b * top.a + below.b * (1 - top.a), a: 1,
    });
    const background = (el) => {
      const layers = [];
      for (let n = el; n; n = n.parentElement) {
        const bg = parse(getComputedStyle(n).backgroundColor);
        if (bg && bg.a > 0) { layers.push(bg); if (bg.a >= 1) break; }
      }
      let colour = { r: 255, g: 255, b: 255, a: 1 };
      if (!layers.length || layers[layers.length - 1].a < 1) colour = parse(getComputedStyle(document.body).backgroundColor);
      for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
      return colour;
    };
    const luminance = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => {
      const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
      return (x + 0.05) / (y + 0.05);
    };
    const found = [];
    let measured = 0;
    for (const sel of selectors) {
      const [selector, pseudo] = sel.split("::");
      const els = Array.from(document.querySelectorAll(selector)).filter((e) => e.getClientRects().length).slice(0, 4);
      if (!els.length) { found.push(`nothing visible matches ${sel}`); continue; }
      for (const el of els) {
        const bg = background(el);
        const fg = over(parse(getComputedStyle(el, pseudo ? `::${pseudo}` : null).color), bg);
        const r = ratio(fg, bg);
        measured++;
        if (r < 4.5) found.push(`${sel}: contrast ${r.toFixed(2)} (${getComputedStyle(el).color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)}))`);
      }
    }
    if (!measured) found.push("no text measured");
    return found;
  }, selectors);
}

const PANEL_TEXT = [
  ".search-option-title", ".search-option-heading", ".search-snippet", "#site-search-panel mark",
  ".search-option.is-active .search-option-heading", ".search-option.is-active .search-snippet",
  "#site-search-panel .badge-kind", ".search-option-more a", ".site-search-input",
  ".site-search-input::placeholder",
];
const PAGE_TEXT = [
  ".search-summary", ".search-filter", ".search-filter[aria-current]", ".search-filter-count",
  ".search-result-title", ".search-result-path", ".search-snippet", ".search-page mark",
  ".search-result-heading", ".search-result .badge-kind", ".doc-title", ".search-page-submit",
];

/** Opened from disk: an `--offline` build. */
async function offlineChecks() {
  {
    const { page } = await newPage();
    await page.goto(server.url + "runbooks/certificate-expiry/index.html", { waitUntil: "load" });
    let expected = null;
    await step("file://: / and typing show results, links name their index.html", async () => {
      await page.keyboard.press("/");
      await page.keyboard.type("disk full postgres", { delay: 25 });
      await panelFor(page, "disk full postgres");
      const list = await options(page);
      check(list[0].group === "Postgres: disk almost full", `first group: ${list[0].group}`);
      check(list[0].href === server.url + "runbooks/postgres/disk-almost-full/index.html", `first link: ${list[0].href}`);
      await page.keyboard.press("ArrowDown");
      check(await activeId(page) === list[1].id, "↓ does not move the active result");
      expected = list[1].href;
      check(/\/index\.html#./.test(expected), `section link: ${expected}`);
    });
    await step("file://: Enter lands on the section anchor", async () => {
      await Promise.all([page.waitForURL(expected), page.keyboard.press("Enter")]);
      const present = await page.evaluate(() => !!document.getElementById(decodeURIComponent(location.hash.slice(1))));
      check(present, `no element for ${page.url()}`);
    });
    await step("file://: Esc closes, the results page lists results with links that open", async () => {
      await page.keyboard.press("/");
      await page.keyboard.type("certificate", { delay: 20 });
      await panelFor(page, "certificate");
      await page.keyboard.press("Escape");
      check(await page.$eval("#site-search-panel", (p) => p.hidden), "Esc does not close the panel");
      await page.keyboard.press("/");
      await panelFor(page, "certificate");
      await Promise.all([page.waitForURL(/\/search\/index\.html\?q=certificate$/), page.click(".search-option-more a")]);
      await page.waitForSelector(".search-result");
      const href = await page.$eval(".search-result-heading", (a) => a.href);
      check(href.startsWith(server.url + "runbooks/certificate-expiry/index.html#"), href);
      check(await page.$eval(".brand", (a) => a.href) === server.url + "index.html", "the home link does not name index.html");
      await Promise.all([page.waitForURL(href), page.click(".search-result-heading")]);
      check(await page.evaluate(() => !!document.getElementById(decodeURIComponent(location.hash.slice(1)))), `no anchor at ${href}`);
    });
  }
}

/** Served over http under the prefix. */
async function httpChecks() {
  // ------------------------------------------------------------------ the header box
  {
    const { page, scripts } = await newPage();
    await page.goto(server.url + "runbooks/certificate-expiry/", { waitUntil: "load" });

    await step("the runtime is not loaded before the box is used", async () => {
      check(!scripts.some((u) => u.includes("/search/")), `loaded early: ${scripts.filter((u) => u.includes("/search/")).join(", ")}`);
      check(await page.evaluate(() => !window.opsbookSearch), "window.opsbookSearch exists before any search");
      const form = await page.$eval("form[role=search]", (f) => ({ action: f.getAttribute("action"), method: f.method, name: f.querySelector("input[type=search]")?.name }));
      check(form.action === `${prefix}search/` && form.method === "get" && form.name === "q", `form: ${JSON.stringify(form)}`);
    });

    await step("/ focuses the box and loads the runtime", async () => {
      await page.keyboard.press("/");
      check(await page.evaluate(() => document.activeElement?.id) === "site-search-input", "the box is not focused after /");
      await page.waitForFunction(() => window.opsbookSearch && window.opsbookSearch.query);
      check(scripts.some((u) => u.endsWith(`${prefix}search/opsbook-search.js`)), `runtime not requested from ${prefix}search/: ${scripts.join(", ")}`);
    });

    const query = "disk full postgres";
    let list = [];
    await step(`typing "${query}" shows results grouped by page, "Postgres: disk almost full" first`, async () => {
      await page.keyboard.type(query, { delay: 25 });
      await panelFor(page, query);
      list = await options(page);
      check(list.length > 2, `only ${list.length} options`);
      check(list[0].type === "page" && list[0].group === "Postgres: disk almost full", `first group: ${list[0].group}`);
      check(new URL(list[0].href).pathname === `${prefix}runbooks/postgres/disk-almost-full/`, `first link: ${list[0].href}`);
      const firstSection = list.find((o) => o.type === "section");
      check(firstSection && firstSection.group === "Postgres: disk almost full", `first section is of "${firstSection?.group}"`);
      check(new URL(firstSection.href).pathname === `${prefix}runbooks/postgres/disk-almost-full/` && new URL(firstSection.href).hash.length > 1,
        `first section link: ${firstSection.href}`);
      check(list[list.length - 1].type === "more", "no link to all results at the end");
      const expanded = await page.$eval("#site-search-input", (i) => i.getAttribute("aria-expanded"));
      check(expanded === "true", `aria-expanded=${expanded}`);
      const badge = await page.$eval("#site-search-listbox [role=group] .badge-kind", (b) => b.className + " " + b.textContent);
      check(/kind-runbook/.test(badge) && /Runbook/.test(badge), `badge: ${badge}`);
    });

    await step("matched words are in <mark>, and only words", async () => {
      const marks = await page.$$eval("#site-search-panel mark", (ms) => ms.map((m) => m.textContent));
      check(marks.length > 0, "no <mark>");
      const bad = marks.filter((m) => !/^[\p{L}\p{N}]+$/u.test(m));
      check(!bad.length, `marks with more than a word: ${bad.join(" | ")}`);
      // Snippets hold text like "<CLUSTER_ID>": it must show as text, not vanish as a tag.
      const shown = await page.evaluate(() => ({
        text: document.getElementById("site-search-panel").textContent,
        tags: document.querySelectorAll("#site-search-panel cluster_id").length,
      }));
      check(shown.text.includes("<CLUSTER_ID>") && shown.tags === 0, "snippet text with <…> is not shown as text");
      const lower = marks.map((m) => m.toLowerCase());
      for (const w of ["disk", "full", "postgres"]) check(lower.some((m) => m.startsWith(w)), `"${w}" is never marked`);
    });

    let expected = null;
    await step("↓ ↓ ↑ move the active result", async () => {
      check(await activeId(page) === list[0].id, `first result not active at first: ${await activeId(page)}`);
      await page.keyboard.press("ArrowDown");
      check(await activeId(page) === list[1].id, `↓: active ${await activeId(page)}, expected ${list[1].id}`);
      await page.keyboard.press("ArrowDown");
      check(await activeId(page) === list[2].id, `↓↓: active ${await activeId(page)}, expected ${list[2].id}`);
      await page.keyboard.press("ArrowUp");
      const now = await options(page);
      check(await activeId(page) === list[1].id, `↓↓↑: active ${await activeId(page)}, expected ${list[1].id}`);
      const selected = now.filter((o) => o.selected === "true");
      check(selected.length === 1 && selected[0].id === list[1].id && selected[0].active, `aria-selected on ${selected.map((o) => o.id)}`);
      expected = now[1].href;
      check(new URL(expected).hash.length > 1, `the active result has no anchor: ${expected}`);
    });

    await step("Enter opens the active result on its section anchor", async () => {
      check(expected, "no active result");
      await Promise.all([page.waitForURL(expected), page.keyboard.press("Enter")]);
      const at = await page.evaluate(() => ({
        path: location.pathname, hash: location.hash,
        present: !!document.getElementById(decodeURIComponent(location.hash.slice(1))),
      }));
      check(at.path === `${prefix}runbooks/postgres/disk-almost-full/`, `landed on ${at.path}`);
      check(at.hash.length > 1 && at.present, `anchor ${at.hash} missing on the page`);
    });

    await step("Esc closes the panel and gives focus back", async () => {
      await page.focus(".brand");
      await page.keyboard.press("/");
      await page.keyboard.type("certificate", { delay: 20 });
      await panelFor(page, "certificate");
      await page.keyboard.press("Escape");
      const state = await page.evaluate(() => ({
        hidden: document.getElementById("site-search-panel").hidden,
        expanded: document.getElementById("site-search-input").getAttribute("aria-expanded"),
        focus: document.activeElement?.className,
      }));
      check(state.hidden && state.expanded === "false", `panel still open: ${JSON.stringify(state)}`);
      check(state.focus === "brand", `focus went to "${state.focus}", not back to the brand link`);
      // Coming back shows the results again.
      await page.keyboard.press("/");
      await panelFor(page, "certificate");
      await page.keyboard.press("Escape");
    });

    await step("results follow every keystroke, and the last query's stay", async () => {
      await page.focus("#site-search-input");
      await page.fill("#site-search-input", "");
      const final = "kafka consumer lag";
      const seen = new Set();
      // Keys 40 ms apart, quicker than any pause a debounce would wait for.
      for (const key of final) {
        await page.keyboard.type(key);
        await page.waitForTimeout(40);
        seen.add(await page.evaluate(() => document.getElementById("site-search-panel").getAttribute("data-query")));
      }
      const during = [...seen].filter((q) => q && q !== final && final.startsWith(q));
      check(during.length >= 3, `while typing, results were shown only for ${JSON.stringify([...seen])}`);
      await panelFor(page, final);
      await page.waitForTimeout(300);
      const last = await page.evaluate(() => document.getElementById("site-search-panel").getAttribute("data-query"));
      check(last === final, `an earlier answer replaced the last one: ${last}`);
      await page.keyboard.press("Escape");
    });

    await step("a misspelt word: \"Showing results for\", a page once with at most 3 sections", async () => {
      await page.focus("#site-search-input");
      await page.fill("#site-search-input", "");
      const typo = "postgers disk";
      await page.keyboard.type(typo, { delay: 20 });
      await panelFor(page, typo);
      const state = await page.evaluate(() => {
        const note = document.querySelector("#site-search-panel .search-showing");
        const groups = Array.from(document.querySelectorAll("#site-search-listbox .search-group:not(.search-group-more)"));
        return {
          note: note && !note.hidden ? note.textContent : null,
          groups: groups.map((g) => ({
            page: g.querySelector(".search-option-page a")?.getAttribute("href"),
            sections: g.querySelectorAll(".search-option-section").length,
          })),
        };
      });
      check(state.note === "Showing results for “postgres disk”", `note: ${state.note}`);
      const pages = state.groups.map((g) => g.page);
      check(pages.length > 1 && new Set(pages).size === pages.length, `a page twice: ${pages.join(", ")}`);
      check(state.groups.every((g) => g.sections <= 3), `more than 3 sections: ${JSON.stringify(state.groups)}`);
      check(/runbooks\/postgres\/disk-almost-full\/$/.test(pages[0] || ""), `first page: ${pages[0]}`);
      await page.keyboard.press("Escape");
    });

    await step("an exact alert name puts its runbook first", async () => {
      await page.focus("#site-search-input");
      await page.fill("#site-search-input", "");
      await page.keyboard.type("PostgresDiskAlmostFull", { delay: 10 });
      await panelFor(page, "PostgresDiskAlmostFull");
      const first = (await options(page))[0];
      check(first.type === "page" && first.group === "Postgres: disk almost full", `first: ${first.group}`);
      const note = await page.$eval("#site-search-panel .search-showing", (n) => n.hidden);
      check(note, "a correction is shown for a word the index has");
      await page.keyboard.press("Escape");
    });

    await step("/ typed in another field stays there", async () => {
      await page.evaluate(() => {
        const field = document.createElement("input");
        field.id = "other-field";
        document.querySelector("main").prepend(field);
        field.focus();
      });
      await page.keyboard.press("/");
      const state = await page.evaluate(() => ({ value: document.getElementById("other-field").value, focus: document.activeElement.id }));
      check(state.value === "/" && state.focus === "other-field", JSON.stringify(state));
    });

    await step("a hostile query is shown as text", async () => {
      const text = "<img src=x onerror=alert(1)>";
      await page.focus("#site-search-input");
      await page.fill("#site-search-input", "");
      await page.keyboard.type(text, { delay: 5 });
      await panelFor(page, text);
      const state = await page.evaluate(() => ({
        injected: document.querySelectorAll("#site-search-panel img, #site-search-panel script, img[src=x]").length,
        text: document.getElementById("site-search-panel").textContent,
      }));
      check(state.injected === 0, `${state.injected} element(s) injected`);
      check(state.text.includes("<img src=x onerror=alert(1)>"), "the query is not shown as text");
      await page.waitForTimeout(200);
      await page.keyboard.press("Escape");
    });

    await step("the link to all results opens the results page", async () => {
      await page.focus("#site-search-input");
      await page.fill("#site-search-input", "");
      await page.keyboard.type("certificate", { delay: 10 });
      await panelFor(page, "certificate");
      await Promise.all([page.waitForURL(/\/search\/\?q=certificate$/), page.click(".search-option-more a")]);
      check(new URL(page.url()).pathname === `${prefix}search/`, page.url());
      await page.waitForSelector(".search-result");
    });
  }

  // ------------------------------------------------------------------ contrast, both schemes
  for (const scheme of ["light", "dark"]) {
    for (const width of [1280, 375]) {
      const { page } = await newPage({ width, scheme });
      await step(`${width}px ${scheme}: panel text contrast is at least 4.5:1, nothing overflows`, async () => {
        await page.goto(server.url + "runbooks/", { waitUntil: "load" });
        const idle = await contrastProblems(page, width < 500 ? [".site-search-icon"] : [".site-search-key", ".site-search-input::placeholder"]);
        check(!idle.length, idle.join("; "));
        if (width < 500) await page.click(".site-search-icon");
        else await page.keyboard.press("/");
        check(await page.evaluate(() => document.activeElement?.id) === "site-search-input", "the box is not focused");
        await page.keyboard.type("postgres disk", { delay: 20 });
        await panelFor(page, "postgres disk");
        await page.keyboard.press("ArrowDown");
        const problems = await contrastProblems(page, width < 500 ? PANEL_TEXT : [...PANEL_TEXT, ".search-hints"]);
        check(!problems.length, problems.join("; "));
        const box = await page.evaluate(() => {
          const panel = document.getElementById("site-search-panel");
          const r = panel.getBoundingClientRect();
          const field = document.querySelector("#site-search .site-search-field").getBoundingClientRect();
          return {
            left: r.left, right: r.right, view: document.documentElement.clientWidth,
            inner: panel.scrollWidth - panel.clientWidth,
            page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            field: [field.left, field.right],
          };
        });
        check(box.left >= 0 && box.right <= box.view + 0.5, `panel spans ${box.left}..${box.right} in ${box.view}px`);
        check(box.inner <= 0, `panel content overflows by ${box.inner}px`);
        check(box.page <= 0, `page overflows by ${box.page}px`);
        check(box.field[0] >= 0 && box.field[1] <= box.view + 0.5, `search field spans ${box.field.join("..")}`);
        await page.fill("#site-search-input", "zzzxqv");
        await panelFor(page, "zzzxqv");
        const empty = await contrastProblems(page, [".search-message"]);
        check(!empty.length, empty.join("; "));
        if (width < 500) {
          check(box.right - box.left >= box.view - 1, `the panel is not full width on a phone: ${box.left}..${box.right}`);
          // No Esc key on a phone: the close button.
          await page.click(".site-search-close");
          check(await page.$eval("#site-search-panel", (p) => p.hidden), "the close button does not close the panel");
        }
      });
      await step(`${width}px ${scheme}: results page contrast is at least 4.5:1, nothing overflows`, async () => {
        await page.goto(server.url + "search/?q=postgres", { waitUntil: "load" });
        await page.waitForSelector(".search-filter-count");
        const problems = await contrastProblems(page, PAGE_TEXT);
        check(!problems.length, problems.join("; "));
        const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        check(over <= 0, `page overflows by ${over}px`);
        const bodyDark = await page.evaluate(() => {
          const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
          return (r + g + b) / 3 < 128;
        });
        check(bodyDark === (scheme === "dark"), `the results page does not follow the ${scheme} scheme`);
      });
      await page.close();
    }
  }

  // ------------------------------------------------------------------ the results page
  {
    const { page } = await newPage();
    await step("search/?q=certificate lists the certificate runbook first, with sections and marks", async () => {
      await page.goto(server.url + "search/?q=certificate", { waitUntil: "load" });
      await page.waitForSelector(".search-result");
      const first = await page.$eval(".search-result", (r) => ({
        title: r.querySelector(".search-result-title").textContent,
        href: r.querySelector(".search-result-title").href,
        sections: r.querySelectorAll(".search-result-heading").length,
        marks: r.querySelectorAll("mark").length,
        badge: r.querySelector(".badge-kind")?.textContent,
      }));
      check(first.title === "TLS certificate expiring or expired", `first: ${first.title}`);
      check(new URL(first.href).pathname === `${prefix}runbooks/certificate-expiry/`, first.href);
      check(first.sections > 0 && first.marks > 0 && first.badge === "Runbook", JSON.stringify(first));
      check(await page.$eval("#search-page-input", (i) => i.value) === "certificate", "the box does not show the query");
      check(/certificate/.test(await page.title()), `title: ${await page.title()}`);
    });

    await step("search/?q=postgers+disk says what it shows results for, each page once", async () => {
      await page.goto(server.url + "search/?q=postgers+disk", { waitUntil: "load" });
      await page.waitForSelector(".search-result");
      const state = await page.evaluate(() => ({
        note: document.querySelector("#search-page-results .search-showing")?.textContent,
        pages: Array.from(document.querySelectorAll(".search-result-title")).map((a) => a.getAttribute("href")),
        sections: Array.from(document.querySelectorAll(".search-result")).map((r) => r.querySelectorAll(".search-result-section").length),
      }));
      check(state.note === "Showing results for “postgres disk”", `note: ${state.note}`);
      check(state.pages.length > 1 && new Set(state.pages).size === state.pages.length, `a page twice: ${state.pages.join(", ")}`);
      check(state.sections.every((n) => n <= 3), `more than 3 sections under a page: ${state.sections}`);
    });

    await step("a result shows its section's whole heading path", async () => {
      await page.goto(server.url + "search/?q=verify+wal+archiving", { waitUntil: "load" });
      await page.waitForSelector(".search-result-heading");
      const first = await page.$eval(".search-result", (r) => ({
        title: r.querySelector(".search-result-title").textContent,
        heading: r.querySelector(".search-result-heading").textContent,
        href: r.querySelector(".search-result-heading").href,
      }));
      check(first.title === "Postgres: disk almost full", `first: ${first.title}`);
      check(first.heading === "Step 2: Fix WAL archiving › Verify", `heading path: ${first.heading}`);
      check(new URL(first.href).hash === "#verify", first.href);
    });

    await step("the results page follows the saved theme choice", async () => {
      await page.evaluate(() => localStorage.setItem("opsbook-theme", "dark"));
      await page.reload({ waitUntil: "load" });
      const dark = await page.evaluate(() => {
        const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
        return document.documentElement.getAttribute("data-theme") === "dark" && (r + g + b) / 3 < 128;
      });
      await page.evaluate(() => localStorage.removeItem("opsbook-theme"));
      await page.reload({ waitUntil: "load" });
      await page.waitForSelector(".search-result");
      check(dark, "a saved dark theme is not applied on a light system");
    });

    await step("a section link lands on its anchor", async () => {
      const href = await page.$eval(".search-result-heading", (a) => a.href);
      await Promise.all([page.waitForURL(href), page.click(".search-result-heading")]);
      const present = await page.evaluate(() => !!document.getElementById(decodeURIComponent(location.hash.slice(1))));
      check(present, `no element for ${href}`);
    });

    await step("kind chips filter the results", async () => {
      await page.goto(server.url + "search/?q=postgres", { waitUntil: "load" });
      await page.waitForSelector(".search-filter-count");
      const chips = await page.$$eval(".search-filter", (cs) => cs.map((c) => ({ text: c.textContent, current: c.getAttribute("aria-current") })));
      check(chips[0].text.startsWith("All") && chips[0].current === "true", JSON.stringify(chips));
      const postmortems = page.locator(".search-filter", { hasText: "Postmortems" });
      await Promise.all([page.waitForURL(/kind=postmortem/), postmortems.click()]);
      await page.waitForSelector(".search-result");
      const kinds = await page.$$eval(".search-result .badge-kind", (bs) => bs.map((b) => b.textContent));
      const results = await page.$$eval(".search-result", (rs) => rs.length);
      check(results > 0 && kinds.length === results && kinds.every((k) => k === "Postmortem"), `kinds: ${kinds.join(", ")}`);
      check(await page.$eval(".search-filter[aria-current]", (c) => c.textContent.startsWith("Postmortems")), "the chosen chip is not current");
    });

    await step("typing on the results page updates results and the address", async () => {
      await page.goto(server.url + "search/", { waitUntil: "load" });
      check(await page.evaluate(() => document.activeElement?.id) === "search-page-input", "the box is not focused on an empty results page");
      await page.keyboard.type("kafka lag", { delay: 20 });
      await page.waitForFunction(() => new URLSearchParams(location.search).get("q") === "kafka lag" && document.querySelector(".search-result"));
      const first = await page.$eval(".search-result-title", (a) => a.textContent);
      check(/kafka/i.test(first), `first: ${first}`);
    });

    await step("a hostile query on the results page is shown as text", async () => {
      const text = "<img src=x onerror=alert(1)><script>alert(2)</script>";
      await page.goto(server.url + "search/?q=" + encodeURIComponent(text), { waitUntil: "load" });
      await page.waitForFunction(() => /“/.test(document.getElementById("search-page-summary").textContent));
      const state = await page.evaluate(() => ({
        injected: document.querySelectorAll("#search-page img, #search-page-results script, img[src=x]").length,
        summary: document.getElementById("search-page-summary").textContent,
        title: document.title,
      }));
      check(state.injected === 0, `${state.injected} element(s) injected`);
      check(state.summary.includes(text) && state.title.includes(text), `not shown as text: ${state.summary}`);
      await page.waitForTimeout(200);
    });
  }

  // ------------------------------------------------------------------ titles with HTML in them
  if (hostile) {
    const { page } = await newPage();
    const title = `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> & "quotes"`;
    await step("a page title with HTML shows as text in the panel and on the results page", async () => {
      await page.goto(hostile.url, { waitUntil: "load" });
      await page.keyboard.press("/");
      await page.keyboard.type("hostile", { delay: 20 });
      await panelFor(page, "hostile");
      const panel = await page.evaluate(() => ({
        group: document.querySelector("#site-search-listbox [role=group]")?.getAttribute("aria-label"),
        title: document.querySelector(".search-option-title")?.textContent,
        injected: document.querySelectorAll("#site-search-panel script, #site-search-panel img").length,
        xss: window.__xss,
      }));
      check(panel.title === title && panel.group === title, `panel shows ${JSON.stringify(panel.title)}`);
      check(panel.injected === 0 && panel.xss === undefined, JSON.stringify(panel));
      await page.goto(hostile.url + "search/?q=hostile", { waitUntil: "load" });
      await page.waitForSelector(".search-result");
      const results = await page.evaluate(() => ({
        title: document.querySelector(".search-result-title").textContent,
        injected: document.querySelectorAll("#search-page-results script, #search-page-results img").length,
        xss: window.__xss,
      }));
      check(results.title === title && results.injected === 0 && results.xss === undefined, JSON.stringify(results));
      await page.waitForTimeout(200);
    });
  }

  // ------------------------------------------------------------------ a Chinese handbook
  if (chinese) {
    const { page } = await newPage();
    await step("a Chinese handbook's box says so and finds two characters inside a sentence", async () => {
      await page.goto(chinese.url, { waitUntil: "load" });
      const placeholder = await page.getAttribute("#site-search-input", "placeholder");
      check(placeholder === "Search (中文)", `placeholder ${JSON.stringify(placeholder)}`);
      await page.keyboard.press("/");
      // 写满 is in the middle of "数据库的磁盘会逐渐写满", a run with no space in it.
      await page.keyboard.type("写满", { delay: 20 });
      await panelFor(page, "写满");
      const found = await options(page);
      check(found.some((o) => /shujuku-cipan/.test(o.href || "")), `options: ${JSON.stringify(found.map((o) => o.href))}`);
      await page.goto(chinese.url + "search/?q=" + encodeURIComponent("值班 告警"), { waitUntil: "load" });
      await page.waitForSelector(".search-result");
      const first = await page.$eval(".search-result a", (a) => a.href);
      check(/zhiban/.test(first), `first result ${first}`);
      check((await page.textContent(".search-language")) === "In 中文", "the results page does not say its language");
    });
  }

  // ------------------------------------------------------------------ print
  {
    const { page } = await newPage();
    await step("print hides the search box", async () => {
      await page.goto(server.url + "runbooks/", { waitUntil: "load" });
      await page.emulateMedia({ media: "print" });
      check(!(await page.isVisible("#site-search")), "the search box prints");
    });
  }

  // ------------------------------------------------------------------ JavaScript off
  {
    const noJs = await browser.browser.newContext({ javaScriptEnabled: false });
    const { page } = await newPage({ context: noJs });
    await step("with JavaScript off the box submits to the results page, which explains", async () => {
      await page.goto(server.url + "runbooks/", { waitUntil: "load" });
      await page.fill("#site-search-input", "certificate");
      await Promise.all([page.waitForURL(/\/search\/\?q=certificate$/), page.press("#site-search-input", "Enter")]);
      check(new URL(page.url()).pathname === `${prefix}search/`, page.url());
      check(await page.isVisible(".search-nojs"), "no explanation shown");
      check(/JavaScript/.test(await page.textContent(".search-nojs")), "the explanation does not mention JavaScript");
      check(!(await page.isVisible(".search-page-live")), "the JavaScript results area shows");
      const links = await page.$$eval(".search-nojs a", (as) => as.map((a) => a.href));
      check(links.length >= 3, `links: ${links.join(", ")}`);
      for (const href of links) {
        const res = await page.request.get(href);
        check(res.status() === 200, `${href}: HTTP ${res.status()}`);
      }
      const styled = await page.evaluate(() => getComputedStyle(document.querySelector(".site-header")).position);
      check(styled === "sticky", "the theme stylesheet is not applied");
    });
    await noJs.close();
  }
}

try {
  await (offline ? offlineChecks() : httpChecks());
} finally {
  for (const { problems, label } of opened) for (const p of problems) fail(`${label}: ${p}`);
  await browser.close();
  server.close();
  if (hostile) hostile.close();
  if (chinese) chinese.close();
}
console.log(failures.length === 0 ? "search checks passed" : `${failures.length} search check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
