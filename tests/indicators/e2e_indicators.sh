#!/usr/bin/env bash
# End-to-end tests of `puente indicator` and `puente report framework`
# (docs/indicators.md): the built-in definitions, figures checked against
# counts computed here from the engines' own outputs (trace request show
# --json, tip list --json, cargo queue --format csv), disaggregation sums,
# visibility per reader, the releasable version (a US-ONLY count never in
# it), manual values with revisions, the drill-down, EN/ES parity of the
# report, and the PDF (pages and text with poppler-utils).
. "$(dirname "$0")/../lib.sh"
export PUENTE_TIPS_KDF=1:8192
DB=$(test_store ind.db)
export PUENTE_DB="$DB"
P() { "$PUENTE" "$@"; }
YEAR=2026

P agency seed >/dev/null
# the generator files requests as FGR and SEDENA; SEDENA is not among the seeded agencies
P agency add SEDENA --name "Secretaría de la Defensa Nacional" --country MX >/dev/null
P trace generate --firearms 2000 --recoveries 80 --rings 1 --seed 11 --marking SHARED >/dev/null 2>&1
P trace run >/dev/null 2>&1
P tip generate --count 30 --seed 5 >/dev/null 2>&1
P cargo generate --lines 300 --seed 3 --designated 0 --out "$TMP/m1.csv" >/dev/null 2>&1
P cargo generate --lines 200 --seed 4 --designated 0 --out "$TMP/m2.csv" >/dev/null 2>&1
P cargo screen "$TMP/m1.csv" --owner CBP --marking US-ONLY --out "$TMP/r1.csv" >/dev/null 2>&1
P cargo screen "$TMP/m2.csv" --owner CBP --marking SHARED --out "$TMP/r2.csv" >/dev/null 2>&1

# ---- definitions ----
out=$(P indicator define --builtin); assert_rc $? 0 "the built-in indicators are defined"
assert_contains "$out" "defined 21 indicators" "21 built-in indicators"
out=$(P indicator list)
assert_contains "$out" "trace.requests_submitted[country=MX]" "the list shows the formulas"
printf 'code,goal\nX,attack\n' > "$TMP/bad.csv"
out=$(P indicator define "$TMP/bad.csv" 2>&1); rc=$?
assert_rc $rc 3 "a bad definitions file is refused"
assert_contains "$out" "bad.csv" "the error names the file"
cat > "$TMP/own.csv" <<'CSV'
code,goal,area,name_en,name_es,sentence_en,sentence_es,numerator,denominator,factor,period,disaggregation
T-HOLD,prevent,precursors,Held by targeting,Retenidos por la selección,{value} holds,{value} retenciones,cargo.shipments_flagged_hold,,1,year,agency
T-ZERO,prevent,precursors,Hits per inspection,Aciertos por inspección,{value},{value},cargo.shipments_screened,cargo.shipments_inspected,100,year,
T-TIPS,pursue,tips,Tips,Denuncias,{value},{value},tips.received,,1,month,state
CSV
out=$(P indicator define "$TMP/own.csv"); assert_rc $? 0 "a definitions file of our own"
out=$(P indicator define "$TMP/own.csv" --agency FGR --country MX 2>&1)
assert_rc $? 5 "an agency reader may not define indicators"

# ---- traces submitted by Mexico, against trace request show --json ----
counts=$(python3 - "$PUENTE" "$DB" <<'PY'
import json, subprocess, sys, collections
exe, db = sys.argv[1], sys.argv[2]
agencies = {}
for line in subprocess.run([exe, "agency", "list", "--db", db], capture_output=True, text=True).stdout.splitlines():
    f = line.split("\t")
    if len(f) >= 2: agencies[f[1]] = [f[0]]
ids = [l.split("\t")[0] for l in subprocess.run([exe, "trace", "request", "list", "--limit", "0", "--db", db],
                                                 capture_output=True, text=True).stdout.splitlines() if l.strip()]
by = collections.Counter()
for i in ids:
    r = json.loads(subprocess.run([exe, "trace", "request", "show", i, "--json", "--db", db], capture_output=True, text=True).stdout)
    if (agencies.get(r["owner"]) or [""])[0] == "MX":
        by[r["form"]["request_date"][:4]] += 1
print(" ".join(f"{y}={n}" for y, n in sorted(by.items())))
PY
)
assert_contains "$counts" "=" "requests counted independently ($counts)"
csv=$(P indicator compute PRV-ARMS-01 --year $YEAR --from 2020 2>/dev/null)
for kv in $counts; do
  y=${kv%=*}; n=${kv#*=}
  [ "$y" -lt 2020 ] && continue
  got=$(printf '%s\n' "$csv" | awk -F, -v p="$y" '$2==p && $3=="" {print $5}')
  assert_eq "$got" "$n" "traces submitted by Mexico in $y"
done
# the state cells add up to the total
csv=$(P indicator compute PRV-ARMS-01 --year $YEAR --from 2023 --by state 2>/dev/null)
for y in 2023 2024 2025; do
  total=$(printf '%s\n' "$csv" | awk -F, -v p=$y '$2==p && $3=="" {print $5+0}')
  sum=$(printf '%s\n' "$csv" | awk -F, -v p=$y '$2==p && $3=="state" {s+=$5} END {print s+0}')
  assert_eq "$sum" "$total" "state cells of $y add up to the total"
done
# a reader sees only its own requests and those released to it
fgr=$(P indicator compute PRV-ARMS-01 --year $YEAR --from 2020 --agency FGR --country MX 2>/dev/null | awk -F, '$3=="" {s+=$5} END {print s+0}')
all=$(printf '%s\n' "$(P indicator compute PRV-ARMS-01 --year $YEAR --from 2020 2>/dev/null)" | awk -F, '$3=="" {s+=$5} END {print s+0}')
listed=$(P trace request list --limit 0 --agency FGR --country MX | awk -F'\t' '{print $2}' | wc -l)
sedena_only=$(python3 - "$PUENTE" "$DB" <<'PY'
import json, subprocess, sys
exe, db = sys.argv[1], sys.argv[2]
n = 0
for l in subprocess.run([exe, "trace", "request", "list", "--limit", "0", "--agency", "FGR", "--country", "MX", "--db", db],
                        capture_output=True, text=True).stdout.splitlines():
    r = json.loads(subprocess.run([exe, "trace", "request", "show", l.split("\t")[0], "--json", "--db", db], capture_output=True, text=True).stdout)
    n += r["form"]["request_date"][:4] < "2020"
print(n)
PY
)
assert_eq "$fgr" "$((listed - sedena_only))" "FGR's figure counts exactly the requests FGR may list"
[ "$fgr" -lt "$all" ] && ok "FGR sees fewer requests than the operator ($fgr < $all)" || nok "FGR sees fewer requests ($fgr vs $all)"

# ---- tips received per month and state, against tip list --json ----
tips=$(P tip list --json --limit 100000 | python3 -c '
import json, sys, collections
c = collections.Counter()
for line in sys.stdin:
    line = line.strip()
    if not line: continue
    rows = json.loads(line)
    for t in (rows if isinstance(rows, list) else [rows]):
        c[t["received"][:7]] += 1
print(" ".join(f"{k}={v}" for k, v in sorted(c.items())))')
csv=$(P indicator compute T-TIPS --year $YEAR --from 2025 --by state 2>/dev/null)
checked=0
for kv in $tips; do
  m=${kv%=*}; n=${kv#*=}
  case "$m" in 2025-*|2026-*) ;; *) continue ;; esac
  got=$(printf '%s\n' "$csv" | awk -F, -v p="$m" '$2==p && $3=="" {print $5}')
  assert_eq "$got" "$n" "tips received in $m"
  sum=$(printf '%s\n' "$csv" | awk -F, -v p="$m" '$2==p && $3=="state" {s+=$5} END {print s+0}')
  assert_eq "$sum" "$n" "the state cells of $m add up"
  checked=$((checked + 1))
done
[ "$checked" -gt 0 ] && ok "tips checked in $checked months" || nok "no month of tips to check ($tips)"

# ---- cargo: holds against the queue, markings, the releasable version ----
holds=$(P cargo queue --decision hold --format csv --limit 0 | tail -n +2 | wc -l)
shared_holds=$(P cargo queue --decision hold --format csv --limit 0 | python3 -c '
import csv, sys
print(sum(1 for r in csv.DictReader(sys.stdin) if r["marking"] == "SHARED"))')
got=$(P indicator compute T-HOLD --year $YEAR 2>/dev/null | awk -F, '$3=="" {print $5}')
assert_eq "$got" "$holds" "holds by targeting = the hold queue ($holds)"
got=$(P indicator compute T-HOLD --year $YEAR --releasable-to MX,US 2>/dev/null | awk -F, '$3=="" {print $5}')
assert_eq "$got" "$shared_holds" "releasable to both: only the SHARED holds ($shared_holds)"
got=$(P indicator compute T-HOLD --year $YEAR --agency FGR --country MX 2>/dev/null | awk -F, '$3=="" {print $5}')
assert_eq "$got" "$shared_holds" "FGR sees only the SHARED holds, not CBP's US-ONLY ones"
got=$(P indicator compute T-HOLD --year $YEAR --agency ATF --country US 2>/dev/null | awk -F, '$3=="" {print $5}')
assert_eq "$got" "$holds" "a US agency sees the US-ONLY holds too"
# a zero denominator is a reason, never 0 or inf
out=$(P indicator compute T-ZERO --year $YEAR 2>/dev/null)
assert_contains "$out" "division by zero" "nothing inspected: division by zero, no value"
assert_not_contains "$out" "inf" "no infinite value"

# ---- manual values ----
out=$(P indicator value PRV-TRAIN-01 $YEAR 350 --agency ATF --country US 2>&1); rc=$?
assert_rc $rc 3 "a manual value needs its source"
P indicator value PRV-TRAIN-01 $YEAR 350 --source "ATF Academy roster" --marking SHARED --agency ATF --country US >/dev/null
P indicator value PRV-TRAIN-01 $YEAR 365 --source "ATF Academy roster, revised" --marking SHARED --agency ATF --country US >/dev/null
out=$(P indicator compute PRV-TRAIN-01 --year $YEAR --agency FGR --country MX 2>/dev/null)
assert_contains "$out" "PRV-TRAIN-01,$YEAR,,,365," "the latest version of a manual figure counts"
P indicator value PRV-TRAIN-01 $YEAR 999 --source "draft" --agency ATF --country US >/dev/null
out=$(P indicator compute PRV-TRAIN-01 --year $YEAR --agency FGR --country MX 2>/dev/null)
assert_contains "$out" "PRV-TRAIN-01,$YEAR,,,365," "ATF's AGENCY-ONLY draft is not FGR's figure"
out=$(P indicator value PRV-ARMS-01 $YEAR 1 --source x --agency ATF --country US 2>&1)
assert_rc $? 3 "a computed indicator takes no manual value"

# ---- drill-down: the rows behind a figure ----
y=$(printf '%s\n' "$counts" | tr ' ' '\n' | awk -F= '$1>=2021 && $1<=2026 {print $1; exit}')
cell=$(P indicator compute PRV-ARMS-01 --year $y --by state 2>/dev/null | awk -F, '$3=="state" {print $4","$5; exit}')
st=${cell%,*}; v=${cell#*,}
rows=$(P indicator drill PRV-ARMS-01 --period $y --by state --cell "$st" | tail -n +2)
assert_eq "$(printf '%s\n' "$rows" | awk -F, '{s+=$8} END {print s+0}')" "$v" "the drill-down of $st $y sums to the figure ($v)"
assert_eq "$(printf '%s\n' "$rows" | cut -d, -f6 | sort -u)" "$st" "every row is of the cell"
out=$(P indicator drill PRV-ARMS-01 --period $y --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r), all(x["name"]=="trace.requests_submitted" for x in r))')
assert_contains "$out" "True" "the JSON drill-down names the count rows"

# ---- the report: markings, EN/ES parity, PDF ----
P report framework --year $YEAR --lang en --out "$TMP/en.html" >/dev/null; assert_rc $? 0 "the English report"
P report framework --year $YEAR --lang es --out "$TMP/es.html" >/dev/null; assert_rc $? 0 "the Spanish report"
P report framework --year $YEAR --lang en --releasable-to MX,US --out "$TMP/rel.html" >/dev/null
assert_rc $? 0 "the releasable report"
cards() {  # code=first value cell of each card
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
for code, body in re.findall(r'<table class="card" data-code="([^"]+)">(.*?)</table>', t, re.S):
    print(code + "=" + re.findall(r"<td>(.*?)</td>", body)[0])
PY
}
en=$(cards "$TMP/en.html"); es=$(cards "$TMP/es.html")
assert_eq "$es" "$en" "the Spanish report holds the same figures as the English one"
assert_contains "$en" "PRV-ARMS-01=" "cards are there"
assert_contains "$(cat "$TMP/es.html")" "Perseguir a las redes criminales" "Spanish headings from the catalogue"
assert_contains "$(cat "$TMP/es.html")" "rastreos de armas solicitados por México" "Spanish sentences"
assert_not_contains "$(cat "$TMP/es.html")" "Pursue criminal networks" "no English heading left in Spanish"
assert_contains "$(cat "$TMP/en.html")" "<svg class=\"trend\"" "a trend chart per indicator"
rel=$(cards "$TMP/rel.html")
screened=$(printf '%s\n' "$en" | awk -F= '$1=="PRV-PREC-04" {print $2}')
assert_contains "$rel" "PRV-PREC-04=$(P indicator compute PRV-PREC-04 --year $YEAR --releasable-to MX,US 2>/dev/null | awk -F, '$3=="" {printf "%s", $5}')" "the releasable report shows the releasable count"
assert_not_contains "$rel" "PRV-PREC-04=$screened" "the count with US-ONLY shipments ($screened) is not in the releasable report"
assert_contains "$(cat "$TMP/rel.html")" "Releasable to MX, US" "the releasable report says so"
assert_contains "$rel" "PRV-ARMS-01=–" "no AGENCY-ONLY trace request counts in the releasable report"
# PDF
if command -v pdftotext >/dev/null && { command -v chromium >/dev/null || [ -n "${PUENTE_CHROMIUM:-}" ]; }; then
  P report framework --year $YEAR --lang es --format pdf --out "$TMP/es.pdf" >/dev/null; assert_rc $? 0 "the Spanish PDF"
  pages=$(pdfinfo "$TMP/es.pdf" | awk '/^Pages:/ {print $2}')
  [ "${pages:-0}" -ge 3 ] && ok "the PDF has $pages pages" || nok "the PDF has ${pages:-no} pages"
  text=$(pdftotext "$TMP/es.pdf" - | tr '\n' ' ')
  assert_contains "$text" "Marco Bicentenario: resultados $YEAR" "the PDF holds the title"
  assert_contains "$text" "Perseguir a las redes criminales" "the PDF holds the goals"
  pdftoppm -r 40 -f 1 -l 1 -png "$TMP/es.pdf" "$TMP/page" && size=$(stat -c %s "$TMP"/page-*1.png)
  [ "${size:-0}" -gt 5000 ] && ok "page 1 renders to PNG ($size bytes)" || nok "page 1 did not render"
  [ ! -e "$TMP/es.pdf.html" ] && ok "the intermediate HTML is removed" || nok "intermediate HTML left behind"
else
  echo "skip: no chromium or poppler-utils for the PDF checks"
fi
out=$(P report framework --year $YEAR --format docx 2>&1); assert_rc $? 2 "an unknown format is a usage error"
out=$(P report framework --year $YEAR --releasable-to CA 2>&1); assert_rc $? 2 "an unknown country is a usage error"
finish
