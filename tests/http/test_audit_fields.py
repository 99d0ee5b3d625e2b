"""What the audit trail records of API requests (docs/audit.md "Fields"):
the source address and the agency of every entry (a failed login under the
account's agency), the stated purpose (required per route by policy), the
names screened (plain, or keyed hashes by policy), the id asked for on
401/403/404, the marking before and after a change; export controls (the
export permission, ORCON kept back without the owner's grant); the server's
anchor file. Each assertion reads the trail through `puente audit export`."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = os.path.join(TMP, "fields.db")
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
KEY = "a1" * 32

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("dea.sup", "DEA", "supervisor"), ("fgr.sup", "FGR", "supervisor"),
                      ("fgr.an", "FGR", "analyst")])
# records: one ORCON record of DEA shared with everyone, one plain shared one
lines = [
    {"id": "dea-orcon-1", "schema": "Person", "properties": {"name": ["Quirino Orcon Valdez"]}, "owner": "DEA",
     "marking": "SHARED", "caveats": "ORCON"},
    {"id": "dea-plain-1", "schema": "Person", "properties": {"name": ["Quirino Plain Valdez"]}, "owner": "DEA",
     "marking": "SHARED"},
    {"id": "dea-mark-1", "schema": "Person", "properties": {"name": ["Quirino Mark Valdez"]}, "owner": "DEA",
     "marking": "SHARED"},
]
path = os.path.join(TMP, "fields.jsonl")
with open(path, "w") as f:
    f.write("\n".join(json.dumps(l) for l in lines) + "\n")
eq(cli("import", "ftm", path, "--strict", "--db", DB)[0], 0, "import the records")


def trail(db=DB):
    rc, out = cli("audit", "export", "--db", db)
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def entries(action, db=DB):
    return [e for e in trail(db) if e["action"] == action]


env = dict(os.environ, PUENTE_PURPOSE_REQUIRED="entity.read")
os.environ["PUENTE_PURPOSE_REQUIRED"] = "entity.read"
srv = Server(DB, "--threads", "2")
del os.environ["PUENTE_PURPOSE_REQUIRED"]
c = Client(srv.port, spec)

# ---- failed login: attributed to the account's agency, with the source ----
s, _, _ = c.req("POST", "/api/v1/login", body={"user": "fgr.an", "password": "not the password at all"})
eq(s, 401, "a wrong password is refused")
s, _, _ = c.req("POST", "/api/v1/login", body={"user": "nobody.here", "password": "not the password at all"})
logins = [e for e in entries("login") if e["outcome"] != "success"]
ok(any(e["user"] == "fgr.an" and e["agency"] == "FGR" and e["source"] == "127.0.0.1" for e in logins),
   "a failed login is recorded under the account's agency with the source address", str(logins[-2:]))
ok(any(e["user"] == "nobody.here" and e["agency"] == "" for e in logins), "an unknown name has no agency")

# ---- purpose: required on entity.read by policy ----
s, js, _ = c.req("GET", "/api/v1/entities/dea-plain-1", token=tok["fgr.an"])
ok(s == 400 and js["error"]["field"] == "X-Puente-Purpose", "a read without a stated purpose is refused", str(js))
s, js, _ = c.req("GET", "/api/v1/entities/dea-plain-1", token=tok["fgr.an"],
                 headers={"X-Puente-Purpose": "case MX-2026-17 lead check"})
eq(s, 200, "a read with a stated purpose is answered")
reads = entries("entity.read")
ok(any(e["purpose"] == "case MX-2026-17 lead check" and e["targets"] == "dea-plain-1" and e["agency"] == "FGR"
       and e["source"] == "127.0.0.1" for e in reads), "the purpose is recorded with the read")
ok(any(e["outcome"] == "invalid" and e["targets"] == "dea-plain-1" and e["purpose"] == "" for e in reads),
   "the refused read is recorded with the id it asked for")
s, _, _ = c.req("GET", "/api/v1/stats", token=tok["fgr.an"])
eq(s, 200, "routes outside the policy need no purpose")

# ---- the id asked for on 401 / 404 ----
s, _, _ = c.req("GET", "/api/v1/entities/dea-guess-401", headers={"X-Puente-Purpose": "x"})
eq(s, 401, "unauthenticated read")
s, _, _ = c.req("GET", "/api/v1/entities/dea-guess-404", token=tok["fgr.an"], headers={"X-Puente-Purpose": "x"})
eq(s, 404, "absent id")
reads = entries("entity.read")
ok(any(e["outcome"] == "unauthenticated" and e["targets"] == "dea-guess-401" for e in reads), "401 records the id asked for")
ok(any(e["outcome"] == "not_found" and e["targets"] == "dea-guess-404" for e in reads), "404 records the id asked for")

# ---- names screened ----
have_screen = "POST /api/v1/screen" in cli("serve", "--list-routes")[1].splitlines()
if have_screen:
    s, _, _ = c.req("POST", "/api/v1/screen", token=tok["fgr.an"],
                    body={"queries": [{"schema": "Person", "properties": {"name": ["Quirino Screened Uno"]}}]})
    eq(s, 200, "screen")
    s, _, _ = c.req("POST", "/match/default", token=tok["fgr.an"],
                    body={"queries": {"q1": {"schema": "Person", "properties": {"name": ["Quirino Matched Dos"]}}}})
    eq(s, 200, "match")
    scr = entries("screen.batch") + entries("screen.match")
    ok(any('names=["Quirino Screened Uno"]' in e["detail"] for e in scr), "/screen records the names asked",
       str([e["detail"] for e in scr]))
    ok(any('names=["Quirino Matched Dos"]' in e["detail"] for e in scr), "/match records the names asked")

# ---- marking before and after a change ----
s, js, _ = c.req("GET", "/api/v1/entities/dea-mark-1", token=tok["dea.an"], headers={"X-Puente-Purpose": "edit"})
body = dict(js)
body["marking"] = "US-ONLY"
s, js, _ = c.req("PUT", "/api/v1/entities/dea-mark-1", token=tok["dea.an"], body=body)
eq(s, 200, "the owner re-marks its record")
ok(any(e["targets"] == "dea-mark-1" and "marking=SHARED->US-ONLY" in e["detail"] for e in entries("entity.update")),
   "the change records the marking before and after")

# ---- export controls ----
s, _, raw = c.req("GET", "/api/v1/export", token=tok["fgr.an"], query={"q": "quirino"})
ok(s == 403 and b"Quirino" not in raw, "an analyst may not bulk-export (export permission)")
s, _, raw = c.req("GET", "/api/v1/export", token=tok["fgr.sup"], query={"q": "quirino"})
ids = {json.loads(l)["id"] for l in raw.decode().splitlines() if l.strip()}
ok(s == 200 and "dea-plain-1" in ids and "dea-orcon-1" not in ids, "ORCON is kept back from another agency's export",
   str(ids))
s, js, _ = c.req("GET", "/api/v1/entities/dea-orcon-1", token=tok["fgr.sup"], headers={"X-Puente-Purpose": "x"})
eq(s, 200, "ORCON stays readable where its marking allows (only re-sharing is controlled)")
s, _, raw = c.req("GET", "/api/v1/export", token=tok["dea.sup"], query={"q": "quirino"})
ok(s == 200 and b"dea-orcon-1" in raw, "the owner exports its ORCON record")
eq(cli("agency", "grant", "DEA", "FGR", "--db", DB)[0], 0, "DEA grants FGR")
s, _, raw = c.req("GET", "/api/v1/export", token=tok["fgr.sup"], query={"q": "quirino"})
ok(s == 200 and b"dea-orcon-1" in raw, "with the owner's grant the ORCON record is exported")
rc, out = cli("export", "ftm", "--agency", "FBI", "--country", "US", "--db", DB)
ok(rc == 0 and "dea-plain-1" in out and "dea-orcon-1" not in out, "the CLI export keeps ORCON back too")
eq(srv.stop(), 0, "server stops cleanly")

# ---- anchors written by the server ----
anchors = DB + "-audit.anchors"
ok(os.path.exists(anchors) and len(open(anchors).read().splitlines()) >= 2, "the server anchors the head at start and stop")
rc, out = cli("audit", "verify", "--db", DB)
ok(rc == 0 and "anchors consistent" in out, "the server's anchors are consistent", out)

# ---- names as keyed hashes by policy (with the chain key) ----
DB2 = os.path.join(TMP, "fields2.db")
tok2 = seed_users(DB2, [("fgr.an", "FGR", "analyst")])
os.environ["PUENTE_AUDIT_NAMES"] = "hash"
p = subprocess.run([os.environ.get("PUENTE_BIN", "build/puente"), "serve", "--listen", "127.0.0.1:0", "--db", DB2],
                   capture_output=True, text=True, timeout=60)
ok(p.returncode != 0 and "chain key" in p.stderr, "hashed names without a chain key: the server refuses to start",
   p.stderr[-300:])
os.environ["PUENTE_AUDIT_KEY"] = KEY
srv = Server(DB2, "--threads", "2")
c = Client(srv.port, spec)
if have_screen:
    s, _, _ = c.req("POST", "/api/v1/screen", token=tok2["fgr.an"],
                    body={"queries": [{"schema": "Person", "properties": {"name": ["Quirino Secret Tres"]}}]})
    eq(s, 200, "screen under the hash policy")
eq(srv.stop(), 0, "server stops cleanly")
dump = open(DB2, "rb").read() + (open(DB2 + "-wal", "rb").read() if os.path.exists(DB2 + "-wal") else b"")
det = [e["detail"] for e in entries("screen.batch", DB2)]
if have_screen:
    ok(any("names_hashed=[\"" in d for d in det), "the names are recorded as keyed hashes", str(det))
    ok(b"Quirino Secret Tres" not in dump, "the screened name is nowhere in the store file")
rc, out = cli("audit", "verify", "--db", DB2)
ok(rc == 0 and "chain key: verified" in out, "the keyed chain verifies with the key", out)
del os.environ["PUENTE_AUDIT_NAMES"]
del os.environ["PUENTE_AUDIT_KEY"]
finish()
