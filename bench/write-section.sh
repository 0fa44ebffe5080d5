#!/usr/bin/env bash
# Puts one benchmark's section into BENCHMARKS.md: replaces the section whose "## " heading starts with
# HEADING (up to the next "## "), or appends it.   bench/write-section.sh HEADING SECTION_FILE
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
heading="$1" section="$2"
bm="$ROOT/BENCHMARKS.md"
[[ -f "$bm" ]] || printf '# Benchmarks\n\n' > "$bm"
out="$(mktemp)"; trap 'rm -f "$out"' EXIT
awk -v h="## $heading" -v f="$section" '
  index($0, h) == 1 {skip=1; while ((getline l < f) > 0) print l; done=1; next}
  skip && /^## / {skip=0}
  !skip {print}
  END {if (!done) {print ""; while ((getline l < f) > 0) print l}}' "$bm" > "$out"
cp "$out" "$bm"
