#!/usr/bin/env bash
# Installs what is missing, then configures and builds Portier into build/ (two jobs: the
# machines Portier is developed on have two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
cmake --build build -j "${PORTIER_BUILD_JOBS:-2}" "$@"
