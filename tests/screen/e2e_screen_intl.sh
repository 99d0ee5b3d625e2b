#!/usr/bin/env bash
# International names (issue #19): the own development set
# tests/screen/intl_dev.tsv scored by `puente compare --csv`, with F1
# floors per kind a few points under what this version measures
# (docs/screening.md "International names"). Before the issue #19 rules the
# engine scored cjk_syllable 0.690, legal_form 0.846, number_words 0.462,
# abbreviation 0.333, hypocoristic 0.500, digits_letters 0.947: every one of
# those floors fails for it. A few exact checks pin the single rules.
source "${PUENTE_SRC:-.}/tests/lib.sh"
python3 "$SRC/bench/screen/intl_pairs.py" "$SRC/tests/screen/intl_dev.tsv" "$TMP/pairs.csv" 2>/dev/null
assert_rc $? 0 "the development set reads"
"$PUENTE" compare --csv "$TMP/pairs.csv" > "$TMP/scored.csv"
assert_rc $? 0 "compare --csv scores it"
FLOORS=(--floor cjk_syllable:0.85 --floor legal_form:0.93 --floor digits_letters:0.95 --floor number_words:0.95
        --floor abbreviation:0.95 --floor hypocoristic:0.95 --floor order:0.95 --floor all:0.95)
out=$(python3 "$SRC/bench/screen/intl_metrics.py" "$TMP/scored.csv" 0.75 "${FLOORS[@]}" 2>&1)
rc=$?
echo "$out"
assert_rc $rc 0 "F1 floors per kind (${FLOORS[*]})"

score() { "$PUENTE" compare --schema "$1" "$2" "$3" | sed -n 's/^score: //p'; }
below() { python3 -c "import sys; sys.exit(0 if float('$1') < float('$2') else 1)"; }
s=$(score Person "Li Wei Min" "Li Wei Ming"); below "$s" 0.75 && ok "one Pinyin syllable apart is another person ($s)" || nok "li wei min / ming scored $s"
s=$(score Person "Teresa CIFUENTES" "Tereda CIFUENTES"); below "$s" 0.75 && nok "a Spanish typo of syllable-like letters must still match ($s)" || ok "a Spanish typo still matches ($s)"
s=$(score Company "G0LDEN EAGLE" "Golden Eagle"); below "$s" 0.9 && nok "digits for letters ($s)" || ok "digits for letters fold ($s)"
assert_eq "$("$PUENTE" compare --schema Company "7ELEVEN" "TELEVEN" | sed -n 's/^normalized: //p')" "'7eleven' vs 'televen'" "a leading number is no letter"
s=$(score Company "Drei Brüder GmbH" "3 Brüder Gesellschaft mit beschränkter Haftung"); below "$s" 0.9 && nok "German number word and legal form ($s)" || ok "German number word and long legal form ($s)"
s=$(score Person "Bibi Nakash" "Benjamin Nakash"); below "$s" 0.75 && nok "Bibi = Benjamin ($s)" || ok "Bibi = Benjamin ($s)"
s=$(score Person "Bill Harrington" "Robert Harrington"); below "$s" 0.75 && ok "Bill is not Robert ($s)" || nok "bill / robert scored $s"
python3 "$SRC/bench/screen/gen_hypo.py" "$SRC" --check
assert_rc $? 0 "src/screen/screen_hypo.c is generated from data/screen/hypocoristics.tsv"
finish
