#!/usr/bin/env bash
# Instruction counts (valgrind callgrind: the same on a loaded or a quiet
# machine) of the main workloads, for two builds side by side: a change to
# the platform must not slow the engines. Prints "workload old new ratio".
# Usage: bench/instructions.sh OLD_BUILD_DIR [NEW_BUILD_DIR=build]
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=${1:?old build dir}; NEW=${2:-build}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
count() { # label cmd... -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" "$@" >/dev/null 2>&1 || true
  awk '/^summary:/ {print $2}' "$W/cg.out"
}
bench_screen() { local b=$1; [ -x "$b/bench/screen/bench_screen" ] && echo "$b/bench/screen/bench_screen" || echo "$b/tests/screen/bench_screen"; }
# the queries: 300 of OFAC's own aliases (alt.csv: ent_num, alt_num, type, name, remarks)
python3 -c "
import csv
rows = [r for r in csv.reader(open('data/ofac/alt.csv', encoding='latin-1')) if len(r) > 3]
for r in rows[:300]: print(r[3])" > "$W/q.txt"
printf '%-34s %15s %15s %7s\n' workload old new ratio
row() { local label=$1 o=$2 n=$3; printf '%-34s %15s %15s %7s\n' "$label" "$o" "$n" "$(python3 -c "print(f'{$n/$o:.3f}')")"; }
o=$(count "$OLD/puente" import ofac data/ofac --db "$W/old.db"); n=$(count "$NEW/puente" import ofac data/ofac --db "$W/new.db")
row "import ofac (8,976 entities)" "$o" "$n"
o=$(count "$(bench_screen "$OLD")" list "$W/old.db" "$W/q.txt" 300); n=$(count "$(bench_screen "$NEW")" list "$W/new.db" "$W/q.txt" 300)
row "screen index + 300 queries" "$o" "$n"
printf 'name\nMiguel Angel Trevino Morales\nJoaquin Guzman Loera\nIsmael Zambada Garcia\n' > "$W/s.csv"
o=$(count "$OLD/puente" screen "$W/s.csv" --explain --db "$W/old.db"); n=$(count "$NEW/puente" screen "$W/s.csv" --explain --db "$W/new.db")
row "puente screen (CLI, 3 names)" "$o" "$n"
o=$(count "$OLD/puente" trace generate --firearms 3000 --recoveries 300 --rings 2 --seed 7 --db "$W/old.db"); n=$(count "$NEW/puente" trace generate --firearms 3000 --recoveries 300 --rings 2 --seed 7 --db "$W/new.db")
row "trace generate (3,000 firearms)" "$o" "$n"
o=$(count "$OLD/puente" trace run --db "$W/old.db"); n=$(count "$NEW/puente" trace run --db "$W/new.db")
row "trace run (300 recoveries)" "$o" "$n"
"$NEW/puente" cargo generate --lines 2000 --seed 7 --out "$W/m.csv" >/dev/null 2>&1 || true
if [ -s "$W/m.csv" ]; then
  o=$(count "$OLD/puente" cargo screen "$W/m.csv" --owner CBP --marking SHARED --db "$W/old.db"); n=$(count "$NEW/puente" cargo screen "$W/m.csv" --owner CBP --marking SHARED --db "$W/new.db")
  row "cargo screen (2,000 lines)" "$o" "$n"
fi
