#!/usr/bin/env bash
# Sets up, builds and runs every test: unit, integration, fault and security.
# Pass CTest options to narrow it, e.g. `scripts/test.sh -L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 900 "$@"
