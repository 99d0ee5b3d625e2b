#!/usr/bin/env python3
"""Generate the benchmark graph: N entities (persons and companies) in planted
communities and M UnknownLink edges (90 % inside a community, 10 % across),
as FtM JSON lines for `puente import ftm`, and the same graph as an edge list
(node index pairs) for the peers. Deterministic for a seed (the same edges
with or without the FtM file). usage: gen.py N M SEED OUT.jsonl|- OUT.edges
(OUT.jsonl "-": the edge list only, for bench/graph/betweenness.sh)"""
import contextlib
import json
import random
import sys

n, m, seed, ftm_out, edges_out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rng = random.Random(seed)
COMMUNITY = 50   # planted community size
with (open(ftm_out, "w") if ftm_out != "-" else contextlib.nullcontext()) as f:
    for i in range(n if f else 0):
        schema = "Company" if i % 4 == 0 else "Person"
        f.write(json.dumps({"id": f"n{i}", "schema": schema, "properties": {"name": [f"Node {i}"]}}) + "\n")
    seen = set()
    with open(edges_out, "w") as e:
        k = 0
        while k < m:
            a = rng.randrange(n)
            if rng.random() < 0.9:
                base = a - a % COMMUNITY
                b = base + rng.randrange(min(COMMUNITY, n - base))
            else:
                b = rng.randrange(n)
            if a == b or (min(a, b), max(a, b)) in seen:
                continue
            seen.add((min(a, b), max(a, b)))
            if f:
                f.write(json.dumps({"id": f"e{k}", "schema": "UnknownLink",
                                    "properties": {"subject": [f"n{a}"], "object": [f"n{b}"]}}) + "\n")
            e.write(f"{a} {b}\n")
            k += 1
