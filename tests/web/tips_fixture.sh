#!/usr/bin/env bash
# Data for the tip line's browser test (tests/web/tips.mjs): agencies, the
# handlers it signs in as (password $WEB_TEST_PASSWORD), the agencies' key
# pairs for sealed files (WORKDIR/keys), and a few generated tips.
# Usage: tips_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
. "$(dirname "$0")/fixture_lib.sh"
web_setup "$@"
export PUENTE_TIPS_KDF=1:8192
web_users <<'USERS'
fgr.tips FGR tip-handler
atf.tips ATF tip-handler
fgr.analyst FGR analyst
USERS
for ag in FGR ATF DEA HSI FBI CNB ANAM SSPC; do p tip keygen "$ag" --key-file "$work/keys" >/dev/null; done
p tip generate --count 12 --seed 7 >/dev/null
