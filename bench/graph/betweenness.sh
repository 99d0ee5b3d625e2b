#!/usr/bin/env bash
# Betweenness on one generated graph (bench/graph/gen.py, the shape of
# run.sh's), Puente's methods beside the peers in the same run
# (docs/perf/graph.md "Betweenness"):
#   Puente (bench_betweenness: graph_betweenness_ig, what graph_measure runs
#   on the reader's graph; the graph built from the edge list, the store's
#   load is measured by run.sh): exact when EXACT=1, sampled from each of
#   SAMPLES sources, the hop cutoff at each of CUTOFFS; with the exact value,
#   the top-10 / top-100 overlap and Spearman's rank correlation of each;
#   python3-igraph 0.10 (it has no source sampling in Python): exact when
#   EXACT=1, the cutoffs;
#   networkx betweenness_centrality(k=K, seed=7) for each of NX_SAMPLES
#   (empty: skipped; it is slow at 1 M nodes).
# Each step under /usr/bin/time -v (user+sys CPU, max RSS), niced.
# usage: bench/graph/betweenness.sh NODES EDGES
#   env: EXACT=0|1 SAMPLES="64 256 1024" CUTOFFS="2 3 4" NX_SAMPLES="256" EDGES_FILE=path (reuse)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-20000}; M=${2:-100000}
EXACT=${EXACT:-1}; SAMPLES=${SAMPLES:-64 256 1024}; CUTOFFS=${CUTOFFS:-2 3 4}; NX_SAMPLES=${NX_SAMPLES-256}
out=$(mktemp -d "${TMPDIR:-/tmp}/bench-betw.XXXXXX"); trap 'rm -rf "$out"' EXIT
E=${EDGES_FILE:-$out/g.edges}
[ -s "$E" ] || python3 bench/graph/gen.py "$N" "$M" 42 - "$E"
T() { nice -n 10 /usr/bin/time -v "$@" 2>"$out/time"; awk -F': ' '/User time/{u=$2} /System time/{s=$2} /Maximum resident/{r=$2}
  END{printf "  (user+sys %.1f s, max RSS %.0f MiB)\n", u+s, r/1024}' "$out/time" >&2; }
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $N nodes, $M edges" >&2
args=(); for k in $SAMPLES; do args+=("s$k"); done; for c in $CUTOFFS; do args+=("c$c"); done
T build/bench/graph/bench_betweenness "$E" "$N" "$([ "$EXACT" = 1 ] && echo exact || echo noexact)" "${args[@]}"
echo "# $(date -u '+%H:%M:%S UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
T /usr/bin/python3 bench/graph/peers_betweenness.py "$E" "$N" igraph "$EXACT" $CUTOFFS
for k in $NX_SAMPLES; do
  echo "# $(date -u '+%H:%M:%S UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  T /usr/bin/python3 bench/graph/peers_betweenness.py "$E" "$N" networkx "$EXACT" "$k"
done
echo "# $(date -u '+%H:%M:%S UTC'), load $(cut -d' ' -f1-3 /proc/loadavg); machine: $(nproc) cores, $(uname -sr)" >&2
