#!/usr/bin/env bash
# End-to-end: every route of `puente serve` over HTTP, bad input, limits,
# audit of requests, OpenAPI conformance, graceful shutdown (test_api.py).
. "$(dirname "$0")/../lib.sh"
out=$(TEST_TMP="$TMP" PUENTE_BIN="$PUENTE" PUENTE_SRC="$SRC" python3 "$SRC/tests/http/test_api.py" 2>&1)
rc=$?
echo "$out"
assert_rc "$rc" 0 "HTTP API end-to-end ($(printf '%s\n' "$out" | tail -1))"
assert_not_contains "$out" "Traceback" "the driver ran to the end"
finish
