#!/usr/bin/env bash
# Minifies the browser search runtime, src/search/runtime/opsbook-search.js, into
# src/search/runtime/opsbook-search.min.js, the file builds ship as search/opsbook-search.js: a
# cold first query loads it, so its bytes count (terser takes it from 12 to 9 KB gzipped, the
# stemmer aside). The minified file is committed, so a build needs no node; run this after every
# change to the runtime (`cargo test` fails until it is run). With --check, only says whether the
# committed file is up to date.
#
# Needs: node and terser at the version tests/browser/package.json pins (npm ci --prefix
# tests/browser).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source=src/search/runtime/opsbook-search.js
shipped=src/search/runtime/opsbook-search.min.js
terser=tests/browser/node_modules/terser/bin/terser

minify() {
    # Default compression only: nothing that may change what a float computation gives.
    node "$terser" "$source" --compress --mangle --comments false \
        --preamble "/* opsbook search runtime, minified; source: $source */"
}

if [[ "${1:-}" == "--check" ]]; then
    if ! minify | cmp -s - "$shipped"; then
        echo "error: $shipped is not $source minified: run scripts/build-runtime.sh" >&2
        exit 1
    fi
    exit 0
fi
minify >"$shipped"
echo "runtime: $(stat -c %s "$source") bytes of source, $(stat -c %s "$shipped") minified," \
    "$(gzip -9c "$shipped" | wc -c) gzipped"
