#!/usr/bin/env bash
# Demo: cargo targeting of inbound manifests (issue #7). Generates a labelled
# manifest with precursors in several disguises and shipments to designated
# parties, screens it, shows the review queue, records dispositions, and
# prints statistics and the precision/recall of "hold" per disguise.
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
cd "$(dirname "$0")/../.."
out="$(dirname "$PUENTE_DB")/cargo"
mkdir -p "$out"
export PUENTE_AGENCY=${PUENTE_AGENCY:-CBP}

# Designated parties come from the store; load the bundled OFAC extract if an
# earlier demo step has not.
if [ "$("$PUENTE" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("total", 0))')" = 0 ]; then
  "$PUENTE" import ofac data/ofac >/dev/null
fi

echo "-- generate 3,000 manifest lines (labelled truth in $out/truth.csv)"
"$PUENTE" cargo generate --lines 3000 --seed 2026 --out "$out/manifest.csv" --truth "$out/truth.csv"
echo "-- screen (results in $out/results.csv)"
"$PUENTE" cargo screen "$out/manifest.csv" --owner CBP --marking SHARED --out "$out/results.csv" || true
echo "-- review queue, top 8"
"$PUENTE" cargo queue --limit 8 | cut -c1-200
echo "-- one description through the detector"
"$PUENTE" cargo detect "Hot sell 4-ANPP powder CAS 21409-26-7 safe delivery to Mexico"
echo "-- dispositions: the top two holds are inspected"
"$PUENTE" cargo queue --decision hold --format csv --limit 2 | tail -n +2 | while IFS=, read -r awb hawb _; do
  "$PUENTE" cargo dispose "$awb" --hawb "$hawb" --outcome inspected_found --note "demo: precursor found"
done
"$PUENTE" cargo stats
echo "-- hold precision/recall per disguise kind"
"$PUENTE" cargo evaluate "$out/results.csv" "$out/truth.csv"
