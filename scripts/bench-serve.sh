#!/usr/bin/env bash
# Live-reload benchmark of `opsbook serve`: generates the shared benchmark handbook, serves it
# (release build), listens on the reload event stream as two browsers would — one with the edited
# runbook open, which serve writes and reloads first, one on a page elsewhere, which hears when the
# whole site is in place — and times from the file write to each one's `reload` (or `css`) event
# for four kinds of edit, EDITS times each:
#
#   body      a paragraph appended to one runbook
#   title     one runbook's title changed (navigation and section lists show it)
#   template  a comment changed in templates/base.html (an override of the theme's; every page)
#   css       static/bench.css changed (the page swaps stylesheets, no reload)
#
#   scripts/bench-serve.sh [PAGES...]      default: 1000 10000;  EDITS=20 by default
#
# Needs ../shared/bench/gen_corpus.py (or GEN_CORPUS=path) and python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
gen=${GEN_CORPUS:-../shared/bench/gen_corpus.py}
work=${BENCH_DIR:-/tmp/opsbook-bench-serve}
edits=${EDITS:-20}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

cargo build --profile profiling --quiet
bin=$PWD/target/profiling/opsbook
theme=$PWD/themes/default/templates
mkdir -p "$work"

for pages in "${sizes[@]}"; do
  corpus="$work/hb-$pages"
  python3 "$gen" --flavor opsbook --pages "$pages" --out "$corpus" --force --quiet
  mkdir -p "$corpus/templates" "$corpus/static"
  cp "$theme/base.html" "$corpus/templates/base.html"
  printf '.bench { color: rgb(0, 0, 0); }\n' >"$corpus/static/bench.css"
  echo "== $pages pages ($(du -sh "$corpus/content" | cut -f1) of markdown), $edits edits each"
  python3 - "$bin" "$corpus" "$edits" <<'PY'
import json, math, os, pathlib, queue, re, signal, socket, statistics, subprocess, sys, threading, time
import urllib.parse, urllib.request

binary, root, edits = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3])

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

port = free_port()
log = open(root.parent / f"serve-{root.name}.log", "w")
server = subprocess.Popen([binary, "serve", str(root), "--port", str(port)],
                          stdout=subprocess.DEVNULL, stderr=log)

def status():
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__opsbook/status", timeout=600) as r:
        return json.load(r)

deadline = time.monotonic() + 1800
while True:
    if server.poll() is not None:
        sys.exit(f"serve exited: see {log.name}")
    try:
        first = status()
        if first["builds"] >= 1:
            break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("serve did not start")
    time.sleep(0.1)
if first["state"] != "ok":
    sys.exit(f"the first build failed: {first['problems']}")
print(f"   first build (cold, private cache empty): {first['last_build_ms']} ms")

runbooks = sorted((root / "content").glob("runbooks/**/*.md"))
runbooks = [p for p in runbooks if p.name != "_index.md"]
body_page, title_page = runbooks[len(runbooks) // 3], runbooks[len(runbooks) // 2]
title_line = re.compile(r'^title = ".*"$', re.M)
# One browser has the edited runbook open (serve writes and reloads it first); another is on a
# page no edit touches, and hears when the whole site is in place.
open_url = f"/runbooks/{title_page.stem}/"
if not (pathlib.Path(first["output"]) / open_url.strip("/") / "index.html").is_file():
    sys.exit(f"no page at {open_url}")

def listen(page):
    events = queue.Queue()
    stream = socket.create_connection(("127.0.0.1", port))
    query = f"?page={urllib.parse.quote(page, safe='')}" if page else ""
    stream.sendall(f"GET /__opsbook/events{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Accept: text/event-stream\r\n\r\n".encode())

    def read_events():
        # Each event is one chunk, so its lines arrive whole between the chunk-size lines.
        for line in stream.makefile("rb"):
            match = re.match(rb"event: (\w+)", line)
            if match:
                events.put((time.monotonic(), match.group(1).decode()))

    threading.Thread(target=read_events, daemon=True).start()
    while events.get(timeout=60)[1] != "hello":
        pass
    return events

open_events, other_events = listen(open_url), listen("")

def wait_for(events, wanted, name, i):
    while True:
        at, event = events.get(timeout=1800)
        if event == "error":
            sys.exit(f"{name} edit {i}: the build failed: {status()['problems']}")
        if event == wanted:
            return at

def edit_body(i):
    with open(body_page, "a") as f:
        f.write(f"\nBenchmark edit {i}: one more sentence in the body.\n")

def edit_title(i):
    text = title_page.read_text()
    title_page.write_text(title_line.sub(f'title = "Benchmark title {i}"', text, count=1))

def edit_template(i):
    path = root / "templates/base.html"
    text = re.sub(r"\n\{# bench \d+ #\}\n?$", "", path.read_text())
    path.write_text(text + f"\n{{# bench {i} #}}\n")

def edit_css(i):
    (root / "static/bench.css").write_text(f".bench {{ color: rgb({i}, 0, 0); }}\n")

def quantile(values, q):
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

print(f"   edit: ms from the write to the reload of the page open on the edited runbook "
      f"(median, p95, min, max), then of a page elsewhere (median), and the server's build (median)")
for name, edit, wanted in [("body", edit_body, "reload"), ("title", edit_title, "reload"),
                           ("template", edit_template, "reload"), ("css", edit_css, "css")]:
    times, elsewhere, builds = [], [], []
    for i in range(1, edits + 1):
        for events in (open_events, other_events):
            while not events.empty():
                events.get_nowait()
        start = time.monotonic()
        edit(i)
        times.append((wait_for(open_events, wanted, name, i) - start) * 1000)
        elsewhere.append((wait_for(other_events, wanted, name, i) - start) * 1000)
        # The search files of a patched page are written after the event: wait for them, as
        # a writer pausing between edits would.
        while (now := status())["building"]:
            time.sleep(0.02)
        builds.append(now["last_build_ms"])
        time.sleep(0.1)
    print(f"   {name:<9} open page {statistics.median(times):8.1f} {quantile(times, 0.95):8.1f} "
          f"{min(times):8.1f} {max(times):8.1f}   elsewhere {statistics.median(elsewhere):8.1f}"
          f"   build {statistics.median(builds):.0f} ms")

server.send_signal(signal.SIGINT)
try:
    server.wait(timeout=120)
except subprocess.TimeoutExpired:
    server.kill()
PY
done
