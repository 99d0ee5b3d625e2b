#!/usr/bin/env bash
# Demo-like data for the web tests: the framework's agencies, one user per
# role (password $WEB_TEST_PASSWORD), the bundled OFAC extract, a record
# whose name holds markup, an early-warning report stream with its scan,
# and a screened cargo manifest.
# Usage: fixture.sh PUENTE_BIN DB SOURCE_ROOT WORKDIR
set -euo pipefail
bin=$1 db=$2 src=$3 work=$4
pw=${WEB_TEST_PASSWORD:-web-test-password-1}
p() { "$bin" "$@" --db "$db"; }
p agency seed >/dev/null
# the default policy: admin and auditor need a second factor, which the
# browser test enrols through the pages (e2e.mjs computes the TOTP codes)
while read -r name agency role; do
  printf '%s\n' "$pw" | p user add "$name" --agency "$agency" --role "$role" --password-stdin --permanent >/dev/null
done <<'USERS'
dea.analyst DEA analyst
cbp.supervisor CBP supervisor
spf.forensic SPF forensic
cnb.tips CNB tip-handler
dea.admin DEA admin
dea.admin2 DEA admin
fgr.auditor FGR auditor
cdc.analyst CDC analyst
USERS
p import ofac "$src/data/ofac" >/dev/null
cat > "$work/marked.jsonl" <<'JSON'
{"id":"dea-case-0001","schema":"Person","properties":{"name":["Ramiro Demo Castañeda"],"nationality":["mx"]},"owner":"DEA","marking":"US-ONLY","caveats":"LES","datasets":["dea_cases"]}
{"id":"dea-case-0002","schema":"Company","properties":{"name":["Transportes Demo del Norte SA de CV"]},"owner":"DEA","marking":"SHARED","datasets":["dea_cases"]}
{"id":"dea-case-0003","schema":"Person","properties":{"name":["<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\"> Zacarias Mendoza"]},"owner":"DEA","marking":"SHARED","datasets":["dea_cases"]}
{"id":"fgr-cp-0002","schema":"Person","properties":{"name":["Octavio Demo Salinas"]},"owner":"FGR","marking":"AGENCY-ONLY","datasets":["fgr_carpetas"]}
JSON
p import ftm "$work/marked.jsonl" >/dev/null
"$bin" ews generate --start 2022-01-03 --weeks 160 --seed 2026 > "$work/ews.csv"
PUENTE_DB=$db "$bin" ews import "$work/ews.csv" >/dev/null
PUENTE_DB=$db "$bin" ews scan --method farrington --last 8 >/dev/null 2>&1
PUENTE_DB=$db "$bin" ews scan --method c3 --last 8 >/dev/null 2>&1
"$bin" cargo generate --lines 300 --seed 2026 --out "$work/manifest.csv" --truth "$work/truth.csv" >/dev/null
head -n 41 "$work/manifest.csv" > "$work/manifest-small.csv"
PUENTE_DB=$db PUENTE_AGENCY=CBP "$bin" cargo screen "$work/manifest.csv" --owner CBP --marking SHARED --out "$work/results.csv" >/dev/null || true
