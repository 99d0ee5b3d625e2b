#!/usr/bin/env bash
# bench/pg/run.sh - PostgreSQL beside SQLite in the same run (issue #18,
# docs/perf/pg.md). A benchmark, not a test. Each part runs the same work on
# an SQLite file and on a PostgreSQL store (a throwaway cluster with durable
# settings, bench/pg/lib.sh) one after the other and prints both and the
# ratio PostgreSQL / SQLite (goal: within 2x):
#   import  `import ftm` of the N-entity generated file (bench/store/gen_ftm.py)
#           — wall, client CPU, server CPU (PostgreSQL's processes), RSS;
#           PUENTE_OLD=path runs an older binary on PostgreSQL too (before/after)
#   screen  screening index build over those N entities + 1,000 name queries
#           (build/bench/screen/bench_screen list)
#   match   POST /match/default with wrk at 16 connections (cached and
#           uncached): one server on SQLite, one and two servers on
#           PostgreSQL (two servers: one wrk per server, 8 connections each,
#           at the same time; req/s summed, p99 the worse of the two)
#   trace   `trace generate` + `trace run` of FIREARMS firearms (about 4.1
#           records each) with all their recoveries
# Usage: bench/pg/run.sh [import|screen|match|trace ...]   (default: all)
# Env: N (1000000), SECS per wrk run (10), FIREARMS (100000), RECOVERIES
# (FIREARMS/50), PUENTE (build/puente), PUENTE_OLD.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/pg/lib.sh
PUENTE=${PUENTE:-build/puente}
N=${N:-1000000}
SECS=${SECS:-10}
FIREARMS=${FIREARMS:-100000}
RECOVERIES=${RECOVERIES:-$((FIREARMS / 50))}
OUT=bench/out/pg
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(import screen match trace)
want() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
mkdir -p "$OUT"
[ -x "$PUENTE" ] || { echo "build first (make)" >&2; exit 1; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pg_bench_stop; }
trap cleanup EXIT
pg_bench_start
fresh() { rm -f "$1" "$1-wal" "$1-shm" "$1-audit.journal"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else '-')" "$1" "$2"; }
# timed LABEL CMD... : runs CMD; sets W U S R (wall, user, sys, max RSS MB) and SRV (server CPU s)
timed() {
  local label=$1; shift
  local s0; s0=$(pg_server_cpu)
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" "$@" >"$OUT/stdout.txt" 2>"$OUT/stderr.txt" || {
    echo "bench: $label failed" >&2; cat "$OUT/stderr.txt" >&2; tail -5 "$OUT/stdout.txt" >&2; exit 1; }
  read -r W U S R <"$OUT/time.txt"
  R=$(awk -v r="$R" 'BEGIN{printf "%.0f", r/1024}')
  SRV=$(python3 -c "print(f'{$(pg_server_cpu) - $s0:.1f}')")
  printf "| %s | %s | %s | %s | %s | %s |\n" "$label" "$W" "$U" "$S" "$SRV" "$R"
}

pg_machine
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "PostgreSQL settings: fsync on, synchronous_commit on, $PG_BENCH_SETTINGS"

if want import; then
  FILE=bench/out/store/gen-$N.jsonl
  mkdir -p bench/out/store
  [ -s "$FILE" ] || python3 bench/store/gen_ftm.py "$N" >"$FILE"
  echo; echo "## import ftm, $N entities ($(du -m "$FILE" | cut -f1) MB)"; echo
  echo "| run | wall s | client user s | client sys s | server CPU s | client RSS MB |"
  echo "|---|---|---|---|---|---|"
  fresh "$OUT/big.db"
  timed "SQLite" "$PUENTE" import ftm "$FILE" --db "$OUT/big.db"; sw=$W
  timed "PostgreSQL" "$PUENTE" import ftm "$FILE" --db "$(pg_store big)"; pw=$W
  if [ -n "${PUENTE_OLD:-}" ]; then
    timed "PostgreSQL, before (PUENTE_OLD)" "$PUENTE_OLD" import ftm "$FILE" --db "$(pg_store old)"
    pg_sql "DROP SCHEMA old CASCADE" >/dev/null
  fi
  echo; echo "ratio PostgreSQL/SQLite (wall): $(ratio "$pw" "$sw")"
  echo "rows: SQLite $(sqlite3 "$OUT/big.db" 'SELECT count(*) FROM entity'), PostgreSQL $(pg_sql 'SELECT count(*) FROM big.entity')"
  echo "store size: SQLite $(du -m "$OUT/big.db" | cut -f1) MB, PostgreSQL $(pg_sql "SELECT round(sum(pg_total_relation_size(c.oid))/1048576.0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'big' AND c.relkind = 'r'") MB"
fi

if want screen; then
  if [ ! -s "$OUT/big.db" ] || ! pg_sql "SELECT 1 FROM big.entity LIMIT 1" >/dev/null 2>&1; then
    echo "screen: run with 'import' first (it screens the imported stores)" >&2; exit 1
  fi
  python3 - "$FILE" "$OUT/queries.txt" <<'PY'
import json, sys
src, out = sys.argv[1:3]
with open(src) as f, open(out, "w") as o:
    for i, line in enumerate(f):
        if i % 997 == 0:
            names = json.loads(line).get("properties", {}).get("name", [])
            if names:
                o.write(names[0] + "\n")
PY
  echo; echo "## screening index build over the $N imported entities, then $(wc -l <"$OUT/queries.txt") queries"; echo
  echo "| store | build s (wall) | entities | names | queries/s (wall) | server CPU s |"
  echo "|---|---|---|---|---|---|"
  for b in sqlite pg; do
    s0=$(pg_server_cpu)
    db="$OUT/big.db"; [ $b = pg ] && db=$(pg_store big)
    build/bench/screen/bench_screen list "$db" "$OUT/queries.txt" 0 >"$OUT/screen-$b.txt" 2>"$OUT/screen-$b.err"
    v() { awk -v k="$1:" '$1==k{print $2}' "$OUT/screen-$b.txt"; }
    printf "| %s | %s | %s | %s | %s | %s |\n" "$b" "$(v list_build_s)" "$(v list_entities)" "$(v list_names)" \
      "$(v indexed_qps_wall)" "$(python3 -c "print(f'{$(pg_server_cpu) - $s0:.1f}')")"
    eval "build_$b=$(v list_build_s)"
  done
  echo; echo "ratio PostgreSQL/SQLite (build): $(ratio "$build_pg" "$build_sqlite")"
fi

# ---- /match: servers on loopback ----
serve() { # DB LOG ARGS... -> sets PORT; pid appended to pids (not in $(...): the server would hold its pipe)
  "$PUENTE" serve --listen 127.0.0.1:0 --db "$1" --max-conns-per-ip 512 --max-conns 1024 "${@:3}" >"$2" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do grep -q "listening on" "$2" && break; sleep 0.1; done
  PORT=$(grep -o '127.0.0.1:[0-9]*' "$2" | head -1 | cut -d: -f2)
  [ -n "$PORT" ] || { echo "bench: server did not start" >&2; cat "$2" >&2; exit 1; }
}
stop_servers() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done; pids=(); }
seed() { # DB -> token
  "$PUENTE" import ofac data/ofac --db "$1" >/dev/null
  "$PUENTE" agency seed --db "$1" >/dev/null
  "$PUENTE" user add bench --agency DEA --role analyst --db "$1" >/dev/null
  "$PUENTE" token create bench --db "$1"
}
ms() { python3 -c "import sys,re; m=re.match(r'([0-9.]+)(us|ms|s)',sys.argv[1]); print(f'{float(m.group(1))*{\"us\":0.001,\"ms\":1,\"s\":1000}[m.group(2)]:.2f}')" "$1"; }
# wrk_many SCRIPT PORT... : one wrk per port at once (16 connections in all);
# prints "req/s p99_ms errors"
wrk_many() {
  local script=$1; shift
  local n=$# c=$((16 / $#)) t=$((2 / $# > 0 ? 2 / $# : 1)) i=0 port w=()
  for port in "$@"; do
    wrk -t"$t" -c"$c" -d"${SECS}s" --latency -s "$script" "http://127.0.0.1:$port/match/default" >"$OUT/wrk.$i" &
    w+=($!)
    i=$((i + 1))
  done
  wait "${w[@]}"
  python3 - "$OUT" "$n" <<'PY'
import re, sys
out, n = sys.argv[1], int(sys.argv[2])
rps, p99, errs, total = 0.0, 0.0, 0, 0
def ms(v):
    m = re.match(r"([0-9.]+)(us|ms|s)", v); return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
for i in range(n):
    t = open(f"{out}/wrk.{i}").read()
    rps += float(re.search(r"Requests/sec:\s+([0-9.]+)", t).group(1))
    total += int(re.search(r"(\d+) requests in", t).group(1))
    p99 = max(p99, ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1)))
    for m in re.finditer(r"Non-2xx or 3xx responses: (\d+)|Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t):
        errs += sum(int(g) for g in m.groups() if g)
print(f"{rps:.0f} {p99:.2f} {errs} {total}")
PY
}
match_lua() { # TOKEN -> writes $OUT/match.lua (one repeated query) and $OUT/distinct.lua (every request new)
  cat >"$OUT/match.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $1"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"queries":{"q1":{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"],"birthDate":["1957-04-04"]}}}}'
LUA
  tok=$1 bash -c '. bench/http/lib.sh; bench_http_distinct_lua "$0"' "$OUT/distinct.lua"
}

if want match; then
  echo; echo "## POST /match/default, 16 connections, ${SECS}s per run (OFAC list, 8,976 entities)"; echo
  echo "| store | servers | audit journal | query | req/s | p99 ms | errors | CPU µs per request (servers + PostgreSQL) |"
  echo "|---|---|---|---|---|---|---|---|"
  # CPU seconds used so far by the puente servers and the PostgreSQL cluster:
  # the load-independent cost of a request (the machine is shared)
  cpu_now() {
    local tck; tck=$(getconf CLK_TCK)
    { for p in "${pids[@]}"; do awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null; done; } |
      awk -v t="$tck" -v pg="$(pg_server_cpu)" '{s+=$1} END {printf "%.3f\n", s/t + pg}'
  }
  fresh "$OUT/match.db"
  sdb="$OUT/match.db"; pdb=$(pg_store match)
  stok=$(seed "$sdb"); ptok=$(seed "$pdb")
  row() { # store servers journal token port...
    local store=$1 nsrv=$2 journal=$3 tok=$4; shift 4
    match_lua "$tok"
    # warm-up: each server builds its screening index at its first /match;
    # that build is measured elsewhere ("screen"), not in these req/s
    local p; for p in "$@"; do
      curl -s -o /dev/null --max-time 300 -X POST -H "Authorization: Bearer $tok" -H "Content-Type: application/json" \
        -d '{"queries":{"q1":{"schema":"Person","properties":{"name":["warm up"]}}}}' "http://127.0.0.1:$p/match/default" || true
    done
    for q in match distinct; do
      local c0 c1; c0=$(cpu_now)
      read -r rps p99 errs total < <(wrk_many "$OUT/$q.lua" "$@")
      c1=$(cpu_now)
      label="repeated (answer cache)"; [ $q = distinct ] && label="every request new (no cache)"
      echo "| $store | $nsrv | $journal | $label | $rps | $p99 | $errs | $(python3 -c "print(f'{($c1 - $c0) / $total * 1e6:.0f}')") |"
      eval "rps_${store}_${nsrv}_${journal//[^a-z]/}_$q=$rps"
    done
  }
  # MATCH_SHORT=1: only the rows of the two-server comparison (SQLite one
  # server, file journal and commit mode; PostgreSQL one server with its
  # journal; two servers each with its own journal file; two servers in
  # commit mode, whose batches go in one round trip: docs/audit.md)
  serve "$sdb" "$OUT/s1.log"; row SQLite 1 file "$stok" "$PORT"; stop_servers
  serve "$sdb" "$OUT/s1.log" --audit-journal commit; row SQLite 1 commit "$stok" "$PORT"; stop_servers
  serve "$pdb" "$OUT/p1.log" --audit-journal "$OUT/p1.journal"; row PostgreSQL 1 file "$ptok" "$PORT"; stop_servers
  if [ "${MATCH_SHORT:-0}" = 0 ]; then
  serve "$pdb" "$OUT/p1.log" --audit-journal commit; row PostgreSQL 1 commit "$ptok" "$PORT"; stop_servers
  fi
  # two servers, each its own journal (its own machine's disk in a deployment)
  serve "$pdb" "$OUT/p1.log" --audit-journal "$OUT/p1.journal"; p1=$PORT
  serve "$pdb" "$OUT/p2.log" --audit-journal "$OUT/p2.journal"; p2=$PORT
  row PostgreSQL 2 "own journals" "$ptok" "$p1" "$p2"; stop_servers
  serve "$pdb" "$OUT/p1.log" --audit-journal "$OUT/p1.journal" --change-watch notify; p1=$PORT
  serve "$pdb" "$OUT/p2.log" --audit-journal "$OUT/p2.journal" --change-watch notify; p2=$PORT
  row PostgreSQL 2 "own journals, notify" "$ptok" "$p1" "$p2"; stop_servers
  serve "$pdb" "$OUT/p1.log" --audit-journal commit; p1=$PORT
  serve "$pdb" "$OUT/p2.log" --audit-journal commit; p2=$PORT
  row PostgreSQL 2 commit "$ptok" "$p1" "$p2"; stop_servers
  # the caches learn of changes by LISTEN/NOTIFY: no generation read per
  # request (docs/store.md "Watching the generations")
  serve "$pdb" "$OUT/p1.log" --audit-journal commit --change-watch notify; p1=$PORT
  serve "$pdb" "$OUT/p2.log" --audit-journal commit --change-watch notify; p2=$PORT
  row PostgreSQL 2 "commit, notify" "$ptok" "$p1" "$p2"; stop_servers
  if [ "${MATCH_SHORT:-0}" = 0 ]; then
  # the same without waiting for the WAL flush at each commit (the servers'
  # sessions only): how much of the commit mode is the fsync
  serve "$pdb%20-csynchronous_commit%3Doff" "$OUT/p1.log" --audit-journal commit; p1=$PORT
  serve "$pdb%20-csynchronous_commit%3Doff" "$OUT/p2.log" --audit-journal commit; p2=$PORT
  row PostgreSQL 2 "commit, synchronous_commit=off" "$ptok" "$p1" "$p2"; stop_servers
  fi
  # every entry of both journals is in the chain once the servers stopped
  v=$("$PUENTE" audit verify --db "$pdb" --journal none 2>&1) && vrc=0 || vrc=$?
  echo; echo "PostgreSQL store after the runs: puente audit verify exit $vrc: $(head -1 <<<"$v")"
  echo
  for q in match distinct; do
    s=rps_SQLite_1_file_$q; a=rps_PostgreSQL_1_file_$q; c=rps_SQLite_1_commit_$q; d=rps_PostgreSQL_2_commit_$q
    j=rps_PostgreSQL_2_ownjournals_$q; n=rps_PostgreSQL_2_ownjournalsnotify_$q
    echo "$q: SQLite/PostgreSQL req/s, one server, file journal: $(ratio "${!s}" "${!a}")"
    echo "$q: SQLite one server (file journal) / PostgreSQL two servers, own journals: $(ratio "${!s}" "${!j}"), with notify: $(ratio "${!s}" "${!n}")"
    echo "$q: SQLite commit / PostgreSQL two servers commit: $(ratio "${!c}" "${!d}")"
  done
  echo "(two servers share the machine's $(nproc) cores with each other and with wrk: not a scaling figure)"
fi

if want trace; then
  echo; echo "## trace: generate $FIREARMS firearms ($RECOVERIES recoveries), then trace every recovery"; echo
  echo "| store | step | wall s | client user s | client sys s | server CPU s | client RSS MB |"
  echo "|---|---|---|---|---|---|---|"
  fresh "$OUT/trace.db"
  tdb() { [ "$1" = sqlite ] && echo "$OUT/trace.db" || pg_store trace; }
  for b in sqlite pg; do
    timed "$b | generate" "$PUENTE" trace --db "$(tdb $b)" --today 2026-11-27 generate --firearms "$FIREARMS" \
      --recoveries "$RECOVERIES" --rings 40 --seed 2026
    eval "gen_$b=$W"
    timed "$b | run" "$PUENTE" trace --db "$(tdb $b)" --today 2026-11-27 run
    eval "run_$b=$W"
  done
  echo; echo "records: SQLite $(sqlite3 "$OUT/trace.db" 'SELECT count(*) FROM trace_event'), PostgreSQL $(pg_sql 'SELECT count(*) FROM trace.trace_event')"
  echo "ratio PostgreSQL/SQLite (wall): generate $(ratio "$gen_pg" "$gen_sqlite"), run $(ratio "$run_pg" "$run_sqlite")"
fi
echo; echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%H:%M UTC')"
