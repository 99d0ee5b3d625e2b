#!/usr/bin/env bash
# Quality benchmark (issue #3): labelled variants from the bundled OFAC data,
# scored by `puente compare --csv` with the list's token weights (--idf),
# precision/recall/F1 per kind of variant at the default threshold.
# Usage: bench/screen/quality.sh [THRESHOLD]
set -euo pipefail
# make_eval.py iterates Python sets: a fixed hash seed makes the generated
# pairs (and so the figures) the same from run to run
export PYTHONHASHSEED=0
cd "$(dirname "$0")/../.."
T=${1:-0.75}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
build/puente import ofac data/ofac --db "$W/s.db" >/dev/null 2>&1
python3 bench/screen/make_eval.py data/ofac "$W/pairs.csv"
build/puente compare --csv "$W/pairs.csv" --idf --db "$W/s.db" > "$W/scored.csv"
echo "## with IDF weights from the list (as screening does)"
python3 bench/screen/metrics.py "$W/scored.csv" "$T" --sweep
build/puente compare --csv "$W/pairs.csv" > "$W/scored_flat.csv"
echo "## without IDF (compare's default: every token weighs the same)"
python3 bench/screen/metrics.py "$W/scored_flat.csv" "$T"
echo
echo "## independent OFAC name pairs (bench/screen/indep.sh)"
bench/screen/indep.sh "$T"
echo
echo "## independent screening: later aliases and unlisted names against the list (bench/screen/indep_screen.sh)"
bench/screen/indep_screen.sh "$T"
