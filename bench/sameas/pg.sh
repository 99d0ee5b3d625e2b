#!/usr/bin/env bash
# The uncached sameas build on SQLite beside PostgreSQL (docs/perf/sameas.md):
# the bench store (bench/sameas/gen.py N 42 + the OFAC list, `resolve run`,
# one judgement) written to a SQLite file and to a throwaway PostgreSQL 15
# cluster (bench/pg/lib.sh), then bench_sameas on each: per reader, the
# reader's clusters and the whole sameas_build (CPU of this process, and the
# PostgreSQL server's CPU around the run), and with OLD=1 the former rule (a
# screening per entity) once per reader.
# usage: bench/sameas/pg.sh [N] [REPS]   (default 100000 3); STORE=DIR: the SQLite store kept by
# run.sh (KEEP=DIR) instead of preparing it again
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
N=${1:-100000}; REPS=${2:-3}
PUENTE=${PUENTE:-build/puente}; BENCH=${BENCH:-build/bench/sameas/bench_sameas}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-sameas-pg.XXXXXX")
trap 'pg_bench_stop; rm -rf "$work"' EXIT
pg_bench_start
pg_machine
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/sameas/gen.py "$N" 42 "$work/p.jsonl"
now() { date +%s.%N; }
prepare() {   # STORE: import, resolve run, one judgement
  local db=$1 s
  s=$(now)
  "$PUENTE" import ftm "$work/p.jsonl" --owner FGR --marking SHARED --db "$db" >/dev/null
  "$PUENTE" import ofac data/ofac --db "$db" >/dev/null
  "$PUENTE" agency seed --db "$db" >/dev/null
  "$PUENTE" resolve run --db "$db" | cut -c1-120
  IFS=$'\t' read -r _ rec des < "$work/p.jsonl.names"
  "$PUENTE" resolve judge "$rec" "$des" same --note bench --db "$db" >/dev/null
  echo "prepared in $(echo "$(now) - $s" | bc) s"
}
run() {   # NAME STORE
  local c0 c1
  echo "== $1"
  c0=$(pg_server_cpu || true)   # a backend that just ended may vanish under the walk of /proc
  /usr/bin/time -f "bench_sameas: %e s wall, %U s user, %S s sys" "$BENCH" "$2" --reps "$REPS" ${OLD:+--old}
  c1=$(pg_server_cpu || true)
  echo "PostgreSQL server CPU during the run: $(echo "$c1 - $c0" | bc) s"
}
if [ -n "${STORE:-}" ]; then   # a SQLite store kept by run.sh (KEEP=DIR): only the judgement
  cp "$STORE/b.db" "$work/b.db"
  IFS=$'\t' read -r _ rec des < "$work/p.jsonl.names"
  "$PUENTE" resolve judge "$rec" "$des" same --note bench --db "$work/b.db" >/dev/null
else
  prepare "$work/b.db"
fi
prepare "$(pg_store sameas)"
run sqlite "$work/b.db"
run postgresql "$(pg_store sameas)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
