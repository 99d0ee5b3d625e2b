#!/usr/bin/env python3
"""Betweenness of the peers on bench/graph/gen.py's edge list (Debian's
python3-igraph and networkx), one JSON line per method:
  igraph: exact (when EXACT is 1) and the hop cutoff for each C;
  networkx: betweenness_centrality(k=K, seed=7, normalized=False) for each K,
  and when EXACT is 1 its top-10 / top-100 overlap with igraph's exact value.
usage: peers_betweenness.py EDGES N igraph|networkx EXACT C...|K..."""
import json
import sys
import time

path, n, which, exact, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1", [int(x) for x in sys.argv[5:]]
with open(path) as f:
    edges = [tuple(map(int, line.split())) for line in f]


def top(v, t):
    return set(sorted(range(len(v)), key=lambda i: (-v[i], i))[:t])


def line(**kw):
    print(json.dumps({"engine": which, "nodes": n, "edges": len(edges), **kw}), flush=True)


if which == "igraph":
    import igraph as ig
    g = ig.Graph(n=n, edges=edges)
    if exact:
        t = time.perf_counter(); g.betweenness(directed=False); line(version=ig.__version__, method="exact", seconds=round(time.perf_counter() - t, 3))
    for c in rest:
        t = time.perf_counter(); g.betweenness(directed=False, cutoff=c); line(method="cutoff", cutoff=c, seconds=round(time.perf_counter() - t, 3))
else:
    import networkx as nx
    G = nx.Graph(); G.add_nodes_from(range(n)); G.add_edges_from(edges)
    ex = None
    if exact:
        import igraph as ig
        ex = ig.Graph(n=n, edges=edges).betweenness(directed=False)
    for k in rest:
        t = time.perf_counter(); b = nx.betweenness_centrality(G, k=k, seed=7, normalized=False); s = time.perf_counter() - t
        kw = {}
        if ex:
            v = [b[i] for i in range(n)]
            kw = {"top10_overlap": len(top(v, 10) & top(ex, 10)), "top100_overlap": len(top(v, 100) & top(ex, 100))}
        line(version=nx.__version__, method="sampled", samples=k, seconds=round(s, 3), **kw)
