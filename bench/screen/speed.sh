#!/usr/bin/env bash
# Speed benchmark of the screening engine (issue #3), side by side with the
# exhaustive mode and a python3-jellyfish Jaro-Winkler baseline in the same
# run, plus a generated large list. Writes "key: value" lines to stdout.
# Usage: bench/screen/speed.sh [SYNTH_N]   (default 1000000)
# Needs: build/ (make), python3 + make_eval.py, /usr/bin/python3 with jellyfish
# (scripts/deps.sh bench).
set -euo pipefail
# make_eval.py iterates Python sets: a fixed hash seed makes the generated
# pairs (and so the figures) the same from run to run
export PYTHONHASHSEED=0
cd "$(dirname "$0")/../.."
SYN=${1:-1000000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load_before: $(cut -d' ' -f1-3 /proc/loadavg)"
build/puente import ofac data/ofac --db "$W/s.db" >/dev/null 2>&1
python3 bench/screen/make_eval.py data/ofac "$W/pairs.csv" 2>/dev/null
# single-name queries: the variants and hard negatives of the quality set
python3 -c "
import csv,sys
for r in csv.DictReader(open('$W/pairs.csv', encoding='utf-8')):
    print(r['name1'].replace('\n',' '))" > "$W/queries.txt"
echo "queries_file_lines: $(wc -l < "$W/queries.txt")"
build/bench/screen/bench_screen list "$W/s.db" "$W/queries.txt" 1000 2>"$W/lost.txt"
grep -c "index lost" "$W/lost.txt" | sed 's/^/index_lost_lines: /' || true
# index loss on the independent OFAC pair queries (make_indep.py): queries
# that are OFAC's own aliases, not our variants
python3 bench/screen/make_indep.py data/ofac data/screen/indep "$W/indep.csv" 2>/dev/null
python3 -c "
import csv
seen = set()
for r in csv.DictReader(open('$W/indep.csv', encoding='utf-8')):
    if r['name1'] not in seen:
        seen.add(r['name1']); print(r['name1'].replace('\n', ' '))" > "$W/iqueries.txt"
build/bench/screen/bench_screen list "$W/s.db" "$W/iqueries.txt" 2000 2>"$W/ilost.txt" | sed 's/^/indep_/'
grep "index lost" "$W/ilost.txt" | head -20 || true
/usr/bin/python3 bench/screen/jellyfish_baseline.py data/ofac "$W/queries.txt" 100 2>/dev/null
echo "load_mid: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v build/bench/screen/bench_screen synth "$SYN" 2>"$W/time.txt"
grep -E "Maximum resident" "$W/time.txt" | sed 's/.*: /synth_max_rss_kb: /'
echo "load_after: $(cut -d' ' -f1-3 /proc/loadavg)"
