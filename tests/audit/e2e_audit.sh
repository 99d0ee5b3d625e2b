#!/usr/bin/env bash
# End-to-end: the audit trail through the CLI. Real entries are written by
# administration commands; then each kind of tampering (edit, delete, reorder,
# truncation of the newest entries, moving the anchor) is applied to a copy
# of the store with sqlite3 and `puente audit verify` must catch it.
. "$(dirname "$0")/../lib.sh"
DB="$(test_store a.db)"
"$PUENTE" agency seed --db "$DB" >/dev/null
for i in 1 2 3 4 5 6; do "$PUENTE" user add "user$i" --agency DEA --role analyst --db "$DB"; done
"$PUENTE" user role user3 supervisor --db "$DB"
"$PUENTE" user add user1 --agency DEA --role analyst --db "$DB" 2>/dev/null
"$PUENTE" token create user2 --db "$DB" >/dev/null
out=$("$PUENTE" audit verify --db "$DB"); rc=$?
assert_rc "$rc" 0 "an untouched trail verifies"
# each command is recorded twice: by the engine (user.add...) and as an
# invocation (cli.user.add...; docs/audit.md "The CLI"): 10 commands, 20 entries
assert_contains "$out" "intact: 20 entries" "verify counts every administration event and every invocation"

exp=$("$PUENTE" audit export --db "$DB" 2>/dev/null)
assert_eq "$(printf '%s\n' "$exp" | wc -l)" "22" "export writes one JSON line per entry (incl. the verify and its invocation)"
assert_contains "$exp" '"action":"user.update","targets":"user3","outcome":"success","detail":"role=supervisor"' "permission change exported"
assert_contains "$exp" '"action":"user.add","targets":"user1","outcome":"conflict"' "a refused change is recorded"
python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <<<"$exp"; assert_rc $? 0 "export is valid JSON lines"
n=$("$PUENTE" audit export --since 2000-01-01 --until 2000-12-31 --db "$DB" 2>/dev/null | wc -l)
assert_eq "$n" "0" "export honours --since/--until"

# tampering edits a copy of the SQLite file: SQLite only (the chain check
# itself is the same code on both backends)
tamper() {  # name, SQL
  cp "$DB" "$TMP/t.db"; rm -f "$TMP/t.db-wal" "$TMP/t.db-shm"
  sqlite3 "$TMP/t.db" "$2"
  local o; o=$("$PUENTE" audit verify --db "$TMP/t.db"); local r=$?
  assert_rc "$r" 3 "verify catches: $1"
  assert_contains "$o" "BROKEN at entry" "verify names the entry: $1"
}
if [ -z "${PUENTE_TEST_DB:-}" ]; then
"$PUENTE" audit verify --db "$DB" >/dev/null   # checkpoint: all in the main file
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
tamper "edited outcome" "UPDATE audit_log SET outcome='success' WHERE action='user.add' AND outcome='conflict'"
tamper "edited user" "UPDATE audit_log SET user_name='someone' WHERE seq=2"
tamper "edited and rehashed" "UPDATE audit_log SET targets='x', hash='00' WHERE seq=4"
tamper "deleted entry" "DELETE FROM audit_log WHERE seq=5"
tamper "deleted and renumbered" "DELETE FROM audit_log WHERE seq=5; UPDATE audit_log SET seq=seq-1 WHERE seq>5"
tamper "reordered entries" "UPDATE audit_log SET seq=-1 WHERE seq=3; UPDATE audit_log SET seq=3 WHERE seq=4; UPDATE audit_log SET seq=4 WHERE seq=-1"
tamper "newest entries removed" "DELETE FROM audit_log WHERE seq>=10"
tamper "anchor moved" "DELETE FROM audit_log WHERE seq<=2; UPDATE audit_meta SET anchor_seq=2, anchor_hash=(SELECT prev FROM audit_log WHERE seq=3)"
fi

# the invocation entries: command, sub-command, targets, options, outcome from the exit code
assert_contains "$exp" '"component":"cli","user":"cli:' "invocations are attributed to the OS user"
assert_contains "$exp" '"action":"cli.user.add","targets":"user1","outcome":"conflict","detail":"--agency=DEA --role=analyst --db=' "a refused command is recorded with its outcome"
assert_contains "$exp" '"agency":"DEA","action":"cli.user.add"' "the agency named on the command line is recorded"

# anchors: the head written outside the store; truncation is caught even
# when the head in the store is moved back consistently. The truncation is
# made on a copy of the SQLite file: SQLite only (the anchor check is the
# same code on both backends)
if [ -z "${PUENTE_TEST_DB:-}" ]; then
cp "$DB" "$TMP/an.db"; rm -f "$TMP/an.db-wal" "$TMP/an.db-shm"
out=$("$PUENTE" audit anchor --db "$TMP/an.db"); rc=$?
assert_rc "$rc" 0 "audit anchor runs"
assert_contains "$out" "an.db-audit.anchors" "the anchor file defaults to <db>-audit.anchors"
out=$("$PUENTE" audit verify --db "$TMP/an.db"); rc=$?
assert_rc "$rc" 0 "anchored trail verifies"
assert_contains "$out" "anchors consistent: 1 anchors" "verify checks the anchors"
assert_contains "$out" "chain key: none configured" "verify says when no chain key is configured"
sqlite3 "$TMP/an.db" "DELETE FROM audit_log WHERE seq >= 20; UPDATE audit_meta SET head_seq = 19, head_hash = (SELECT hash FROM audit_log WHERE seq = 19)"
out=$("$PUENTE" audit verify --db "$TMP/an.db"); rc=$?
assert_rc "$rc" 3 "truncation with a consistent head is caught by the anchors"
assert_contains "$out" "anchors INCONSISTENT (TRUNCATION)" "verify reports the truncation"
assert_contains "$out" "audit trail intact" "the chain alone could not tell"
fi

# a keyed chain: the key outside the store; entries written with it verify
# with it, and an unkeyed recomputation of the newest entry is a downgrade
KEY=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
cp "$DB" "$TMP/k.db"; rm -f "$TMP/k.db-wal" "$TMP/k.db-shm"
PUENTE_AUDIT_KEY=$KEY "$PUENTE" user add keyed1 --agency FGR --role analyst --db "$TMP/k.db"
out=$(PUENTE_AUDIT_KEY=$KEY "$PUENTE" audit verify --db "$TMP/k.db"); rc=$?
assert_rc "$rc" 0 "a keyed chain verifies with its key"
assert_contains "$out" "chain key: verified: 2 of 2 keyed entries" "verify reports the keyed entries"
out=$(PUENTE_AUDIT_KEY=not-a-key "$PUENTE" user add keyed2 --agency FGR --role analyst --db "$TMP/k.db" 2>&1); rc=$?
[ "$rc" -ne 0 ] && ok "a malformed chain key fails the command (fail closed)" || nok "a malformed chain key fails the command (exit 0)"
n=$(sqlite3 "$TMP/k.db" "SELECT count(*) FROM acl_user WHERE name = 'keyed2'" 2>/dev/null || echo 0)
assert_eq "$n" "0" "nothing is changed without its audit entry"

# --user: a named account with its password; failures go to the account's agency
echo 'correct horse battery' | "$PUENTE" user add ana.dea --agency DEA --role analyst --password-stdin --permanent --db "$DB"
PUENTE_PASSWORD='wrong password here' "$PUENTE" --user ana.dea audit verify --db "$DB" >/dev/null 2>&1; rc=$?
assert_rc "$rc" 5 "a wrong password is refused"
exp=$("$PUENTE" audit export --db "$DB" 2>/dev/null)
assert_contains "$exp" '"user":"ana.dea","agency":"DEA","action":"login","targets":"","outcome":"denied"' "a failed CLI login is recorded under the account's agency"
out=$(PUENTE_PASSWORD='correct horse battery' "$PUENTE" --user ana.dea audit export --db "$DB" 2>&1); rc=$?
assert_rc "$rc" 5 "an analyst may not read the audit trail from the CLI either"
echo 'auditor horse battery' | "$PUENTE" user add aud.dea --agency DEA --role auditor --password-stdin --permanent --db "$DB"
out=$(PUENTE_PASSWORD='auditor horse battery' "$PUENTE" --user aud.dea audit export --db "$DB" 2>&1); rc=$?
assert_rc "$rc" 5 "an auditor without a second factor is refused (policy mfa-roles: admin,auditor)"
assert_contains "$out" "second factor" "the refusal names the second factor"
"$PUENTE" policy set mfa-roles admin --db "$DB" >/dev/null
out=$(PUENTE_PASSWORD='auditor horse battery' "$PUENTE" --user aud.dea audit export --db "$DB" 2>&1); rc=$?
assert_rc "$rc" 0 "the right password and role let the account run the command"
exp=$("$PUENTE" audit export --db "$DB" 2>/dev/null)
assert_contains "$exp" '"user":"ana.dea","agency":"DEA","action":"cli.audit.export","targets":"","outcome":"denied"' "the refused command is recorded under the account and its agency"
assert_contains "$exp" '"user":"aud.dea","agency":"DEA","action":"cli.audit.export","targets":"","outcome":"success"' "the command is recorded under the account and its agency"
out=$(PUENTE_PASSWORD='correct horse battery' "$PUENTE" --user ana.dea stats --agency FGR --country MX --db "$DB" 2>&1); rc=$?
assert_rc "$rc" 5 "an account cannot name another agency's scope"
assert_contains "$out" "belongs to DEA" "the refusal says why"
out=$(PUENTE_PASSWORD='correct horse battery' "$PUENTE" --user ana.dea stats --db "$DB" 2>&1); rc=$?
assert_rc "$rc" 0 "an account's command runs in its agency's scope"

# permissions per subcommand: a role with read but no write (tip-handler) may
# list trace requests and alerts through --user, not submit, acknowledge or dispose
echo 'handler horse battery' | "$PUENTE" user add tip.dea --agency DEA --role tip-handler --password-stdin --permanent --db "$DB"
out=$(PUENTE_PASSWORD='handler horse battery' "$PUENTE" --user tip.dea trace request list --db "$DB" 2>&1); rc=$?
assert_rc "$rc" 0 "a read-only role lists trace requests"
for cmd in "trace request submit serial=X1" "trace request pick T2026-000001 1" "ews alerts ack 1" "cargo dispose AWB1 --disposition held" "trace import acquisitions $TMP/none.csv"; do
  out=$(PUENTE_PASSWORD='handler horse battery' "$PUENTE" --user tip.dea $cmd --db "$DB" 2>&1); rc=$?
  assert_rc "$rc" 5 "a read-only role may not run '$cmd'"
  assert_contains "$out" "does not allow" "the refusal of '$cmd' names the role"
done

# re-marking through the CLI (import ftm of a record already in the store with
# another marking) records the marking before and after, like the API's PUT
printf '%s\n' '{"id":"dea-rm-1","schema":"Person","owner":"DEA","marking":"SHARED","properties":{"name":["Remarca Uno"]}}' \
  '{"id":"dea-rm-2","schema":"Person","owner":"DEA","marking":"SHARED","properties":{"name":["Remarca Dos"]}}' >"$TMP/rm1.jsonl"
printf '%s\n' '{"id":"dea-rm-1","schema":"Person","owner":"DEA","marking":"AGENCY-ONLY","caveats":"PII","properties":{"name":["Remarca Uno"]}}' \
  '{"id":"dea-rm-2","schema":"Person","owner":"DEA","marking":"SHARED","properties":{"name":["Remarca Dos"]}}' >"$TMP/rm2.jsonl"
"$PUENTE" import ftm "$TMP/rm1.jsonl" --db "$DB" >/dev/null; assert_rc $? 0 "import two SHARED records"
exp=$("$PUENTE" audit export --db "$DB" 2>/dev/null)
assert_not_contains "$exp" '"targets":"dea-rm-1","outcome":"success","detail":"marking=' "a new record is no re-marking"
"$PUENTE" import ftm "$TMP/rm2.jsonl" --db "$DB" >/dev/null; assert_rc $? 0 "re-import: one record re-marked"
exp=$("$PUENTE" audit export --db "$DB" 2>/dev/null)
assert_contains "$exp" '"action":"entity.update","targets":"dea-rm-1","outcome":"success","detail":"marking=SHARED->AGENCY-ONLY; caveats=->PII; via import ftm"' \
  "the CLI re-marking records the marking and caveats before and after"
assert_contains "$exp" '"component":"cli"' "recorded as a CLI action"
n=$(printf '%s\n' "$exp" | grep -c '"action":"entity.update","targets":"dea-rm-2"')
assert_eq "$n" "0" "an unchanged marking is no re-marking"
"$PUENTE" import ftm "$TMP/rm1.jsonl" --db "$DB" >/dev/null
exp=$("$PUENTE" audit export --db "$DB" 2>/dev/null)
assert_contains "$exp" '"targets":"dea-rm-1","outcome":"success","detail":"marking=AGENCY-ONLY->SHARED; caveats=PII->; via import ftm"' \
  "widening back is recorded too"
"$PUENTE" audit verify --db "$DB" >/dev/null; assert_rc $? 0 "the chain with the re-marking entries verifies"

# retention: prune keeps the chain verifiable
store_sql "$DB" "UPDATE audit_meta SET head_seq=head_seq" >/dev/null # no-op write
out=$("$PUENTE" audit prune --days 1 --db "$DB"); rc=$?
assert_rc "$rc" 0 "prune runs"
assert_contains "$out" "0 entries older than 1 days removed" "nothing is older than a day"
out=$("$PUENTE" audit prune --days 0 --db "$DB" 2>&1); rc=$?
assert_rc "$rc" 2 "prune --days 0 is a usage error"
"$PUENTE" audit verify --db "$DB" >/dev/null; assert_rc $? 0 "still intact"
"$PUENTE" audit frobnicate --db "$DB" 2>/dev/null; assert_rc $? 2 "unknown subcommand"
finish
