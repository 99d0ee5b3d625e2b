#!/usr/bin/env bash
# Demo: criminal networks. Resolution over every engine's records (the store's
# designations, trace purchasers and possessors, cargo parties, tip mentions),
# the purchaser leads that now group one person's spellings, then the network
# as ATF sees it: components, the most central nodes, a path with the ids of
# its nodes, the connecting network of a purchaser and a dealer, and a saved
# diagram (docs/graph.md, docs/resolve.md).
set -euo pipefail
: "${PUENTE:?}" "${PUENTE_DB:?}"
export PUENTE_DB
US=(--agency ATF --country US)
echo "-- resolution over every engine's records"
"$PUENTE" resolve run
echo "-- cross-reference: tip mentions against the store (first lines)"
"$PUENTE" xref tip.mention entity --limit 5 "${US[@]}" || true
echo "-- purchaser leads of resolved persons (first lines)"
"$PUENTE" trace leads --kind purchaser --top 3 "${US[@]}" | head -20
echo "-- the network as ATF sees it"
"$PUENTE" graph components --top 5 "${US[@]}"
"$PUENTE" graph centrality --measure pagerank --top 8 "${US[@]}"
# a purchaser and the dealer who sold to it, named by the graph itself
pair=$("$PUENTE" graph centrality --measure degree --top 200 --json "${US[@]}" | python3 -c '
import json, sys
nodes = [n["node"]["id"] for n in json.load(sys.stdin)["nodes"]]
buyers = [n for n in nodes if n.startswith(("resolved:", "trace.purchaser:"))]
dealers = [n for n in nodes if n.startswith("dealer:")]
print(buyers[0] if buyers else "", dealers[0] if dealers else "", sep="\t")')
buyer=${pair%%$'\t'*}; dealer=${pair#*$'\t'}
if [ -n "$buyer" ] && [ -n "$dealer" ]; then
  echo "-- a path from the busiest dealer to the most connected purchaser"
  "$PUENTE" graph path "$dealer" "$buyer" "${US[@]}" || true
  echo "-- their connecting network, saved as a diagram ATF shares with US agencies"
  "$PUENTE" graph network "$dealer" "$buyer" "${US[@]}" | tail -1 || true
  "$PUENTE" graph save "Demo: comprador y armería" "$dealer" "$buyer" --diagram --marking US-ONLY "${US[@]}"
fi
