#!/usr/bin/env bash
# Demo: the impact indicators and the framework report (docs/indicators.md).
# Defines the built-in indicators, enters two figures Puente does not hold
# (grants, trainings) with their sources, computes the indicators from what
# the engines above published, lists the records behind one figure, and writes the framework report in English
# and Spanish, as HTML and PDF, for the operator and in the version both
# countries may read (--releasable-to MX,US).
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
out="$(dirname "$PUENTE_DB")/indicators"
mkdir -p "$out"
year=$(date -u +%Y)
# the tracing demo files requests as FGR and SEDENA: SEDENA's country makes its
# requests count as "submitted by Mexico"
"$PUENTE" agency list | grep -q "	SEDENA	" ||
  "$PUENTE" agency add SEDENA --name "Secretaría de la Defensa Nacional" --country MX >/dev/null
"$PUENTE" indicator define --builtin
"$PUENTE" indicator value PRV-TRAIN-01 "$year" 420 --source "ATF and FGR training rosters (demo)" \
  --marking SHARED --agency ATF --country US
"$PUENTE" indicator value PRO-GRANT-01 "$year" 1250000 --source "INL community grants ledger (demo)" \
  --marking SHARED --agency CBP --country US
echo "-- the indicators of $year (first lines)"
"$PUENTE" indicator compute --year "$year" 2>/dev/null | awk -F, 'NR == 1 || $5 != ""' | cut -d, -f1-8 | sed -n 1,16p
echo "-- traces submitted by Mexico by state, and the rows behind one state"
"$PUENTE" indicator compute PRV-ARMS-01 --year "$year" --by state 2>/dev/null | sed -n 1,6p
"$PUENTE" indicator drill PRV-ARMS-01 --period "$year" --by state --cell MX-CHH | sed -n 1,4p
echo "-- and the records behind it, as FGR may see them, each with the page that opens it"
"$PUENTE" indicator records PRV-ARMS-01 --period "$year" --state MX-CHH --limit 5 --agency FGR --country MX | cut -d, -f1-9,11
"$PUENTE" indicator records PUR-TIPS-01 --period "$year" --limit 1000 --json > "$out/records-PUR-TIPS-01-$year.json"
echo "records behind the tips received: $out/records-PUR-TIPS-01-$year.json"
for lang in en es; do
  for fmt in html pdf; do
    "$PUENTE" report framework --year "$year" --lang "$lang" --format "$fmt" --out "$out/framework-$year-$lang.$fmt" >/dev/null
    echo "report: $out/framework-$year-$lang.$fmt"
  done
done
"$PUENTE" report framework --year "$year" --lang en --releasable-to MX,US --out "$out/framework-$year-releasable-en.html" >/dev/null
echo "report (releasable to MX, US): $out/framework-$year-releasable-en.html"
