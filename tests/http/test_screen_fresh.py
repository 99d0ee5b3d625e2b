"""Screening answers follow the store at once, whoever changed it, and
reviewed decisions belong to their agency.

(a) An entity visible to FGR (SHARED, owner DEA) is re-marked AGENCY-ONLY by
    the CLI (`puente import ftm`, another process) while `puente serve` runs:
    the very next POST /match/{dataset} and POST /api/v1/screen by an FGR
    user do not return it (nor its body or score), although both answers were
    cached just before.
(b) The same restriction made through the API (PUT /api/v1/entities/{id}) is
    effective on the very next request (no rebuild delay).
(c) DEA's false-positive decision neither shows nor suppresses anything for
    FGR; it does for DEA. Decisions recorded by the CLI reach the running
    server on the next request.
(d) Explanations shown to an agency user carry no list token weights."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, sqlite_only, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "fresh.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

if "POST /api/v1/screen" not in cli("serve", "--list-routes")[1].splitlines():
    ok(True, "screening is not built: nothing to test")
    finish()

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("fgr.an", "FGR", "analyst"), ("dea.sup", "DEA", "supervisor")])


def record(rid, name, marking, ds):
    # an agency's own designation list (topic sanction): screening counts
    # only designated entities (docs/lists.md "The designated scope")
    return {"id": rid, "schema": "Person", "properties": {"name": [name], "birthDate": ["1971-02-03"],
                                                          "topics": ["sanction"]},
            "datasets": [ds], "owner": "DEA", "marking": marking}


def import_lines(recs, fname):
    path = os.path.join(TMP, fname)
    with open(path, "w") as f:
        f.write("\n".join(json.dumps(r) for r in recs) + "\n")
    return cli("import", "ftm", path, "--db", DB)[0]


A = record("dea-fresh-a", "Quetzal Abundio Tlacuache", "SHARED", "fresh_a")
B = record("dea-fresh-b", "Quetzal Bonifacio Ocelotl", "SHARED", "fresh_b")
C = record("dea-fresh-c", "Quetzal Crisanto Ajolote", "SHARED", "fresh_c")
eq(import_lines([A, B, C], "fresh.jsonl"), 0, "import three SHARED DEA records")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)


def match(token, name, ds="default"):
    q = {"schema": "Person", "properties": {"name": [name]}}
    s, js, raw = c.req("POST", f"/match/{ds}", token=token, body={"queries": {"q": q}})
    return s, js, raw


def screen(token, name):
    q = {"schema": "Person", "properties": {"name": [name]}}
    s, js, raw = c.req("POST", "/api/v1/screen", token=token, body={"queries": [q], "explain": True})
    return s, js, raw


def ids_of_match(js):
    return [r["id"] for r in js["responses"]["q"]["results"]] if js else []


def results_text(js):
    """The results of a /match answer as text (the echoed query aside)."""
    return json.dumps(js["responses"]["q"]["results"]) if js else ""


def ids_of_screen(js):
    return [r["id"] for r in js["results"][0]["results"]] if js else []


# ---- (a) a change made by another process (the CLI) ----
s1, m1, _ = match(tok["fgr.an"], A["properties"]["name"][0])
s2, r1, _ = screen(tok["fgr.an"], A["properties"]["name"][0])
ok(s1 == 200 and "dea-fresh-a" in ids_of_match(m1), "(a) FGR finds the SHARED record through /match", str(m1)[:300])
ok(s2 == 200 and "dea-fresh-a" in ids_of_screen(r1), "(a) FGR finds it through /api/v1/screen", str(r1)[:300])
# the same requests again: now they are in the answer cache
match(tok["fgr.an"], A["properties"]["name"][0])
screen(tok["fgr.an"], A["properties"]["name"][0])
eq(import_lines([dict(A, marking="AGENCY-ONLY")], "fresh_a.jsonl"), 0, "(a) the CLI re-marks it AGENCY-ONLY")
s1, m1, raw1 = match(tok["fgr.an"], A["properties"]["name"][0])
ok(s1 == 200 and "dea-fresh-a" not in ids_of_match(m1) and "Tlacuache" not in results_text(m1),
   "(a) the very next /match by FGR neither returns it nor shows its body", raw1[:300])
s1, m1, raw1 = match(tok["fgr.an"], A["properties"]["name"][0], ds="fresh_a")
ok(s1 == 404, "(a) its dataset no longer exists for FGR", raw1[:200])
s2, r1, raw2 = screen(tok["fgr.an"], A["properties"]["name"][0])
ok(s2 == 200 and "dea-fresh-a" not in ids_of_screen(r1) and b"Tlacuache" not in raw2 and r1["results"][0]["total"] == 0,
   "(a) the very next /api/v1/screen by FGR neither returns nor counts it", raw2[:300])
s1, m1, _ = match(tok["dea.an"], A["properties"]["name"][0])
ok(s1 == 200 and "dea-fresh-a" in ids_of_match(m1), "(a) the owner DEA still finds it", str(m1)[:300])

# ---- (b) the same restriction through the API: effective at once ----
s1, m1, _ = match(tok["fgr.an"], B["properties"]["name"][0])
s2, r1, _ = screen(tok["fgr.an"], B["properties"]["name"][0])
ok("dea-fresh-b" in ids_of_match(m1) and "dea-fresh-b" in ids_of_screen(r1), "(b) FGR finds B before the change")
upd = {"id": "dea-fresh-b", "schema": "Person", "properties": B["properties"], "datasets": B["datasets"],
       "marking": "AGENCY-ONLY"}
t0 = time.monotonic()
s, js, _ = c.req("PUT", "/api/v1/entities/dea-fresh-b", token=tok["dea.an"], body=upd)
ok(s == 200 and js["marking"] == "AGENCY-ONLY", "(b) DEA restricts B through the API", str(js)[:200])
s2, r1, raw2 = screen(tok["fgr.an"], B["properties"]["name"][0])
s1, m1, raw1 = match(tok["fgr.an"], B["properties"]["name"][0])
elapsed = time.monotonic() - t0
ok(s2 == 200 and "dea-fresh-b" not in ids_of_screen(r1) and b"Bonifacio" not in raw2,
   "(b) the very next /api/v1/screen by FGR does not return it", raw2[:300])
ok(s1 == 200 and "dea-fresh-b" not in ids_of_match(m1) and "Bonifacio" not in results_text(m1),
   "(b) nor does /match", raw1[:300])
ok(elapsed < 5.0, f"(b) both answered within {elapsed:.2f} s of the change (no waiting for a rebuild delay)")

# ---- (c) decisions belong to their agency ----
name_c = C["properties"]["name"][0]
qc = {"schema": "Person", "properties": {"name": [name_c]}}
s, js, _ = c.req("POST", "/api/v1/decisions", token=tok["dea.an"],
                 body={"query": qc, "entity_id": "dea-fresh-c", "decision": "false_positive", "note": "DEA: other DOB"})
ok(s == 201 and js.get("agency") == "DEA" and js.get("marking") == "AGENCY-ONLY",
   "(c) DEA records a false positive (its own, AGENCY-ONLY by default)", str(js))


def top_c(token):
    s, js, raw = screen(token, name_c)
    hit = [r for r in js["results"][0]["results"] if r["id"] == "dea-fresh-c"] if s == 200 else []
    return (hit[0] if hit else None), js, raw


h, js, raw = top_c(tok["dea.an"])
ok(h and h["suppressed"] is True and h["match"] is False and h.get("review", {}).get("note") == "DEA: other DOB",
   "(c) DEA's own screening is suppressed and annotated", str(h))
h, js, raw = top_c(tok["fgr.an"])
ok(h and h["suppressed"] is False and h["match"] is True and "review" not in h and b"other DOB" not in raw
   and b"dea.an" not in raw and js["results"][0]["suppressed"] == 0,
   "(c) FGR's screening is neither suppressed nor shown DEA's note or analyst", str(h))
s, js, raw = match(tok["fgr.an"], name_c)
ok(s == 200 and "dea-fresh-c" in ids_of_match(js) and js["responses"]["q"]["results"][0]["match"] is True,
   "(c) FGR's /match keeps the match", raw[:300])
s, js, _ = c.req("GET", "/api/v1/decisions", token=tok["fgr.an"])
ok(s == 200 and js["decisions"] == [], "(c) FGR lists no DEA decision", str(js))
s, js, _ = c.req("GET", "/api/v1/decisions", token=tok["dea.an"])
ok(s == 200 and len(js["decisions"]) == 1 and js["decisions"][0]["agency"] == "DEA", "(c) DEA lists its decision", str(js))
# a decision recorded by the CLI (another process) applies on the next request
rc, out = cli("review", "add", "--subject", name_c, "--entity", "dea-fresh-c", "--decision", "confirmed",
              "--analyst", "fgr.cli", "--note", "FGR: confirmed by phone", "--agency", "FGR", "--country", "MX",
              "--db", DB)
eq(rc, 0, "(c) FGR records a decision through the CLI " + out)
h, js, raw = top_c(tok["fgr.an"])
ok(h and h.get("review", {}).get("note") == "FGR: confirmed by phone" and h["suppressed"] is False,
   "(c) the running server applies the CLI's decision on the next request", str(h))
h, js, raw = top_c(tok["dea.an"])
ok(h and h["suppressed"] is True and b"FGR: confirmed" not in raw, "(c) DEA still sees only its own", str(h))
rc, out = cli("review", "list", "--agency", "FGR", "--country", "MX", "--format", "json", "--db", DB)
lst = json.loads(out) if rc == 0 else []
ok(rc == 0 and [d["agency"] for d in lst] == ["FGR"], "(c) the CLI lists FGR's decisions only", out[:300])

# ---- (d) explanations carry no list statistics for an agency user ----
s, js, raw = screen(tok["fgr.an"], "Quetzal Crisanto")
ok(s == 200 and js["results"][0]["results"] and b"(weights " not in raw and b", weight " not in raw,
   "(d) no token weights in an agency user's explanation", raw[:300])
s, js, raw = c.req("POST", "/api/v1/compare", token=tok["fgr.an"],
                   body={"name1": "Quetzal Crisanto", "name2": "Quetzal Crisanto Ajolote"})
ok(s == 200 and b"(weights " not in raw and b", weight " not in raw, "(d) nor in /compare", raw[:300])

eq(srv.stop(), 0, "server stops cleanly")
finish()
