#!/usr/bin/env bash
# `opsbook serve` under load, on loopback: a copy of content-example is served (release build)
# while, all at once,
#
#   - wrk sends requests over CONNECTIONS (default 1000) connections for DURATION seconds (default 30)
#     to pages, section lists, the status page, the stylesheet and the search runtime;
#   - a runbook is edited every 100 ms, so the site is rebuilt and every page told to reload;
#   - RELOAD_CLIENTS (default 50) reload event streams listen;
#   - IDLE (default 500) slow-loris connections stay open sending nothing, or half a request.
#
# It prints wrk's figures, the server's memory and threads each second, the time of a plain
# request made while the idle connections are open, and whether every reload stream heard the
# last build. Needs wrk (apt-get install wrk) and python3.
#
#   scripts/bench-serve-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile profiling --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r content-example "$work/hb"
rm -rf "$work/hb/public"
ulimit -n 65536 2>/dev/null || true

python3 - "$PWD/target/profiling/opsbook" "$work" "${CONNECTIONS:-1000}" "${DURATION:-30}" \
  "${RELOAD_CLIENTS:-50}" "${IDLE:-500}" <<'PY'
import json, os, pathlib, socket, statistics, subprocess, sys, threading, time, urllib.request

binary, work, connections, seconds, reload_clients, idle = sys.argv[1], pathlib.Path(sys.argv[2]), *map(int, sys.argv[3:])

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

port = free_port()
base = f"http://127.0.0.1:{port}"
server = subprocess.Popen([binary, "serve", str(work / "hb"), "-p", str(port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def status():
    with urllib.request.urlopen(base + "/__opsbook/status", timeout=5) as r:
        return json.load(r)

for _ in range(200):
    try:
        if status()["state"] == "ok":
            break
    except OSError:
        pass
    time.sleep(0.05)

def memory():
    fields = {}
    for line in open(f"/proc/{server.pid}/status"):
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["Threads"])

# Reload streams: each records the data of every event it hears.
heard = [[] for _ in range(reload_clients)]
def listen(log):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /__opsbook/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    buffer = b""
    while True:
        data = s.recv(65536)
        if not data:
            return
        buffer += data
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            for line in block.split(b"\n"):
                if line.startswith(b"data: "):
                    log.append(line[6:].decode())
for log in heard:
    threading.Thread(target=listen, args=(log,), daemon=True).start()

# Slow-loris: connections that never finish a request.
idle_sockets = []
for i in range(idle):
    s = socket.create_connection(("127.0.0.1", port))
    if i % 2:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    idle_sockets.append(s)
start = time.perf_counter()
with urllib.request.urlopen(base + "/runbooks/", timeout=10) as r:
    r.read()
print(f"a request with {idle} idle connections open: {(time.perf_counter() - start) * 1000:.1f} ms")

editing = True
edits = 0
def edit():
    global edits
    page = work / "hb/content/runbooks/billing-job-stuck.md"
    original = page.read_text()
    while editing:
        edits += 1
        page.write_text(original + f"\nEdit {edits} under load.\n")
        time.sleep(0.1)
threading.Thread(target=edit, daemon=True).start()

samples = []
sampling = True
def sample():
    while sampling:
        samples.append(memory())
        time.sleep(1)
threading.Thread(target=sample, daemon=True).start()

script = work / "paths.lua"
script.write_text("""
local paths = {"/", "/runbooks/", "/runbooks/billing-job-stuck/", "/style.css",
               "/search/opsbook-search.js", "/status/", "/postmortems/", "/services/"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
""")
before = memory()
result = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                         "--latency", "-s", str(script), base], capture_output=True, text=True)
editing = False
print(result.stdout)
time.sleep(1.5)  # the last edit's build
sampling = False
final = status()
time.sleep(0.5)
for s in idle_sockets:
    s.close()
rss = [m for m, _ in samples]
print(f"edits: {edits}, builds: {final['builds']}, last: {final['how']}")
print(f"memory before: {before[0]} MB, {before[1]} threads; during: "
      f"{min(rss)}–{max(rss)} MB (median {statistics.median(rss)}), "
      f"threads up to {max(t for _, t in samples)}; each second: {' '.join(map(str, rss))}")
last = str(final["generation"])
missed = sum(1 for log in heard if not log or log[-1] != last)
print(f"reload streams: {reload_clients}, open at the end: {final['clients']}, "
      f"missed the last build ({last}): {missed}")
server.terminate()
server.wait()
PY
