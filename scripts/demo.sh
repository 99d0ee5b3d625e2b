#!/usr/bin/env bash
# make demo: build (done by make), then run every module's demo step in order.
set -euo pipefail
cd "$(dirname "$0")/.."
export PUENTE="$PWD/build/puente"
export PUENTE_DB="${PUENTE_DB:-$PWD/demo-out/puente.db}"
mkdir -p "$(dirname "$PUENTE_DB")"
rm -f "$PUENTE_DB" "$PUENTE_DB-wal" "$PUENTE_DB-shm" "$PUENTE_DB-audit.journal"
for step in scripts/demo.d/*.sh; do
  [ -e "$step" ] || continue
  echo "== $(basename "$step" .sh)"
  bash "$step"
done
