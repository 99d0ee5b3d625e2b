#!/usr/bin/env bash
# Incremental search of the case database (docs/perf/kinship.md section 7):
# 52,000 PM samples already searched, then 1,000 new families with one new
# reference each; `puente kinship case search` scores only the 1,000 x 52,000
# new pairs. Usage: bench/kinship/casework.sh [NPM] [NREF]
set -euo pipefail
cd "$(dirname "$0")/../.."
P=${PUENTE:-build/puente}
D=data/kinship
NPM=${1:-52000}; NREF=${2:-1000}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export PUENTE_DB="$T/case.db" PUENTE_AUDIT_JOURNAL=commit
F=$D/freq_fbi2015_swhispanic_codis20.csv
MU=$D/mutation_codis20_sexspecific.csv
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# date: $(date -u +%FT%TZ)"
"$P" kinship simulate --freqs "$F" --mutation "$MU" --families "$NREF" --pm-true 0 --pm-unrelated "$NPM" \
  --min-refs 1 --max-refs 1 --seed 7 --out "$T/sim" --quiet
"$P" kinship case freqdb fbi2015-swh "$F" --mutation "$MU" >/dev/null
"$P" kinship case new BENCH-1 --state MX-JAL --freqdb fbi2015-swh --owner FGR --marking MX-ONLY
/usr/bin/time -f "add-pm: %e s wall, %U s user" "$P" kinship case add-pm BENCH-1 "$T/sim/pm_genotypes.csv" 2>&1 | grep -v stored
/usr/bin/time -f "first search (PM only, no family yet): %e s wall" "$P" kinship case search >/dev/null
"$P" kinship case add-family BENCH-1 "$T/sim/am_pedigrees.csv" 2>/dev/null
/usr/bin/time -f "add-reference: %e s wall" "$P" kinship case add-reference "$T/sim/am_genotypes.csv" --consent-document BENCH 2>&1 | grep -v stored
refs=$(sqlite3 "$T/case.db" "SELECT count(*) FROM kin_ref")
echo "references: $refs new, PM samples: $(sqlite3 "$T/case.db" "SELECT count(*) FROM kin_pm") already searched"
/usr/bin/time -f "incremental search: %e s wall, %U s user, %S s sys" "$P" kinship case search --threads 2 2>&1
/usr/bin/time -f "search again (nothing new): %e s wall" "$P" kinship case search 2>&1 | tail -2
