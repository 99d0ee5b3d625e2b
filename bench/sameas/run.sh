#!/usr/bin/env bash
# POST /api/v1/screen uncached vs cached sameas table (docs/perf/sameas.md):
# a store of N resolved records (bench/sameas/gen.py: N/3 persons spelled
# three ways, one in 100 designated) plus the OFAC list, served by `puente
# serve`. Every request has a distinct body (a query id: the whole-answer
# cache never hits). "uncached": the first request after a judgement (the resolution
# generation moved: the reader's sameas table is built again, as every
# request did before the cache); "cached": the next requests (a lookup).
# Wall time per request (curl) and the server's CPU (user+sys from /proc).
# Each query is an alias judged the same person as a designation, which
# screening alone does not match: the answer holds a hit by resolution.
# usage: bench/sameas/run.sh [N] [ROUNDS] [CACHED_PER_ROUND]  (default 100000 5 10)
# Environment:
#   PUENTE     the binary (default build/puente); BINARIES="old new ...": measure each binary in turn
#              on its own copy of the same store (before/after in one run)
#   KEEP=DIR   keep the prepared store (DIR/b.db, DIR/p.jsonl.names) for later runs
#   STORE=DIR  reuse a store kept with KEEP (no generation, import or `resolve run`)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}; ROUNDS=${2:-5}; PER=${3:-10}
PUENTE=${PUENTE:-build/puente}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-sameas.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
db="$work/b.db"
P() { "$PUENTE" "$@" --db "$db"; }
now() { date +%s.%N; }
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
if [ -n "${STORE:-}" ]; then
  cp "$STORE/b.db" "$db"; cp "$STORE/p.jsonl.names" "$work/p.jsonl.names"
  echo "store: $STORE (kept by an earlier run)"
else
  python3 bench/sameas/gen.py "$N" 42 "$work/p.jsonl"
  s=$(now); P import ftm "$work/p.jsonl" --owner FGR --marking SHARED >/dev/null
  P import ofac data/ofac >/dev/null; P agency seed >/dev/null
  echo "import: $(echo "$(now) - $s" | bc) s"
  s=$(now); P resolve run >"$work/run.txt"; echo "resolve run: $(echo "$(now) - $s" | bc) s; $(tr '\n' ' ' < "$work/run.txt" | cut -c1-200)"
  P user add bench --agency FGR --role analyst >/dev/null
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP"; cp "$db" "$KEEP/b.db"; cp "$work/p.jsonl.names" "$KEEP/"; fi
fi
base_db="$work/base.db"; cp "$db" "$base_db"
measure() {   # one binary: its own copy of the store, server, judgements, rounds
PUENTE=$1; cp "$base_db" "$db"; i=0; pid=
echo "== $PUENTE"
tok=$(P token create bench)
"$PUENTE" serve --listen 127.0.0.1:0 --db "$db" 2>"$work/log" &
pid=$!
for _ in $(seq 300); do grep -q "listening on" "$work/log" && break; sleep 0.1; done
base="http://127.0.0.1:$(grep -o '127.0.0.1:[0-9]*' "$work/log" | head -1 | cut -d: -f2)"
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
i=0
JUDGED=${JUDGED:-3}   # aliases judged the same person as their designation (each judgement builds a view)
NAMES=()
s=$(now)
while IFS=$'\t' read -r alias rec des; do
  P resolve judge "$rec" "$des" same --note bench >/dev/null
  NAMES+=("$alias")
  [ ${#NAMES[@]} -ge "$JUDGED" ] && break
done < "$work/p.jsonl.names"
echo "judgements: ${#NAMES[@]} in $(echo "$(now) - $s" | bc) s (each with screening's decisions: docs/sameas.md)"
req() {   # one screening of a resolved spelling of a designated person, a distinct body (query id) each time;
          # called in this shell (not in $(...), where i would not advance): the wall time goes into W
  i=$((i + 1))
  local name=${NAMES[$((i % ${#NAMES[@]}))]}
  W=$(curl -s -o "$work/out.json" -w '%{time_total}' -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    -d "{\"queries\":[{\"id\":\"q$i\",\"schema\":\"Person\",\"properties\":{\"name\":[\"$name\"]}}]}" "$base/api/v1/screen")
}
req   # the screening index is built on the first request: not measured
gen_bump() { P resolve judge entity:p1-0 entity:p2-0 unsure >/dev/null; }
printf 'kind wall_s server_cpu_s\n' > "$work/t.txt"
for r in $(seq "$ROUNDS"); do
  gen_bump
  a=$(ticks); req; b=$(ticks)
  echo "uncached $W $(echo "scale=4; ($b - $a) / $hz" | bc)" >> "$work/t.txt"
  for k in $(seq "$PER"); do
    a=$(ticks); req; b=$(ticks)
    echo "cached $W $(echo "scale=4; ($b - $a) / $hz" | bc)" >> "$work/t.txt"
  done
done
python3 - "$work/t.txt" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
for kind in ("uncached", "cached"):
    w = [float(r[1]) for r in rows if r[0] == kind]; c = [float(r[2]) for r in rows if r[0] == kind]
    print(f"{kind}: n={len(w)} wall median {st.median(w)*1000:.1f} ms (min {min(w)*1000:.1f}, max {max(w)*1000:.1f}); "
          f"server CPU median {st.median(c)*1000:.0f} ms (total {sum(c):.2f} s)")
PY
echo "the last answer holds a hit by resolution: $(grep -c '"resolved"' "$work/out.json" || true)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
for b in ${BINARIES:-$PUENTE}; do measure "$b"; done
