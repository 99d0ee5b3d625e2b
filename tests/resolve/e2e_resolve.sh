#!/bin/bash
# End-to-end: puente resolve over trace records. The split-purchaser case
# (three dealers spell one straw purchaser three ways: one lead after
# resolution), the markings (a US-ONLY sale never joins, counts or shows for
# a Mexican reader) and judgements (not_same splits, unjudge restores).
. "${PUENTE_SRC:-.}/tests/lib.sh"
DB=$(test_store resolve.db)
P() { "$PUENTE" "$@" --db "$DB"; }

# three firearms, each sold first at retail to the same person spelled differently
acq() { # serial spelling dob
  cat <<CSV
GLOCK,$1,,G19,pistol,9mm,semi-auto,1,AUT,MANUFACTURE,2021-01-05,,,,
GLOCK,$1,,,,,,,,DEALER,2021-02-01,Border Guns LLC,,5-74-12345,TX
GLOCK,$1,,,,,,,,RETAIL,2021-03-0$4,$2,$3,5-74-12345,TX
CSV
}
H='manufacturer,serial,importer,model,type,calibre,action,detachable_mag,country,event,date,party,party_dob,ffl,state'
# "Susan I. Lopez" and "LOPEZ, SUSAN I." already share trace's purchaser key
# (its normalisation sorts the words); "SUSAN LOPEZ" and the typo "Susan I.
# Lopes" do not: three keys for one person
{ echo "$H"; acq BKX101 "Susan I. Lopez" 1984-06-02 1; acq BKX102 '"LOPEZ, SUSAN I."' 1984-06-02 2
  acq BKX105 "SUSAN LOPEZ" 1984-06-02 5; } > "$TMP/shared.csv"
{ echo "$H"; acq BKX103 "Susan I. Lopes" 1984-06-02 3; } > "$TMP/usonly.csv"
{ echo "$H"; acq BKX104 "Susan Lopez Garcia" 1991-11-20 4; } > "$TMP/other.csv"
cat > "$TMP/rec.csv" <<'CSV'
request_date,priority,agency,case_number,crime_code,serial,obliterated,manufacturer,type,calibre,model,possessor,recovery_date,recovery_state,recovery_place
2021-09-01,routine,FGR,C-1,5212 WEAPON OFFENSE,BKX101,no,GLOCK,pistol,9mm,G19,Pedro Ruiz,2021-08-20,Sonora,Nogales
2021-09-02,routine,FGR,C-2,5212 WEAPON OFFENSE,BKX102,no,GLOCK,pistol,9mm,G19,Pedro Ruiz,2021-08-21,Sonora,Nogales
2021-09-03,routine,FGR,C-3,5212 WEAPON OFFENSE,BKX103,no,GLOCK,pistol,9mm,G19,Juan Mora,2021-08-22,Sonora,Nogales
2021-09-04,routine,FGR,C-4,5212 WEAPON OFFENSE,BKX104,no,GLOCK,pistol,9mm,G19,Ana Vega,2021-08-23,Sonora,Nogales
2021-09-05,routine,FGR,C-5,5212 WEAPON OFFENSE,BKX105,no,GLOCK,pistol,9mm,G19,Ana Vega,2021-08-24,Sonora,Nogales
CSV
P trace import acquisitions "$TMP/shared.csv" --owner ATF --marking SHARED >/dev/null; assert_rc $? 0 "import SHARED sales"
P trace import acquisitions "$TMP/usonly.csv" --owner ATF --marking US-ONLY >/dev/null; assert_rc $? 0 "import a US-ONLY sale"
P trace import acquisitions "$TMP/other.csv" --owner ATF --marking SHARED >/dev/null; assert_rc $? 0 "import another person's sale"
P trace import recoveries "$TMP/rec.csv" --owner FGR --marking SHARED >/dev/null; assert_rc $? 0 "import recoveries"
P trace run >/dev/null; assert_rc $? 0 "trace run"

count_leads() { printf '%s\n' "$1" | grep -c '^ *[0-9]*\. purchaser'; }
before=$(P trace leads --kind purchaser)
assert_eq "$(count_leads "$before")" 4 "before resolution: one lead per purchaser key (3 for one person)"

# a company the store knows by the dealer's name, and a new list (dataset
# gb_test) naming a company the store already holds
cat > "$TMP/co.json" <<'JSON'
{"id":"co-border","schema":"Company","properties":{"name":["Border Guns L.L.C."]}}
{"id":"st-1","schema":"Company","properties":{"name":["Transportes Frontera del Norte S.A."]}}
JSON
echo '{"id":"gb-1","schema":"Company","properties":{"name":["Transportes Frontera del Norte SA"]}}' > "$TMP/gb.json"
P import ftm "$TMP/co.json" --owner ATF --marking PUBLIC >/dev/null; assert_rc $? 0 "import the store's companies"
P import ftm "$TMP/gb.json" --owner OFAC --marking PUBLIC --dataset gb_test >/dev/null; assert_rc $? 0 "import a new list"
out=$(P resolve run); assert_rc $? 0 "resolve run"
assert_contains "$out" "4 trace purchasers" "records of every key read (operator)"
assert_contains "$out" "2 dealers" "the dealer is a record (one per marking its sales were filed under, as purchasers)"
P resolve run --agency FGR --country MX >/dev/null 2>&1; assert_rc $? 2 "run is operator work"

# the operator and a US agency: one lead for the three spellings
after=$(P trace leads --kind purchaser)
assert_eq "$(count_leads "$after")" 2 "after resolution: the three spellings are one lead (and the namesake is another)"
assert_contains "$after" "4 firearms recovered" "the resolved purchaser is behind four recoveries"
assert_contains "$after" "3 spellings resolved as one person" "the lead says why"
us=$(P trace leads --kind purchaser --agency ATF --country US)
assert_contains "$us" "3 spellings resolved as one person" "ATF (US) sees all the sales"

# a Mexican reader: the US-ONLY sale neither joins nor counts
mx=$(P trace leads --kind purchaser --agency FGR --country MX)
assert_contains "$mx" "2 spellings resolved as one person" "FGR: the two SHARED spellings resolve"
assert_contains "$mx" "3 firearms recovered" "FGR: the US-ONLY sale is not counted"
assert_not_contains "$mx" "4 firearms recovered" "FGR: no count reveals the hidden sale"
show=$(P resolve show --agency FGR --country MX)
assert_not_contains "$show" "Lopes" "FGR: the US-ONLY spelling is absent from the clusters"
assert_contains "$show" "(2 records)" "FGR: a cluster of the two visible records"
assert_not_contains "$show" "(3 records)" "FGR: no cluster size reveals the hidden record"
showus=$(P resolve show --agency ATF --country US)
assert_contains "$showus" "(3 records)" "ATF: the cluster of three"
# the namesake with swapped surnames... different date of birth: another person
assert_not_contains "$(P resolve show)" "Susan Lopez Garcia" "a namesake with another date of birth stays apart"

# xref: the pairs between two collections, ranked; the reader's only
out=$(P xref trace.purchaser trace.purchaser)
assert_contains "$out" "Lopes" "xref (operator): the typo spelling is paired"
assert_contains "$out" "conflict" "xref: the namesake with another date of birth is shown as a conflict"
mxx=$(P xref trace.purchaser trace.purchaser --agency FGR --country MX)
assert_not_contains "$mxx" "Lopes" "xref (FGR): no pair with the US-ONLY record"
assert_eq "$(printf '%s\n' "$mxx" | grep -c match)" 1 "xref (FGR): the one visible matching pair"
n=$(P xref trace.purchaser trace.purchaser --json --limit 1 | wc -l)
assert_eq "$n" 1 "xref --limit"
P xref trace.purchaser nope >/dev/null 2>&1; assert_rc $? 3 "xref: an unknown source"
out=$(P xref dealer entity); assert_rc $? 0 "xref dealer entity"
assert_contains "$out" "dealer:5-74-12345" "xref: the dealer is paired by its licence's name"
assert_contains "$out" "entity:co-border" "xref: with the store's company of that name"
out=$(P xref entity:gb_test entity --json)
assert_eq "$(printf '%s\n' "$out" | python3 -c 'import json,sys; print(" ".join(r["a"]+">"+r["b"] for r in map(json.loads, sys.stdin)))')" \
  "entity:gb-1>entity:st-1" "xref of a new list against the store: the list's entity first, no pair inside the list"
assert_eq "$(P xref entity entity:gb_test --json | python3 -c 'import json,sys; print(" ".join(r["a"] for r in map(json.loads, sys.stdin)))')" \
  "entity:st-1" "the side order follows the arguments"
assert_contains "$out" '"verdict":null' "no verdict yet"
P resolve judge entity:gb-1 entity:st-1 same --note "same RFC on file" >/dev/null; assert_rc $? 0 "judge the pair"
assert_contains "$(P xref entity:gb_test entity)" "	same" "xref shows the analyst's verdict"
P resolve unjudge entity:gb-1 entity:st-1 >/dev/null; assert_rc $? 0 "unjudge"
assert_not_contains "$(P xref entity:gb_test entity)" "	same" "a revoked judgement is no verdict"
P xref entity:nope entity >/dev/null 2>&1; assert_rc $? 0 "an unknown dataset is an empty collection"
P xref entity: entity >/dev/null 2>&1; assert_rc $? 3 "entity: without a dataset is invalid"

# keys of the records, for judgements: the hidden one and two visible ones
# (without a sealing key a purchaser key is the normalised name itself: keys hold spaces)
mapfile -t keys < <(P resolve show --json | python3 -c 'import json,sys; c=json.load(sys.stdin); print("\n".join(m["key"] for x in c if any("Lop" in m["name"] for m in x["members"]) for m in x["members"]))')
set -- "${keys[@]}"
assert_eq "$#" 3 "three member keys"
vis=(); hid=
for k in "$@"; do
  if P resolve show "$k" --agency FGR --country MX >/dev/null 2>&1; then vis+=("$k"); else hid=$k; fi
done
assert_eq "${#vis[@]}" 2 "exactly one record is hidden from FGR"
k1=${vis[0]}; k2=${vis[1]}
P resolve show "$hid" --agency FGR --country MX >/dev/null 2>&1; assert_rc $? 4 "FGR: the hidden record is 'not found'"
P resolve judge "$k1" "$hid" same --agency FGR --country MX >/dev/null 2>&1; assert_rc $? 4 "FGR cannot judge a record it may not see"

# not_same splits, unjudge restores; FGR's judgement is FGR's
P resolve judge "$k1" "$k2" not_same --note "different persons per ID check" --agency FGR --country MX >/dev/null
assert_rc $? 0 "FGR: not_same"
out=$(P resolve show "$k1" --agency FGR --country MX)
assert_not_contains "$out" "$k2" "not_same keeps the two apart"
assert_eq "$(count_leads "$(P trace leads --kind purchaser --agency FGR --country MX)")" 3 "FGR: the judgement splits the lead again"
P resolve unjudge "$k1" "$k2" --agency DEA --country US >/dev/null 2>&1; assert_rc $? 4 "another agency cannot revoke FGR's judgement"
P resolve unjudge "$k1" "$k2" --agency FGR --country MX >/dev/null; assert_rc $? 0 "unjudge"
out=$(P resolve show "$k1" --agency FGR --country MX)
assert_contains "$out" "$k2" "the algorithm's answer is back"
P resolve unjudge "$k1" "$k2" >/dev/null 2>&1; assert_rc $? 4 "nothing left to revoke"
P resolve judge "$k1" "$k1" same >/dev/null 2>&1; assert_rc $? 3 "a record with itself is invalid"
P resolve judge "$k1" "nope:1" same >/dev/null 2>&1; assert_rc $? 3 "a bad key is invalid"
n=$(store_sql "$DB" "SELECT COUNT(*) FROM audit_log WHERE action IN ('resolve.judge', 'resolve.unjudge')")
assert_eq "$n" 4 "the judgements and their revocations are audited (two of the list pair, two here)"
# resolve run writes records and pairs 100 rows to a statement: 230 records
# (115 persons, each sold to under two spellings) cross the batch size, and
# every record and kept pair is in the tables afterwards
DB2=$(test_store resolve-batch.db)
{ echo "$H"; i=0
  for g in Adan Beto Ciro Dario Efren Fausto Gil Hugo Ivan Jacobo Kiko Lalo Memo Nico Omar Pablo Quique Rigo Saul Tito Ulises Victor Yahir; do
    for s in Arce Bustos Cano Duran Esquivel; do
      i=$((i + 1)); d=$(printf '19%02d-%02d-%02d' $((50 + i % 45)) $((1 + i % 12)) $((1 + i % 28)))
      acq "BT$i" "$g $s" "$d" 1; acq "BU$i" "$g $s Ochoa" "$d" 2
    done
  done; } > "$TMP/batch.csv"
"$PUENTE" trace import acquisitions "$TMP/batch.csv" --owner ATF --marking SHARED --db "$DB2" >/dev/null
assert_rc $? 0 "import 230 sales"
out=$("$PUENTE" resolve run --db "$DB2"); assert_rc $? 0 "resolve run over 230 records"
assert_contains "$out" "resolved 231 records" "230 purchaser records and the dealer read"
kept=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) pairs kept.*/\1/p')
assert_eq "$(store_sql "$DB2" "SELECT COUNT(*) FROM resolve_record")" 231 "every record written (two full batches and the rest)"
assert_eq "$(store_sql "$DB2" "SELECT COUNT(*) FROM resolve_pair")" "$kept" "every kept pair written"
[ "${kept:-0}" -ge 115 ]; assert_rc $? 0 "the two spellings of each person are paired (kept: $kept)"
finish
