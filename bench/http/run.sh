#!/usr/bin/env bash
# Benchmark of `puente serve` with wrk over loopback: yente's POST /match
# (one query), POST /api/v1/screen (one query), an authenticated + audited
# entity read, and a trivial endpoint (GET /api/v1/health: no auth, no audit)
# as the stack's limit — all against the same server in the same run, at 1, 16
# and 128 connections. Prints a Markdown table (p50, p99, req/s, ratio to the
# trivial endpoint at the same concurrency).
# Usage: bench/http/run.sh [SECONDS_PER_RUN] (default 10). Needs wrk (make bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
. bench/http/lib.sh
bench_http_start
have_screen=0
"$PUENTE" serve --list-routes | grep -q "POST /match" && have_screen=1
id=$(curl -s -H "Authorization: Bearer $tok" "$base/api/v1/entities?q=guzman&schema=Person&limit=1" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["id"])')

lua() {  # method, body file -> wrk script
  cat > "$work/$3.lua" <<LUA
wrk.method = "$1"
wrk.headers["Authorization"] = "Bearer $tok"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$2", "r"); if f then wrk.body = f:read("*a"); f:close() end
LUA
}
echo '{"queries":{"q1":{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"],"birthDate":["1957-04-04"]}}}}' > "$work/match.json"
echo '{"queries":[{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"],"birthDate":["1957-04-04"]}}]}' > "$work/screen.json"
lua POST "$work/match.json" match
# The same request over and over is the best case for every cache on the
# way (entity bodies, the page cache): the "mixed" row cycles through 1,000
# different listed people instead (names as "Given SURNAME", no birth date).
python3 - "$work/mix.lua" "$tok" data/ofac/sdn.csv <<'PY'
import csv, json, sys
out, tok, path = sys.argv[1:4]
names = []
with open(path, newline="", encoding="utf-8", errors="replace") as f:
    for row in csv.reader(f):
        if len(row) > 2 and row[2] == "individual" and ", " in row[1]:
            sur, given = row[1].split(", ", 1)
            names.append(f"{given} {sur}")
        if len(names) == 1000:
            break
bodies = [json.dumps({"queries": {"q1": {"schema": "Person", "properties": {"name": [n]}}}}) for n in names]
with open(out, "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write(f'wrk.headers["Authorization"] = "Bearer {tok}"\n')
    f.write('wrk.headers["Content-Type"] = "application/json"\n')
    f.write("local bodies = {\n" + ",\n".join("[[" + b + "]]" for b in bodies) + "\n}\n")
    f.write("local i = 0\nrequest = function()\n  i = i % #bodies + 1\n")
    f.write("  return wrk.format(nil, nil, nil, bodies[i])\nend\n")
PY
cp "$work/match.json" "$work/mix.json"
# Every request distinct: the same query under a new key each time, so the
# server's whole-answer cache never hits and each request is screened (the
# cost of an uncached /match).
bench_http_distinct_lua "$work/distinct.lua"
cp "$work/match.json" "$work/distinct.json"
lua POST "$work/screen.json" screen
lua GET /dev/null get

runs=("health|GET /api/v1/health (trivial)|$base/api/v1/health|")
# /me: authentication + the audited answer and nothing else, so the table
# shows what the audit trail and authentication cost on their own
runs+=("me|GET /api/v1/me (auth + audit only)|$base/api/v1/me|$work/get.lua")
runs+=("entity|GET /api/v1/entities/{id} (auth + audit + store read)|$base/api/v1/entities/$id|$work/get.lua")
if [ $have_screen = 1 ]; then
  runs+=("match|POST /match/default, 1 query|$base/match/default|$work/match.lua")
  runs+=("mix|POST /match/default, 1 query, 1,000 names in turn|$base/match/default|$work/mix.lua")
  runs+=("distinct|POST /match/default, 1 query, every request distinct (no cache hit)|$base/match/default|$work/distinct.lua")
  runs+=("screen|POST /api/v1/screen, 1 query|$base/api/v1/screen|$work/screen.lua")
fi
# sanity: every benchmarked request succeeds
for r in "${runs[@]}"; do
  IFS='|' read -r key label url script <<<"$r"
  m=GET; case $key in match|mix|distinct|screen) m=POST ;; esac
  d=(); [ "$m" = POST ] && d=(--data-binary @"$work/$key.json")
  code=$(curl -s -o /dev/null -w '%{http_code}' -X "$m" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "${d[@]}" "$url")
  [ "$code" = 200 ] || { echo "bench: $label answered $code" >&2; exit 1; }
done

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: 2 worker threads (default = CPUs); wrk 2 threads on the same machine; ${secs}s per run"
echo
echo "| endpoint | conns | req/s | p50 ms | p99 ms | req/s vs trivial |"
echo "|---|---|---|---|---|---|"
declare -A base_rps
for c in 1 16 128; do
  for r in "${runs[@]}"; do
    IFS='|' read -r key label url script <<<"$r"
    t=2; [ $c -lt 2 ] && t=1
    args=(-t"$t" -c"$c" -d"${secs}s" --latency)
    [ -n "$script" ] && args+=(-s "$script")
    out=$(wrk "${args[@]}" "$url")
    rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
    p50=$(awk '$1=="50%"{print $2}' <<<"$out")
    p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    errs=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
    ms() { python3 -c "import sys,re; v=sys.argv[1]; m=re.match(r'([0-9.]+)(us|ms|s)',v); f={'us':0.001,'ms':1,'s':1000}[m.group(2)]; print(f'{float(m.group(1))*f:.2f}')" "$1"; }
    [ "$key" = health ] && base_rps[$c]=$rps
    ratio=$(python3 -c "print(f'{$rps/${base_rps[$c]}*100:.0f} %')")
    echo "| $label | $c | ${rps%.*} | $(ms "$p50") | $(ms "$p99") | $ratio | ${errs}"
  done
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## Server CPU per request (bench/http/cpu.sh)"
echo
PUENTE="$PUENTE" bench/http/cpu.sh "$secs"
