#!/usr/bin/env bash
# Kinship benchmarks (docs/perf/kinship.md). Usage: bench/kinship/run.sh [SCALE]
#  1. per PM x family LR on CODIS 20 (FBI 2015 SW Hispanic, sex-specific stepwise
#     mutation), families with 1-3 typed relatives: the table search, and the
#     same pairs by direct per-pair peeling (what R's pairwiseLR does) side by side;
#  2. dviJoint-style full joint search on planecrash and icmp (R timings recorded);
#  3. a measured fraction of the national-scale blind search (52,000 PM x N
#     families), extrapolated to 100,000 families and labelled as such.
# SCALE (default 1) multiplies the sizes; the machine is shared, keep runs short.
set -euo pipefail
cd "$(dirname "$0")/../.."
P=${PUENTE:-build/puente}
D=data/kinship
S=${1:-1}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
F=$D/freq_fbi2015_swhispanic_codis20.csv
MU=$D/mutation_codis20_sexspecific.csv
tm() { /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# date: $(date -u +%FT%TZ)"

# 1. per-pair cost (proportional mutation: lumpable, as the R runs)
nf=$((400 * S)); npm=$((400 * S))
"$P" kinship simulate --freqs "$F" --mutation "$D/mutation_codis20_proportional.csv" --families $nf --pm-true $((nf / 4)) \
  --pm-unrelated $((npm - nf / 4)) --seed 42 --out "$T/small" --quiet
echo "## per-pair LR: $npm PM x $nf families (CODIS 20, 1-3 typed relatives)"
"$P" kinship search --dir "$T/small" --threads 1 --threshold 1 --top 5 2>"$T/s.log" >/dev/null
grep -o 'tables.*' "$T/s.log" | sed 's/^/search (1 thread): /'
read -r w u s < <(tm "$P" kinship search --dir "$T/small" --threads 1 --threshold 1 --quiet)
echo "search (1 thread) wall ${w}s cpu $(add "$u" "$s")s"
# direct peeling of every pair, as R's pairwiseLR (a subset: 100 PM)
awk -F, 'NR == 1 || $1 ~ /^PM([1-9]|[1-9][0-9]|100)$/' "$T/small/pm_genotypes.csv" > "$T/pm100.csv"
read -r w u s < <(tm "$P" kinship pairwise --dir "$T/small" --pm "$T/pm100.csv" --quiet)
pairs=$(( $("$P" kinship pairwise --dir "$T/small" --pm "$T/pm100.csv" --quiet 2>/dev/null | awk -F, 'NR > 1 && $4 != ""' | wc -l) ))
echo "direct peeling (pairwise, exact per pair): $pairs pairs, wall ${w}s cpu $(add "$u" "$s")s => $(awk -v a="$u" -v b="$s" -v n="$pairs" 'BEGIN { printf "%.2f", (a + b) * 1e6 / n }') us/pair (cpu)"
python3 - "$D/reference_timings_R.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["what"].startswith("pairwiseLR_synthetic"):
        print(f"R recorded ({r['what']}, {r['dataset']}): {float(r['seconds']) * 1000 / float(r['n_items']):.2f} ms/pair")
PY

# 2. joint
echo "## joint (full dviJoint search + posterior pairing)"
for ex in planecrash icmp; do
  read -r w u s < <(tm "$P" kinship joint --dir "$D/dvi_$ex" --top 1)
  r=$(awk -F, -v ex="\"$ex\"" '$1 == "\"dviJoint_full_bruteforce\"" && $2 == ex { print $8 }' $D/reference_timings_R.csv)
  echo "joint $ex: wall ${w}s cpu $(add "$u" "$s")s; R dviJoint recorded ${r}s"
done
for ex in planecrash icmp grave; do
  read -r w u s < <(tm "$P" kinship solve --dir "$D/dvi_$ex")
  r=$(awk -F, -v ex="\"$ex\"" '$1 == "\"dviSolve\"" && $2 == ex { print $8 }' $D/reference_timings_R.csv)
  echo "solve $ex: wall ${w}s cpu $(add "$u" "$s")s; R dviSolve recorded ${r}s"
done

# 3. national scale, a fraction
NF=$((5000 * S)); NPM=52000
echo "## national-scale fraction: $NPM PM x $NF families (of 100,000)"
"$P" kinship simulate --freqs "$F" --mutation "$MU" --families $NF --pm-true $((NF / 10)) \
  --pm-unrelated $((NPM - NF / 10)) --seed 7 --out "$T/nat" --quiet
"$P" kinship search --dir "$T/nat" --threads 2 --threshold 1e4 --top 5 2>"$T/n.log" >"$T/n.csv"
cat "$T/n.log"
read -r w u s < <(tm "$P" kinship search --dir "$T/nat" --threads 2 --threshold 1e4 --quiet)
echo "search (2 threads) wall ${w}s cpu $(add "$u" "$s")s"
found=$(awk -F, 'NR == FNR { if (FNR > 1 && $2 != "") t[$1] = $2; next } FNR > 1 && $2 == 1 && t[$1] == $3 { n++ } END { print n + 0 }' "$T/nat/truth.csv" "$T/n.csv")
echo "true remains ranked first: $found of $((NF / 10))"
awk -v nf=$NF '/tables/ { n = 0; for (i = 1; i <= NF; i++) { if ($i == "tables") { n++; if (n == 1) tt = $(i+1); else ct = $(i+1) }
                                                      if ($i == "scoring") { m++; if (m == 1) ts = $(i+1); else cs = $(i+1) } }
  f = 100000 / nf
  printf "EXTRAPOLATION x%.0f (linear in families), wall under this load: tables %.0f s + scoring %.0f s = %.1f min\n", f, tt * f, ts * f, (tt + ts) * f / 60
  printf "EXTRAPOLATION x%.0f, CPU: %.0f s => %.1f min on 2 dedicated cores (threads scale over independent targets)\n", f, (ct + cs) * f, (ct + cs) * f / 2 / 60 }' "$T/n.log"
