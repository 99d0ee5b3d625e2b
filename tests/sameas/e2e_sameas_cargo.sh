#!/bin/bash
# End-to-end: cargo's history rules key consignees by the reader's resolved
# person (issue #21; docs/sameas.md "Cargo history rules"): a spelling of a
# person already seen as a consignee under another spelling is not a
# first-time consignee, and two spellings of one person at an address count
# as one consignee; never through a record the reader may not see (a
# US-ONLY purchaser joins nothing for a Mexican reader).
. "${PUENTE_SRC:-.}/tests/lib.sh"
DB=$(test_store sameas_cargo.db)
P() { "$PUENTE" "$@" --db "$DB"; }
MX=(--agency FGR --country MX)
US=(--agency ATF --country US)
HDR='awb,hawb,shipper_name,shipper_address,shipper_country,consignee_name,consignee_address,consignee_country,description,weight_kg,origin_country,destination_country,arrival_date'
row() { echo "$1,H1,Quimica Pacifico SA,Av Puerto 1 Manzanillo,MX,$2,Calle 8 Tijuana,MX,machine parts,900,CN,MX,2024-05-02"; }
{ echo "$HDR"; row 111-10000001 "Luisa Fernanda Rios"; } > "$TMP/past.csv"
P cargo screen "$TMP/past.csv" --owner FGR --marking SHARED "${MX[@]}" >/dev/null; assert_rc $? 0 "a past shipment stored (SHARED)"
H='manufacturer,serial,importer,model,type,calibre,action,detachable_mag,country,event,date,party,party_dob,ffl,state'
sale() { echo "GLOCK,$1,,G19,pistol,9mm,semi-auto,1,AUT,MANUFACTURE,2021-01-05,,,,"; echo "GLOCK,$1,,,,,,,,RETAIL,2021-03-01,$2,$3,5-74-12345,TX"; }
{ echo "$H"; sale SD101 "Luisa F. Rios Medina" 1988-03-03; } > "$TMP/s.csv"
{ echo "$H"; sale SD102 "Marta Gil Ponce" 1979-09-09; } > "$TMP/u.csv"
P trace import acquisitions "$TMP/s.csv" --owner ATF --marking SHARED >/dev/null; assert_rc $? 0 "a SHARED sale"
P trace import acquisitions "$TMP/u.csv" --owner ATF --marking US-ONLY >/dev/null; assert_rc $? 0 "a US-ONLY sale"
P resolve run >/dev/null; assert_rc $? 0 "resolve run"
party=$(store_sql "$DB" "SELECT source || ':' || ref FROM resolve_record WHERE source = 'cargo.party' AND label = 'Luisa Fernanda Rios'" | head -1)
key() { store_sql "$DB" "SELECT 'trace.purchaser:' || ref FROM resolve_record WHERE source = 'trace.purchaser' AND label = '$1'" | head -1; }
k_luisa=$(key "Luisa F. Rios Medina"); k_marta=$(key "Marta Gil Ponce")
[ -n "$party" ] && [ -n "$k_luisa" ] && [ -n "$k_marta" ] && ok "records stored" || nok "records: '$party' '$k_luisa' '$k_marta'"

# a new manifest: the purchaser's spelling, and another name at the same address
{ echo "$HDR"; row 111-10000002 "Luisa F. Rios Medina"; row 111-10000003 "Ana Beltran Ochoa"; } > "$TMP/new.csv"
line() { printf '%s\n' "$1" | grep "^$2,"; }
before=$(P cargo screen "$TMP/new.csv" --dry-run --input-order "${MX[@]}"); assert_rc $? 0 "cargo screen before the judgement"
assert_contains "$(line "$before" 111-10000002)" "first_time_consignee" "before: a first-time consignee by name"
assert_contains "$(line "$before" 111-10000002)" "shared_address" "before: three consignee names at the address"

P resolve judge "$party" "$k_luisa" same --note "one person" "${MX[@]}" >/dev/null; assert_rc $? 0 "judge: the consignee is the purchaser"
after=$(P cargo screen "$TMP/new.csv" --dry-run --input-order "${MX[@]}"); assert_rc $? 0 "cargo screen after"
l=$(line "$after" 111-10000002)
assert_not_contains "$l" "first_time_consignee" "after: the resolved person was a consignee before (another spelling)"
assert_not_contains "$l" "shared_address" "after: two consignees at the address, not three names"
assert_contains "$(line "$after" 111-10000003)" "first_time_consignee" "an unrelated consignee is still first-time"

# visibility: a US-ONLY purchaser joined with the past consignee does not move FGR's rules
P resolve unjudge "$party" "$k_luisa" "${MX[@]}" >/dev/null; assert_rc $? 0 "unjudge"
P resolve judge "$party" "$k_marta" same "${US[@]}" >/dev/null; assert_rc $? 0 "ATF joins the consignee with its US-ONLY purchaser"
{ echo "$HDR"; row 111-10000005 "Marta Gil Ponce"; } > "$TMP/m2.csv"
mx=$(P cargo screen "$TMP/m2.csv" --dry-run --input-order "${MX[@]}")
assert_contains "$(line "$mx" 111-10000005)" "first_time_consignee" "FGR: the hidden purchaser joins nothing (still first-time)"
us=$(P cargo screen "$TMP/m2.csv" --dry-run --input-order "${US[@]}")
assert_not_contains "$(line "$us" 111-10000005)" "first_time_consignee" "ATF: its purchaser's spelling was a consignee before"

# the explanation names the resolved person when the rule fires for one
P resolve unjudge "$party" "$k_marta" "${US[@]}" >/dev/null; assert_rc $? 0 "ATF unjudges"
P resolve judge "$k_marta" "$k_luisa" same "${US[@]}" >/dev/null; assert_rc $? 0 "ATF joins its two purchasers"
us=$(P cargo screen "$TMP/m2.csv" --dry-run --input-order "${US[@]}")
assert_contains "$(line "$us" 111-10000005)" "not seen before, under any spelling of the resolved person resolved:trace.purchaser:" \
  "ATF: first-time, explained by the resolved person"
finish
