"""End to end: betweenness by source sampling through the CLI and the API
(docs/graph.md "Betweenness"; run by tests/http/e2e_driver.sh):
  - the method is said: exact on a small graph by default, sampled with
    samples=K < n (K sources, the seed), exact again with K >= n, the hop
    cutoff only when asked; samples and cutoff together, 0 or out of range: 400;
  - the API and the CLI give the same estimate for one reader (the same
    graph, the same seed), and the values route agrees with the centrality
    route;
  - visibility: the Mexican reader's estimate on a store holding US-ONLY
    records equals its estimate on a store without them (a hidden node
    changes nothing it can infer: not the sampled sources, not a score);
    the US reader's differs and ranks the hidden broker.
Every response is checked against docs/openapi.yaml."""
import json
import os
import sys

SRC = os.environ.get("PUENTE_SRC", ".")
sys.path.insert(0, os.path.join(SRC, "tests", "http"))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

TMP = os.environ["TEST_TMP"]
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def ftm(i, schema, **props):
    return json.dumps({"id": i, "schema": schema, "properties": {k: [v] for k, v in props.items()}})


# 40 people in a ring with chords (public), and a US-ONLY broker joining
# opposite sides of the ring (a shortcut: for ATF most paths run through it)
N = 40
pub = [ftm(f"p{i:02d}", "Person", name=f"Persona {i}") for i in range(N)]
pub += [ftm(f"r{i:02d}", "UnknownLink", subject=f"p{i:02d}", object=f"p{(i + 1) % N:02d}") for i in range(N)]
pub += [ftm(f"c{i:02d}", "UnknownLink", subject=f"p{i:02d}", object=f"p{(i + 7) % N:02d}") for i in range(0, N, 5)]
hidden = [ftm("p-broker", "Person", name="Intermediario Reservado")]
hidden += [ftm(f"hb{i}", "UnknownLink", subject="p-broker", object=f"p{i:02d}") for i in (3, 13, 23, 33)]
pub_file = write("pub.json", "\n".join(pub) + "\n")
hid_file = write("hidden.json", "\n".join(hidden) + "\n")

DB = test_store(os.path.join(TMP, "betw.db"))       # public and US-ONLY
BARE = test_store(os.path.join(TMP, "betw_bare.db"))  # public only
for db, files in ((DB, [(pub_file, "PUBLIC"), (hid_file, "US-ONLY")]), (BARE, [(pub_file, "PUBLIC")])):
    for f, marking in files:
        eq(cli("import", "ftm", f, "--owner", "ATF", "--marking", marking, "--db", db)[0], 0, f"import {marking}")
tok = seed_users(DB, [("fgr.an", "FGR", "analyst"), ("atf.an", "ATF", "analyst")])
MX, US = tok["fgr.an"], tok["atf.an"]

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)


def cent(token, **q):
    return c.req("GET", "/api/v1/graph/centrality", token=token, query={"measure": "betweenness", "top": 1000, **q})


def scores(js):
    return [(n["node"]["id"], round(n["score"], 6)) for n in js["nodes"]]


# ---- the method is said ----
s, ex, _ = cent(MX)
eq((s, ex.get("method"), ex.get("samples")), (200, "exact", N), "default on a small graph: exact, every node a source")
s, sm, _ = cent(MX, samples=5)
eq((s, sm.get("method"), sm.get("samples")), (200, "sampled", 5), "samples=5: estimated from 5 sources")
ok(isinstance(sm.get("seed"), int) and sm["seed"] > 0, "the seed is said", str(sm.get("seed")))
ok(scores(sm) != scores(ex), "the estimate is not the exact value")
eq(scores(cent(MX, samples=5)[1]), scores(sm), "the same request, the same estimate (fixed seed)")
s, full, _ = cent(MX, samples=N)
eq((full.get("method"), scores(full)), ("exact", scores(ex)), "samples = n: exact")
s, cu, _ = cent(MX, cutoff=2)
eq((s, cu.get("method"), cu.get("cutoff")), (200, "cutoff", 2), "cutoff=2: the hop-cutoff measure")
for q, what in (({"samples": 5, "cutoff": 2}, "samples and cutoff together"), ({"samples": 0}, "samples=0"),
                ({"cutoff": 7}, "cutoff above 6"), ({"samples": "x"}, "samples not a number"),
                ({"samples": 4097}, "samples above the API's 4096")):
    eq(cent(MX, **q)[0], 400, f"{what}: 400")

# ---- API and CLI agree; the values route agrees with the centrality route ----
rc, out = cli("graph", "centrality", "betweenness", "--samples", "5", "--top", "0", "--json", "--db", DB,
              "--agency", "FGR", "--country", "MX")
eq(rc, 0, "CLI: graph centrality betweenness --samples 5")
eq(scores(json.loads(out)), scores(sm), "CLI and API: the same estimate for the same reader")
some = [n["node"]["id"] for n in sm["nodes"][:5]]
s, vals, _ = c.req("POST", "/api/v1/graph/values", token=MX, query={"measure": "betweenness", "samples": 5},
                   body={"nodes": some})
eq((s, vals.get("method"), vals.get("samples")), (200, "sampled", 5), "values: sampled, 5 sources")
eq({v["id"]: round(v["value"], 6) for v in vals["values"]}, dict(scores(sm)[:5]), "values agree with centrality")

# ---- visibility: a hidden node changes nothing the reader can infer ----
rc, bare = cli("graph", "centrality", "betweenness", "--samples", "5", "--top", "0", "--json", "--db", BARE,
               "--agency", "FGR", "--country", "MX")
eq(rc, 0, "CLI on the store without the US-ONLY records")
bare = json.loads(bare)
eq((sm["total"], sm["samples"], sm["seed"]), (bare["total"], bare["samples"], bare["seed"]), "FGR: the same n, k and seed")
eq(scores(sm), scores(bare), "FGR: the same estimate with and without the hidden broker")
s, usm, raw = cent(US, samples=5)
eq((s, usm["total"]), (200, N + 1), "ATF: the broker is a node")
ok(b"p-broker" in raw and b"p-broker" not in json.dumps(sm).encode(), "the broker is ranked for ATF only")
ok(scores(usm) != scores(sm), "ATF's estimate differs (its graph has the shortcut)")
s, usx, _ = cent(US)
eq(usx["nodes"][0]["node"]["id"], "entity:p-broker", "ATF: the broker is the most between node (exact)")
srv.stop()
finish()
