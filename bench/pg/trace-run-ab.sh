#!/usr/bin/env bash
# bench/pg/trace-run-ab.sh - `trace run` on SQLite and on PostgreSQL in the
# same run, an older binary against this one (docs/perf/pg.md, "Large reads
# through a cursor"). A benchmark, not a test. Generates FIREARMS firearms
# (about 4.1 records each) once per backend with this binary, then, ROUNDS
# times, for each binary and each backend: every request back to
# 'submitted', VACUUM ANALYZE and CHECKPOINT (so the cluster's background
# work is not counted), then `trace run`, timed. Prints wall, client
# user/sys, the cluster's CPU during the run (the run's backend, reaped when
# the client disconnects, and whatever else the cluster did) and the index
# build's own time as `trace run` prints it.
# Run the whole script under `nice -n 10` (the machine is shared).
# Env: FIREARMS (250000), RECOVERIES (FIREARMS / 50: the requests), ROUNDS (2), PUENTE (build/puente), PUENTE_OLD
# (optional: the binary to compare with), OUT (/var/tmp/puente-trace-ab).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
PUENTE=$(realpath "${PUENTE:-build/puente}")
FIREARMS=${FIREARMS:-250000}
RECOVERIES=${RECOVERIES:-$((FIREARMS / 50))}
ROUNDS=${ROUNDS:-2}
OUT=${OUT:-/var/tmp/puente-trace-ab}
mkdir -p "$OUT"
rm -f "$OUT"/trace.db*
export TMPDIR=$OUT
trap pg_bench_stop EXIT
pg_bench_start
SDB=$OUT/trace.db
PDB=$(pg_store ab)
ARGS=(--today 2026-11-27)

pg_machine
echo "firearms: $FIREARMS, recoveries: $RECOVERIES, rounds: $ROUNDS"
echo "binary: $PUENTE ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+changes')), older: ${PUENTE_OLD:-none}, nice $(nice)"
echo "start: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| binary | store | step | wall s | client user s | client sys s | cluster CPU s | index build s (as printed) | load |"
echo "|---|---|---|---:|---:|---:|---:|---:|---|"
db_of() { [ "$1" = sqlite ] && echo "$SDB" || echo "$PDB"; }
timed() { # LABEL BIN STORE STEP ARGS...
  local label=$1 bin=$2 b=$3 step=$4; shift 4
  pg_settle # the reset's psql backend (VACUUM ANALYZE) is reaped before, not during, the step
  local s0; s0=$(pg_server_cpu)
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" "$bin" trace --db "$(db_of "$b")" "${ARGS[@]}" "$step" "$@" \
    >"$OUT/out.txt" 2>&1 || { echo "$label $b $step failed" >&2; tail -5 "$OUT/out.txt" >&2; exit 1; }
  pg_settle
  local s1; s1=$(pg_server_cpu)
  read -r w u s _ <"$OUT/time.txt"
  local srv="-"; [ "$b" = pg ] && srv=$(python3 -c "print(f'{$s1 - $s0:.2f}')")
  local ix; ix=$(grep -o 'firearms in [0-9.]* s' "$OUT/out.txt" | awk '{print $3}' | head -1 || true)
  echo "| $label | $b | $step | $w | $u | $s | $srv | ${ix:--} | $(cut -d' ' -f1 /proc/loadavg) |"
}
reset_requests() { # STORE
  local sql="UPDATE trace_request SET status = 'submitted'"
  if [ "$1" = sqlite ]; then sqlite3 "$SDB" "$sql"
  else "$PGBIN/psql" -qAtX -d "$PGURI" -c "SET search_path = ab" -c "$sql" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null; fi
}
for b in sqlite pg; do
  timed new "$PUENTE" "$b" generate --firearms "$FIREARMS" --recoveries "$RECOVERIES" --rings 40 --seed 2026
done
for r in $(seq "$ROUNDS"); do
  for bin in ${PUENTE_OLD:+old} new; do
    path=$PUENTE; [ "$bin" = old ] && path=$PUENTE_OLD
    for b in sqlite pg; do
      reset_requests "$b"
      timed "$bin" "$path" "$b" run
    done
  done
done
echo
echo "records: SQLite $(sqlite3 "$SDB" 'SELECT count(*) FROM trace_event'), PostgreSQL $(pg_sql 'SELECT count(*) FROM ab.trace_event');" \
  "firearms $(sqlite3 "$SDB" 'SELECT count(*) FROM trace_firearm') / $(pg_sql 'SELECT count(*) FROM ab.trace_firearm');" \
  "outcomes SQLite $(sqlite3 "$SDB" "SELECT group_concat(s || '=' || n, ' ') FROM (SELECT status s, count(*) n FROM trace_request GROUP BY 1 ORDER BY 1)")," \
  "PostgreSQL $(pg_sql "SELECT string_agg(s || '=' || n, ' ') FROM (SELECT status s, count(*) n FROM ab.trace_request GROUP BY 1 ORDER BY 1) x")"
echo "end: $(date -u '+%H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
