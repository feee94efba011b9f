/* opsbook default theme: the search box in the header (results as you type, in a dropdown under
   it) and the results page (search/, the theme's search.html).

   Both ask the runtime the build writes into the site, search/opsbook-search.js:
   window.opsbookSearch.pages(text, {limit, kind, service, severity, prefix}) -> Promise of
   {showing, pages: [{url, title, kind, score, sections: [{url, title, section, path, kind, score,
   snippet, doc}]}]}, the best `limit` pages, each with up to 3 sections, best first, as `opsbook
   search` prints them; `url` relative to the site root, `path` the section's headings, outermost
   first; `showing` the query as corrected when a word of it was misspelt.

   The header box loads the runtime on first use (focus, `/`), with a <script> tag: it is ~60 KB
   with its stemmer, which a reader who never searches should not pay for; the index files it
   needs come after it, also on demand. The box is a real form: with JavaScript off it submits
   `q` to the results page, which explains that search needs JavaScript.

   Where things are: the form's `action` names the results page (…/search/), and the runtime sits
   in that folder. Result links are made from the runtime's own folder (`opsbookSearch.base`): the
   site root is the folder above it. Both survive a site moved under another path or opened from
   disk (there, folder links name their index.html, since no server picks it).

   Every title, heading, snippet and query reaches the page as text (textContent, text nodes),
   never as HTML: a page title may contain "<script>". Loaded with `defer`; no dependencies. */
(function () {
  "use strict";

  var KIND_LABELS = { runbook: "Runbook", process: "Process", postmortem: "Postmortem", incident: "Incident", page: "Page" };
  var KIND_PLURALS = { runbook: "Runbooks", process: "Processes", postmortem: "Postmortems", incident: "Incidents", page: "Pages" };
  var KINDS = ["runbook", "process", "postmortem", "incident", "page"];
  // How long typing pauses before the results page's address follows the query.
  var URL_DELAY_MS = 300;
  var DROPDOWN_LIMIT = 12;
  var PAGE_LIMIT = 50;
  // The runtime's words: runs of letters and digits (tantivy's simple tokenizer).
  var WORD_SOURCE = "[\\p{Alphabetic}\\p{Nd}\\p{Nl}\\p{No}]+";
  var ENDS_IN_WORD = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]$/u;

  /* ---------------------------------------------------------------- small helpers */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function kindBadge(kind) {
    if (!Object.prototype.hasOwnProperty.call(KIND_LABELS, kind) || kind === "page") return null;
    return el("span", "badge badge-kind kind-" + kind, KIND_LABELS[kind]);
  }

  // Is the key press meant for a field (so `/` types a slash there)?
  function isTyping(target) {
    if (!target || target === document.body || target === document.documentElement) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    var type = (target.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset", "image", "file", "range", "color"].indexOf(type) < 0;
  }

  // Opened from disk, a folder URL shows a listing: name its index.html.
  var FROM_DISK = window.location.protocol === "file:";
  function withIndex(url) {
    if (!FROM_DISK) return url;
    var cut = url.search(/[?#]/);
    var path = cut < 0 ? url : url.slice(0, cut);
    var rest = cut < 0 ? "" : url.slice(cut);
    return path === "" || /\/$/.test(path) ? path + "index.html" + rest : url;
  }

  /* ---------------------------------------------------------------- the runtime */

  var loading = null;

  // Adds the runtime's <script> once; resolves with window.opsbookSearch.
  function loadRuntime(src) {
    if (window.opsbookSearch && window.opsbookSearch.query) return Promise.resolve(window.opsbookSearch);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = function () {
        if (window.opsbookSearch && window.opsbookSearch.query) resolve(window.opsbookSearch);
        else { loading = null; reject(new Error("opsbook search: no runtime in " + script.src)); }
      };
      script.onerror = function () {
        loading = null; // try again on the next search (the network may come back)
        if (script.parentNode) script.parentNode.removeChild(script);
        reject(new Error("opsbook search: cannot load " + script.src));
      };
      (document.head || document.documentElement).appendChild(script);
    });
    return loading;
  }

  // The site root, as an absolute URL: the folder above the one the runtime loads from.
  function siteRoot(search) {
    return new URL("../", new URL(search.base || "search/", document.baseURI)).href;
  }

  // The link of a result (its url is relative to the site root; it never leaves it).
  function hrefOf(root, url) {
    return root + withIndex(String(url || "").replace(/^\/+/, ""));
  }

  /* ---------------------------------------------------------------- highlighting */

  // A function that appends `value` to a node, the words matching `query` in <mark>: a word
  // matches when its index term is one of the query's, or, while the last word is still being
  // typed, when it starts with that word (the runtime expands it the same way, from 3 characters).
  function highlighter(search, query) {
    var terms = Object.create(null);
    search.analyze(query).forEach(function (t) { terms[t] = true; });
    var words = String(query).match(new RegExp(WORD_SOURCE, "gu")) || [];
    var prefixes = [];
    if (words.length && ENDS_IN_WORD.test(query) && Array.from(words[words.length - 1]).length >= 3) {
      var last = words[words.length - 1];
      var stem = search.analyze(last)[0];
      if (stem) prefixes.push(stem);
      prefixes.push(last.toLowerCase());
    }
    var known = new Map();
    function matches(word) {
      if (known.has(word)) return known.get(word);
      var t = search.analyze(word)[0];
      var lower = word.toLowerCase();
      var hit = t !== undefined && (terms[t] === true || prefixes.some(function (p) {
        return t.indexOf(p) === 0 || lower.indexOf(p) === 0;
      }));
      known.set(word, hit);
      return hit;
    }
    return function (target, value) {
      value = String(value === undefined || value === null ? "" : value);
      var word = new RegExp(WORD_SOURCE, "gu");
      var at = 0, m;
      while ((m = word.exec(value))) {
        if (!matches(m[0])) continue;
        if (m.index > at) target.appendChild(document.createTextNode(value.slice(at, m.index)));
        target.appendChild(el("mark", "", m[0]));
        at = m.index + m[0].length;
      }
      if (at < value.length) target.appendChild(document.createTextNode(value.slice(at)));
      return target;
    };
  }

  /* ---------------------------------------------------------------- grouping */

  // "Restore › Point-in-time recovery": the headings above a section and its own.
  function headingPath(result) {
    return (result.path && result.path.length ? result.path : [result.section]).join(" › ");
  }

  // The runtime's pages as shown: {page, title, kind, intro (the page's own text, when it
  // matched), sections (the others)}.
  function groupByPage(found) {
    return found.pages.map(function (p) {
      var group = { page: p.url, title: p.title, kind: p.kind, intro: null, sections: [] };
      p.sections.forEach(function (r) {
        if (String(r.url || "").indexOf("#") < 0 || !r.section) {
          if (!group.intro) group.intro = r;
        } else {
          group.sections.push(r);
        }
      });
      return group;
    });
  }

  function countText(groups) {
    var p = groups.length;
    return p + (p === 1 ? " page" : " pages");
  }

  // "Showing results for …", when the runtime corrected a misspelt word; else null.
  function showingNote(found) {
    return found.showing ? el("p", "search-showing", "Showing results for “" + found.showing + "”") : null;
  }

  /* ---------------------------------------------------------------- the header box */

  function setupHeaderSearch() {
    var form = document.getElementById("site-search");
    var input = document.getElementById("site-search-input");
    if (!form || !input || !window.Promise || !window.URL) return;
    // Made here (without this script there is nothing to close), unless a theme's own base.html
    // still ships it.
    var closeButton = form.querySelector(".site-search-close");
    if (!closeButton) {
      closeButton = el("button", "site-search-close");
      closeButton.type = "button";
      closeButton.hidden = true;
      closeButton.innerHTML = '<span class="icon icon-close" aria-hidden="true"></span>' +
        '<span class="visually-hidden">Close search</span>';
      (form.querySelector(".site-search-field") || form).appendChild(closeButton);
    }
    // The results page (`action`, never `form.action`: a field named "action" would shadow it).
    var resultsPage = new URL(form.getAttribute("action") || "search/", document.baseURI).href;
    var runtimeSrc = new URL("opsbook-search.js", resultsPage).href;

    var panel = el("div", "search-panel");
    panel.id = "site-search-panel";
    panel.hidden = true;
    var status = el("p", "visually-hidden");
    status.setAttribute("role", "status");
    var message = el("p", "search-message");
    message.hidden = true;
    var showing = el("p", "search-showing");
    showing.hidden = true;
    var listbox = el("div", "search-listbox");
    listbox.id = "site-search-listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", "Search results");
    var hints = el("p", "search-hints");
    hints.setAttribute("aria-hidden", "true");
    [["↑", "↓", "to move"], ["Enter", "to open"], ["Esc", "to close"]].forEach(function (hint) {
      var span = el("span", "search-hint");
      hint.forEach(function (part, i) {
        if (i === hint.length - 1) span.appendChild(document.createTextNode(" " + part));
        else span.appendChild(el("kbd", "", part));
      });
      hints.appendChild(span);
    });
    // Outside the panel: a live region inside a hidden element is not read out.
    form.appendChild(status);
    panel.appendChild(message);
    panel.appendChild(showing);
    panel.appendChild(listbox);
    panel.appendChild(hints);
    form.appendChild(panel);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-haspopup", "listbox");

    var options = [];
    var active = -1;
    var shown = null; // the text the panel shows results for
    var seq = 0;
    var returnTo = null; // where focus was before the box got it

    function open() {
      if (!panel.hidden) return;
      panel.hidden = false;
      form.classList.add("is-open");
      input.setAttribute("aria-expanded", "true");
      closeButton.hidden = false;
    }

    function close() {
      seq++; // a query on its way must not reopen the panel
      if (panel.hidden) return;
      panel.hidden = true;
      form.classList.remove("is-open");
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
      closeButton.hidden = true;
    }

    function setActive(i) {
      if (options[active]) {
        options[active].classList.remove("is-active");
        options[active].setAttribute("aria-selected", "false");
      }
      active = i >= 0 && i < options.length ? i : -1;
      var option = options[active];
      if (!option) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      option.classList.add("is-active");
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      reveal(option);
    }

    // Scrolls the panel (never the page) so that the option is in view.
    function reveal(option) {
      if (panel.hidden) return;
      var box = panel.getBoundingClientRect();
      var r = option.getBoundingClientRect();
      if (r.top < box.top) panel.scrollTop -= box.top - r.top + 8;
      else if (r.bottom > box.bottom) panel.scrollTop += r.bottom - box.bottom + 8;
    }

    function addOption(list, href, className, fill) {
      var option = el("li", "search-option " + className);
      option.id = "site-search-option-" + options.length;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var link = el("a", "search-option-link");
      link.href = href;
      link.tabIndex = -1;
      fill(link);
      option.appendChild(link);
      list.appendChild(option);
      options.push(option);
      return option;
    }

    function allResultsHref(text) {
      var url = new URL(resultsPage);
      url.search = "?q=" + encodeURIComponent(text);
      url.pathname = url.pathname.replace(/\/$/, FROM_DISK ? "/index.html" : "/");
      return url.href;
    }

    function render(search, text, found) {
      listbox.textContent = "";
      options = [];
      active = -1;
      shown = text;
      panel.setAttribute("data-query", text);
      panel.scrollTop = 0;
      var groups = groupByPage(found);
      var note = showingNote(found);
      showing.hidden = !note;
      showing.textContent = note ? note.textContent : "";
      if (!groups.length) {
        message.hidden = false;
        message.textContent = "No results for “" + text.trim() + "”.";
        listbox.hidden = true;
        status.textContent = "No results";
        return;
      }
      message.hidden = true;
      listbox.hidden = false;
      var mark = highlighter(search, found.showing || text);
      var root = siteRoot(search);
      groups.forEach(function (g) {
        var list = el("ul", "search-group");
        list.setAttribute("role", "group");
        list.setAttribute("aria-label", g.title);
        addOption(list, hrefOf(root, g.page), "search-option-page", function (link) {
          var head = el("span", "search-option-head");
          mark(head.appendChild(el("span", "search-option-title")), g.title);
          var badge = kindBadge(g.kind);
          if (badge) head.appendChild(badge);
          link.appendChild(head);
          if (g.intro && g.intro.snippet) mark(link.appendChild(el("span", "search-snippet")), g.intro.snippet);
        });
        g.sections.forEach(function (s) {
          addOption(list, hrefOf(root, s.url), "search-option-section", function (link) {
            mark(link.appendChild(el("span", "search-option-heading")), headingPath(s));
            if (s.snippet) mark(link.appendChild(el("span", "search-snippet")), s.snippet);
          });
        });
        listbox.appendChild(list);
      });
      var more = el("ul", "search-group search-group-more");
      more.setAttribute("role", "group");
      more.setAttribute("aria-label", "More");
      addOption(more, allResultsHref(text), "search-option-more", function (link) {
        link.appendChild(document.createTextNode("All results for “" + text.trim() + "”"));
      });
      listbox.appendChild(more);
      status.textContent = (note ? note.textContent + ": " : "") + countText(groups);
      setActive(0);
    }

    function renderError() {
      listbox.textContent = "";
      options = [];
      active = -1;
      shown = null;
      listbox.hidden = true;
      showing.hidden = true;
      message.hidden = false;
      message.textContent = "Search is not available: its index could not be loaded.";
      status.textContent = message.textContent;
    }

    function run() {
      var text = input.value;
      var mine = ++seq;
      if (!text.trim()) {
        close();
        shown = null;
        return;
      }
      loadRuntime(runtimeSrc).then(function (search) {
        return search.pages(text, { limit: DROPDOWN_LIMIT, prefix: true }).then(function (found) {
          if (mine !== seq) return;
          render(search, text, found);
          if (document.activeElement === input) open();
        });
      }).catch(function () {
        if (mine !== seq) return;
        renderError();
        if (document.activeElement === input) open();
      });
    }

    function restoreFocus() {
      var target = returnTo;
      returnTo = null;
      if (target && target !== input && document.documentElement.contains(target) && typeof target.focus === "function") {
        target.focus({ preventScroll: true });
      } else {
        input.blur();
      }
    }

    function follow(option, newTab) {
      var link = option && option.querySelector("a");
      if (!link) return;
      if (newTab) {
        window.open(link.href, "_blank", "noopener");
        return;
      }
      close();
      returnTo = null;
      input.blur();
      window.location.assign(link.href);
    }

    input.addEventListener("focus", function (event) {
      var from = event.relatedTarget;
      if (from && !form.contains(from)) returnTo = from;
      // Start loading now: by the time the first word is typed, the runtime is there.
      loadRuntime(runtimeSrc).then(function (search) {
        return search.query("", { limit: 0 }); // loads the index's meta file
      }).catch(function () { /* reported when a query is made */ });
      if (input.value.trim()) {
        if (shown === input.value) {
          open();
          setActive(0);
        } else {
          run();
        }
      }
    });

    input.addEventListener("input", function () {
      if (!input.value.trim()) {
        close();
        shown = null;
        return;
      }
      // Every keystroke searches: an answer to an older text is dropped when it arrives (seq).
      run();
    });

    form.addEventListener("keydown", function (event) {
      if (event.isComposing || event.keyCode === 229) return;
      var key = event.key;
      if (key === "Escape") {
        if (panel.hidden && document.activeElement !== input) return;
        event.preventDefault();
        close();
        restoreFocus();
        return;
      }
      if (event.target !== input) return;
      if (key === "ArrowDown" || key === "ArrowUp") {
        event.preventDefault();
        if (panel.hidden) {
          if (input.value.trim() && shown === input.value && options.length) { open(); setActive(0); }
          else if (input.value.trim()) run();
          return;
        }
        if (!options.length) return;
        var n = options.length;
        setActive(key === "ArrowDown" ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1));
      } else if (key === "Enter") {
        // The active result, when the panel shows results for what is typed; otherwise the form
        // goes to the results page.
        if (!panel.hidden && active >= 0 && shown === input.value) {
          event.preventDefault();
          follow(options[active], event.ctrlKey || event.metaKey);
        }
      }
    });

    form.addEventListener("submit", function (event) {
      if (!input.value.trim()) {
        event.preventDefault();
        return;
      }
      if (FROM_DISK) {
        // A file:// folder URL shows a listing: go to the page itself.
        event.preventDefault();
        window.location.assign(allResultsHref(input.value));
      }
    });

    // Pointing at a result makes it the active one (Enter then opens it).
    listbox.addEventListener("mousemove", function (event) {
      var option = event.target && event.target.closest ? event.target.closest("[role=option]") : null;
      var i = option ? options.indexOf(option) : -1;
      if (i >= 0 && i !== active) setActive(i);
    });

    listbox.addEventListener("click", function (event) {
      var link = event.target && event.target.closest ? event.target.closest("a") : null;
      if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
      close();
      returnTo = null;
    });

    // Focus leaving the box (a click elsewhere, Tab, another window) closes the panel.
    form.addEventListener("focusout", function (event) {
      var to = event.relatedTarget;
      if (to && form.contains(to)) return;
      close();
    });

    closeButton.addEventListener("click", function () {
      close();
      restoreFocus();
    });

    // `/` opens the box from anywhere but a field.
    focusOnSlash(input);
  }

  /** `/` focuses `input` from anywhere but a field (the first box to claim it wins). */
  function focusOnSlash(input) {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      if (isTyping(event.target)) return;
      event.preventDefault();
      input.focus();
      input.select();
    });
  }

  /* ---------------------------------------------------------------- the results page */

  function setupResultsPage() {
    var pageRoot = document.getElementById("search-page");
    var form = document.getElementById("search-page-form");
    var input = document.getElementById("search-page-input");
    var summary = document.getElementById("search-page-summary");
    var filterList = document.getElementById("search-page-filters");
    var out = document.getElementById("search-page-results");
    if (!pageRoot || !form || !input || !summary || !filterList || !out) return;

    var params = new URLSearchParams(window.location.search);
    var filters = {
      kind: params.get("kind") || "",
      service: params.get("service") || "",
      severity: params.get("severity") || ""
    };
    input.value = params.get("q") || "";
    pageRoot.classList.add("is-searching");

    var search = null;
    var seq = 0;
    var timer = null;

    function urlFor(text, changes) {
      var p = new URLSearchParams();
      if (text) p.set("q", text);
      ["kind", "service", "severity"].forEach(function (key) {
        var value = changes && Object.prototype.hasOwnProperty.call(changes, key) ? changes[key] : filters[key];
        if (value) p.set(key, value);
      });
      var query = p.toString();
      return window.location.pathname + (query ? "?" + query : "");
    }

    function chip(label, count, href, current, className) {
      var li = el("li", "");
      var a = el("a", "search-filter" + (className ? " " + className : ""));
      a.href = href;
      a.appendChild(document.createTextNode(label));
      if (count !== null) a.appendChild(el("span", "search-filter-count", count));
      if (current) a.setAttribute("aria-current", "true");
      li.appendChild(a);
      filterList.appendChild(li);
    }

    function renderFilters(text, counts) {
      filterList.textContent = "";
      if (!text.trim()) { filterList.hidden = true; return; }
      filterList.hidden = false;
      var label = function (n) { return n >= PAGE_LIMIT ? PAGE_LIMIT + "+" : String(n); };
      chip("All", counts ? label(counts.all) : null, urlFor(text, { kind: "" }), !filters.kind);
      KINDS.forEach(function (kind) {
        var n = counts ? counts[kind] : null;
        if (counts && !n && filters.kind !== kind) return;
        chip(KIND_PLURALS[kind], n === null ? null : label(n), urlFor(text, { kind: kind }), filters.kind === kind, "kind-" + kind);
      });
      ["service", "severity"].forEach(function (key) {
        if (!filters[key]) return;
        var change = {};
        change[key] = "";
        var li = el("li", "");
        var a = el("a", "search-filter search-filter-remove");
        a.href = urlFor(text, change);
        a.setAttribute("aria-current", "true");
        a.appendChild(document.createTextNode((key === "service" ? "Service: " : "Severity: ") + filters[key]));
        a.appendChild(el("span", "search-filter-x", "×"));
        a.setAttribute("aria-label", "Remove the filter " + key + " " + filters[key]);
        li.appendChild(a);
        filterList.appendChild(li);
      });
    }

    function renderResults(text, found) {
      out.textContent = "";
      var groups = groupByPage(found);
      var scope = !filters.kind ? "" : " in " +
        (Object.prototype.hasOwnProperty.call(KIND_PLURALS, filters.kind) ? KIND_PLURALS[filters.kind] : filters.kind);
      var note = showingNote(found);
      if (note) out.appendChild(note);
      if (!groups.length) {
        summary.textContent = "No results for “" + text.trim() + "”" + scope + ".";
        var tip = el("p", "search-tip", "Try fewer words, another spelling, or the name of the alert or service.");
        out.appendChild(tip);
        return;
      }
      summary.textContent = countText(groups) + " for “" + text.trim() + "”" + scope +
        (groups.length >= PAGE_LIMIT ? " (the best " + PAGE_LIMIT + ")" : "") + ".";
      var mark = highlighter(search, found.showing || text);
      var root = siteRoot(search);
      var list = el("ol", "search-results");
      groups.forEach(function (g) {
        var item = el("li", "search-result");
        var head = el("div", "search-result-head");
        var title = el("a", "search-result-title");
        title.href = hrefOf(root, g.page);
        mark(title, g.title);
        head.appendChild(title);
        var badge = kindBadge(g.kind);
        if (badge) head.appendChild(badge);
        item.appendChild(head);
        item.appendChild(el("p", "search-result-path", "/" + g.page));
        if (g.intro && g.intro.snippet) mark(item.appendChild(el("p", "search-snippet")), g.intro.snippet);
        if (g.sections.length) {
          var sections = el("ul", "search-result-sections");
          g.sections.forEach(function (s) {
            var li = el("li", "search-result-section");
            var link = el("a", "search-result-heading");
            link.href = hrefOf(root, s.url);
            mark(link, headingPath(s));
            li.appendChild(link);
            if (s.snippet) mark(li.appendChild(el("p", "search-snippet")), s.snippet);
            sections.appendChild(li);
          });
          item.appendChild(sections);
        }
        list.appendChild(item);
      });
      out.appendChild(list);
    }

    function run(replaceUrl) {
      window.clearTimeout(timer);
      var text = input.value;
      var mine = ++seq;
      if (replaceUrl) rememberInUrl(text);
      document.title = text.trim() ? "“" + text.trim() + "” · Search" : "Search";
      if (!text.trim()) {
        out.textContent = "";
        summary.textContent = "Type what you are looking for: an alert name, an error message, a service, a command.";
        renderFilters("", null);
        return;
      }
      var options = { limit: PAGE_LIMIT, prefix: true, kind: filters.kind, service: filters.service, severity: filters.severity };
      search.pages(text, options).then(function (found) {
        if (mine !== seq) return;
        renderResults(text, found);
        renderFilters(text, null);
        // How many results each kind has (within the other filters), for the chips.
        var each = KINDS.map(function (kind) {
          return search.pages(text, { limit: PAGE_LIMIT, prefix: true, kind: kind, service: filters.service, severity: filters.severity });
        });
        each.push(search.pages(text, { limit: PAGE_LIMIT, prefix: true, service: filters.service, severity: filters.severity }));
        return Promise.all(each).then(function (lists) {
          if (mine !== seq) return;
          var counts = { all: lists[KINDS.length].pages.length };
          KINDS.forEach(function (kind, i) { counts[kind] = lists[i].pages.length; });
          renderFilters(text, counts);
        });
      }).catch(function () {
        if (mine !== seq) return;
        failed();
      });
    }

    function rememberInUrl(text) {
      if (!(window.history && window.history.replaceState)) return;
      try { window.history.replaceState(null, "", urlFor(text.trim() ? text : "")); } catch (e) { /* file:// in some browsers */ }
    }

    function failed() {
      out.textContent = "";
      summary.textContent = "Search is not available: its index could not be loaded.";
      pageRoot.classList.add("is-broken");
    }

    summary.textContent = "Loading the search index…";
    loadRuntime(new URL("opsbook-search.js", window.location.href).href).then(function (runtime) {
      search = runtime;
      run(false);
      // Results follow every keystroke; the address, which browsers let a page rewrite only so
      // often, follows once typing pauses.
      input.addEventListener("input", function () {
        run(false);
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { rememberInUrl(input.value); }, URL_DELAY_MS);
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        run(true);
      });
    }, failed);

    if (!input.value) input.focus();

    focusOnSlash(input);
  }

  /* ---------------------------------------------------------------- start */

  function start() {
    [setupHeaderSearch, setupResultsPage].forEach(function (step) {
      try { step(); } catch (e) { /* search must not break the page */ }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
