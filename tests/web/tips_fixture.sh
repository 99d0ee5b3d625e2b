#!/usr/bin/env bash
# Data for the tip line's browser test (tests/web/tips.mjs): agencies, the
# handlers it signs in as (password $WEB_TEST_PASSWORD), the agencies' key
# pairs for sealed files (WORKDIR/keys), and a few generated tips.
# Usage: tips_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
bin=$1 db=$2 work=$3
pw=${WEB_TEST_PASSWORD:-web-test-password-1}
p() { "$bin" "$@" --db "$db"; }
export PUENTE_TIPS_KDF=1:8192
p agency seed >/dev/null
p policy set mfa-roles "" >/dev/null
while read -r name agency role; do
  printf '%s\n' "$pw" | p user add "$name" --agency "$agency" --role "$role" --password-stdin --permanent >/dev/null
done <<'USERS'
fgr.tips FGR tip-handler
atf.tips ATF tip-handler
fgr.analyst FGR analyst
USERS
for ag in FGR ATF DEA HSI FBI CNB ANAM SSPC; do p tip keygen "$ag" --key-file "$work/keys" >/dev/null; done
p tip generate --count 12 --seed 7 >/dev/null
