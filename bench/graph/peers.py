#!/usr/bin/env python3
"""The peers on the same generated graph (an edge list): python3-igraph and
networkx (Debian packages). One JSON line per peer: load, components,
communities (igraph: Leiden, modularity, 2 iterations; networkx: Louvain,
it has no Leiden), betweenness with a 2-hop cutoff (igraph) or from 100
sampled sources (networkx, which has no cutoff), 2-hop ego p99 and shortest
path p99 over random nodes. usage: peers.py EDGES N QUERIES [igraph|networkx]"""
import json
import random
import sys
import time

path, n, q = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
which = sys.argv[4:] or ["igraph", "networkx"]


def p99(v):
    v = sorted(v)
    return v[int((len(v) - 1) * 0.99)] * 1e3


def edges():
    with open(path) as f:
        return [tuple(map(int, line.split())) for line in f]


if "igraph" in which:
    import igraph as ig
    t = time.perf_counter(); g = ig.Graph(n=n, edges=edges()); load = time.perf_counter() - t
    t = time.perf_counter(); g.connected_components(); comp = time.perf_counter() - t
    t = time.perf_counter(); g.community_leiden(objective_function="modularity", n_iterations=2); leid = time.perf_counter() - t
    t = time.perf_counter(); g.betweenness(cutoff=2); betw = time.perf_counter() - t
    rng = random.Random(7); ex, sp = [], []
    for _ in range(q):
        a, b = rng.randrange(n), rng.randrange(n)
        t = time.perf_counter(); g.neighborhood(a, order=2); ex.append(time.perf_counter() - t)
        t = time.perf_counter(); g.get_shortest_paths(a, b); sp.append(time.perf_counter() - t)
    print(json.dumps({"engine": "python3-igraph " + ig.__version__, "nodes": g.vcount(), "edges": g.ecount(),
                      "load_s": round(load, 3), "components_s": round(comp, 3), "leiden_s": round(leid, 3),
                      "betweenness2_s": round(betw, 3), "expand2_p99_ms": round(p99(ex), 2),
                      "path_p99_ms": round(p99(sp), 2)}), flush=True)

if "networkx" in which:
    import networkx as nx
    t = time.perf_counter(); G = nx.Graph(); G.add_nodes_from(range(n)); G.add_edges_from(edges()); load = time.perf_counter() - t
    t = time.perf_counter(); list(nx.connected_components(G)); comp = time.perf_counter() - t
    t = time.perf_counter(); nx.community.louvain_communities(G, seed=7); leid = time.perf_counter() - t
    t = time.perf_counter(); nx.betweenness_centrality(G, k=100, seed=7); betw = time.perf_counter() - t
    rng = random.Random(7); ex, sp = [], []
    for _ in range(q):
        a, b = rng.randrange(n), rng.randrange(n)
        t = time.perf_counter(); nx.ego_graph(G, a, radius=2); ex.append(time.perf_counter() - t)
        t = time.perf_counter()
        try:
            nx.shortest_path(G, a, b)
        except nx.NetworkXNoPath:
            pass
        sp.append(time.perf_counter() - t)
    print(json.dumps({"engine": "networkx " + nx.__version__ + " (Louvain; betweenness from 100 sampled sources)",
                      "nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "load_s": round(load, 3),
                      "components_s": round(comp, 3), "leiden_s": round(leid, 3), "betweenness2_s": round(betw, 3),
                      "expand2_p99_ms": round(p99(ex), 2), "path_p99_ms": round(p99(sp), 2)}), flush=True)
