#!/usr/bin/env bash
# Data for the network page's browser test (tests/web/graph.mjs): agencies,
# users (password $WEB_TEST_PASSWORD), a designated company owned by a person
# who bought firearms under two spellings (resolved into one node), and a
# US-ONLY person linked to the company (never shown to a Mexican analyst).
# Usage: graph_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
. "$(dirname "$0")/fixture_lib.sh"
web_setup "$@"
web_users <<'USERS'
fgr.analyst FGR analyst
atf.supervisor ATF supervisor
USERS
cat > "$work/public.json" <<'JSON'
{"id":"co-cartel","schema":"Company","properties":{"name":["Transportes del Norte SA de CV"]}}
{"id":"p-susan","schema":"Person","properties":{"name":["Susan I. Lopez"],"birthDate":["1984-06-02"]}}
{"id":"own-1","schema":"UnknownLink","properties":{"subject":["p-susan"],"object":["co-cartel"],"role":["owner"],"startDate":["2019-05-01"]}}
JSON
cat > "$work/usonly.json" <<'JSON'
{"id":"us-secret","schema":"Person","properties":{"name":["Informante Reservado"]}}
{"id":"lnk-secret","schema":"UnknownLink","properties":{"subject":["us-secret"],"object":["co-cartel"]}}
JSON
p import ftm "$work/public.json" --owner OFAC --marking PUBLIC >/dev/null
p import ftm "$work/usonly.json" --owner ATF --marking US-ONLY >/dev/null
{ echo 'manufacturer,serial,importer,model,type,calibre,action,detachable_mag,country,event,date,party,party_dob,ffl,state'
  for s in "GX201:Susan I. Lopez" "GX202:SUSAN LOPEZ"; do
    serial=${s%%:*}; name=${s#*:}
    echo "GLOCK,$serial,,G19,pistol,9mm,semi-auto,1,AUT,MANUFACTURE,2021-01-05,,,,"
    echo "GLOCK,$serial,,,,,,,,DEALER,2021-02-01,Border Guns LLC,,5-74-12345,TX"
    echo "GLOCK,$serial,,,,,,,,RETAIL,2021-03-01,$name,1984-06-02,5-74-12345,TX"
  done; } > "$work/acq.csv"
p trace import acquisitions "$work/acq.csv" --owner ATF --marking SHARED >/dev/null
p resolve run >/dev/null
