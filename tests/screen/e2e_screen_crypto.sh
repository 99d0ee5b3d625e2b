#!/usr/bin/env bash
# Crypto and postal addresses (watchman parity). OFAC lists "Digital Currency Address -
# XBT ..." in the remarks, which the importer keeps in `notes`; screening
# takes them as identifiers, so an exact address is a 1.0 match, with or
# without a name, from the CLI and as a yente CryptoWallet query.
source "${PUENTE_SRC:-.}/tests/lib.sh"
export PUENTE_DB="$(test_store crypto.db)"

"$PUENTE" import ofac "$SRC/data/ofac" >/dev/null 2>&1
assert_rc $? 0 "import the bundled OFAC list"

# YAN, Xiaobing (ofac-25308) lists this XBT address in his remarks
out=$("$PUENTE" screen --id-number 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h --explain)
assert_rc $? 0 "an address alone is a query"
assert_contains "$out" '"id":"ofac-25308"' "the address finds its listed holder"
assert_contains "$out" '"score":1.0,"match":true' "an exact address is a 1.0 match"
assert_contains "$out" '"total":1' "and nobody else"
out=$("$PUENTE" screen --id-number 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9X)
assert_contains "$out" '"total":0' "one character off is no match (addresses are exact)"
out=$("$PUENTE" screen --name "Xiaobing Yan" --id-number 12qtd5bfwrsdnsazy76uve1xycgntojh9h)
assert_contains "$(echo "$out" | head -c 200)" '"id":"ofac-25308","caption":"YAN, Xiaobing","schema":"Person","score":1.0' \
  "with the name, the address lifts the score to 1.0"
# a yente query of a wallet, JSON lines
printf '%s\n' '{"id":"w1","schema":"CryptoWallet","properties":{"publicKey":["12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"]}}' \
  '{"id":"w2","schema":"CryptoWallet","properties":{"publicKey":["0x0000000000000000000000000000000000000000"]}}' > "$TMP/w.jsonl"
out=$("$PUENTE" screen "$TMP/w.jsonl")
assert_rc $? 0 "yente CryptoWallet queries"
assert_contains "$(echo "$out" | grep '"w1"')" '"id":"ofac-25308"' "publicKey finds the holder"
assert_contains "$(echo "$out" | grep '"w2"')" '"total":0' "an unlisted wallet finds nothing"
# every address of the list is found: the count of distinct addresses in the
# remarks equals the number of them that screen to exactly their entity
n=0; hit=0
for a in $(grep -o "Digital Currency Address - [A-Z]* [A-Za-z0-9]*" "$SRC/data/ofac/sdn.csv" | awk '{print $6}' | sort -u | head -4); do
  n=$((n+1))
  "$PUENTE" screen --id-number "$a" | grep -q '"score":1.0,"match":true' && hit=$((hit+1))
done
assert_eq "$hit" "$n" "each of the first $n listed addresses is a 1.0 match"

# --- postal addresses (watchman parity): a qualifier, never a penalty ----
# CARDENAS GUILLEN, Ezequiel (ofac-11530) is listed at "Calle Cerro de
# Tepeyac No. 33, Colonia Lucio Blanco, Matamoros, Tamaulipas, Mexico"
cat > "$TMP/a.jsonl" <<'JSON'
{"id":"a1","schema":"Person","properties":{"name":["Ezequiel Cardenas Guillen"],"address":["C. Cerro del Tepeyac 33, Col. Lucio Blanco, Matamoros, Tamps., México"]}}
{"id":"a2","schema":"Person","properties":{"name":["Ezequiel Cardenas Guillen"],"address":["Calle Cerro de Tepeyac 45, Colonia Lucio Blanco, Matamoros"]}}
{"id":"a3","schema":"Person","properties":{"name":["Ezequiel Cardenas Guillen"],"address":["Avenida Reforma 222, Ciudad de Mexico"]}}
{"id":"a4","schema":"Person","properties":{"name":["Ezequiel Cardenas Guillen"]}}
JSON
out=$("$PUENTE" screen "$TMP/a.jsonl" --limit 1 --explain)
line() { echo "$out" | grep "\"query_id\":\"$1\""; }
assert_contains "$(line a1)" '"feature":"address_match"' "the listed address, abbreviated and accented, agrees"
assert_contains "$(line a1)" '"score":0.98' "... and adds 0.03 to the name-only 0.95"
assert_not_contains "$(line a2)" 'address_match' "same street, another house number: no address match"
assert_not_contains "$(line a3)" 'address_match' "another address: no match"
assert_contains "$(line a3)" '"score":0.95' "... and no penalty (people move; listed addresses are old)"
printf 'name,address\nEzequiel Cardenas Guillen,"Calle Cerro de Tepeyac No. 33, Colonia Lucio Blanco, Matamoros"\n' > "$TMP/a.csv"
assert_contains "$("$PUENTE" screen "$TMP/a.csv" --limit 1)" '"score":0.98' "the CSV column address is read"
finish
