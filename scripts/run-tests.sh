#!/usr/bin/env bash
# Run every test of a build directory on SQLite and, when PostgreSQL is
# installed, again on a throwaway PostgreSQL cluster (scripts/pg-test-cluster.sh;
# the tests take the store from PUENTE_TEST_DB). Closes with one line
# "N passed, N failed" covering both runs. PUENTE_TEST_PG=0 skips the second.
# Usage: scripts/run-tests.sh BUILD_DIR [meson test args...]
set -uo pipefail
build=${1:-build}
shift || true
here=$(cd "$(dirname "$0")" && pwd)
log="$build/meson-logs/testlog.json"

tally() { # the results of the last run: "ok fail skip"
  [ -f "$log" ] || { echo "0 1 0"; return; }
  python3 - "$log" <<'PY'
import json, sys
ok = fail = skip = 0
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: fail += 1
print(ok, fail, skip)
PY
}

unset PUENTE_TEST_DB
echo "== tests on SQLite"
meson test -C "$build" --print-errorlogs --num-processes "$(nproc)" "$@"
rc=$?
read -r ok1 fail1 skip1 < <(tally)
echo "sqlite: $ok1 passed, $fail1 failed, $skip1 skipped"
ok2=0 fail2=0 skip2=0
if [ "${PUENTE_TEST_PG:-1}" != 0 ] && "$here/pg-test-cluster.sh" available; then
  pgdir=$(mktemp -d "${TMPDIR:-/tmp}/puente-pg.XXXXXX")
  trap '"$here/pg-test-cluster.sh" stop "$pgdir/c"; rm -rf "$pgdir"' EXIT
  if uri=$("$here/pg-test-cluster.sh" start "$pgdir/c"); then
    echo "== tests on PostgreSQL ($uri)"
    PUENTE_PSQL="$("$here/pg-test-cluster.sh" bindir)/psql" PUENTE_TEST_DB=$uri meson test -C "$build" --print-errorlogs --num-processes "$(nproc)" "$@" || rc=1
    read -r ok2 fail2 skip2 < <(tally)
    echo "postgresql: $ok2 passed, $fail2 failed, $skip2 skipped (SQLite-only tests skip)"
  else
    echo "postgresql: the test cluster did not start"; fail2=1; rc=1
  fi
else
  echo "postgresql: not installed (or PUENTE_TEST_PG=0), SQLite only"
fi
skip=$((skip1 + skip2))
echo "$((ok1 + ok2)) passed, $((fail1 + fail2)) failed$([ "$skip" -gt 0 ] && echo ", $skip skipped")"
exit $rc
