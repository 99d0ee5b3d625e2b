# bench/http/lib.sh - shared set-up of the HTTP benchmarks (sourced).
# bench_http_start: a store with the OFAC list, the agencies and a DEA analyst
# token, served by `puente serve` on a free loopback port. Sets work (temp
# folder, removed on exit), db, tok, pid and base (http://127.0.0.1:PORT).
bench_http_start() {
  PUENTE=${PUENTE:-build/puente}
  command -v wrk >/dev/null || { echo "wrk is missing: scripts/deps.sh bench" >&2; exit 2; }
  work=$(mktemp -d)
  trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
  db="$work/bench.db"
  "$PUENTE" import ofac data/ofac --db "$db" >/dev/null
  "$PUENTE" agency seed --db "$db" >/dev/null
  "$PUENTE" user add bench --agency DEA --role analyst --db "$db" >/dev/null
  tok=$("$PUENTE" token create bench --db "$db")
  "$PUENTE" serve --listen 127.0.0.1:0 --db "$db" --max-conns-per-ip 512 --max-conns 1024 2>"$work/log" &
  pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/log" && break; sleep 0.1; done
  base="http://127.0.0.1:$(grep -o '127.0.0.1:[0-9]*' "$work/log" | head -1 | cut -d: -f2)"
}

# bench_http_distinct_lua FILE: a wrk script posting one /match query under a
# new key each time, so the server's whole-answer cache never hits and every
# request is screened (the cost of an uncached /match). Needs $tok.
bench_http_distinct_lua() {
  cat > "$1" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $tok"
wrk.headers["Content-Type"] = "application/json"
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, string.format('{"queries":{"t%d_%d":{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"],"birthDate":["1957-04-04"]}}}}', tid or 0, i))
end
LUA
}
