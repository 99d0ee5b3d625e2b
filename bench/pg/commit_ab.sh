#!/usr/bin/env bash
# bench/pg/commit_ab.sh - the audit group commit of two servers on one
# PostgreSQL store (`--audit-journal commit`), an older binary against this
# one in the SAME run, alternating (docs/perf/pg.md). A benchmark, not a test.
# For each binary: its own store (an older binary refuses a store migrated by
# a newer one), the OFAC list, two servers with --change-watch notify, one
# warm-up /match each, then wrk with 8 connections per server for SECS
# seconds, ROUNDS times alternating old/new. Prints req/s, p99 and CPU µs per
# request (servers + PostgreSQL cluster).
# Usage: PUENTE_OLD=path/to/old/puente bench/pg/commit_ab.sh   (SECS 10, ROUNDS 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
PUENTE=${PUENTE:-build/puente}
: "${PUENTE_OLD:?set PUENTE_OLD to the older binary}"
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-2}
OUT=bench/out/pg-commit-ab
rm -rf "$OUT"; mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pg_bench_stop; }
trap cleanup EXIT
pg_bench_start
seed() { # BIN DB -> token
  "$1" import ofac data/ofac --db "$2" >/dev/null
  "$1" agency seed --db "$2" >/dev/null
  "$1" user add bench --agency DEA --role analyst --db "$2" >/dev/null
  "$1" token create bench --db "$2"
}
serve() { # BIN DB LOG -> PORT
  "$1" serve --listen 127.0.0.1:0 --db "$2" --audit-journal commit --change-watch notify --max-conns-per-ip 512 >"$3" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do grep -q "listening on" "$3" && break; sleep 0.1; done
  PORT=$(grep -o '127.0.0.1:[0-9]*' "$3" | head -1 | cut -d: -f2)
  [ -n "$PORT" ] || { cat "$3" >&2; exit 1; }
}
cpu_now() {
  local tck; tck=$(getconf CLK_TCK)
  { for p in "${pids[@]}"; do awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null; done; } |
    awk -v t="$tck" -v pg="$(pg_server_cpu)" '{s+=$1} END {printf "%.3f\n", s/t + pg}'
}
body='{"queries":{"q1":{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"],"birthDate":["1957-04-04"]}}}}'
declare -A DB TOK
DB[old]=$(pg_store ab_old); DB[new]=$(pg_store ab_new)
TOK[old]=$(seed "$PUENTE_OLD" "${DB[old]}"); TOK[new]=$(seed "$PUENTE" "${DB[new]}")
pg_machine
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| round | binary | req/s | p99 ms | errors | CPU µs per request |"
echo "|---|---|---|---|---|---|"
for r in $(seq "$ROUNDS"); do
  for which in old new; do
    bin=$PUENTE; [ $which = old ] && bin=$PUENTE_OLD
    serve "$bin" "${DB[$which]}" "$OUT/a.log"; pa=$PORT
    serve "$bin" "${DB[$which]}" "$OUT/b.log"; pb=$PORT
    cat >"$OUT/m.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer ${TOK[$which]}"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$body'
LUA
    for p in $pa $pb; do
      curl -s -o /dev/null --max-time 300 -X POST -H "Authorization: Bearer ${TOK[$which]}" -H "Content-Type: application/json" \
        -d "$body" "http://127.0.0.1:$p/match/default" || true
    done
    c0=$(cpu_now)
    wrk -t1 -c8 -d"${SECS}s" --latency -s "$OUT/m.lua" "http://127.0.0.1:$pa/match/default" >"$OUT/wrk.a" & w1=$!
    wrk -t1 -c8 -d"${SECS}s" --latency -s "$OUT/m.lua" "http://127.0.0.1:$pb/match/default" >"$OUT/wrk.b" & w2=$!
    wait $w1 $w2
    c1=$(cpu_now)
    python3 - "$OUT" "$r" "$which" "$c0" "$c1" <<'PY'
import re, sys
out, r, which, c0, c1 = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
def ms(v):
    m = re.match(r"([0-9.]+)(us|ms|s)", v); return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rps = p99 = 0.0; errs = total = 0
for s in "ab":
    t = open(f"{out}/wrk.{s}").read()
    rps += float(re.search(r"Requests/sec:\s+([0-9.]+)", t).group(1))
    total += int(re.search(r"(\d+) requests in", t).group(1))
    p99 = max(p99, ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1)))
    for m in re.finditer(r"Non-2xx or 3xx responses: (\d+)|Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t):
        errs += sum(int(g) for g in m.groups() if g)
print(f"| {r} | {which} | {rps:.0f} | {p99:.1f} | {errs} | {(c1 - c0) / max(total, 1) * 1e6:.0f} |")
PY
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done; pids=()
  done
done
echo; echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%H:%M UTC')"
