#!/usr/bin/env bash
# End-to-end: the same seed gives the same demo records, recoveries,
# multiple-sale reports, trace results and leads on every backend (issue 18:
# the generator and the reports go through bulk inserts, COPY on PostgreSQL,
# with ids numbered by the engine). One store is always an SQLite file; the
# other is the test's store (test_store): PostgreSQL on make check's second
# run, a second SQLite file on the first (then the test checks that the
# generator is deterministic).
. "${PUENTE_SRC:-.}/tests/lib.sh"
A="$TMP/a.db"
B="$(test_store b.db)"
GEN=(generate --firearms 4000 --recoveries 400 --rings 5 --seed 77)
P() { local db=$1; shift; "$PUENTE" trace --db "$db" --today 2026-11-27 "$@"; }
# sqlA / sqlB: the same query on either store, rows in a fixed order
sqlA() { sqlite3 "$A" "$1"; }
sqlB() { store_sql "$B" "$1"; }

for db in "$A" "$B"; do
  out=$(P "$db" "${GEN[@]}" 2>"$TMP/err"); rc=$?
  assert_rc $rc 0 "generate ($([ "$db" = "$A" ] && echo SQLite || echo "second store"))"
  assert_contains "$out" "multiple-sale reports:" "reports derived after generate"
  P "$db" run >"$TMP/run.$([ "$db" = "$A" ] && echo a || echo b)" 2>&1
  assert_rc $? 0 "trace run"
done

# Each query yields text the same on both backends: booleans as integers, no
# sealed values (sealing draws a fresh nonce), no times of day.
check() { # LABEL SQL
  local a b
  a=$(sqlA "$2" | md5sum); b=$(sqlB "$2" | md5sum)
  local n; n=$(sqlA "$2" | wc -l)
  [ "$n" -gt 0 ] && ok "$1: $n rows on SQLite" || nok "$1: no rows on SQLite (the test would compare nothing)"
  assert_eq "$b" "$a" "$1: the same rows on both stores"
}
check "firearms" "SELECT id, mfr, serial, serial_norm, model, type, calibre, action, CAST(detachable_mag AS INTEGER),
  country, mfg_date, marking FROM trace_firearm ORDER BY id"
check "acquisition records" "SELECT id, firearm_id, kind, date, COALESCE(party_key, ''), COALESCE(dob, ''),
  COALESCE(ffl, ''), COALESCE(state, ''), marking FROM trace_event ORDER BY id"
check "recoveries" "SELECT id, number, request_date, priority, agency, crime_code, COALESCE(serial, ''),
  COALESCE(serial_norm, ''), CAST(serial_wild AS INTEGER), CAST(obliterated AS INTEGER), mfr, COALESCE(mfr_raw, ''),
  CAST(mfr_known AS INTEGER), type, COALESCE(possessor_dob, ''), recovery_date, recovery_state, COALESCE(notes, ''),
  owner, marking FROM trace_request ORDER BY id"
check "trace results" "SELECT id, status, COALESCE(reason, ''), COALESCE(firearm_id, 0), COALESCE(purchaser_key, ''),
  COALESCE(purchase_date, ''), COALESCE(ttc_days, -1), COALESCE(dealer_ffl, '') FROM trace_request ORDER BY id"
check "multiple-sale reports" "SELECT id, kind, purchaser_key, ffl, state, first_date, last_date, count, owner, marking
  FROM trace_msr ORDER BY id"
check "multiple-sale report items" "SELECT msr_id, event_id FROM trace_msr_item ORDER BY msr_id, event_id"
check "ring ground truth" "SELECT party_key, ring FROM trace_gen_truth ORDER BY party_key"
assert_eq "$(sqlB "SELECT next FROM trace_counter")" "$(sqlA "SELECT next FROM trace_counter")" "request counter"
assert_eq "$(sqlA "SELECT next FROM trace_counter")" "$(( $(sqlA "SELECT COUNT(*) FROM trace_request") + 1 ))" \
  "the counter is one past the last request number"
# the next request takes the next number on both stores
for db in "$A" "$B"; do
  out=$(P "$db" request submit agency=FGR crime_code=5212 serial=ZZ12345 manufacturer=Glock type=pistol \
    recovery_date=2026-01-05 recovery_state=Sonora 2>&1)
  assert_contains "$out" "T2026-$(printf '%06d' "$(sqlA "SELECT COUNT(*) FROM trace_request")") submitted" \
    "a request after generate takes the next number"
done
# what an analyst reads: the trace run's summary and the ranked leads
untimed() { sed -E 's/[0-9]+\.[0-9]+ s\b/T s/g' "$1"; } # times differ from run to run
assert_contains "$(cat "$TMP/run.a")" "traced 400 requests" "trace run traced every recovery"
assert_eq "$(untimed "$TMP/run.b")" "$(untimed "$TMP/run.a")" "trace run reports the same results"
for k in purchaser dealer; do
  la=$(P "$A" leads --kind $k --top 20); lb=$(P "$B" leads --kind $k --top 20)
  assert_contains "$la" "1. $k" "$k leads on SQLite"
  assert_eq "$lb" "$la" "the same $k leads on both stores"
done
# a second trace msr derives the same reports, numbered from 1 again
P "$B" msr >/dev/null && P "$A" msr >/dev/null
check "reports derived again" "SELECT id, kind, purchaser_key, first_date, count FROM trace_msr ORDER BY id"
assert_eq "$(sqlA "SELECT MIN(id) FROM trace_msr")" "1" "reports derived again are numbered from 1"
finish
