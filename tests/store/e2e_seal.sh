#!/usr/bin/env bash
# End-to-end: encryption at rest (store_seal, docs/security.md "Encryption at
# rest"). With a key configured, marked plaintext - a PII-caveated person's
# name, a screening decision's note and analyst, an EWS alert's note, a cargo
# disposition's note - is nowhere in the store files (database, WAL, rollback
# journal, audit journal), yet every command reads it back. Without a key
# (the control) the same run leaves the plaintext in the files, so the grep
# can fail. A wrong key cannot open the sealed fields; a rotated key file
# opens old and new values.
. "$(dirname "$0")/../lib.sh"
KEY1=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
KEY2=ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
MARKS="Quetzalcoatl Sellado Marcador|NOTA-SELLADA-7731|analista.sellada.9|EWS-NOTA-SELLADA-4412|CARGO-NOTA-SELLADA-5583"

run_all() {  # db
  local db=$1 P="$PUENTE"
  "$P" agency seed --db "$db" >/dev/null
  printf '%s\n' '{"id":"dea-pii-1","schema":"Person","properties":{"name":["Quetzalcoatl Sellado Marcador"]},"owner":"DEA","marking":"SHARED","caveats":"PII"}' \
    '{"id":"dea-open-1","schema":"Person","properties":{"name":["Abierto Sin Caveat"]},"owner":"DEA","marking":"SHARED"}' > "$TMP/pii.jsonl"
  "$P" import ftm "$TMP/pii.jsonl" --strict --db "$db" >/dev/null 2>&1 || return 1
  "$P" review add --subject "Subject Under Review" --entity dea-open-1 --analyst analista.sellada.9 \
      --note "NOTA-SELLADA-7731" --db "$db" >/dev/null || return 2
  "$P" ews generate --weeks 30 --seed 3 > "$TMP/ews.csv" 2>/dev/null
  "$P" ews import "$TMP/ews.csv" --db "$db" >/dev/null 2>&1 || return 3
  local id
  id=$("$P" ews alerts --db "$db" | awk '/#[0-9]+/{sub("#","",$1); print $1; exit}')
  "$P" ews alerts close "$id" --agency DEA --country US --note "EWS-NOTA-SELLADA-4412" --db "$db" >/dev/null || return 4
  "$P" cargo generate --lines 200 --seed 5 --out "$TMP/m.csv" >/dev/null 2>&1
  PUENTE_AGENCY=CBP "$P" cargo screen "$TMP/m.csv" --out "$TMP/r.csv" --db "$db" >/dev/null 2>&1 || return 5
  local q awb hawb
  q=$("$P" cargo queue --decision hold --format csv --limit 1 --db "$db")
  awb=$(printf '%s\n' "$q" | sed -n 2p | cut -d, -f1)
  hawb=$(printf '%s\n' "$q" | sed -n 2p | cut -d, -f2)
  PUENTE_AGENCY=CBP "$P" cargo dispose "$awb" --hawb "$hawb" --outcome inspected_found --note "CARGO-NOTA-SELLADA-5583" \
      --db "$db" >/dev/null || return 6
  return 0
}

files_of() { ls "$1" "$1-wal" "$1-journal" "$1-audit.journal" 2>/dev/null; }
found_in_files() {  # db -> the marks found in its files (one per line)
  local f
  for f in $(files_of "$1"); do grep -a -o -E "$MARKS" "$f"; done | sort -u
}

# --- control: no key, the plaintext is in the files ---------------------------------
unset PUENTE_SEAL_KEY PUENTE_SEAL_KEY_FILE
run_all "$TMP/clear.db"; assert_rc $? 0 "the run without a key"
n=$(found_in_files "$TMP/clear.db" | wc -l)
assert_eq "$n" "5" "without a key every marked value is in the store files (the grep works)"
out=$("$PUENTE" --version)
assert_contains "$out" "encryption at rest: OFF" "the CLI says encryption at rest is off"

# --- with a key: none of it -----------------------------------------------------------
export PUENTE_SEAL_KEY=$KEY1
run_all "$TMP/sealed.db"; assert_rc $? 0 "the run with a key"
# the WAL is checkpointed into the database when the last connection closes;
# a copy taken while a connection holds it open is checked as well below
assert_contains "$(files_of "$TMP/sealed.db")" "sealed.db" "the database is among the files checked"
found=$(found_in_files "$TMP/sealed.db")
assert_eq "$found" "" "with a key no marked value is in the database, WAL or journals"
assert_contains "$("$PUENTE" --version)" "encryption at rest: on" "the CLI says encryption at rest is on"
# the WAL: while another connection holds the store open, the CLI's writes
# stay in the WAL file (no checkpoint at close); grep it too
if command -v sqlite3 >/dev/null; then
  ( echo "BEGIN; SELECT count(*) FROM entity;"; sleep 3; echo "COMMIT;" ) | sqlite3 "$TMP/sealed.db" >/dev/null &
  holder=$!
  sleep 0.5
  "$PUENTE" review add --subject "WAL Subject" --entity dea-open-1 --analyst analista.sellada.9 \
      --note "NOTA-SELLADA-7731" --db "$TMP/sealed.db" >/dev/null
  printf '%s\n' '{"id":"dea-pii-2","schema":"Person","properties":{"name":["Quetzalcoatl Sellado Marcador"]},"owner":"DEA","marking":"SHARED","caveats":"PII"}' > "$TMP/pii2.jsonl"
  "$PUENTE" import ftm "$TMP/pii2.jsonl" --strict --db "$TMP/sealed.db" >/dev/null 2>&1
  walsize=$(stat -c %s "$TMP/sealed.db-wal" 2>/dev/null || echo 0)
  [ "$walsize" -gt 0 ] && ok "the WAL holds the new writes ($walsize bytes)" || nok "no WAL to check"
  assert_eq "$(grep -a -o -E "$MARKS" "$TMP/sealed.db-wal" | sort -u)" "" "no marked value in the WAL"
  wait "$holder"
fi
# read back through every command
assert_contains "$("$PUENTE" entity get dea-pii-1 --db "$TMP/sealed.db")" "Quetzalcoatl Sellado Marcador" "the PII entity reads back"
assert_contains "$("$PUENTE" export ftm --db "$TMP/sealed.db")" "Quetzalcoatl Sellado Marcador" "and exports"
assert_contains "$("$PUENTE" review list --db "$TMP/sealed.db")" "NOTA-SELLADA-7731" "the decision note reads back"
assert_contains "$("$PUENTE" review list --db "$TMP/sealed.db")" "analista.sellada.9" "the analyst reads back"
assert_contains "$("$PUENTE" ews alerts --status closed --db "$TMP/sealed.db")" "EWS-NOTA-SELLADA-4412" "the alert note reads back"
assert_contains "$("$PUENTE" cargo queue --decision hold --all --format csv --db "$TMP/sealed.db")" "CARGO-NOTA-SELLADA-5583" "the disposition note reads back"
# the audit trail of the commands does not copy the notes either
assert_not_contains "$("$PUENTE" audit export --db "$TMP/sealed.db" 2>/dev/null)" "NOTA-SELLADA-7731" "the invocation audit entry records the note's size, not the note"

# the second factor's secret is sealed too (acl_user.totp_key)
echo 'a-long-enough-password-x' | "$PUENTE" user add tot.user --agency DEA --role analyst --password-stdin --permanent --db "$TMP/sealed.db" >/dev/null
secret=$("$PUENTE" user totp tot.user --db "$TMP/sealed.db" 2>&1 | grep -o 'secret=[A-Z2-7]*' | head -1 | cut -d= -f2)
[ -n "$secret" ] && ok "a second factor is enrolled with a key configured" || nok "no otpauth secret printed"
"$PUENTE" audit verify --db "$TMP/sealed.db" >/dev/null 2>&1   # a checkpoint: the row reaches the main file
assert_eq "$(cat "$TMP/sealed.db"* 2>/dev/null | grep -a -c "$secret")" "0" "the TOTP secret is not in the store files"
code=$(python3 -c "
import base64, hmac, hashlib, struct, time
k = base64.b32decode('$secret' + '=' * (-len('$secret') % 8))
m = hmac.new(k, struct.pack('>Q', int(time.time()) // 30), hashlib.sha1).digest()
o = m[-1] & 15
print('%06d' % ((struct.unpack('>I', m[o:o + 4])[0] & 0x7fffffff) % 1000000))")
"$PUENTE" user totp-confirm tot.user "$code" --db "$TMP/sealed.db" >/dev/null 2>&1
assert_rc $? 0 "the sealed secret still verifies a code"

# --- the wrong key cannot open; a rotated key file opens both --------------------------
out=$(PUENTE_SEAL_KEY=$KEY2 "$PUENTE" review list --db "$TMP/sealed.db" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "another key cannot open the sealed fields" || nok "another key opened the sealed fields"
assert_not_contains "$out" "NOTA-SELLADA-7731" "and shows nothing of them"
printf '%s\n%s\n' "$KEY1" "$KEY2" > "$TMP/keys"
unset PUENTE_SEAL_KEY
export PUENTE_SEAL_KEY_FILE="$TMP/keys"
"$PUENTE" review add --subject "Second Subject" --entity dea-open-1 --analyst other.analyst --note "NOTA-ROTADA-2" \
    --db "$TMP/sealed.db" >/dev/null
out=$("$PUENTE" review list --db "$TMP/sealed.db")
assert_contains "$out" "NOTA-SELLADA-7731" "after rotation the old key still opens the old note"
assert_contains "$out" "NOTA-ROTADA-2" "and the new key the new one"
unset PUENTE_SEAL_KEY_FILE

# --- trace: purchasers' and possessors' names sealed, buyers joined on a blind index ---
# The same generated data (fixed seed and date) in a store without a key (the
# control), in a store with a key, and in the control store migrated with
# `puente trace seal`: the leads are the same (names, strengths, order), and
# with a key the names are in none of the files.
trace_all() {  # db -> leads without their keys (blind when sealed)
  local db=$1 T="--today 2026-06-01"
  "$PUENTE" agency seed --db "$db" >/dev/null
  "$PUENTE" trace generate --firearms 3000 --recoveries 300 --rings 3 --seed 7 --db "$db" $T >/dev/null || return 1
  "$PUENTE" trace run --db "$db" $T >/dev/null || return 2
  "$PUENTE" trace msr --db "$db" $T >/dev/null || return 3
}
trace_leads() { "$PUENTE" trace leads --top 15 --db "$1" --today 2026-06-01 | sed 's/  \[[^]]*\]$//'; }
trace_all "$TMP/tclear.db"; assert_rc $? 0 "trace data without a key"
leads0=$(trace_leads "$TMP/tclear.db")
buyer=$(printf '%s\n' "$leads0" | awk '/^ *1\. purchaser/{sub(/^ *1\. purchaser +[0-9.]+ +/, ""); print; exit}')
poss=$(sqlite3 "$TMP/tclear.db" "SELECT possessor FROM trace_request WHERE possessor IS NOT NULL AND possessor <> '' LIMIT 1")
[ -n "$buyer" ] && [ -n "$poss" ] && ok "a lead's purchaser ('$buyer') and a possessor ('$poss') to look for" || nok "no names to look for"
"$PUENTE" audit verify --db "$TMP/tclear.db" >/dev/null 2>&1
assert_eq "$(cat "$TMP/tclear.db"* | grep -a -c -F "$buyer" | grep -v '^0$' | head -1 | sed 's/.*/found/')" "found" \
  "without a key the purchaser's name is in the store file (the grep works)"
cp "$TMP/tclear.db" "$TMP/tmigrated.db"
export PUENTE_SEAL_KEY=$KEY1
trace_all "$TMP/tsealed.db"; assert_rc $? 0 "the same trace data with a key"
"$PUENTE" audit verify --db "$TMP/tsealed.db" >/dev/null 2>&1   # a checkpoint: everything in the main file
assert_eq "$(cat "$TMP/tsealed.db"* | grep -a -c -F -e "$buyer" -e "$poss")" "0" \
  "with a key neither the purchaser's nor the possessor's name is in the store files"
assert_eq "$(sqlite3 "$TMP/tsealed.db" "SELECT COUNT(*) FROM trace_event WHERE party_key IS NOT NULL AND party_key NOT LIKE 'bi1:%'")" "0" \
  "every buyer key is a blind index"
assert_eq "$(trace_leads "$TMP/tsealed.db")" "$leads0" "the same leads (names, strengths, indicators, order) with sealed names"
assert_contains "$("$PUENTE" trace request show 1 --db "$TMP/tsealed.db" --today 2026-06-01)" "Trace request" "a request reads back"
# migration of the store written without a key
out=$("$PUENTE" trace leads --db "$TMP/tmigrated.db" --today 2026-06-01 2>&1); rc=$?
assert_rc "$rc" 6 "a store with plain names is refused under a key until it is sealed"
assert_contains "$out" "puente trace seal" "and the refusal names the command"
out=$("$PUENTE" trace seal --db "$TMP/tmigrated.db"); assert_rc $? 0 "trace seal migrates it"
assert_contains "$out" "requests" "trace seal reports what it sealed"
assert_eq "$(trace_leads "$TMP/tmigrated.db")" "$leads0" "the same leads after the migration"
"$PUENTE" audit verify --db "$TMP/tmigrated.db" >/dev/null 2>&1
sqlite3 "$TMP/tmigrated.db" "VACUUM" # the old rows' pages (docs/security.md "Trace names")
assert_eq "$(cat "$TMP/tmigrated.db"* | grep -a -c -F -e "$buyer" -e "$poss")" "0" \
  "after the migration (and VACUUM) the names are gone from the store file"
"$PUENTE" trace seal --db "$TMP/tmigrated.db" >/dev/null; assert_rc $? 0 "trace seal again (idempotent)"
assert_eq "$(trace_leads "$TMP/tmigrated.db")" "$leads0" "still the same leads"
# the import path: names sealed, and a re-import still recognises every row
# (events compared on the blind key, requests on the blind import key)
TD="$SRC/tests/trace/data"
TI() { "$PUENTE" trace --db "$TMP/timport.db" --today 2026-11-27 "$@"; }
"$PUENTE" agency seed --db "$TMP/timport.db" >/dev/null
TI import acquisitions "$TD/acquisitions.csv" --marking SHARED >/dev/null 2>&1
TI import recoveries "$TD/recoveries.csv" --marking SHARED >/dev/null 2>&1
out=$(TI import acquisitions "$TD/acquisitions.csv" --marking SHARED 2>/dev/null)
assert_contains "$out" "0 written, 17 unchanged" "a re-import of acquisitions finds every sealed row"
out=$(TI import recoveries "$TD/recoveries.csv" --marking SHARED 2>/dev/null)
assert_contains "$out" "0 written, 4 unchanged" "a re-import of recoveries finds every request"
"$PUENTE" audit verify --db "$TMP/timport.db" >/dev/null 2>&1
assert_eq "$(cat "$TMP/timport.db"* | grep -a -c -e "John Q. Straw" -e "Pedro P")" "0" \
  "imported purchaser and possessor names are not in the store files"
TI run >/dev/null
assert_contains "$(TI request show 1)" "Pedro Páramo" "the possessor reads back"
out=$(PUENTE_SEAL_KEY=$KEY2 "$PUENTE" trace leads --db "$TMP/tsealed.db" --today 2026-06-01 2>&1); rc=$?
assert_rc "$rc" 6 "another key is refused: its blind indexes would not join with the stored ones"
unset PUENTE_SEAL_KEY
finish
