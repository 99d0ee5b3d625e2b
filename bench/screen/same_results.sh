#!/usr/bin/env bash
# Result equivalence of two builds of the screening engine (used when a change
# is meant to be pure speed): the outputs must be byte for byte the same.
#   - `puente screen --explain --format json` over the speed-bench queries
#     (the 5,717 variants and hard negatives of make_eval.py) and the 1,439
#     independent queries (make_indep.py), with the `candidates` count
#     removed (a tighter but lossless blocking may change it);
#   - `puente compare --csv --idf` over the generated pairs and the
#     independent pairs;
#   - the "index lost" lines of `bench_screen list` (exhaustive top-1 matches
#     the index misses: 1,000 generated queries, all independent ones).
# Usage: bench/screen/same_results.sh OLD_BUILD NEW_BUILD
#   OLD_BUILD / NEW_BUILD: build directories (puente, bench/screen/bench_screen)
#   SAME_KEEP=DIR  keep the outputs in DIR/old and DIR/new
#   SAME_NO_LOSS=1 skip the bench_screen loss runs (about 80 s per build)
#   SAME_OLD=DIR   take OLD's outputs from DIR (an earlier SAME_KEEP DIR/old)
#                  instead of running OLD_BUILD again
# Exit 0 when everything is identical, 1 otherwise (diff on stderr).
set -euo pipefail
export PYTHONHASHSEED=0
[ $# -eq 2 ] || { echo "usage: $0 OLD_BUILD NEW_BUILD" >&2; exit 2; }
OLD=$(cd "$1" && pwd) NEW=$(cd "$2" && pwd)
cd "$(dirname "$0")/../.."
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$NEW/puente" import ofac data/ofac --db "$W/s.db" >/dev/null 2>&1
python3 bench/screen/make_eval.py data/ofac "$W/pairs.csv" 2>/dev/null
python3 bench/screen/make_indep.py data/ofac data/screen/indep "$W/indep.csv" 2>/dev/null
# queries as speed.sh builds them: one name per line, and as CSV for screen
python3 - "$W" <<'EOF'
import csv, sys
w = sys.argv[1]
def one(src, txt, out_csv):
    seen, rows = set(), []
    for r in csv.DictReader(open(src, encoding='utf-8')):
        n = r['name1'].replace('\n', ' ')
        if txt == 'iqueries' and n in seen:
            continue
        seen.add(n)
        rows.append(n)
    with open(f'{w}/{txt}.txt', 'w', encoding='utf-8') as f:
        f.writelines(n + '\n' for n in rows)
    with open(f'{w}/{out_csv}', 'w', encoding='utf-8', newline='') as f:
        wr = csv.writer(f)
        wr.writerow(['name'])
        wr.writerows([n] for n in rows)
one(f'{w}/pairs.csv', 'queries', 'queries.csv')
one(f'{w}/indep.csv', 'iqueries', 'iqueries.csv')
EOF
run() { # BUILD OUTDIR
  local b=$1 o=$2
  mkdir -p "$o"
  for q in queries iqueries; do
    "$b/puente" screen "$W/$q.csv" --explain --format json --db "$W/s.db" 2>"$o/$q.err" |
      sed -E 's/"candidates": ?[0-9]+,? ?//' > "$o/$q.screen.json" || true
  done
  "$b/puente" compare --csv "$W/pairs.csv" --idf --db "$W/s.db" > "$o/pairs.scored.csv" 2>"$o/pairs.err" || true
  "$b/puente" compare --csv "$W/indep.csv" --idf --db "$W/s.db" > "$o/indep.scored.csv" 2>"$o/indep.err" || true
  local bs="$b/bench/screen/bench_screen"
  [ -x "$bs" ] || bs="$b/tests/screen/bench_screen"   # builds from before bench/meson.build
  if [ -z "${SAME_NO_LOSS:-}" ]; then
    "$bs" list "$W/s.db" "$W/queries.txt" 1000 2>&1 >/dev/null |
      grep "index lost" > "$o/lost.txt" || true
    "$bs" list "$W/s.db" "$W/iqueries.txt" 2000 2>&1 >/dev/null |
      grep "index lost" > "$o/ilost.txt" || true
  fi
}
if [ -n "${SAME_OLD:-}" ]; then
  mkdir -p "$W/old" && cp "$SAME_OLD"/* "$W/old"/
  [ -n "${SAME_NO_LOSS:-}" ] && rm -f "$W/old/lost.txt" "$W/old/ilost.txt"
else
  run "$OLD" "$W/old"
fi
run "$NEW" "$W/new"
[ -n "${SAME_KEEP:-}" ] && mkdir -p "$SAME_KEEP" && cp -r "$W/old" "$W/new" "$SAME_KEEP"/
rc=0
for f in "$W"/old/*; do
  b=$(basename "$f")
  if cmp -s "$f" "$W/new/$b"; then
    echo "same: $b ($(wc -l < "$f") lines)"
  else
    echo "DIFFERENT: $b" >&2
    diff "$f" "$W/new/$b" | head -20 >&2
    rc=1
  fi
done
[ $rc -eq 0 ] && echo "all outputs identical" || echo "outputs differ" >&2
exit $rc
