# tests/lib.sh - tiny assertion library for end-to-end shell tests.
# Source it, call the assert_* functions, and end with `finish`.
# Environment from meson: PUENTE_BIN (the binary), PUENTE_SRC (source root).
set -u
PUENTE=${PUENTE_BIN:-build/puente}
SRC=${PUENTE_SRC:-.}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/puente-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
_pass=0; _fail=0
ok()   { _pass=$((_pass+1)); echo "ok - $1"; }
nok()  { _fail=$((_fail+1)); echo "not ok - $1"; }
assert_eq()       { [ "$1" = "$2" ] && ok "$3" || nok "$3 (expected '$2', got '$1')"; }
assert_contains() { case "$1" in *"$2"*) ok "$3" ;; *) nok "$3 (missing '$2' in: $(printf '%s' "$1" | head -c 400))" ;; esac; }
assert_not_contains() { case "$1" in *"$2"*) nok "$3 (unexpected '$2')" ;; *) ok "$3" ;; esac; }
assert_rc()       { [ "$1" -eq "$2" ] && ok "$3" || nok "$3 (exit $1, expected $2)"; }
# test_store NAME: the store a test uses: "$TMP/NAME" (an SQLite file), or,
# when PUENTE_TEST_DB holds a PostgreSQL URI (the second run of `make
# check`), a schema of that database named after NAME and this test (created
# on first open): the same NAME gives the same store within one test. Tests
# that read the SQLite file itself call sqlite_only first.
_store_run="$$_$(date +%s%N)"
# Several servers may share a PostgreSQL store: no local audit journal there
# (docs/audit.md, `commit` mode); an SQLite file keeps its default journal.
[ -n "${PUENTE_TEST_DB:-}" ] && export PUENTE_AUDIT_JOURNAL=${PUENTE_AUDIT_JOURNAL:-commit}
test_store() {
  if [ -z "${PUENTE_TEST_DB:-}" ]; then echo "$TMP/$1"; return; fi
  local sep='?'; case "$PUENTE_TEST_DB" in *'?'*) sep='&' ;; esac
  local name; name=$(printf '%s' "$1" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9' '_')
  echo "${PUENTE_TEST_DB}${sep}options=-csearch_path%3Dt_${name}_${_store_run}"
}
# store_sql STORE SQL: run SQL on a store as the test's own probe (sqlite3
# for a file, psql for a PostgreSQL URI) and print the rows.
store_sql() {
  if [ -n "${PUENTE_TEST_DB:-}" ]; then "${PUENTE_PSQL:-psql}" -qAtX -d "$1" -c "$2"; else sqlite3 "$1" "$2"; fi
}
# sqlite_only WHY: the rest of the test reads the SQLite file directly (or
# needs SQLite's behaviour); on PostgreSQL it is skipped (exit 77).
sqlite_only() { [ -z "${PUENTE_TEST_DB:-}" ] || { echo "skip: SQLite only ($1)"; exit 77; }; }
finish() { echo "$_pass passed, $_fail failed"; [ "$_fail" -eq 0 ]; }
