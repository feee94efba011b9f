#!/usr/bin/env bash
# Build benchmark: generates the shared benchmark handbook at 1,000 and 10,000 pages and measures
# a cold release build (no highlight cache, no previous output), a second build (cache warm,
# previous output replaced), and peak memory, with per-stage timings.
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
done
