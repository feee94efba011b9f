/* opsbook default theme: small enhancements on top of a page that works without JavaScript.
   Theme toggle, phone menu, copy buttons on code blocks, runbook parameters and checklists,
   on-page TOC highlighting, print helpers.
   Loaded with `defer`; no dependencies; every lookup is guarded. */
(function () {
  "use strict";

  var root = document.documentElement;
  var STORAGE_KEY = "opsbook-theme";
  var MODES = ["system", "light", "dark"];
  var LABELS = { system: "System", light: "Light", dark: "Dark" };

  /* A polite live region, so screen readers hear "Copied" and theme changes. */
  var live = null;
  function announce(text) {
    if (!live) {
      live = document.createElement("div");
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  /* ---------------------------------------------------------------- theme */

  function readMode() {
    try {
      var v = window.localStorage.getItem(STORAGE_KEY);
      return MODES.indexOf(v) >= 0 ? v : "system";
    } catch (e) {
      return "system";
    }
  }

  function saveMode(mode) {
    try { window.localStorage.setItem(STORAGE_KEY, mode); } catch (e) { /* private mode: not remembered */ }
  }

  function applyMode(mode) {
    if (mode === "light" || mode === "dark") root.setAttribute("data-theme", mode);
    else root.removeAttribute("data-theme");
  }

  /* The first click from "system" always changes what is on screen: it goes to the
     scheme the system is not showing, then the other one, then back to the system. */
  function nextMode(mode) {
    var systemDark = !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
    var order = systemDark ? ["system", "light", "dark"] : ["system", "dark", "light"];
    return order[(order.indexOf(mode) + 1) % order.length];
  }

  /* The header's buttons work only with JavaScript, so they are made here instead of being
     shipped, hidden, in every page. */
  function icon(name) {
    return '<span class="icon icon-' + name + '" aria-hidden="true"></span>';
  }

  function makeButton(className, id, html) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.id = id;
    button.innerHTML = html;
    return button;
  }

  function setupThemeToggle() {
    // A theme's own base.html may still ship the button: use it rather than add a second.
    var button = document.getElementById("theme-toggle");
    var actions = document.querySelector(".site-header .header-actions");
    if (!button) {
      if (!actions) return;
      button = makeButton("icon-button theme-toggle", "theme-toggle",
        '<span class="theme-icon theme-icon-system">' + icon("system") + "</span>" +
        '<span class="theme-icon theme-icon-light">' + icon("sun") + "</span>" +
        '<span class="theme-icon theme-icon-dark">' + icon("moon") + "</span>" +
        '<span class="theme-toggle-label">Theme</span>');
      actions.appendChild(button);
    }
    button.hidden = false;

    function render(mode) {
      var next = nextMode(mode);
      var text = "Theme: " + LABELS[mode] + ". Switch to " + LABELS[next].toLowerCase() + ".";
      button.setAttribute("data-mode", mode);
      button.setAttribute("aria-label", text);
      button.title = text;
    }

    var mode = readMode();
    render(mode);

    button.addEventListener("click", function () {
      var next = nextMode(readMode());
      saveMode(next);
      applyMode(next);
      render(next);
      announce("Theme: " + LABELS[next]);
    });

    /* Another tab changed the theme. */
    window.addEventListener("storage", function (event) {
      if (event.key !== STORAGE_KEY) return;
      var m = readMode();
      applyMode(m);
      render(m);
    });
  }

  /* ---------------------------------------------------------------- phone menu */

  function setupNavToggle() {
    var header = document.querySelector(".site-header .header-inner");
    var nav = document.getElementById("site-nav");
    var button = document.getElementById("nav-toggle");
    if (!nav || (!button && !header)) return;
    if (!button) {
      button = makeButton("icon-button nav-toggle", "nav-toggle",
        '<span class="when-closed">' + icon("menu") + '</span><span class="when-open">' + icon("close") +
        '</span><span class="visually-hidden">Menu</span>');
      button.setAttribute("aria-controls", "site-nav");
      button.setAttribute("aria-expanded", "false");
      header.insertBefore(button, header.firstChild);
    }
    button.hidden = false;

    function setOpen(open) {
      root.classList.toggle("nav-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }

    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      setOpen(open);
      if (open) {
        var target = nav.querySelector("[aria-current=page]") || nav.querySelector("a");
        if (target && typeof target.focus === "function") target.focus({ preventScroll: false });
      }
    });

    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && root.classList.contains("nav-open")) {
        setOpen(false);
        button.focus();
      }
    });

    /* Following a link inside the page (or to another one) closes the panel. */
    nav.addEventListener("click", function (event) {
      var link = event.target && event.target.closest ? event.target.closest("a") : null;
      if (link) setOpen(false);
    });

    /* Growing past the phone layout closes it too. */
    if (window.matchMedia) {
      var wide = window.matchMedia("(min-width: 56rem)");
      var onChange = function () { if (wide.matches) setOpen(false); };
      if (wide.addEventListener) wide.addEventListener("change", onChange);
      else if (wide.addListener) wide.addListener(onChange);
    }
  }

  /* Keep the current page visible in a long sidebar (wide screens). */
  function revealCurrentNavLink() {
    var nav = document.getElementById("site-nav");
    if (!nav) return;
    var current = nav.querySelector("a[aria-current=page]");
    if (!current || nav.scrollHeight <= nav.clientHeight) return;
    var navRect = nav.getBoundingClientRect();
    var linkRect = current.getBoundingClientRect();
    if (linkRect.top < navRect.top || linkRect.bottom > navRect.bottom) {
      nav.scrollTop += linkRect.top - navRect.top - nav.clientHeight / 3;
    }
  }

  /* ---------------------------------------------------------------- copy buttons */

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.top = "-1000px";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function setupCopyButtons() {
    var blocks = document.querySelectorAll("pre.code");
    Array.prototype.forEach.call(blocks, function (pre) {
      var code = pre.querySelector("code");
      if (!code || pre.querySelector(".copy-btn")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-btn";
      button.textContent = "Copy";
      var lang = pre.getAttribute("data-lang");
      button.setAttribute("aria-label", lang ? "Copy " + lang + " code" : "Copy code");
      var timer = null;
      button.addEventListener("click", function () {
        var text = code.textContent || "";
        copyText(text.replace(/\n$/, "")).then(function () {
          button.textContent = "Copied";
          button.classList.add("is-copied");
          announce("Copied to clipboard");
        }, function () {
          button.textContent = "Press Ctrl+C";
          selectContents(code);
        }).then(function () {
          window.clearTimeout(timer);
          timer = window.setTimeout(function () {
            button.textContent = "Copy";
            button.classList.remove("is-copied");
          }, 2000);
        });
      });
      pre.appendChild(button);
    });
  }

  function selectContents(node) {
    var selection = window.getSelection ? window.getSelection() : null;
    if (!selection || !document.createRange) return;
    var range = document.createRange();
    range.selectNodeContents(node);
    selection.removeAllRanges();
    selection.addRange(range);
  }

  /* Scrollable code and tables get a tab stop, so keyboards can scroll them. */
  function makeScrollersFocusable() {
    var scrollers = document.querySelectorAll(".content pre.code > code, .content table, .content pre:not(.code)");
    Array.prototype.forEach.call(scrollers, function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
      }
    });
  }

  /* Task-list checkboxes (pulldown-cmark emits them bare): name them after their item. */
  function labelTaskCheckboxes() {
    var boxes = document.querySelectorAll(".content li > input[type=checkbox]");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.hasAttribute("aria-label") || !box.parentNode) return;
      var text = (box.parentNode.textContent || "").replace(/\s+/g, " ").trim();
      if (text.length > 160) text = text.slice(0, 157) + "…";
      if (text) box.setAttribute("aria-label", text);
    });
  }

  /* ---------------------------------------------------------------- runbook parameters */

  /* Values typed on any runbook of this tab, by parameter name: the next runbook of the same
     incident starts filled. The URL's query wins over them. */
  var PARAMS_KEY = "opsbook-params";
  var PLACEHOLDER = /<<([a-z][a-z0-9_]*)>>/g;

  function readJson(storage, key) {
    try {
      var value = JSON.parse(storage.getItem(key) || "null");
      return value && typeof value === "object" ? value : {};
    } catch (e) {
      return {};
    }
  }

  function writeJson(storage, key, value) {
    try { storage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage off or full: not remembered */ }
  }

  function sessionStore() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  /* The values filled in now, by name; an empty one is left out. */
  var paramValues = {};

  function setupParams() {
    var form = document.querySelector("form.runbook-params");
    if (!form) return;
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[name]"));
    var marks = document.querySelectorAll(".content var[data-param]");
    var links = document.querySelectorAll(".content a[data-param-href]");
    var store = sessionStore();
    var typed = store ? readJson(store, PARAMS_KEY) : {};
    var query = new URLSearchParams(window.location.search);
    inputs.forEach(function (input) {
      var fromQuery = query.get(input.name);
      var earlier = typed[input.name];
      input.value = fromQuery !== null ? fromQuery : (typeof earlier === "string" ? earlier : "");
    });

    function apply() {
      paramValues = {};
      inputs.forEach(function (input) {
        var value = input.value.trim();
        if (value) paramValues[input.name] = value;
      });
      Array.prototype.forEach.call(marks, function (mark) {
        var name = mark.getAttribute("data-param");
        var value = Object.prototype.hasOwnProperty.call(paramValues, name) ? paramValues[name] : "";
        mark.textContent = value || "<<" + name + ">>";
        mark.classList.toggle("is-filled", !!value);
      });
      /* Values are percent-encoded: whatever is typed stays inside the URL's query or path and
         can never give the link another scheme. */
      Array.prototype.forEach.call(links, function (link) {
        var template = link.getAttribute("data-param-href");
        link.setAttribute("href", template.replace(PLACEHOLDER, function (all, name) {
          return Object.prototype.hasOwnProperty.call(paramValues, name) ? encodeURIComponent(paramValues[name]) : all;
        }));
      });
    }

    /* Typed values go to this tab's memory and to the address, so a reload or a shared link
       shows the same commands. */
    function remember() {
      if (store) {
        var all = readJson(store, PARAMS_KEY);
        inputs.forEach(function (input) {
          var value = input.value.trim();
          if (value) all[input.name] = value; else delete all[input.name];
        });
        writeJson(store, PARAMS_KEY, all);
      }
      try {
        var url = new URL(window.location.href);
        inputs.forEach(function (input) {
          var value = input.value.trim();
          if (value) url.searchParams.set(input.name, value); else url.searchParams.delete(input.name);
        });
        window.history.replaceState(window.history.state, "", url.href);
      } catch (e) { /* some file:// pages refuse replaceState: the values stay in the tab */ }
    }

    inputs.forEach(function (input) {
      input.addEventListener("input", function () { apply(); remember(); });
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
    form.hidden = false;
  }

  /* ---------------------------------------------------------------- checklists */

  /* A runbook's task list is a checklist: each tick is kept in this browser with its time, per
     page and per incident (`?incident=ID`), and never sent anywhere. */
  function checklistKey() {
    var incident = new URLSearchParams(window.location.search).get("incident");
    return "opsbook-checklist:" + window.location.pathname + (incident ? "?incident=" + incident : "");
  }

  function localStore() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  /* The item's own text, without its nested lists, with the parameters as filled now. */
  function itemText(li) {
    var copy = li.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("ul, ol"), function (list) { list.parentNode.removeChild(list); });
    return (copy.textContent || "").replace(/\s+/g, " ").trim();
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function logText(state) {
    var ticks = Object.keys(state).map(function (index) { return state[index]; })
      .filter(function (tick) { return tick && typeof tick.at === "number"; })
      .sort(function (a, b) { return a.at - b.at; });
    return ticks.map(function (tick) {
      var at = new Date(tick.at);
      var params = tick.params && typeof tick.params === "object" ? tick.params : {};
      var context = Object.keys(params).map(function (name) { return name + "=" + params[name]; }).join(", ");
      return "- " + two(at.getUTCHours()) + ":" + two(at.getUTCMinutes()) + " UTC ✓ " + tick.text +
        (context ? " (" + context + ")" : "");
    }).join("\n");
  }

  function setupChecklists() {
    if (!document.body || !document.body.classList.contains("kind-runbook")) return;
    var boxes = Array.prototype.filter.call(
      document.querySelectorAll(".content li > input[type=checkbox]"),
      function (box) { return !box.checked; });
    if (!boxes.length) return;
    var store = localStore();
    if (!store) return;
    var key = checklistKey();
    var state = readJson(store, key);
    var count = document.createElement("span");
    count.className = "checklist-count";

    function show() {
      var done = 0;
      boxes.forEach(function (box, index) {
        box.checked = !!state[index];
        var li = box.parentNode;
        if (li && li.classList) li.classList.toggle("is-done", box.checked);
        if (box.checked) done++;
        var tick = state[index];
        box.title = tick ? "Done at " + new Date(tick.at).toISOString().slice(11, 16) + " UTC" : "";
      });
      count.textContent = done + " of " + boxes.length + " done";
    }

    boxes.forEach(function (box, index) {
      box.disabled = false;
      box.addEventListener("change", function () {
        state = readJson(store, key);
        if (box.checked) {
          var params = {};
          Object.keys(paramValues).forEach(function (name) { params[name] = paramValues[name]; });
          state[index] = { at: Date.now(), text: itemText(box.parentNode), params: params };
        } else {
          delete state[index];
        }
        if (Object.keys(state).length) writeJson(store, key, state);
        else try { store.removeItem(key); } catch (e) { /* nothing kept */ }
        show();
      });
    });

    var tools = document.createElement("div");
    tools.className = "checklist-tools";
    var copy = document.createElement("button");
    copy.type = "button";
    copy.className = "checklist-copy";
    copy.textContent = "Copy log";
    copy.addEventListener("click", function () {
      var text = logText(readJson(store, key));
      if (!text) { announce("Nothing ticked yet"); return; }
      copyText(text).then(function () {
        copy.textContent = "Copied";
        announce("Log copied to clipboard");
      }, function () {
        copy.textContent = "Copy failed";
      }).then(function () {
        window.setTimeout(function () { copy.textContent = "Copy log"; }, 2000);
      });
    });
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "checklist-reset";
    reset.textContent = "Reset";
    reset.addEventListener("click", function () {
      try { store.removeItem(key); } catch (e) { /* nothing kept */ }
      state = {};
      show();
      announce("Checklist reset");
    });
    tools.appendChild(count);
    tools.appendChild(copy);
    tools.appendChild(reset);
    var firstList = boxes[0].parentNode.parentNode;
    firstList.parentNode.insertBefore(tools, firstList);

    /* Another tab of the same page ticked a box. */
    window.addEventListener("storage", function (event) {
      if (event.key !== key) return;
      state = readJson(store, key);
      show();
    });
    show();
  }

  /* ---------------------------------------------------------------- TOC */

  /* A page carries its TOC once, inline; on wide screens a copy sits in the aside, which the
     script makes (the page has its column) unless the theme's template has one. */
  function fillTocAside() {
    var toc = document.querySelector(".toc-inline > .toc");
    var shell = document.querySelector(".shell.has-toc");
    if (toc && shell && !document.querySelector(".toc-aside")) {
      var made = document.createElement("aside");
      made.className = "toc-aside";
      made.setAttribute("aria-labelledby", "toc-aside-title");
      var title = document.querySelector(".toc-inline > summary");
      made.innerHTML = '<div class="toc-aside-inner"><p class="toc-aside-title" id="toc-aside-title"></p></div>';
      made.querySelector("p").textContent = title ? title.textContent : "On this page";
      shell.appendChild(made);
    }
    var aside = document.querySelector(".toc-aside-inner");
    if (!aside || !toc || aside.querySelector(".toc")) return;
    var copy = toc.cloneNode(true);
    copy.removeAttribute("aria-label");
    copy.setAttribute("aria-labelledby", "toc-aside-title");
    aside.appendChild(copy);
  }

  function setupTocHighlight() {
    var links = document.querySelectorAll(".toc-aside .toc a[href^='#']");
    if (!links.length || !("IntersectionObserver" in window)) return;
    var byId = {};
    var headings = [];
    Array.prototype.forEach.call(links, function (link) {
      var id = decodeURIComponent(link.getAttribute("href").slice(1));
      var heading = id ? document.getElementById(id) : null;
      if (heading) {
        byId[id] = link;
        headings.push(heading);
      }
    });
    if (!headings.length) return;

    var visible = {};
    var current = null;
    function update() {
      var chosen = null;
      for (var i = 0; i < headings.length; i++) {
        if (visible[headings[i].id]) { chosen = headings[i]; break; }
      }
      if (!chosen) {
        /* Nothing in view: the last heading above the viewport. */
        for (var j = headings.length - 1; j >= 0; j--) {
          if (headings[j].getBoundingClientRect().top < 80) { chosen = headings[j]; break; }
        }
      }
      var link = chosen ? byId[chosen.id] : null;
      if (link === current) return;
      if (current) current.classList.remove("is-current");
      if (link) link.classList.add("is-current");
      current = link;
    }

    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { visible[entry.target.id] = entry.isIntersecting; });
      update();
    }, { rootMargin: "-56px 0px -55% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
  }

  /* ---------------------------------------------------------------- print */

  /* Print in the light scheme with every collapsible section open, then restore. */
  function setupPrint() {
    var opened = [];
    var savedTheme = null;
    window.addEventListener("beforeprint", function () {
      savedTheme = root.getAttribute("data-theme");
      root.setAttribute("data-theme", "light");
      opened = [];
      Array.prototype.forEach.call(document.querySelectorAll(".content details:not([open])"), function (d) {
        d.setAttribute("open", "");
        opened.push(d);
      });
    });
    window.addEventListener("afterprint", function () {
      if (savedTheme) root.setAttribute("data-theme", savedTheme);
      else root.removeAttribute("data-theme");
      opened.forEach(function (d) { d.removeAttribute("open"); });
      opened = [];
    });
  }

  /* ---------------------------------------------------------------- start */

  function start() {
    var steps = [setupThemeToggle, setupNavToggle, revealCurrentNavLink, setupCopyButtons,
      makeScrollersFocusable, setupParams, labelTaskCheckboxes, setupChecklists, fillTocAside, setupTocHighlight,
      setupPrint];
    steps.forEach(function (step) {
      try { step(); } catch (e) { /* one failed enhancement must not stop the others */ }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
