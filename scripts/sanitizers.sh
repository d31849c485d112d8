#!/usr/bin/env bash
# Builds the tests under AddressSanitizer + UndefinedBehaviorSanitizer and under
# ThreadSanitizer (CMakePresets.json) and runs them:
#   build-asan: every unit test, and the integration tests in ASAN_INTEGRATION against a
#               portierd, portierctl and portier-sim built with the same sanitizers;
#   build-tsan: the tests where threads meet (journal, dispatch, server drain, mapping reload).
# Only the targets these tests need are built. Part of scripts/test.sh, which builds while the
# ordinary tests run (their time is mostly waiting) and tests afterwards:
#   scripts/sanitizers.sh [build|test|all] [asan|tsan|both]     (default: all both)
set -euo pipefail
cd "$(dirname "$0")/.."

ASAN_INTEGRATION='^integration_(operations|bad_input|identity|documents_streamed)$'
TSAN_TESTS=(sqlite_journal_test journal_conformance_test dispatcher_test connection_registry_test
            outbound_http_test mapping_test)
jobs=${PORTIER_BUILD_JOBS:-2}
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

# The test names of `ctest -L unit` that are also build targets (a few tests run a script).
unit_targets() {
  local dir=$1
  local known
  known=$(cmake --build "$dir" --target help | sed -n 's/^\.\.\. \([^ ]*\).*/\1/p')
  # A fuzz target's replay test is named <target>_replay.
  ctest --test-dir "$dir" -N -L unit | sed -n 's/^ *Test *#[0-9]*: //p' | sed 's/_replay$//' |
    grep -Fx -f <(printf '%s\n' $known) || true
}

build_asan() {
  local started=$SECONDS
  cmake --preset asan-ubsan "${launcher[@]}" >/dev/null
  # shellcheck disable=SC2046
  cmake --build build-asan -j "$jobs" --target $(unit_targets build-asan) portierd portierctl \
    portier-sim
  echo "sanitizers: ASan+UBSan build took $((SECONDS - started)) s"
}

test_asan() {
  local started=$SECONDS
  ctest --preset asan-ubsan -L unit
  ctest --preset asan-ubsan -R "$ASAN_INTEGRATION"
  echo "sanitizers: ASan+UBSan tests took $((SECONDS - started)) s"
}

build_tsan() {
  local started=$SECONDS
  cmake --preset tsan "${launcher[@]}" >/dev/null
  cmake --build build-tsan -j "$jobs" --target "${TSAN_TESTS[@]}"
  echo "sanitizers: TSan build took $((SECONDS - started)) s"
}

test_tsan() {
  local started=$SECONDS
  ctest --preset tsan -R "^($(IFS='|'; echo "${TSAN_TESTS[*]}"))\$"
  echo "sanitizers: TSan tests took $((SECONDS - started)) s"
}

phase=${1:-all}
trees=${2:-both}
case "$phase:$trees" in
  build:asan | build:tsan | test:asan | test:tsan | all:asan | all:tsan) ;;
  build:both | test:both | all:both) trees="asan tsan" ;;
  asan | tsan) phase=all; trees=$1 ;;  # the earlier form: scripts/sanitizers.sh asan
  *) echo "usage: scripts/sanitizers.sh [build|test|all] [asan|tsan|both]" >&2; exit 2 ;;
esac
for tree in $trees; do
  if [ "$phase" != test ]; then "build_$tree"; fi
done
for tree in $trees; do
  if [ "$phase" != build ]; then "test_$tree"; fi
done
