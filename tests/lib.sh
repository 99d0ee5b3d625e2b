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
finish() { echo "$_pass passed, $_fail failed"; [ "$_fail" -eq 0 ]; }
