#!/usr/bin/env bash
# make bench: every module's benchmark, in turn. Each writes its figures to
# docs/perf/<module>.md (see docs/PERFORMANCE.md). Run one with: bench/run-all.sh screen
set -uo pipefail
cd "$(dirname "$0")/.."
only=${1:-}
status=0
for m in store screen http kinship ews cargo trace web pg; do
  [ -n "$only" ] && [ "$only" != "$m" ] && continue
  for s in bench/$m/run.sh bench/$m/quality.sh bench/$m/speed.sh bench/$m/kill.sh; do
    [ -x "$s" ] || [ -f "$s" ] || continue
    echo "== $s"
    bash "$s" || { echo "bench: $s failed" >&2; status=1; }
  done
done
exit $status
