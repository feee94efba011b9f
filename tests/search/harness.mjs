// Runs the browser search runtime in node, the way a browser runs it: in its own global context
// (node:vm) with a minimal `document` whose <script> elements evaluate their file from disk when
// appended, then fire onload (or onerror when the file is missing). Nothing else is given to the
// runtime: no fetch, no XMLHttpRequest, no TextEncoder, no atob — if it used them, it would fail.

import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Loads `runtime` (default SITE/search/opsbook-search.js; env OPSBOOK_RUNTIME overrides it, to try
 * an edited runtime without rebuilding the site) as if from `SITE/search/` over file://.
 * Returns { search: window.opsbookSearch, loaded: [file names the runtime asked for], window }.
 */
export function loadRuntime(siteDir, runtime) {
  const searchDir = path.resolve(siteDir, "search");
  const runtimePath = path.resolve(
    runtime || process.env.OPSBOOK_RUNTIME || path.join(searchDir, "opsbook-search.js"),
  );
  const loaded = [];
  const head = {
    children: [],
    appendChild(element) {
      this.children.push(element);
      if (element.tagName !== "SCRIPT") return element;
      const file = fileURLToPath(element.src);
      loaded.push(path.relative(searchDir, file));
      let code;
      try {
        code = fs.readFileSync(file, "utf8");
      } catch {
        queueMicrotask(() => element.onerror && element.onerror(new Error("not found")));
        return element;
      }
      document.currentScript = element;
      vm.runInContext(code, context, { filename: file });
      document.currentScript = null;
      if (element.onload) element.onload();
      return element;
    },
  };
  const document = {
    currentScript: { src: pathToFileURL(path.join(searchDir, "opsbook-search.js")).href },
    head,
    documentElement: head,
    createElement(tag) {
      return { tagName: String(tag).toUpperCase(), src: "", onload: null, onerror: null };
    },
    getElementsByTagName() {
      return [];
    },
  };
  const context = vm.createContext({ document, console });
  context.window = context;
  vm.runInContext(fs.readFileSync(runtimePath, "utf8"), context, { filename: runtimePath });
  document.currentScript = null;
  if (!context.opsbookSearch) throw new Error(`${runtimePath} did not define window.opsbookSearch`);
  return { search: context.opsbookSearch, loaded, window: context };
}

/** A list of failures that prints them all at the end and sets the exit code. */
export class Failures {
  constructor(name) {
    this.name = name;
    this.list = [];
  }
  add(message) {
    this.list.push(message);
  }
  finish(summary) {
    if (this.list.length) {
      const shown = this.list.slice(0, 200);
      console.error(`${this.name}: ${this.list.length} failure(s)\n  ${shown.join("\n  ")}`);
      if (this.list.length > shown.length) console.error(`  … and ${this.list.length - shown.length} more`);
      process.exitCode = 1;
    } else {
      console.log(`${this.name}: ok, ${summary}`);
    }
  }
}
