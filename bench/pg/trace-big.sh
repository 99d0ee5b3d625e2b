#!/usr/bin/env bash
# bench/pg/trace-big.sh - `trace generate` then `trace run` at a large size on
# SQLite and on PostgreSQL AT THE SAME TIME (issue #18, "trace run on 20 M
# records"; docs/perf/pg.md): the two backends share the machine's load, so
# their wall times are comparable with each other (not with a quiet
# machine). A benchmark, not a test. Prints per backend and step: wall,
# client user/sys CPU, client max RSS and (PostgreSQL) the server's CPU,
# then the records and the stores' sizes. Run the whole script under
# `nice -n 10` (the machine is shared): the cluster it starts and both chains
# then run at the same priority (a nice inside would only lower the client's).
# Env: FIREARMS (5000000: about 4.1 records each, so about 20 M records),
# RECOVERIES (FIREARMS/50), OUT (/var/tmp/puente-trace-big: stores, logs and
# the cluster; needs about 25 GB at the default size), PUENTE (build/puente).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
PUENTE=$(realpath "${PUENTE:-build/puente}")
FIREARMS=${FIREARMS:-5000000}
RECOVERIES=${RECOVERIES:-$((FIREARMS / 50))}
OUT=${OUT:-/var/tmp/puente-trace-big}
mkdir -p "$OUT"
rm -f "$OUT"/trace.db "$OUT"/trace.db-wal "$OUT"/trace.db-shm "$OUT"/*.time "$OUT"/*.srv
export TMPDIR=$OUT # the cluster's data directory goes there too
trap pg_bench_stop EXIT
pg_bench_start
SDB=$OUT/trace.db
PDB=$(pg_store big)
ARGS=(--today 2026-11-27)
GEN=(generate --firearms "$FIREARMS" --recoveries "$RECOVERIES" --rings 40 --seed 2026)

pg_machine
echo "binary: $PUENTE (${PUENTE_COMMIT:-$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+changes')}), nice $(nice)"
echo "PostgreSQL settings: fsync on, synchronous_commit on, $PG_BENCH_SETTINGS"
echo "start: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# the load average once a minute while the chains run
( while sleep 60; do echo "$(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"; done ) >"$OUT/load.log" &
loadpid=$!

# chain NAME DB: generate then run, each timed; PostgreSQL's server CPU
# (pg_server_cpu) read before and after each step
chain() {
  local name=$1 db=$2 step
  for step in generate run; do
    local cmd=("${GEN[@]}"); [ $step = run ] && cmd=(run)
    pg_server_cpu >"$OUT/$name-$step.srv0"
    date -u +%H:%M:%S >"$OUT/$name-$step.start"
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/$name-$step.time" \
      "$PUENTE" trace --db "$db" "${ARGS[@]}" "${cmd[@]}" >"$OUT/$name-$step.out" 2>"$OUT/$name-$step.err" ||
      { echo "$name $step failed" >>"$OUT/$name-$step.err"; return 1; }
    date -u +%H:%M:%S >"$OUT/$name-$step.end"
    pg_server_cpu >"$OUT/$name-$step.srv1"
  done
}
chain sqlite "$SDB" & spid=$!
chain pg "$PDB" & ppid=$!
src=0; wait $spid || src=$?
prc=0; wait $ppid || prc=$?
kill $loadpid 2>/dev/null || true

echo "end: $(date -u '+%H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo; echo "| store | step | start-end UTC | wall s | client user s | client sys s | client max RSS MB | server CPU s (PostgreSQL's processes, whole cluster) |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
for name in sqlite pg; do
  for step in generate run; do
    [ -s "$OUT/$name-$step.time" ] || { echo "| $name | $step | not finished | | | | | |"; continue; }
    read -r w u s r <"$OUT/$name-$step.time"
    srv="-"
    [ $name = pg ] && [ -s "$OUT/$name-$step.srv1" ] &&
      srv=$(python3 -c "print(f'{$(cat "$OUT/$name-$step.srv1") - $(cat "$OUT/$name-$step.srv0"):.1f}')")
    echo "| $name | $step | $(cat "$OUT/$name-$step.start")-$(cat "$OUT/$name-$step.end" 2>/dev/null) | $w | $u | $s | $((r / 1024)) | $srv |"
  done
done
echo
echo "(the server CPU of a PostgreSQL step is the whole cluster's: while it ran, SQLite's chain used no PostgreSQL)"
for name in sqlite pg; do for step in generate run; do
  [ -s "$OUT/$name-$step.out" ] && { echo "$name $step:"; sed 's/^/  /' "$OUT/$name-$step.out" | tail -4; }
done; done
[ $src = 0 ] && echo "SQLite: $(sqlite3 "$SDB" 'SELECT count(*) FROM trace_event') records, $(sqlite3 "$SDB" 'SELECT count(*) FROM trace_firearm') firearms, $(sqlite3 "$SDB" 'SELECT count(*) FROM trace_request') requests; store $(du -cm "$SDB"* | tail -1 | cut -f1) MB"
[ $prc = 0 ] && echo "PostgreSQL: $(pg_sql 'SELECT count(*) FROM big.trace_event') records, $(pg_sql 'SELECT count(*) FROM big.trace_firearm') firearms, $(pg_sql 'SELECT count(*) FROM big.trace_request') requests; store $(pg_sql "SELECT round(sum(pg_total_relation_size(c.oid))/1048576.0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'big' AND c.relkind = 'r'") MB (tables with indexes and TOAST)"
echo; echo "load average, once a minute:"; cat "$OUT/load.log"
[ $src = 0 ] && [ $prc = 0 ]
