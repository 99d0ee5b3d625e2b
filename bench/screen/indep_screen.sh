#!/usr/bin/env bash
# Screening-mode independent benchmark (issue #3): OFAC's later aliases of
# listed entities (must be found) and names of entities designated later
# (must not alert), screened against the bundled list by `puente screen`,
# side by side with a python3-jellyfish Jaro-Winkler baseline over every
# listed name. See bench/screen/indep_screen.py for the method.
# Usage: bench/screen/indep_screen.sh [THRESHOLD]
set -euo pipefail
cd "$(dirname "$0")/../.."
T=${1:-0.75}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
build/puente import ofac data/ofac --db "$W/s.db" >/dev/null 2>&1
python3 bench/screen/indep_screen.py queries "$W/q.csv"
build/puente screen "$W/q.csv" --db "$W/s.db" --min-score 0.5 --limit 10 > "$W/r.jsonl"
if /usr/bin/python3 -c 'import jellyfish' 2>/dev/null; then
  /usr/bin/python3 -W ignore bench/screen/indep_screen.py jw data/ofac "$W/q.csv" "$W/jw.csv"
  python3 bench/screen/indep_screen.py score "$W/r.jsonl" "$T" "$W/jw.csv"
else
  echo "(python3-jellyfish missing: scripts/deps.sh bench; baseline skipped)"
  python3 bench/screen/indep_screen.py score "$W/r.jsonl" "$T"
fi
if [ -n "${INDEP_KEEP:-}" ]; then mkdir -p "$INDEP_KEEP" && cp "$W"/q.csv "$W"/r.jsonl "$INDEP_KEEP"/ && { cp "$W"/jw.csv "$INDEP_KEEP"/ 2>/dev/null || true; }; fi
