#!/usr/bin/env bash
# Demo: start the API server in the foreground (Ctrl-C stops it gracefully).
# Skipped when PUENTE_DEMO_NO_SERVE=1 (CI, scripted demos).
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
cd "$(dirname "$0")/../.."
# the OFAC designations, unless the OFAC module's own demo step loads them
if ! ls scripts/demo.d/*ofac*.sh >/dev/null 2>&1; then
  "$PUENTE" import ofac data/ofac --db "$PUENTE_DB" >/dev/null
fi
listen=${PUENTE_DEMO_LISTEN:-127.0.0.1:8000}
creds="$(dirname "$PUENTE_DB")/credentials.txt"
tok=$(awk '$1=="dea.analyst"{print $5}' "$creds" 2>/dev/null || true)
cat <<MSG
Puente API on http://$listen  (OpenAPI: docs/openapi.yaml, guide: docs/API.md)
Try:
  curl -s http://$listen/api/v1/health
  curl -s -H 'Authorization: Bearer ${tok:-TOKEN}' 'http://$listen/api/v1/entities?q=guzman&limit=3'
  curl -s -H 'Authorization: Bearer ${tok:-TOKEN}' -H 'Content-Type: application/json' \\
       -d '{"queries":{"q1":{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"]}}}}' \\
       http://$listen/match/default
  curl -s -H 'Content-Type: application/json' -d '{"user":"dea.analyst","password":"<from the table above>"}' \\
       http://$listen/api/v1/login
Credentials: $creds
MSG
if [ "${PUENTE_DEMO_NO_SERVE:-0}" = 1 ]; then
  echo "(PUENTE_DEMO_NO_SERVE=1: not starting the server; run: $PUENTE serve --listen $listen --db $PUENTE_DB)"
  exit 0
fi
exec "$PUENTE" serve --listen "$listen" --db "$PUENTE_DB"
