#!/usr/bin/env bash
# Build benchmark: generates the shared benchmark handbook at 1,000 and 10,000 pages and measures
# a cold release build (no highlight cache, no previous output), a second build with nothing
# changed, one after a page's edit (cache warm, unchanged outputs linked from the previous
# output), and peak memory, with per-stage timings. Then what the search index
# adds: cold builds without cache, with and without `[search] enabled`, in RAM.
#
#   scripts/bench-build.sh [PAGES...]      default: 1000 10000
#   HUGO=/path/to/hugo scripts/bench-build.sh 10000
#                                          also opsbook and Hugo side by side on the same page
#                                          bodies (gen_corpus.py --flavor hugo), in RAM
#   RUNS=5                                 alternated runs of each for the medians (default 3)
#
# Needs ../shared/bench/gen_corpus.py (or GEN_CORPUS=path) and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
gen=${GEN_CORPUS:-../shared/bench/gen_corpus.py}
work=${BENCH_DIR:-/tmp/opsbook-bench}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

cargo build --profile profiling --quiet
bin=$PWD/target/profiling/opsbook
mkdir -p "$work"

measure() { # label, then the command
  local label=$1; shift
  local log="$work/time.log"
  /usr/bin/time -v "$@" --timings 2>"$log" >/dev/null || { cat "$log"; exit 1; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  printf '%-28s wall %8s   peak RSS %6d MB\n' "$label" "$wall" $((rss / 1024))
  grep -E '^  [a-z+]+ +[0-9.]+ ms' "$log" | sed 's/^/      /'
}

for pages in "${sizes[@]}"; do
  corpus="$work/hb-$pages"
  out="$work/out-$pages"
  python3 "$gen" --flavor opsbook --pages "$pages" --out "$corpus" --force >/dev/null
  rm -rf "$out" "$corpus/.opsbook-cache"
  echo "== $pages pages ($(du -sh "$corpus/content" | cut -f1) of markdown)"
  measure "cold build" "$bin" build "$corpus" -o "$out" -q
  measure "second build (nothing changed)" "$bin" build "$corpus" -o "$out" -q
  # One runbook's body edited: the file read again, its markdown rendered, every output's inputs
  # fingerprinted, the changed ones written.
  edited=$(find "$corpus/content" -name '*.md' ! -name '_index.md' | sort | sed -n '100p')
  printf '\nOne more sentence, added by the benchmark.\n' >>"$edited"
  measure "after one page's edit" "$bin" build "$corpus" -o "$out" -q
  measure "build without cache" "$bin" build "$corpus" -o "$out" -q --no-cache
  echo "      output: $(du -sh "$out" | cut -f1), $(find "$out" -type f | wc -l) files"

  # What the index adds: the same handbook with `[search] enabled = false`, three cold builds
  # of each in turn, handbook and output in RAM (/dev/shm when there is one) so that the disk's
  # writeback, which varies run to run by ±50% here, does not decide.
  ram=$(mktemp -d "${TMPFS:-/dev/shm}/opsbook-bench.XXXXXX" 2>/dev/null || mktemp -d)
  cp -r "$corpus" "$ram/with"
  cp -r "$corpus" "$ram/without"
  printf '\n[search]\nenabled = false\n' >>"$ram/without/opsbook.toml"
  times_with=() times_without=()
  for _ in 1 2 3; do
    for kind in without with; do
      rm -rf "$ram/out"
      t=$( { /usr/bin/time -f %e "$bin" build "$ram/$kind" -o "$ram/out" -q --no-cache; } 2>&1 | tail -1)
      if [ "$kind" = with ]; then times_with+=("$t"); else times_without+=("$t"); fi
    done
  done
  index=$(du -sh "$ram/out/search" | cut -f1)
  gz=$(tar -C "$ram/out" -czf - search | wc -c)
  python3 - "${times_with[*]}" "${times_without[*]}" <<'PY'
import statistics, sys
with_, without = (sorted(map(float, a.split())) for a in sys.argv[1:3])
a, b = statistics.median(with_), statistics.median(without)
print(f"      search: cold build (in RAM, median of 3) {a:.2f} s with it, {b:.2f} s without:"
      f" it adds {(a - b) / b:.0%}   (with {with_}, without {without})")
PY
  echo "      index: $index on disk, $((gz / 1024)) KB gzipped, $(find "$ram/out/search" -type f | wc -l) files"
  rm -rf "$ram"
done

# opsbook and Hugo side by side: the same page bodies, cold builds (no cache, no previous
# output), alternated so that the machine's load falls on both alike, handbook and output in RAM.
[ -n "${HUGO:-}" ] || exit 0
runs=${RUNS:-3}
ram=$(mktemp -d "${TMPFS:-/dev/shm}/opsbook-vs-hugo.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$ram"' EXIT
echo
echo "== side by side with $("$HUGO" version | grep -o 'hugo v[0-9.]*'), $runs runs of each, in $ram"
for pages in "${sizes[@]}"; do
  python3 "$gen" --flavor opsbook --pages "$pages" --out "$ram/opsbook" --force >/dev/null
  python3 "$gen" --flavor hugo --pages "$pages" --out "$ram/hugo" --force >/dev/null
  results=()
  for _ in $(seq "$runs"); do
    rm -rf "$ram/out-opsbook" "$ram/opsbook/.opsbook-cache"
    results+=("opsbook $( { /usr/bin/time -f '%e %M' "$bin" build "$ram/opsbook" -o "$ram/out-opsbook" -q --no-cache; } 2>&1 | tail -1)")
    rm -rf "$ram/out-hugo" "$ram/hugo/resources"
    results+=("hugo $( { /usr/bin/time -f '%e %M' "$HUGO" --quiet --source "$ram/hugo" --destination "$ram/out-hugo"; } 2>&1 | tail -1)")
  done
  files_o=$(find "$ram/out-opsbook" -type f | wc -l); size_o=$(du -sm "$ram/out-opsbook" | cut -f1)
  files_h=$(find "$ram/out-hugo" -type f | wc -l); size_h=$(du -sm "$ram/out-hugo" | cut -f1)
  search_files=$(find "$ram/out-opsbook/search" -type f 2>/dev/null | wc -l)
  python3 - "$pages" "$files_o" "$size_o" "$files_h" "$size_h" "$search_files" "${results[@]}" <<'PY'
import statistics, sys
pages, files_o, size_o, files_h, size_h, search_files = sys.argv[1:7]
runs = {"opsbook": [], "hugo": []}
for line in sys.argv[7:]:
    tool, wall, rss = line.split()
    runs[tool].append((float(wall), int(rss) // 1024))
def med(tool, i):
    return statistics.median(r[i] for r in runs[tool])
o, h = med("opsbook", 0), med("hugo", 0)
print(f"-- {pages} pages: cold build, median wall (runs)")
for tool, files, size in (("opsbook", files_o, size_o), ("hugo", files_h, size_h)):
    walls = ", ".join(f"{r[0]:.2f}" for r in runs[tool])
    print(f"   {tool:8} {med(tool, 0):6.2f} s  ({walls})   peak RSS {med(tool, 1):5.0f} MB"
          f"   output {files} files, {size} MB")
print(f"   opsbook is {h / o:.2f}x as fast as Hugo; search: {search_files} files")
PY
done
