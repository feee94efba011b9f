#!/usr/bin/env bash
# Build benchmark: generates the shared benchmark handbook at 1,000 and 10,000 pages and measures
# a cold release build (no highlight cache, no previous output), a second build (cache warm,
# previous output replaced), and peak memory, with per-stage timings. Then what the search index
# adds: two cold builds without cache into new folders, with and without `[search] enabled`.
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

  # The same handbook with search turned off, both read from a warm page cache.
  rm -rf "$corpus-nosearch" "$out-a" "$out-b"
  cp -r "$corpus" "$corpus-nosearch"
  printf '\n[search]\nenabled = false\n' >>"$corpus-nosearch/opsbook.toml"
  cat "$corpus"/content/*/*.md "$corpus-nosearch"/content/*/*.md >/dev/null 2>&1 || true
  without=$( { /usr/bin/time -f %e "$bin" build "$corpus-nosearch" -o "$out-a" -q --no-cache; } 2>&1 | tail -1)
  with=$( { /usr/bin/time -f %e "$bin" build "$corpus" -o "$out-b" -q --no-cache; } 2>&1 | tail -1)
  index=$(du -sh "$out-b/search" | cut -f1)
  gz=$(tar -C "$out-b" -czf - search | wc -c)
  echo "      search: cold build $with s with it, $without s without: it adds" \
    "$(python3 -c "print(f'{($with - $without) / $without:.0%}')"); index $index on disk," \
    "$((gz / 1024)) KB gzipped, $(find "$out-b/search" -type f | wc -l) files"
  rm -rf "$corpus-nosearch" "$out-a" "$out-b"
done
