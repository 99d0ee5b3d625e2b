#!/usr/bin/env bash
# Cargo screening benchmark (issue #7): manifest lines per minute on one core
# with full chemical and party screening, beside a naive substring baseline
# (Python), plus hold precision/recall per disguise kind for both.
#
# Usage: bench/cargo/run.sh            (from the repository root, after make)
# Env:   LINES=1000000   lines screened by puente
#        BASE_LINES=200000   lines given to the (slow) naive baseline
#        QUALITY_LINES=5000  labelled set for precision/recall
# Output: bench/out/cargo/ (manifests, results, results.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
P=${PUENTE:-$PWD/build/puente}
LINES=${LINES:-1000000}
BASE_LINES=${BASE_LINES:-200000}
QUALITY_LINES=${QUALITY_LINES:-5000}
OUT=bench/out/cargo
mkdir -p "$OUT"
export PUENTE_DB="$OUT/bench.db"
rm -f "$PUENTE_DB" "$PUENTE_DB-wal" "$PUENTE_DB-shm"

# Designated parties for party screening: the bundled OFAC SDN extract.
$P import ofac data/ofac >/dev/null
PARTIES=$($P stats --json | python3 -c "import json,sys; print(json.load(sys.stdin).get('total', 0))")

echo "== generating $LINES manifest lines" >&2
$P cargo generate --lines "$LINES" --seed 2026 --out "$OUT/m.csv" --truth "$OUT/t.csv"
head -n $((BASE_LINES + 1)) "$OUT/m.csv" > "$OUT/m-base.csv"

# CPU seconds (user+sys), wall seconds and peak RSS of one command pinned to one core.
measure() {
  local log=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$log" taskset -c 0 "$@"
}

echo "== puente cargo screen ($LINES lines, one core, chemicals + parties)" >&2
measure "$OUT/time-puente" $P cargo screen "$OUT/m.csv" --dry-run --out "$OUT/r.csv" 2> "$OUT/puente.log"
cat "$OUT/puente.log" >&2
echo "== puente cargo screen with persistence ($BASE_LINES lines)" >&2
measure "$OUT/time-store" $P cargo screen "$OUT/m-base.csv" --owner CBP --out /dev/null 2> "$OUT/store.log"
echo "== naive substring baseline, Python ($BASE_LINES lines)" >&2
measure "$OUT/time-naive" python3 bench/cargo/naive_baseline.py data/cargo/watchlist.csv "$OUT/m-base.csv" \
  "$OUT/naive.csv" 2> "$OUT/naive.log"

echo "== quality on a labelled set of $QUALITY_LINES lines" >&2
rm -f "$OUT/q.db"*
PUENTE_DB="$OUT/q.db" $P import ofac data/ofac >/dev/null
PUENTE_DB="$OUT/q.db" $P cargo generate --lines "$QUALITY_LINES" --seed 7 --out "$OUT/q.csv" --truth "$OUT/qt.csv"
PUENTE_DB="$OUT/q.db" $P cargo screen "$OUT/q.csv" --dry-run --out "$OUT/qr.csv" 2>/dev/null
python3 bench/cargo/naive_baseline.py data/cargo/watchlist.csv "$OUT/q.csv" "$OUT/qn.csv" 2>/dev/null
$P cargo evaluate "$OUT/qr.csv" "$OUT/qt.csv" > "$OUT/quality-puente.txt"
$P cargo evaluate "$OUT/qn.csv" "$OUT/qt.csv" > "$OUT/quality-naive.txt"

python3 - "$OUT" "$LINES" "$BASE_LINES" "$PARTIES" <<'PY'
import sys, os, platform
out, lines, base, parties = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def t(name):
    e, u, s, m = open(os.path.join(out, "time-" + name)).read().split()
    return float(e), float(u) + float(s), int(m)
pw, pc, pm = t("puente"); sw, sc, sm = t("store"); nw, nc, nm = t("naive")
cpu = open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": ")
load = open("/proc/loadavg").read().split()[:3]
parties_line = [l for l in open(os.path.join(out, "puente.log")) if "screened" in l][-1].strip()
rows = [("puente cargo screen (chemicals + rules + parties)", lines, pc, pw, pm),
        ("puente cargo screen + store (one transaction)", base, sc, sw, sm),
        ("naive substring search, Python", base, nc, nw, nm)]
md = [f"Machine: {cpu}, {os.cpu_count()} cores shared with other engineers (load average {' '.join(load)} at the end).",
      f"Designated parties in the bench store: {parties} entities (bundled OFAC extract).",
      f"puente: {parties_line}", "",
      "| run | lines | CPU s | wall s | lines/min (CPU) | lines/min (wall) | peak RSS MB |",
      "|---|---:|---:|---:|---:|---:|---:|"]
for name, n, c, w, m in rows:
    md.append(f"| {name} | {n:,} | {c:.1f} | {w:.1f} | {n / c * 60:,.0f} | {n / w * 60:,.0f} | {m / 1024:.0f} |")
md.append("")
md.append(f"Ratio (CPU lines/min, puente vs naive baseline): {(lines / pc) / (base / nc):.1f}x")
md += ["", "Hold quality, puente:", "```", open(os.path.join(out, "quality-puente.txt")).read().rstrip(), "```",
       "Hold quality, naive substring baseline:", "```", open(os.path.join(out, "quality-naive.txt")).read().rstrip(), "```"]
open(os.path.join(out, "results.md"), "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
