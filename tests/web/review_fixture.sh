#!/usr/bin/env bash
# Data for the review queue's browser test (tests/web/review.mjs): agencies,
# the users it signs in as (password $WEB_TEST_PASSWORD), designated entities
# with an ownership chain (tests/monitor/owners.jsonl), DEA's customer list
# and a first monitoring run, so the queue holds open alerts, one of them on
# a company blocked by ownership.
# Usage: review_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
bin=$1 db=$2 work=$3
src=$(cd "$(dirname "$0")/../.." && pwd)
pw=${WEB_TEST_PASSWORD:-web-test-password-1}
p() { "$bin" "$@" --db "$db"; }
p agency seed >/dev/null
p policy set mfa-roles "" >/dev/null
while read -r name agency role; do
  printf '%s\n' "$pw" | p user add "$name" --agency "$agency" --role "$role" --password-stdin --permanent >/dev/null
done <<'USERS'
dea.analyst DEA analyst
dea.supervisor DEA supervisor
fgr.analyst FGR analyst
USERS
p import ftm "$src/tests/monitor/owners.jsonl" >/dev/null
p monitor add clientes "$src/tests/monitor/customers.csv" --agency DEA --country US >/dev/null
p monitor run clientes --agency DEA --country US >/dev/null
