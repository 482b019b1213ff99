#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECONDS (default 300), two at a time,
# each from its committed seeds (fuzz/corpus/<target>) plus what earlier runs
# found (build/fuzz/corpus/<target>, not committed). A crash leaves its input
# in build/fuzz/artifacts/ and fails the run; add it to the seeds and fix it
# with a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-300}"
build=build/fuzz
targets=(http_request json_bodies instrument config_text)
mkdir -p "$build/artifacts" "$build/logs"
symbolizer=$(command -v llvm-symbolizer || true)
if [ -n "$symbolizer" ]; then export ASAN_SYMBOLIZER_PATH="$symbolizer"; fi
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

run_one() {
  local t="$1" seconds="$2" build="$3"
  mkdir -p "$build/corpus/$t"
  if "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/${t}-" \
       "$build/corpus/$t" "fuzz/corpus/$t" > "$build/logs/$t.log" 2>&1; then
    echo "fuzz $t: ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/logs/$t.log" | grep -o '[0-9]*$') runs in ${seconds}s)"
  else
    echo "fuzz $t: FAILED, see $build/logs/$t.log"
    tail -40 "$build/logs/$t.log"
    return 1
  fi
}
export -f run_one
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$build"
