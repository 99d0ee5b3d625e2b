#!/bin/bash
# End-to-end: an analyst's xref judgement between a designation and another
# record is screening's reviewed decision (issue #21; docs/sameas.md
# "Judgements feed screening"): not_same suppresses the screening hit of
# that record's name against that entity (who, when, why), same confirms it,
# unjudge removes it; the decision carries the stricter marking of the two
# records, so a Mexican reader does not have a judgement on a US-ONLY
# purchaser applied.
. "${PUENTE_SRC:-.}/tests/lib.sh"
DB=$(test_store sameas_review.db)
P() { "$PUENTE" "$@" --db "$DB"; }
MX=(--agency FGR --country MX)
US=(--agency ATF --country US)

cat > "$TMP/sdn.json" <<'JSON'
{"id":"sdn-mendoza","schema":"Person","properties":{"name":["Carlos Mendoza Ruiz"],"birthDate":["1975-02-14"],"topics":["sanction"]}}
JSON
P import ftm "$TMP/sdn.json" --owner OFAC --marking PUBLIC >/dev/null; assert_rc $? 0 "import the designation"
H='manufacturer,serial,importer,model,type,calibre,action,detachable_mag,country,event,date,party,party_dob,ffl,state'
sale() { # serial name dob
  echo "GLOCK,$1,,G19,pistol,9mm,semi-auto,1,AUT,MANUFACTURE,2021-01-05,,,,"
  echo "GLOCK,$1,,,,,,,,RETAIL,2021-03-01,$2,$3,5-74-12345,TX"
}
{ echo "$H"; sale SB101 "Carlos Mendoza Ruis" 1990-06-01; } > "$TMP/shared.csv"
{ echo "$H"; sale SB102 "Carlos Mendosa Ruiz" 1991-07-02; } > "$TMP/usonly.csv"
P trace import acquisitions "$TMP/shared.csv" --owner ATF --marking SHARED >/dev/null; assert_rc $? 0 "import a SHARED sale"
P trace import acquisitions "$TMP/usonly.csv" --owner ATF --marking US-ONLY >/dev/null; assert_rc $? 0 "import a US-ONLY sale"
P resolve run >/dev/null; assert_rc $? 0 "resolve run"
key() { store_sql "$DB" "SELECT ref FROM resolve_record WHERE source = 'trace.purchaser' AND label = '$1'" | head -1; }
k_shared=$(key "Carlos Mendoza Ruis"); k_us=$(key "Carlos Mendosa Ruiz")
[ -n "$k_shared" ] && [ -n "$k_us" ] && ok "purchaser records stored" || nok "purchaser records stored"

# hit(json, entity) -> "match suppressed decision analyst note" of the entity's result
hit() {
  python3 - "$1" "$2" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
for m in r["results"]:
    if m.get("id") == sys.argv[2]:
        rv = m.get("review") or {}
        print(m.get("match"), m.get("suppressed"), rv.get("decision"), rv.get("analyst"), rv.get("note"))
        break
else:
    print("absent")
PY
}

before=$(hit "$(P screen --name "Carlos Mendoza Ruis" "${MX[@]}")" sdn-mendoza)
assert_contains "$before" "True" "before: the purchaser's name is a screening hit on the designation"
assert_contains "$before" "None None" "before: not reviewed"

# FGR: not the same person (SHARED sale, PUBLIC designation)
out=$(P resolve judge "trace.purchaser:$k_shared" entity:sdn-mendoza not_same --note "different person, other DOB" "${MX[@]}")
assert_rc $? 0 "judge not_same (FGR)"
assert_contains "$out" "screening: 2" "the judgement writes the decisions (name, name with date of birth)"
h=$(hit "$(P screen --name "Carlos Mendoza Ruis" "${MX[@]}")" sdn-mendoza)
assert_contains "$h" "True false_positive" "FGR: the hit is a reviewed false positive (suppressed)"
assert_contains "$h" "resolve judgement: not the same person" "FGR: ... why: the judgement"
assert_contains "$h" "different person, other DOB" "FGR: ... with the analyst's note"
h=$(hit "$(P screen --name "Carlos Mendoza Ruis" --birth-date 1990-06-01 --threshold 0.5 "${MX[@]}")" sdn-mendoza)
assert_contains "$h" "false_positive" "FGR: a screening with the record's date of birth is covered too"
rows=$(store_sql "$DB" "SELECT owner || ' ' || marking || ' ' || decision FROM screen_review WHERE entity_id = 'sdn-mendoza'")
assert_contains "$rows" "FGR SHARED false_positive" "the decision is FGR's, marked the stricter of the two records (SHARED)"
h=$(hit "$(P screen --name "Carlos Mendoza Ruis" "${US[@]}")" sdn-mendoza)
assert_contains "$h" "True false_positive" "ATF sees the SHARED decision applied"

# same -> confirmed; unsure -> removed
P resolve judge "trace.purchaser:$k_shared" entity:sdn-mendoza same "${MX[@]}" >/dev/null; assert_rc $? 0 "judge same"
h=$(hit "$(P screen --name "Carlos Mendoza Ruis" "${MX[@]}")" sdn-mendoza)
assert_contains "$h" "True False confirmed" "same: a confirmed match (not suppressed)"
P resolve judge "trace.purchaser:$k_shared" entity:sdn-mendoza unsure "${MX[@]}" >/dev/null; assert_rc $? 0 "judge unsure"
h=$(hit "$(P screen --name "Carlos Mendoza Ruis" "${MX[@]}")" sdn-mendoza)
assert_contains "$h" "None None" "unsure: the decision is removed"
P resolve judge "trace.purchaser:$k_shared" entity:sdn-mendoza not_same "${MX[@]}" >/dev/null
P resolve unjudge "trace.purchaser:$k_shared" entity:sdn-mendoza "${MX[@]}" >/dev/null; assert_rc $? 0 "unjudge"
h=$(hit "$(P screen --name "Carlos Mendoza Ruis" "${MX[@]}")" sdn-mendoza)
assert_contains "$h" "None None" "unjudge: the decision is removed, the hit shows unreviewed"
n=$(store_sql "$DB" "SELECT COUNT(*) FROM screen_review")
[ "$n" = 0 ] && ok "no decision left" || nok "decisions left: $n"

# an analyst's own review (not written by a judgement) is not removed by unsure
P review add --subject "Carlos Mendoza Ruis" --entity sdn-mendoza --analyst ana --note "checked by hand" "${MX[@]}" >/dev/null
assert_rc $? 0 "an analyst's own review"
P resolve judge "trace.purchaser:$k_shared" entity:sdn-mendoza unsure "${MX[@]}" >/dev/null
n=$(store_sql "$DB" "SELECT COUNT(*) FROM screen_review WHERE owner = 'FGR'")
[ "$n" = 1 ] && ok "unsure leaves the analyst's own review" || nok "reviews left: $n"
P review remove --subject "Carlos Mendoza Ruis" --entity sdn-mendoza "${MX[@]}" >/dev/null

# visibility: ATF judges the US-ONLY purchaser not_same
P resolve judge "trace.purchaser:$k_us" entity:sdn-mendoza not_same --note "checked" "${US[@]}" >/dev/null
assert_rc $? 0 "judge not_same (ATF, US-ONLY sale)"
rows=$(store_sql "$DB" "SELECT owner || ' ' || marking FROM screen_review")
assert_contains "$rows" "ATF US-ONLY" "the decision is marked US-ONLY (the sale's marking)"
h=$(hit "$(P screen --name "Carlos Mendosa Ruiz" "${US[@]}")" sdn-mendoza)
assert_contains "$h" "True false_positive" "ATF: its judgement suppresses the hit"
h=$(hit "$(P screen --name "Carlos Mendosa Ruiz" "${MX[@]}")" sdn-mendoza)
assert_contains "$h" "True" "FGR: the hit is still shown"
assert_not_contains "$h" "false_positive" "FGR: a judgement on a US-ONLY record is not applied"
assert_not_contains "$h" "checked" "FGR: nor its note shown"
finish
