#!/usr/bin/env bash
# End-to-end: puente screen / compare / review over the bundled OFAC list.
source "${PUENTE_SRC:-.}/tests/lib.sh"
export PUENTE_DB="$(test_store e2e.db)"

# The bundled OFAC list, cut down to the counter-narcotics program (SDNTK:
# ~1,770 Mexican and Colombian entries with their Sanctions) so that each of
# the many `puente screen` runs below builds its index quickly, also under
# ASan. The full list is covered by tests/screen/test_screen_ofac.c.
"$PUENTE" import ofac "$SRC/data/ofac" --db "$(test_store full.db)" >/dev/null 2>&1
assert_rc $? 0 "import the bundled OFAC list"
"$PUENTE" export ftm --db "$(test_store full.db)" 2>/dev/null | grep '"SDNTK"' > "$TMP/sdntk.jsonl"
"$PUENTE" import ftm "$TMP/sdntk.jsonl" >/dev/null 2>&1
assert_rc $? 0 "import the SDNTK part as FtM"

# --- CSV batch with Spanish variants -------------------------------------
cat > "$TMP/q.csv" <<'EOF'
id,name,schema,birth_date,country
q1,Osiel Cárdenas Guillén,Person,1967-05-18,mx
q2,Osiel Cardenas,Person,,
q3,Cardenas Guillen Ezequiel,Person,1962,
q4,Juan Pérez López,Person,,
q5,"Joaquin Guzman Loera ""El Chapo""",Person,,
EOF
out=$("$PUENTE" screen "$TMP/q.csv" --format csv --limit 3)
assert_rc $? 0 "screen a CSV batch"
assert_contains "$(echo "$out" | grep '^2,q1,' | head -1)" "ofac-6857" "accented full name finds Osiel Cardenas Guillen first"
assert_contains "$(echo "$out" | grep '^2,q1,' | head -1)" ",1.0000,true," "with matching birth date the score is 1.0 and a match"
assert_contains "$(echo "$out" | grep '^3,q2,' | head -1)" ",ofac-6857," "dropped maternal surname still finds him first"
assert_contains "$(echo "$out" | grep '^4,q3,' | head -1)" ",ofac-11530," "surname-first query finds Ezequiel, not his brother"
assert_contains "$(echo "$out" | grep '^6,q5,' | head -1)" "GUZMAN LOERA" "name with nickname in quotes finds Guzman Loera"
header=$(echo "$out" | head -1)
assert_eq "$header" "query_line,query_id,query_name,rank,id,caption,schema,score,match,suppressed,datasets,programs,resolved" "CSV header (the hits by resolution's reason last: docs/sameas.md)"

# --- yente JSON lines ------------------------------------------------------
cat > "$TMP/q.jsonl" <<'EOF'
{"id": "y1", "schema": "Person", "properties": {"name": ["CARDENAS GUILLEN, Osiel"], "birthDate": ["1967"]}}
{"id": "y2", "schema": "Company", "properties": {"name": ["Grupo Fruticola Almanza SA de CV"]}}
EOF
out=$("$PUENTE" screen "$TMP/q.jsonl" --explain --limit 1)
assert_rc $? 0 "screen yente JSON lines"
y1=$(echo "$out" | grep '"query_id":"y1"')
assert_contains "$y1" '"id":"ofac-6857"' "yente query finds the entity"
assert_contains "$y1" '"programs":["SDNTK"]' "programs come from the linked Sanction"
assert_contains "$y1" '"feature":"birth_year_match"' "explanation lists the qualifier"
assert_contains "$y1" '"matched_name":"CARDENAS GUILLEN, Osiel"' "explanation names the listed name"
n=$(echo "$out" | wc -l)
assert_eq "$n" "2" "one JSON line per query"

# --- single query and exhaustive mode agree ------------------------------
a=$("$PUENTE" screen --name "Ismael Zambada Garcia" --limit 1 --format csv | tail -1 | cut -d, -f5,8)
b=$("$PUENTE" screen --name "Ismael Zambada Garcia" --limit 1 --format csv --exhaustive | tail -1 | cut -d, -f5,8)
assert_eq "$a" "$b" "indexed and exhaustive top result agree"

# --- compare ---------------------------------------------------------------
out=$("$PUENTE" compare --schema Person "José Pérez" "PEREZ, Jose")
assert_contains "$out" "match: true" "compare: accents and order"
out=$("$PUENTE" compare --schema Company "Grupo Almanza SADECV" "GRUPO ALMANZA, S.A. DE C.V.")
assert_contains "$out" "match: true" "compare: legal forms"
out=$("$PUENTE" compare --schema Person "Ezequiel Cardenas Guillen" "CARDENAS GUILLEN, Osiel")
assert_contains "$out" "match: false" "compare: brother is not a match"
printf 'name1,name2,schema\nOsiel Cardenas,"CARDENAS GUILLEN, Osiel",Person\nMaria Lopez,Mario Lopez Garcia,Person\n' > "$TMP/pairs.csv"
out=$("$PUENTE" compare --csv "$TMP/pairs.csv")
assert_rc $? 0 "compare --csv"
assert_eq "$(echo "$out" | head -1)" "name1,name2,schema,score,match" "compare --csv header"
assert_contains "$(echo "$out" | sed -n 2p)" ",true" "compare --csv: variant matches"
assert_contains "$(echo "$out" | sed -n 3p)" ",false" "compare --csv: other gender name does not"

# --- reviewed decisions ----------------------------------------------------
out=$("$PUENTE" review add --subject "Ezequiel Cardenas Guillen" --entity ofac-11530 \
      --analyst ana.gomez --note "client is a homonym, CURP differs")
assert_rc $? 0 "review add"
out=$("$PUENTE" screen --name "Cardenas Guillen, Ezequiel" --limit 3)
assert_contains "$out" '"suppressed":true' "reviewed false positive is suppressed"
assert_contains "$out" '"note":"client is a homonym, CURP differs"' "and says why"
assert_contains "$out" '"suppressed":1' "result counts the suppression"
out=$("$PUENTE" review list)
assert_contains "$out" "ofac-11530" "review list"
"$PUENTE" review add --subject "X" --entity no-such-entity --analyst a --note n >/dev/null 2>&1
assert_rc $? 4 "review of an unknown entity is refused"
"$PUENTE" review remove --subject "Ezequiel Cardenas Guillen" --entity ofac-11530 >/dev/null
assert_rc $? 0 "review remove"

# --- bad input ---------------------------------------------------------------
printf 'name\n\xff\xfe bad\nOsiel Cardenas\n' > "$TMP/bad.csv"
out=$("$PUENTE" screen "$TMP/bad.csv" --format csv 2>"$TMP/err")
assert_rc $? 7 "invalid UTF-8 row: exit 7 (partial: the other rows were screened)"
assert_contains "$(cat "$TMP/err")" "bad.csv:2" "error names file:line"
assert_contains "$out" "ofac-6857" "the other rows are still screened"
big=$(head -c 10240 /dev/zero | tr '\0' 'a')
printf 'name\n%s\n' "$big" > "$TMP/big.csv"
"$PUENTE" screen "$TMP/big.csv" >/dev/null 2>"$TMP/err"
assert_rc $? 3 "10 kB name: exit 3"
assert_contains "$(cat "$TMP/err")" "maximum" "10 kB name: clear message"
# --- Spanish <-> English organisation names (round 4 lexicon) -------------
cat > "$TMP/orgs.csv" <<'EOF'
id,name,schema
o1,Cártel del Golfo,Organization
o2,Jalisco New Generation Cartel,Organization
o3,Gulf Clan,Organization
EOF
out=$("$PUENTE" screen "$TMP/orgs.csv" --format csv --limit 2)
assert_rc $? 0 "screen organisation names in the other language"
assert_contains "$(echo "$out" | grep ',o1,' | head -1)" "GULF CARTEL" "Cártel del Golfo finds GULF CARTEL first"
assert_contains "$(echo "$out" | grep ',o1,' | head -1)" ",true," "... as a match"
assert_contains "$(echo "$out" | grep ',o2,' | head -1)" "CARTEL DE JALISCO NUEVA GENERACION" "the English name finds CJNG first"
assert_contains "$(echo "$out" | grep ',o3,' | head -1)" "CLAN DEL GOLFO" "Gulf Clan finds CLAN DEL GOLFO first"

printf 'name\nabc\001def\n' > "$TMP/cc.csv"
"$PUENTE" screen "$TMP/cc.csv" >/dev/null 2>"$TMP/err"
assert_rc $? 3 "control character: exit 3"
"$PUENTE" screen --name "" >/dev/null 2>&1
assert_rc $? 3 "empty name: exit 3"
"$PUENTE" screen "$TMP/q.csv" --threshold 7 >/dev/null 2>&1
assert_rc $? 2 "bad threshold: usage error"
printf 'nombre\nx\n' > "$TMP/nohdr.csv"
"$PUENTE" screen "$TMP/nohdr.csv" >/dev/null 2>"$TMP/err"
assert_rc $? 3 "CSV without name column: exit 3"

finish
