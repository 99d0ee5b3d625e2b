#!/usr/bin/env bash
# End-to-end: POST /api/v1/ews/reports commits the import and its audit entry
# together, stores nothing on failure, and creates no file (test_ews_import_api.py).
. "$(dirname "$0")/../lib.sh"
out=$(TEST_TMP="$TMP" PUENTE_BIN="$PUENTE" PUENTE_SRC="$SRC" python3 "$SRC/tests/http/test_ews_import_api.py" 2>&1)
rc=$?
echo "$out"
assert_rc "$rc" 0 "EWS import API end-to-end ($(printf '%s\n' "$out" | tail -1))"
assert_not_contains "$out" "Traceback" "the driver ran to the end"
finish
