#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, preset "fuzz": clang 15) and runs each for a bounded
# time: `scripts/fuzz.sh [SECONDS]`, 5 by default (what scripts/test.sh runs). The seeds in
# tests/fuzz/corpus are read, never written; new inputs land in build-fuzz/corpus/<target>.
# Prints the executions per target; fails if a target crashes (its input is kept in
# build-fuzz/crashes/<target>/ and becomes a file in tests/fuzz/regressions/<target>/).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
jobs=${PORTIER_BUILD_JOBS:-2}
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

targets=$(ls tests/fuzz/corpus)
started=$SECONDS
cmake --preset fuzz "${launcher[@]}" >/dev/null
# shellcheck disable=SC2086
cmake --build build-fuzz -j "$jobs" --target $targets
echo "fuzz: build took $((SECONDS - started)) s"

failed=0
for target in $targets; do
  mkdir -p "build-fuzz/corpus/$target" "build-fuzz/crashes/$target"
  log="build-fuzz/$target.log"
  if "build-fuzz/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -timeout=10 -artifact_prefix="build-fuzz/crashes/$target/" -print_final_stats=1 \
      "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $target: $runs executions in $seconds s, no crash"
  else
    echo "fuzz: $target CRASHED; input in build-fuzz/crashes/$target/" >&2
    grep -m 20 -E "ERROR|SUMMARY|#[0-9]+ 0x" "$log" >&2 || tail -20 "$log" >&2
    failed=1
  fi
done
exit "$failed"
