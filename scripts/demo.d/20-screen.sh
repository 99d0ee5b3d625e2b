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
cli-010,"Grupo Frutícola Almanza, S.A. de C.V.",Company,,,
cli-011,Comercializadora Pérez y Hermanos SA de CV,Company,,,
CSV
echo "-- screening 11 customers (CSV, limit 2 per customer)"
"$PUENTE" screen "$batch" --format csv --limit 2 | cut -d, -f2,3,4,5,6,8,9 | column -s, -t
echo
echo "-- why did cli-002 match? (explanation)"
"$PUENTE" screen --name "CARDENAS GUILLEN Ezequiel" --id-number CAGE620305HTSRLZ08 --explain --limit 1 --format csv \
  | tail -1 | awk -F'",' '{print $NF}' | tr ';' '\n' | sed 's/^ */   /'
echo
echo "-- the analyst reviews cli-005's best hit and records a false positive"
top=$("$PUENTE" screen --name "José Pérez López" --birth-date 1985-02-11 --format csv --limit 1 | tail -1 | cut -d, -f5)
if [ -n "$top" ]; then
  "$PUENTE" review add --subject "José Pérez López" --birth-date 1985-02-11 --entity "$top" \
    --analyst demo.analyst --note "different person: customer born 1985 in Puebla, CURP on file"
  "$PUENTE" screen --name "José Pérez López" --birth-date 1985-02-11 --format csv --limit 2 | cut -d, -f4-10 | column -s, -t
fi
echo
echo "-- compare two spellings"
"$PUENTE" compare --schema Company "Comercializadora Perez & Hermanos S.A. de C.V." "COMERCIALIZADORA PEREZ Y HERMANOS SADECV" | head -2
