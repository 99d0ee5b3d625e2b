#!/usr/bin/env bash
# Data for the review queue's browser test (tests/web/review.mjs): agencies,
# the users it signs in as (password $WEB_TEST_PASSWORD), designated entities
# with an ownership chain (tests/monitor/owners.jsonl), DEA's customer list
# and a first monitoring run, so the queue holds open alerts, one of them on
# a company blocked by ownership.
# Usage: review_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
. "$(dirname "$0")/fixture_lib.sh"
web_setup "$@"
src=$(cd "$(dirname "$0")/../.." && pwd)
web_users <<'USERS'
dea.analyst DEA analyst
dea.supervisor DEA supervisor
fgr.analyst FGR analyst
USERS
p import ftm "$src/tests/monitor/owners.jsonl" >/dev/null
p monitor add clientes "$src/tests/monitor/customers.csv" --agency DEA --country US >/dev/null
p monitor run clientes --agency DEA --country US >/dev/null
