#!/usr/bin/env bash
# Demo: the anonymous tip line. Files a few hundred generated tips in English
# and Spanish (every category, places on both sides, some sharing a phone,
# plate, nickname or company, some naming serials of the trace requests and
# air waybills of the screened cargo above), then shows the handlers' side:
# a routed tip with its triage and proposed links, a confirmed link, the
# indicators. The receipt hash is weakened for the demo only (300 tips at the
# real ~0.5 s each would take minutes); deployments keep the default.
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
export PUENTE_TIPS_KDF=${PUENTE_TIPS_KDF:-1:8192}
export PUENTE_DB
T() { "$PUENTE" tip "$@"; }   # the store: $PUENTE_DB
T generate --count "${TIPS_COUNT:-300}" --seed 2026
echo "-- one tip filed by a phone operator for a caller (the receipt is read to the caller once)"
T submit --category firearms --tip-lang es --tip-country MX --state CHH \
  --text "El Huevo vende rifles AR-15 en la colonia Anapra; su celular es 656 123 4567 y la troca trae placas ABC-123-D." \
  --answer where="Anapra, Ciudad Juárez" --answer when="viernes en la noche"
echo "-- FGR's tip inbox (first lines)"
T list --agency FGR --country MX --limit 5
id=$(sqlite3 "$PUENTE_DB" "SELECT tip_id FROM tip_link WHERE kind IN ('trace','cargo','ews') ORDER BY id LIMIT 1")
echo "-- a tip with links to what Puente knows"
T show "$id"
lid=$(sqlite3 "$PUENTE_DB" "SELECT id FROM tip_link WHERE tip_id = '$id' ORDER BY id LIMIT 1")
T link "$id" "$lid" --decision confirmed
echo "-- indicators"
T indicators
