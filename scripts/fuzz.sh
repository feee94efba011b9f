#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 1200) one after another, from its seeds in
# fuzz/seeds/ and what earlier runs found in target/fuzz-corpus/, and prints the executions
# and findings of each. Needs the nightly toolchain and `cargo install cargo-fuzz`.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# MAX_LEN=65536 lets inputs grow past libFuzzer's default of about 4 KB, to find work that grows
# faster than the input (a hang is then an input that takes over a second).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-1200}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(front_matter markdown search_query config)
fi
cargo +nightly fuzz build -O
logs=../target/fuzz-logs
mkdir -p "$logs"
for target in "${targets[@]}"; do
  corpus=../target/fuzz-corpus/$target
  mkdir -p "$corpus"
  dict=()
  case $target in
    markdown) dict=(-dict=dict/markdown.dict) ;;
    front_matter) dict=(-dict=dict/front_matter.dict) ;;
    config) dict=(-dict=dict/config.dict) ;;
  esac
  # A hang is an input that takes over a second; memory is bounded at 2 GB. Forked, so that a
  # finding is saved to fuzz/artifacts/ and the run goes on for its whole time.
  status=0
  cargo +nightly fuzz run -O "$target" "$corpus" "seeds/$target" -- \
    -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 ${MAX_LEN:+-max_len=$MAX_LEN} \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    "${dict[@]}" >"$logs/$target.log" 2>&1 || status=$?
  last=$(grep -E '^#[0-9]+: cov' "$logs/$target.log" | tail -1)
  runs=$(echo "$last" | sed -E 's/^#([0-9]+):.*/\1/')
  findings=$(echo "$last" | grep -oE 'oom/timeout/crash: [0-9/]+' || true)
  echo "$target: ${runs:-?} executions in $seconds s, exit $status, $findings; artifacts in fuzz/artifacts/$target"
done
