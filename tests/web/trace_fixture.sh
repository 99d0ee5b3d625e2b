#!/usr/bin/env bash
# Data for the trace pages' browser test (tests/web/trace.mjs): agencies, the
# users it signs in as (password $WEB_TEST_PASSWORD), generated acquisition
# records released to the framework's partners (SHARED) with Mexican
# recoveries traced by the operator, and a few known SHARED chains the test
# submits requests for (a full chain, three Glocks for a partial serial).
# Usage: trace_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
. "$(dirname "$0")/fixture_lib.sh"
web_setup "$@"
web_users <<'USERS'
fgr.analyst FGR analyst
dea.analyst DEA analyst
fgr.tips FGR tip-handler
fgr.admin FGR admin
USERS
p trace generate --firearms 4000 --recoveries 300 --rings 3 --seed 2026 --marking SHARED >/dev/null
cat > "$work/known.csv" <<'CSV'
manufacturer,serial,model,type,calibre,country,event,date,party,party_dob,ffl,state
Colt's Manufacturing Company,CV10234,Government,pistol,.38 Super,USA,MANUFACTURE,2019-01-10,,,,
COLT,CV10234,,,,,DISTRIBUTOR,2019-02-01,Lone Star Wholesale Supply,,,
COLT,CV10234,,,,,DEALER,2019-02-20,Border Guns & Ammo,,5-74-001-01-2A-00001,TX
COLT,CV10234,,,,,RETAIL,2020-03-02,John Q. Straw,1990-05-05,5-74-001-01-2A-00001,TX
Glock,WXK540,G19,pistol,9mm,Austria,IMPORT,2019-01-10,GLOCK INC,,,
Glock,WXK540,,,,,DEALER,2019-02-20,Desert Arms,,9-86-002-01-3B-00002,AZ
Glock,WXK540,,,,,RETAIL,2021-01-15,Buyer Number0,1985-01-01,9-86-002-01-3B-00002,AZ
Glock,WXK541,G19,pistol,9mm,Austria,IMPORT,2019-01-10,GLOCK INC,,,
Glock,WXK541,,,,,DEALER,2019-02-20,Desert Arms,,9-86-002-01-3B-00002,AZ
Glock,WXK541,,,,,RETAIL,2021-02-15,Buyer Number1,1985-01-01,9-86-002-01-3B-00002,AZ
Glock,WXK542,G19,pistol,9mm,Austria,IMPORT,2019-01-10,GLOCK INC,,,
Glock,WXK542,,,,,DEALER,2019-02-20,Desert Arms,,9-86-002-01-3B-00002,AZ
Glock,WXK542,,,,,RETAIL,2021-03-15,Buyer Number2,1985-01-01,9-86-002-01-3B-00002,AZ
CSV
p trace import acquisitions "$work/known.csv" --owner ATF --marking SHARED >/dev/null
p trace run >/dev/null
