#!/usr/bin/env bash
# End-to-end tests through build/puente of (1) the per-marker dropout stored
# with PM samples in the case database (add-pm --dropout-file, set-dropout):
# every stored hit equals `pairwise` with the same --dropout/--dropout-file
# to 1e-9; (2) `puente kinship xstr` against closed forms computed here from
# the frequency file; (3) `puente kinship import-familias` of the hand-written
# fixture (all or nothing, file:line refusals). Runs on SQLite and
# PostgreSQL (test_store).
. "${PUENTE_SRC:-.}/tests/lib.sh"
D="$SRC/data/kinship/dvi_planecrash"
XF="$SRC/data/kinship/freq_xstr_argus12_illustrative.csv"
DB=$(test_store kinxstr)
K() { "$PUENTE" kinship case "$@" --db "$DB"; }

# hits (pm,family,missing,lr) against pairwise rows: relative 1e-9
same_lrs() { # $1 hits CSV, $2 pairwise CSV; prints "ok N" or the first mismatch
  awk -F, 'NR==FNR { if (FNR > 1) { gsub(/"/, ""); lr[$1 "," $2 "," $3] = $4 }; next }
           FNR > 1 { gsub(/"/, ""); k = $2 "," $3 "," $4; if (!(k in lr)) { print "missing " k; bad = 1; exit }
                     d = ($5 - lr[k]) / lr[k]; if (d < 0) d = -d; if (d > 1e-9) { print "differs " k " " $5 " " lr[k]; bad = 1; exit }
                     n++ }
           END { if (!bad) print "ok " n }' "$2" "$1"
}

# --- (1) per-marker dropout in the case database
K freqdb planecrash "$D/freqs.csv" --mutation "$D/mutation_models.csv" >/dev/null
K new FGR-SON-1 --state MX-SON --freqdb planecrash --owner FGR --marking MX-ONLY
K add-family FGR-SON-1 "$D/am_pedigrees.csv" 2>/dev/null
K add-reference "$D/am_genotypes.csv" --consent-document "CONS-1" 2>/dev/null
head -61 "$D/pm_genotypes.csv" > "$TMP/pm_a.csv"   # V1..V4
printf 'sample,marker,dropout,dropin\nV1,D13S317,0.4,0.01\nV2,*,0.2,\nV2,FGA,0.5,0\n' > "$TMP/drop.csv"
printf 'sample,marker,dropout\nV7,FGA,0.2\n' > "$TMP/drop_bad.csv"
out=$(K add-pm FGR-SON-1 "$TMP/pm_a.csv" --dropout 0.05 --dropin 0.01 --dropout-file "$TMP/drop_bad.csv" 2>&1); rc=$?
assert_rc "$rc" 3 "a dropout file naming a sample outside the import is invalid input"
assert_contains "$out" "drop_bad.csv:2: field 'sample'" "the error names file:line and the field"
K add-pm FGR-SON-1 "$TMP/pm_a.csv" --quality degraded --dropout 0.05 --dropin 0.01 --dropout-file "$TMP/drop.csv" 2>/dev/null
assert_rc $? 0 "remains are stored with per-marker dropout"
s=$(K search --threads 2 | tail -1)
assert_eq "$(echo "$s" | cut -d, -f2,3,6)" "4,5,20" "the search scores 4 new samples x 5 families"
K hits > "$TMP/hits.csv"
"$PUENTE" kinship pairwise --dir "$D" --pm "$TMP/pm_a.csv" --dropout 0.05 --dropin 0.01 \
  --dropout-file "$TMP/drop.csv" > "$TMP/pw.csv" 2>/dev/null
r=$(same_lrs "$TMP/hits.csv" "$TMP/pw.csv")
assert_contains "$r" "ok " "stored hits equal pairwise with the same dropout file ($r)"
assert_not_contains "$r" "ok 0" "there are hits to compare"
v2=$(grep '^[0-9]*,"\?V2"\?,' "$TMP/hits.csv" | head -1)
assert_contains "$v2" ",*=0.05/0.01;CSF1PO=0.2/0.01;" "a hit records the values used: the sample's and each marker's"
assert_contains "$v2" ";FGA=0.5/0;" "... with the per-marker override"
out=$(K set-dropout V2 --dropout 0.1 --dropout-file "$TMP/drop_bad.csv" 2>&1); rc=$?
assert_rc "$rc" 3 "set-dropout: a row for another sample is invalid input"
out=$(K set-dropout V2 --dropout 0.1 2>/dev/null)
assert_eq "$(echo "$out" | tail -1)" "V2,*=0.1/0" "set-dropout shows the stored values"
s=$(K search | tail -1)
assert_eq "$(echo "$s" | cut -d, -f2,6)" "1,5" "only V2 is scored again"
K hits --status candidate > "$TMP/hits2.csv"
printf 'V2,*,0.1,0\n' >> "$TMP/drop.csv"
"$PUENTE" kinship pairwise --dir "$D" --pm "$TMP/pm_a.csv" --dropout 0.05 --dropin 0.01 \
  --dropout-file "$TMP/drop.csv" > "$TMP/pw2.csv" 2>/dev/null
r=$(same_lrs "$TMP/hits2.csv" "$TMP/pw2.csv")
assert_contains "$r" "ok " "after set-dropout the open hits equal pairwise with the new values ($r)"
out=$(K hits --status superseded)
assert_contains "$out" "V2" "V2's hit computed with the old values is superseded"

# --- (2) X-STR
p() { awk -F, -v m="$1" -v a="$2" '$1 == m && $2 == a { print $3 }' "$XF"; }
rel_ok() { awk -v g="$1" -v w="$2" 'BEGIN { d = (g - w) / w; if (d < 0) d = -d; exit !(d <= 1e-9) }'; }
X() { "$PUENTE" kinship xstr --freqs "$XF" "$@"; }
out=$(X --relationship parent-child --sex1 M --person1 "DXS8378=11" --sex2 F --person2 "DXS8378=11/12")
lr=$(echo "$out" | tail -1 | cut -d, -f9)
pa=$(p DXS8378 11)
rel_ok "$lr" "$(awk -v p="$pa" 'BEGIN { printf "%.17g", 1 / (2 * p) }')" && ok "father-daughter, daughter a/b: LR = 1/(2 p_a)" || nok "father-daughter LR $lr, p_a $pa"
out=$(X --relationship paternal-half-siblings --sex1 F --person1 "HPRTB=13/12" --sex2 F --person2 "HPRTB=13/14;DXS7423=15/15")
lr=$(echo "$out" | tail -1 | cut -d, -f9)
rel_ok "$lr" "$(awk -v p="$(p HPRTB 13)" 'BEGIN { printf "%.17g", 1 / (4 * p) }')" && ok "paternal half-sisters a/b, a/c: LR = 1/(4 p_a)" || nok "half-sisters LR $lr"
out=$(X --relationship parent-child --sex1 M --person1 "DXS8378=11" --sex2 M --person2 "DXS8378=12" 2>"$TMP/err"); rc=$?
assert_rc "$rc" 0 "father-son runs"
assert_contains "$(echo "$out" | tail -1)" ",1,1,uninformative" "father-son is reported uninformative with LR 1"
assert_contains "$(cat "$TMP/err")" "uninformative" "and says so"
out=$(X --relationship full-siblings --sex1 F --person1 "DXS8378=11/12;DXS10135=23/24" --sex2 F --person2 "DXS8378=11/12;DXS10135=23/22" --autosomal-lr 100)
last=$(echo "$out" | tail -1)
lr=$(echo "$last" | cut -d, -f9); ind=$(echo "$last" | cut -d, -f10); comb=$(echo "$last" | cut -d, -f12)
a=$(p DXS8378 11); b=$(p DXS8378 12); c=$(p DXS10135 23); d=$(p DXS10135 24); e=$(p DXS10135 22)
want=$(awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v e="$e" 'BEGIN {
  x1a = 0.5 * (a + b) / (2 * a * b); x2a = 1 / (2 * a * b); x1b = 0.5 * e / (2 * c * e);
  printf "%.17g", 0.5 * x1a * x1b + 0.5 * x2a * 0 }')
rel_ok "$lr" "$want" && ok "full sisters on one linkage group: one IBD state for the group" || nok "grouped LR $lr want $want"
[ "$lr" != "$ind" ] && ok "the independent product differs and is shown apart" || nok "grouped = independent?"
rel_ok "$comb" "$(awk -v l="$lr" 'BEGIN { printf "%.17g", l * 100 }')" && ok "combined with the autosomal LR by product" || nok "combined $comb"
out=$(X --relationship parent-child --sex1 M --person1 "DXS8378=11/12" --sex2 F --person2 "DXS8378=11/12" 2>&1); rc=$?
assert_rc "$rc" 3 "a man typed with two X alleles is invalid input"
assert_contains "$out" "field 'person1'" "the error names the person"
out=$(X --relationship cousins --sex1 M --person1 "DXS8378=11" --sex2 F --person2 "DXS8378=11/12" 2>&1); rc=$?
assert_rc "$rc" 3 "an unknown relationship is refused"
out=$(X --sex1 M --person1 "DXS8378=11" --sex2 F --person2 "DXS8378=11/12" 2>&1); rc=$?
assert_rc "$rc" 2 "no relationship and no kappa is a usage error"
out=$(X --kappa 0.5,0.5 --sex1 M --person1 "DXS8378=11" --sex2 F --person2 "DXS8378=11/12")
lr=$(echo "$out" | tail -1 | cut -d, -f9)
rel_ok "$lr" "$(awk -v p="$pa" 'BEGIN { printf "%.17g", 0.5 + 0.5 / (2 * p) }')" && ok "--kappa k0,k1" || nok "kappa LR $lr"

# --- (3) Familias import
FAM="$SRC/data/kinship/familias_case_example.fam"
out=$("$PUENTE" kinship import-familias "$FAM" --case FGR-SON-7 --pm Body --state MX-SON --owner FGR \
  --freqdb fam7 --db "$DB" 2>&1); rc=$?
assert_rc "$rc" 3 "without a consent document the import is refused"
out=$("$PUENTE" kinship import-familias "$FAM" --case FGR-SON-7 --pm Body --consent-document CONS-7 \
  --state MX-SON --owner FGR --freqdb fam7 --db "$DB"); rc=$?
assert_rc "$rc" 0 "a Familias file is imported"
assert_eq "$(echo "$out" | tail -1)" "FGR-SON-7,FGR-SON-7:Body,Body,2,4,0,fam7,1" "family, PM sample, 2 references, frequency database version 1"
out=$("$PUENTE" kinship import-familias "$FAM" --case FGR-SON-7 --pm Body --consent-document CONS-7 --family F-other --db "$DB" 2>&1); rc=$?
assert_rc "$rc" 6 "the same remains twice conflict"
assert_eq "$(store_sql "$DB" "SELECT count(*) FROM kin_freqdb WHERE name = 'fam7'")" "1" "... and nothing of the second import stays (all or nothing)"
{ cat "$FAM"; printf '[DVI]\r\n'; } > "$TMP/dvi.fam"
out=$("$PUENTE" kinship import-familias "$TMP/dvi.fam" --case FGR-SON-7 --pm Body --consent-document C --db "$DB" 2>&1); rc=$?
assert_rc "$rc" 3 "a section Puente does not read is refused"
assert_contains "$out" "dvi.fam:140: field 'end'" "naming file:line and the field"
finish
