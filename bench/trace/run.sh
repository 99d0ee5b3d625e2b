#!/usr/bin/env bash
# bench/trace/run.sh - firearms tracing benchmark (not a test).
#
# 1. Generate FIREARMS firearms with full chains (about 4.1 acquisition
#    records each: 4.9 M firearms -> about 20 M records) and RECOVERIES
#    Mexican recoveries, once (cached in OUT; GENERATE=1 forces it).
# 2. Trace every recovery with the in-memory index (index build reported
#    apart), then again with the baseline (SQLite B-tree index lookups),
#    from the same starting state.
# 3. Partial-serial latency: NPAT patterns (2-3 obliterated characters of
#    real serials), in-memory index vs. SQLite GLOB scan, with and without
#    the manufacturer.
# 4. Quality: precision/recall at k of planted ring purchasers.
#
# Usage: bench/trace/run.sh   (env: FIREARMS, RECORDS, RECOVERIES, RINGS, NPAT, BASE_N, OUT)
set -euo pipefail
cd "$(dirname "$0")/../.."
PUENTE=${PUENTE:-build/puente}
FIREARMS=${FIREARMS:-4900000}
RECOVERIES=${RECOVERIES:-100000}
RINGS=${RINGS:-40}
NPAT=${NPAT:-50}
BASE_N=${BASE_N:-1000}
RECORDS=${RECORDS:-20000000}
OUT=${OUT:-bench/out/trace}
DB="$OUT/trace-$FIREARMS.db"
TODAY=2026-11-27
mkdir -p "$OUT"
P() { "$PUENTE" trace --db "$DB" --today "$TODAY" "$@"; }
T() { /usr/bin/time -f "%e s wall, %M KB max RSS" "$PUENTE" trace --db "$DB" --today "$TODAY" "$@"; }

echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$DB" ] || [ "${GENERATE:-0}" = 1 ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "## generate"
  T generate --firearms "$FIREARMS" --recoveries "$RECOVERIES" --rings "$RINGS" --seed 2026
fi
# top up to RECORDS acquisition records (about 4.04 records per firearm)
have=$(sqlite3 "$DB" "SELECT COUNT(*) FROM trace_event")
if [ "$have" -lt "$RECORDS" ]; then
  more=$(( (RECORDS - have) * 100 / 404 + 1000 ))
  echo "## top-up: $have records < $RECORDS; adding $more firearms (no recoveries)"
  T generate --firearms "$more" --recoveries 0 --rings 0 --seed 2027
fi
echo "## sizes"
sqlite3 "$DB" "SELECT 'firearms', COUNT(*) FROM trace_firearm; SELECT 'acquisition records', COUNT(*) FROM trace_event; SELECT 'recoveries', COUNT(*) FROM trace_request;"

reset() { sqlite3 "$DB" "UPDATE trace_request SET status = 'submitted'; DELETE FROM trace_candidate;"; }
echo "## trace run: in-memory index, all requests"
reset
T run
echo "## trace run: in-memory index on the first $BASE_N requests (same subset as the baseline)"
sqlite3 "$DB" "UPDATE trace_request SET status = CASE WHEN id <= $BASE_N THEN 'submitted' ELSE 'completed' END; DELETE FROM trace_candidate;"
T run
echo "## trace run: baseline (SQLite index lookups) on the first $BASE_N requests"
# the baseline answers partial serials with GLOB scans (seconds each at this
# size), so it runs on a subset to keep the benchmark within minutes
sqlite3 "$DB" "UPDATE trace_request SET status = CASE WHEN id <= $BASE_N THEN 'submitted' ELSE 'completed' END; DELETE FROM trace_candidate;"
T run --baseline
# leave the store traced by the engine for the quality step
reset
P run >/dev/null

echo "## partial-serial queries ($NPAT patterns; index: 5 runs each, baseline: 1)"
sqlite3 -separator $'\t' "$DB" "SELECT f.mfr, f.serial_norm FROM trace_firearm f WHERE f.id IN
  (SELECT firearm_id FROM trace_request WHERE firearm_id IS NOT NULL ORDER BY id LIMIT $NPAT)" |
  awk -F'\t' 'BEGIN { srand(7) } { s = $2; n = length(s); for (k = 0; k < 2 + (NR % 2); k++) { p = 1 + int(rand() * n); s = substr(s, 1, p - 1) "?" substr(s, p + 1) } print $1 "\t" s }' \
  > "$OUT/patterns.tsv"
cut -f2 "$OUT/patterns.tsv" | sed 's/^/\t/' > "$OUT/patterns-nomfr.tsv"
echo "### with manufacturer"
P match --patterns "$OUT/patterns.tsv" --repeat 5
P match --patterns "$OUT/patterns.tsv" --repeat 1 --baseline
echo "### without manufacturer (serial only)"
P match --patterns "$OUT/patterns-nomfr.tsv" --repeat 5
P match --patterns "$OUT/patterns-nomfr.tsv" --repeat 1 --baseline

echo "## quality: planted ring purchasers among the top purchaser leads"
P leads --evaluate 10,25,50,100,200
echo "## published shares check"
P stats | sed -n 1,6p
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
