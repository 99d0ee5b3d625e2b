#!/usr/bin/env bash
# Runs one Python driver of the HTTP API tests (tests/http/test_*.py) against
# `puente serve` on loopback and turns its result into TAP lines.
# Usage: e2e_driver.sh DRIVER.py "LABEL"   (the drivers are listed in meson.build)
driver=$1
label=$2
. "$(dirname "$0")/../lib.sh"
out=$(TEST_TMP="$TMP" PUENTE_BIN="$PUENTE" PUENTE_SRC="$SRC" python3 "$SRC/tests/http/$driver" 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 77 ] && exit 77 # SQLite-only driver on PostgreSQL
[ "$rc" -eq 0 ] || { echo "--- server log"; tail -n 80 "$TMP"/*.serve.log 2>/dev/null; }
assert_rc "$rc" 0 "$label ($(printf '%s\n' "$out" | tail -1))"
assert_not_contains "$out" "Traceback" "the driver ran to the end"
finish
