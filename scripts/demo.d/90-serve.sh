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
cbp=$(awk '$1=="cbp.supervisor"{print $5}' "$creds" 2>/dev/null || true)
lab=$(awk '$1=="spf.forensic"{print $5}' "$creds" 2>/dev/null || true)
fgr=$(awk '$1=="fgr.analyst"{print $5}' "$creds" 2>/dev/null || true)
out=$(dirname "$PUENTE_DB")
# the demo's DVI case as one API request (the CLI's CSV files, verbatim)
kin="$out/kinship"
if [ -f "$kin/pm_genotypes.csv" ]; then
  python3 - "$kin" <<'PY'
import json, os, sys
d = sys.argv[1]
part = {"freqs": "freqs.csv", "mutation": "mutation_models.csv", "pedigrees": "am_pedigrees.csv",
        "am": "am_genotypes.csv", "pm": "pm_genotypes.csv"}
case = {k: open(os.path.join(d, f), encoding="utf-8").read() for k, f in part.items()
        if os.path.exists(os.path.join(d, f))}
req = {"purpose": "Demostración: identificación de restos (caso simulado)", "case_ref": "DEMO/DVI/1",
       "case": case, "options": {"threshold": 10000}}
json.dump(req, open(os.path.join(d, "api-request.json"), "w", encoding="utf-8"), ensure_ascii=False)
PY
fi
login() { awk -v u="$1" '$1==u{printf "%-16s %-6s %-12s %s\n", $1, $2, $3, $4}' "$creds" 2>/dev/null || true; }
cat <<MSG
Puente in the browser: http://$listen/  (English / Español; docs/web.md)
  The public tip line (no account): http://$listen/tip  (handlers: cnb.tips, "Tip line")
  Sign in as (user, agency, role, password — also in $creds):
$(for u in dea.analyst cbp.supervisor fgr.analyst spf.forensic cnb.tips dea.admin fgr.auditor; do l=$(login "$u"); [ -z "$l" ] || printf '    %s\n' "$l"; done)
  dea.admin and fgr.auditor need a second factor (default policy): their first sign-in shows
  the enrolment page (QR code for an authenticator app, or \`oathtool --totp -b KEY\`), later
  sign-ins ask for the code; a lost device: $PUENTE user totp-reset NAME --db $PUENTE_DB
Puente API on http://$listen  (OpenAPI: docs/openapi.yaml, guide: docs/API.md)
Try:
  curl -s http://$listen/api/v1/health
  curl -s -H 'Authorization: Bearer ${tok:-TOKEN}' 'http://$listen/api/v1/entities?q=guzman&limit=3'
  curl -s -H 'Authorization: Bearer ${tok:-TOKEN}' -H 'Content-Type: application/json' \\
       -d '{"queries":{"q1":{"schema":"Person","properties":{"name":["Joaquin Guzman Loera"]}}}}' \\
       http://$listen/match/default
  curl -s -H 'Content-Type: application/json' -d '{"user":"dea.analyst","password":"<from the table above>"}' \\
       http://$listen/api/v1/login
  # cargo: screen the demo manifest without storing it (CBP supervisor)
  curl -s -H 'Authorization: Bearer ${cbp:-TOKEN}' -H 'Content-Type: text/csv' \\
       --data-binary @$out/cargo/manifest.csv 'http://$listen/api/v1/cargo/manifests?dry_run=true' | head -c 600
  # firearms tracing: FGR's requests and where the guns came from (FGR analyst; web: Tracing)
  curl -s -H 'Authorization: Bearer ${fgr:-TOKEN}' 'http://$listen/api/v1/trace/requests?limit=3'
  curl -s -H 'Authorization: Bearer ${fgr:-TOKEN}' http://$listen/api/v1/trace/stats | head -c 600
  # kinship (forensic role only; the stated purpose is audited)
  curl -s -H 'Authorization: Bearer ${lab:-TOKEN}' -H 'Content-Type: application/json' \\
       --data-binary @$kin/api-request.json http://$listen/api/v1/kinship/solve | head -c 600
Credentials: $creds
MSG
if [ "${PUENTE_DEMO_NO_SERVE:-0}" = 1 ]; then
  echo "(PUENTE_DEMO_NO_SERVE=1: not starting the server; run: $PUENTE serve --listen $listen --db $PUENTE_DB)"
  exit 0
fi
exec "$PUENTE" serve --listen "$listen" --db "$PUENTE_DB"
