"""End-to-end tests of the early-warning routes of `puente serve`: alert
listing with filters and markings, acknowledge/close with their state
machine, role denial, bad input and the audit entries. Every response is
checked against docs/openapi.yaml. Run by tests/http/e2e_ews_api.sh."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, sqlite_only, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "ews_api.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("fgr.an", "FGR", "analyst"), ("dea.aud", "DEA", "auditor"), ("dea.tip", "DEA", "tip-handler")])

rc, demo = cli("ews", "generate", "--weeks", "40", "--seed", "3")
eq(rc, 0, "ews generate")
with open(os.path.join(TMP, "demo.csv"), "w", encoding="utf-8") as f:
    f.write(demo + "\n")
rc, out = cli("ews", "import", os.path.join(TMP, "demo.csv"), "--db", DB)
ok(rc == 0 and "new alerts" in out, "ews import through the CLI", out)

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)
A, F = tok["dea.an"], tok["fgr.an"]


def err_of(js):
    return (js or {}).get("error", {})


# ---- listing ----
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=A)
ok(s == 200 and js["total"] == len(js["results"]) and js["total"] > 0, "DEA lists alerts", f"status {s}")
dea = {a["id"]: a for a in js["results"]} if s == 200 else {}
ok(all(a["status"] == "open" for a in dea.values()), "fresh alerts are open")
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=F)
fgr = {a["id"]: a for a in js["results"]} if s == 200 else {}
ok(s == 200 and len(fgr) > 0, "FGR lists alerts")
ok(all(a["marking"] != "US-ONLY" for a in fgr.values()), "FGR sees no US-ONLY alert")
sub = next(iter(dea.values()))["substance"] if dea else "x"
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=A, query={"substance": sub})
ok(s == 200 and js["total"] > 0 and all(a["substance"] == sub for a in js["results"]),
   "filter by substance", f"status {s}")

# ---- bad input and roles ----
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=A, query={"status": "maybe"})
ok(s == 400 and err_of(js).get("field") == "status", "a bad status filter is 400 naming the field")
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=A, query={"colour": "red"})
eq(s, 400, "an unknown query argument is 400")
s, js, _ = c.req("GET", "/api/v1/ews/alerts")
eq(s, 401, "no token is 401")
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=tok["dea.aud"])
eq(s, 403, "auditors do not read case data")
aid = min(dea) if dea else 1
s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{aid}/ack", token=tok["dea.tip"])
eq(s, 403, "a tip handler cannot acknowledge")
s, js, _ = c.req("POST", "/api/v1/ews/alerts/abc/ack", token=A)
ok(s == 400 and err_of(js).get("field") == "id", "a non-numeric id is 400")
s, js, _ = c.req("POST", "/api/v1/ews/alerts/999999999/ack", token=A)
eq(s, 404, "an unknown alert is 404")
hidden = sorted(set(dea) - set(fgr))
if hidden:
    s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{hidden[0]}/ack", token=F)
    eq(s, 404, "an alert hidden by its marking cannot be acknowledged (404, not 403)")
s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{aid}/close", token=A, body={"note": "x", "extra": 1})
eq(s, 400, "an unknown body key is 400")
s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{aid}/close", token=A, raw=b"{not json", headers={"Content-Type": "application/json"})
eq(s, 400, "a malformed body is 400")

# ---- state machine ----
s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{aid}/ack", token=A)
ok(s == 200 and js["status"] == "acknowledged" and js["by"] == "DEA", "acknowledge", f"status {s}")
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=A, query={"status": "acknowledged"})
ok(s == 200 and [a["id"] for a in js["results"]] == [aid] and js["results"][0]["acked_by"] == "DEA",
   "the acknowledged alert is listed as such")
s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{aid}/close", token=A, body={"note": "lab confirmed"})
ok(s == 200 and js["status"] == "closed", "close with a note", f"status {s}")
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=A, query={"status": "closed"})
ok(s == 200 and [(a["id"], a["note"]) for a in js["results"]] == [(aid, "lab confirmed")], "the note is kept")
s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{aid}/close", token=A)
eq(s, 409, "closing a closed alert is a conflict")
s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{aid}/ack", token=A)
eq(s, 409, "acknowledging a closed alert is a conflict")
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=A, query={"status": "open"})
ok(s == 200 and js["total"] == len(dea) - 1, "one alert fewer is open")

# ---- write rule: only an addressee acknowledges or closes, and only for itself ----
notmine = sorted(a["id"] for a in dea.values()
                 if a["status"] == "open" and "DEA" not in a["addressed"].split(";") and "FGR" in a["addressed"].split(";"))
ok(len(notmine) > 0, "DEA sees open alerts addressed to FGR and not to DEA")
if notmine:
    nid = notmine[0]
    s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{nid}/close", token=A, body={"note": "not ours"})
    ok(s == 403 and err_of(js).get("field") == "agency", "DEA cannot close FGR's alert (403, field agency)", f"{s} {js}")
    s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{nid}/ack", token=A)
    eq(s, 403, "nor acknowledge it")
    s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=F, query={"status": "open"})
    ok(s == 200 and nid in [a["id"] for a in js["results"]], "the refused alert is still open")
    s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{nid}/ack", token=F)
    ok(s == 200 and js["by"] == "FGR", "FGR, an addressee, acknowledges it for itself", f"{s} {js}")

# ---- report import ----
def rep(i, **kw):
    d = {"report_id": f"API-{i}", "date": "2024-03-04", "place": "US-AZ/Tucson", "source_agency": "DEA",
         "type": "seizure-lab", "substances": ["fentanyl"], "marking": "SHARED"}
    d.update(kw)
    return d


jl = "\n".join(json.dumps(rep(i)) for i in (1, 2)).encode()
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, raw=jl, headers={"Content-Type": "application/x-ndjson"})
ok(s == 200 and js["reports"] == 2, "import two reports as JSON lines", f"status {s} {js}")
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, body=[rep(3), rep(4, substances=["zz-unknown-name"])])
ok(s == 200 and js["reports"] == 2 and js["queued"] >= 1, "import a JSON array; an unknown name is queued", f"{js}")
bad = "\n".join(json.dumps(r) for r in (rep(5), rep(6, date="yesterday"))).encode()
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, raw=bad)
ok(s == 400 and "record 2" in err_of(js).get("message", ""), "a bad record is 400 naming its record number", f"{js}")
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, body=[rep(5)])
ok(s == 200 and js["reports"] == 1, "nothing of the failed import was written (its good record imports afterwards)")
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, body=[rep(7, owner="FGR")])
ok(s == 403 and err_of(js).get("field") == "owner", "reports cannot be filed as another agency")
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=F, body=[rep(9, place="MX-SON", source_agency="FGR", marking="US-ONLY")])
ok(s == 403 and err_of(js).get("field") == "marking", "a MX agency cannot file a US-ONLY report", f"{s} {js}")
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=F, body=[rep(10, place="MX-SON", source_agency="FGR", marking="MX-ONLY")])
ok(s == 200 and js["reports"] == 1, "but may file MX-ONLY", f"{s} {js}")
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, raw=b"{not json")
eq(s, 400, "malformed JSON is 400")
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, raw=b"")
eq(s, 400, "an empty body is 400")
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=tok["dea.tip"], body=[rep(8)])
eq(s, 403, "a tip handler cannot import reports")

# ---- the curator queue of unknown names ----
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, body=[
    rep(20, substances=["xylazinna test-a"], marking="AGENCY-ONLY"),
    rep(21, substances=["xylazinna test-a"], marking="AGENCY-ONLY"),
    rep(22, substances=["brand nobody knows"], marking="AGENCY-ONLY")])
ok(s == 200, "reports with unknown names are imported (and queued)", f"{s} {js}")
s, js, _ = c.req("GET", "/api/v1/ews/queue", token=A, query={"status": "open"})
mine = {q["name"]: q for q in js["results"]} if s == 200 else {}
ok("xylazinna test-a" in mine and mine["xylazinna test-a"]["count"] == 2 and all(q["status"] == "open" for q in js["results"]),
   "DEA lists the open queue with the use counts", json.dumps(js)[:300])
s, js, _ = c.req("GET", "/api/v1/ews/queue", token=F)
ok(s == 200 and not any(q["name"] in ("xylazinna test-a", "brand nobody knows") for q in js["results"]),
   "FGR does not see DEA's AGENCY-ONLY names")
qa, qb = mine["xylazinna test-a"]["id"], mine["brand nobody knows"]["id"]
eq(c.req("POST", f"/api/v1/ews/queue/{qa}/resolve", token=F, body={"substance": "xylazine"})[0], 404,
   "FGR cannot resolve an item it cannot see")
eq(c.req("POST", f"/api/v1/ews/queue/{qa}/resolve", token=tok["dea.tip"], body={"substance": "xylazine"})[0], 403,
   "a tip handler cannot curate")
eq(c.req("POST", f"/api/v1/ews/queue/{qa}/resolve", token=A, body={"substance": "no-such-substance"})[0], 404,
   "an unknown substance is refused")
s, js, _ = c.req("POST", f"/api/v1/ews/queue/{qa}/resolve", token=A, body={"substance": "xylazine"})
ok(s == 200 and js["status"] == "resolved" and js["substance"] == "xylazine", "DEA maps the name to xylazine")
eq(c.req("POST", f"/api/v1/ews/queue/{qa}/resolve", token=A, body={"substance": "xylazine"})[0], 409, "only once")
s, js, _ = c.req("POST", f"/api/v1/ews/queue/{qb}/reject", token=A)
ok(s == 200 and js["status"] == "rejected", "DEA dismisses the other name")
s, js, _ = c.req("GET", "/api/v1/ews/queue", token=A, query={"status": "open"})
ok(s == 200 and not any(q["id"] in (qa, qb) for q in js["results"]), "both leave the open queue")
s, js, _ = c.req("GET", "/api/v1/ews/queue", token=A, query={"status": "resolved"})
ok(any(q["id"] == qa and q["substance"] == "xylazine" for q in js["results"]), "the resolved item names its substance")
eq(c.req("GET", "/api/v1/ews/queue", token=A, query={"status": "maybe"})[0], 400, "a bad status is refused")

# ---- audit ----
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"limit": "10000"})
ent = js["entries"] if s == 200 else []
ok(any(e["action"] == "ews.alert.list" and e["user"] == "dea.an" for e in ent), "listing is audited")
ok(any(e["action"] == "ews.queue.resolve" and e["targets"] == str(qa) and "substance=xylazine" in e["detail"] for e in ent),
   "a resolution is audited with its item and substance")
ok(any(e["action"] == "ews.alert.ack" and e["targets"] == str(aid) and e["outcome"] == "success" for e in ent),
   "acknowledging is audited with the alert id")
ok(any(e["action"] == "ews.alert.close" and e["outcome"] != "success" for e in ent), "refused changes are audited")
ok(any(e["action"] == "ews.alert.ack" and e["user"] == "dea.tip" and e["outcome"] == "denied" for e in ent),
   "a role denial is audited")

eq(srv.stop(), 0, "server stops cleanly")
finish()
