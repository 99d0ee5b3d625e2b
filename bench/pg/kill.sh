#!/usr/bin/env bash
# bench/pg/kill.sh - load test of two `puente serve` processes on one
# PostgreSQL store over loopback, with `kill -9` of one of them mid-run
# (issue #18; docs/perf/pg.md). A benchmark, not a test: the quick
# correctness version is tests/http/test_two_servers_kill.py.
#
# For SECS seconds, four wrk processes run at once: entity creation
# (POST /api/v1/entities, each request a new id) through server A and
# through server B, and POST /match/default through A and through B. The
# write scripts' response handler appends the id of every 201 answer to a
# file (flushed per line). After SECS/2 seconds server B gets SIGKILL. Then:
#   - every acknowledged id must be in the store (else: "LOST", exit 1);
#   - `puente audit verify` must find one intact chain;
#   - every acknowledged write must have its entity.create audit entry.
# Prints req/s and p99 of each wrk (B's are for the time it lived).
# Usage: bench/pg/kill.sh [SECS]   (default 20; CONNS per wrk, default 8)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
PUENTE=${PUENTE:-build/puente}
SECS=${1:-20}
CONNS=${CONNS:-8}
OUT=bench/out/pg-kill
rm -rf "$OUT"; mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is missing: scripts/deps.sh bench" >&2; exit 2; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pg_bench_stop; }
trap cleanup EXIT
pg_bench_start
DB=$(pg_store killbench)
# JOURNAL=own (default): each server stages its reads' audit entries in its
# own journal file (docs/audit.md "Several servers, one chain"); after the
# kill, `puente audit ingest` puts the dead server's journal into the chain,
# and every answered /match must have its entry. JOURNAL=commit: group commit.
JOURNAL=${JOURNAL:-own}
export PUENTE_AUDIT_JOURNAL=none  # the CLI below names the journals itself
"$PUENTE" import ofac data/ofac --db "$DB" >/dev/null
"$PUENTE" agency seed --db "$DB" >/dev/null
"$PUENTE" user add bench --agency DEA --role analyst --db "$DB" >/dev/null
tok=$("$PUENTE" token create bench --db "$DB")

serve() { # LOG -> PORT, pid appended to pids
  local j=commit; [ "$JOURNAL" = own ] && j=${1%.log}.journal
  "$PUENTE" serve --listen 127.0.0.1:0 --db "$DB" --audit-journal "$j" --max-conns-per-ip 512 >"$1" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do grep -q "listening on" "$1" && break; sleep 0.1; done
  PORT=$(grep -o '127.0.0.1:[0-9]*' "$1" | head -1 | cut -d: -f2)
  [ -n "$PORT" ] || { cat "$1" >&2; exit 1; }
}
serve "$OUT/a.log"; pa=$PORT; pid_a=${pids[-1]}
serve "$OUT/b.log"; pb=$PORT; pid_b=${pids[-1]}

# writes: a new id per request; every 201 answer's id goes to ACK_FILE
cat >"$OUT/write.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $tok"
wrk.headers["Content-Type"] = "application/json"
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
local i, ack = 0, nil
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, string.format(
    '{"id":"%s-%d-%d","schema":"Person","marking":"SHARED","properties":{"name":["Carga %s %d %d"]}}',
    os.getenv("SIDE"), tid, i, os.getenv("SIDE"), tid, i))
end
response = function(status, headers, body)
  if status == 201 then
    local id = string.match(body, '"id"%s*:%s*"([^"]+)"')
    if id then
      if not ack then ack = io.open(os.getenv("ACK_FILE") .. "." .. tid, "a") end
      ack:write(id, "\n"); ack:flush()
    end
  end
end
LUA
cat >"$OUT/match.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $tok"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"queries":{"q1":{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"],"birthDate":["1957-04-04"]}}}}'
LUA

echo "$(pg_machine)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "two servers (audit: $JOURNAL, 2 worker threads each) on one PostgreSQL store; 4 wrk at once, ${CONNS} connections each, ${SECS}s; kill -9 of B after $((SECS / 2))s"
w=()
SIDE=a ACK_FILE="$OUT/ack-a" wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$OUT/write.lua" "http://127.0.0.1:$pa/api/v1/entities" >"$OUT/wrk-write-a.txt" 2>&1 & w+=($!)
SIDE=b ACK_FILE="$OUT/ack-b" wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$OUT/write.lua" "http://127.0.0.1:$pb/api/v1/entities" >"$OUT/wrk-write-b.txt" 2>&1 & w+=($!)
wrk -t1 -c"$CONNS" -d"${SECS}s" --timeout 30s --latency -s "$OUT/match.lua" "http://127.0.0.1:$pa/match/default" >"$OUT/wrk-match-a.txt" 2>&1 & w+=($!)
wrk -t1 -c"$CONNS" -d"${SECS}s" --timeout 30s --latency -s "$OUT/match.lua" "http://127.0.0.1:$pb/match/default" >"$OUT/wrk-match-b.txt" 2>&1 & w+=($!)
sleep $((SECS / 2))
kill -9 "$pid_b"
wait "$pid_b" 2>/dev/null || true
echo "kill -9 of server B at $(date -u '+%H:%M:%S')"
wait "${w[@]}" || true
kill "$pid_a"; wait "$pid_a" || true
pids=()

echo
echo "| wrk | requests | req/s | p50 ms | p99 ms | non-2xx | socket errors |"
echo "|---|---|---|---|---|---|---|"
for f in write-a write-b match-a match-b; do
  python3 - "$OUT/wrk-$f.txt" "$f" <<'PY'
import re, sys
t, name = open(sys.argv[1]).read(), sys.argv[2]
def ms(v):
    m = re.match(r"([0-9.]+)(us|ms|s)", v); return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
g = lambda rx, d="0": (re.search(rx, t, re.M) or [None, d])[1]
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
n, rps = g(r"(\d+) requests in"), float(g(r"Requests/sec:\s+([0-9.]+)"))
p50, p99 = ms(g(r"^\s+50%\s+(\S+)", "0us")), ms(g(r"^\s+99%\s+(\S+)", "0us"))
non2xx, serr = g(r"Non-2xx or 3xx responses: (\d+)"), sum(map(int, sock.groups())) if sock else 0
print(f"| {name} | {n} | {rps:.0f} | {p50:.1f} | {p99:.1f} | {non2xx} | {serr} |")
PY
done
cat "$OUT"/ack-a.* 2>/dev/null | sort -u >"$OUT/acked-a.txt" || true
cat "$OUT"/ack-b.* 2>/dev/null | sort -u >"$OUT/acked-b.txt" || true
sort -u "$OUT/acked-a.txt" "$OUT/acked-b.txt" >"$OUT/acked.txt"
pg_sql "SELECT id FROM killbench.entity WHERE id LIKE 'dea-a-%' OR id LIKE 'dea-b-%'" | sort -u >"$OUT/stored.txt"
lost=$(comm -23 "$OUT/acked.txt" "$OUT/stored.txt" | wc -l)
echo
echo "acknowledged writes: $(wc -l <"$OUT/acked-a.txt") through A, $(wc -l <"$OUT/acked-b.txt") through B; stored: $(wc -l <"$OUT/stored.txt"); acknowledged but not stored (LOST): $lost"
if [ "$JOURNAL" = own ]; then  # B died: its journal is put into the chain from its disk
  "$PUENTE" audit ingest --db "$DB" --journal "$OUT/b.journal" 2>&1 | sed 's/^/audit ingest: /'
fi
"$PUENTE" audit export --db "$DB" >"$OUT/audit.jsonl"
# answered /match requests (wrk: responses minus non-2xx) against their audit entries
answered=$(python3 - "$OUT" <<'PY'
import re, sys
n = 0
for f in ("match-a", "match-b"):
    t = open(f"{sys.argv[1]}/wrk-{f}.txt").read()
    m = re.search(r"(\d+) requests in", t)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    n += (int(m.group(1)) if m else 0) - (int(bad.group(1)) if bad else 0)
print(n)
PY
)
in_chain=$(grep -c '"action":"[^"]*match[^"]*"' "$OUT/audit.jsonl" || true)
echo "/match answered: $answered; their audit entries in the chain: $in_chain (requests cut by the kill may have one too)"
match_ok=0; [ "$in_chain" -ge "$answered" ] || match_ok=1
python3 - "$OUT/audit.jsonl" "$OUT/acked.txt" <<'PY' >"$OUT/audit-check.txt"
import json, sys
created = set()
for line in open(sys.argv[1]):
    if '"entity.create"' in line:
        e = json.loads(line)
        if e.get("action") == "entity.create" and e.get("outcome") == "success":
            created.update(x for x in (e.get("targets") or "").split(",") if x)
acked = [l.strip() for l in open(sys.argv[2]) if l.strip()]
missing = [i for i in acked if i not in created]
print(f"audit: {len(created)} entity.create entries; acknowledged writes without one: {len(missing)}")
sys.exit(1 if missing else 0)
PY
audit_ok=$?
cat "$OUT/audit-check.txt"
verify=$("$PUENTE" audit verify --db "$DB" 2>&1) && vrc=0 || vrc=$?
echo "puente audit verify: exit $vrc: $(head -1 <<<"$verify")"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$lost" -eq 0 ] && [ "$vrc" -eq 0 ] && [ "$audit_ok" -eq 0 ] && [ "$match_ok" -eq 0 ] || { echo "FAILED: see above" >&2; exit 1; }
echo "OK: nothing acknowledged was lost; one intact audit chain"
