#!/usr/bin/env bash
# Independent name-pair benchmark (issue #3): labelled pairs that OFAC itself
# wrote (later aliases, 2019->2021 re-spellings, consolidated-list aliases;
# bench/screen/make_indep.py, data/screen/indep), scored by
# `puente compare --csv --idf` (the batch interface, with the SDN list's
# token weights) and, in the same run, by the python3-jellyfish
# Jaro-Winkler baseline. P/R/F1 per set and kind, threshold sweep.
# Usage: bench/screen/indep.sh [THRESHOLD] [--max-per-set N]
set -euo pipefail
cd "$(dirname "$0")/../.."
T=${1:-0.75}
shift || true
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
build/puente import ofac data/ofac --db "$W/s.db" >/dev/null 2>&1
python3 bench/screen/make_indep.py data/ofac data/screen/indep "$W/pairs.csv" "$@" 2>"$W/counts.txt"
echo "pairs: $(($(wc -l < "$W/pairs.csv") - 1))"
build/puente compare --csv "$W/pairs.csv" --idf --db "$W/s.db" > "$W/scored.csv"
if /usr/bin/python3 -c 'import jellyfish' 2>/dev/null; then
  /usr/bin/python3 -W ignore bench/screen/jellyfish_pairs.py "$W/pairs.csv" "$W/jw.csv"
  python3 bench/screen/indep_metrics.py "$W/scored.csv" "$T" "$W/jw.csv"
else
  echo "(python3-jellyfish missing: scripts/deps.sh bench; baseline skipped)"
  python3 bench/screen/indep_metrics.py "$W/scored.csv" "$T"
fi
