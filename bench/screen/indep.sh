#!/usr/bin/env bash
# Independent name-pair benchmark (issue #3): labelled pairs that OFAC itself
# wrote (later aliases, 2019->2021 re-spellings, consolidated-list aliases;
# bench/screen/make_indep.py, data/screen/indep), scored by
# `puente compare --csv --idf` (the batch interface, with the SDN list's
# token weights) and, in the same run, by the python3-jellyfish
# Jaro-Winkler baseline. P/R/F1 per set, kind and held-out split (dev/test
# by entity, make_indep.py), threshold sweep.
# Usage: bench/screen/indep.sh [THRESHOLD] [--max-per-set N] [--errors N]
#   --errors N   print up to N DEV-split errors to stderr (never test ones:
#                rules are designed on dev only)
#   INDEP_KEEP=DIR  keep pairs.csv / scored.csv / jw.csv in DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
T=${1:-0.75}
shift || true
MK=() MX=()
while [ $# -gt 0 ]; do
  case "$1" in
    --max-per-set) MK+=("$1" "$2"); shift 2 ;;
    --errors) MX+=("$1" "$2"); shift 2 ;;
    *) echo "indep.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
build/puente import ofac data/ofac --db "$W/s.db" >/dev/null 2>&1
python3 bench/screen/make_indep.py data/ofac data/screen/indep "$W/pairs.csv" "${MK[@]}" 2>"$W/counts.txt"
echo "pairs: $(($(wc -l < "$W/pairs.csv") - 1))"
build/puente compare --csv "$W/pairs.csv" --idf --db "$W/s.db" > "$W/scored.csv"
if /usr/bin/python3 -c 'import jellyfish' 2>/dev/null; then
  /usr/bin/python3 -W ignore bench/screen/jellyfish_pairs.py "$W/pairs.csv" "$W/jw.csv"
  python3 bench/screen/indep_metrics.py "$W/scored.csv" "$T" "$W/jw.csv" "${MX[@]}"
else
  echo "(python3-jellyfish missing: scripts/deps.sh bench; baseline skipped)"
  python3 bench/screen/indep_metrics.py "$W/scored.csv" "$T" "${MX[@]}"
fi
if [ -n "${INDEP_KEEP:-}" ]; then mkdir -p "$INDEP_KEEP" && cp "$W"/*.csv "$INDEP_KEEP"/; fi
