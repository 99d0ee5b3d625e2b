#!/usr/bin/env bash
# Demo: firearms tracing. Generates a modest data set (about 120,000
# acquisition records, 1,500 Mexican recoveries, 5 planted straw-purchase
# rings), traces every recovery, and shows one result, the leads and the
# Mexico-style statistics. Scale up with TRACE_FIREARMS / TRACE_RECOVERIES.
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
T() { "$PUENTE" trace --db "$PUENTE_DB" "$@"; }
# ATF's acquisition records are released to the framework's partners
# (SHARED), so FGR's analysts see their traces' results, chains and maps in
# the web application (sign in as fgr.analyst, "Tracing"); the requests stay
# FGR's (AGENCY-ONLY, some MX-ONLY).
T generate --firearms "${TRACE_FIREARMS:-30000}" --recoveries "${TRACE_RECOVERIES:-1500}" --rings 5 --seed 2026 --marking SHARED
T run
echo "-- first completed trace, in Spanish (eTrace 4.0 style labels)"
id=$(sqlite3 "$PUENTE_DB" "SELECT id FROM trace_request WHERE status = 'completed' AND possessor_differs = 1 ORDER BY ttc_days LIMIT 1")
T request show "$id" --lang es
echo "-- top purchaser and dealer leads"
T leads --top 3
echo "-- planted rings among the top leads"
T leads --evaluate 10,25,50
echo "-- statistics"
T stats | sed -n "1,60p"   # sed reads it all: no SIGPIPE under pipefail
