#!/usr/bin/env bash
# End-to-end tests of `puente ews` on the R surveillance reference series and
# on a generated report stream.
. "$(dirname "$0")/../lib.sh"
REF="$SRC/data/ews/reference"
DB="$(test_store ews.db)"

# counts file from a reference CSV: ISO dates (salmNewport) or week indexes (ha)
mkcounts() { # file datecol -> counts csv
  awk -F, -v dc="$2" 'NR==1{for(i=1;i<=NF;i++)h[$i]=i; print "date,count"; next}
       {d = dc=="date" ? $h["date"] : $h["idx"]; print d "," $h["observed"]}' "$1"
}
# compare puente's output with a reference column: prints mismatches
compare() { # out.csv ref.csv ubcol alarmcol tol
  awk -F, -v ub="$3" -v al="$4" -v tol="$5" '
    FNR==NR { if (FNR>1) { U[FNR]=$3; A[FNR]=$4; Y[FNR]=$2 } next }
    FNR==1 { for(i=1;i<=NF;i++) h[$i]=i; next }
    { r=$h[ub]; ra=$h[al]; u=U[FNR]; a=A[FNR];
      if (r=="NA") { if (u!="") { print "line " FNR ": upper " u " vs NA"; bad++ } ; if (ra=="NA" && a!="") {print "line " FNR ": alarm " a " vs NA"; bad++}; next }
      d = u - r; if (d<0) d=-d; s = r<0?-r:r; if (s<1) s=1;
      if (u=="" || d > tol*s) { print "line " FNR ": upper " u " vs " r; bad++ }
      yd = Y[FNR]-r; if (yd<0) yd=-yd;
      if (a != ra && yd > tol) { print "line " FNR ": alarm " a " vs " ra; bad++ } }
    END { exit bad>0 }' "$1" "$2"
}

mkcounts "$REF/salmNewport_DE.csv" date > "$TMP/salm.csv"
mkcounts "$REF/ha_berlin.csv" idx > "$TMP/ha.csv"
for m in c1:C1 c2:C2 c3:C3 farrington:ff farrington-noufaily:ffnoufaily; do
  meth=${m%%:*}; col=${m##*:}
  for data in salm:salmNewport_DE ha:ha_berlin; do
    f=${data%%:*}; ref=${data##*:}
    out=$("$PUENTE" ews detect --method "$meth" --counts "$TMP/$f.csv" > "$TMP/out.csv" 2>&1; echo $?)
    assert_eq "$out" 0 "detect $meth on $ref exits 0"
    tol=1e-9; case $meth in farrington*) tol=1e-6 ;; esac
    diff=$(compare "$TMP/out.csv" "$REF/$ref.csv" "${col}_upperbound" "${col}_alarm" $tol)
    assert_eq "$diff" "" "detect $meth reproduces R on $ref"
    n=$(awk -F, 'NR>1 && $4==1' "$TMP/out.csv" | wc -l)
    want=$(awk -F, -v d="$ref" -v m="$col" 'BEGIN{mm["C1"]="earsC_C1";mm["C2"]="earsC_C2";mm["C3"]="earsC_C3";mm["ff"]="farringtonFlexible_ff";mm["ffnoufaily"]="farringtonFlexible_ffnoufaily"}
      { gsub(/"/,""); } $1==d && $2==mm[m] { print $(NF-1) }' "$REF/manifest.csv")
    assert_eq "$n" "$want" "detect $meth: $want alarms on $ref as in the manifest"
  done
done
head -1 "$TMP/out.csv" | grep -q '^date,count,upperbound,alarm$' && ok "detect writes the documented header" || nok "detect header"
# empty upperbound before the monitored range
assert_eq "$(sed -n 2p "$TMP/out.csv")" "1,0,," "weeks outside the range have empty upperbound and alarm"

# C3: the CDC mode raises more alarms than the package mode
n3=$("$PUENTE" ews detect --method c3 --counts "$TMP/salm.csv" | awk -F, '$4==1' | wc -l)
ncdc=$("$PUENTE" ews detect --method c3-cdc --counts "$TMP/salm.csv" | awk -F, '$4==1' | wc -l)
[ "$ncdc" -gt "$n3" ] && ok "c3-cdc ($ncdc) raises more alarms than c3 ($n3)" || nok "c3-cdc $ncdc vs c3 $n3"
ncu=$("$PUENTE" ews detect --method cusum --counts "$TMP/salm.csv" | awk -F, '$4==1' | wc -l)
ncr=$("$PUENTE" ews detect --method cusum --reset --counts "$TMP/salm.csv" | awk -F, '$4==1' | wc -l)
[ "$ncr" -lt "$ncu" ] && ok "cusum --reset ($ncr) raises fewer alarms than without ($ncu)" || nok "cusum reset $ncr vs $ncu"
out=$("$PUENTE" ews detect --method farrington --diagnostics --counts "$TMP/salm.csv" | head -1)
assert_contains "$out" "expected,statistic,pvalue,phi" "--diagnostics adds the Farrington columns"

# method parameters
nb3=$("$PUENTE" ews detect --method farrington --years 3 --counts "$TMP/ha.csv" | awk -F, 'NR>1 && $3!=""' | wc -l)
nb5=$("$PUENTE" ews detect --method farrington --counts "$TMP/ha.csv" | awk -F, 'NR>1 && $4!=""' | wc -l)
nb3r=$("$PUENTE" ews detect --method farrington --years 3 --counts "$TMP/ha.csv" | awk -F, 'NR>1 && $4!=""' | wc -l)
[ "$nb3r" -gt "$nb5" ] && ok "--years 3 monitors more weeks ($nb3r) than 5 years ($nb5)" || nok "--years: $nb3r vs $nb5"
[ "$nb3" -gt 0 ] && ok "--years 3 gives bounds" || nok "--years 3 bounds"
out=$("$PUENTE" ews detect --method c1 --baseline 0 --counts "$TMP/ha.csv" 2>&1); rc=$?
assert_rc $rc 2 "--baseline 0 is a usage error"
out=$("$PUENTE" ews detect --method c1 --alpha 2 --counts "$TMP/ha.csv" 2>&1); rc=$?
assert_rc $rc 2 "--alpha outside (0,1) is a usage error"

# many strata in one call: a series column
awk -F, 'NR==1{print "series,date,count"; next} {print "salm," $0}' "$TMP/salm.csv" > "$TMP/multi.csv"
awk -F, 'NR>1 && NR<=6 {print "short," $0}' "$TMP/salm.csv" >> "$TMP/multi.csv"
out=$("$PUENTE" ews detect --method c1 --counts "$TMP/multi.csv" 2> "$TMP/multi.err"); rc=$?
assert_rc $rc 0 "detect on a file with a series column"
assert_eq "$(printf '%s\n' "$out" | head -1)" "series,date,count,upperbound,alarm" "series column in the output header"
single=$("$PUENTE" ews detect --method c1 --counts "$TMP/salm.csv" | tail -n +2)
assert_eq "$(printf '%s\n' "$out" | grep '^salm,' | cut -d, -f2-)" "$single" "a series in a multi-series file gives the same result"
assert_eq "$(printf '%s\n' "$out" | grep -c '^short,')" "5" "a series too short keeps its rows"
assert_contains "$(cat "$TMP/multi.err")" "series 'short'" "and is reported on stderr"

# bad counts input: clear errors with file:line and exit code 3
printf 'date,count\n2024-01-08,1\n2024-01-01,2\n' > "$TMP/ooo.csv"
out=$("$PUENTE" ews detect --method c1 --counts "$TMP/ooo.csv" 2>&1); rc=$?
assert_rc $rc 3 "out-of-order dates exit 3"
assert_contains "$out" "ooo.csv:3" "out-of-order error names file:line"
assert_contains "$out" "out of order" "out-of-order error says why"
printf 'date,count\n1,1\n1,2\n' > "$TMP/dup.csv"
out=$("$PUENTE" ews detect --method c1 --counts "$TMP/dup.csv" 2>&1); rc=$?
assert_rc $rc 3 "duplicate weeks exit 3"; assert_contains "$out" "duplicate week" "duplicate week message"
printf 'date,count\n1,1\n2,-2\n' > "$TMP/neg.csv"
out=$("$PUENTE" ews detect --method c1 --counts "$TMP/neg.csv" 2>&1); rc=$?
assert_rc $rc 3 "negative counts exit 3"; assert_contains "$out" "neg.csv:3: field 'count'" "negative count names line and field"
printf 'date,count\n1,1\n2,2\n3,1\n' > "$TMP/short.csv"
out=$("$PUENTE" ews detect --method farrington --counts "$TMP/short.csv" 2>&1); rc=$?
assert_rc $rc 3 "too little history exits 3"; assert_contains "$out" "needs more than" "too little history says how much is needed"
out=$("$PUENTE" ews detect --method c9 --counts "$TMP/ha.csv" 2>&1); rc=$?
assert_rc $rc 2 "unknown method is a usage error"
out=$("$PUENTE" ews detect --method c1 2>&1); rc=$?
assert_rc $rc 2 "missing --counts is a usage error"

# reports: import, alerts, queue, scope
"$PUENTE" ews generate --weeks 60 --seed 3 > "$TMP/demo.csv"
out=$("$PUENTE" ews import "$TMP/demo.csv" --db "$DB"); rc=$?
assert_rc $rc 0 "import of the generated stream"
assert_contains "$out" "new alerts" "import reports its counts"
nrep=$(($(wc -l < "$TMP/demo.csv") - 1))
assert_contains "$out" "ews import: $nrep read, $nrep written, 0 unchanged, 0 rejected, 0 duplicate" "every generated report imported"
out=$("$PUENTE" ews alerts --db "$DB" --substance isotonitazene)
assert_contains "$out" "first-anywhere isotonitazene MX-SIN" "nitazene emergence in Sinaloa raises a first-anywhere alert"
assert_contains "$out" "first-country isotonitazene US-AZ" "and a first-in-country alert in Arizona"
assert_contains "$out" "Primera detección de isotonitaceno" "alerts carry Spanish text"
assert_contains "$out" "to: CONASAMA;FGR;MX-SIN-SSA" "alerts are addressed to the agencies of the place"
out2=$("$PUENTE" ews alerts --db "$DB" --substance isotonitaceno)
assert_eq "$out2" "$out" "alerts --substance accepts any name of the substance"
out=$("$PUENTE" ews queue --db "$DB")
assert_contains "$out" "N-pyrrolidino protonitazene" "unknown names go to the curator queue"
# a second unknown name, identified by a vocabulary load: the queue resolves itself
printf 'report_id,date,place,source_agency,type,substances\nQ1,2023-06-05,MX-CHH,FGR,seizure-lab,zzz-nitazene-x\n' > "$TMP/q.csv"
"$PUENTE" ews import "$TMP/q.csv" --db "$DB" > /dev/null
printf 'id,name_en,name_es,class,cas,inchikey,synonyms_en,synonyms_es\nzzz,ZZZ nitazene X,ZZZ nitaceno X,nitazene,,,zzz-nitazene-x,\n' > "$TMP/v.csv"
out2=$("$PUENTE" ews vocab load "$TMP/v.csv" --db "$DB")
assert_contains "$out2" "1 queued name(s) now resolved" "vocab load resolves matching queue items"
assert_contains "$("$PUENTE" ews alerts --db "$DB" --substance zzz)" "first-anywhere zzz MX-CHH" "and raises their first detection"
qid=$(printf '%s\n' "$out" | awk -F'\t' '/protonitazene/{print $1; exit}')
out=$("$PUENTE" ews queue resolve "$qid" "protonitaceno" --db "$DB"); rc=$?
assert_rc $rc 0 "queue resolve"
out=$("$PUENTE" ews vocab resolve "n-pyrrolidino protonitazene" --db "$DB")
assert_eq "$out" "protonitazene" "a resolved queue name becomes a synonym"
for n in p-fluorofentanyl para-fluorofentanyl 4-FF; do
  assert_eq "$("$PUENTE" ews vocab resolve "$n" --db "$DB")" "4-fluorofentanyl" "vocab resolves $n"
done
id=$("$PUENTE" ews alerts --db "$DB" --substance isotonitazene | awk '/first-anywhere/{sub("#","",$1); print $1; exit}')
out=$("$PUENTE" ews alerts ack "$id" --agency FGR --country MX --db "$DB"); rc=$?
assert_rc $rc 0 "acknowledge an alert"
out=$("$PUENTE" ews alerts close "$id" --agency FGR --country MX --note "confirmed by lab" --db "$DB"); rc=$?
assert_rc $rc 0 "close an alert"
out=$("$PUENTE" ews alerts close "$id" --agency FGR --country MX --db "$DB" 2>&1); rc=$?
assert_rc $rc 6 "closing a closed alert is a conflict"
out=$("$PUENTE" ews alerts --status closed --db "$DB")
assert_contains "$out" "closed by FGR: confirmed by lab" "closed alerts keep who closed them and the note"
# releasability: MX-ONLY/US-ONLY alerts are invisible across the border
nus=$("$PUENTE" ews alerts --db "$DB" --agency CDC --country US | grep -c 'marking=MX-ONLY')
nmx=$("$PUENTE" ews alerts --db "$DB" --agency FGR --country MX | grep -c 'marking=US-ONLY')
assert_eq "$nus$nmx" "00" "US readers see no MX-ONLY alert and MX readers no US-ONLY alert"
out=$("$PUENTE" ews scan --db "$DB" --method c2 --last 8); rc=$?
assert_rc $rc 0 "scan with c2"
out=$("$PUENTE" ews alerts --db "$DB" --substance isotonitazene)
assert_contains "$out" "aberration isotonitazene" "the growing nitazene series raises aberration alerts"
"$PUENTE" ews counts --substance isotonitazene --place US-AZ --db "$DB" > "$TMP/az.csv"
assert_eq "$(head -1 "$TMP/az.csv")" "date,count,upperbound,alarm" "counts writes a series"
out=$("$PUENTE" ews detect --method c1 --counts "$TMP/az.csv" 2>&1); rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] && ok "counts output feeds detect (rc $rc)" || nok "counts -> detect rc $rc"

# bad reports: unknown place, all or nothing
before=$(store_sql "$DB" 'SELECT COUNT(*) FROM ews_report')
printf 'report_id,date,place,source_agency,type,substances\nZ1,2025-01-01,US-AZ,DEA,seizure-lab,fentanyl\nZ2,2025-01-02,US-XX,DEA,seizure-lab,fentanyl\n' > "$TMP/bad.csv"
out=$("$PUENTE" ews import "$TMP/bad.csv" --strict --db "$DB" 2>&1); rc=$?
assert_rc $rc 3 "unknown place exits 3"
assert_contains "$out" "bad.csv:3: field 'place'" "unknown place names file:line and field"
assert_eq "$(store_sql "$DB" 'SELECT COUNT(*) FROM ews_report')" "$before" "a failed --strict import writes nothing"
# issue 16: without --strict every bad record is reported and the good ones imported
printf 'report_id,date,place,source_agency,type,substances\nZ1,2025-01-01,US-AZ,DEA,seizure-lab,fentanyl\nZ2,2025-01-02,US-XX,DEA,seizure-lab,fentanyl\nZ3,01/02/2025,US-AZ,DEA,seizure-lab,fentanyl\nZ4,2029-01-02,US-AZ,DEA,seizure-lab,fentanyl\nZ5,2025-01-03,US-AZ,DEA,seizure-lab,fentanyl\nZ5,2025-01-03,US-AZ,DEA,seizure-lab,fentanyl\n' > "$TMP/bad2.csv"
out=$("$PUENTE" ews import "$TMP/bad2.csv" --today 2026-12-06 --db "$DB" 2>&1); rc=$?
assert_rc $rc 7 "some records refused: exit 7 (partial)"
assert_contains "$out" "bad2.csv:3: field 'place'" "every bad line reported: place"
assert_contains "$out" "bad2.csv:4: field 'date'" "every bad line reported: non-ISO date"
assert_contains "$out" "bad2.csv:5: field 'date': date 2029-01-02 is in the future" "a report dated in the future is refused"
assert_contains "$out" "bad2.csv:7: field 'report_id': duplicate" "a repeated report is reported"
assert_contains "$out" "ews import: 6 read, 2 written, 0 unchanged, 3 rejected, 1 duplicate" "counts add up"
assert_eq "$(store_sql "$DB" 'SELECT COUNT(*) FROM ews_report')" "$((before + 2))" "the good records are imported"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM ews_report WHERE date > '2026-12-31'")" "0" "no future report stored"
out=$("$PUENTE" ews import "$TMP/bad2.csv" --today 2026-12-06 --db "$DB" 2>&1)
assert_contains "$out" "ews import: 6 read, 0 written, 2 unchanged, 3 rejected, 1 duplicate" "a re-import changes nothing"
# --baseline: history without alerts; the next report is judged against it
BDB=$(test_store base.db)
printf 'report_id,date,place,source_agency,type,substances,marking\nH1,2020-03-02,US-AZ,DEA,seizure-lab,fentanyl,SHARED\nH2,2020-03-09,MX-SIN,FGR,seizure-lab,fentanyl|isotonitazene,SHARED\n' > "$TMP/hist.csv"
out=$("$PUENTE" ews import "$TMP/hist.csv" --baseline --db "$BDB" 2>&1); rc=$?
assert_rc $rc 0 "baseline import"
assert_contains "$out" "0 new alerts (--baseline" "a baseline raises no alert"
assert_eq "$(store_sql "$BDB" 'SELECT COUNT(*) FROM ews_alert')" "0" "no alert stored for history"
printf 'report_id,date,place,source_agency,type,substances,marking\nN1,2025-03-03,US-AZ,DEA,seizure-lab,fentanyl,SHARED\nN2,2025-03-03,US-TX,DEA,seizure-lab,isotonitazene,SHARED\n' > "$TMP/new.csv"
out=$("$PUENTE" ews import "$TMP/new.csv" --db "$BDB" 2>&1)
assert_eq "$(store_sql "$BDB" "SELECT COUNT(*) FROM ews_alert WHERE kind = 'first-anywhere'")" "0" "substances of the baseline are not 'first anywhere' again"
assert_eq "$(store_sql "$BDB" "SELECT COUNT(*) FROM ews_alert WHERE kind = 'first-country' AND substance = 'isotonitazene'")" "1" "a new country after the baseline still alerts"
# ---- reader scope (--agency A --country C), visibility for three readers ----
VDB="$(test_store vis.db)"
H='report_id,date,place,source_agency,type,substances,matrix,quantity_g,purity_pct,owner,marking'
{ echo "$H"
  echo "V1,2025-01-06,US-AZ,DEA,seizure-lab,fentanyl|zz-public,powder,,,DEA,PUBLIC"
  echo "V2,2025-02-03,MX-SON,FGR,seizure-lab,heroin|zz-shared,powder,,,FGR,SHARED"
  echo "V3,2025-03-03,US-AZ,CDC,seizure-lab,cocaine|zz-us,powder,,,CDC,US-ONLY"
  echo "V4,2025-04-07,MX-SON,FGR,seizure-lab,methamphetamine|zz-mx,powder,,,FGR,MX-ONLY"
  echo "V5,2025-05-05,US-AZ,DEA,seizure-lab,xylazine|zz-dea,powder,,,DEA,AGENCY-ONLY"
} > "$TMP/vis.csv"
"$PUENTE" ews import "$TMP/vis.csv" --db "$VDB" > /dev/null
# expected by hand: DEA (owner of V5) V1 V2 V3 V5; CDC (same country) V1 V2 V3; FGR (other country) V1 V2 V4
for r in "DEA US fentanyl,heroin,cocaine,xylazine" "CDC US fentanyl,heroin,cocaine" "FGR MX fentanyl,heroin,methamphetamine"; do
  set -- $r
  got=$("$PUENTE" ews alerts --db "$VDB" --agency "$1" --country "$2" | awk '/^#/{print $4}' | sort | paste -sd, -)
  assert_eq "$got" "$(printf '%s\n' $(echo "$3" | tr , ' ') | sort | paste -sd, -)" "ews alerts as $1/$2 lists exactly the visible alerts"
  n=$(printf '%s\n' $(echo "$3" | tr , ' ') | wc -l)
  assert_contains "$("$PUENTE" ews queue --db "$VDB" --agency "$1" --country "$2")" "$n queued name(s)" "ews queue as $1/$2 lists $n names"
  for s in fentanyl heroin cocaine methamphetamine xylazine; do
    c=$("$PUENTE" ews counts --substance "$s" --db "$VDB" --agency "$1" --country "$2" 2>/dev/null | awk -F, 'NR>1{t+=$2} END{print t+0}')
    case ",$3," in *",$s,"*) want=1 ;; *) want=0 ;; esac
    assert_eq "$c" "$want" "ews counts $s as $1/$2"
  done
done
out=$("$PUENTE" ews alerts --db "$VDB" --agency DEA 2>&1); rc=$?
assert_rc $rc 2 "--agency without --country is a usage error"
out=$("$PUENTE" ews alerts --db "$VDB" --as DEA:US 2>&1); rc=$?
assert_rc $rc 2 "--as is gone"
out=$("$PUENTE" ews scan --db "$VDB" --agency DEA --country US 2>&1); rc=$?
assert_rc $rc 2 "scan runs as the operator only"

# ---- write rule: only an addressee acknowledges or closes, for itself ----
printf '%s\nW1,2025-06-02,MX-SON,FGR,seizure-lab,fentanyl,powder,,,FGR,SHARED\n' "$H" > "$TMP/w.csv"
"$PUENTE" ews import "$TMP/w.csv" --db "$VDB" > /dev/null
out=$("$PUENTE" ews alerts --db "$VDB" --to MX-SON-SSA --substance fentanyl)
wid=$(printf '%s\n' "$out" | awk '/first-country fentanyl MX-SON/{sub("#","",$1); print $1; exit}')
assert_not_contains "$(printf '%s\n' "$out" | grep -A4 "^#$wid " | grep 'to:')" "DEA" "the first-in-Mexico alert is not addressed to DEA"
out=$("$PUENTE" ews alerts close "$wid" --agency DEA --country US --db "$VDB" 2>&1); rc=$?
assert_rc $rc 5 "DEA cannot close FGR's alert"
assert_contains "$out" "not addressed to DEA" "and is told why"
out=$("$PUENTE" ews alerts ack "$wid" --db "$VDB" 2>&1); rc=$?
assert_rc $rc 2 "ack needs the acting agency's scope"
out=$("$PUENTE" ews alerts ack "$wid" --agency NOPE --country MX --db "$VDB" 2>&1); rc=$?
assert_rc $rc 3 "an unknown agency cannot acknowledge (issue 16)"
assert_contains "$out" "unknown agency 'NOPE'" "the refusal says the agency is unknown"
out=$("$PUENTE" ews alerts close "$wid" --agency FGR --country MX --db "$VDB"); rc=$?
assert_rc $rc 0 "FGR, an addressee, closes it"
assert_contains "$out" "closed by FGR" "as FGR"
# filing: a MX agency cannot file US-ONLY
printf '%s\nW2,2025-06-09,MX-SON,FGR,seizure-lab,fentanyl,powder,,,FGR,US-ONLY\n' "$H" > "$TMP/w2.csv"
out=$("$PUENTE" ews import "$TMP/w2.csv" --strict --agency FGR --country MX --db "$VDB" 2>&1); rc=$?
assert_rc $rc 5 "FGR cannot file a US-ONLY report"
assert_contains "$out" "w2.csv:2: field 'marking'" "the refusal names file:line and field"
finish
