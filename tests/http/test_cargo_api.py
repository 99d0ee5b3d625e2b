"""End-to-end tests of the cargo routes of `puente serve`: the review queue
(filters, markings) and dispositions (outcomes, conflicts), role denial, bad
input and the audit entries. Every response is checked against
docs/openapi.yaml. Run by tests/http/e2e_driver.sh."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, sqlite_only, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "cargo_api.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

tok = seed_users(DB, [("cbp.an", "CBP", "analyst"), ("anam.an", "ANAM", "analyst"), ("cbp.aud", "CBP", "auditor"), ("cbp.tip", "CBP", "tip-handler")])

m = os.path.join(TMP, "m.csv")
eq(cli("cargo", "generate", "--lines", "300", "--seed", "11", "--out", m)[0], 0, "cargo generate")
rc, out = cli("cargo", "screen", m, "--db", DB, "--owner", "CBP", "--marking", "AGENCY-ONLY", "--out",
              os.path.join(TMP, "r.csv"))
eq(rc, 0, "cargo screen through the CLI")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)
A, X = tok["cbp.an"], tok["anam.an"]


def err_of(js):
    return (js or {}).get("error", {})


# ---- queue ----
s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=A)
ok(s == 200 and js["total"] == len(js["results"]) > 0, "CBP reads its queue", f"status {s}")
rows = js["results"] if s == 200 else []
ok(all(r["decision"] in ("hold", "review") and r["disposition"] == "" for r in rows),
   "the default queue is undisposed hold and review lines")
s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=A, query={"decision": "hold"})
holds = js["results"] if s == 200 else []
ok(s == 200 and holds and all(r["decision"] == "hold" and r["reasons"] for r in holds),
   "hold filter, each with its reasons")
s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=X, query={"all": "true"})
eq((s, js["total"] if s == 200 else -1), (200, 0), "ANAM does not see CBP's AGENCY-ONLY lines")

# ---- bad input and roles ----
s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=A, query={"decision": "maybe"})
ok(s == 400 and err_of(js).get("field") == "decision", "a bad decision filter is 400 naming the field")
s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=A, query={"limit": "0"})
eq(s, 400, "a limit below 1 is 400")
s, js, _ = c.req("GET", "/api/v1/cargo/queue")
eq(s, 401, "no token is 401")
s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=tok["cbp.aud"])
eq(s, 403, "auditors do not read cargo data")
h = holds[0] if holds else {"awb": "x", "hawb": ""}
body = {"awb": h["awb"], "hawb": h["hawb"], "outcome": "inspected_found", "note": "25 kg seized"}
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=tok["cbp.tip"], body=body)
eq(s, 403, "a tip handler cannot record a disposition")
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=A, body=dict(body, outcome="exploded"))
ok(s == 400 and err_of(js).get("field") == "outcome", "a bad outcome is 400 naming the field")
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=A, body={"outcome": "held"})
ok(s == 400 and err_of(js).get("field") == "awb", "a missing awb is 400")
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=A, body=dict(body, colour="red"))
eq(s, 400, "an unknown key is 400")
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=A, body=dict(body, awb="000-00000000"))
eq(s, 404, "an unknown shipment is 404")
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=X, body=body)
eq(s, 404, "a shipment hidden by its marking is 404 for ANAM")

# ---- disposition ----
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=A, body=body)
ok(s == 200 and js["outcome"] == "inspected_found" and js["awb"] == h["awb"], "record a disposition", f"status {s}")
s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=A, query={"decision": "hold"})
ok(s == 200 and js["total"] == len(holds) - 1 and (h["awb"], h["hawb"]) not in [(r["awb"], r["hawb"]) for r in js["results"]],
   "the disposed line leaves the queue")
s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=A, query={"decision": "hold", "all": "true"})
ok(s == 200 and any(r["awb"] == h["awb"] and r["disposition"] == "inspected_found" for r in js["results"]),
   "all=true shows it with its disposition")

# ---- rule hit rates: the API is the engine's own figures, over the reader's shipments ----
import json  # noqa: E402
s, st, _ = c.req("GET", "/api/v1/cargo/stats", token=A)
rc, out = cli("cargo", "stats", "--json", "--db", DB, "--agency", "CBP", "--country", "US")
eq(rc, 0, "puente cargo stats --json as a CBP analyst")
ok(s == 200 and st == json.loads(out), "GET /api/v1/cargo/stats equals the CLI's figures for the same reader")
with open(os.path.join(TMP, "r.csv"), encoding="utf-8") as f:
    screened = sum(1 for _ in f) - 1
ok(st["shipments"] == screened, "every screened line counts once", f"{st['shipments']} vs {screened}")
fired = [r for r in st["rules"].values() if r["inspected_found"]]
ok(fired and all(r["hit_rate"] == r["inspected_found"] / (r["inspected_found"] + r["inspected_not_found"]) for r in fired),
   "the inspected-and-found line gives its rules a hit rate")
s, sx, _ = c.req("GET", "/api/v1/cargo/stats", token=X)
ok(s == 200 and sx["shipments"] == 0 and all(r["fired"] == 0 for r in sx["rules"].values()),
   "ANAM sees none of CBP's AGENCY-ONLY shipments, not even as a count")
eq(c.req("GET", "/api/v1/cargo/stats", token=tok["cbp.aud"])[0], 403, "an auditor may not read cargo statistics")

# ---- audit ----
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["cbp.aud"], query={"limit": "10000"})
ent = js["entries"] if s == 200 else []
ok(any(e["action"] == "cargo.queue" and e["user"] == "cbp.an" for e in ent), "reading the queue is audited")
ok(any(e["action"] == "cargo.dispose" and e["targets"] == h["awb"] and e["outcome"] == "success" for e in ent),
   "a disposition is audited with its AWB")
ok(any(e["action"] == "cargo.dispose" and e["user"] == "cbp.tip" and e["outcome"] == "denied" for e in ent),
   "a role denial is audited")

eq(srv.stop(), 0, "server stops cleanly")
finish()
