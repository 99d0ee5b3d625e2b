"""End-to-end tests of the monitoring routes of `puente serve`
(docs/monitor.md): customer lists, runs on the delta, the review queue with
four eyes, ad-hoc hits, the ownership of an entity; markings, roles, bad
input and the audit. Every response is checked against docs/openapi.yaml."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, store_query, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "monitor_api.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("dea.an2", "DEA", "analyst"), ("dea.sup", "DEA", "supervisor"),
                      ("cbp.an", "CBP", "analyst"), ("dea.aud", "DEA", "auditor")])
rc, out = cli("import", "ftm", os.path.join(SRC, "tests/monitor/owners.jsonl"), "--db", DB)
eq(rc, 0, "import designated entities and ownership records")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)
A, A2, S, C = tok["dea.an"], tok["dea.an2"], tok["dea.sup"], tok["cbp.an"]


def err_of(js):
    return (js or {}).get("error", {})


# ---- ownership ----
s, js, _ = c.req("GET", "/api/v1/entities/co-chain/ownership", token=A)
ok(s == 200 and js["blocked"] and abs(js["share"] - 0.54) < 1e-9, "60 % x 90 %: blocked by ownership", str(js)[:300])
ok(s == 200 and [l["record"] for l in js["chains"][0]["links"]] == ["own-hold", "own-chain"], "the chain names both records")
s, js, _ = c.req("GET", "/api/v1/entities/co-hidden/ownership", token=C)
ok(s == 200 and not js["blocked"] and abs(js["share"] - 0.3) < 1e-9, "CBP does not count DEA's hidden record")
ok("own-hidden\"" not in str(js) and "own-hidden'" not in str(js), "and sees no trace of it")
s, js, _ = c.req("GET", "/api/v1/entities/co-hidden/ownership", token=tok["dea.an"])
ok(s == 200 and js["blocked"], "DEA counts it")
s, js, _ = c.req("GET", "/api/v1/entities/nope/ownership", token=A)
eq(s, 404, "an unknown entity is 404")
s, js, _ = c.req("POST", "/api/v1/screen", token=A,
                 body={"queries": [{"schema": "Company", "properties": {"name": ["Cadena Logistica"]}}]})
hit = [m for m in js["results"][0]["results"] if m["id"] == "co-chain"] if s == 200 else []
ok(hit and hit[0].get("blocked_by_ownership", {}).get("blocked") is True, "a screened company carries blocked_by_ownership",
   str(js)[:600])

# ---- lists ----
csv = open(os.path.join(SRC, "tests/monitor/customers.csv"), "rb").read()
s, js, _ = c.req("PUT", "/api/v1/monitor/lists/clientes", token=A, raw=csv, headers={"Content-Type": "text/csv"})
ok(s == 200 and js["read"] == 5 and js["written"] == 5, "PUT a customer list", str(js)[:300])
s, js, _ = c.req("PUT", "/api/v1/monitor/lists/malos", token=A, raw=b"name,birth_date\nAna,1980-02-30\nLuis,1970-01-01\n",
                 headers={"Content-Type": "text/csv"})
ok(s == 200 and js["rejected"] == 1 and "body:2" in js["messages"][0] and "birth_date" in js["messages"][0],
   "a bad record is refused by line and field", str(js)[:300])
s, js, _ = c.req("PUT", "/api/v1/monitor/lists/x", token=A, raw=b"dob\n1\n", headers={"Content-Type": "text/csv"})
ok(s == 400, "a list without a name column is 400")
s, js, _ = c.req("GET", "/api/v1/monitor/lists", token=A)
ok(s == 200 and "clientes" in [l["name"] for l in js["lists"]], "DEA lists its list")
s, js, _ = c.req("GET", "/api/v1/monitor/lists", token=C)
ok(s == 200 and js["lists"] == [], "CBP sees no AGENCY-ONLY list of DEA")
s, js, _ = c.req("PUT", "/api/v1/monitor/lists/y", token=tok["dea.aud"], raw=csv, headers={"Content-Type": "text/csv"})
eq(s, 403, "an auditor cannot file lists")

# ---- runs ----
s, js, _ = c.req("POST", "/api/v1/monitor/run", token=A, query={"list": "clientes"})
ok(s == 200 and js["alerts_opened"] == 3 and js["full_screens"] == 5,
   "the first run screens everything (two designated, one blocked by ownership)", str(js))
s, js, _ = c.req("POST", "/api/v1/monitor/run", token=A, query={"list": "clientes"})
ok(s == 200 and js["alerts_opened"] == 0, "a second run opens nothing", str(js))
s, js, _ = c.req("POST", "/api/v1/monitor/run", token=C, query={"list": "clientes"})
eq(s, 404, "CBP cannot run DEA's list (it does not exist for CBP)")

# ---- the queue ----
s, js, _ = c.req("GET", "/api/v1/monitor/alerts", token=A, query={"status": "open"})
ok(s == 200 and len(js["alerts"]) == 3, "three open alerts")
ok(s == 200 and [a["entity_id"] for a in js["alerts"] if a["hit"].get("blocked_by_ownership")] == ["co-direct"],
   "the company owned 50 % by a designated person is a hit with its chain")
aid = [a["id"] for a in js["alerts"] if a["entity_id"] == "sdn-guzman"][0] if s == 200 else 1
ok(s == 200 and all(a["hit"] and a["hit"]["score"] > 0 for a in js["alerts"]), "each alert carries its hit")
s, js, _ = c.req("GET", "/api/v1/monitor/alerts", token=C)
ok(s == 200 and js["alerts"] == [], "CBP sees none")
s, js, _ = c.req("GET", "/api/v1/monitor/alerts", token=A, query={"status": "maybe"})
ok(s == 400 and err_of(js).get("field") == "status", "a bad status is 400 naming the field")
s, js, _ = c.req("POST", f"/api/v1/monitor/alerts/{aid}/decide", token=A, body={"decision": "true_match", "note": "x"})
eq(s, 409, "deciding before assigning is a conflict")
s, js, _ = c.req("POST", f"/api/v1/monitor/alerts/{aid}/assign", token=C)
eq(s, 404, "another agency cannot assign it")
s, js, _ = c.req("POST", f"/api/v1/monitor/alerts/{aid}/assign", token=A)
ok(s == 200 and js["status"] == "assigned" and js["assignee"] == "dea.an", "dea.an takes it")
s, js, _ = c.req("POST", f"/api/v1/monitor/alerts/{aid}/decide", token=A2, body={"decision": "true_match", "note": "x"})
eq(s, 403, "only the assignee decides")
s, js, _ = c.req("POST", f"/api/v1/monitor/alerts/{aid}/decide", token=A, body={"decision": "maybe", "note": "x"})
ok(s == 400 and err_of(js).get("field") == "decision", "a bad decision is 400")
s, js, _ = c.req("POST", f"/api/v1/monitor/alerts/{aid}/decide", token=A,
                 body={"decision": "true_match", "note": "same DOB and CURP"})
ok(s == 200 and js["status"] == "decided" and js["decided_by"] == "dea.an", "a true match waits for a second reviewer")
s, js, _ = c.req("POST", f"/api/v1/monitor/alerts/{aid}/confirm", token=A)
ok(s == 403 and "four eyes" in err_of(js).get("message", ""), "the decider cannot confirm", str(js))
s, js, _ = c.req("POST", f"/api/v1/monitor/alerts/{aid}/confirm", token=A2)
eq(s, 403, "an analyst without oversight cannot confirm")
s, js, _ = c.req("POST", f"/api/v1/monitor/alerts/{aid}/confirm", token=S, body={"note": "checked"})
ok(s == 200 and js["status"] == "closed" and js["confirmed_by"] == "dea.sup", "a supervisor confirms: closed")
ok(s == 200 and [h["action"] for h in js["history"]] == ["opened", "assigned", "true_match", "confirmed"],
   "the history holds every step", str(js.get("history") if js else ""))
s, js, _ = c.req("POST", f"/api/v1/monitor/alerts/{aid}/confirm", token=S)
eq(s, 409, "confirming twice is a conflict")

# ---- ad-hoc hits ----
s, js, _ = c.req("POST", "/api/v1/monitor/alerts", token=A, body={"subject": "Ismael Zambada", "entity_id": "sdn-zambada"})
ok(s == 200 and js["source"] == "screen" and js["status"] == "open", "an analyst sends an ad-hoc hit")
s, js, _ = c.req("POST", "/api/v1/monitor/alerts", token=C, body={"subject": "X", "entity_id": "own-hidden"})
eq(s, 404, "an entity hidden from the sender cannot be sent")

# ---- audit ----
c.req("GET", "/api/v1/audit/verify", token=tok["dea.aud"])  # the journal reaches audit_log first
rows = store_query(DB, "SELECT action, outcome FROM audit_log WHERE action LIKE 'monitor.%' ORDER BY seq")
acts = [r[0] for r in rows]
ok("monitor.alert.confirm" in acts and ("monitor.alert.confirm", "denied") in [tuple(r) for r in rows],
   "confirmations, refused and accepted, are audited", str(rows[-6:]))

srv.stop()
finish()
