#!/usr/bin/env bash
# Sets up, builds and runs every test: unit, integration, fault and security; then, in the full
# run, the mechanical checks (scripts/lint.sh) and a few seconds of fuzzing per target
# (scripts/fuzz.sh). PORTIER_SANITIZERS=1 adds the sanitizer builds (scripts/sanitizers.sh);
# they are not yet part of the default run, whose time they would about double.
# Pass CTest options to narrow it, e.g. `scripts/test.sh -L unit`: then only CTest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 900 "$@"
echo "test: build and tests took $((SECONDS - started)) s"
if [ $# -eq 0 ]; then
  phase=$SECONDS
  scripts/lint.sh
  echo "test: lint took $((SECONDS - phase)) s"
  if [ "${PORTIER_SANITIZERS:-0}" = 1 ]; then
    phase=$SECONDS
    scripts/sanitizers.sh
    echo "test: sanitizer builds and tests took $((SECONDS - phase)) s"
  fi
  phase=$SECONDS
  scripts/fuzz.sh 5
  echo "test: fuzzing took $((SECONDS - phase)) s"
  echo "test: everything took $((SECONDS - started)) s"
fi
