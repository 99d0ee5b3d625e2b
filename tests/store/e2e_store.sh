#!/usr/bin/env bash
# End-to-end: import / export / entity / stats through build/puente on the
# bundled OFAC export; round trip; bad input; atomicity under kill -9.
. "${PUENTE_SRC:-.}/tests/lib.sh"
DATA="$SRC/data/ofac"
DB="$(test_store a.db)"
P() { "$PUENTE" "$@"; }

# --help everywhere, usage errors
for c in import export entity stats; do
  out=$(P $c --help); assert_rc $? 0 "$c --help exits 0"
  assert_contains "$out" "usage: puente $c" "$c --help prints usage"
done
P import >/dev/null 2>&1; assert_rc $? 2 "import without arguments is a usage error"
P import xml foo >/dev/null 2>&1; assert_rc $? 2 "unknown import format is a usage error"
P export ftm --bogus >/dev/null 2>&1; assert_rc $? 2 "unknown option is a usage error"
err=$(P import ofac "$TMP/nope" --db "$DB" 2>&1); assert_rc $? 1 "missing OFAC directory fails"
assert_contains "$err" "nope/sdn.csv" "the error names the missing file"

# OFAC import: the counts of the issue
out=$(P import ofac "$DATA" --db "$DB"); assert_rc $? 0 "import ofac"
assert_contains "$out" "Person                 4620" "4,620 persons"
assert_contains "$out" "Organization           3673" "3,673 organisations"
assert_contains "$out" "Vessel                  406" "406 vessels"
assert_contains "$out" "Airplane                277" "277 aircraft"
assert_contains "$out" "Sanction               8976" "one sanction per designation"
assert_contains "$out" "rejected records: 0" "nothing rejected"
stats=$(P stats --json --db "$DB")
assert_contains "$stats" '"Person":4620' "stats --json"
PUENTE_DB="$DB" out=$(PUENTE_DB="$DB" P stats); assert_contains "$out" "Vessel" "PUENTE_DB selects the store"

# entity get
out=$(P entity get ofac-9338 --db "$DB"); assert_rc $? 0 "entity get"
assert_contains "$out" '"taxNumber":["AIMM-671215-387"]' "R.F.C. parsed into taxNumber"
assert_contains "$out" '"idNumber":["AIMM67125HCHRRG06"]' "C.U.R.P. parsed into idNumber"
assert_contains "$out" '"owner":"OFAC"' "owner OFAC"
P entity get nope --db "$DB" >/dev/null 2>&1; assert_rc $? 4 "unknown id exits 4"
out=$(P entity get ofac-9338 --pretty --db "$DB"); assert_contains "$out" '  "schema": "Person"' "--pretty indents"

# re-import is idempotent
total1=$(P stats --json --db "$DB" | sed 's/.*"total":\([0-9]*\).*/\1/')
out=$(P import ofac "$DATA" --db "$DB"); assert_rc $? 0 "re-import"
total2=$(P stats --json --db "$DB" | sed 's/.*"total":\([0-9]*\).*/\1/')
assert_eq "$total2" "$total1" "re-import changes no counts"

# FtM round trip: export, import into an empty store, export again: identical
P export ftm "$TMP/a.jsonl" --db "$DB" 2>/dev/null; assert_rc $? 0 "export ftm to a file"
assert_eq "$(wc -l <"$TMP/a.jsonl" | tr -d ' ')" "$total1" "one line per entity"
out=$(P import ftm "$TMP/a.jsonl" --db "$(test_store b.db)"); assert_rc $? 0 "import ftm"
assert_contains "$out" "entities written" "import ftm summary"
P export ftm --db "$(test_store b.db)" >"$TMP/b.jsonl" 2>/dev/null
if cmp -s "$TMP/a.jsonl" "$TMP/b.jsonl"; then ok "round trip is byte-identical"; else nok "round trip differs"; fi
out=$(P export ftm --plain --schema Vessel --db "$DB" 2>/dev/null)
assert_eq "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" "406" "export --schema Vessel"
assert_not_contains "$out" '"marking"' "--plain drops Puente fields"
P export ftm --schema Dragon --db "$DB" >/dev/null 2>&1; assert_rc $? 3 "unknown schema exits 3"

# stdin and progress
err=$(head -n 100 "$TMP/a.jsonl" | PUENTE_PROGRESS=1 "$PUENTE" import ftm - --db "$(test_store s.db)" 2>&1 >/dev/null)
assert_rc $? 0 "import ftm from stdin"
assert_contains "$err" "import ftm: 100 records in" "progress/timing line on stderr with PUENTE_PROGRESS=1"
assert_eq "$(P stats --json --db "$(test_store s.db)" | sed 's/.*"total":\([0-9]*\).*/\1/')" "100" "stdin import wrote 100"

# duplicate ids in one file (issue #16): the first stands, the second is
# refused and named with both lines, the counts add up, exit 7 (partial)
printf '%s\n' '{"id":"d1","schema":"Person","properties":{"name":["First"]},"datasets":["x"]}' \
  '{"id":"d1","schema":"Person","properties":{"name":["Second"]},"datasets":["y"]}' >"$TMP/dup.jsonl"
sum=$(P import ftm "$TMP/dup.jsonl" --db "$(test_store dup.db)"); assert_rc $? 7 "import with a duplicate id: exit 7"
assert_contains "$sum" "2 records read, 1 entities written" "counts: 2 read, 1 written"
assert_contains "$sum" "duplicate records: 1" "... and 1 duplicate"
assert_contains "$sum" "dup.jsonl:2: field 'id': duplicate id 'd1' (first at $TMP/dup.jsonl:1)" "both lines named"
out=$(P entity get d1 --db "$(test_store dup.db)")
assert_contains "$out" '"name":["First"]' "the first record stands"
assert_contains "$out" '"datasets":["x"]' "with its datasets"

# Bad FtM lines: skipped with file:line, or fatal with --strict
printf '%s\n' '{"id":"x1","schema":"Person","properties":{"name":["Ana"]}}' 'not json' \
  '{"id":"x2","schema":"Dragon"}' '{"id":"x3","schema":"Person","properties":{"imoNumber":["1"]}}' \
  '{"id":"x4","schema":"Person","marking":"SECRET","properties":{}}' >"$TMP/bad.jsonl"
out=$(P import ftm "$TMP/bad.jsonl" --db "$(test_store c.db)"); assert_rc $? 7 "bad lines are skipped by default (exit 7: partial)"
assert_contains "$out" "rejected records: 4" "four rejected"
assert_contains "$out" "bad.jsonl:2" "reason names file:line"
assert_contains "$out" "unknown schema 'Dragon'" "reason names the schema"
assert_contains "$out" "field 'imoNumber'" "reason names the field"
assert_contains "$out" "field 'marking'" "bad marking rejected"
before=$(P export ftm --db "$(test_store c.db)" 2>/dev/null | md5sum)
err=$(P import ftm "$TMP/bad.jsonl" --strict --dataset d2 --db "$(test_store c.db)" 2>&1); assert_rc $? 3 "--strict fails on the first bad line"
assert_contains "$err" "bad.jsonl:2" "--strict error names file:line"
assert_eq "$(P export ftm --db "$(test_store c.db)" 2>/dev/null | md5sum)" "$before" "--strict failure leaves the store unchanged"

# Bad OFAC rows and delisting
mkdir -p "$TMP/ofac2"; cp "$DATA"/*.csv "$TMP/ofac2/"
sed -i '5s/^[0-9]*,/X9,/' "$TMP/ofac2/sdn.csv"
ent5=$(sed -n '5p' "$DATA/sdn.csv" | cut -d, -f1)
out=$(P import ofac "$TMP/ofac2" --db "$DB"); assert_rc $? 7 "import with a bad row: exit 7 (partial)"
assert_contains "$out" "sdn.csv:5: field 'ent_num'" "bad row reported with file:line and field"
assert_contains "$out" "removed (no longer in the source): " "the dropped entry counts as delisted"
P entity get "ofac-$ent5" --db "$DB" >/dev/null 2>&1; assert_rc $? 4 "delisted entity is gone"
P import ofac "$TMP/ofac2" --strict --db "$(test_store d.db)" >/dev/null 2>&1; assert_rc $? 3 "--strict OFAC import fails"
assert_eq "$(P stats --json --db "$(test_store d.db)" | sed 's/.*"total":\([0-9]*\).*/\1/')" "0" "and writes nothing"

# The one default marking: an agency's records without a marking are AGENCY-ONLY;
# records without an owner (a public list) are PUBLIC
printf '%s\n' '{"id":"dea-def-1","schema":"Person","properties":{"name":["Default Marking Person"]}}' > "$TMP/own.jsonl"
printf '%s\n' '{"id":"list-def-1","schema":"Person","properties":{"name":["Public List Person"]}}' > "$TMP/pub.jsonl"
P import ftm "$TMP/own.jsonl" --owner DEA --db "$(test_store def.db)" >/dev/null; assert_rc $? 0 "import ftm --owner without --marking"
P import ftm "$TMP/pub.jsonl" --db "$(test_store def.db)" >/dev/null; assert_rc $? 0 "import ftm without owner"
assert_contains "$(P entity get dea-def-1 --db "$(test_store def.db)")" '"marking":"AGENCY-ONLY"' "an agency's record defaults to AGENCY-ONLY"
P entity get dea-def-1 --agency DEA --country US --db "$(test_store def.db)" >/dev/null; assert_rc $? 0 "the owner sees it"
P entity get dea-def-1 --agency CBP --country US --db "$(test_store def.db)" >/dev/null 2>&1; assert_rc $? 4 "another agency of the same country does not"
assert_contains "$(P entity get list-def-1 --agency FGR --country MX --db "$(test_store def.db)")" '"marking":"PUBLIC"' "a list record defaults to PUBLIC"
P import ftm "$TMP/own.jsonl" --owner DEA --marking us-only --db "$(test_store def.db)" >/dev/null 2>&1; assert_rc $? 3 "an unknown marking is refused (markings are exact)"

# Atomicity: kill -9 in the middle of an import leaves the store as it was
kill9_test() { # label db args...
  local label=$1 db=$2; shift 2
  local before; before=$(P export ftm --db "$db" 2>/dev/null | md5sum)
  PUENTE_TEST_STOP_AFTER=3000 "$PUENTE" "$@" --db "$db" >/dev/null 2>&1 &
  local pid=$! state="" i
  for i in $(seq 1 600); do
    state=$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)
    [ "$state" = "T" ] && break
    sleep 0.1
  done
  assert_eq "$state" "T" "$label: import stopped mid-transaction"
  kill -9 "$pid"; wait "$pid" 2>/dev/null
  assert_eq "$(P export ftm --db "$db" 2>/dev/null | md5sum)" "$before" "$label: store unchanged after kill -9"
}
P import ftm "$TMP/bad.jsonl" --db "$(test_store e.db)" >/dev/null
kill9_test "ofac into a small store" "$(test_store e.db)" import ofac "$DATA"
kill9_test "ftm over the OFAC store" "$DB" import ftm "$TMP/a.jsonl" --dataset other
out=$(P import ofac "$DATA" --db "$(test_store e.db)"); assert_rc $? 0 "the store is usable after the kill"
finish
