#!/usr/bin/env bash
# Demo: simulate a small disaster-victim identification case from the FBI SW
# Hispanic CODIS 20 frequencies, solve it as dvir's dviSolve does, and run the
# blind search. Everything is files in, results out (no store needed).
set -euo pipefail
P=${PUENTE:-build/puente}
D=data/kinship
OUT=${DEMO_OUT:-demo-out}/kinship
rm -rf "$OUT"
"$P" kinship simulate --freqs "$D/freq_fbi2015_swhispanic_codis20.csv" \
  --mutation "$D/mutation_codis20_proportional.csv" --families 8 --pm-true 5 --pm-unrelated 3 \
  --seed 2026 --out "$OUT" --quiet
echo "Simulated 8 families (1-3 typed relatives each) and 8 remains (5 true, 3 unrelated) in $OUT"
echo "-- dviSolve-style identifications (LR threshold 1e4):"
"$P" kinship solve --dir "$OUT" --quiet | awk -F, '/^$/ { exit } NR > 1 && $6 ~ /Undisputed|Match/ { printf "   %s/%s = %s  LR %s  (%s)\n", $1, $2, $3, $4, $6 }'
echo "-- truth (sample, family, missing):"
awk -F, 'NR > 1 && $2 != "" { print "   " $0 }' "$OUT/truth.csv"
echo "-- blind search, best candidate per remains:"
"$P" kinship search --dir "$OUT" --top 1 --quiet | awk -F, 'NR > 1 { printf "   %s -> %s/%s  LR %s  (%s)\n", $1, $3, $4, $6, $8 }'
