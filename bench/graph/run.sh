#!/usr/bin/env bash
# Benchmark the graph engine beside python3-igraph and networkx on the same
# generated graph, in the same run (docs/perf/graph.md), and resolution on
# generated records with known truth.
# (the peers run on Debian's python3, /usr/bin/python3, where python3-igraph and
# python3-networkx are installed)
# usage: bench/graph/run.sh [NODES] [EDGES] [QUERIES]   (default 100000 500000 200)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}; M=${2:-500000}; Q=${3:-200}
PUENTE=${PUENTE:-build/puente}
out=$(mktemp -d "${TMPDIR:-/tmp}/bench-graph.XXXXXX"); trap 'rm -rf "$out"' EXIT
python3 bench/graph/gen.py "$N" "$M" 42 "$out/g.jsonl" "$out/g.edges"
s=$(date +%s.%N)
"$PUENTE" import ftm "$out/g.jsonl" --owner FGR --marking SHARED --db "$out/g.db" >/dev/null
echo "{\"step\":\"import ftm\",\"entities\":$((N + M)),\"seconds\":$(echo "$(date +%s.%N) - $s" | bc)}"
build/bench/graph/bench_graph "$out/g.db" "$N" "$Q"
/usr/bin/python3 bench/graph/peers.py "$out/g.edges" "$N" "$Q" igraph
/usr/bin/python3 bench/graph/peers.py "$out/g.edges" "$N" "$Q" networkx
for R in ${RESOLVE_SIZES:-10000 30000}; do "$PUENTE" resolve eval --records "$R" --json; done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB, $(uname -sr)"
