#!/usr/bin/env bash
# ews benchmark: Puente vs R surveillance 1.20.3 side by side on the same
# 1000 weekly series x 520 weeks; checks that the alarms are identical and
# prints the timings and ratios (docs/perf/ews.md records a run).
# Usage: bench/ews/run.sh [NFF_FULL]   (series R runs farringtonFlexible on over
# the full range; default 5, ~2 s each in R, scaled to 1000 in the report)
set -euo pipefail
cd "$(dirname "$0")/../.."
NFF=${1:-5}
BUILD=${BUILD:-build}
[ -f "$BUILD/libpuente.a" ] || { echo "build Puente first (make)"; exit 1; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/ews-bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
cc -O2 -std=c17 -D_GNU_SOURCE -Isrc -I"$BUILD/src" bench/ews/bench_ews.c "$BUILD/libpuente.a" \
   $(pkg-config --libs libmicrohttpd jansson sqlite3 libutf8proc icu-uc icu-i18n libsodium) -lcsv -lm -lpthread \
   -o "$OUT/bench_ews"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== R surveillance (earsC all 1000 series; farringtonFlexible full range on $NFF series; newest week on 1000)"
Rscript bench/ews/bench_r.R "$OUT" "$NFF"
echo "== Puente (library, one core)"
"$OUT/bench_ews" "$OUT" "$NFF"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== alarms identical?"
same=1
for m in c1 c2 c3 ff_full ff_last ffn_last; do
  if cmp -s "$OUT/r_$m.csv" "$OUT/p_$m.csv"; then echo "  $m: identical ($(wc -l < "$OUT/p_$m.csv") alarms)"
  else echo "  $m: DIFFERENT"; diff "$OUT/r_$m.csv" "$OUT/p_$m.csv" | head -5; same=0; fi
done
echo "== ratios (R time / Puente time; R farrington full range scaled from $NFF to 1000 series)"
python3 - "$OUT" "$NFF" <<'PY'
import csv, sys
d, nff = sys.argv[1], int(sys.argv[2])
r = {row["what"]: row for row in csv.DictReader(open(f"{d}/r_timings.csv"))}
p = {row["what"]: row for row in csv.DictReader(open(f"{d}/p_timings.csv"))}
def pr(label, rs, ps, note=""):
    print(f"  {label:48s} R {rs:9.2f} s   Puente {ps:8.4f} s   {rs/ps:9.0f}x {note}")
for m in ("C1", "C2", "C3"):
    k = f"earsC {m} full range"
    pr(k + " (1000 series)", float(r[k]["seconds"]), float(p[k]["seconds"]))
rk = "farringtonFlexible default, full range 264..520"
rs = float(r[rk]["seconds"])
pr(f"farrington full range ({nff} series, measured)", rs,
   float(p["farringtonFlexible default, full range 264..520 (R's subset)"]["seconds"]))
pr("farrington full range (1000 series)", rs * 1000 / nff,
   float(p["farringtonFlexible default, full range 264..520 (all series)"]["seconds"]), "(R scaled from %d series)" % nff)
for k in ("farringtonFlexible default, newest week", "farringtonFlexible Noufaily, newest week"):
    pr(k + " (1000)", float(r[k]["seconds"]), float(p[k]["seconds"]))
PY
[ $same -eq 1 ] && echo "all alarms identical" || { echo "ALARMS DIFFER"; exit 1; }
