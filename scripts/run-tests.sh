#!/usr/bin/env bash
# Run every test of a build directory and close with "N passed, N failed".
# Usage: scripts/run-tests.sh BUILD_DIR [meson test args...]
set -uo pipefail
build=${1:-build}
shift || true
meson test -C "$build" --print-errorlogs --num-processes "$(nproc)" "$@"
rc=$?
log="$build/meson-logs/testlog.json"
if [ -f "$log" ]; then
  python3 - "$log" <<'PY'
import json, sys
ok = fail = skip = 0
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: fail += 1
print(f"{ok} passed, {fail} failed" + (f", {skip} skipped" if skip else ""))
PY
fi
exit $rc
