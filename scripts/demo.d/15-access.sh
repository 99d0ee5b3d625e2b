#!/usr/bin/env bash
# Demo: the framework's agencies, one demo user per role (with a random
# password and an API token, printed below and saved next to the store), and
# a few marked records so the releasability rule can be seen at work.
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
out_dir=$(dirname "$PUENTE_DB")
creds="$out_dir/credentials.txt"
"$PUENTE" agency seed --db "$PUENTE_DB"
users=(
  "dea.analyst DEA analyst"
  "cbp.supervisor CBP supervisor"
  "fgr.analyst FGR analyst"
  "spf.forensic SPF forensic"
  "cnb.tips CNB tip-handler"
  "dea.admin DEA admin"
  "fgr.auditor FGR auditor"
)
# The default policy: administrators and auditors use a second factor
# (docs/access.md). Their first sign-in in the browser shows the enrolment
# page (QR code for an authenticator app); see the note printed below.
printf '%-16s %-6s %-12s %-22s %s\n' USER AGENCY ROLE PASSWORD TOKEN > "$creds"
for u in "${users[@]}"; do
  read -r name agency role <<<"$u"
  pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  printf '%s\n' "$pw" | "$PUENTE" user add "$name" --agency "$agency" --role "$role" --password-stdin --permanent --db "$PUENTE_DB"
  tok=$("$PUENTE" token create "$name" --db "$PUENTE_DB")
  printf '%-16s %-6s %-12s %-22s %s\n' "$name" "$agency" "$role" "$pw" "$tok" >> "$creds"
done
chmod 600 "$creds"
# marked records: each country sees its own, the owner always sees its AGENCY-ONLY one
cat > "$out_dir/marked.jsonl" <<'JSON'
{"id":"dea-case-0001","schema":"Person","properties":{"name":["Ramiro Demo Castañeda"],"nationality":["mx"]},"owner":"DEA","marking":"US-ONLY","caveats":"LES","datasets":["dea_cases"]}
{"id":"dea-case-0002","schema":"Company","properties":{"name":["Transportes Demo del Norte SA de CV"]},"owner":"DEA","marking":"SHARED","datasets":["dea_cases"]}
{"id":"fgr-cp-0001","schema":"Person","properties":{"name":["Elena Demo Villarreal"]},"owner":"FGR","marking":"MX-ONLY","caveats":"LES,PII","datasets":["fgr_carpetas"]}
{"id":"fgr-cp-0002","schema":"Person","properties":{"name":["Octavio Demo Salinas"]},"owner":"FGR","marking":"AGENCY-ONLY","datasets":["fgr_carpetas"]}
JSON
"$PUENTE" import ftm "$out_dir/marked.jsonl" --db "$PUENTE_DB" >/dev/null
echo "Demo users (also in $creds, mode 600):"
cat "$creds"
echo "Marked demo records: dea-case-0001 (US-ONLY, LES), dea-case-0002 (SHARED),"
echo "  fgr-cp-0001 (MX-ONLY, LES,PII), fgr-cp-0002 (AGENCY-ONLY: FGR only)."
echo "Second factor: dea.admin and fgr.auditor (roles admin, auditor) must enrol one. Their first"
echo "  sign-in opens only the enrolment page: scan the QR code with an authenticator app"
echo "  (FreeOTP, Aegis, Google/Microsoft Authenticator) or type its key, confirm with a code, keep"
echo "  the ten recovery codes; later sign-ins ask for the app's code. Without a phone:"
echo "  oathtool --totp -b KEY (package oathtool) prints the code. Reset: puente user totp-reset NAME."
