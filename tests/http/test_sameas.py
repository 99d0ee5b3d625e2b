"""End-to-end tests of the resolved person in the screening routes
(docs/sameas.md):
  - an xref judgement between a designation and a firearm purchaser is
    screening's reviewed decision: not_same suppresses POST /api/v1/screen's
    hit (who, why), `none` removes it; the judgement's response counts the
    decisions written;
  - the visibility rule: ATF's judgement on a US-ONLY purchaser is applied
    for ATF, not for an FGR analyst (no suppression, no note);
  - an alias judged `same`: POST /api/v1/screen's "resolved" and yente's
    POST /match/default per-query "resolved" (not with a topic filter);
    revoking it empties both at once (the server's sameas table follows the
    resolution generation).
Every response is checked against docs/openapi.yaml. Run by
tests/http/e2e_driver.sh."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, store_query, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "sameas_api.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
tok = seed_users(DB, [("fgr.an", "FGR", "analyst"), ("atf.an", "ATF", "analyst")])
MX, US = tok["fgr.an"], tok["atf.an"]


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


sdn = json.dumps({"id": "sdn-mendoza", "schema": "Person", "properties": {
    "name": ["Carlos Mendoza Ruiz"], "birthDate": ["1975-02-14"], "topics": ["sanction"]}}) + "\n"
eq(cli("import", "ftm", write("sdn.json", sdn), "--owner", "OFAC", "--marking", "PUBLIC", "--db", DB)[0], 0,
   "designation imported")
H = "manufacturer,serial,importer,model,type,calibre,action,detachable_mag,country,event,date,party,party_dob,ffl,state\n"


def sales(rows):
    out = H
    for serial, name, dob in rows:
        out += (f"GLOCK,{serial},,G19,pistol,9mm,semi-auto,1,AUT,MANUFACTURE,2021-01-05,,,,\n"
                f"GLOCK,{serial},,,,,,,,RETAIL,2021-03-01,{name},{dob},5-74-12345,TX\n")
    return out


eq(cli("trace", "import", "acquisitions", write("shared.csv", sales([("SC1", "Carlos Mendoza Ruis", "1990-06-01"),
                                                                      ("SC2", "Juan C. Ortega", "1975-02-14")])),
       "--owner", "ATF", "--marking", "SHARED", "--db", DB)[0], 0, "SHARED sales imported")
eq(cli("trace", "import", "acquisitions", write("us.csv", sales([("SC3", "Carlos Mendosa Ruiz", "1991-07-02")])),
       "--owner", "ATF", "--marking", "US-ONLY", "--db", DB)[0], 0, "a US-ONLY sale imported")
eq(cli("resolve", "run", "--db", DB)[0], 0, "resolution run")


def key(label):
    rows = store_query(DB, "SELECT ref FROM resolve_record WHERE source = 'trace.purchaser' AND label = ?", (label,))
    return "trace.purchaser:" + rows[0][0]


K_SHARED, K_ORTEGA, K_US = key("Carlos Mendoza Ruis"), key("Juan C. Ortega"), key("Carlos Mendosa Ruiz")
SDN = "entity:sdn-mendoza"

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)
n = 0


def screen(token, name):
    """The sdn-mendoza result and the "resolved" list of one screening (a new query id: never the answer cache)."""
    global n
    n += 1
    s, js, _ = c.req("POST", "/api/v1/screen", token=token,
                     body={"queries": [{"id": f"q{n}", "schema": "Person", "properties": {"name": [name]}}]})
    eq(s, 200, f"screen '{name}'")
    r = js["results"][0]
    hit = [m for m in r["results"] if m["id"] == "sdn-mendoza"]
    return (hit[0] if hit else None), r.get("resolved", [])


def judge(token, a, b, verdict, note=None):
    body = {"a": a, "b": b, "verdict": verdict}
    if note:
        body["note"] = note
    return c.req("POST", "/api/v1/resolve/judgements", token=token, body=body)


# ---- not_same: a reviewed false positive ----
hit, _ = screen(MX, "Carlos Mendoza Ruis")
ok(hit and hit["match"] and not hit.get("suppressed"), "before: the purchaser's name hits the designation", hit)
s, js, _ = judge(MX, K_SHARED, SDN, "not_same", "different person, other DOB")
eq(s, 200, "FGR judges the purchaser not the designated person")
eq(js.get("screening_decisions"), 2, "two decisions written (the name, and with its date of birth)")
hit, _ = screen(MX, "Carlos Mendoza Ruis")
ok(hit and hit.get("suppressed") and not hit["match"], "FGR: the hit is a reviewed false positive", hit)
rv = (hit or {}).get("review") or {}
eq(rv.get("decision"), "false_positive", "the review says false_positive")
eq(rv.get("analyst"), "fgr.an", "... who decided")
ok("different person, other DOB" in rv.get("note", "") and rv.get("created"), "... why and when", rv)
s, js, _ = judge(MX, K_SHARED, SDN, "none")
eq((s, js.get("screening_decisions")), (200, 0), "FGR revokes the judgement")
hit, _ = screen(MX, "Carlos Mendoza Ruis")
ok(hit and hit["match"] and not hit.get("suppressed") and not hit.get("review"), "revoked: the hit is back, unreviewed", hit)

# ---- visibility: a judgement on a US-ONLY record ----
s, js, _ = judge(US, K_US, SDN, "not_same", "checked by ATF")
eq((s, js.get("screening_decisions")), (200, 2), "ATF judges its US-ONLY purchaser")
hit, _ = screen(US, "Carlos Mendosa Ruiz")
ok(hit and hit.get("suppressed"), "ATF: its judgement is applied", hit)
hit, _ = screen(MX, "Carlos Mendosa Ruiz")
ok(hit and hit["match"] and not hit.get("suppressed") and not hit.get("review"),
   "FGR: a judgement on a US-ONLY record is not applied, its note not shown", hit)
rows = store_query(DB, "SELECT owner, marking FROM screen_review")
ok(rows and all(tuple(r) == ("ATF", "US-ONLY") for r in rows), "the decisions are ATF's, US-ONLY", rows)
eq(judge(MX, K_US, SDN, "none")[0], 404, "FGR cannot revoke what it may not see")

# ---- same: the alias is the designated person (resolved hits, /match) ----
s, js, _ = judge(MX, K_ORTEGA, SDN, "same", "alias per informant")
eq(s, 200, "FGR judges the alias the designated person")
_, res = screen(MX, "ORTEGA, JUAN C.")
eq([h["entity_id"] for h in res], ["sdn-mendoza"], "screen: a hit by resolution")
ok(res and res[0]["via"] == K_ORTEGA and "same person as Carlos Mendoza Ruiz" in res[0]["reason"], "... explained", res)
_, res2 = screen(MX, "Juan C. Ortega")
eq([h["entity_id"] for h in res2], ["sdn-mendoza"], "screen again (the server's table): the same hit")
q = {"queries": {"a1": {"schema": "Person", "properties": {"name": ["ORTEGA, JUAN C."]}}}}
s, js, _ = c.req("POST", "/match/default", token=MX, body=q)
eq(s, 200, "yente /match/default")
resp = js["responses"]["a1"]
eq([h["entity_id"] for h in resp.get("resolved", [])], ["sdn-mendoza"], "/match: the per-query 'resolved' member")
ok(all(m["id"] != "sdn-mendoza" for m in resp["results"]), "/match: the name alone does not match the designation")
s, js, _ = c.req("POST", "/match/default", token=MX, body=q, query={"topics": "crime"})
eq(s, 200, "/match with a topic filter")
ok("resolved" not in js["responses"]["a1"], "/match with a filter: no hits by resolution (the lists' scope only)")
s, js, _ = c.req("POST", "/match/default", token=US, body=q)
eq([h["entity_id"] for h in js["responses"]["a1"].get("resolved", [])], ["sdn-mendoza"], "/match (ATF): the SHARED case too")
eq(judge(MX, K_ORTEGA, SDN, "none")[0], 200, "FGR revokes the alias")
_, res = screen(MX, "ORTEGA, JUAN C.")
eq(res, [], "revoked: no hit by resolution at once")
s, js, _ = c.req("POST", "/match/default", token=MX, body=q)
ok("resolved" not in js["responses"]["a1"], "revoked: /match has none either (not the cached answer)")
srv.stop()
finish()
