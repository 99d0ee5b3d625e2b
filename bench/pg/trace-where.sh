#!/usr/bin/env bash
# bench/pg/trace-where.sh - where the wall time of `trace generate` goes on
# PostgreSQL (docs/perf/pg.md): runs it at FIREARMS firearms on a throwaway
# durable cluster (bench/pg/lib.sh) and samples, every 0.1 s, the client's
# and its server process's /proc/PID/schedstat (time on a CPU, time waiting
# in the run queue for a CPU) and the server process's wait_event
# (pg_stat_activity). Time neither on a CPU nor waiting for one is time
# blocked: on the other side (a round trip: Client:ClientRead on the server)
# or on I/O (IO:* events). A measurement aid, not a test.
# Usage: [FIREARMS=50000] [PUENTE=build/puente] bench/pg/trace-where.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
PUENTE=${PUENTE:-build/puente}
FIREARMS=${FIREARMS:-50000}
trap pg_bench_stop EXIT
pg_bench_start
PSQL=$PGBIN/psql
db="$(pg_store where)%20-capplication_name%3Dtrace_where"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
"$PUENTE" trace --db "$db" --today 2026-11-27 generate --firearms "$FIREARMS" --recoveries $((FIREARMS / 50)) \
  --rings 40 --seed 2026 >/dev/null 2>&1 &
cp=$!
t0=$(date +%s.%N)
bp="" cs="" bs=""
declare -A waits
while kill -0 $cp 2>/dev/null; do
  [ -n "$bp" ] || bp=$("$PSQL" -qAtX -d "$PGURI" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'trace_where'" 2>/dev/null || true)
  c=$(cat /proc/$cp/schedstat 2>/dev/null) && cs=$c
  if [ -n "$bp" ]; then
    b=$(cat /proc/$bp/schedstat 2>/dev/null) && bs=$b
    w=$("$PSQL" -qAtX -d "$PGURI" -c "SELECT COALESCE(wait_event_type || ':' || wait_event, state) FROM pg_stat_activity WHERE pid = $bp" 2>/dev/null || true)
    [ -n "$w" ] && waits[$w]=$(( ${waits[$w]:-0} + 1 ))
  fi
  sleep 0.1
done
wait $cp || { echo "trace generate failed" >&2; exit 1; }
wall=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.1f}')")
sec() { python3 -c "print(f'{$1 / 1e9:.2f}')"; }
echo "wall $wall s (FIREARMS=$FIREARMS; the last 0.1 s sample of each process)"
read -r on rq _ <<<"$cs"; echo "client: on a CPU $(sec "$on") s, waiting for a CPU $(sec "$rq") s"
read -r on rq _ <<<"$bs"; echo "server process: on a CPU $(sec "$on") s, waiting for a CPU $(sec "$rq") s"
echo "server process, state at each sample:"
for k in "${!waits[@]}"; do echo "  ${waits[$k]} $k"; done | sort -rn
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
