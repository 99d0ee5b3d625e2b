#!/usr/bin/env bash
# Streaming blind search (docs/perf/kinship.md, section 5): time until the
# first hit reaches a pipe, `--stream` against the top-k mode (the baseline,
# run side by side on the same data), on a fraction of the national search
# (52,000 PM x N families, CODIS 20, FBI SW Hispanic, sex-specific mutation).
# Usage: bench/kinship/stream.sh [FAMILIES]   (default 5000; keep runs short)
set -euo pipefail
cd "$(dirname "$0")/../.."
P=${PUENTE:-build/puente}
D=data/kinship
NF=${1:-5000}
NPM=52000
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# date: $(date -u +%FT%TZ)"
echo "## $NPM PM x $NF families, threshold LR 1e4, 2 threads"
"$P" kinship simulate --freqs "$D/freq_fbi2015_swhispanic_codis20.csv" --mutation "$D/mutation_codis20_sexspecific.csv" \
  --families "$NF" --pm-true $((NF / 10)) --pm-unrelated $((NPM - NF / 10)) --seed 7 --out "$T/nat" --quiet

# Start the command, stamp the first data line and the end; the search's own
# stderr line gives the time spent reading the input (total - search).
python3 - "$P" "$T/nat" <<'PY'
import subprocess, sys, time
exe, d = sys.argv[1], sys.argv[2]
res = {}
for mode, extra in (("top-k (--top 5)", ["--top", "5"]), ("stream", ["--stream"])):
    t0 = time.monotonic()
    p = subprocess.Popen([exe, "kinship", "search", "--dir", d, "--threads", "2", "--threshold", "1e4", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdout.readline()  # header
    first = p.stdout.readline()
    t_first = time.monotonic() - t0
    rows = 1 if first else 0
    for _ in p.stdout:
        rows += 1
    err = p.stderr.read()
    p.wait()
    t_end = time.monotonic() - t0
    search = [l for l in err.splitlines() if "kinship search:" in l]
    s_wall = float(search[0].split(" in ")[1].split(" s;")[0]) if search else float("nan")
    res[mode] = (t_first, t_end, rows)
    print(f"{mode}: first hit after {t_first:.2f} s, done after {t_end:.2f} s "
          f"(search {s_wall:.2f} s, reading the input {t_end - s_wall:.2f} s), {rows} rows; exit {p.returncode}")
a, b = res["top-k (--top 5)"], res["stream"]
print(f"time to first hit: stream {b[0]:.2f} s vs top-k {a[0]:.2f} s ({a[0] / b[0]:.1f}x sooner); "
      f"first hit at {100 * b[0] / b[1]:.0f}% of the streamed run")
PY
