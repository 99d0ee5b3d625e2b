"""Oversight routes (src/http/http_oversight.c, docs/access.md "Oversight"):
the audit trail with server-side filters (user, action, target, outcome,
time) and paging newest first, its JSON-lines export, who viewed a record
(supervisors only, over records they may see, own agency's entries unless
the agency owns the record), and agency grants made by an administrator for
its own agency. Responses are checked against docs/openapi.yaml. Run by
tests/http/e2e_driver.sh."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "oversight.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("dea.an2", "DEA", "analyst"), ("dea.sup", "DEA", "supervisor"),
                      ("fgr.an", "FGR", "analyst"), ("fgr.sup", "FGR", "supervisor"), ("dea.aud", "DEA", "auditor"),
                      ("dea.adm", "DEA", "admin"), ("cbp.adm", "CBP", "admin")])
recs = os.path.join(TMP, "recs.jsonl")
with open(recs, "w", encoding="utf-8") as f:
    f.write(json.dumps({"id": "dea-o-1", "schema": "Person", "properties": {"name": ["Ana Demo"]}, "owner": "DEA",
                        "marking": "SHARED"}) + "\n")
    f.write(json.dumps({"id": "dea-o-2", "schema": "Person", "properties": {"name": ["Hidden Demo"]}, "owner": "DEA",
                        "marking": "AGENCY-ONLY"}) + "\n")
    f.write(json.dumps({"id": "fgr-o-1", "schema": "Person", "properties": {"name": ["Beto Demo"]}, "owner": "FGR",
                        "marking": "SHARED"}) + "\n")
eq(cli("import", "ftm", recs, "--db", DB)[0], 0, "records imported")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)

# ---- reads that make audit entries ----
for who, rid in (("dea.an", "dea-o-1"), ("dea.an2", "dea-o-1"), ("fgr.an", "dea-o-1"), ("dea.an", "fgr-o-1")):
    eq(c.req("GET", f"/api/v1/entities/{rid}", token=tok[who])[0], 200, f"{who} reads {rid}")
eq(c.req("GET", "/api/v1/entities/dea-o-2", token=tok["fgr.an"])[0], 404, "fgr.an cannot read the AGENCY-ONLY record")

# ---- who viewed a record: supervisors ----
s, js, _ = c.req("GET", "/api/v1/entities/dea-o-1/views", token=tok["dea.sup"])
eq(s, 200, "a supervisor asks who viewed a record of its agency")
users = [e["user"] for e in js["entries"] if e["action"] == "entity.read"]
ok(js["scope"] == "all" and set(users) == {"dea.an", "dea.an2", "fgr.an"},
   "the owner's supervisor sees every agency's reads of its record", json.dumps(js)[:400])
ok([e["ts"] for e in js["entries"]] == sorted((e["ts"] for e in js["entries"]), reverse=True), "newest first")
ok(all(set(e) == {"ts", "user", "agency", "action", "outcome", "purpose"} for e in js["entries"]),
   "only who, when, what and how (no details, no hashes)")
s, js, _ = c.req("GET", "/api/v1/entities/dea-o-1/views", token=tok["fgr.sup"])
users = {e["user"] for e in js["entries"]}
ok(s == 200 and js["scope"] == "agency" and users == {"fgr.an"},
   "another agency's supervisor sees only its own agency's reads", json.dumps(js)[:400])
s, js, _ = c.req("GET", "/api/v1/entities/fgr-o-1/views", token=tok["dea.sup"])
ok(s == 200 and {e["user"] for e in js["entries"]} == {"dea.an"}, "DEA's supervisor on FGR's record: DEA's reads only")
eq(c.req("GET", "/api/v1/entities/dea-o-2/views", token=tok["fgr.sup"])[0], 404,
   "a record hidden from the supervisor is not found (no views leak)")
eq(c.req("GET", "/api/v1/entities/nope/views", token=tok["dea.sup"])[0], 404, "an absent record is not found")
for role in ("dea.an", "dea.aud", "dea.adm"):
    eq(c.req("GET", "/api/v1/entities/dea-o-1/views", token=tok[role])[0], 403, f"{role}: no oversight permission")

# ---- the audit trail with filters (auditor, own agency) ----
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"user": "dea.an", "action": "entity"})
ok(s == 200 and js["count"] >= 2 and all(e["user"] == "dea.an" and e["action"].startswith("entity.") for e in js["entries"]),
   "filter by user and action prefix", json.dumps(js)[:300])
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"target": "dea-o-1", "action": "entity.read"})
ok(s == 200 and {e["user"] for e in js["entries"]} == {"dea.an", "dea.an2"},
   "filter by target: DEA's entries only (FGR's read is not the DEA auditor's)", json.dumps(js)[:300])
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"outcome": "denied"})
ok(s == 200 and all(e["outcome"] == "denied" for e in js["entries"]) and js["count"] >= 3,
   "filter by outcome (the refused oversight reads)", json.dumps(js)[:300])
s, all_js, _ = c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"order": "desc", "limit": "3"})
before = str(all_js["entries"][-1]["seq"])
s2, next_js, _ = c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"order": "desc", "limit": "3", "before": before})
seqs = [e["seq"] for e in all_js["entries"]] + [e["seq"] for e in next_js["entries"]]
ok(s == 200 and s2 == 200 and len(seqs) == 6 and seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 6,
   "paging newest first: two pages in descending order, no overlap", str(seqs))
eq(c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"order": "sideways"})[0], 400, "a bad order is refused")
eq(c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"target": "%"})[1]["count"], 0,
   "a % in the target filter is literal")
s, _, body = c.req("GET", "/api/v1/audit/export", token=tok["dea.aud"], query={"user": "dea.an2"})
lines = [json.loads(l) for l in body.decode().splitlines() if l.strip()]
ok(s == 200 and lines and all(e["user"] == "dea.an2" for e in lines) and all("hash" in e for e in lines),
   "the export: the filtered entries as JSON lines with their hashes", body[:300])
eq(c.req("GET", "/api/v1/audit/export", token=tok["dea.an"])[0], 403, "an analyst cannot export the trail")
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"action": "audit.export"})
ok(s == 200 and any(e["user"] == "dea.aud" and "user=dea.an2" in e["detail"] for e in js["entries"]), "the export is audited with its filter",
   json.dumps(js)[:600])

# ---- agency grants (administrators, own agency as owner) ----
s, js, _ = c.req("POST", "/api/v1/agency-grants", token=tok["dea.adm"], body={"grantee": "hsi"})
ok(s == 201 and js["owner"] == "DEA" and js["grantee"] == "HSI", "an administrator grants HSI the right to change DEA's records")
rows = [r for r in cli("audit", "export", "--db", DB)[1].splitlines() if '"agency.grant"' in r]
ok(rows and '"targets":"DEA>HSI"' in rows[-1], "the grant is audited as agency.grant DEA>HSI")
s, js, _ = c.req("GET", "/api/v1/agency-grants", token=tok["dea.adm"])
ok(s == 200 and any(g["owner"] == "DEA" and g["grantee"] == "HSI" for g in js["grants"]), "the grant is listed")
s, js, _ = c.req("GET", "/api/v1/agency-grants", token=tok["cbp.adm"])
ok(s == 200 and js["grants"] == [], "another agency's administrator does not see it")
eq(c.req("POST", "/api/v1/agency-grants", token=tok["dea.adm"], body={"grantee": "DEA"})[0], 400, "no grant to oneself")
eq(c.req("POST", "/api/v1/agency-grants", token=tok["dea.adm"], body={"grantee": "NOPE"})[0], 404, "an unknown agency")
eq(c.req("POST", "/api/v1/agency-grants", token=tok["dea.sup"], body={"grantee": "HSI"})[0], 403, "a supervisor cannot grant")
s, js, _ = c.req("DELETE", "/api/v1/agency-grants/HSI", token=tok["dea.adm"])
eq(s, 200, "the administrator revokes it")
s, js, _ = c.req("GET", "/api/v1/agency-grants", token=tok["dea.adm"])
ok(js["grants"] == [], "no grant left")

srv.stop()
finish()
