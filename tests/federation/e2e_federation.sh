#!/usr/bin/env bash
# Two-country federation end to end (docs/federation.md): two PostgreSQL
# clusters on loopback (wal_level = logical), both migrated, `puente
# federation init`, records of every marking loaded on each side through the
# CLI and the API, then row by row: each node holds exactly what the rule
# lets it hold; a SHARED record re-marked US-ONLY is withdrawn from MX and
# comes back when re-marked SHARED; a write to a replica on the foreign node
# is refused (CLI and API) with a message naming the home node; each node's
# trail records its own reads of replicas; `federation status` shows the
# lag while a subscription is stopped; init is idempotent; SQLite is refused.
# Needs PostgreSQL (skipped otherwise); it starts its own clusters, so it runs
# in the first pass of `make check` and skips in the PostgreSQL pass.
source "$(dirname "$0")/../lib.sh"
[ -z "${PUENTE_TEST_DB:-}" ] || { echo "skip: runs once, in the first pass (it starts its own two clusters)"; exit 77; }
CLUSTER="$SRC/scripts/pg-test-cluster.sh"
"$CLUSTER" available || { echo "skip: PostgreSQL is not installed"; exit 77; }
PSQL="$("$CLUSTER" bindir)/psql"
export PUENTE_AUDIT_JOURNAL=commit
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  "$CLUSTER" stop "$TMP/us" >/dev/null 2>&1
  "$CLUSTER" stop "$TMP/mx" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT
US=$(PG_TEST_LOGICAL=1 "$CLUSTER" start "$TMP/us") || { echo "cannot start the US cluster"; exit 1; }
MX=$(PG_TEST_LOGICAL=1 "$CLUSTER" start "$TMP/mx") || { echo "cannot start the MX cluster"; exit 1; }
sql() { "$PSQL" -qAtX -d "$1" -c "$2"; }
p() { "$PUENTE" "$@"; }

# ---- SQLite is refused, with a reason ----
p agency seed --db "$TMP/lite.db" >/dev/null
out=$(p federation status --db "$TMP/lite.db" 2>&1); rc=$?
assert_rc $rc 3 "federation status on an SQLite store is refused"
assert_contains "$out" "federation needs PostgreSQL" "the message says why"
cat >"$TMP/bad.json" <<EOF
{"nodes": [{"name": "us", "country": "US", "uri": "$TMP/lite.db"}, {"name": "mx", "country": "MX", "uri": "$MX"}]}
EOF
out=$(p federation init --config "$TMP/bad.json" 2>&1); rc=$?
assert_rc $rc 3 "a config naming an SQLite store is refused"
assert_contains "$out" "nodes[0].uri" "the message names the field"

# ---- two nodes, their agencies, data of every marking on each side ----
p agency seed --db "$US" >/dev/null && p agency seed --db "$MX" >/dev/null
# owner marking id: the US node's records (DEA, CBP) and MX's (FGR, UIF);
# one owner-less public list record on each side (each imports its own)
rec() { # id owner marking name dataset
  local owner=""; [ -n "$2" ] && owner=",\"owner\":\"$2\""
  printf '{"id":"%s","schema":"Person","properties":{"name":["%s"]},"datasets":["%s"]%s,"marking":"%s"}\n' \
    "$1" "$4" "$5" "$owner" "$3"
}
{
  rec dea-pub DEA PUBLIC "Uno Publico" dea_cases
  rec dea-shared DEA SHARED "Dos Compartido" dea_cases
  rec dea-us DEA US-ONLY "Tres Nacional" dea_cases
  rec dea-agency DEA AGENCY-ONLY "Cuatro Interno" dea_cases
  rec cbp-shared CBP SHARED "Cinco Frontera" cbp_holds
  rec cbp-us CBP US-ONLY "Seis Frontera" cbp_holds
  rec us-list "" PUBLIC "Lista Norte" us_list
} >"$TMP/us.json"
{
  rec fgr-pub FGR PUBLIC "Siete Publico" fgr_casos
  rec fgr-shared FGR SHARED "Ocho Compartido" fgr_casos
  rec fgr-mx FGR MX-ONLY "Nueve Nacional" fgr_casos
  rec fgr-agency FGR AGENCY-ONLY "Diez Interno" fgr_casos
  rec uif-shared UIF SHARED "Once Financiero" uif_reportes
  rec mx-list "" PUBLIC "Lista Sur" mx_list
} >"$TMP/mx.json"
p import ftm "$TMP/us.json" --db "$US" >/dev/null; assert_rc $? 0 "US records imported on the US node"
p import ftm "$TMP/mx.json" --db "$MX" >/dev/null; assert_rc $? 0 "MX records imported on the MX node"

# status before init: not a node
out=$(p federation status --db "$US" --json)
assert_contains "$out" '"federated":false' "a store before init is no node"
assert_contains "$out" '"wal_level":"logical"' "status shows the wal_level"

cat >"$TMP/fed.json" <<EOF
{"nodes": [{"name": "us", "country": "US", "uri": "$US"},
           {"name": "mx", "country": "MX", "uri": "$MX", "peer_uri": "$MX"}]}
EOF
out=$(p federation init --config "$TMP/fed.json" 2>&1); rc=$?
assert_rc $rc 0 "federation init"
assert_contains "$out" "node mx (MX): subscribed to puente_us" "init reports the subscriptions"

# one record through the API on each node after init (the normal write path)
start_server() { # db -> SERVER_PID, PORT
  # the binary itself in the background (not the p function: $! would be a subshell)
  "$PUENTE" serve --listen 127.0.0.1:0 --db "$1" --audit-journal commit >"$TMP/serve.log" 2>&1 &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*listening on https\{0,1\}:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/serve.log" | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
  done
  [ -n "$PORT" ] || { echo "server did not start: $(cat "$TMP/serve.log")"; }
}
stop_server() { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
api() { # token method path [body] -> prints "CODE BODY"
  local body=${4:-}
  curl -s -o "$TMP/resp" -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    ${body:+--data "$body"} "http://127.0.0.1:$PORT$3"
  printf ' %s' "$(cat "$TMP/resp")"
}
p user add dea_analyst --agency DEA --role analyst --db "$US" >/dev/null
DEA_TOKEN=$(p token create dea_analyst --db "$US")
start_server "$US"
out=$(api "$DEA_TOKEN" POST /api/v1/entities '{"id":"api-1","schema":"Person","properties":{"name":["Doce Api"]},"marking":"SHARED"}')
assert_contains "$out" "201 " "a DEA analyst files a SHARED record through the US node's API"
stop_server

# ---- the rule's oracle: what each node may hold ----
# A record written on node N stays on N; it is also on the other node when it
# has an owner and its marking is one the other country's agencies may see.
releases_to() { # country marking -> 0 when released
  case "$2" in PUBLIC|SHARED) return 0 ;; US-ONLY) [ "$1" = US ] ;; MX-ONLY) [ "$1" = MX ] ;; *) return 1 ;; esac
}
expected() { # node-country
  local home
  for f in "$TMP/us.json" "$TMP/mx.json"; do
    home=US; [ "$f" = "$TMP/mx.json" ] && home=MX
    python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l); print(r["id"], r.get("owner", ""), r["marking"], sep="|")' "$f" |
    while IFS='|' read -r id owner marking; do
      if [ "$home" = "$1" ]; then echo "$id|$marking"
      elif [ -n "$owner" ] && releases_to "$1" "$marking"; then echo "$id|$marking"; fi
    done
  done
  [ "$1" = US ] && echo "dea-api-1|SHARED"
  [ "$1" = MX ] && echo "dea-api-1|SHARED"
  return 0
}
want_us=$(expected US | sort); want_mx=$(expected MX | sort)
wait_for() { # db sql expected: poll until the query returns expected (30 s)
  local got=""
  for _ in $(seq 1 150); do
    got=$(sql "$1" "$2")
    [ "$got" = "$3" ] && { printf '%s' "$got"; return 0; }
    sleep 0.2
  done
  printf '%s' "$got"
}
rows="SELECT id || '|' || marking FROM entity ORDER BY 1"
got=$(wait_for "$MX" "$rows" "$want_mx")
assert_eq "$got" "$want_mx" "MX holds exactly its own records and the US records released to MX"
got=$(wait_for "$US" "$rows" "$want_us")
assert_eq "$got" "$want_us" "US holds exactly its own records and the MX records released to US"
assert_eq "$(sql "$MX" "SELECT count(*) FROM entity WHERE marking IN ('US-ONLY','AGENCY-ONLY') AND home = 'us'")" 0 \
  "no US-ONLY or AGENCY-ONLY record of the US node on MX"
assert_eq "$(sql "$US" "SELECT count(*) FROM entity WHERE marking IN ('MX-ONLY','AGENCY-ONLY') AND home = 'mx'")" 0 \
  "no MX-ONLY or AGENCY-ONLY record of the MX node on US"
assert_eq "$(sql "$MX" "SELECT count(*) FROM entity WHERE id = 'us-list'")" 0 "owner-less list records stay on their node"
assert_eq "$(sql "$MX" "SELECT string_agg(owner || ':' || home, ',' ORDER BY id) FROM entity WHERE home = 'us'")" \
  "CBP:us,DEA:us,DEA:us,DEA:us" "replicas on MX keep their owner and their home node"
# the replica's dataset membership was rebuilt, and reads work through the normal path
assert_eq "$(sql "$MX" "SELECT dataset FROM entity_dataset WHERE entity_id = 'dea-shared'")" "dea_cases" \
  "entity_dataset rebuilt on MX for a replica"
out=$(p export ftm --dataset dea_cases --agency FGR --country MX --db "$MX" 2>/dev/null | python3 -c 'import json,sys
print(",".join(sorted(json.loads(l)["id"] for l in sys.stdin)))')
assert_eq "$out" "dea-pub,dea-shared" "MX reads US replicas by dataset (only what MX may see)"

# ---- each node audits its own reads of replicas ----
out=$(p entity get dea-shared --agency FGR --country MX --db "$MX"); rc=$?
assert_rc $rc 0 "an FGR reader on MX reads the replicated SHARED record"
assert_contains "$out" '"owner":"DEA"' "the replica carries its owner"
assert_eq "$(sql "$MX" "SELECT agency || ' ' || outcome FROM audit_log WHERE action = 'cli.entity' AND targets LIKE '%dea-shared%'")" \
  "FGR success" "MX's trail records MX's read of the replica"
assert_eq "$(sql "$US" "SELECT count(*) FROM audit_log WHERE agency = 'FGR'")" 0 "US's trail has no entry of MX's reads"
p entity get dea-us --agency FGR --country MX --db "$MX" >/dev/null 2>&1
assert_rc $? 4 "a US-ONLY record is not found on MX"

# ---- writes to a replica on the foreign node are refused ----
rec dea-shared DEA SHARED "Cambiado En Mexico" dea_cases >"$TMP/w.json"
out=$(p import ftm "$TMP/w.json" --db "$MX" 2>&1); rc=$?
assert_rc $rc 5 "the MX operator cannot overwrite a US record (CLI)"
assert_contains "$out" "records of DEA are written on its home node (US)" "the message names the home node"
assert_eq "$(sql "$MX" "SELECT caption FROM entity WHERE id = 'dea-shared'")" "Dos Compartido" "the replica is unchanged"
p user add dea_mx --agency DEA --role supervisor --db "$MX" >/dev/null
TOKEN=$(p token create dea_mx --db "$MX")
start_server "$MX"
out=$(api "$TOKEN" PUT /api/v1/entities/dea-shared '{"schema":"Person","properties":{"name":["Cambio Api"]},"marking":"SHARED"}')
assert_contains "$out" "403 " "a DEA account on the MX node cannot update the replica through the API"
assert_contains "$out" "home node (US)" "the API says where to change it"
out=$(api "$TOKEN" DELETE /api/v1/entities/dea-shared)
assert_contains "$out" "403 " "nor delete it"
out=$(curl -s "http://127.0.0.1:$PORT/api/v1/health")
python3 - "$out" <<'EOF' && ok "the health route carries the node's replication state" || nok "health: $out"
import json, sys
h = json.loads(sys.argv[1])
f = h["federation"]
assert h["status"] == "ok" and f["node"] == "mx" and f["receiving"] is True and f["apply_errors"] == 0, h
assert isinstance(f["lag_bytes"], int) and f["lag_bytes"] >= 0 and f["peer_connected"] is True, h
EOF
stop_server
assert_eq "$(sql "$MX" "SELECT count(*) FROM entity WHERE id = 'dea-shared'")" 1 "the replica is still there"

# ---- changes at home travel; a re-marking to US-ONLY withdraws the replica ----
rec dea-shared DEA SHARED "Dos Cambiado" dea_cases >"$TMP/u.json"
p import ftm "$TMP/u.json" --db "$US" >/dev/null
assert_eq "$(wait_for "$MX" "SELECT caption FROM entity WHERE id = 'dea-shared'" "Dos Cambiado")" "Dos Cambiado" \
  "an update at home reaches the replica"
rec dea-shared DEA US-ONLY "Dos Cambiado" dea_cases >"$TMP/u.json"
p import ftm "$TMP/u.json" --db "$US" >/dev/null
assert_eq "$(wait_for "$MX" "SELECT count(*) FROM entity WHERE id = 'dea-shared'" 0)" 0 \
  "re-marked US-ONLY at home: withdrawn from MX"
assert_eq "$(sql "$MX" "SELECT count(*) FROM entity_dataset WHERE entity_id = 'dea-shared'")" 0 \
  "its dataset rows are gone from MX too"
assert_eq "$(sql "$US" "SELECT marking FROM entity WHERE id = 'dea-shared'")" "US-ONLY" "it stays at home, US-ONLY"
rec dea-shared DEA SHARED "Dos Cambiado" dea_cases >"$TMP/u.json"
p import ftm "$TMP/u.json" --db "$US" >/dev/null
assert_eq "$(wait_for "$MX" "SELECT marking FROM entity WHERE id = 'dea-shared'" SHARED)" SHARED \
  "re-marked SHARED again: back on MX"
rec fgr-shared FGR AGENCY-ONLY "Ocho Compartido" fgr_casos >"$TMP/u.json"
p import ftm "$TMP/u.json" --db "$MX" >/dev/null
assert_eq "$(wait_for "$US" "SELECT count(*) FROM entity WHERE id = 'fgr-shared'" 0)" 0 \
  "re-marked AGENCY-ONLY on MX: withdrawn from US"

# ---- no loop, no error; status shows the lag while a subscriber is stopped ----
out=$(p federation status --config "$TMP/fed.json" --json)
python3 - "$out" <<'EOF' && ok "status: both nodes federated, subscriptions running, copy done, no apply error" || nok "status (see above)"
import json, sys
nodes = json.loads(sys.argv[1])["nodes"]
assert [n["node"] for n in nodes] == ["us", "mx"], nodes
for n in nodes:
    assert n["federated"] and n["publication"]["name"] == "puente_" + n["node"], n
    (s,) = n["subscriptions"]
    assert s["enabled"] and s["running"] and s["tables_ready"] and s["apply_errors"] == 0, s
    (o,) = n["outgoing"]
    assert isinstance(o["lag_bytes"], int) and o["lag_bytes"] >= 0, o
EOF
assert_eq "$(p federation status --db "$MX" --json | python3 -c 'import json,sys; r=json.load(sys.stdin)["records"]; print(r["home"], r["replicas"])')" \
  "$(sql "$MX" "SELECT count(*) FILTER (WHERE home = 'mx') || ' ' || count(*) FILTER (WHERE home = 'us') FROM entity")" \
  "status counts the records at home and the replicas"
sql "$MX" "ALTER SUBSCRIPTION puente_mx_from_us DISABLE" >/dev/null
rec dea-late DEA SHARED "Trece Tarde" dea_cases >"$TMP/l.json"
lag=""
for _ in $(seq 1 100); do
  p import ftm "$TMP/l.json" --db "$US" >/dev/null
  lag=$(p federation status --db "$US" --json | python3 -c 'import json,sys; o=json.load(sys.stdin)["outgoing"][0]; print(o["lag_bytes"] if not o["active"] else -1)')
  [ "$lag" -gt 0 ] 2>/dev/null && break
  sleep 0.2
done
[ "${lag:-0}" -gt 0 ] 2>/dev/null && ok "status shows the lag (bytes) of a stopped subscriber: $lag" || nok "lag not shown (got '$lag')"
out=$(p federation status --db "$US")
assert_contains "$out" "NOT CONNECTED, lag" "the text status says the other node is not connected"
assert_eq "$(sql "$MX" "SELECT count(*) FROM entity WHERE id = 'dea-late'")" 0 "nothing arrives while the subscription is stopped"
# init again: idempotent, and it re-enables the subscription; the backlog arrives
p federation init --config "$TMP/fed.json" >/dev/null; assert_rc $? 0 "federation init again (idempotent)"
assert_eq "$(wait_for "$MX" "SELECT count(*) FROM entity WHERE id = 'dea-late'" 1)" 1 "the backlog arrives after re-enabling"
assert_eq "$(sql "$US" "SELECT count(*) FROM pg_publication")|$(sql "$US" "SELECT count(*) FROM pg_subscription")" "1|1" \
  "one publication and one subscription per node after two inits"
assert_eq "$(sql "$US" "SELECT count(*) FROM entity GROUP BY id HAVING count(*) > 1")" "" "no record came back to its home"
# a subscription re-created over a slot that exists already (Patroni keeps it
# as a permanent slot across failovers, deploy/patroni): init uses the slot,
# and the fresh initial copy replaces the replicas left by the old one
want_rep=$(sql "$MX" "SELECT string_agg(id || '|' || marking, ',' ORDER BY id) FROM entity WHERE home = 'us'")
sql "$MX" "DROP SUBSCRIPTION puente_mx_from_us" >/dev/null
sql "$MX" "UPDATE entity SET caption = 'stale' WHERE id = 'dea-pub'" >/dev/null
sql "$US" "SELECT pg_create_logical_replication_slot('puente_mx_from_us', 'pgoutput')" >/dev/null
p federation init --config "$TMP/fed.json" >/dev/null; assert_rc $? 0 "init over an existing slot"
assert_eq "$(wait_for "$MX" "SELECT string_agg(id || '|' || marking, ',' ORDER BY id) FROM entity WHERE home = 'us'" "$want_rep")" \
  "$want_rep" "the new subscription's initial copy brings every released record again"
assert_eq "$(sql "$MX" "SELECT caption FROM entity WHERE id = 'dea-pub'")" "Uno Publico" "stale replicas were replaced"
assert_eq "$(sql "$US" "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'puente%'")" 1 \
  "the existing slot was used, none added"
rec dea-new DEA SHARED "Catorce Nuevo" dea_cases >"$TMP/n.json"
p import ftm "$TMP/n.json" --db "$US" >/dev/null
assert_eq "$(wait_for "$MX" "SELECT count(*) FROM entity WHERE id = 'dea-new'" 1)" 1 "and it streams through that slot"
# a node keeps its identity
sed 's/"name": "us", "country": "US"/"name": "usa", "country": "US"/' "$TMP/fed.json" >"$TMP/renamed.json"
out=$(p federation init --config "$TMP/renamed.json" 2>&1); rc=$?
assert_rc $rc 6 "init with another name for an existing node is refused"
assert_contains "$out" "already node 'us'" "naming the node it is"

# ---- a node down: the other works on, status names the unreachable node ----
"$CLUSTER" stop "$TMP/mx" >/dev/null
rec dea-down DEA SHARED "Quince Caida" dea_cases >"$TMP/d.json"
p import ftm "$TMP/d.json" --db "$US" >/dev/null; assert_rc $? 0 "the US node takes writes while MX is down"
out=$(p federation status --config "$TMP/fed.json" --json); rc=$?
assert_rc $rc 1 "status with a node down fails the check"
python3 - "$out" <<'EOF' && ok "status reports the US node and MX as unreachable" || nok "status with MX down: $out"
import json, sys
us, mx = json.loads(sys.argv[1])["nodes"]
assert us["reachable"] and us["node"] == "us" and mx == {**mx, "node": "mx", "reachable": False}, (us, mx)
assert mx["error"] and not us["outgoing"][0]["active"], (us, mx)
EOF
out=$(p federation status --config "$TMP/fed.json" 2>&1)
assert_contains "$out" "node mx (MX): UNREACHABLE" "the text status says so"
finish
