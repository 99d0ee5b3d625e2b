#!/usr/bin/env bash
# End-to-end tests of `puente tip` (the handlers' CLI and the phone operators'
# submit): routing, receipts shown once and never stored, visibility by agency,
# states and reopening, links, indicators, the retention purge and its audit
# entry, bad input refused with nothing half-stored.
. "$(dirname "$0")/../lib.sh"
export PUENTE_TIPS_KDF=1:8192   # libsodium's minimum: bench/tips measures the real cost
DB=$(test_store tips.db)

out=$("$PUENTE" tip submit --db "$DB" --category firearms --tip-lang es --tip-country MX --state CHH \
  --text "El Huevo vende rifles en Juárez, su tel 656 123 4567" --answer plates=ABC1234 --json)
assert_rc $? 0 "submit a tip for a caller"
id1=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
receipt1=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["receipt"])')
assert_contains "$out" '"owner":"FGR"' "a firearms tip in Mexico goes to FGR"
assert_eq "$(printf '%s' "$receipt1" | wc -w)" 7 "the receipt is seven words"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM tip WHERE text LIKE '%Huevo%' OR receipt_hash LIKE '%$(printf '%s' "$receipt1" | cut -d' ' -f1)%'")" 1 \
  "the text is stored (no seal key here) but the receipt is not"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM tip WHERE receipt_hash LIKE '%$(printf '%s' "$receipt1" | cut -d' ' -f2)%'")" 0 \
  "no word of the receipt is in its hash"

out=$("$PUENTE" tip submit --db "$DB" --category firearms --tip-lang en --tip-country US \
  --text "A man called El Huevo sells rifles; phone 656-123-4567" --json)
id2=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
assert_contains "$out" '"owner":"ATF"' "a firearms tip in the US goes to ATF"
assert_contains "$out" '"links":' "triage ran"

# visibility
out=$("$PUENTE" tip list --db "$DB" --agency FGR --country MX)
assert_contains "$out" "$id1" "FGR lists its tip"
assert_not_contains "$out" "$id2" "FGR does not list ATF's tip"
"$PUENTE" tip show "$id1" --db "$DB" --agency ATF --country US >/dev/null 2>&1
assert_rc $? 4 "ATF cannot read FGR's AGENCY-ONLY tip (404)"
out=$("$PUENTE" tip show "$id2" --db "$DB" --agency ATF --country US --json)
assert_contains "$out" '"kind":"phone"' "the phone number was extracted"
assert_contains "$out" '"nickname"' "the nickname was extracted"

# handling
"$PUENTE" tip reply "$id1" --db "$DB" --agency FGR --country MX --text "¿De qué color es la camioneta?" >/dev/null
assert_rc $? 0 "a handler's question"
"$PUENTE" tip reply "$id1" --db "$DB" --agency ATF --country US --text "hi" >/dev/null 2>&1
assert_rc $? 4 "another agency cannot write to the tip"
"$PUENTE" tip close "$id1" --db "$DB" --agency FGR --country MX >/dev/null
assert_rc $? 0 "close"
err=$("$PUENTE" tip state "$id1" --to triaged --db "$DB" --agency FGR --country MX 2>&1)
assert_rc $? 3 "reopening without a reason is refused"
assert_contains "$err" "reason" "... naming the reason"
"$PUENTE" tip state "$id1" --to triaged --reason "the tipster wrote again" --db "$DB" --agency FGR --country MX >/dev/null
assert_rc $? 0 "reopen with a reason"
"$PUENTE" tip state "$id1" --to new --db "$DB" --agency FGR --country MX >/dev/null 2>&1
assert_rc $? 6 "no move back to new"
out=$("$PUENTE" tip show "$id2" --db "$DB" --agency ATF --country US --json)
assert_not_contains "$out" "$id1" "ATF does not see the link to FGR's AGENCY-ONLY tip"
"$PUENTE" tip state "$id1" --to assigned --marking SHARED --db "$DB" --agency FGR --country MX >/dev/null
assert_rc $? 0 "FGR releases its tip to every agency (read-only copies)"
out=$("$PUENTE" tip show "$id2" --db "$DB" --agency ATF --country US --json)
assert_contains "$out" "\"target\":\"$id1\"" "now ATF sees the proposed link, with its evidence"
assert_contains "$out" "same phone" "... the shared phone number as evidence"
lid=$(printf '%s' "$out" | python3 -c 'import json,sys; print([l for l in json.load(sys.stdin)["links"] if l["kind"] == "tip"][0]["id"])')
"$PUENTE" tip link "$id2" "$lid" --decision confirmed --db "$DB" --agency ATF --country US >/dev/null
assert_rc $? 0 "confirm a proposed link"
out=$("$PUENTE" tip indicators --db "$DB" --json)
assert_contains "$out" '"received":2' "indicators: received"
assert_contains "$out" '"linked":1' "indicators: linked"
assert_contains "$out" '"links_confirmed":1' "indicators: confirmed links"

# bad input: refused, nothing stored
before=$(store_sql "$DB" "SELECT COUNT(*) FROM tip")
"$PUENTE" tip submit --db "$DB" --category guns --tip-lang es --text x >/dev/null 2>&1
assert_rc $? 3 "an unknown category is invalid input"
"$PUENTE" tip submit --db "$DB" --category drugs --tip-lang es --text "$(printf 'a\001b')" >/dev/null 2>&1
assert_rc $? 3 "a control character is refused"
printf 'bad \xff\xfe utf8' > "$TMP/bad.txt"
"$PUENTE" tip submit --db "$DB" --category drugs --tip-lang es --text-file "$TMP/bad.txt" >/dev/null 2>&1
assert_rc $? 3 "invalid UTF-8 is refused"
head -c 30000 /dev/zero | tr '\0' a > "$TMP/big.txt"
"$PUENTE" tip submit --db "$DB" --category drugs --tip-lang es --text-file "$TMP/big.txt" >/dev/null 2>&1
assert_rc $? 3 "a text over the cap is refused"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM tip")" "$before" "nothing was half-stored"
out=$("$PUENTE" tip triage --text "precursor: efedrina, CAS 299-42-3")
assert_contains "$out" "chemical	ephedrine" "triage names the precursor"

trail=$("$PUENTE" audit export --db "$DB" 2>/dev/null)
assert_contains "$trail" "cli.tip.submit" "the operator's submit is audited"
assert_not_contains "$trail" "Huevo" "... without the tip's text (only its size)"

# links to what Puente knows: a trace request's serial, a screened shipment's
# air waybill, a designated person's nickname, an early-warning substance
"$PUENTE" trace generate --db "$DB" --firearms 300 --recoveries 40 --seed 5 >/dev/null 2>&1
# a serial recovered only by another agency than FGR under AGENCY-ONLY (the
# generator draws owners and markings at random, and its draws follow the day)
serial=$(store_sql "$DB" "SELECT r.serial FROM trace_request r WHERE r.serial_wild = 0 AND r.serial IS NOT NULL AND r.serial <> '' AND NOT EXISTS (SELECT 1 FROM trace_request o WHERE o.serial = r.serial AND (o.owner = 'FGR' OR o.marking <> 'AGENCY-ONLY')) ORDER BY r.id LIMIT 1")
tnum=$(store_sql "$DB" "SELECT number FROM trace_request WHERE serial = '$serial' ORDER BY id LIMIT 1")
"$PUENTE" cargo generate --lines 30 --seed 3 --out "$TMP/m.csv" >/dev/null 2>&1
"$PUENTE" cargo screen "$TMP/m.csv" --db "$DB" --owner CBP --marking SHARED --out /dev/null >/dev/null 2>&1
awb=$(store_sql "$DB" "SELECT awb FROM cargo_shipment ORDER BY id LIMIT 1")
printf '%s\n' '{"id":"ofac-9999","schema":"Person","properties":{"name":["Ramiro Zambada"],"alias":["El Huevo"]},"owner":"OFAC","marking":"PUBLIC","datasets":["ofac"]}' > "$TMP/sdn.jsonl"
"$PUENTE" import ftm "$TMP/sdn.jsonl" --db "$DB" >/dev/null 2>&1
out=$("$PUENTE" tip submit --db "$DB" --category firearms --tip-lang es --tip-country MX \
  --text "El Huevo recogió el rifle con número de serie $serial y mandó la guía $awb con fentanilo" --json)
id3=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
links=$("$PUENTE" tip show "$id3" --db "$DB" --json | python3 -c '
import json,sys
for l in json.load(sys.stdin)["links"]: print(l["kind"], l["target"], "|", l["evidence"])')
[ -n "$tnum" ] && assert_contains "$links" "trace $tnum" "the serial is linked to its trace request"
[ -z "$tnum" ] && nok "the generated trace data has a request with a serial"
assert_contains "$links" "cargo $awb" "the air waybill is linked to the screened shipment"
assert_contains "$links" "entity ofac-9999" "the nickname is linked to the designated person"
assert_contains "$links" "ews fentanyl" "the substance is linked to the early-warning vocabulary"
out=$("$PUENTE" tip submit --db "$DB" --category drugs --tip-lang en --tip-country US --screen \
  --text "The boss runs a stash house near the bridge." --answer who="Ramiro Zambada, his cousin" --json)
id4=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
out=$("$PUENTE" tip show "$id4" --db "$DB" --json)
assert_contains "$out" "screened" "the names of the 'who' answer are screened (--screen)"
assert_contains "$out" "ofac-9999" "... and matched to the designated person"
out=$("$PUENTE" tip show "$id3" --db "$DB" --agency FGR --country MX --json)
assert_not_contains "$out" "\"kind\":\"trace\"" "FGR does not see the link to an AGENCY-ONLY trace request of another agency"
assert_contains "$out" "ofac-9999" "... but sees the link to the public designation"
# a link follows its target's current row: re-marked US-ONLY after the
# proposal, the designation (and the link's evidence) is gone for FGR at once
printf '%s\n' '{"id":"ofac-9999","schema":"Person","properties":{"name":["Ramiro Zambada"],"alias":["El Huevo"]},"owner":"OFAC","marking":"US-ONLY","datasets":["ofac"]}' > "$TMP/sdn2.jsonl"
"$PUENTE" import ftm "$TMP/sdn2.jsonl" --db "$DB" >/dev/null 2>&1
assert_eq "$(store_sql "$DB" "SELECT marking FROM entity WHERE id = 'ofac-9999'")" "US-ONLY" "the designation is re-marked US-ONLY"
out=$("$PUENTE" tip show "$id3" --db "$DB" --agency FGR --country MX --json)
assert_not_contains "$out" "ofac-9999" "FGR no longer sees the link to the re-marked record"
out=$("$PUENTE" tip show "$id3" --db "$DB" --json)
assert_contains "$out" "ofac-9999" "the operator still does"

# files: keys, a caller's photo sealed to the tip's agency, the metadata-free copy
"$PUENTE" tip keygen ATF --key-file "$TMP/keys" --db "$DB" >/dev/null
assert_rc $? 0 "a key pair for ATF's tip files"
assert_eq "$(stat -c %a "$TMP/keys")" 600 "the secret key file is private"
printf '\xff\xd8\xff\xe1\x00\x0cExif\x00\x00GPSX\xff\xda\x00\x04\x01\x02\x33\xff\xd9' > "$TMP/p.jpg"
out=$("$PUENTE" tip attach "$id2" "$TMP/p.jpg" --db "$DB" --agency ATF --country US)
assert_contains "$out" "metadata-free copy made" "the operator adds a caller's photo"
fid=$(store_sql "$DB" "SELECT MAX(id) FROM tip_attachment")
PUENTE_TIPS_KEY_FILE="$TMP/keys" "$PUENTE" tip attachment "$id2" "$fid" --out "$TMP/clean.jpg" --db "$DB" --agency ATF --country US >/dev/null
assert_rc $? 0 "ATF's handler writes the copy"
assert_eq "$(grep -c Exif "$TMP/clean.jpg")" 0 "... without EXIF"
PUENTE_TIPS_KEY_FILE="$TMP/keys" "$PUENTE" tip attachment "$id2" "$fid" --original --out "$TMP/orig.jpg" --db "$DB" --agency ATF --country US >/dev/null
assert_eq "$(cmp -s "$TMP/orig.jpg" "$TMP/p.jpg" && echo same)" same "... and the original, byte for byte"
"$PUENTE" tip attachment "$id2" "$fid" --out "$TMP/x.jpg" --db "$DB" --agency ATF --country US >/dev/null 2>&1
assert_rc $? 5 "without the agency's key file nothing opens"
PUENTE_TIPS_KEY_FILE="$TMP/keys" "$PUENTE" tip attachment "$id2" "$fid" --out "$TMP/x.jpg" --db "$DB" --agency FGR --country MX >/dev/null 2>&1
assert_rc $? 4 "FGR cannot even see ATF's tip"

# a tip referred to another agency: its files follow it when the old key is at hand
"$PUENTE" tip keygen HSI --key-file "$TMP/keys-hsi" --db "$DB" >/dev/null
"$PUENTE" tip state "$id2" --to triaged --reason "smuggling: HSI's" --db "$DB" --agency ATF --country US >/dev/null
"$PUENTE" tip state "$id2" --to referred --agency-to HSI --db "$DB" --agency ATF --country US >/dev/null 2>&1
assert_rc $? 0 "ATF refers its tip to HSI (no key file at hand)"
assert_eq "$(store_sql "$DB" "SELECT agency FROM tip_attachment WHERE id = $fid")" ATF "without ATF's key the file stays sealed to ATF"
PUENTE_TIPS_KEY_FILE="$TMP/keys-hsi" "$PUENTE" tip attachment "$id2" "$fid" --original --out "$TMP/x.jpg" --db "$DB" --agency HSI --country US >/dev/null 2>&1
assert_rc $? 5 "... so HSI cannot open it yet"
PUENTE_TIPS_KEY_FILE="$TMP/keys" "$PUENTE" tip reseal "$id2" --db "$DB" --agency ATF --country US >/dev/null 2>&1
assert_rc $? 4 "ATF no longer owns the tip: it cannot reseal it"
out=$(PUENTE_TIPS_KEY_FILE="$TMP/keys" "$PUENTE" tip reseal "$id2" --db "$DB" --agency HSI --country US)
assert_rc $? 0 "HSI reseals with ATF's key at hand (the operator's key file)"
assert_contains "$out" "1 file(s) sealed again" "... one file sealed again"
assert_eq "$(store_sql "$DB" "SELECT agency FROM tip_attachment WHERE id = $fid")" HSI "the file is now sealed to HSI"
PUENTE_TIPS_KEY_FILE="$TMP/keys-hsi" "$PUENTE" tip attachment "$id2" "$fid" --original --out "$TMP/hsi.jpg" --db "$DB" --agency HSI --country US >/dev/null
assert_eq "$(cmp -s "$TMP/hsi.jpg" "$TMP/p.jpg" && echo same)" same "HSI opens the original with its own key, byte for byte"
PUENTE_TIPS_KEY_FILE="$TMP/keys" "$PUENTE" tip attachment "$id2" "$fid" --original --out "$TMP/x.jpg" --db "$DB" --agency HSI --country US >/dev/null 2>&1
assert_rc $? 5 "ATF's key no longer opens it"
cat "$TMP/keys" "$TMP/keys-hsi" > "$TMP/keys-both"
"$PUENTE" tip state "$id2" --to triaged --reason "back to ATF" --db "$DB" --agency HSI --country US >/dev/null
PUENTE_TIPS_KEY_FILE="$TMP/keys-both" "$PUENTE" tip state "$id2" --to assigned --agency-to ATF --db "$DB" --agency HSI --country US >/dev/null
assert_eq "$(store_sql "$DB" "SELECT agency FROM tip_attachment WHERE id = $fid")" ATF "a change of agency with the key at hand reseals at once"

# a tip about both sides of the border: its US part goes to ATF
out=$("$PUENTE" tip submit --db "$DB" --category firearms --tip-lang es --tip-country MX --state SON \
  --text "Los rifles que llegan a Nogales los compra un tal Beto en Tucson, Arizona" --json)
id5=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$PUENTE" tip split "$id5" --tip-country MX --db "$DB" --agency FGR --country MX >/dev/null 2>&1
assert_rc $? 3 "a tip about Mexico has no Mexican part to split off"
"$PUENTE" tip split "$id5" --tip-country US --db "$DB" --agency ATF --country US >/dev/null 2>&1
assert_rc $? 4 "ATF cannot split FGR's tip (it cannot see it)"
out=$("$PUENTE" tip split "$id5" --tip-country US --state AZ --marking SHARED \
  --text "Un tal Beto compra rifles en Tucson, Arizona, y los pasan por Nogales" --db "$DB" --agency FGR --country MX --json)
assert_rc $? 0 "FGR splits off the US part, released to both countries"
part=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["part"])')
assert_eq "$(store_sql "$DB" "SELECT owner || ' ' || country || ' ' || state_code || ' ' || status FROM tip WHERE id = '$part'")" \
  "ATF US AZ new" "the part is a new tip of ATF's, about Arizona"
out=$("$PUENTE" tip show "$part" --db "$DB" --agency ATF --country US --json)
assert_contains "$out" "Tucson" "ATF reads the part's own text"
assert_not_contains "$out" "Nogales los compra" "... not the original's"
assert_not_contains "$out" "$id5" "the link back to FGR's AGENCY-ONLY tip is hidden from ATF"
out=$("$PUENTE" tip show "$id5" --db "$DB" --agency FGR --country MX --json)
assert_contains "$out" "\"target\":\"$part\"" "FGR's tip links to its US part"
out=$("$PUENTE" tip show "$id5" --db "$DB" --agency FGR --country MX)
assert_contains "$out" "split: the US part is $part (ATF)" "... and its history records the split"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM tip WHERE id = '$part' AND lookup LIKE 'part:%' AND receipt_hash = ''")" 1 \
  "no receipt opens the part"

# retention
"$PUENTE" tip close "$id1" --db "$DB" >/dev/null
"$PUENTE" tip purge --db "$DB" >/dev/null
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM tip")" 6 "a tip closed today is kept"
later=$(date -u -d '+91 days' +%Y-%m-%d)
out=$("$PUENTE" tip purge --db "$DB" --today "$later")
assert_contains "$out" "purged 1 closed tip" "purged 91 days after closing"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM tip WHERE id = '$id1'")" 0 "the tip is gone"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM audit_log WHERE action = 'tip.purge' AND targets = '$id1'")" 1 \
  "the purge is in the audit trail with the purged id"
"$PUENTE" tip purge --db "$DB" --agency FGR --country MX >/dev/null 2>&1
assert_rc $? 2 "the purge is the operator's job"

# sealed at rest: with a key, no tip text, answer, message or entity is in the file
if [ -z "${PUENTE_TEST_DB:-}" ]; then
  export PUENTE_SEAL_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  SDB="$TMP/sealed.db"
  out=$("$PUENTE" tip submit --db "$SDB" --category drugs --tip-lang es --tip-country MX \
    --text "Zorglubio Quetzalcoatl vende cristal; tel 667 765 4321" --answer where="Calle Xochiquetzal 9" --json)
  sid=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  sr=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["receipt"])')
  "$PUENTE" tip reply "$sid" --db "$SDB" --text "Pregunta Tlacuachito" >/dev/null
  "$PUENTE" tip state "$sid" --to closed --db "$SDB" >/dev/null
  "$PUENTE" tip state "$sid" --to triaged --reason "Razon Ahuizotl" --db "$SDB" >/dev/null
  sqlite3 "$SDB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  found=$(cat "$SDB"* | grep -a -c -E "Zorglubio|Xochiquetzal|Tlacuachito|Ahuizotl|6677654321")
  assert_eq "$found" 0 "with a seal key, no text, answer, message, reason or phone is in the store"
  out=$("$PUENTE" tip show "$sid" --db "$SDB")
  assert_contains "$out" "Zorglubio Quetzalcoatl" "... and the handler reads them back"
  assert_contains "$out" "6677654321" "... with the extracted phone"
  unset PUENTE_SEAL_KEY
  "$PUENTE" tip show "$sid" --db "$SDB" >/dev/null 2>&1
  assert_rc $? 5 "without the key the sealed tip does not open"
fi
finish
