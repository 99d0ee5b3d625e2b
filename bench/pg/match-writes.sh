#!/usr/bin/env bash
# bench/pg/match-writes.sh - /match under a steady stream of writes, two
# `puente serve` processes on one store, on PostgreSQL and on an SQLite file
# in the same run, for one or two binaries (issue #18; docs/perf/pg.md).
# kill.sh without the kill, plus the latency of one /match right after a
# write and the CPU time of each process.
#
# For each binary (PUENTE, and PUENTE_BEFORE when set: the figures side by
# side) and each store (pg, sqlite): the OFAC list, two servers A and B
# (--audit-journal commit, 2 worker threads each); then
#   1. LAT_N times: create one entity through A (curl), then time one
#      /match through B (another server: it must see the write) and one
#      through A; the median and the maximum of each, and B's CPU time
#      (user+sys) per /match of B (its index rebuild included);
#   2. SECS seconds of four wrk at once, CONNS connections each: entity
#      creation through A and through B, POST /match/default through A and
#      through B; req/s and p99 of each, and the CPU seconds (user+sys) the
#      two servers and (PostgreSQL) the database server used meanwhile.
# With RATE=N the writes are a steady N per second in all (a curl loop per
# server, N/2 each) instead of two saturating wrk: the index work per write
# apart from the write lock's queue.
# Usage: bench/pg/match-writes.sh [SECS]  (default 20; CONNS 8, LAT_N 10,
# STORES "pg sqlite", PUENTE_BEFORE unset, RATE unset)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
SECS=${1:-20}
CONNS=${CONNS:-8}
LAT_N=${LAT_N:-10}
STORES=${STORES:-"pg sqlite"}
RATE=${RATE:-}
OUT=bench/out/pg-match-writes
rm -rf "$OUT"; mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is missing: scripts/deps.sh bench" >&2; exit 2; }
bins=("${PUENTE:-build/puente}")
names=(after)
if [ -n "${PUENTE_BEFORE:-}" ]; then bins=("$PUENTE_BEFORE" "${bins[0]}"); names=(before after); fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pg_bench_stop; }
trap cleanup EXIT
pg_bench_start
export PUENTE_AUDIT_JOURNAL=commit

cpu_of() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14+$15)/t}' "/proc/$1/stat"; }
serve() { # BIN DB LOG -> PORT, pid appended to pids
  "$1" serve --listen 127.0.0.1:0 --db "$2" --audit-journal commit --max-conns-per-ip 512 --threads 2 >"$3" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do grep -q "listening on" "$3" && break; sleep 0.1; done
  PORT=$(grep -o '127.0.0.1:[0-9]*' "$3" | head -1 | cut -d: -f2)
  [ -n "$PORT" ] || { cat "$3" >&2; exit 1; }
}
MATCH='{"queries":{"q1":{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"],"birthDate":["1957-04-04"]}}}}'

echo "$(pg_machine)"
echo "start: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg); writes: ${RATE:+$RATE/s in all (paced)}${RATE:-two wrk, $CONNS connections each}; /match: two wrk, $CONNS connections each; ${SECS}s"
echo
echo "| binary | store | after-write /match via B: median ms | max ms | B's CPU ms per such /match | via A: median ms | max ms | writes A+B req/s | /match A req/s | /match B req/s | /match p99 ms (A, B) | servers CPU s | PostgreSQL CPU s | load |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"
for bi in "${!bins[@]}"; do
  BIN=${bins[$bi]}
  for store in $STORES; do
    tag="${names[$bi]}-$store"
    if [ "$store" = pg ]; then DB=$(pg_store "mw_${names[$bi]}"); else DB="$OUT/$tag.db"; fi
    "$BIN" import ofac data/ofac --db "$DB" >/dev/null
    "$BIN" agency seed --db "$DB" >/dev/null
    "$BIN" user add bench --agency DEA --role analyst --db "$DB" >/dev/null
    tok=$("$BIN" token create bench --db "$DB")
    serve "$BIN" "$DB" "$OUT/$tag-a.log"; pa=$PORT; pid_a=${pids[-1]}
    serve "$BIN" "$DB" "$OUT/$tag-b.log"; pb=$PORT; pid_b=${pids[-1]}
    H=(-s -o /dev/null -H "Authorization: Bearer $tok" -H "Content-Type: application/json")
    # warm both servers (first index build)
    curl "${H[@]}" -d "$MATCH" "http://127.0.0.1:$pa/match/default"
    curl "${H[@]}" -d "$MATCH" "http://127.0.0.1:$pb/match/default"
    : >"$OUT/$tag-lat-b.txt"; : >"$OUT/$tag-lat-a.txt"
    lb0=$(cpu_of "$pid_b")
    for i in $(seq "$LAT_N"); do
      curl "${H[@]}" -d "{\"id\":\"lat-$i\",\"schema\":\"Person\",\"marking\":\"SHARED\",\"properties\":{\"name\":[\"Latencia Prueba $i\"]}}" \
        "http://127.0.0.1:$pa/api/v1/entities"
      curl "${H[@]}" -w '%{time_total}\n' -d "$MATCH" "http://127.0.0.1:$pb/match/default" >>"$OUT/$tag-lat-b.txt"
      curl "${H[@]}" -d "{\"id\":\"lat2-$i\",\"schema\":\"Person\",\"marking\":\"SHARED\",\"properties\":{\"name\":[\"Latencia Otra $i\"]}}" \
        "http://127.0.0.1:$pa/api/v1/entities"
      curl "${H[@]}" -w '%{time_total}\n' -d "$MATCH" "http://127.0.0.1:$pa/match/default" >>"$OUT/$tag-lat-a.txt"
    done
    lb1=$(cpu_of "$pid_b")
    cat >"$OUT/write.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $tok"
wrk.headers["Content-Type"] = "application/json"
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, string.format(
    '{"id":"%s-%d-%d","schema":"Person","marking":"SHARED","properties":{"name":["Carga %s %d %d"]}}',
    os.getenv("SIDE"), tid, i, os.getenv("SIDE"), tid, i))
end
LUA
    cat >"$OUT/match.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $tok"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$MATCH'
LUA
    c0="$(cpu_of "$pid_a")+$(cpu_of "$pid_b")"
    p0=0; [ "$store" = pg ] && { p0=$(pg_server_cpu) || true; }  # a backend that ends meanwhile fails one awk (pipefail)
    w=()
    if [ -n "$RATE" ]; then
      for side in a b; do
        port=$pa; [ "$side" = b ] && port=$pb
        python3 - "$port" "$tok" "$side" "$RATE" "$SECS" >"$OUT/$tag-wrk-write-$side.txt" 2>&1 <<'PY' & w+=($!)
import http.client, json, sys, time
port, tok, side, rate, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]) / 2, float(sys.argv[5])
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
t0, n, ok = time.monotonic(), 0, 0
while time.monotonic() - t0 < secs:
    body = json.dumps({"id": f"rate-{side}-{n}", "schema": "Person", "marking": "SHARED",
                       "properties": {"name": [f"Ritmo {side} {n}"]}})
    c.request("POST", "/api/v1/entities", body, {"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    r = c.getresponse(); r.read(); ok += r.status == 201; n += 1
    time.sleep(max(0, t0 + n / rate - time.monotonic()))
el = time.monotonic() - t0
print(f"{n} requests in {el:.2f}s ({ok} created)\nRequests/sec: {n / el:.2f}")
PY
      done
    else
    SIDE=a nice -n 5 wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$OUT/write.lua" "http://127.0.0.1:$pa/api/v1/entities" >"$OUT/$tag-wrk-write-a.txt" 2>&1 & w+=($!)
    SIDE=b nice -n 5 wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$OUT/write.lua" "http://127.0.0.1:$pb/api/v1/entities" >"$OUT/$tag-wrk-write-b.txt" 2>&1 & w+=($!)
    fi
    nice -n 5 wrk -t1 -c"$CONNS" -d"${SECS}s" --timeout 30s --latency -s "$OUT/match.lua" "http://127.0.0.1:$pa/match/default" >"$OUT/$tag-wrk-match-a.txt" 2>&1 & w+=($!)
    nice -n 5 wrk -t1 -c"$CONNS" -d"${SECS}s" --timeout 30s --latency -s "$OUT/match.lua" "http://127.0.0.1:$pb/match/default" >"$OUT/$tag-wrk-match-b.txt" 2>&1 & w+=($!)
    wait "${w[@]}" || true
    c1="$(cpu_of "$pid_a")+$(cpu_of "$pid_b")"
    p1=0; [ "$store" = pg ] && { p1=$(pg_server_cpu) || true; }
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    kill "$pid_a" "$pid_b"; wait "$pid_a" "$pid_b" 2>/dev/null || true
    pids=()
    python3 - "$OUT" "$tag" "${names[$bi]}" "$store" "$c0" "$c1" "$p0" "$p1" "$load" "$lb0" "$lb1" "$LAT_N" <<'PY'
import re, statistics, sys
out, tag, name, store, c0, c1, p0, p1, load, lb0, lb1, latn = sys.argv[1:]
def ms(v):
    m = re.match(r"([0-9.]+)(us|ms|s)", v); return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
def wrk(f):
    t = open(f"{out}/{tag}-wrk-{f}.txt").read()
    rps = float((re.search(r"Requests/sec:\s+([0-9.]+)", t) or [0, "0"])[1])
    p99 = (re.search(r"^\s+99%\s+(\S+)", t, re.M) or [0, "0us"])[1]
    return rps, ms(p99)
lat = lambda f: [float(x) * 1000 for x in open(f"{out}/{tag}-lat-{f}.txt").read().split()]
lb, la = lat("b"), lat("a")
wa, wb, ma, mb = wrk("write-a"), wrk("write-b"), wrk("match-a"), wrk("match-b")
tot = lambda x: sum(float(v) for v in x.split("+"))
cpu = tot(c1) - tot(c0)
pg = f"{float(p1) - float(p0):.1f}" if store == "pg" else "—"
bcpu = (float(lb1) - float(lb0)) / int(latn) * 1000
print(f"| {name} | {'PostgreSQL' if store == 'pg' else 'SQLite file'} | {statistics.median(lb):.0f} | {max(lb):.0f} | {bcpu:.0f} | "
      f"{statistics.median(la):.0f} | {max(la):.0f} | {wa[0] + wb[0]:.1f} | {ma[0]:.1f} | {mb[0]:.1f} | "
      f"{ma[1]:.0f}, {mb[1]:.0f} | {cpu:.1f} | {pg} | {load} |")
PY
  done
done
echo
echo "end: $(date -u '+%H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
