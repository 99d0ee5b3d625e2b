#!/usr/bin/env bash
# The keyed audit chain end to end: an authenticated, audited request
# (GET /api/v1/me: authentication + one audit entry, nothing else) against
# two servers on copies of the same store, one without and one with a chain
# key ($PUENTE_AUDIT_KEY), in both audit modes: the default journal (the
# request appends a line; the chain is hashed by the ingest thread, in
# batches) and --audit-journal commit (each request hashes and commits its
# own entry). wrk over loopback, ROUNDS alternating rounds of SECONDS each at
# 1 and 16 connections, so the machine's load hits both alike (which of the
# two runs first alternates by round). Prints one
# Markdown row per run and the medians (docs/PERFORMANCE.md, "Security").
# Usage: bench/audit/request.sh [SECONDS] [ROUNDS]   (default 5 and 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-5}
rounds=${2:-3}
PUENTE=${PUENTE:-build/puente}
command -v wrk >/dev/null || { echo "wrk is missing: scripts/deps.sh bench" >&2; exit 2; }
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

start() {  # name, mode (journal|commit), key or "" -> sets port_<name>
  local name=$1 mode=$2 k=$3
  # a store of its own (a copy would share the store's identity, and with it
  # the audit journal's lock), with its own token and wrk script
  "$PUENTE" agency seed --db "$work/$name.db" >/dev/null
  "$PUENTE" user add bench --agency DEA --role analyst --db "$work/$name.db" >/dev/null
  echo "wrk.headers[\"Authorization\"] = \"Bearer $("$PUENTE" token create bench --db "$work/$name.db")\"" \
    >"$work/$name.lua"
  # an empty $PUENTE_AUDIT_KEY is a bad configuration: the unkeyed server runs without it
  if [ -n "$k" ]; then set -- env PUENTE_AUDIT_KEY="$k"; else set -- env -u PUENTE_AUDIT_KEY; fi
  # journal mode is the default (the journal beside the store); commit is --audit-journal commit
  [ "$mode" = commit ] && set -- "$@" "$PUENTE" serve --audit-journal commit || set -- "$@" "$PUENTE" serve
  "$@" --listen 127.0.0.1:0 --db "$work/$name.db" --threads 4 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q "listening on" "$work/$name.log" && break; sleep 0.1; done
  grep -q "listening on" "$work/$name.log" || { echo "server $name did not start:" >&2; cat "$work/$name.log" >&2; exit 1; }
  eval "port_$name=$(grep -o '127.0.0.1:[0-9]*' "$work/$name.log" | head -1 | cut -d: -f2)"
}
start jplain journal ""
start jkeyed journal "$key"
start cplain commit ""
start ckeyed commit "$key"

run() {  # name, conns -> "req/s p50 p99"
  local port=port_$1
  wrk -t1 -c"$2" -d"${secs}s" --latency -s "$work/$1.lua" "http://127.0.0.1:${!port}/api/v1/me" 2>/dev/null |
    awk '/Requests\/sec/{r=$2} / 50%/{p50=$2} / 99%/{p99=$2} END{print r, p50, p99}'
}

echo "| round | mode | conns | unkeyed req/s | keyed req/s | keyed/unkeyed | unkeyed p50/p99 | keyed p50/p99 |"
echo "|---|---|---|---:|---:|---:|---|---|"
: >"$work/ratios"
for r in $(seq "$rounds"); do
  for mode in journal commit; do
    for c in 1 16; do
      # the order alternates between rounds: the first of a pair ran slower
      # on the loaded machine, whichever it was
      if [ $((r % 2)) = 1 ]; then
        read -r ur up50 up99 <<<"$(run "${mode:0:1}plain" "$c")"
        read -r kr kp50 kp99 <<<"$(run "${mode:0:1}keyed" "$c")"
      else
        read -r kr kp50 kp99 <<<"$(run "${mode:0:1}keyed" "$c")"
        read -r ur up50 up99 <<<"$(run "${mode:0:1}plain" "$c")"
      fi
      ratio=$(python3 -c "print(f'{$kr/$ur:.3f}')")
      echo "$mode $c $ratio" >>"$work/ratios"
      echo "| $r | $mode | $c | $ur | $kr | $ratio | $up50 / $up99 | $kp50 / $kp99 |"
    done
  done
done
echo
echo "Median keyed/unkeyed throughput ratio per mode and concurrency:"
python3 - "$work/ratios" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    m, c, r = line.split()
    d[(m, int(c))].append(float(r))
for (m, c), v in sorted(d.items()):
    print(f"  {m:8s} {c:3d} conns: {statistics.median(v):.3f}  (rounds: {', '.join(f'{x:.3f}' for x in v)})")
PY
# the servers stop (the journals are ingested); every chain verifies, the
# keyed ones with their key
for p in "${pids[@]}"; do kill "$p"; done
wait 2>/dev/null || true
pids=()
for name in jplain cplain; do "$PUENTE" audit verify --db "$work/$name.db" >/dev/null || echo "verify failed: $name"; done
for name in jkeyed ckeyed; do
  out=$(PUENTE_AUDIT_KEY=$key "$PUENTE" audit verify --db "$work/$name.db") || echo "verify failed: $name"
  case "$out" in *keyed*|*key*) ;; *) echo "not a keyed chain: $name: $out" ;; esac
done
echo "chains verified"
