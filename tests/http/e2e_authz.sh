#!/usr/bin/env bash
# Authorisation matrix: role x agency country x marking x endpoint, zero
# leaks through reads, search, counts, yente search and screening.
. "$(dirname "$0")/../lib.sh"
out=$(TEST_TMP="$TMP" PUENTE_BIN="$PUENTE" PUENTE_SRC="$SRC" python3 "$SRC/tests/http/test_authz.py" 2>&1)
rc=$?
echo "$out"
assert_rc "$rc" 0 "authorisation matrix ($(printf '%s\n' "$out" | tail -1))"
assert_not_contains "$out" "Traceback" "the driver ran to the end"
finish
