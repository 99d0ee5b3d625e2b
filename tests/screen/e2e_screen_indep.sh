#!/usr/bin/env bash
# End-to-end: the independent OFAC name-pair benchmark (bench/screen/indep.sh)
# on a slice of 60 positives per set with their hard negatives, through the
# batch interface `puente compare --csv --idf`, with asserted F1 floors.
# Before the rules of docs/screening.md "Independent name pairs" the engine
# scored F1 0.49 on this slice (0.60 floor) and 0.60 without the other_name
# positives (0.72 floor): the floors fail when those rules regress.
source "${PUENTE_SRC:-.}/tests/lib.sh"
"$PUENTE" import ofac "$SRC/data/ofac" --db "$TMP/s.db" >/dev/null 2>&1
assert_rc $? 0 "import the bundled OFAC list"
python3 "$SRC/bench/screen/make_indep.py" "$SRC/data/ofac" "$SRC/data/screen/indep" "$TMP/pairs.csv" \
    --max-per-set 60 2>"$TMP/counts.txt"
assert_rc $? 0 "build the independent pair slice"
n=$(($(wc -l < "$TMP/pairs.csv") - 1))
[ "$n" -ge 400 ] && ok "slice has $n pairs" || nok "slice has only $n pairs"
for set in later_alias alias_2019_2021 consolidated; do
  assert_contains "$(cat "$TMP/counts.txt")" "$set neg_nearest" "set $set has hard negatives"
done
"$PUENTE" compare --csv "$TMP/pairs.csv" --idf --db "$TMP/s.db" > "$TMP/scored.csv"
assert_rc $? 0 "compare --csv scores the slice"
assert_eq "$(($(wc -l < "$TMP/scored.csv") - 1))" "$n" "one scored row per pair"
out=$(python3 "$SRC/bench/screen/indep_metrics.py" "$TMP/scored.csv" 0.75 --min-f1 0.60 --min-f1-matchable 0.72)
rc=$?
echo "$out" | tail -2
assert_rc $rc 0 "F1 floors on the independent pairs (0.60 all, 0.72 without other_name)"
finish
