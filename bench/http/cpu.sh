#!/usr/bin/env bash
# Server CPU time per request (user + system of the `puente serve` process,
# from /proc, divided by the requests wrk completed) for the trivial endpoint,
# /api/v1/me (authentication + audit and nothing else) and POST /match with
# one query (repeated: answered from the answer cache; distinct: screened),
# at 16 connections. Unlike req/s, CPU per request barely depends on what
# else runs on the machine, so it shows where a request's cost goes.
# Usage: bench/http/cpu.sh [SECONDS] (default 5). Needs wrk (make bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-5}
. bench/http/lib.sh
bench_http_start
echo '{"queries":{"q1":{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"],"birthDate":["1957-04-04"]}}}}' > "$work/match.json"
printf 'wrk.method = "GET"\nwrk.headers["Authorization"] = "Bearer %s"\n' "$tok" > "$work/me.lua"
printf 'wrk.method = "POST"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = io.open("%s", "r"); wrk.body = f:read("*a"); f:close()\n' "$tok" "$work/match.json" > "$work/match.lua"
bench_http_distinct_lua "$work/distinct.lua"
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
echo "machine: $(nproc) CPUs; load before: $(cut -d' ' -f1-3 /proc/loadavg); 16 connections, ${secs}s each"
echo
echo "| endpoint | req/s | server CPU µs per request |"
echo "|---|---|---|"
for r in "GET /api/v1/health (trivial)|/api/v1/health|" "GET /api/v1/me (auth + audit)|/api/v1/me|$work/me.lua" \
         "POST /match/default, 1 query|/match/default|$work/match.lua" \
         "POST /match/default, 1 query, every request distinct (no cache hit)|/match/default|$work/distinct.lua"; do
  IFS='|' read -r label path script <<<"$r"
  args=(-t2 -c16 -d"${secs}s"); [ -n "$script" ] && args+=(-s "$script")
  a=$(ticks); out=$(wrk "${args[@]}" "$base$path"); b=$(ticks)
  n=$(awk '/requests in/{print $1}' <<<"$out"); rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  echo "| $label | ${rps%.*} | $(python3 -c "print(f'{($b-$a)/$hz*1e6/$n:.1f}')") |"
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
