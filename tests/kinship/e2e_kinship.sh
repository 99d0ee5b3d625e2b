#!/usr/bin/env bash
# End-to-end tests of `puente kinship` on the bundled dvir examples and on
# simulated data. Expected values come from the reference files in
# data/kinship (dvir outputs), never from this script.
. "${PUENTE_SRC:-.}/tests/lib.sh"
D="$SRC/data/kinship"

# --- pairwise: every LR of every example to relative 1e-9, exclusions exactly
for ex in example2 fire planecrash icmp grave KETPchap484; do
  out=$("$PUENTE" kinship pairwise --dir "$D/dvi_$ex" 2>"$TMP/err"); rc=$?
  assert_rc "$rc" 0 "pairwise $ex runs"
  printf '%s\n' "$out" > "$TMP/pw_$ex.csv"
  bad=$(awk -F, -v OFS=, '
    function unq(s) { gsub(/"/, "", s); return s }
    FNR == 1 { file++; next }
    file == 1 { lr[$1 "|" $3] = $4; ex[$1 "|" $3] = $5; n++; next }
    file == 2 { k = unq($1) "|" unq($2); e = unq($3)
                if (!(k in lr)) { print "missing " k; next }
                if (e == "" && lr[k] != "") print "sex " k
                if (e != "") { g = lr[k] + 0; e += 0; d = g - e; if (d < 0) d = -d
                               if ((e == 0 && g != 0) || (e != 0 && d > 1e-9 * (e < 0 ? -e : e))) print "lr " k " " e " " g } next }
    file == 3 { k = unq($1) "|" unq($2); e = unq($3); if (ex[k] != e) print "excl " k " " e " " ex[k] }
  ' "$TMP/pw_$ex.csv" "$D/dvi_$ex/expected_pairwiseLR.csv" "$D/dvi_$ex/expected_exclusion_counts.csv")
  assert_eq "$bad" "" "pairwise $ex: LRs (1e-9) and exclusion counts match dvir"
done

# --- solve: the AM and PM tables of every example
for ex in example2 fire planecrash icmp grave KETPchap484; do
  "$PUENTE" kinship solve --dir "$D/dvi_$ex" > "$TMP/solve.csv" 2>/dev/null
  assert_rc $? 0 "solve $ex runs"
  # compare Conclusion and Sample (AM) / Missing (PM) per row
  bad=$(awk -F'"?,"?' '
    function unq(s) { gsub(/"/, "", s); return s }
    FNR == 1 { file++ }
    file == 1 && /^$/ { pm = 1; next }
    file == 1 && FNR > 1 && $1 !~ /^(Family|Sample)$/ { if (!pm) am[unq($2)] = unq($3) "|" unq($6); else pmr[unq($1)] = unq($2) "|" unq($6); next }
    file == 2 && FNR > 1 { k = unq($2); if (am[k] != unq($3) "|" unq($6)) print "AM " k ": " am[k] }
    file == 3 && FNR > 1 { k = unq($1); if (pmr[k] != unq($2) "|" unq($6)) print "PM " k ": " pmr[k] }
  ' "$TMP/solve.csv" "$D/dvi_$ex/expected_dviSolve_AM.csv" "$D/dvi_$ex/expected_dviSolve_PM.csv")
  assert_eq "$bad" "" "solve $ex: conclusions and identifications match dviSolve"
done

# --- joint: top assignment and its LR column for planecrash
out=$("$PUENTE" kinship joint --dir "$D/dvi_planecrash" --top 3)
assert_contains "$out" "1,M1,M3,M4,M5,*,M2,*,*,-557.31141044017" "joint planecrash: best assignment and loglik"
assert_contains "$out" "# 19081 assignments" "joint planecrash: full search size as dviJoint"
assert_contains "$out" "V6,M2,0.99999" "joint planecrash: posterior of V6 = M2"

# --- bad input: clear file:line errors, exit code 3
mkdir -p "$TMP/bad"
cp "$D/dvi_example2/"*.csv "$TMP/bad/"
printf 'family,id,fid,mid,sex,role\nF1,A,B,C,1,missing\nF1,B,A,C,1,untyped\nF1,C,0,0,2,untyped\n' > "$TMP/bad/am_pedigrees.csv"
out=$("$PUENTE" kinship pairwise --dir "$TMP/bad" 2>&1); rc=$?
assert_rc "$rc" 3 "cycle: exit 3"
assert_contains "$out" "am_pedigrees.csv:" "cycle: names the file and line"
assert_contains "$out" "cycle" "cycle: says what is wrong"
printf 'family,id,fid,mid,sex,role\nF1,M1,FA,MO,1,missing\nF1,FA,0,0,2,untyped\nF1,MO,0,0,2,untyped\n' > "$TMP/bad/am_pedigrees.csv"
out=$("$PUENTE" kinship pairwise --dir "$TMP/bad" 2>&1)
assert_contains "$out" "am_pedigrees.csv:2: field 'fid'" "sex conflict: file:line and field"
cp "$D/dvi_example2/am_pedigrees.csv" "$TMP/bad/"
printf 'sample,sex,marker,allele1,allele2\nV1,1,L1,1,\n' > "$TMP/bad/pm_genotypes.csv"
out=$("$PUENTE" kinship pairwise --dir "$TMP/bad" 2>&1); rc=$?
assert_rc "$rc" 3 "malformed genotype: exit 3"
assert_contains "$out" "pm_genotypes.csv:2: field 'allele2'" "malformed genotype: file:line and field"
printf 'sample,sex,marker,allele1,allele2\nV1,1,L1,1,11.3\nV1,1,L9,1,2\n' > "$TMP/bad/pm_genotypes.csv"
out=$("$PUENTE" kinship pairwise --dir "$TMP/bad" 2>&1); rc=$?
assert_rc "$rc" 0 "unknown allele: still computed"
assert_contains "$out" "pm_genotypes.csv:2: marker L1: allele '11.3' is not in the frequency database; using the minimum frequency 0.001" "unknown allele: warning with file:line and the frequency used"
assert_contains "$out" "pm_genotypes.csv:3: marker 'L9' is not in the frequency database" "unknown marker: warning"

# --- simulate + search: the true missing persons are found, search LR = pairwise LR
"$PUENTE" kinship simulate --freqs "$D/freq_fbi2015_swhispanic_codis20.csv" \
  --mutation "$D/mutation_codis20_sexspecific.csv" --families 20 --pm-true 8 --pm-unrelated 12 \
  --seed 5 --out "$TMP/sim" --quiet
assert_rc $? 0 "simulate runs"
"$PUENTE" kinship search --dir "$TMP/sim" --threads 2 --top 3 --quiet > "$TMP/search.csv"
assert_rc $? 0 "search runs"
found=$(awk -F, 'NR == FNR { if (FNR > 1 && $2 != "") t[$1] = $2; next }
                 FNR > 1 && $2 == 1 && t[$1] == $3 { n++ } END { print n + 0 }' "$TMP/sim/truth.csv" "$TMP/search.csv")
total=$(awk -F, 'NR > 1 && $2 != "" { n++ } END { print n }' "$TMP/sim/truth.csv")
[ "$found" -ge $((total * 8 / 10)) ] && ok "search ranks the true family first for $found of $total true remains" \
  || nok "search found only $found of $total true remains"
false_hits=$(awk -F, 'NR == FNR { if (FNR > 1 && $2 == "") u[$1] = 1; next } FNR > 1 && ($1 in u) { n++ } END { print n + 0 }' "$TMP/sim/truth.csv" "$TMP/search.csv")
assert_eq "$false_hits" "0" "search: no unrelated remains above LR 1e4"
"$PUENTE" kinship pairwise --dir "$TMP/sim" > "$TMP/sim_pw.csv"
bad=$(awk -F, 'NR == FNR { lr[$1 "|" $2] = $4; next } FNR > 1 { e = lr[$1 "|" $3]; g = $5; d = log(e) / log(10) - g; if (d < 0) d = -d; if (d > 1e-3) print $1, $3, e, g }' \
  "$TMP/sim_pw.csv" "$TMP/search.csv")
assert_eq "$bad" "" "search LR equals the pairwise LR"
one=$("$PUENTE" kinship search --dir "$TMP/sim" --threads 1 --top 3 --quiet)
assert_eq "$one" "$(cat "$TMP/search.csv")" "search: 1 thread and 2 threads give the same output"

# --- theta: the search tables agree with the direct computation
"$PUENTE" kinship simulate --freqs "$D/freq_fbi2015_swhispanic_codis20.csv" --families 4 --pm-true 2 \
  --pm-unrelated 2 --seed 9 --out "$TMP/simt" --quiet
"$PUENTE" kinship search --dir "$TMP/simt" --theta 0.02 --threshold 1e-300 --top 10 --max-incomp 99 --quiet > "$TMP/st.csv"
"$PUENTE" kinship pairwise --dir "$TMP/simt" --theta 0.02 > "$TMP/pt.csv"
"$PUENTE" kinship pairwise --dir "$TMP/simt" > "$TMP/p0.csv"
bad=$(awk -F, 'NR == FNR { lr[$1 "|" $2] = $4; next } FNR > 1 { n++; e = lr[$1 "|" $3]; d = log(e) / log(10) - $5; if (d < 0) d = -d; if (d > 1e-3) print $1, $3, e, $5 } END { if (n < 4) print "only", n, "pairs" }' "$TMP/pt.csv" "$TMP/st.csv")
assert_eq "$bad" "" "theta 0.02: search LR equals the pairwise LR"
[ "$(paste -d, "$TMP/pt.csv" "$TMP/p0.csv" | awk -F, 'NR > 1 && $4 != "" && $4 != $9' | wc -l)" -gt 0 ] && ok "theta 0.02 gives LRs different from theta 0" || nok "theta had no effect"

# --- PM x PM: a duplicated remains profile is found
awk -F, 'NR == 1 || $1 == "PM1" { print } $1 == "PM1" { sub(/^PM1,/, "PM1DUP,"); print }' "$TMP/sim/pm_genotypes.csv" > "$TMP/pmdup.csv"
out=$("$PUENTE" kinship search --dir "$TMP/sim" --pm "$TMP/pmdup.csv" --pm-pm --quiet)
assert_contains "$out" "PM1,1,PM,PM1DUP" "PM x PM: duplicate remains reported as a direct match"

# --- streaming search: the same pairs as top-k above the threshold, printed as they are found
awk -F, '{ print } NR > 1 && $1 == "PM1" { sub(/^PM1,/, "PM1DUP,"); print }' "$TMP/sim/pm_genotypes.csv" > "$TMP/pmall.csv"
"$PUENTE" kinship search --dir "$TMP/sim" --pm "$TMP/pmall.csv" --pm-pm --threshold 1e-3 --max-incomp 99 --top 100000 --threads 2 \
  --quiet > "$TMP/topk.csv"
"$PUENTE" kinship search --dir "$TMP/sim" --pm "$TMP/pmall.csv" --pm-pm --threshold 1e-3 --max-incomp 99 --stream --threads 2 \
  --quiet > "$TMP/stream.csv"
assert_rc $? 0 "search --stream runs"
n_topk=$(($(wc -l < "$TMP/topk.csv") - 1))
[ "$n_topk" -ge 10 ] && ok "top-k reference has $n_topk pairs above LR 1e-3" || nok "too few pairs ($n_topk) to compare"
assert_eq "$(head -1 "$TMP/stream.csv")" "$(head -1 "$TMP/topk.csv")" "stream: same CSV header"
assert_eq "$(cut -d, -f1,3- "$TMP/stream.csv" | sort)" "$(cut -d, -f1,3- "$TMP/topk.csv" | sort)" \
  "stream: the same pairs, LRs, exclusions and drivers as top-k (as sets)"
assert_eq "$(awk -F, 'NR > 1 && $2 != ""' "$TMP/stream.csv" | wc -l)" "0" "stream: rank column empty (unranked)"
assert_contains "$(cat "$TMP/stream.csv")" ",PM,PM1DUP," "stream: PM x PM matches are streamed too"
# output reaches a pipe before the process ends: the first line arrives while it still runs
first=$( { "$PUENTE" kinship search --dir "$TMP/sim" --threshold 100 --stream --threads 1 --block 1 --quiet; } | head -2 | tail -1)
assert_contains "$first" ",,F" "stream: first hit readable from a pipe"
"$PUENTE" kinship search --dir "$TMP/sim" --stream --top 3 >/dev/null 2>&1; assert_rc $? 2 "--stream with --top: exit 2"
"$PUENTE" kinship pairwise --dir "$TMP/sim" --stream >/dev/null 2>&1; assert_rc $? 2 "--stream outside search: exit 2"

# --- usage errors
"$PUENTE" kinship frobnicate >/dev/null 2>&1; assert_rc $? 2 "unknown subcommand: exit 2"
"$PUENTE" kinship pairwise --theta 2 >/dev/null 2>&1; assert_rc $? 2 "bad theta: exit 2"
# issue 16: the threshold is an LR (> 0); a non-numeric allele is refused; a BOM is not data
for t in -5 0; do
  e=$("$PUENTE" kinship solve --dir "$D/dvi_example2" --threshold "$t" 2>&1 >/dev/null); rc=$?
  assert_rc "$rc" 2 "--threshold $t: exit 2"
  assert_contains "$e" "expected a number > 0" "--threshold $t: the valid range is named"
done
cp -r "$D/dvi_example2" "$TMP/abc"
sed -i '3s/"1","2"/"abc","2"/' "$TMP/abc/pm_genotypes.csv"
e=$("$PUENTE" kinship pairwise --dir "$TMP/abc" 2>&1 >/dev/null); rc=$?
assert_rc "$rc" 3 "a non-numeric allele: exit 3"
assert_contains "$e" "pm_genotypes.csv:3: field 'allele1': marker L1: allele 'abc'" "names file:line, marker and value"
cp -r "$D/dvi_example2" "$TMP/bom"
for f in "$TMP"/bom/*.csv; do { printf '\xef\xbb\xbf'; cat "$f"; } > "$f.t" && mv "$f.t" "$f"; done
a=$("$PUENTE" kinship pairwise --dir "$D/dvi_example2" 2>/dev/null); b=$("$PUENTE" kinship pairwise --dir "$TMP/bom" 2>/dev/null)
assert_rc $? 0 "every kinship CSV with a BOM is read"
assert_eq "$b" "$a" "the same LRs with and without a BOM"
finish
