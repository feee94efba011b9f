// What the runtime does besides ranking (that is parity.mjs): where it loads files from, how,
// what happens when one is missing, prefix expansion while typing, filters, limits, snippets.
//
//   node tests/search/runtime.mjs SITE_DIR        (a build of content-example)

import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { loadRuntime, Failures } from "./harness.mjs";

const siteDir = process.argv[2];
if (!siteDir) {
  console.error("usage: node runtime.mjs SITE_DIR");
  process.exit(2);
}
const failures = new Failures("runtime");
let checks = 0;
function check(ok, message) {
  checks++;
  if (!ok) failures.add(message);
}
const runtimeFile = process.env.OPSBOOK_RUNTIME || path.join(siteDir, "search/opsbook-search.js");

// 1. Served under a sub-path over http, with a query string on the script URL: every data file
// comes from the script's own folder, through <script> tags only — the network APIs that fail
// from file:// are traps here.
{
  const prefix = "https://ops.example/handbook/v2/";
  const requested = [];
  const forbidden = [];
  const trap = (name) => function () { forbidden.push(name); throw new Error(`${name} used`); };
  let context;
  const head = {
    appendChild(element) {
      requested.push(element.src);
      const relative = element.src.startsWith(prefix) ? element.src.slice(prefix.length) : null;
      const file = relative && path.join(siteDir, relative);
      if (!file || !fs.existsSync(file)) {
        setTimeout(() => element.onerror && element.onerror(new Error("404")), 0);
        return element;
      }
      // Asynchronous, as in a browser: the script runs later, then its load event fires.
      setTimeout(() => {
        vm.runInContext(fs.readFileSync(file, "utf8"), context);
        if (element.onload) element.onload();
      }, 1);
      return element;
    },
  };
  const document = {
    currentScript: { src: `${prefix}search/opsbook-search.js?v=3#top` },
    head,
    createElement: (tag) => ({ tagName: tag.toUpperCase(), src: "" }),
  };
  context = vm.createContext({
    document, console, setTimeout,
    fetch: trap("fetch"), XMLHttpRequest: trap("XMLHttpRequest"), Worker: trap("Worker"),
    importScripts: trap("importScripts"),
  });
  context.window = context;
  const code = fs.readFileSync(runtimeFile, "utf8");
  vm.runInContext(code, context);
  check(typeof context.opsbook.search.shard === "function", "the registry is not defined by the runtime");
  const search = context.opsbookSearch;
  check(search.base === `${prefix}search/`, `base is ${search.base}`);
  const [a, b] = await Promise.all([
    search.query("disk full postgres", { prefix: false }),
    search.query("disk full postgres", { prefix: false }),
  ]);
  check(a.length > 0 && JSON.stringify(a) === JSON.stringify(b), "two concurrent queries differ or find nothing");
  check(requested.every((u) => u.startsWith(`${prefix}search/`)), `requested outside search/: ${requested}`);
  check(new Set(requested).size === requested.length, `a file was requested twice: ${requested}`);
  check(forbidden.length === 0, `used ${forbidden}`);
  // Loaded a second time (the theme and a user's page): the first instance stays.
  vm.runInContext(code, context);
  check(context.opsbookSearch === search, "a second load replaced the runtime");
}

// 2. A data file that cannot be loaded rejects the query; the next query tries again.
{
  let blocked = true;
  const { search, window } = loadRuntime(siteDir, runtimeFile);
  const original = window.document.head.appendChild;
  window.document.head.appendChild = function (element) {
    if (blocked && /meta\.js$/.test(element.src)) {
      queueMicrotask(() => element.onerror(new Error("offline")));
      return element;
    }
    return original.call(this, element);
  };
  let error = null;
  await search.query("disk").catch((e) => { error = e; });
  check(error && /cannot load/.test(error.message), `a missing meta.js gave ${error}`);
  blocked = false;
  const again = await search.query("disk");
  check(again.length > 0, "the query after a failed load found nothing");
}

// 3. Results, filters, prefixes and snippets.
{
  const { search } = loadRuntime(siteDir, runtimeFile);
  const exact = await search.query("postgres", { prefix: false });
  check(exact.length === 10, `limit 10 by default, got ${exact.length}`);
  check((await search.query("postgres", { limit: 3, prefix: true })).length === 3, "limit 3");
  for (const r of exact) {
    check(typeof r.url === "string" && !r.url.startsWith("/"), `url ${r.url} is not site-relative`);
    check(["url", "title", "section", "kind", "score", "snippet", "doc"].every((k) => k in r), `fields of ${r.url}`);
  }
  const scores = exact.map((r) => r.score);
  check(scores.every((s, i) => i === 0 || s <= scores[i - 1]), "scores are not descending");

  // While typing, the last word also matches the terms it starts.
  const kubernetes = await search.query("kubernetes", { prefix: false });
  const typed = await search.query("kuber", { prefix: true });
  check(typed.length > 0 && typed[0].url === kubernetes[0].url, `typing "kuber" finds ${typed[0] && typed[0].url}, not ${kubernetes[0].url}`);
  // …but not once the word is finished with a separator: then `kuber`, a term the example does
  // not have, is corrected to `kube`, one edit away.
  for (const text of ["kuber", "kuber "]) {
    const finished = await search.pages(text, { prefix: text.endsWith(" ") });
    check(finished.showing === "kube", `"${text}" shows results for ${finished.showing}`);
  }
  const clauses = await search._internals.clauses("kuber ", true);
  check(JSON.stringify(clauses) === JSON.stringify([["kube"]]), `"kuber " expanded the prefix: ${JSON.stringify(clauses)}`);
  // The edit distance: a swap of neighbours is one edit.
  const distance = search._internals.editDistance;
  check(distance("postgers", "postgres") === 1 && distance("ca", "abc") === 3 && distance("zürich", "zurich") === 1, "edit distances");
  const spaced = await search.query("postgres ", { limit: 10, prefix: true });
  check(JSON.stringify(spaced.map((r) => r.url)) === JSON.stringify(exact.map((r) => r.url)), "`postgres ` differs from the exact query");
  // The unstemmed form expands too: `filesy` stems to `filesi`, which starts no term; `filesy`
  // starts `filesystem`.
  check((await search.query("filesy", { prefix: true })).length > 0, "`filesy` finds nothing while typing");

  // Filters.
  const runbooks = await search.query("disk", { kind: "runbook", prefix: false });
  check(runbooks.length > 0 && runbooks.every((r) => r.kind === "runbook"), "kind=runbook keeps other kinds");
  check((await search.query("disk", { service: "no-such-service" })).length === 0, "an unknown service matches");
  const both = await search.query("errors", { kind: "postmortem", severity: "sev2", prefix: false });
  check(both.every((r) => r.kind === "postmortem"), "kind and severity together");

  // Snippets: plain text around the first matching word.
  const cert = await search.query("certificate", { prefix: false });
  const withWord = cert.filter((r) => /certificat/i.test(r.snippet));
  check(withWord.length >= cert.length / 2, `snippets miss the word: ${cert.map((r) => r.snippet).join(" | ")}`);
  check(cert.every((r) => r.snippet.length <= 170), "a snippet is too long");

  // Markup in a query is words like any other.
  const html = await search.query("<script>alert(1)</script> disk", { prefix: false });
  const words = await search.query("script alert 1 disk", { prefix: false });
  check(JSON.stringify(html) === JSON.stringify(words), "markup changed the results");
  check((await search.query("", {})).length === 0 && (await search.query("   ")).length === 0, "an empty query found something");

  // The analyzer is exposed for highlighting.
  check(JSON.stringify(search.analyze("Expiring Certificates")) === '["expir","certif"]', "analyze()");
}

failures.finish(`${checks} checks`);
