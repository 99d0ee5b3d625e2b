#!/usr/bin/env bash
# Data for the dashboard's browser test (tests/web/dashboard.mjs): agencies,
# the users it signs in as (password $WEB_TEST_PASSWORD), the built-in
# indicators, CBP's screened manifests (240 lines US-ONLY, 160 SHARED) and a
# manual figure of ATF's (SHARED) with its source, and traced recoveries in
# Mexican states (SHARED) for the map by state.
# Usage: dashboard_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
. "$(dirname "$0")/fixture_lib.sh"
web_setup "$@"
web_users <<'USERS'
fgr.analyst FGR analyst
atf.analyst ATF analyst
USERS
"$bin" cargo generate --lines 240 --seed 3 --designated 0 --out "$work/m1.csv" >/dev/null
"$bin" cargo generate --lines 160 --seed 4 --designated 0 --out "$work/m2.csv" >/dev/null
p cargo screen "$work/m1.csv" --owner CBP --marking US-ONLY --out "$work/r1.csv" >/dev/null
p cargo screen "$work/m2.csv" --owner CBP --marking SHARED --out "$work/r2.csv" >/dev/null
# traces by Mexican agencies in several states (the map by state)
p agency add SEDENA --name "Secretaría de la Defensa Nacional" --country MX >/dev/null
p trace generate --firearms 800 --recoveries 120 --seed 9 --marking SHARED >/dev/null
p trace run >/dev/null
p indicator define --builtin >/dev/null
p indicator value PRV-TRAIN-01 "$(date -u +%Y)" 420 --source "ATF Academy roster" --marking SHARED --agency ATF --country US >/dev/null
