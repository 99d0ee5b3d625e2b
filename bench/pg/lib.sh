# bench/pg/lib.sh - shared set-up of the PostgreSQL benchmarks (sourced).
# pg_bench_start: a throwaway PostgreSQL 15 cluster on a loopback port
# (scripts/pg-test-cluster.sh) with durable settings — fsync and
# synchronous_commit on, as a deployment runs — and memory for the loads
# (PG_BENCH_SETTINGS). Sets PGDIR, PGURI, PGBIN; stopped by pg_bench_stop
# (the caller's EXIT trap).
PG_BENCH_SETTINGS=${PG_BENCH_SETTINGS:-"-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min -c wal_buffers=64MB -c maintenance_work_mem=256MB"}
pg_bench_start() {
  PGBIN=$(scripts/pg-test-cluster.sh bindir) || { echo "PostgreSQL is not installed (scripts/deps.sh)" >&2; exit 2; }
  PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/puente-pgbench.XXXXXX")
  PGURI=$(PG_CLUSTER_SETTINGS="$PG_BENCH_SETTINGS" scripts/pg-test-cluster.sh start "$PGDIR/c")
}
pg_bench_stop() {
  [ -n "${PGDIR:-}" ] || return 0
  scripts/pg-test-cluster.sh stop "$PGDIR/c" || true
  rm -rf "$PGDIR"
}
# pg_store NAME: the URI of a fresh store (a schema of the bench database)
pg_store() { echo "$PGURI?options=-csearch_path%3D$1"; }
# pg_sql SQL: run SQL on the bench database
pg_sql() { "$PGBIN/psql" -qAtX -d "$PGURI" -c "$1"; }
# pg_server_cpu: CPU seconds (user+sys) the cluster's processes have used so
# far: the postmaster, its live children and the children it has reaped (a
# client's backend ends when the client disconnects)
pg_server_cpu() {
  local pm tck
  pm=$(head -1 "$PGDIR/c/data/postmaster.pid")
  tck=$(getconf CLK_TCK)
  { awk '{print $14+$15+$16+$17}' "/proc/$pm/stat"
    for c in $(cat "/proc/$pm/task/$pm/children" 2>/dev/null); do awk '{print $14+$15}' "/proc/$c/stat" 2>/dev/null || true; done # a child may end meanwhile
  } | awk -v t="$tck" '{s+=$1} END {printf "%.2f\n", s/t}'
}
# pg_settle: wait (10 s at most) until the client backends of the bench
# database have ended and the postmaster has reaped them. Call it before
# each pg_server_cpu that brackets a step: a backend that has exited but is
# not reaped yet is counted nowhere (still listed as a child, but its
# /proc/PID/stat is gone, and not yet in the postmaster's cutime) until it
# is reaped, then all at once. Read at once after the step, this lost a
# whole `trace run`'s backend in the sixth session (docs/perf/pg.md); read
# at once before it, the backend of a psql that ran just before (the
# VACUUM ANALYZE of trace-run-ab.sh) was counted in the step. Earlier
# figures of these scripts may be off either way.
pg_settle() {
  local pm i c st busy
  pm=$(head -1 "$PGDIR/c/data/postmaster.pid")
  for i in $(seq 100); do
    busy=0
    for c in $(cat "/proc/$pm/task/$pm/children" 2>/dev/null); do
      st=$(awk '{print $3}' "/proc/$c/stat" 2>/dev/null || true)
      # listed but gone or a zombie: ended, not reaped yet; or a client's backend
      if [ -z "$st" ] || [ "$st" = Z ] ||
         tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null | grep -q '127\.0\.0\.1('; then busy=1; break; fi
    done
    [ $busy = 0 ] && break
    sleep 0.1
  done
  # and until the count stands still (a reaped backend's time has been seen
  # to reach the postmaster's cutime a few hundred ms after it left /proc)
  local a b
  b=$(pg_server_cpu)
  for i in $(seq 20); do
    sleep 0.3
    a=$b
    b=$(pg_server_cpu)
    [ "$a" = "$b" ] && return 0
  done
}
# machine: one line for the reports
pg_machine() {
  echo "machine: $(nproc) CPUs ($(lscpu | awk -F: '/Model name/{gsub(/^ +/,"",$2); print $2; exit}')), $(free -g | awk '/Mem:/{print $2}') GB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"
}
