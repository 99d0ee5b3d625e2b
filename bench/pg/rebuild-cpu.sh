#!/usr/bin/env bash
# bench/pg/rebuild-cpu.sh - server CPU time of one `/match` right after one
# write (issue #18; docs/perf/pg.md "Third session"): an SQLite store with the
# OFAC list; N cycles of "create one entity, then one /match" (curl); the
# CPU time (user+sys, /proc) of the server that answers the /match, per
# cycle. TWO=1: two servers (--audit-journal commit), the write through A and
# the /match through B (B's CPU). Binaries alternated REPS times: PUENTE_BEFORE
# (required) and PUENTE (default build/puente).
# Usage: PUENTE_BEFORE=/path/to/old/puente bench/pg/rebuild-cpu.sh [N]  (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-20}; REPS=${REPS:-2}; TWO=${TWO:-}
: "${PUENTE_BEFORE:?set PUENTE_BEFORE to the binary to compare with}"
OUT=bench/out/pg-rebuild-cpu; rm -rf "$OUT"; mkdir -p "$OUT"
build/puente import ofac data/ofac --db "$OUT/base.db" >/dev/null
build/puente agency seed --db "$OUT/base.db" >/dev/null
build/puente user add bench --agency DEA --role analyst --db "$OUT/base.db" >/dev/null
pids=(); trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
serve() { # BIN DB LOG -> PORT, pid appended to pids
  "$1" serve --listen 127.0.0.1:0 --db "$2" --threads 2 --audit-journal commit >"$3" 2>&1 & pids+=($!)
  for _ in $(seq 300); do grep -q "listening on" "$3" && break; sleep 0.1; done
  PORT=$(grep -o '127.0.0.1:[0-9]*' "$3" | head -1 | cut -d: -f2)
}
cpu() { awk -v t="$(getconf CLK_TCK)" '{printf "%.3f\n", ($14+$15)/t}' "/proc/$1/stat"; }
run() { # BIN NAME
  local d="$OUT/run"; rm -rf "$d"; mkdir -p "$d"; cp "$OUT/base.db" "$d/s.db"
  local tok; tok=$("$1" token create bench --db "$d/s.db")
  serve "$1" "$d/s.db" "$d/b.log"; local pb=$PORT pid=${pids[-1]} pa=$PORT
  if [ -n "$TWO" ]; then serve "$1" "$d/s.db" "$d/a.log"; pa=$PORT; fi
  local H=(-s -o /dev/null -H "Authorization: Bearer $tok" -H "Content-Type: application/json")
  local M='{"queries":{"q1":{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"]}}}}'
  curl "${H[@]}" -d "$M" "http://127.0.0.1:$pb/match/default"
  local c0 t0 c1 t1; c0=$(cpu "$pid"); t0=$(date +%s.%N)
  for i in $(seq "$N"); do
    curl "${H[@]}" -d "{\"id\":\"cpu-$i\",\"schema\":\"Person\",\"marking\":\"SHARED\",\"properties\":{\"name\":[\"Ciclo $i\"]}}" \
      "http://127.0.0.1:$pa/api/v1/entities"
    curl "${H[@]}" -d "$M" "http://127.0.0.1:$pb/match/default"
  done
  c1=$(cpu "$pid"); t1=$(date +%s.%N)
  for p in "${pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done; pids=()
  python3 -c "import sys; c0,c1,t0,t1,n=map(float,sys.argv[1:]); print(f'| $2 | {(c1-c0)*1000/n:.0f} | {(t1-t0)*1000/n:.0f} | $(cut -d' ' -f1-3 /proc/loadavg) |')" \
    "$c0" "$c1" "$t0" "$t1" "$N"
}
echo "$(date -u '+%Y-%m-%d %H:%M:%S UTC'), N=$N cycles, ${TWO:+two servers (write via A, /match via B)}${TWO:-one server}"
echo "| binary | server CPU ms per cycle | wall ms per cycle | load |"
echo "|---|---:|---:|---|"
for _ in $(seq "$REPS"); do run "$PUENTE_BEFORE" before; run "${PUENTE:-build/puente}" after; done
