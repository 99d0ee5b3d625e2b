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
assert_contains "$out" "intact: 10 entries" "verify counts every administration event"

exp=$("$PUENTE" audit export --db "$DB" 2>/dev/null)
assert_eq "$(printf '%s\n' "$exp" | wc -l)" "11" "export writes one JSON line per entry (incl. the verify)"
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
tamper "edited outcome" "UPDATE audit_log SET outcome='success' WHERE seq=9"
tamper "edited user" "UPDATE audit_log SET user_name='someone' WHERE seq=2"
tamper "edited and rehashed" "UPDATE audit_log SET targets='x', hash='00' WHERE seq=4"
tamper "deleted entry" "DELETE FROM audit_log WHERE seq=5"
tamper "deleted and renumbered" "DELETE FROM audit_log WHERE seq=5; UPDATE audit_log SET seq=seq-1 WHERE seq>5"
tamper "reordered entries" "UPDATE audit_log SET seq=-1 WHERE seq=3; UPDATE audit_log SET seq=3 WHERE seq=4; UPDATE audit_log SET seq=4 WHERE seq=-1"
tamper "newest entries removed" "DELETE FROM audit_log WHERE seq>=10"
tamper "anchor moved" "DELETE FROM audit_log WHERE seq<=2; UPDATE audit_meta SET anchor_seq=2, anchor_hash=(SELECT prev FROM audit_log WHERE seq=3)"
fi

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
