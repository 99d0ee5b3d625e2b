#!/usr/bin/env bash
# bench/pg/trace-profile.sh - where PostgreSQL's CPU goes in `trace run`
# (docs/perf/pg.md, "Sixth session"). A measurement aid, not a test.
# Starts a throwaway durable cluster (bench/pg/lib.sh) with
# pg_stat_statements loaded, generates FIREARMS firearms and RECOVERIES
# requests with the first binary, then for each binary given (default
# build/puente): every request back to 'submitted', VACUUM ANALYZE,
# CHECKPOINT, the statistics reset, `trace run`; prints wall, client CPU,
# the cluster's CPU during the run, the WAL written, and the statements by
# total execution time (calls, rows, shared buffers hit, WAL; the
# statements with an IN list of different lengths are summed by their
# first 40 characters). Execution times are wall times inside the server:
# on a loaded machine they include waiting for a CPU.
# Usage: [FIREARMS=250000] [RECOVERIES=FIREARMS/50] [TOP=12] nice -n 10 bench/pg/trace-profile.sh [BIN...]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
FIREARMS=${FIREARMS:-250000}
RECOVERIES=${RECOVERIES:-$((FIREARMS / 50))}
TOP=${TOP:-12}
[ $# -gt 0 ] || set -- build/puente
PG_BENCH_SETTINGS="$PG_BENCH_SETTINGS -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
trap pg_bench_stop EXIT
pg_bench_start
PSQL=("$PGBIN/psql" -qAtX -d "$PGURI")
"${PSQL[@]}" -c "CREATE EXTENSION pg_stat_statements"
DB=$(pg_store prof)
pg_machine
echo "firearms: $FIREARMS, recoveries: $RECOVERIES; start $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$1" trace --db "$DB" --today 2026-11-27 generate --firearms "$FIREARMS" --recoveries "$RECOVERIES" --rings 40 \
  --seed 2026 >/dev/null
OUTF=$(mktemp "${TMPDIR:-/tmp}/puente-prof.XXXXXX")
for bin in "$@"; do
  "${PSQL[@]}" -c "SET search_path = prof" -c "UPDATE trace_request SET status = 'submitted'" -c "VACUUM ANALYZE" \
    -c "CHECKPOINT" -c "SELECT public.pg_stat_statements_reset()" >/dev/null
  lsn=$("${PSQL[@]}" -c "SELECT pg_current_wal_lsn()")
  pg_settle
  s0=$(pg_server_cpu)
  /usr/bin/time -f "%e %U %S" -o "$OUTF.time" "$bin" trace --db "$DB" --today 2026-11-27 run >"$OUTF" 2>&1
  pg_settle
  s1=$(pg_server_cpu)
  read -r w u s <"$OUTF.time"
  echo
  echo "== $bin: wall $w s, client user $u s sys $s s, cluster CPU $(python3 -c "print(f'{$s1 - $s0:.2f}')") s," \
    "WAL $("${PSQL[@]}" -c "SELECT pg_size_pretty(pg_current_wal_lsn() - '$lsn')"), load $(cut -d' ' -f1 /proc/loadavg)"
  grep -v '^[[:space:]]*$' "$OUTF" | tail -n 2
  "$PGBIN/psql" -X -d "$PGURI" -c "SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 40) AS statement,
      sum(calls) AS calls, round(sum(total_exec_time)::numeric) AS ms, sum(rows) AS rows,
      sum(shared_blks_hit) AS hit, round(sum(wal_bytes) / 1e6, 1) AS wal_mb
    FROM public.pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
    GROUP BY 1 ORDER BY 3 DESC LIMIT $TOP"
done
rm -f "$OUTF" "$OUTF.time"
