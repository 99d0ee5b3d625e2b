#!/usr/bin/env bash
# Demo: screen a batch of customers / consignees (Spanish names with the
# variants real data has) against the OFAC SDN list, record a reviewed false
# positive and screen again. Uses $PUENTE and $PUENTE_DB (scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! "$PUENTE" entity get ofac-6857 >/dev/null 2>&1; then
  "$PUENTE" import ofac data/ofac >/dev/null
fi
batch=$(mktemp)
trap 'rm -f "$batch"' EXIT
# print selected CSV columns as an aligned table
table() {
  python3 -c '
import csv, sys
cols = sys.argv[1].split(",")
rows = [[r.get(c, "")[:38] for c in cols] for r in csv.DictReader(sys.stdin)]
w = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]
for r in [cols] + rows:
    print("  ".join(x.ljust(w[i]) for i, x in enumerate(r)))' "$1"
}
cat > "$batch" <<'CSV'
id,name,schema,birth_date,country,id_number
cli-001,Osiel Cárdenas,Person,1967-05-18,mx,
cli-002,CARDENAS GUILLEN Ezequiel,Person,,mx,CAGE620305HTSRLZ08
cli-003,Joaquín Guzmán Loera alias El Chapo,Person,,,
cli-004,Ismael Zambada,Person,1948,,
cli-005,José Pérez López,Person,1985-02-11,mx,
cli-006,Rafael Caro Quintero,Person,,,
cli-007,Vicente Carrillo Fuentes,Person,1962,mx,
cli-008,Maria Guadalupe Hernández Ruiz,Person,,,
cli-009,Heriberto Lazcano,Person,,,
cli-010,"Farmacia Vida Suprema SA de CV",Company,,,
cli-011,"Distribuidora Imperial de Baja California, S. A. DE C. V.",Company,,,
cli-012,Comercializadora Pérez y Hermanos SA de CV,Company,,,
CSV
echo "-- screening 12 customers (CSV, up to 2 results each; match at the default threshold 0.75)"
"$PUENTE" screen "$batch" --format csv --limit 2 | table query_id,query_name,rank,id,caption,score,match
echo
echo "-- why did cli-002 match? (explanation)"
"$PUENTE" compare --schema Person "CARDENAS GUILLEN Ezequiel" "CARDENAS GUILLEN, Ezequiel" | sed -n '5,$p'
"$PUENTE" screen --name "CARDENAS GUILLEN Ezequiel" --id-number CAGE620305HTSRLZ08 --explain --limit 1 \
  | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print("  score", r["score"]); [print("  %-22s %6.3f  %s" % (f["feature"], f["value"], f["detail"])) for f in r["explanation"]["features"] if f["feature"].startswith(("identifier", "name_only"))]'
echo
echo "-- the analyst reviews cli-005's best hit and records a false positive"
top=$("$PUENTE" screen --name "José Pérez López" --birth-date 1985-02-11 --format csv --limit 1 | table id | sed -n 2p | xargs)
if [ -n "$top" ]; then
  "$PUENTE" review add --subject "José Pérez López" --birth-date 1985-02-11 --entity "$top" \
    --analyst demo.analyst --note "different person: customer born 1985 in Puebla, CURP on file"
  "$PUENTE" screen --name "José Pérez López" --birth-date 1985-02-11 --format csv --limit 2 \
    | table rank,id,caption,score,match,suppressed
fi
echo
echo "-- compare two spellings"
"$PUENTE" compare --schema Company "Comercializadora Perez & Hermanos S.A. de C.V." "COMERCIALIZADORA PEREZ Y HERMANOS SADECV" | head -2
