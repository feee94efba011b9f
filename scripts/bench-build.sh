#!/usr/bin/env bash
# Build benchmark: generates the shared benchmark handbook at 1,000 and 10,000 pages and measures
# a cold release build (no highlight cache, no previous output), a second build (cache warm,
# previous output replaced), and peak memory, with per-stage timings. Then what the search index
# adds: cold builds without cache, with and without `[search] enabled`, in RAM.
#
#   scripts/bench-build.sh [PAGES...]      default: 1000 10000
#
# Needs ../shared/bench/gen_corpus.py (or GEN_CORPUS=path) and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
gen=${GEN_CORPUS:-../shared/bench/gen_corpus.py}
work=${BENCH_DIR:-/tmp/opsbook-bench}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

cargo build --release --quiet
bin=$PWD/target/release/opsbook
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
  measure "second build (cache warm)" "$bin" build "$corpus" -o "$out" -q
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
