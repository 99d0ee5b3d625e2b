#!/usr/bin/env bash
# End-to-end tests of `puente kinship case` (the identification case
# database) and of the dropout options of pairwise/solve/joint, through
# build/puente, on the planecrash example and on simulated data. Runs on
# SQLite and PostgreSQL (test_store).
. "${PUENTE_SRC:-.}/tests/lib.sh"
D="$SRC/data/kinship/dvi_planecrash"
DB=$(test_store kincase)
K() { "$PUENTE" kinship case "$@" --db "$DB"; }

# --- dropout options on the file commands
base=$("$PUENTE" kinship pairwise --dir "$D" 2>/dev/null)
zero=$("$PUENTE" kinship pairwise --dir "$D" --dropout 0 --dropin 0 2>/dev/null)
assert_eq "$zero" "$base" "--dropout 0 gives exactly the dvir results"
drop=$("$PUENTE" kinship pairwise --dir "$D" --dropout 0.1 2>/dev/null)
assert_not_contains "$(printf '%s' "$drop" | head -2 | tail -1)" "$(printf '%s' "$base" | head -2 | tail -1)" "dropout changes the LRs"
printf 'sample,marker,dropout,dropin\n*,*,0.1,0\n' > "$TMP/drop.csv"
viafile=$("$PUENTE" kinship pairwise --dir "$D" --dropout-file "$TMP/drop.csv" 2>/dev/null)
assert_eq "$viafile" "$drop" "--dropout-file with * equals --dropout"
printf 'sample,marker,dropout\nV99,*,0.1\n' > "$TMP/bad.csv"
out=$("$PUENTE" kinship pairwise --dir "$D" --dropout-file "$TMP/bad.csv" 2>&1); rc=$?
assert_rc "$rc" 3 "an unknown sample in the dropout file is invalid input"
assert_contains "$out" "bad.csv:2: field 'sample'" "the error names file:line and the field"
out=$("$PUENTE" kinship search --dir "$D" --dropout 0.1 2>&1); rc=$?
assert_rc "$rc" 2 "search refuses --dropout (usage)"
out=$("$PUENTE" kinship solve --dir "$D" --dropout 0.05 2>/dev/null); rc=$?
assert_rc "$rc" 0 "solve runs with dropout"
out=$("$PUENTE" kinship joint --dir "$D" --dropout 0.05 --top 3 2>/dev/null); rc=$?
assert_rc "$rc" 0 "joint runs with dropout"
out=$("$PUENTE" kinship pairwise --dir "$D" --dropout 1.5 2>&1); rc=$?
assert_rc "$rc" 2 "a dropout outside [0, 0.99] is a usage error"

# --- the case database
K freqdb planecrash "$D/freqs.csv" --mutation "$D/mutation_models.csv" >/dev/null
assert_rc $? 0 "a frequency database is registered"
out=$(K freqdb planecrash "$D/freqs.csv" --mutation "$D/mutation_models.csv")
assert_eq "$out" "planecrash,2" "registering again makes version 2"
K new FGR-SIN-2026-1 --state MX-SIN --title "Fosa El Rancho" --freqdb planecrash --owner FGR --marking MX-ONLY
assert_rc $? 0 "a case is created"
out=$(K new FGR-SIN-2026-1 --state MX-SIN --owner FGR 2>&1); rc=$?
assert_rc "$rc" 6 "the same case id twice is a conflict"
K add-family FGR-SIN-2026-1 "$D/am_pedigrees.csv" --name "Persona desaparecida" 2>/dev/null
assert_rc $? 0 "families are stored"
head -61 "$D/pm_genotypes.csv" > "$TMP/pm_a.csv"   # V1..V4 (15 markers each)
{ head -1 "$D/pm_genotypes.csv"; tail -n +62 "$D/pm_genotypes.csv"; } > "$TMP/pm_b.csv"
K add-pm FGR-SIN-2026-1 "$TMP/pm_a.csv" --site "El Rancho" --grave G1 --lab "LGF-SIN" --kit Identifiler --quality good 2>/dev/null
assert_rc $? 0 "remains are stored"
printf 'sample,sex,marker,allele1,allele2\nX1,2,CSF1PO,1x!,12\n' > "$TMP/pm_bad.csv"
out=$(K add-pm FGR-SIN-2026-1 "$TMP/pm_bad.csv" 2>&1); rc=$?
assert_rc "$rc" 3 "a bad profile is invalid input"
assert_contains "$out" "pm_bad.csv:2: field 'allele1'" "the error names file:line and the field"
out=$(K add-reference "$D/am_genotypes.csv" 2>&1); rc=$?
assert_rc "$rc" 3 "a reference without a consent document is refused"
assert_contains "$out" "consent" "the refusal names the consent"
K add-reference "$D/am_genotypes.csv" --consent-document "CONS-FGR-001" --relation "familiar" 2>/dev/null
assert_rc $? 0 "references with consent are stored"

s1=$(K search --threads 2 | tail -1)
assert_eq "$(echo "$s1" | cut -d, -f2,3,6)" "4,5,20" "first search: 4 new samples x 5 families = 20 pairs"
s2=$(K search | tail -1)
assert_eq "$(echo "$s2" | cut -d, -f6)" "0" "a second search computes no pair"
K add-pm FGR-SIN-2026-1 "$TMP/pm_b.csv" --quality degraded --dropout 0.05 2>/dev/null
s3=$(K search | tail -1)
assert_eq "$(echo "$s3" | cut -d, -f2,3,6)" "4,0,20" "4 new degraded samples: only their 20 pairs"
hits=$(K hits)
assert_contains "$hits" "hit,pm_sample,family,missing,lr" "hits are listed as CSV"
n=$(printf '%s\n' "$hits" | tail -n +2 | grep -c candidate)
[ "$n" -ge 2 ] && ok "the search found candidates ($n)" || nok "the search found candidates ($n)"
h1=$(printf '%s\n' "$hits" | sed -n 2p | cut -d, -f1)

# four eyes with two forensic accounts
"$PUENTE" agency seed --db "$DB" >/dev/null
echo 'ana horse battery staple' | "$PUENTE" user add ana.fgr --agency FGR --role forensic --password-stdin --permanent --db "$DB" >/dev/null 2>&1
echo 'luis horse battery staple' | "$PUENTE" user add luis.fgr --agency FGR --role forensic --password-stdin --permanent --db "$DB" >/dev/null 2>&1
ANA() { PUENTE_PASSWORD='ana horse battery staple' "$PUENTE" --user ana.fgr kinship case "$@" --db "$DB"; }
LUIS() { PUENTE_PASSWORD='luis horse battery staple' "$PUENTE" --user luis.fgr kinship case "$@" --db "$DB"; }
out=$(K report "$h1" --lang es 2>&1); rc=$?
assert_rc "$rc" 6 "no report before the four-eyes decision"
ANA review "$h1" --note "perfil completo" 2>/dev/null
assert_rc $? 0 "a first geneticist reviews"
out=$(ANA confirm "$h1" --prior 0.01 2>&1); rc=$?
assert_rc "$rc" 5 "the reviewer cannot also confirm"
assert_contains "$out" "four eyes" "the refusal says why"
out=$(LUIS confirm "$h1" 2>&1); rc=$?
assert_rc "$rc" 2 "confirm needs the prior"
LUIS confirm "$h1" --prior 0.01 --note "confirmada" 2>/dev/null
assert_rc $? 0 "a second geneticist confirms"
row=$(K hits --status confirmed | tail -1)
assert_contains "$row" ",confirmed,ana.fgr,luis.fgr," "the hit records both users"
rep=$(K report "$h1" --lang es)
assert_contains "$rep" "Informe de identificación humana" "the report in Spanish"
assert_contains "$rep" "Probabilidad posterior" "with the posterior"
assert_contains "$rep" "planecrash v2" "and the frequency database version"
rep=$(K report "$h1" --lang en --html)
assert_contains "$rep" "<html lang=\"en\">" "the report in English as HTML"
assert_contains "$rep" "Likelihood ratio per marker" "with the LR per marker"
exp=$(K export "$h1")
assert_contains "$exp" "[Per-marker LR]" "the Familias export has the per-marker LRs"
assert_contains "$exp" "[Persons]" "and the pedigree"
# another country's agency sees nothing
out=$(K hits --agency FBI --country US)
assert_eq "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" "1" "FBI sees no MX-ONLY hit"

# consent withdrawal
fam=$(K hits --status candidate | sed -n 2p | cut -d, -f3)
ref=$(awk -F, -v f="\"$fam\"" '$1 == f && $6 == "\"reference\"" { gsub(/"/, "", $2); print $2; exit }' "$D/am_pedigrees.csv")
K consent "$fam/$ref" --withdraw --reason "la donante retira su consentimiento"
assert_rc $? 0 "a consent is withdrawn"
rows=$(K hits --status candidate | cut -d, -f3 | grep -cx "$fam")
assert_eq "$rows" "0" "open hits of that family no longer stand"
rows=$(K hits --status superseded | cut -d, -f3 | grep -cx "$fam")
[ "$rows" -ge 1 ] && ok "they are kept as superseded" || nok "they are kept as superseded"
s4=$(K search | tail -1)
assert_eq "$(echo "$s4" | cut -d, -f5,6)" "4,0" "the family takes part in no later search"

finish
