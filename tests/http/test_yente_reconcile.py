"""yente parity, part two: `weights` (and `config`) on POST /match change
the scores as documented, and the OpenRefine reconciliation API (/reconcile
manifest, queries as a form field, as ?queries= and as a JSON body) returns
candidates with score and match, screened as /match screens them: the
designated scope, the reader's scope. Every response is checked against
docs/openapi.yaml (apitest.Client). docs/screening.md "Weights" and
"Reconciliation (OpenRefine)"."""
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "reconcile.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

routes = cli("serve", "--list-routes")[1].splitlines()
if "POST /reconcile/{dataset}" not in routes:
    ok(False, "the /reconcile routes are not registered")
    finish()

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("fgr.an", "FGR", "analyst"), ("fgr.aud", "FGR", "auditor")])


def person(rid, name, ds, topics, marking="PUBLIC", **props):
    p = {"name": [name], "topics": topics}
    p.update(props)
    return {"id": rid, "schema": "Person", "properties": p, "datasets": ds, "owner": "DEA", "marking": marking}


RECS = [
    person("sdn-guzman-loera", "Joaquín Archivaldo Guzmán Loera", ["us_ofac_sdn"], ["sanction"],
           birthDate=["1957-04-04"], nationality=["mx"], program=["SDNTK"]),
    person("sdn-zambada", "Ismael Zambada García", ["us_ofac_sdn"], ["sanction"], birthDate=["1948-01-01"]),
    person("uk-guzman", "Joaquin Guzman Loera", ["gb_uksl"], ["sanction"]),
    # an analyst's own record: never a designated candidate
    person("dea-own-guzman", "Joaquín Guzmán Loera", ["dea_cases"], [], marking="AGENCY-ONLY"),
    # a designated person only DEA may see
    person("dea-listed", "Ramiro Secreto Valdez", ["us_ofac_sdn"], ["sanction"], marking="AGENCY-ONLY"),
]
path = os.path.join(TMP, "recs.jsonl")
with open(path, "w") as f:
    f.write("\n".join(json.dumps(r) for r in RECS) + "\n")
eq(cli("import", "ftm", path, "--db", DB)[0], 0, "import the fixture")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)
DEA, FGR = tok["dea.an"], tok["fgr.an"]


def match(token, q, body_extra=None, **query):
    body = {"queries": {"q": q}}
    body.update(body_extra or {})
    return c.req("POST", "/match/default", token=token, body=body, query=list(query.items()) or None)


def score_of(js, rid):
    for r in js["responses"]["q"]["results"]:
        if r["id"] == rid:
            return r["score"]
    return None


# ---- weights on POST /match ----
Q = {"schema": "Person", "properties": {"name": ["Joaquin Guzman Loera"], "birthDate": ["1957-04-04"],
                                        "nationality": ["us"]}}
s, js, _ = match(DEA, Q)
base = score_of(js, "sdn-guzman-loera") if s == 200 else None
feats = next((r["features"] for r in js["responses"]["q"]["results"] if r["id"] == "sdn-guzman-loera"), {}) if base else {}
ok(base is not None and "birth_date_match" in feats and "country_mismatch" in feats,
   "without weights: the birth date matches and the country conflicts", str(feats))
s, js, _ = match(DEA, Q, {"weights": {"birth_date_match": 0.0, "country_mismatch": 0.0}})
w0 = score_of(js, "sdn-guzman-loera") if s == 200 else None
f0 = next((r["features"] for r in js["responses"]["q"]["results"] if r["id"] == "sdn-guzman-loera"), {}) if w0 else {}
ok(w0 is not None and abs((w0 - base) - (feats["country_mismatch"] * -1 - feats["birth_date_match"])) < 1e-3,
   "zero weights remove exactly those two qualifiers from the score", f"{base} -> {w0}; {feats}")
ok(f0.get("birth_date_match") == 0 and f0.get("country_mismatch") == 0, "the explanation shows the weights used", str(f0))
s, js, _ = match(DEA, Q, {"weights": {"dob_day_disjoint": -0.5, "country_mismatch": -0.4}}, cutoff="0.1")
w1 = score_of(js, "sdn-guzman-loera") if s == 200 else None
ok(w1 is not None and abs((base - w1) - (0.4 + feats["country_mismatch"])) < 1e-3,
   "a heavier country_mismatch lowers the score by the difference (yente's dob_day_disjoint is accepted)",
   f"{base} -> {w1}")
# name_similarity and name_only_cap: a name-only query
QN = {"schema": "Person", "properties": {"name": ["Joaquin Guzman Loera"]}}
s, js, _ = match(DEA, QN)
n0 = score_of(js, "sdn-guzman-loera")
s, js, _ = match(DEA, QN, {"weights": {"name_similarity": 0.5}}, threshold="0.3", cutoff="0.1")
n1 = score_of(js, "sdn-guzman-loera")
ok(n0 and n1 and abs(n1 - n0 / 2) < 2e-3, "name_similarity 0.5 halves a name-only score", f"{n0} -> {n1}")
s, js, _ = match(DEA, QN, {"weights": {"name_only_cap": 1.0}})
n2 = score_of(js, "sdn-guzman-loera")
ok(n0 and n2 and n2 > n0 and n2 <= 1.0, "name_only_cap 1.0 lifts the name-only cap", f"{n0} -> {n2}")
# the candidate pool follows the weights: at a cutoff between the plain and
# the weighted score the entity is returned only with the weights (the
# pruning bound must use the weighted cap, or it would drop it unseen)
mid = round((n0 + n0 / 0.95) / 2, 4) if n0 else 0.9
s, js, _ = match(DEA, QN, cutoff=str(mid), threshold=str(mid))
ok(s == 200 and score_of(js, "sdn-guzman-loera") is None, "below the cutoff without weights", str(mid))
s, js, _ = match(DEA, QN, {"weights": {"name_only_cap": 1.0}}, cutoff=str(mid), threshold=str(mid))
ok(s == 200 and (score_of(js, "sdn-guzman-loera") or 0) >= mid, "kept above the cutoff with name_only_cap 1.0",
   str(js)[:300])
# refusals: unknown feature, out of range, not a number, config keys
for body, field, what in (({"weights": {"name_literal_match": 1.0}}, "weights.name_literal_match", "an unknown feature"),
                          ({"weights": {"country_mismatch": -3}}, "weights.country_mismatch", "a weight out of range"),
                          ({"weights": {"country_mismatch": "x"}}, "weights.country_mismatch", "a weight that is no number"),
                          ({"weights": [1]}, "weights", "weights that are no object"),
                          ({"config": {"nm_number_mismatch": 0.3}}, "config", "a config key")):
    s, js, _ = match(DEA, QN, body)
    ok(s == 400 and js and js.get("error", {}).get("field", js.get("field")) == field or (s == 400 and field in json.dumps(js)),
       f"{what} is 400 naming {field}", f"{s} {js}")
s, js, _ = match(DEA, QN, {"config": {}})
eq(s, 200, "an empty config is accepted")

# ---- /reconcile: the manifest ----
s, js, _ = c.req("GET", "/reconcile", token=FGR)
ok(s == 200 and "0.2" in js.get("versions", []) and js.get("identifierSpace") and js.get("schemaSpace")
   and {"Person", "Company"} <= {t["id"] for t in js.get("defaultTypes", [])}, "GET /reconcile is the service manifest",
   str(js)[:300])
s, js, _ = c.req("GET", "/reconcile/us_ofac_sdn", token=FGR)
ok(s == 200 and "us_ofac_sdn" in js.get("name", ""), "a dataset's manifest names it")
s, js, _ = c.req("GET", "/reconcile/no_such_ds", token=FGR)
eq(s, 404, "an unknown dataset is 404")
s, _, _ = c.req("GET", "/reconcile")
eq(s, 401, "reconciliation needs authentication like every route")

# ---- /reconcile: queries, as OpenRefine sends them (a form field) ----
RQ = {"q0": {"query": "Joaquin Archivaldo Guzman Loera", "type": "Person", "limit": 3,
             "properties": [{"pid": "birthDate", "v": "1957-04-04"}]},
      "q1": {"query": "Ismael Zambada", "type": "Person"},
      "q2": {"query": "Ramiro Secreto Valdez", "type": "Person"},
      "q3": {"query": "Nadie Conocido Jamas", "type": "Person"}}
form = urllib.parse.urlencode({"queries": json.dumps(RQ)}).encode()
s, js, _ = c.req("POST", "/reconcile", token=FGR, raw=form,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
res = js if s == 200 else {}
ids = {k: [x["id"] for x in v["result"]] for k, v in res.items()}
ok(s == 200 and set(res) == set(RQ), "one result list per query key", str(js)[:300])
top = res.get("q0", {}).get("result", [{}])[0]
ok(top.get("id") == "sdn-guzman-loera" and top.get("match") is True and 0.9 <= top.get("score", 0) <= 1
   and top.get("type") == [{"id": "Person", "name": "Person"}] and top.get("description") == "SDNTK",
   "the designated person is the first candidate, a match, with score, type and program", str(top))
ok(len(res.get("q0", {}).get("result", [])) <= 3, "the query's limit is applied")
ok("dea-own-guzman" not in json.dumps(res), "an analyst's own record is never a candidate (designated scope)")
ok(ids.get("q1", [None])[0] == "sdn-zambada", "a second query in the batch", str(ids))
ok(ids.get("q2") == [] and ids.get("q3") == [], "FGR does not see DEA's designated person; no candidate for a stranger",
   str(ids))
s, js, _ = c.req("POST", "/reconcile", token=DEA, body={"queries": {"q2": RQ["q2"]}})
ok(s == 200 and [x["id"] for x in js["q2"]["result"]][:1] == ["dea-listed"],
   "DEA sees its own designated person (JSON body)", str(js)[:300])
s, js, _ = c.req("GET", "/reconcile/gb_uksl", token=FGR, query={"queries": json.dumps({"q": RQ["q0"]})})
ok(s == 200 and [x["id"] for x in js["q"]["result"]] == ["uk-guzman"],
   "?queries= on a dataset: that dataset's designations only", str(js)[:300])
for raw, ct, field, what in ((b"queries=%7Bnot+json", "application/x-www-form-urlencoded", "queries", "a query that is no JSON"),
                             (json.dumps({"queries": {"q": {"type": "Person"}}}).encode(), "application/json",
                              "queries.q.query", "a query without text"),
                             (json.dumps({"queries": {"q": {"query": "x y", "type": "Spaceship"}}}).encode(),
                              "application/json", "queries.q.type", "an unknown type"),
                             (json.dumps({"queries": {"q": {"query": "x y", "limit": 0}}}).encode(), "application/json",
                              "queries.q.limit", "a limit of 0"),
                             (b"other=1", "application/x-www-form-urlencoded", "queries", "a POST without queries")):
    s, js, _ = c.req("POST", "/reconcile", token=FGR, raw=raw, headers={"Content-Type": ct})
    ok(s == 400 and field in json.dumps(js), f"{what} is 400 naming {field}", f"{s} {js}")
many = {f"q{i}": {"query": "Guzman"} for i in range(101)}
s, js, _ = c.req("POST", "/reconcile", token=FGR, body={"queries": many})
eq(s, 413, "more than 100 queries in one batch is refused")

# the audit trail records the reconciliation with the names asked
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["fgr.aud"], query={"limit": "10000"})
ent = [e for e in (js["entries"] if s == 200 else []) if e["action"] == "screen.reconcile"]
ok(any('"Ismael Zambada"' in e["detail"] and "reconcile queries=4" in e["detail"] and e["outcome"] == "success" for e in ent),
   "each reconciliation is audited with the names asked", str(ent[:2])[:400])
eq(srv.stop(), 0, "server stops cleanly")
finish()
