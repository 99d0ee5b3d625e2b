#!/usr/bin/env bash
# Demo (issue #19 part C): yente/watchman parity and international names.
# Adds a few records with FtM topics and a link, so that the server's
# /search facets, /match topics filter and /entities nesting have something
# to show; screens an OFAC crypto address; compares international names.
# Uses $PUENTE and $PUENTE_DB (scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! "$PUENTE" entity get ofac-25308 >/dev/null 2>&1; then
  "$PUENTE" import ofac data/ofac >/dev/null
fi
recs=$(mktemp)
trap 'rm -f "$recs"' EXIT
cat > "$recs" <<'JSON'
{"id": "mx-pep-demo-1", "schema": "Person", "properties": {"name": ["Rodrigo Villaseñor Guzmán"], "topics": ["role.pep"], "nationality": ["mx"], "position": ["Presidente municipal (demo)"]}, "datasets": ["mx_pep_demo"], "marking": "PUBLIC"}
{"id": "mx-pep-demo-2", "schema": "Company", "properties": {"name": ["Constructora Villaseñor Hermanos SA de CV"], "topics": ["role.rca"], "jurisdiction": ["mx"]}, "datasets": ["mx_pep_demo"], "marking": "PUBLIC"}
{"id": "mx-pep-demo-link", "schema": "UnknownLink", "properties": {"subject": ["mx-pep-demo-1"], "object": ["mx-pep-demo-2"], "role": ["accionista (demo)"]}, "datasets": ["mx_pep_demo"], "marking": "PUBLIC"}
JSON
"$PUENTE" import ftm "$recs" >/dev/null
echo "-- a digital-currency address OFAC lists in its remarks: an exact match at 1.0 (watchman parity)"
"$PUENTE" screen --id-number 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h \
  | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print("  %s  %s  score %.2f" % (r["id"], r["caption"], r["score"]))'
echo
echo "-- international names (docs/screening.md \"International names\")"
for pair in "Person|Li Wei Min|Li Wei Ming" "Person|Bibi Nakash|Benjamin Nakash" "Person|V1ktor Petrenko|Viktor Petrenko" \
            "Company|Drei Brüder Handel GmbH|3 Brüder Handel Gesellschaft mit beschränkter Haftung" \
            "Company|Kowalski Bros Mfg|Kowalski Brothers Manufacturing"; do
  IFS='|' read -r schema a b <<<"$pair"
  s=$("$PUENTE" compare --schema "$schema" "$a" "$b" | sed -n 's/^score: //p')
  printf '  %-32s ~ %-52s %s\n' "$a" "$b" "$s"
done
echo
echo "-- with the server running (90-serve.sh): yente's API"
echo "   POST /match/default?topics=role.pep  GET /search/default?q=villasenor  GET /entities/mx-pep-demo-1  GET /catalog  GET /algorithms"
