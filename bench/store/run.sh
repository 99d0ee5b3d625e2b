#!/usr/bin/env bash
# Benchmark of the store's imports (docs/perf/store.md), with the peer
# (plain Python + sqlite3, bench/store/peer_import.py) run side by side.
#   1. import ofac data/ofac          (bundled 2021-07 SDN export), 3 runs each
#   2. import ftm of N generated entities (default 1,000,000), 1 run each
#   3. export ftm of those N entities
# Usage: bench/store/run.sh [N]     Needs: build/puente, python3, /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
PUENTE=${PUENTE:-build/puente}
OUT=bench/out/store
mkdir -p "$OUT"
[ -x "$PUENTE" ] || { echo "build first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package 'time'; make bench installs it)" >&2; exit 1; }

fresh() { rm -f "$1" "$1-wal" "$1-shm"; }
# measure LABEL CMD... : one line "LABEL wall_s user_s sys_s maxrss_MB"
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" "$@" >/dev/null 2>"$OUT/stderr.txt" || {
    cat "$OUT/stderr.txt" >&2; exit 1; }
  read -r wall user sys rss <"$OUT/time.txt"
  printf "%-34s %8.2f %8.2f %8.2f %8.1f\n" "$label" "$wall" "$user" "$sys" "$(awk -v r="$rss" 'BEGIN{print r/1024}')"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GB RAM"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sqlite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1), $(python3 --version)"
printf "%-34s %8s %8s %8s %8s\n" "run" "wall_s" "user_s" "sys_s" "rss_MB"
for i in 1 2 3; do
  fresh "$OUT/ofac.db"; measure "puente import ofac (run $i)" "$PUENTE" import ofac data/ofac --db "$OUT/ofac.db"
  fresh "$OUT/peer-ofac.db"; measure "python peer ofac (run $i)" python3 bench/store/peer_import.py ofac data/ofac "$OUT/peer-ofac.db"
done

FILE="$OUT/gen-$N.jsonl"
[ -s "$FILE" ] || python3 bench/store/gen_ftm.py "$N" >"$FILE"
echo "generated file: $N entities, $(du -m "$FILE" | cut -f1) MB"
fresh "$OUT/big.db"; measure "puente import ftm ($N)" "$PUENTE" import ftm "$FILE" --db "$OUT/big.db"
fresh "$OUT/peer-big.db"; measure "python peer ftm ($N)" python3 bench/store/peer_import.py ftm "$FILE" "$OUT/peer-big.db"
measure "puente export ftm ($N)" "$PUENTE" export ftm --db "$OUT/big.db"
echo "store size: $(du -m "$OUT/big.db" | cut -f1) MB (puente), $(du -m "$OUT/peer-big.db" | cut -f1) MB (peer)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
fresh "$OUT/big.db"; fresh "$OUT/peer-big.db"
