#!/usr/bin/env bash
# End-to-end: the purpose-limited kinship routes of `puente serve` (test_kinship_api.py).
. "$(dirname "$0")/../lib.sh"
out=$(TEST_TMP="$TMP" PUENTE_BIN="$PUENTE" PUENTE_SRC="$SRC" python3 "$SRC/tests/http/test_kinship_api.py" 2>&1)
rc=$?
echo "$out"
assert_rc "$rc" 0 "kinship API end-to-end ($(printf '%s\n' "$out" | tail -1))"
assert_not_contains "$out" "Traceback" "the driver ran to the end"
finish
