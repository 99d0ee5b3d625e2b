#!/usr/bin/env bash
# End-to-end tests of `puente protect` (docs/protection.md): only named member
# protection officers read a case; the procedure through the CLI (exit codes);
# the NO-PLAINTEXT test (every file the CLI wrote - the SQLite store, its -wal,
# the audit journal and anchors - and, on PostgreSQL, a pg_dump of the
# database hold none of the marked names, places and phones); the NO-LEAK
# test across the other engines' interfaces (export, stats, screen, audit
# export, the indicators' counts); removal rotates the key.
. "$(dirname "$0")/../lib.sh"
export PUENTE_PROTECT_KDF=1:8192   # libsodium's minimum: behaviour, not cost
DB=$(test_store protect.db)
export PUENTE_DB=$DB
# marked values: none of them may appear in any file written
MNAME="Xochitl QZMARKNAMEQZ Robles"; MFAM="Tonatiuh QZMARKFAMQZ Robles"
MPLACE="Callejon QZMARKPLACEQZ 44, Chilpancingo"; MPHONE="+52 747 QZ 909 1234"; MPHONE_DIGITS="7479091234"
MNARR="amenazada por QZMARKNARRQZ frente a su casa"; MFILE="QZMARKFILEQZ evidence text"
MARKS="QZMARKNAMEQZ QZMARKFAMQZ QZMARKPLACEQZ QZ.909.1234 QZMARKNARRQZ QZMARKFILEQZ Xochitl Tonatiuh"

"$PUENTE" agency add MECANISMO --name "Mecanismo de Protección" --country mx >/dev/null
"$PUENTE" agency add FGR --name "Fiscalía General de la República" --country mx >/dev/null
for u in pofa pofb pofc; do
  printf 'Clave-larga-%s-91\n' "${u#pof}" | "$PUENTE" user add "$u" --agency MECANISMO --role protection-officer --password-stdin --permanent >/dev/null
done
printf 'Clave-larga-an-91\n' | "$PUENTE" user add analista --agency MECANISMO --role analyst --password-stdin --permanent >/dev/null
printf 'Clave-larga-ad-91\n' | "$PUENTE" user add adminm --agency MECANISMO --role admin --password-stdin --permanent >/dev/null
as() { # as USER ARGS...: run puente protect as USER with its password and passphrase
  local u=$1; shift
  PUENTE_PASSWORD="Clave-larga-${u#pof}-91" PUENTE_PROTECT_PASSPHRASE="frase-de-paso-de-$u" "$PUENTE" --user "$u" protect "$@"
}
for u in pofa pofb pofc; do as $u keygen >/dev/null; assert_rc $? 0 "keygen $u"; done

# ---- who may ----
out=$(PUENTE_PASSWORD=Clave-larga-an-91 PUENTE_PROTECT_PASSPHRASE=frase-larga-analista "$PUENTE" --user analista protect keygen 2>&1)
assert_rc $? 5 "an analyst may not hold a protection key (exit 5)"
PUENTE_PASSWORD=Clave-larga-ad-91 PUENTE_PROTECT_PASSPHRASE=frase-larga-admin "$PUENTE" --user adminm protect list --purpose "curiosidad del admin" >/dev/null 2>&1
assert_rc $? 5 "an administrator may not list protection cases (exit 5)"
"$PUENTE" protect list --purpose "operador del almacén" >/dev/null 2>&1
assert_rc $? 2 "the store operator (no account) may not list cases"
PUENTE_PASSWORD=Clave-larga-a-91 PUENTE_PROTECT_PASSPHRASE=wrong-passphrase-x "$PUENTE" --user pofa protect list --purpose "revisión semanal" >/dev/null 2>&1
assert_rc $? 5 "a wrong passphrase unlocks nothing (exit 5)"

# a passphrase change keeps the key pair
PUENTE_PROTECT_NEW_PASSPHRASE=otra-frase-de-pofc-larga as pofc passphrase >/dev/null; assert_rc $? 0 "change a passphrase"
as pofc list --purpose "revisión semanal" >/dev/null 2>&1; assert_rc $? 5 "the old passphrase no longer unlocks"
PUENTE_PASSWORD=Clave-larga-c-91 PUENTE_PROTECT_PASSPHRASE=otra-frase-de-pofc-larga "$PUENTE" --user pofc protect list --purpose "revisión semanal" >/dev/null
assert_rc $? 0 "the new one does"

# ---- a case through the procedure (extraordinary path) ----
T0=$(( $(date +%s) - 30*86400 ))
C=$(as pofa open --kind journalist --path extraordinary --state GRO --received "$T0"); assert_rc $? 0 "open a case"
assert_contains "$C" "pc-" "the case id"
P=$(as pofa person "$C" --role beneficiary --occupation journalist --name "$MNAME"); assert_rc $? 0 "the beneficiary"
F=$(as pofa person "$C" --role family --occupation relative --name "$MFAM"); assert_rc $? 0 "a family member"
as pofa contact "$C" "$P" --channel phone --value "$MPHONE" >/dev/null; assert_rc $? 0 "a phone"
PL=$(as pofa place "$C" "$P" --day "$(date -u -d @$T0 +%F)" --state GRO --address "$MPLACE"); assert_rc $? 0 "a place"
I=$(as pofa incident "$C" --day "$(date -u -d @$((T0 + 86400)) +%F)" --state GRO --type physical_assault --place "$PL" \
      --narrative "$MNARR" --aggressor "hombres armados QZMARKNARRQZ"); assert_rc $? 0 "an incident holding the place"
printf '%s\n' "$MFILE" > "$TMP/evidence.txt"
EV=$(as pofa evidence "$C" "$I" --file "$TMP/evidence.txt"); assert_rc $? 0 "an evidence file sealed"
rm -f "$TMP/evidence.txt"
as pofa prosecution "$C" "$I" --authority FEADLE --file-no "FED/FEADLE/QZ/2026" --outcome to_court >/dev/null
assert_rc $? 0 "the FEADLE file of the incident"
as pofa incident "$C" --day 2026-01-01 --state GRO --type nonsense >/dev/null 2>&1; assert_rc $? 3 "an aggression outside the catalogue (exit 3)"
M=$(as pofa measure "$C" --code escort --provider "Policía Estatal" --cost 45000 --urgent); assert_rc $? 0 "an urgent measure requested"
as pofa measure-status "$C" "$M" --to active >/dev/null 2>&1; assert_rc $? 6 "requested -> active is refused (exit 6)"
for s in approved installed active active withdrawn; do as pofa measure-status "$C" "$M" --to $s >/dev/null; assert_rc $? 0 "measure -> $s"; done
as pofa measure-status "$C" "$M" --to active >/dev/null 2>&1; assert_rc $? 6 "withdrawn is final (exit 6)"
as pofa study "$C" --level medium --reasons "amenazas por QZMARKNARRQZ" --analyst pofa --board approved --next-review 2026-12-31 >/dev/null
assert_rc $? 0 "risk study v1"
V=$(as pofa study "$C" --level high --reasons "agresión física" --analyst pofa --board modified --next-review 2026-09-30)
assert_eq "$V" 2 "risk study v2 (every version kept)"

# clocks: the urgent measure came 30 days late, the risk study too
out=$(as pofa clocks --late); assert_rc $? 0 "clocks"
assert_contains "$out" "$C,urgent_issued,extraordinary" "the late urgent order is on the board"
assert_contains "$out" "$C,risk_study" "the late risk study is on the board"
assert_not_contains "$out" "QZMARK" "the board shows no content"

# reading needs a purpose; the list has a name column
as pofa list >/dev/null 2>&1; assert_rc $? 3 "a read without purpose is refused (exit 3)"
out=$(as pofa list --purpose "revisión semanal del caso" --format csv); assert_rc $? 0 "list"
assert_eq "$(printf '%s\n' "$out" | head -1)" "id,name,kind,path,state,status,level,received" "the CSV header has a name column"
assert_contains "$out" "$C,$MNAME,journalist,extraordinary,GRO,open,high" "the member reads the beneficiary's name"
out=$(as pofa list --purpose "búsqueda por nombre" --search "xóchitl ROBLES"); assert_contains "$out" "$C" "search by name (blind index)"
out=$(as pofa list --purpose "búsqueda por nombre" --search "robles nadie"); assert_not_contains "$out" "$C" "a name not in the case finds nothing"
out=$(as pofa show "$C" --purpose "preparar la junta de gobierno"); assert_rc $? 0 "show"
assert_contains "$out" "$MPHONE" "the member reads the phone"
assert_contains "$out" '"under_rated":true' "the assault with no study and no measure in force then comes to light"
as pofa evidence-get "$C" "$EV" --out "$TMP/back.txt" --purpose "entregar a FEADLE" >/dev/null; assert_rc $? 0 "evidence back"
assert_eq "$(cat "$TMP/back.txt")" "$MFILE" "the evidence file opens for a member"
rm -f "$TMP/back.txt"

# ---- members and rotation ----
as pofb show "$C" --purpose "mirar un caso ajeno" >/dev/null 2>&1; assert_rc $? 4 "a non-member officer does not see the case (exit 4)"
out=$(as pofb list --purpose "revisión semanal"); assert_not_contains "$out" "$C" "nor lists it"
as pofa member add "$C" pofb >/dev/null; assert_rc $? 0 "add a member"
out=$(as pofb show "$C" --purpose "apoyo al caso"); assert_contains "$out" "$MNAME" "the new member reads the case"
kv1=$(store_sql "$DB" "SELECT key_version FROM protect_case WHERE id = '$C'")
as pofa member remove "$C" pofb >/dev/null; assert_rc $? 0 "remove the member"
kv2=$(store_sql "$DB" "SELECT key_version FROM protect_case WHERE id = '$C'")
assert_eq "$kv2" "$((kv1 + 1))" "removal rotated the case key"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM protect_sealed WHERE case_id = '$C' AND key_version <> $kv2")" 0 \
  "every sealed value of the case was re-sealed under the new key"
as pofb show "$C" --purpose "apoyo al caso" >/dev/null 2>&1; assert_rc $? 4 "the removed member reads nothing"
out=$(as pofa show "$C" --purpose "después de la rotación"); assert_contains "$out" "$MPHONE" "the remaining member still reads"

# ---- purge: the place an incident holds stays ----
out=$("$PUENTE" protect purge --days 1); assert_rc $? 0 "purge (operator)"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM protect_place WHERE case_id = '$C'")" 1 "the incident holds its place"

# ---- audit: every read with its purpose, ids only ----
trail=$("$PUENTE" audit export)
assert_contains "$trail" '"action":"protect.case.read"' "reads are audited"
assert_contains "$trail" '"purpose":"preparar la junta de gobierno"' "with their purpose"
assert_contains "$trail" '"outcome":"not_found","detail":"","prev"' "the refused read of a non-member is audited"

# ---- NO-LEAK: the other engines' interfaces ----
# (the queries go through stdin: a screening query given as an option is
# audited by the screening engine, which would put the test's own input in the store)
out=$(printf 'name\n%s\n%s\n' "$MNAME" "$MFAM" | "$PUENTE" screen - --format csv --threshold 0.3 2>&1)
assert_not_contains "$out" "QZMARK" "screening finds no protected name"
out=$("$PUENTE" export ftm 2>&1); assert_not_contains "$out" "QZMARK" "entity export holds no protected name"
out=$("$PUENTE" stats --json 2>&1); assert_contains "$out" '"total":0' "stats count no protection data"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM entity")" 0 "no protection record became an entity"
assert_not_contains "$trail" "QZMARK" "the audit trail holds no marked value"
assert_not_contains "$trail" "Xochitl" "the audit trail holds no name"
out=$("$PUENTE" protect counts); assert_rc $? 0 "counts"
assert_contains "$out" "protect.beneficiaries" "the aggregates name their figure"
assert_contains "$out" ",1" "a single case is withheld (suppressed)"
assert_not_contains "$out" "QZMARK" "the aggregates hold no content"

# ---- NO-PLAINTEXT: every file written, and the PostgreSQL dump ----
scan() { # scan FILE...: the marked values found in the files
  local hits=0 m
  for m in $MARKS "$MPHONE_DIGITS" "747 QZ 909"; do
    if grep -a -q -E -- "$m" "$@" 2>/dev/null; then echo "found $m"; hits=$((hits + 1)); fi
  done
  return $hits
}
if [ -z "${PUENTE_TEST_DB:-}" ]; then
  files=$(ls "$TMP"/protect.db* 2>/dev/null)
  assert_contains "$files" "protect.db" "the store files are there to scan"
  found=$(scan $files); assert_eq "$found" "" "no marked value in the store, its -wal, journal and anchors ($(echo $files | wc -w) files)"
else
  pgdump="$(dirname "${PUENTE_PSQL:-psql}")/pg_dump"
  schema=$(printf '%s' "$DB" | sed 's/.*search_path%3D//')
  base=${DB%%\?*}
  "$pgdump" -d "$base" -n "$schema" > "$TMP/dump.sql"; assert_rc $? 0 "pg_dump of the store's schema"
  assert_eq "$(grep -q "CREATE TABLE .*protect_sealed" "$TMP/dump.sql" && echo yes)" yes "the dump holds the protect tables"
  found=$(scan "$TMP/dump.sql"); assert_eq "$found" "" "no marked value in the PostgreSQL dump"
fi
finish
