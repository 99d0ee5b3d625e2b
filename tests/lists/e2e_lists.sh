#!/usr/bin/env bash
# e2e_lists.sh - designation lists end to end through build/puente
# (docs/lists.md): each importer on its fixture, refusal of cut-off files and
# of a shrink (store and previous version kept, exit 3), the delta between
# two versions, update from a file:// and an http:// location, and the
# designated scope of screening and cargo.
. "$PUENTE_SRC/tests/lib.sh"
P=$PUENTE_BIN
D=$PUENTE_SRC/data/lists
OFAC=$PUENTE_SRC/tests/lists/ofac_cons
DB=$(test_store lists.db)
export PUENTE_DB=$DB

# ---- sources and each importer on its fixture ----
$P lists sources add us_ofac_xml --format ofac_xml --location "$D/ofac_sdn.xml" >/dev/null
$P lists sources add un_sc --format un_xml --location "file://$D/un_consolidated.xml" >/dev/null
$P lists sources add eu_fsf --format eu_xml --location "$D/eu_fsf.xml" >/dev/null
$P lists sources add eu_fsf_csv --format eu_csv --location "$D/eu_fsf.csv" >/dev/null
$P lists sources add gb_hmt --format uk_csv --location "$D/uk_conlist.csv" >/dev/null
$P lists sources add mx_uif --format generic_csv --location "$D/mx_uif.csv" --mapping "$D/mx_uif.map" \
  --topics sanction,crime >/dev/null
$P lists sources add us_ofac_cons --format ofac_csv --location "$OFAC" --shrink 0.05 >/dev/null
assert_rc $? 0 "sources add"
$P lists sources add Bad-Name --format ofac_xml --location x 2>/dev/null
assert_rc $? 3 "a source name with capitals and '-' is refused"
$P lists sources add x --format pdf --location x 2>/dev/null
assert_rc $? 3 "an unknown format is refused"
assert_eq "$($P lists sources list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 7 \
  "seven sources listed"

out=$($P lists update 2>&1)
assert_rc $? 0 "lists update loads every source"
assert_contains "$out" "us_ofac_xml: version" "the OFAC XML version is reported"
$P export ftm > "$TMP/all.jsonl" 2>/dev/null
python3 - "$TMP/all.jsonl" <<'PY' && ok "each importer: names, aliases, dates, ids, programs, topics" || nok "importer contents"
import json, sys
E = {}
for l in open(sys.argv[1]):
    e = json.loads(l); E[e["id"]] = e
def p(i, k): return E[i]["properties"].get(k, [])
errs = []
def check(cond, what):
    if not cond: errs.append(what)
# OFAC XML
g = "us_ofac_xml-7263"
check(p(g, "name") == ["GUZMAN LOERA, Joaquin"], "ofac name")
check("GUZMAN LOERA, Joaquin Archivaldo" in p(g, "alias") and p(g, "weakAlias") == ["EL CHAPO"], "ofac aliases")
check(p(g, "birthDate") == ["1957-04-04"] and p(g, "nationality") == ["mx"], "ofac dob/nationality")
check(p(g, "passportNumber") == ["A0123456"] and p(g, "idNumber") == ["GULJ570404HSLZRQ05"], "ofac ids")
check(set(p(g, "program")) == {"SDNTK", "ILLICIT-DRUGS-EO14059"} and p(g, "topics") == ["sanction"], "ofac programs")
check(E["us_ofac_xml-9702"]["schema"] == "Vessel" and p("us_ofac_xml-9702", "imoNumber") == ["9123456"], "ofac vessel")
check(p("us_ofac_xml-7263-sanction", "entity") == [g], "ofac sanction entity")
# UN
z = "un_sc-QDi.006"
check(p(z, "name") == ["AYMAN MUHAMMED RABI AL-ZAWAHIRI"] and p(z, "weakAlias") == ["Abu Mohammed"], "un names")
check(p(z, "birthDate") == ["1951-06-19"] and p(z, "passportNumber") == ["1084010"], "un dob/passport")
check(p("un_sc-QDi.299", "birthDate") == ["1971"] and p("un_sc-QDe.004", "alias") == ["The Base", "Al Qaeda"], "un year/entity")
check(p(z, "program") == ["Al-Qaida"] and p("un_sc-QDi.006-sanction", "listingDate") == ["2001-01-25"], "un program")
# EU XML and CSV give the same designations
for ds in ("eu_fsf", "eu_fsf_csv"):
    s = ds + "-13"
    check(p(s, "name") == ["Saddam Hussein Al-Tikriti"] and p(s, "birthDate") == ["1937-04-28"], ds + " person")
    check(p(s, "program") == ["IRQ"] and p(s, "gender") == ["male"], ds + " program/gender")
    check("KOMID" in p(ds + "-5823", "alias") and E[ds + "-5823"]["schema"] == "Organization", ds + " entity")
check(p("eu_fsf-13", "weakAlias") == ["Abu Ali"], "eu weak alias")
# UK
u = "gb_hmt-14810"
check(p(u, "name") == ["Vladimir Vladimirovich PUTIN"] and p(u, "birthDate") == ["1952-10-07"], "uk name/dob")
check(p("gb_hmt-14860", "weakAlias") == ["PMC WAGNER"] and p(u, "program") == ["Russia"], "uk alias/regime")
# generic CSV (UIF)
m = "mx_uif-UIF-0001"
check(E[m]["schema"] == "Person" and E["mx_uif-UIF-0002"]["schema"] == "Company", "generic schema map")
check(p(m, "alias") == ["EL NARCO DE NARCOS", "RAFA CARO"] and p(m, "birthDate") == ["1952-10-24"], "generic alias/dob")
check(p(m, "topics") == ["sanction", "crime"] and p(m, "idNumber") == ["CAQR521024HSLRNF09"], "generic topics/id")
# OFAC legacy CSV (consolidated, non-SDN) keeps OFAC's ids
cons = [e for e in E.values() if e["datasets"] == ["us_ofac_cons"] and e["schema"] != "Sanction"]
check(len(cons) >= 20 and all(e["id"].startswith("ofac-") for e in cons), "ofac csv ids")
check(all("sanction" in e["properties"].get("topics", []) for e in cons if e["schema"] in ("Person", "Organization")), "ofac csv topics")
if errs:
    print("\n".join(errs)); sys.exit(1)
PY
vers=$($P lists versions --json)
python3 - "$vers" <<'PY' && ok "one version per source, with publication date, sha256 and counts" || nok "versions: $vers"
import json, sys
v = {x["source"]: x for x in json.loads(sys.argv[1])}
assert len(v) == 7
assert v["us_ofac_xml"]["published"] == "2024-11-28" and v["us_ofac_xml"]["entities"] == 6
assert v["un_sc"]["published"] == "2024-11-27" and v["eu_fsf"]["published"] == "2024-11-29"
assert v["gb_hmt"]["published"] == "2024-11-28" and v["mx_uif"]["published"] == ""
assert all(len(x["sha256"]) == 64 and x["added"] == x["entities"] for x in v.values())
PY

# ---- refusals: the store and the previous version stay ----
count() { $P stats 2>/dev/null | tail -1; }
nver() { $P lists versions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
before=$(count)
head -c 2000 "$D/ofac_sdn.xml" > "$TMP/cut.xml"
err=$($P lists update --source us_ofac_xml --file "$TMP/cut.xml" 2>&1)
assert_rc $? 3 "a cut-off XML export is refused (exit 3)"
assert_contains "$err" "not well-formed XML" "the refusal says why"
assert_contains "$err" "cut.xml:" "and names the file and line"
head -c 700 "$D/uk_conlist.csv" > "$TMP/cut.csv"
err=$($P lists update --source gb_hmt --file "$TMP/cut.csv" 2>&1)
assert_rc $? 3 "a CSV export whose last line is cut is refused"
assert_contains "$err" "cut off" "the CSV refusal says it is cut off"
sed 's/<Record_Count>3</<Record_Count>4</' "$D/ofac_sdn.xml" > "$TMP/count.xml"
err=$($P lists update --source us_ofac_xml --file "$TMP/count.xml" 2>&1)
assert_rc $? 3 "fewer records than the file's own count is refused"
assert_contains "$err" "declares 4 records but holds 3" "the count refusal names both numbers"
mkdir -p "$TMP/small"
head -n 40 "$OFAC/cons_prim.csv" > "$TMP/small/cons_prim.csv"
python3 - "$OFAC" "$TMP/small" <<'PY'   # a consistent shorter release: the rows of the kept entries
import csv, sys
src, dst = sys.argv[1], sys.argv[2]
keep = {r[0] for r in csv.reader(open(dst + "/cons_prim.csv", encoding="latin-1")) if r}
for n in ("cons_alt.csv", "cons_add.csv", "cons_comments.csv"):
    with open(src + "/" + n, encoding="latin-1", newline="") as f, open(dst + "/" + n, "w", encoding="latin-1", newline="") as g:
        w = csv.writer(g)
        for r in csv.reader(f):
            if r and r[0] in keep:
                w.writerow(r)
PY
err=$($P lists update --source us_ofac_cons --file "$TMP/small" 2>&1)
assert_rc $? 3 "a list that shrinks by more than the source's share is refused"
assert_contains "$err" "would remove" "the shrink refusal gives the numbers"
assert_eq "$(count)" "$before" "the store is unchanged after the refusals"
assert_eq "$(nver)" 7 "no version was recorded for a refused update"

# ---- the delta ----
python3 - "$D/ofac_sdn.xml" "$TMP/v2.xml" <<'PY'
import sys
s = open(sys.argv[1]).read()
s = s.replace("04 Apr 1957", "04 Apr 1958")                      # changed
i = s.index("  <sdnEntry>\n    <uid>9702"); j = s.index("</sdnEntry>", i) + len("</sdnEntry>\n")
s = s[:i] + s[j:]                                                  # removed
s = s.replace("</sdnList>", "  <sdnEntry>\n    <uid>99001</uid>\n    <lastName>NEW EXAMPLE TRADING</lastName>\n"
              "    <sdnType>Entity</sdnType>\n    <programList><program>SDNTK</program></programList>\n"
              "  </sdnEntry>\n</sdnList>")                         # added
open(sys.argv[2], "w").write(s)
PY
out=$($P lists update --source us_ofac_xml --file "$TMP/v2.xml")
assert_rc $? 0 "the second version loads"
assert_contains "$out" "2 added, 2 removed, 1 changed" "its delta counts (entity + its Sanction)"
v2=$($P lists versions --source us_ofac_xml --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
d=$($P lists diff "$v2" --format csv)
assert_contains "$d" "us_ofac_xml-99001,added,Organization,NEW EXAMPLE TRADING" "diff: the added entity"
assert_contains "$d" "us_ofac_xml-9702,removed,Vessel,SEA GLORY" "diff: the removed entity keeps its caption"
assert_contains "$d" "us_ofac_xml-7263,changed,Person" "diff: the changed entity"
assert_eq "$($P lists diff "$v2" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 5 \
  "diff as JSON: five changes"
$P export ftm 2>/dev/null | grep -q '"us_ofac_xml-9702"'
assert_rc $? 1 "the delisted vessel is gone from the store"
$P lists update --source us_ofac_xml >/dev/null   # back to the fixture
v3=$($P lists versions --source us_ofac_xml --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
v1=$($P lists versions --source us_ofac_xml --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
assert_eq "$($P lists diff "$v1" "$v3" --format csv | tail -n +2 | wc -l)" 0 "v1 to v3 composes to no change"
$P lists diff "$v3" "$v1" 2>/dev/null
assert_rc $? 3 "diff with the newer version first is refused"

# ---- --force past the shrink guard ----
out=$($P lists update --source us_ofac_cons --file "$TMP/small" --force 2>&1)
assert_rc $? 0 "--force loads the shrunken list"
assert_contains "$out" "(forced)" "and says it was forced"

# ---- update from an http URL (a local python http.server) ----
mkdir -p "$TMP/www"
cp "$D/un_consolidated.xml" "$TMP/www/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$TMP/www" >/dev/null 2>&1 &
srv=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
$P lists sources add un_web --format un_xml --location "http://127.0.0.1:$port/un_consolidated.xml" >/dev/null
out=$($P lists update --source un_web 2>&1)
assert_rc $? 0 "update from an http URL"
assert_contains "$out" "6 entities, 6 added" "the downloaded list is loaded"
sha_file=$(sha256sum "$D/un_consolidated.xml" | cut -d' ' -f1)
assert_contains "$($P lists versions --source un_web)" "$sha_file" "the version records the sha256 of the bytes"
$P lists sources add un_404 --format un_xml --location "http://127.0.0.1:$port/missing.xml" >/dev/null
err=$($P lists update --source un_404 2>&1)
assert_rc $? 1 "an HTTP 404 is an error"
assert_contains "$err" "HTTP status 404" "naming the status"
kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null

# ---- the designated scope ----
cat > "$TMP/own.jsonl" <<'EOF'
{"id": "dea-own-1", "schema": "Company", "properties": {"name": ["CARTEL DE JALISCO NUEVA GENERACION"], "country": ["mx"]}, "owner": "DEA", "marking": "SHARED"}
EOF
$P import ftm "$TMP/own.jsonl" >/dev/null 2>&1
assert_rc $? 0 "an analyst's own company with a designated name"
hits=$($P screen --name "Cartel de Jalisco Nueva Generacion" --limit 20 | python3 -c '
import json,sys; print(" ".join(sorted(m["id"] for m in json.loads(sys.stdin.read())["results"] if m["match"])))')
assert_contains "$hits" "us_ofac_xml-26118" "the designated entity of the list matches"
assert_not_contains "$hits" "dea-own-1" "the analyst's own company does not match as designated"
hits=$($P screen --name "Cartel de Jalisco Nueva Generacion" --limit 20 --scope-topics all | python3 -c '
import json,sys; print(" ".join(sorted(m["id"] for m in json.loads(sys.stdin.read())["results"] if m["match"])))')
assert_contains "$hits" "dea-own-1" "--scope-topics all screens every entity"
hits=$($P screen --name "Rafael Caro Quintero" --scope-datasets un_sc | python3 -c '
import json,sys; print(len([m for m in json.loads(sys.stdin.read())["results"] if m["match"]]))')
assert_eq "$hits" 0 "--scope-datasets un_sc: the UIF entry does not count"
hits=$($P screen --name "Rafael Caro Quintero" --scope-topics crime | python3 -c '
import json,sys; print(" ".join(m["id"] for m in json.loads(sys.stdin.read())["results"] if m["match"]))')
assert_contains "$hits" "mx_uif-UIF-0001" "--scope-topics crime finds the UIF entry"
$P screen --name x --scope-topics "a,,b" >/dev/null 2>&1
assert_rc $? 2 "an empty scope item is a usage error"

# cargo: a designated consignee holds the shipment, the analyst's own does not
mk_line() {
  printf '{"awb":"%s","hawb":"H1","shipper_name":"Acme Ltd","shipper_address":"1 Road","shipper_country":"CN","consignee_name":"%s","consignee_address":"Calle 1","consignee_country":"MX","notify_name":"","notify_address":"","description":"Cotton T-shirts","hs_code":"6109.10","pieces":"1","weight_kg":"10","value_usd":"100","origin":"PVG","origin_country":"CN","transshipment":"","destination":"MEX","destination_country":"MX","carrier":"X","forwarder":"Y","departure_date":"2026-01-04","arrival_date":"2026-01-05"}\n' "$1" "$2"
}
{ mk_line 020-00000001 "Comercializadora Ejemplo del Pacifico SA de CV"; mk_line 020-00000002 "Cartel de Jalisco Nueva Generacion SA"; } > "$TMP/m.jsonl"
$P cargo screen "$TMP/m.jsonl" --format json --dry-run --input-order --out "$TMP/r.jsonl" 2>/dev/null
python3 - "$TMP/r.jsonl" <<'PY' && ok "cargo holds on a designated party of the lists" || nok "cargo on a designated party: $(cat "$TMP/r.jsonl" | head -c 600)"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert r[0]["decision"] == "hold", r[0]
PY
# a store with the analyst's company and a designation list without that name
DB3=$(test_store own3.db)
PUENTE_DB=$DB3 $P import ftm "$TMP/own.jsonl" >/dev/null 2>&1
PUENTE_DB=$DB3 $P lists sources add un_sc --format un_xml --location "$D/un_consolidated.xml" >/dev/null
PUENTE_DB=$DB3 $P lists update >/dev/null
mk_line 020-00000003 "Cartel de Jalisco Nueva Generacion" > "$TMP/m2.jsonl"
PUENTE_DB=$DB3 $P cargo screen "$TMP/m2.jsonl" --format json --dry-run --out "$TMP/r2.jsonl" 2>"$TMP/r2.err"
python3 - "$TMP/r2.jsonl" <<'PY' && ok "cargo does not hold on the analyst's own company" || nok "cargo held on an analyst's record: $(head -c 600 "$TMP/r2.jsonl") $(head -c 300 "$TMP/r2.err")"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert "dea-own-1" not in json.dumps(r[0]) and r[0]["decision"] != "hold", r[0]
PY
# ---- the UK's XML publications (uk_xml): the UK Sanctions List and OFSI's ConList.xml ----
DB4=$(test_store uk.db)
U() { PUENTE_DB=$DB4 $P "$@"; }
U lists sources add gb_uksl --format uk_xml --location "$D/uk_sanctions_list.xml" >/dev/null
U lists sources add gb_ofsi --format uk_xml --location "$D/uk_conlist.xml" >/dev/null
assert_rc $? 0 "uk_xml sources add"
err=$(U lists update --source gb_uksl 2>&1)
assert_rc $? 7 "the UK Sanctions List loads; its record without an id is skipped (exit 7)"
assert_contains "$err" "uk_sanctions_list.xml:167" "the skipped record is named by file:line"
assert_contains "$err" "UniqueID" "and by its field"
U lists update --source gb_ofsi >/dev/null 2>&1
assert_rc $? 0 "OFSI's ConList.xml loads"
U lists versions --json > "$TMP/ukv.json"
U export ftm > "$TMP/uk.jsonl" 2>/dev/null
python3 - "$TMP/uk.jsonl" "$TMP/ukv.json" <<'PY' && ok "uk_xml: names, aliases, dates, ids, ship, programs, publication dates" || nok "uk_xml contents"
import json, sys
E = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[1])}
V = {v["source"]: v for v in json.load(open(sys.argv[2]))}
def p(i, k): return E[i]["properties"].get(k, [])
errs = []
def check(c, what):
    if not c: errs.append(what)
u = "gb_uksl-RUS0251"
check(p(u, "name") == ["Vladimir Vladimirovich PUTIN"] and "Vladimir POUTINE" in p(u, "alias"), "uksl names")
check("Владимир Владимирович ПУТИН" in p(u, "alias"), "uksl non-latin name")
check(p(u, "birthDate") == ["1952-10-07"] and p(u, "nationality") == ["ru"] and p(u, "gender") == ["male"], "uksl person")
z = "gb_uksl-AQD0114"
check(p(z, "weakAlias") == ["Abu Mohammed"] and p(z, "passportNumber") == ["1084010"] and p(z, "idNumber") == ["19820"], "uksl ids")
check(E["gb_uksl-RUS1921"]["schema"] == "Vessel" and p("gb_uksl-RUS1921", "imoNumber") == ["9339301"], "uksl ship")
check(p("gb_uksl-RUS0283-sanction", "program") == ["Russia"] and p("gb_uksl-RUS0283-sanction", "listingDate") == ["2022-03-15"], "uksl sanction")
check(p("gb_ofsi-14810", "name") == ["Vladimir Vladimirovich PUTIN"] and "Vladimir POUTINE" in p("gb_ofsi-14810", "alias"), "ofsi grouped rows")
check(p("gb_ofsi-14860", "weakAlias") == ["PMC WAGNER"] and p("gb_ofsi-14860", "topics") == ["sanction"], "ofsi alias quality")
check(V["gb_uksl"]["published"] == "2024-11-28" and V["gb_uksl"]["entities"] == 8, "uksl version %s" % V.get("gb_uksl"))
check(V["gb_ofsi"]["published"] == "2024-11-28" and V["gb_ofsi"]["entities"] == 6, "ofsi version %s" % V.get("gb_ofsi"))
if errs: sys.exit("; ".join(errs))
PY
head -c 3000 "$D/uk_sanctions_list.xml" > "$TMP/uk-cut.xml"
err=$(U lists update --source gb_uksl --file "$TMP/uk-cut.xml" 2>&1)
assert_rc $? 3 "a cut-off UK XML export is refused (exit 3)"
assert_contains "$err" "uk-cut.xml:" "the refusal names the file and line"
assert_eq "$(U lists versions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2 "the refused load recorded no version"
out=$(U screen --name "Vladimir Putin" --schema Person)
assert_contains "$out" "gb_uksl-RUS0251" "a UK designation is screened as designated"
finish
