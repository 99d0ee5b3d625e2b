"""End-to-end tests of the designation lists' API (docs/lists.md):
GET /api/v1/lists/versions, GET /api/v1/lists/versions/{id}/delta and
POST /api/v1/lists/update (administrators): a load and a second version with
its delta, a cut-off export refused with the previous version kept, roles,
the designated scope of POST /api/v1/screen and /match/{dataset}, and the
audit trail. Every response is checked against docs/openapi.yaml."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "lists_api.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
FIX = os.path.join(SRC, "data/lists")

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("dea.adm", "DEA", "admin"), ("dea.aud", "DEA", "auditor")])
AN, ADM = tok["dea.an"], tok["dea.adm"]

# the source reads a file the test replaces between updates
live = os.path.join(TMP, "sdn.xml")
shutil.copy(os.path.join(FIX, "ofac_sdn.xml"), live)
eq(cli("lists", "sources", "add", "us_ofac", "--format", "ofac_xml", "--location", live, "--db", DB)[0], 0,
   "configure a source")
eq(cli("lists", "sources", "add", "un_sc", "--format", "un_xml", "--location",
       os.path.join(FIX, "un_consolidated.xml"), "--db", DB)[0], 0, "configure a second source")
own = os.path.join(TMP, "own.jsonl")
with open(own, "w") as f:
    f.write(json.dumps({"id": "dea-own-cjng", "schema": "Company",
                        "properties": {"name": ["CARTEL DE JALISCO NUEVA GENERACION"]}}) + "\n")
eq(cli("import", "ftm", own, "--owner", "DEA", "--marking", "SHARED", "--db", DB)[0], 0,
   "an analyst's own company with a designated name")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)

# ---- update: roles, then a load ----
s, js, _ = c.req("POST", "/api/v1/lists/update", token=AN, body={})
eq(s, 403, "an analyst may not update the lists")
s, js, _ = c.req("POST", "/api/v1/lists/update", token=ADM, body={"force": "yes"})
eq(s, 400, "force must be a boolean")
s, js, _ = c.req("POST", "/api/v1/lists/update", token=ADM, body={"source": "nope"})
eq(s, 404, "an unknown source is 404")
s, js, _ = c.req("POST", "/api/v1/lists/update", token=ADM, body={})
ok(s == 200 and js["refused"] == 0 and {r["source"] for r in js["results"]} == {"us_ofac", "un_sc"},
   "an administrator loads every source", str(js))
v1 = {r["source"]: r["version"] for r in js["results"]}["us_ofac"] if s == 200 else {}
ok(v1.get("entities") == 6 and v1.get("added") == 6 and v1.get("published") == "2024-11-28",
   "the first version: six entities, all added, the file's publication date", str(v1))

# ---- a second version and its delta ----
txt = open(os.path.join(FIX, "ofac_sdn.xml")).read()
v2txt = txt.replace("<Record_Count>3<", "<Record_Count>2<")
i = txt.index("  <sdnEntry>\n    <uid>9702")
j = txt.index("</sdnEntry>", i) + len("</sdnEntry>\n")
with open(live, "w") as f:
    f.write(v2txt[:i] + v2txt[j:])
s, js, _ = c.req("POST", "/api/v1/lists/update", token=ADM, body={"source": "us_ofac"})
v2 = js["results"][0]["version"] if s == 200 else {}
ok(s == 200 and v2.get("removed") == 2 and v2.get("added") == 0, "the second version removes the vessel", str(js))
s, js, _ = c.req("GET", f"/api/v1/lists/versions/{v2.get('id', 0)}/delta", token=AN)
ok(s == 200 and js["from"] == v1.get("id") and {(x["entity_id"], x["change"]) for x in js["changes"]} ==
   {("us_ofac-9702", "removed"), ("us_ofac-9702-sanction", "removed")}, "the delta names what was removed", str(js))
s, js, _ = c.req("GET", f"/api/v1/lists/versions/{v1.get('id', 0)}/delta", token=AN)
ok(s == 200 and "from" not in js and js["total"] == 6, "a first version's delta is its whole content", str(js)[:300])
s, js, _ = c.req("GET", "/api/v1/lists/versions/999999/delta", token=AN)
eq(s, 404, "an unknown version is 404")
s, js, _ = c.req("GET", "/api/v1/lists/versions/abc/delta", token=AN)
eq(s, 400, "a version id must be a number")

# ---- a cut-off export is refused and the previous version stays ----
with open(live, "w") as f:
    f.write(txt[:1500])
s, js, _ = c.req("POST", "/api/v1/lists/update", token=ADM, body={"source": "us_ofac"})
ok(s == 400 and "not well-formed" in js["error"]["message"], "a cut-off export is refused", str(js))
s, js, _ = c.req("GET", "/api/v1/lists/versions", token=AN, query={"source": "us_ofac"})
ok(s == 200 and js["total"] == 2 and js["results"][0]["id"] == v2.get("id"),
   "the previous version is still the latest", str(js)[:300])
s, js, _ = c.req("POST", "/api/v1/lists/update", token=ADM, body={})
ok(s == 200 and js["refused"] == 1 and any(r["status"] == "refused" and r["source"] == "us_ofac"
                                           for r in js["results"]), "without a source, refusals are listed", str(js))
s, js, _ = c.req("GET", "/api/v1/lists/versions", token=AN, query={"bogus": "1"})
eq(s, 400, "an unknown argument is refused")

# ---- the designated scope ----
q = {"queries": [{"schema": "Company", "properties": {"name": ["Cartel de Jalisco Nueva Generacion"]}}]}
s, js, _ = c.req("POST", "/api/v1/screen", token=AN, body=q)
ids = [m["id"] for m in js["results"][0]["results"] if m["match"]] if s == 200 else []
ok("us_ofac-26118" in ids and "dea-own-cjng" not in ids,
   "screening: the list entry matches, the analyst's own company does not", str(ids))
s, js, _ = c.req("POST", "/api/v1/screen", token=AN, body=dict(q, scope_topics="all"))
ids = [m["id"] for m in js["results"][0]["results"] if m["match"]] if s == 200 else []
ok("dea-own-cjng" in ids, "scope_topics all screens every entity", str(ids))
s, js, _ = c.req("POST", "/api/v1/screen", token=AN, body=dict(q, scope_datasets="un_sc"))
ids = [m["id"] for m in js["results"][0]["results"] if m["match"]] if s == 200 else []
ok(s == 200 and ids == [], "scope_datasets un_sc: no hit from the OFAC list", str(ids))
s, js, _ = c.req("POST", "/api/v1/screen", token=AN, body=dict(q, scope_topics=["sanction"]))
eq(s, 400, "scope_topics must be a string")
m = {"queries": {"q": {"schema": "Company", "properties": {"name": ["Cartel de Jalisco Nueva Generacion"]}}}}
s, js, _ = c.req("POST", "/match/default", token=AN, body=m)
ids = [x["id"] for x in js["responses"]["q"]["results"] if x["match"]] if s == 200 else []
ok("us_ofac-26118" in ids and "dea-own-cjng" not in ids, "/match/default: the designated scope", str(ids))
s, js, _ = c.req("POST", "/match/un_sc", token=AN, body=m)
ids = [x["id"] for x in js["responses"]["q"]["results"]] if s == 200 else ["?"]
ok(ids == [], "/match/un_sc: only that dataset counts", str(ids))

# ---- audit ----
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"limit": "10000"})
ent = [e for e in (js["entries"] if s == 200 else []) if e["action"].startswith("lists.")]
ok(any(e["action"] == "lists.update" and e["outcome"] == "success" and "us_ofac=v" in e["detail"] for e in ent),
   "a load is audited with its version and delta", str(ent[:3]))
ok(any(e["action"] == "lists.update" and e["outcome"] == "denied" for e in ent), "a refused role is audited")
ok(any(e["action"] == "lists.version.delta" for e in ent), "reading a delta is audited")

eq(srv.stop(), 0, "server stops cleanly")
finish()
