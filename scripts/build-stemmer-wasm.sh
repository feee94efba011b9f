#!/usr/bin/env bash
# Builds the Snowball stemmers (src/search/runtime/stemmer, the frostem version tantivy uses) to
# wasm, one module per language, shrunk by binaryen's wasm-opt: English's is embedded, hex, in the
# browser search runtime between the two /*WASM*/ markers; each other one is written, hex, as a
# script that registers it, src/search/runtime/stemmers/stem-CODE.js, which a build copies to
# search/ for the languages its handbook has. They are committed, so building the site or running
# CI needs no wasm toolchain; run this again only after changing the stemmer crate or its version.
#
# Needs: rustup target add wasm32-unknown-unknown; wasm-opt (apt-get install binaryen).
# Hex, not base64: gzip finds repeats of whole bytes, which base64's 6-bit characters cut across.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runtime=src/search/runtime/opsbook-search.js
wasm=target/stemmer-wasm/wasm32-unknown-unknown/release/opsbook_stemmer.wasm

# Panic locations name source paths; map them to fixed names so the module (and the committed
# runtime) is the same bytes on every machine.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
export RUSTFLAGS="--remap-path-prefix=$cargo_home/registry/src=/cargo --remap-path-prefix=$root=/opsbook"

build() {
    cargo build --release --locked --target wasm32-unknown-unknown --no-default-features \
        --features "$1" --manifest-path src/search/runtime/stemmer/Cargo.toml \
        --target-dir target/stemmer-wasm
    wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
        --enable-nontrapping-float-to-int "$wasm" -o "$wasm.opt"
}

hex() {
    od -An -v -tx1 "$1" | tr -d ' \n'
}

mkdir -p src/search/runtime/stemmers
for code in ar da de el es fi fr hu it nl no pt ro ru sv ta tr; do
    build "$code"
    out="src/search/runtime/stemmers/stem-$code.js"
    printf 'opsbook.search.stemmer("%s","%s");\n' "$code" "$(hex "$wasm.opt")" >"$out"
    echo "stemmer $code: $(stat -c %s "$wasm.opt") bytes of wasm," \
        "$(gzip -9c "$out" | wc -c) gzipped as $out"
done

build en
grep -q '/\*WASM\*/"[0-9a-f]*"/\*WASM\*/' "$runtime" || {
    echo "error: $runtime has no /*WASM*/\"…\"/*WASM*/ marker" >&2
    exit 1
}
code_hex="$(hex "$wasm.opt")"
sed -i "s|/\*WASM\*/\"[0-9a-f]*\"/\*WASM\*/|/*WASM*/\"$code_hex\"/*WASM*/|" "$runtime"
echo "stemmer: $(stat -c %s "$wasm.opt") bytes of wasm, $(printf %s "$code_hex" | wc -c) of hex;" \
    "runtime: $(stat -c %s "$runtime") bytes"
