#!/usr/bin/env bash
# Store and lists on the shared input discipline (issue #16, docs/input.md):
# a cut-off or sharply shrunken OFAC export is refused (store unchanged)
# unless --force; a BOM loses nothing; invalid FtM values are refused naming
# the record and field, country names normalised; reading commands never
# create a store; screening an empty store fails loudly.
. "${PUENTE_SRC:-.}/tests/lib.sh"
P() { "$PUENTE" "$@"; }
DATA="$SRC/data/ofac"
DB="$TMP/s.db"
total() { P stats --json --db "$1" | sed 's/.*"total":\([0-9]*\).*/\1/'; }

P import ofac "$DATA" --db "$DB" >/dev/null; assert_rc $? 0 "import the bundled OFAC export"
before=$(total "$DB")
# a cut-off sdn.csv: the last record ends inside a quoted field
mkdir -p "$TMP/cut"; cp "$DATA"/*.csv "$TMP/cut/"
head -c 600000 "$DATA/sdn.csv" > "$TMP/cut/sdn.csv"
err=$(P import ofac "$TMP/cut" --db "$DB" 2>&1 >/dev/null); assert_rc $? 3 "a cut-off export is refused (exit 3)"
assert_contains "$err" "sdn.csv:" "... naming the file and line"
assert_contains "$err" "truncated" "... saying it looks truncated"
assert_contains "$err" "store is unchanged" "... and that the store is unchanged"
assert_eq "$(total "$DB")" "$before" "the store is unchanged"
# whole lines removed: the export shrinks sharply
mkdir -p "$TMP/shrink"; cp "$DATA"/*.csv "$TMP/shrink/"
head -n 3000 "$DATA/sdn.csv" > "$TMP/shrink/sdn.csv"
err=$(P import ofac "$TMP/shrink" --db "$DB" 2>&1 >/dev/null); assert_rc $? 3 "a sharply shrunken export is refused"
assert_contains "$err" "would remove" "... saying how much it would remove"
assert_contains "$err" "--force" "... and how to import it anyway"
assert_eq "$(total "$DB")" "$before" "the store is unchanged"
# (exit 7: the alt.csv/add.csv rows of the dropped entries have no sdn.csv entry)
out=$(P import ofac "$TMP/shrink" --force --db "$DB"); assert_rc $? 7 "--force imports it"
assert_contains "$out" "removed (no longer in the source)" "... and removes the delisted entries"
# a BOM at the start of sdn.csv: nothing lost
mkdir -p "$TMP/bom"; cp "$DATA"/*.csv "$TMP/bom/"
{ printf '\xef\xbb\xbf'; cat "$DATA/sdn.csv"; } > "$TMP/bom/sdn.csv"
out=$(P import ofac "$TMP/bom" --db "$TMP/b.db"); assert_rc $? 0 "import an export with a BOM"
assert_contains "$out" "34728 records read, 38559 entities written" "... loses no designation"
assert_contains "$out" "rejected records: 0" "... and rejects nothing"
first=$(head -1 "$DATA/sdn.csv" | cut -d, -f1)
P entity get "ofac-$first" --db "$TMP/b.db" >/dev/null; assert_rc $? 0 "the first designation is there"

# FtM values
cat > "$TMP/v.jsonl" <<'J'
{"id":"v1","schema":"Person","properties":{"name":["Uno"],"birthDate":["1980-02-30"]}}
{"id":"v2","schema":"Person","properties":{"name":["Dos"],"birthDate":["18/11/1970"]}}
{"id":"v3","schema":"Person","properties":{"name":["Tres"],"country":["mexico"],"nationality":["Estados Unidos","US"]}}
{"id":"v4","schema":"Person","properties":{"name":["Cuatro"],"country":["Narnia"]}}
J
out=$(P import ftm "$TMP/v.jsonl" --db "$TMP/v.db"); assert_rc $? 7 "invalid values: exit 7 (partial)"
assert_contains "$out" "v.jsonl:1 (v1): field 'birthDate': '1980-02-30' is not a date" "impossible date named"
assert_contains "$out" "v.jsonl:2 (v2): field 'birthDate': expected an ISO 8601 date" "non-ISO date named"
assert_contains "$out" "v.jsonl:4 (v4): field 'country': unknown country 'Narnia'" "unknown country named"
assert_contains "$out" "4 records read, 1 entities written" "counts add up"
e=$(P entity get v3 --db "$TMP/v.db")
assert_contains "$e" '"country":["mx"]' "mexico is stored as mx"
assert_contains "$e" '"nationality":["us"]' "Estados Unidos and US are one value: us"

# reading commands never create a store
P screen --name "Juan" --db "$TMP/typo.db" >/dev/null 2>"$TMP/err"; assert_rc $? 1 "screen --db typo.db fails"
assert_contains "$(cat "$TMP/err")" "no store here" "... saying there is no store"
[ -e "$TMP/typo.db" ] && nok "typo.db was created" || ok "typo.db was not created"
P stats --db "$TMP/typo2.db" >/dev/null 2>&1; assert_rc $? 1 "stats on a missing store fails"
[ -e "$TMP/typo2.db" ] && nok "typo2.db was created" || ok "typo2.db was not created"
# a store without designated entities
printf '%s\n' '{"id":"a1","schema":"Address","properties":{"full":["Calle 1"]}}' > "$TMP/addr.jsonl"
P import ftm "$TMP/addr.jsonl" --db "$TMP/e.db" >/dev/null
P screen --name "Juan" --db "$TMP/e.db" >/dev/null 2>"$TMP/err"; assert_rc $? 4 "screening a store without designations fails"
assert_contains "$(cat "$TMP/err")" "no designated entities" "... loudly"
# a read-only store: one message that names the store
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  chmod 755 "$TMP"; chmod 644 "$DB"
  err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PUENTE" import ftm "$TMP/addr.jsonl" --db "$DB" 2>&1)
  assert_rc $? 1 "import into a read-only store fails"
else
  chmod 444 "$DB"
  err=$(P import ftm "$TMP/addr.jsonl" --db "$DB" 2>&1); assert_rc $? 1 "import into a read-only store fails"
fi
assert_contains "$err" "$DB: the store is read-only" "... naming the store"
assert_eq "$(printf '%s\n' "$err" | grep -c puente:)" "1" "... in one message"
finish
