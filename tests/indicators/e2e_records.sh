#!/usr/bin/env bash
# The records behind a figure (docs/indicators.md "Records behind a
# figure"): for every count name a publisher lists records for (trace,
# cargo, tips, ews, cases), per reader (the operator, FGR, CBP, the version
# both countries may read), the records listed for a year add up to the
# figure computed independently from the counts, their number is the count
# rows the figure read, and no record the reader may not see is listed (nor
# counted: some rows of every publisher are hidden from FGR). Then the
# indicator drill-down: numerator, denominator, a state's cell, paging,
# links, and the refusals (aggregates only: protection, kinship; a manual
# figure).
# Usage: e2e_records.sh [TEST_COUNT_RECORDS]: the per-publisher check
# (test_count_records.c) runs over the same store when given.
COUNT_RECORDS=${1:-}
. "$(dirname "$0")/../lib.sh"
export PUENTE_TIPS_KDF=1:8192
DB=$(test_store rec.db)
export PUENTE_DB="$DB"
P() { "$PUENTE" "$@"; }
YEAR=$(date -u +%Y)   # the generators of tips and manifests file them this year
# early-warning reports up to two weeks ago (imports refuse future dates)
EWS_WEEKS=$((52 + 10#$(date -u +%V) - 2))

P agency seed >/dev/null
P agency add SEDENA --name "Secretaría de la Defensa Nacional" --country MX >/dev/null
P trace generate --firearms 2000 --recoveries 80 --rings 1 --seed 11 --marking SHARED >/dev/null 2>&1
P trace run >/dev/null 2>&1
P tip generate --count 40 --seed 5 >/dev/null 2>&1
P cargo generate --lines 120 --seed 3 --designated 0 --out "$TMP/m1.csv" >/dev/null 2>&1
P cargo generate --lines 80 --seed 4 --designated 0 --out "$TMP/m2.csv" >/dev/null 2>&1
P cargo screen "$TMP/m1.csv" --owner CBP --marking US-ONLY --out "$TMP/r1.csv" >/dev/null 2>&1
P cargo screen "$TMP/m2.csv" --owner CBP --marking SHARED --out "$TMP/r2.csv" >/dev/null 2>&1
P ews generate --start $((YEAR - 1))-01-05 --weeks $EWS_WEEKS --seed 7 > "$TMP/ews.csv"
P ews import "$TMP/ews.csv" >/dev/null 2>&1
HSI=(--agency HSI --country US)
shared=$(P case new "${HSI[@]}" --title "Shared case" --summary s --agencies HSI:US,FGR:MX --marking SHARED --opened $YEAR-01-10)
own=$(P case new "${HSI[@]}" --title "HSI only" --summary s --agencies HSI:US --marking AGENCY-ONLY --opened $YEAR-01-10)
for c in "$shared" "$shared" "$own"; do
  P warrant add "$c" "${HSI[@]}" --court "U.S. District Court" --judge "Hon. A" --issued $YEAR-02-04 --jurisdiction US \
    --subject "Person $RANDOM" >/dev/null
done
P indicator define --builtin >/dev/null

NAMES="trace.requests_submitted trace.requests_completed trace.requests_untraceable trace.traced_firearms
trace.us_sourced trace.ttc_count trace.ttc_days cargo.shipments_screened cargo.shipments_flagged_hold
cargo.shipments_flagged_review cargo.precursor_shipments tips.received tips.linked tips.closed ews.reports
ews.new_substances ews.first_alerts ews.first_alert_days cases.warrants_issued"
code() { local x=${1#*.}; printf 'R-%s-%s' "${1%%.*}" "$(printf '%s' "$x" | cksum | cut -c1-6)"; }
# one indicator per count name: its figure is the sum of the name's rows (computed by `compute`)
{
  echo "code,goal,area,name_en,name_es,sentence_en,sentence_es,numerator,period,disaggregation"
  for n in $NAMES; do echo "$(code "$n"),prevent,records,$n,$n,{value},{value},$n,year,state;country;agency"; done
} > "$TMP/names.csv"
P indicator define "$TMP/names.csv" >/dev/null; assert_rc $? 0 "one indicator per count name"

# READER: label|scope options; the check of a listed marking/agency
check_reader() {
  local label=$1; shift
  local figures; figures=$(P indicator compute --year $YEAR "$@" 2>/dev/null)
  for n in $NAMES; do
    local code; code=$(code "$n")
    local fig rows; fig=$(printf '%s\n' "$figures" | awk -F, -v c="$code" '$1==c && $3=="" {print ($5==""?0:$5)}')
    rows=$(printf '%s\n' "$figures" | awk -F, -v c="$code" '$1==c && $3=="" {print $9}')
    local got; got=$(P indicator records "$code" --period $YEAR --limit 1000 --json "$@" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["total"], "%g" % r["sum"], len(r["records"]))')
    read -r total sum listed <<<"$got"
    assert_eq "$sum" "$(printf '%g' "${fig:-0}")" "$label $n: the records add up to the figure ($fig)"
    assert_eq "$total" "${rows:-0}" "$label $n: one record per count row"
    printf '%s %s\n' "$n" "$total" >> "$TMP/totals.$label"
  done
}
check_reader operator
check_reader fgr --agency FGR --country MX
check_reader cbp --agency CBP --country US
check_reader releasable --releasable-to MX,US

# hidden records neither count nor list: every publisher has rows FGR may not see
for m in trace cargo tips ews cases; do
  all=$(awk -v m="$m." 'index($1, m)==1 {s+=$2} END {print s+0}' "$TMP/totals.operator")
  fgr=$(awk -v m="$m." 'index($1, m)==1 {s+=$2} END {print s+0}' "$TMP/totals.fgr")
  [ "$fgr" -lt "$all" ] && ok "$m: FGR is listed fewer records ($fgr) than the operator ($all)" \
    || nok "$m: FGR should see fewer records ($fgr vs $all)"
done
# what FGR is listed is what FGR may read: its own, or PUBLIC/SHARED/MX-ONLY
for n in trace.requests_submitted cargo.shipments_screened tips.received ews.reports cases.warrants_issued; do
  bad=$(P indicator records --count "$n" --period $YEAR --limit 1000 --json --agency FGR --country MX | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(sum(1 for x in r["records"] if not (x["marking"] in ("PUBLIC", "SHARED", "MX-ONLY") or x["agency"] == "FGR")))')
  assert_eq "$bad" "0" "$n: no record FGR may not read is listed to FGR"
done
rel=$(P indicator records --count cargo.shipments_screened --period $YEAR --limit 1000 --json --releasable-to MX,US |
  python3 -c 'import json,sys; print(sorted({x["marking"] for x in json.load(sys.stdin)["records"]}))')
assert_eq "$rel" "['SHARED']" "the releasable version lists only SHARED manifest lines"

# ---- per publisher: count_records emits exactly the rows counts emits, per reader ----
if [ -n "$COUNT_RECORDS" ]; then
  out=$("$COUNT_RECORDS" "$DB" 2>&1); rc=$?
  printf '%s\n' "$out" | grep '^not ok' | head -20
  assert_rc $rc 0 "every publisher's records are its counted rows, per reader ($(printf '%s\n' "$out" | grep -c '^ok') checks)"
else
  nok "the per-publisher check (test_count_records) was not given"
fi

# ---- an indicator's records: numerator, denominator, cell, paging, links ----
fig=$(P indicator compute PRV-ARMS-02 --year $YEAR 2>/dev/null | awk -F, '$3=="" {print $6","$7}')
num=$(P indicator records PRV-ARMS-02 --period $YEAR --limit 1000 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
den=$(P indicator records PRV-ARMS-02 --period $YEAR --part denominator --limit 1000 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
assert_eq "$num,$den" "$(printf '%g,%g' "${fig%,*}" "${fig#*,}")" "PRV-ARMS-02: numerator and denominator records ($fig)"
cell=$(P indicator compute PRV-ARMS-01 --year $YEAR --by state 2>/dev/null | awk -F, '$3=="state" && $4!="-" && $5>=1 {print $4","$5; exit}')
st=${cell%,*}; v=${cell#*,}
out=$(P indicator records PRV-ARMS-01 --period $YEAR --state "$st" 2>/dev/null | tail -n +2)
assert_eq "$(printf '%s\n' "$out" | wc -l)" "$v" "the records of $st are its figure ($v)"
assert_eq "$(printf '%s\n' "$out" | cut -d, -f6 | sort -u)" "$st" "every record is of $st"
assert_contains "$out" "/app/trace/T" "each request links to its page"
out=$(P indicator records PRV-ARMS-01 --period $YEAR --by state --cell "$st" 2>/dev/null | tail -n +2)
assert_eq "$(printf '%s\n' "$out" | wc -l)" "$v" "--by state --cell is the same cell"
all=$(P indicator records PRV-ARMS-01 --period $YEAR --limit 1000 2>/dev/null | tail -n +2 | cut -d, -f3)
p1=$(P indicator records PRV-ARMS-01 --period $YEAR --limit 4 2>/dev/null | tail -n +2 | cut -d, -f3)
p2=$(P indicator records PRV-ARMS-01 --period $YEAR --limit 4 --offset 4 2>/dev/null | tail -n +2 | cut -d, -f3)
assert_eq "$(printf '%s\n%s\n' "$p1" "$p2")" "$(printf '%s\n' "$all" | head -8)" "two pages are the first eight records"
id=$(printf '%s\n' "$all" | head -1)
out=$(P trace request show "$id" --json 2>&1); assert_rc $? 0 "a listed request opens ($id)"
out=$(P indicator records PUR-TIPS-01 --period $YEAR --limit 1 --json | python3 -c '
import json, sys
r = json.load(sys.stdin)["records"][0]
print(r["kind"], r["link"] == "/app/tips/" + r["id"])')
assert_eq "$out" "tip True" "a tip links to its page"

# ---- refusals ----
out=$(P indicator records PRO-PROT-01 --period $YEAR 2>&1); rc=$?
assert_rc $rc 5 "protection figures never drill down to records"
assert_contains "$out" "aggregates only" "the refusal says why"
out=$(P indicator records PRO-KIN-03 --period $YEAR 2>&1); assert_rc $? 5 "nor kinship casework's aggregates"
out=$(P indicator records PRV-TRAIN-01 --period $YEAR 2>&1); assert_rc $? 3 "a manual figure has no records"
assert_contains "$out" "entered by hand" "the manual refusal says why"
out=$(P indicator records PRV-ARMS-01 2>&1); assert_rc $? 2 "--period is required"
out=$(P indicator records PRV-ARMS-01 --period $YEAR --part both 2>&1); assert_rc $? 3 "an unknown part is refused"
out=$(P indicator records PRV-ARMS-01 --period $YEAR --limit 5000 2>&1); assert_rc $? 3 "a page is at most 1000 records"
out=$(P indicator records NOPE --period $YEAR 2>&1); assert_rc $? 4 "an unknown indicator"
finish
