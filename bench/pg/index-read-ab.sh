#!/usr/bin/env bash
# bench/pg/index-read-ab.sh - the trace index build (one large read of
# every firearm) on an SQLite store and on a PostgreSQL store, an older
# binary against this one, alternating, in the same run (docs/perf/pg.md,
# "Large reads through a cursor"). A benchmark, not a test.
# The stores are the caller's: any two stores with the same firearms and no
# request left to run (`trace run` then only builds the index), e.g. the
# stores of bench/pg/trace-run-ab.sh with every firearm copied N times:
#   INSERT INTO trace_firearm (<columns but id>) SELECT ..., serial || '-' || k,
#     serial_norm || '-' || k, ... FROM trace_firearm, <1..N as k>;
#   UPDATE trace_request SET status = 'completed'
# (docs/perf/pg.md gives the statements used). PG_DIR is the cluster's
# directory (scripts/pg-test-cluster.sh start PG_DIR/c) for its CPU.
# Usage: PUENTE_OLD=old PG_DIR=dir bench/pg/index-read-ab.sh SQLITE_FILE PG_URI [ROUNDS]
# Run it under `nice -n 10` (the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
PUENTE=$(realpath "${PUENTE:-build/puente}")
: "${PUENTE_OLD:?set PUENTE_OLD to the older binary}" "${PG_DIR:?set PG_DIR to the cluster directory}"
SDB=$1 PDB=$2 ROUNDS=${3:-3}
PGDIR=$PG_DIR
PGBIN=$(scripts/pg-test-cluster.sh bindir)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "start: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), nice $(nice)"
echo "binaries: new $PUENTE, old $PUENTE_OLD"
echo
echo "| round | binary | store | firearms | index build s (printed) | wall s | client user s | client sys s | cluster CPU s | client max RSS MB | load |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
for r in $(seq "$ROUNDS"); do
  for bin in old new; do
    path=$PUENTE; [ $bin = old ] && path=$PUENTE_OLD
    for b in sqlite pg; do
      db=$SDB; [ $b = pg ] && db=$PDB
      s0=$(pg_server_cpu)
      /usr/bin/time -f "%e %U %S %M" -o "$OUT/t" "$path" trace --db "$db" --today 2026-11-27 run >"$OUT/o" 2>&1 ||
        { cat "$OUT/o" >&2; exit 1; }
      s1=$(pg_server_cpu)
      read -r w u s m <"$OUT/t"
      srv="-"; [ $b = pg ] && srv=$(python3 -c "print(f'{$s1 - $s0:.2f}')")
      read -r n secs < <(sed -n 's/^index: \([0-9]*\) firearms in \([0-9.]*\) s$/\1 \2/p' "$OUT/o")
      echo "| $r | $bin | $b | $n | $secs | $w | $u | $s | $srv | $((m / 1024)) | $(cut -d' ' -f1 /proc/loadavg) |"
    done
  done
done
echo; echo "end: $(date -u '+%H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
