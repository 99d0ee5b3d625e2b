#!/usr/bin/env bash
# High-availability smoke test (docs/deploy.md): one etcd and two Patroni
# nodes of PostgreSQL 15 on loopback, Puente on the cluster through a
# multi-host URI, then a crash of the primary (kill -9 of Patroni and
# PostgreSQL) and checks that the replica takes over with every committed
# record, that `puente serve` keeps answering through the new primary, and
# that the old primary rejoins as a replica.
# Not part of make check (it needs the Debian packages patroni, etcd-server,
# python3-etcd: scripts/deps.sh ha; it takes about a minute).
# Usage: deploy/ha-smoke.sh [BUILD_DIR]     (default: build)
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
PUENTE=${PUENTE_BIN:-$SRC/${1:-build}/puente}
BIN=$("$SRC/scripts/pg-test-cluster.sh" bindir) || { echo "PostgreSQL is not installed"; exit 1; }
for p in patroni etcd curl; do command -v "$p" >/dev/null || { echo "missing $p (scripts/deps.sh ha)"; exit 1; }; done
D=$(mktemp -d /tmp/puente-ha.XXXXXX)
pass=0; fail=0
ok() { pass=$((pass+1)); echo "ok - $1"; }
nok() { fail=$((fail+1)); echo "not ok - $1"; }
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for _ in $(seq 1 50); do # Patroni stops its PostgreSQL first
    alive=0; for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.2
  done
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  for n in 1 2; do
    [ -f "$D/node$n/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$D/node$n" -m immediate stop >/dev/null 2>&1
  done
  rm -rf "$D"
}
trap cleanup EXIT
if [ "$(id -u)" -eq 0 ]; then # PostgreSQL refuses root: Patroni runs as nobody
  p=$D; while [ "$p" != / ]; do chmod o+x "$p"; p=$(dirname "$p"); done
  chown nobody "$D"
fi
EC=$(free_port); EP=$(free_port)
etcd --name smoke --data-dir "$D/etcd" --listen-client-urls "http://127.0.0.1:$EC" \
  --advertise-client-urls "http://127.0.0.1:$EC" --listen-peer-urls "http://127.0.0.1:$EP" \
  --initial-advertise-peer-urls "http://127.0.0.1:$EP" --initial-cluster "smoke=http://127.0.0.1:$EP" \
  >"$D/etcd.log" 2>&1 &
PIDS+=($!)

declare -A PG REST
node_conf() { # n -> the node's Patroni config (the shape of deploy/patroni/*.yml, on loopback)
  cat <<EOF
scope: puente-smoke
namespace: /puente-smoke/
name: node$1
restapi:
  listen: 127.0.0.1:${REST[$1]}
  connect_address: 127.0.0.1:${REST[$1]}
etcd3:
  hosts: ["127.0.0.1:$EC"]
bootstrap:
  dcs:
    ttl: 20
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: logical
        hot_standby: "on"
        hot_standby_feedback: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
  initdb: [{encoding: UTF8}, {locale: C}]
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:${PG[$1]}
  connect_address: 127.0.0.1:${PG[$1]}
  data_dir: $D/node$1
  bin_dir: $BIN
  pgpass: $D/pgpass$1
  authentication:
    superuser: {username: postgres, password: smoke}
    replication: {username: replicator, password: smoke}
    rewind: {username: rewinder, password: smoke}
  parameters:
    unix_socket_directories: $D
EOF
}
start_node() { # a simple command in the background, so $! is Patroni itself (not a subshell)
  node_conf "$1" >"$D/node$1.yml"
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- patroni "$D/node$1.yml" >>"$D/patroni$1.log" 2>&1 &
  else
    patroni "$D/node$1.yml" >>"$D/patroni$1.log" 2>&1 &
  fi
  PIDS+=($!)
  eval "PATRONI$1=\$!"
}
role_is() { # n role(primary|replica) -> 0 when Patroni's REST API says so
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${REST[$1]}/$2")" = 200 ]
}
wait_role() { # n role seconds
  for _ in $(seq 1 $(($3 * 5))); do role_is "$1" "$2" && return 0; sleep 0.2; done
  return 1
}
for n in 1 2; do PG[$n]=$(free_port); REST[$n]=$(free_port); done
start_node 1
wait_role 1 primary 90 && ok "node1 bootstraps the cluster and leads" || { nok "node1 is not primary"; tail -20 "$D/patroni1.log"; exit 1; }
start_node 2
wait_role 2 replica 90 && ok "node2 joins as a streaming replica" || { nok "node2 is not a replica"; tail -20 "$D/patroni2.log"; }

# the clients' URI: both hosts, the writable one wins (libpq), as in deploy/systemd/puente.env
URI="postgresql://postgres@127.0.0.1:${PG[1]},127.0.0.1:${PG[2]}/puente?target_session_attrs=read-write&connect_timeout=3"
"$BIN/psql" -qAtX -d "${URI/\/puente\?/\/postgres?}" -c "CREATE DATABASE puente" >/dev/null &&
  ok "database created through the multi-host URI" || nok "create database"
export PUENTE_AUDIT_JOURNAL=commit
"$PUENTE" agency seed --db "$URI" >/dev/null && ok "puente migrates and seeds the cluster" || nok "seed"
for i in $(seq 1 20); do
  printf '{"id":"dea-%d","schema":"Person","properties":{"name":["Persona %d"]},"owner":"DEA","marking":"SHARED"}\n' "$i" "$i"
done >"$D/a.json"
"$PUENTE" import ftm "$D/a.json" --db "$URI" >/dev/null && ok "20 records imported on the primary" || nok "import"
"$PUENTE" user add ha_analyst --agency DEA --role analyst --db "$URI" >/dev/null
TOKEN=$("$PUENTE" token create ha_analyst --db "$URI")
"$PUENTE" serve --listen 127.0.0.1:0 --db "$URI" --audit-journal commit >"$D/serve.log" 2>&1 &
SERVE=$!; PIDS+=($SERVE)
PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/.*listening on https\{0,1\}:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$D/serve.log" | head -1)
  [ -n "$PORT" ] && break; sleep 0.1
done
get() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/entities/dea-$1"; }
[ "$(get 7)" = 200 ] && ok "puente serve answers through the primary" || nok "serve before failover"
# the last write before the crash, acknowledged by the synchronous replica
printf '{"id":"dea-last","schema":"Person","properties":{"name":["Ultimo"]},"owner":"DEA","marking":"SHARED"}\n' >"$D/b.json"
"$PUENTE" import ftm "$D/b.json" --db "$URI" >/dev/null && ok "a last record committed before the crash" || nok "last write"

# ---- crash the primary: Patroni and PostgreSQL killed, no clean shutdown ----
t0=$(date +%s)
kill -9 "$PATRONI1" 2>/dev/null
pm=$(head -1 "$D/node1/postmaster.pid" 2>/dev/null)
[ -n "$pm" ] && kill -9 "$pm" 2>/dev/null
wait_role 2 primary 90 && ok "node2 is promoted after the primary's crash ($(( $(date +%s) - t0 )) s)" ||
  { nok "node2 was not promoted"; tail -30 "$D/patroni2.log"; }
for _ in $(seq 1 50); do # the promotion finishes a moment after Patroni reports the role
  n=$("$BIN/psql" -qAtX -d "$URI" -c "SELECT count(*) FROM entity" 2>&1) && break
  sleep 0.2
done
[ "$n" = 21 ] && ok "the new primary has all 21 committed records" || nok "records after failover: $n"
codes=""
for _ in $(seq 1 8); do codes="$codes $(get 7)"; done
case "$codes" in *" 200 200") ok "puente serve answers through the new primary without a restart ($codes )" ;;
  *) nok "serve after failover: ($codes )" ;; esac
printf '{"id":"dea-after","schema":"Person","properties":{"name":["Despues"]},"owner":"DEA","marking":"SHARED"}\n' >"$D/c.json"
"$PUENTE" import ftm "$D/c.json" --db "$URI" >/dev/null && ok "writes go to the new primary" || nok "write after failover"
"$PUENTE" audit verify --db "$URI" | grep -q "intact" && ok "the audit chain is intact across the failover" || nok "audit verify"

# ---- the old primary comes back as a replica (pg_rewind) ----
start_node 1
wait_role 1 replica 120 && ok "node1 rejoins as a replica" || { nok "node1 did not rejoin"; tail -20 "$D/patroni1.log"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
