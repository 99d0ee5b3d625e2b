#!/usr/bin/env bash
# End-to-end: POST /api/v1/cargo/manifests of `puente serve` (test_cargo_manifests.py).
. "$(dirname "$0")/../lib.sh"
out=$(TEST_TMP="$TMP" PUENTE_BIN="$PUENTE" PUENTE_SRC="$SRC" python3 "$SRC/tests/http/test_cargo_manifests.py" 2>&1)
rc=$?
echo "$out"
# on failure, the server's own log says why (ASan reports, startup errors)
[ "$rc" -eq 0 ] || { echo "--- server log"; tail -n 80 "$TMP"/*.serve.log 2>/dev/null; }
assert_rc "$rc" 0 "cargo manifest API end-to-end ($(printf '%s\n' "$out" | tail -1))"
assert_not_contains "$out" "Traceback" "the driver ran to the end"
finish
