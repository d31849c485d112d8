#!/usr/bin/env bash
# Sets up, builds and runs every test: unit, integration, fault and security; then, in the full
# run, the mechanical checks (scripts/lint.sh), the tests again under AddressSanitizer +
# UndefinedBehaviorSanitizer and ThreadSanitizer (scripts/sanitizers.sh) and a few seconds of
# fuzzing per target (scripts/fuzz.sh). The sanitizer trees are built while the ordinary tests
# run, at a lower priority: those tests mostly wait on servers and clocks, not on the CPU.
# The sanitizers run with PORTIER_SANITIZERS=1.
# Pass CTest options to narrow it, e.g. `scripts/test.sh -L unit`: then only CTest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
scripts/build.sh
sanitizers=0
if [ $# -eq 0 ] && [ "${PORTIER_SANITIZERS:-0}" = 1 ]; then sanitizers=1; fi
if [ "$sanitizers" = 1 ]; then
  mkdir -p build
  # Its own process group, so that a failing run stops the whole build with it.
  setsid nice -n 15 scripts/sanitizers.sh build >build/sanitizers-build.log 2>&1 &
  sanitizer_build=$!
  trap 'kill -- -"$sanitizer_build" 2>/dev/null || true' EXIT
fi
ctest --test-dir build --output-on-failure --timeout 900 "$@"
echo "test: build and tests took $((SECONDS - started)) s"
if [ $# -eq 0 ]; then
  phase=$SECONDS
  scripts/lint.sh
  echo "test: lint took $((SECONDS - phase)) s"
  if [ "$sanitizers" = 1 ]; then
    phase=$SECONDS
    if ! wait "$sanitizer_build"; then
      tail -50 build/sanitizers-build.log >&2
      echo "test: the sanitizer build failed (build/sanitizers-build.log)" >&2
      exit 1
    fi
    grep '^sanitizers:' build/sanitizers-build.log
    echo "test: waited $((SECONDS - phase)) s for the sanitizer build"
    phase=$SECONDS
    scripts/sanitizers.sh test
    echo "test: sanitizer tests took $((SECONDS - phase)) s"
  fi
  phase=$SECONDS
  scripts/fuzz.sh 5
  echo "test: fuzzing took $((SECONDS - phase)) s"
  echo "test: everything took $((SECONDS - started)) s"
fi
