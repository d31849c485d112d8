#!/usr/bin/env bash
# Mechanical checks of the C++ sources (STYLE.md, 13):
#  1. clang-format: every file is in .clang-format's style, except those still listed in
#     scripts/format-pending.txt;
#  2. clang-tidy (.clang-tidy: bugprone, concurrency, performance) on TIDY_FOLDERS, which must
#     stay free of warnings. Needs build/compile_commands.json (scripts/build.sh makes it).
# Part of scripts/test.sh; `scripts/lint.sh format` runs the first part alone.
set -euo pipefail
cd "$(dirname "$0")/.."

TIDY_FOLDERS=(core/base connectors/http)

check_format() {
  local pending bad=0
  pending=$(grep -v '^#' scripts/format-pending.txt)
  while IFS= read -r file; do
    if grep -Fxq "$file" <<<"$pending"; then continue; fi
    if ! clang-format --dry-run --Werror "$file" >/dev/null 2>&1; then
      echo "lint: $file is not formatted (clang-format -i $file)" >&2
      bad=1
    fi
  done < <(git ls-files '*.cpp' '*.h')
  [ "$bad" -eq 0 ] && echo "lint: clang-format clean"
  return "$bad"
}

check_tidy() {
  local started=$SECONDS files
  files=$(git ls-files "${TIDY_FOLDERS[@]/%//*.cpp}")
  # shellcheck disable=SC2086
  clang-tidy -p build --quiet $files
  echo "lint: clang-tidy clean on ${TIDY_FOLDERS[*]} ($((SECONDS - started)) s)"
}

case "${1:-all}" in
  format) check_format ;;
  tidy) check_tidy ;;
  all) check_format; check_tidy ;;
  *) echo "usage: scripts/lint.sh [format|tidy|all]" >&2; exit 2 ;;
esac
