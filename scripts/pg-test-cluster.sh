#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite (docs/store.md, "Tests on
# both backends").
#   scripts/pg-test-cluster.sh start DIR   initdb in DIR, start on a free
#                                          loopback port, print the store URI
#   scripts/pg-test-cluster.sh stop DIR    stop it (DIR is left to the caller)
#   scripts/pg-test-cluster.sh available   exit 0 when PostgreSQL is installed
#   scripts/pg-test-cluster.sh bindir      where its programs (psql) are
# The server runs as an unprivileged user: the caller, or `nobody` when the
# caller is root (PostgreSQL refuses to run as root). Trust authentication on
# 127.0.0.1 and a socket in DIR only: nothing outside this machine reaches it,
# and fsync is off (the data is thrown away). PG_CLUSTER_SETTINGS replaces
# those durability settings (the benchmarks, bench/pg/, pass the server's
# defaults plus their memory settings, so figures are for a durable store).
# PG_TEST_LOGICAL=1 starts it with wal_level = logical (and room for
# replication slots and workers): a node of the federation test
# (tests/federation, docs/federation.md).
set -euo pipefail
bindir() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}
as_owner() { # run a command as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
cmd=${1:-}; dir=${2:-}
case "$cmd" in
  available) bindir >/dev/null ;;
  bindir) bindir ;;
  start)
    [ -n "$dir" ] || { echo "usage: $0 start DIR" >&2; exit 2; }
    bin=$(bindir) || { echo "pg-test-cluster: PostgreSQL is not installed" >&2; exit 1; }
    mkdir -p "$dir"
    settings=${PG_CLUSTER_SETTINGS:--c fsync=off -c synchronous_commit=off -c full_page_writes=off}
    if [ "$(id -u)" -eq 0 ]; then
      # nobody must reach DIR: open the directories above it for traversal
      # (mktemp makes them 0700), not for listing
      p=$(dirname "$(realpath "$dir")")
      while [ "$p" != / ]; do chmod o+x "$p"; p=$(dirname "$p"); done
      chown nobody "$dir"
    fi
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U puente --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    extra=""
    [ "${PG_TEST_LOGICAL:-0}" = 1 ] && extra="-c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10 -c max_logical_replication_workers=6 -c wal_sender_timeout=10s"
    for try in 1 2 3 4 5; do
      port=$(free_port)
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
           -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $settings -c max_connections=300 $extra" \
           start >/dev/null; then
        echo "$port" >"$dir/port"
        "$bin/psql" -qAt -h 127.0.0.1 -p "$port" -U puente -d postgres -c "CREATE DATABASE puente_test" >/dev/null
        echo "postgresql://puente@127.0.0.1:$port/puente_test"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2; exit 1 ;;
  stop)
    bin=$(bindir) || exit 0
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    exit 0 ;;
  *) echo "usage: $0 start|stop DIR | available" >&2; exit 2 ;;
esac
