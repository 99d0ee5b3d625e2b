#!/usr/bin/env bash
# Demo: ownership and ongoing monitoring (docs/monitor.md). A designated
# cartel front company owns 60 % of a holding that owns 90 % of a logistics
# firm (blocked by ownership: 54 % look-through); DEA keeps a customer list of
# consignees and monitors it; the queue ends with alerts waiting: one open,
# one assigned, one true match decided by dea.analyst and waiting for the
# second reviewer (dea.supervisor, added here). Uses $PUENTE and $PUENTE_DB.
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
out=$(dirname "$PUENTE_DB")
creds="$out/credentials.txt"
DEA=(--agency DEA --country US --db "$PUENTE_DB")
# designated entities (FtM topic "sanction": the designated scope) and the
# ownership records of the chain; fictitious names
cat > "$out/monitor-designated.jsonl" <<'JSON'
{"id":"demo-sdn-frontera","schema":"Company","properties":{"name":["GRUPO FRONTERA DEL PACIFICO S.A. DE C.V."],"country":["mx"],"topics":["sanction"],"program":["SDNTK"]},"datasets":["demo_designations"]}
{"id":"demo-sdn-salas","schema":"Person","properties":{"name":["SALAS BELTRAN, Heriberto"],"birthDate":["1969-03-14"],"nationality":["mx"],"topics":["sanction"],"program":["SDNTK"]},"datasets":["demo_designations"]}
{"id":"demo-co-holding","schema":"Company","properties":{"name":["Inversiones Costa Azul S.A. de C.V."],"country":["mx"]},"datasets":["demo_registry"]}
{"id":"demo-co-logistica","schema":"Company","properties":{"name":["Logistica Puerto Manzanillo S.A. de C.V."],"country":["mx"]},"datasets":["demo_registry"]}
{"id":"demo-co-agricola","schema":"Company","properties":{"name":["Agricola Valle Verde S.P.R. de R.L."],"country":["mx"]},"datasets":["demo_registry"]}
{"id":"demo-own-1","schema":"Ownership","properties":{"owner":["demo-sdn-frontera"],"asset":["demo-co-holding"],"percentage":["60"],"startDate":["2019-02-01"]},"datasets":["demo_registry"]}
{"id":"demo-own-2","schema":"Ownership","properties":{"owner":["demo-co-holding"],"asset":["demo-co-logistica"],"percentage":["90"],"startDate":["2020-07-15"]},"datasets":["demo_registry"]}
{"id":"demo-own-3","schema":"Ownership","properties":{"owner":["demo-sdn-salas"],"asset":["demo-co-agricola"],"percentage":["35"]},"datasets":["demo_registry"]}
{"id":"demo-dir-1","schema":"Directorship","properties":{"director":["demo-sdn-salas"],"organization":["demo-co-holding"],"role":["administrador unico"]},"datasets":["demo_registry"]}
JSON
"$PUENTE" import ftm "$out/monitor-designated.jsonl" --db "$PUENTE_DB" >/dev/null
echo "The 50 % rule (puente ownership demo-co-logistica):"
"$PUENTE" ownership demo-co-logistica --db "$PUENTE_DB"
# a second DEA reviewer for four eyes
if ! grep -q '^dea.supervisor ' "$creds" 2>/dev/null; then
  pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  printf '%s\n' "$pw" | "$PUENTE" user add dea.supervisor --agency DEA --role supervisor --password-stdin --permanent --db "$PUENTE_DB" >/dev/null
  tok=$("$PUENTE" token create dea.supervisor --db "$PUENTE_DB")
  printf '%-16s %-6s %-12s %-22s %s\n' dea.supervisor DEA supervisor "$pw" "$tok" >> "$creds"
fi
# DEA's customer list: consignees of a freight forwarder
cat > "$out/monitor-clientes.csv" <<'CSV'
id,name,schema,birth_date,country,id_numbers
cons-001,Heriberto Salas Beltran,Person,1969-03-14,MX,
cons-002,Logistica Puerto Manzanillo SA de CV,Company,,MX,LPM200715AB1
cons-003,Grupo Frontera del Pacifico SA de CV,Company,,MX,
cons-004,Beltran Salas Heriberto,Person,1981-10-02,MX,
cons-005,Comercializadora Lopez e Hijos SA de CV,Company,,MX,
cons-006,Ana Maria Robles Quintana,Person,1975-06-30,MX,
CSV
"$PUENTE" monitor add clientes-dea "$out/monitor-clientes.csv" "${DEA[@]}"
"$PUENTE" monitor run clientes-dea "${DEA[@]}"
# the queue: dea.analyst takes the Salas hit and decides it a true match
# (waiting for dea.supervisor), takes the front company's hit, leaves the rest open
pw_an=$(awk '$1=="dea.analyst"{print $4}' "$creds")
ids=$("$PUENTE" monitor alerts --status open --json "${DEA[@]}" |
      python3 -c 'import json,sys; a=json.load(sys.stdin)["alerts"]; print(" ".join(str(x["id"]) for x in sorted(a, key=lambda x: x["id"])))')
set -- $ids
if [ -n "$pw_an" ] && [ $# -ge 2 ]; then
  AN() { PUENTE_PASSWORD="$pw_an" "$PUENTE" --user dea.analyst "$@" --db "$PUENTE_DB"; }
  AN monitor assign "$1" >/dev/null
  AN monitor decide "$1" true_match --note "Misma fecha de nacimiento y domicilio en Culiacán; coincide con el expediente" >/dev/null
  AN monitor assign "$2" >/dev/null
fi
echo "The review queue (puente monitor alerts --agency DEA --country US):"
"$PUENTE" monitor alerts "${DEA[@]}"
echo "Confirm the true match as the second reviewer: puente --user dea.supervisor monitor confirm ID"
