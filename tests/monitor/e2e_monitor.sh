#!/usr/bin/env bash
# End-to-end: puente ownership (the OFAC 50 % rule), puente monitor (customer
# lists, runs on the delta, the review queue with four eyes). docs/monitor.md
source "${PUENTE_SRC:-.}/tests/lib.sh"
export PUENTE_DB="$(test_store e2e.db)"
P() { "$PUENTE" "$@"; }

P import ftm "$SRC/tests/monitor/owners.jsonl" >/dev/null 2>&1
assert_rc $? 0 "import designated entities, companies and relationships (FtM)"

# --- relationships load and show ---------------------------------------------
out=$(P entity get own-chain); assert_rc $? 0 "an Ownership is an entity"
assert_contains "$out" '"asset":["co-chain"]' "its asset points at the company"
out=$(P stats); assert_contains "$out" "Directorship" "Directorship loads"
assert_contains "$out" "Family" "Family loads"

# --- the 50 % rule -------------------------------------------------------------
out=$(P ownership co-chain); assert_rc $? 0 "ownership of a company held through a chain"
assert_contains "$out" "BLOCKED BY OWNERSHIP" "60 % x 90 % through a holding is blocked"
assert_contains "$out" "54.0%" "the look-through share is the product along the chain"
assert_contains "$out" "Holding Intermedia SA (co-hold) owns 90.0% of Cadena Logistica SA" "the chain explains who owns what"
out=$(P ownership co-two --json); assert_contains "$out" '"blocked": true' "30 % + 25 % add up"
out=$(P ownership co-cyc-a); assert_contains "$out" "not blocked" "a cycle ends and 40 % is not enough"
out=$(P ownership co-hidden --agency DEA --country US); assert_contains "$out" "BLOCKED" "DEA counts its own record (70 %)"
out=$(P ownership co-hidden --agency CBP --country US); assert_contains "$out" "not blocked" "CBP does not see DEA's record (30 %)"
assert_not_contains "$out" "own-hidden]" "and no trace of it in the chains"
P ownership no-such-company >/dev/null 2>&1; assert_rc $? 4 "an unknown entity is not found"
out=$(P screen --name "Cadena Logistica" --schema Company)
assert_contains "$out" '"blocked_by_ownership":{"entity_id":"co-chain","blocked":true' "a screened company carries blocked_by_ownership"
out=$(P screen --name "Circulo A" --schema Company); assert_not_contains "$out" "blocked_by_ownership" "a company under 50 % carries none"

# --- cargo's designated-party check applies the 50 % rule (as `puente screen` does) ---
cargo_line() {
  printf '{"awb":"%s","hawb":"H1","shipper_name":"Acme Textiles Ltd","shipper_address":"1 Road","shipper_country":"CN","consignee_name":"%s","consignee_address":"Calle 1","consignee_country":"MX","notify_name":"","notify_address":"","description":"Cotton T-shirts","hs_code":"6109.10","pieces":"1","weight_kg":"10","value_usd":"100","origin":"PVG","origin_country":"CN","transshipment":"","destination":"MEX","destination_country":"MX","carrier":"X","forwarder":"Y","departure_date":"2026-01-04","arrival_date":"2026-01-05"}\n' "$1" "$2"
}
{ cargo_line 020-10000001 "Cadena Logistica SA"; cargo_line 020-10000002 "Limpia SA"; cargo_line 020-10000003 "Oculta SA"; } > "$TMP/own-m.jsonl"
cargo_check() { # reader, expected decisions of the three lines, what the test says
  P cargo screen "$TMP/own-m.jsonl" --format json --dry-run --input-order --out "$TMP/own-r.jsonl" $1 2>"$TMP/own-r.err"
  python3 - "$TMP/own-r.jsonl" "$2" <<'PY' && ok "$3" || nok "$3: $(head -c 900 "$TMP/own-r.jsonl") $(head -c 300 "$TMP/own-r.err")"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
want = sys.argv[2].split(",")
assert [x["decision"] == "hold" for x in r] == [w == "hold" for w in want], [x["decision"] for x in r]
c = r[0]  # the chain: the designated company, the holding, the consignee, in that order
p = [x for x in c["parties"] if x["entity_id"] == "co-chain"][0]
t = p["blocked_by_ownership"]
assert "54.0%" in t and t.index("[sdn-frontera]") < t.index("[co-hold]") < t.index("[co-chain]"), t
assert "blocked by ownership" in c["reasons_text"] and "co-chain" in c["reasons_text"], c["reasons_text"]
assert not r[1]["parties"], r[1]  # an ownership that ended in 2019 blocks nothing
hidden = [x for x in r[2]["parties"] if x["entity_id"] == "co-hidden"]
if want[2] == "hold":
    assert "70.0%" in hidden[0]["blocked_by_ownership"], hidden
else:  # a link the reader cannot see never blocks, and leaves no trace
    assert not hidden and "own-hidden" not in json.dumps(r[2]) and "co-hidden" not in json.dumps(r[2]), r[2]
PY
}
cargo_check "--agency CBP --country US" hold,release,release \
  "cargo holds a consignee 54 % owned through a chain, with the chain; CBP does not see DEA's link"
cargo_check "--agency DEA --country US" hold,release,hold "DEA's own Ownership record blocks the hidden company for DEA"

# --- customer lists ---------------------------------------------------------------
DEA="--agency DEA --country US"
out=$(P monitor add clientes "$SRC/tests/monitor/customers.csv" $DEA); assert_rc $? 0 "monitor add"
assert_contains "$out" "5 read, 5 written" "the summary counts every record"
printf 'name,birth_date\nAna Ruiz,1980-02-30\n,1970-01-01\nLuis Mora,1971-03-01\n' > "$TMP/bad.csv"
out=$(P monitor add otra "$TMP/bad.csv" $DEA 2>&1); assert_rc $? 7 "bad records are refused, the rest kept (exit 7)"
assert_contains "$out" "bad.csv:2" "the error names the line"
assert_contains "$out" "birth_date" "and the field"
out=$(P monitor lists $DEA); assert_contains "$out" "clientes" "the list is listed for DEA"
out=$(P monitor lists --agency FGR --country MX); assert_not_contains "$out" "clientes" "an AGENCY-ONLY list is DEA's only"

# --- runs on the delta --------------------------------------------------------------
out=$(P monitor run clientes $DEA --json); assert_rc $? 0 "the first run"
first=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["alerts_opened"])')
assert_eq "$first" "3" "the first run screens everything: Guzman, the designated company, the company it owns 50 % of"
sleep 1 # entity.updated has whole seconds: what the next run's delta starts from is later than the import
out=$(P monitor run clientes $DEA --json)
assert_eq "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["alerts_opened"], d["full_screens"])')" "0 0" "an unchanged store opens nothing"
cat > "$TMP/new.jsonl" <<'J'
{"id":"sdn-lopez","schema":"Person","properties":{"name":["LOPEZ HERNANDEZ, Maria"],"birthDate":["1979-08-12"],"topics":["sanction"]}}
J
P import ftm "$TMP/new.jsonl" >/dev/null 2>&1
out=$(P monitor run clientes $DEA --json)
assert_eq "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["alerts_opened"], d["delta_entities"])')" "1 1" "a newly designated person: one alert, from a delta of one"
out=$(P monitor alerts --status open $DEA); assert_contains "$out" "sdn-lopez" "the new hit waits in the queue"
n=$(P monitor alerts --status open $DEA --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["alerts"]))')
assert_eq "$n" "4" "four open alerts"
out=$(P monitor alerts --status open $DEA --json)
assert_contains "$out" '"blocked_by_ownership"' "the hit on a company blocked by ownership carries the chain"
out=$(P monitor alerts --agency CBP --country US --json); assert_contains "$out" '"alerts": []' "another agency sees none"
id=$(P monitor alerts --status open $DEA --json | python3 -c 'import json,sys; print([a["id"] for a in json.load(sys.stdin)["alerts"] if a["entity_id"]=="sdn-guzman"][0])')

# --- four eyes -------------------------------------------------------------------------
P agency add DEA --name "Drug Enforcement Administration" --country US >/dev/null 2>&1
echo 'correct horse battery' | P user add ana.dea --agency DEA --role analyst --password-stdin --permanent >/dev/null
echo 'supervisor horse battery' | P user add sara.dea --agency DEA --role supervisor --password-stdin --permanent >/dev/null
ANA() { PUENTE_PASSWORD='correct horse battery' "$PUENTE" --user ana.dea "$@"; }
SARA() { PUENTE_PASSWORD='supervisor horse battery' "$PUENTE" --user sara.dea "$@"; }
out=$(ANA monitor decide "$id" true_match --note "same DOB" 2>&1); assert_rc $? 6 "deciding an unassigned alert is a conflict (exit 6)"
ANA monitor assign "$id" >/dev/null; assert_rc $? 0 "ana takes the alert"
out=$(SARA monitor decide "$id" true_match --note "x" 2>&1); assert_rc $? 5 "only the assignee decides (exit 5)"
ANA monitor decide "$id" true_match >/dev/null 2>&1; assert_rc $? 3 "a decision needs a note (exit 3)"
ANA monitor decide "$id" true_match --note "same DOB and CURP" >/dev/null; assert_rc $? 0 "ana decides: true match"
out=$(ANA monitor confirm "$id" 2>&1); assert_rc $? 5 "the decider cannot confirm (exit 5)"
assert_contains "$out" "four eyes" "the refusal says why"
out=$(SARA monitor confirm "$id" --note "checked the file"); assert_rc $? 0 "a supervisor confirms"
out=$(P monitor show "$id" $DEA --json)
assert_contains "$out" '"status": "closed"' "the confirmed true match is closed"
assert_contains "$out" '"confirmed_by": "sara.dea"' "by the second reviewer"
assert_contains "$out" '"decided_by": "ana.dea"' "decided by the first"
hist=$(printf '%s' "$out" | python3 -c 'import json,sys; print(",".join(h["action"] for h in json.load(sys.stdin)["history"]))')
assert_eq "$hist" "opened,assigned,true_match,confirmed" "every step is in the alert's history"
aud=$(P audit export 2>/dev/null | grep -c '"action":"cli.monitor","targets":"confirm,')
[ "$aud" -ge 2 ] && ok "the refused and the accepted confirmation are audited" || nok "confirmations audited ($aud)"

# a false positive closes and suppresses the pair for that exact subject
fp=$(P monitor alerts --status open $DEA --json | python3 -c 'import json,sys; print([a["id"] for a in json.load(sys.stdin)["alerts"] if a["entity_id"]=="sdn-lopez"][0])')
ANA monitor assign "$fp" >/dev/null && ANA monitor decide "$fp" false_positive --note "other Maria: different CURP" >/dev/null
assert_rc $? 0 "a false positive"
out=$(P review list $DEA); assert_contains "$out" "maria lopez hernandez|1979-08-12|" "it is a reviewed decision keyed on the subject in order"
finish
