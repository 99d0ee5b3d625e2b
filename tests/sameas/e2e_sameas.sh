#!/bin/bash
# End-to-end: cargo targeting and screening use the resolved person (issue
# #21). A firearm purchaser judged the same person as a designated entity
# makes a consignee of that spelling a designated party ("same person as
# ... by resolution", with the cluster and the reason), and a screening of
# that spelling carries the same explained hit; never through a record the
# reader may not see (a US-ONLY purchaser, a US-ONLY designation).
. "${PUENTE_SRC:-.}/tests/lib.sh"
DB=$(test_store sameas.db)
P() { "$PUENTE" "$@" --db "$DB"; }
MX=(--agency FGR --country MX)
US=(--agency ATF --country US)

cat > "$TMP/sdn.json" <<'JSON'
{"id":"sdn-mendoza","schema":"Person","properties":{"name":["Carlos Mendoza Ruiz"],"birthDate":["1975-02-14"],"topics":["sanction"]}}
{"id":"sdn-salas","schema":"Person","properties":{"name":["Ricardo Salas Vega"],"birthDate":["1968-09-30"],"topics":["sanction"]}}
JSON
cat > "$TMP/sdn-us.json" <<'JSON'
{"id":"sdn-ferro","schema":"Person","properties":{"name":["Ignacio Ferro Duarte"],"birthDate":["1980-12-01"],"topics":["sanction"]}}
JSON
P import ftm "$TMP/sdn.json" --owner OFAC --marking PUBLIC >/dev/null; assert_rc $? 0 "import the designations"
P import ftm "$TMP/sdn-us.json" --owner ATF --marking US-ONLY >/dev/null; assert_rc $? 0 "import a US-ONLY designation"

H='manufacturer,serial,importer,model,type,calibre,action,detachable_mag,country,event,date,party,party_dob,ffl,state'
sale() { # serial name dob
  echo "GLOCK,$1,,G19,pistol,9mm,semi-auto,1,AUT,MANUFACTURE,2021-01-05,,,,"
  echo "GLOCK,$1,,,,,,,,RETAIL,2021-03-01,$2,$3,5-74-12345,TX"
}
{ echo "$H"; sale SA101 "Juan C. Ortega" 1975-02-14; sale SA103 "Luis Baca Torres" 1980-12-01; } > "$TMP/shared.csv"
{ echo "$H"; sale SA102 "Pedro Alvarado Nunez" 1968-09-30; } > "$TMP/usonly.csv"
P trace import acquisitions "$TMP/shared.csv" --owner ATF --marking SHARED >/dev/null; assert_rc $? 0 "import SHARED sales"
P trace import acquisitions "$TMP/usonly.csv" --owner ATF --marking US-ONLY >/dev/null; assert_rc $? 0 "import a US-ONLY sale"
P resolve run >/dev/null; assert_rc $? 0 "resolve run"

key() { store_sql "$DB" "SELECT ref FROM resolve_record WHERE source = 'trace.purchaser' AND label = '$1'" | head -1; }
k_ortega=$(key "Juan C. Ortega"); k_alvarado=$(key "Pedro Alvarado Nunez"); k_baca=$(key "Luis Baca Torres")
[ -n "$k_ortega" ] && [ -n "$k_alvarado" ] && [ -n "$k_baca" ] && ok "purchaser records stored" || nok "purchaser records stored"
# the investigators know the aliases: analysts' judgements join them
P resolve judge "trace.purchaser:$k_ortega" entity:sdn-mendoza same --note "alias per informant" >/dev/null
assert_rc $? 0 "judge: Ortega is Mendoza (SHARED sale, PUBLIC designation)"
P resolve judge "trace.purchaser:$k_alvarado" entity:sdn-salas same >/dev/null
assert_rc $? 0 "judge: Alvarado is Salas (US-ONLY sale)"
P resolve judge "trace.purchaser:$k_baca" entity:sdn-ferro same >/dev/null
assert_rc $? 0 "judge: Baca is Ferro (US-ONLY designation)"

cat > "$TMP/m.csv" <<'CSV'
awb,hawb,shipper_name,shipper_address,shipper_country,consignee_name,consignee_address,consignee_country,description,weight_kg,origin_country,destination_country,arrival_date
111-00000001,H1,Quimica Pacifico SA,Av Puerto 1 Manzanillo,MX,"ORTEGA, JUAN C.",Calle 5 Tijuana,MX,machine parts,120,CN,MX,2024-05-02
111-00000002,H2,Quimica Pacifico SA,Av Puerto 1 Manzanillo,MX,Pedro Alvarado Nunez,Calle 9 Tijuana,MX,machine parts,120,CN,MX,2024-05-02
111-00000003,H3,Quimica Pacifico SA,Av Puerto 1 Manzanillo,MX,Luis Baca Torres,Calle 7 Tijuana,MX,machine parts,120,CN,MX,2024-05-02
111-00000004,H4,Quimica Pacifico SA,Av Puerto 1 Manzanillo,MX,Ana Beltran Ochoa,Calle 3 Tijuana,MX,machine parts,120,CN,MX,2024-05-02
CSV
line() { printf '%s\n' "$1" | grep "^$2,"; }

# --- cargo, a Mexican reader ------------------------------------------------------------
mx=$(P cargo screen "$TMP/m.csv" --dry-run --input-order "${MX[@]}" 2>/dev/null); assert_rc $? 0 "cargo screen (FGR)"
l1=$(line "$mx" 111-00000001)
assert_contains "$l1" "party_designated" "FGR: the consignee fires the designated-party rule"
assert_contains "$l1" "same person as Carlos Mendoza Ruiz [sdn-mendoza] by resolution" "FGR: the reason names the designated entity"
assert_contains "$l1" "the firearm purchaser 'Juan C. Ortega'" "FGR: ... and the record whose spelling it is"
assert_contains "$l1" "born 1975-02-14 like the designated entity" "FGR: ... and the shared date of birth"
assert_contains "$l1" "cluster resolved:" "FGR: ... and the cluster"
l2=$(line "$mx" 111-00000002)
assert_not_contains "$l2" "party_designated" "FGR: a US-ONLY purchaser joins nothing (hidden record)"
assert_not_contains "$l2" "Salas" "FGR: the hidden record's designated person is not named"
assert_not_contains "$l2" "resolution" "FGR: no resolution hit through the hidden sale"
l3=$(line "$mx" 111-00000003)
assert_not_contains "$l3" "Ferro" "FGR: a US-ONLY designation is never revealed"
assert_not_contains "$l3" "resolution" "FGR: no resolution hit on a hidden designation"
assert_not_contains "$(line "$mx" 111-00000004)" "resolution" "FGR: an unrelated consignee has no hit"

# --- cargo, a US reader (ATF sees its US-ONLY records) ----------------------------------------
us=$(P cargo screen "$TMP/m.csv" --dry-run --input-order "${US[@]}" 2>/dev/null); assert_rc $? 0 "cargo screen (ATF)"
assert_contains "$(line "$us" 111-00000002)" "same person as Ricardo Salas Vega [sdn-salas] by resolution" "ATF: through its US-ONLY sale"
assert_contains "$(line "$us" 111-00000003)" "same person as Ignacio Ferro Duarte [sdn-ferro]" "ATF: the US-ONLY designation"
assert_contains "$(line "$us" 111-00000001)" "sdn-mendoza" "ATF: the SHARED case too"

# a revoked judgement: the resolution (and the hit) go
P resolve unjudge "trace.purchaser:$k_ortega" entity:sdn-mendoza >/dev/null; assert_rc $? 0 "unjudge"
mx2=$(P cargo screen "$TMP/m.csv" --dry-run --input-order "${MX[@]}" 2>/dev/null)
assert_not_contains "$(line "$mx2" 111-00000001)" "by resolution" "after unjudge: no hit by resolution"
P resolve judge "trace.purchaser:$k_ortega" entity:sdn-mendoza same >/dev/null

# --- screening --------------------------------------------------------------------------
s=$(P screen --name "ORTEGA, JUAN C." "${MX[@]}"); assert_rc $? 0 "screen (FGR)"
python3 - "$s" <<'PY' && ok "screen JSON: an explained hit by resolution" || nok "screen JSON resolved: $s"
import json, sys
r = json.loads(sys.argv[1])
res = r["resolved"]
assert [h["entity_id"] for h in res] == ["sdn-mendoza"], res
h = res[0]
assert h["caption"] == "Carlos Mendoza Ruiz" and h["cluster"].startswith("resolved:") and h["records"] == 2, h
assert h["via"].startswith("trace.purchaser:") and h["via_name"] == "Juan C. Ortega", h
assert "same person as Carlos Mendoza Ruiz" in h["reason"], h
assert all(m["id"] != "sdn-mendoza" for m in r["results"]), "the name alone does not match the designation"
PY
s2=$(P screen --name "Pedro Alvarado Nunez" "${MX[@]}")
assert_not_contains "$s2" "Salas" "screen (FGR): nothing through the hidden sale"
assert_not_contains "$s2" "\"resolved\"" "screen (FGR): no resolved hits at all"
s3=$(P screen --name "Pedro Alvarado Nunez" "${US[@]}")
assert_contains "$s3" "sdn-salas" "screen (ATF): the same person through its own sale"

# --- screening, CSV: an extra row per designated person by resolution, its reason last -------
printf 'id,name\nq1,"ORTEGA, JUAN C."\nq2,Pedro Alvarado Nunez\nq3,Ana Beltran Ochoa\n' > "$TMP/q.csv"
csv=$(P screen "$TMP/q.csv" --format csv "${MX[@]}"); assert_rc $? 0 "screen --format csv (FGR)"
head=$(echo "$csv" | head -1)
assert_eq "$head" "query_line,query_id,query_name,rank,id,caption,schema,score,match,suppressed,datasets,programs,resolved" "CSV header: the former columns, then resolved"
python3 - "$csv" <<'PY' && ok "CSV (FGR): one row by resolution, explained; nothing through the hidden sale" || nok "CSV rows: $csv"
import csv, io, sys
rows = list(csv.DictReader(io.StringIO(sys.argv[1])))
assert all(len(r) == 13 and None not in r for r in rows), rows   # every row as wide as the header
q1 = [r for r in rows if r["query_id"] == "q1" and r["id"] == "sdn-mendoza"]
assert len(q1) == 1, rows
r = q1[0]
assert r["match"] == "true" and r["score"] == "1.0000" and r["caption"] == "Carlos Mendoza Ruiz", r
assert r["resolved"].startswith("same person as Carlos Mendoza Ruiz [sdn-mendoza] by resolution"), r
assert all(x["resolved"] == "" for x in rows if x is not r), rows
assert not any("Salas" in x["caption"] or "salas" in x["id"] for x in rows if x["query_id"] == "q2"), rows
q3 = [x for x in rows if x["query_id"] == "q3"]
assert len(q3) == 1 and q3[0]["rank"] == "0", q3   # no hit: the one empty row, as before
PY
csv=$(P screen "$TMP/q.csv" --format csv --explain "${US[@]}"); assert_rc $? 0 "screen --format csv --explain (ATF)"
python3 - "$csv" <<'PY' && ok "CSV --explain (ATF): matched_name is the member's spelling, the reason twice" || nok "CSV explain: $csv"
import csv, io, sys
rows = list(csv.DictReader(io.StringIO(sys.argv[1])))
r = [x for x in rows if x["query_id"] == "q2" and x["id"] == "sdn-salas"][0]
assert r["matched_name"] == "Pedro Alvarado Nunez" and r["explanation"] == r["resolved"] != "", r
PY
finish
