#!/usr/bin/env bash
# International names (issue #19): precision/recall/F1 per kind on the own
# development set tests/screen/intl_dev.tsv, scored by `puente compare --csv`
# without and with the OFAC list's token weights (--idf, as screening does).
# Usage: bench/screen/intl.sh [THRESHOLD]
set -euo pipefail
cd "$(dirname "$0")/../.."
T=${1:-0.75}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
python3 bench/screen/intl_pairs.py tests/screen/intl_dev.tsv "$W/pairs.csv"
build/puente import ofac data/ofac --db "$W/s.db" >/dev/null 2>&1
echo "## without IDF"
build/puente compare --csv "$W/pairs.csv" > "$W/flat.csv"
python3 bench/screen/intl_metrics.py "$W/flat.csv" "$T"
echo "## with the OFAC list's IDF weights"
build/puente compare --csv "$W/pairs.csv" --idf --db "$W/s.db" > "$W/idf.csv"
python3 bench/screen/intl_metrics.py "$W/idf.csv" "$T" --errors
