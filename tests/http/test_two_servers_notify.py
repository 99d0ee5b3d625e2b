"""Two `puente serve --change-watch notify` on one PostgreSQL store (issue
#18, docs/store.md "Watching the generations"): the servers learn of each
other's changes from PostgreSQL notifications instead of a counter read per
request. A change through A — a new record, a re-marking, a deletion, a
logout — is seen by B once the notification arrives: each check polls B
for at most a few seconds (the mode promises no more than that: the default
`poll` mode, tested by e2e-two-servers, promises the very next request).
`--change-watch notify` on an SQLite store is refused.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

exe = os.environ.get("PUENTE_BIN", "build/puente")
TMP = os.environ["TEST_TMP"]
if "://" not in os.environ.get("PUENTE_TEST_DB", ""):  # SQLite: no notifications, refused
    p = subprocess.run([exe, "serve", "--db", os.path.join(TMP, "n.db"), "--change-watch", "notify", "--listen",
                        "127.0.0.1:0"], capture_output=True, text=True, timeout=60)
    ok(p.returncode != 0 and "PostgreSQL" in p.stderr, "--change-watch notify is refused on an SQLite store",
       p.stderr.strip())
    finish()

SRC = os.environ.get("PUENTE_SRC", ".")
DB = test_store(os.path.join(TMP, "notify.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
PW = "correct horse battery staple"
WAIT_S = 10.0

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("fgr.an", "FGR", "analyst"), ("dea.sup", "DEA", "supervisor")])
rc, _ = cli("user", "add", "dea.pw", "--agency", "DEA", "--role", "analyst", "--password-stdin", "--permanent",
            "--db", DB, stdin=PW + "\n")
eq(rc, 0, "a user with a password")
srv_a = Server(DB, "--threads", "2", "--audit-journal", "commit", "--change-watch", "notify")
srv_b = Server(DB, "--threads", "2", "--audit-journal", "commit", "--change-watch", "notify")
a, b = Client(srv_a.port, spec), Client(srv_b.port, spec)

NAME = "Anacleto Xochimilco Huitzilopochtli"


def fgr_sees(client):
    q = {"schema": "Person", "properties": {"name": [NAME]}}
    s, js, _ = client.req("POST", "/match/default", token=tok["fgr.an"], body={"queries": {"q": q}})
    if s != 200:
        print(f"# match answered {s}")
    return [r.get("id") for r in ((js or {}).get("responses", {}).get("q", {}).get("results", []))]


def within(pred):
    """Seconds until pred() holds (polling), or None after WAIT_S."""
    t0 = time.time()
    while time.time() - t0 < WAIT_S:
        if pred():
            return time.time() - t0
        time.sleep(0.02)
    return None


person = {"id": "n-1", "schema": "Person", "marking": "SHARED",
          "properties": {"name": [NAME], "birthDate": ["1966-06-06"], "topics": ["sanction"]}}
eid = "dea-n-1"
ok(eid not in fgr_sees(b), "B has no such record yet (index built)")
s, js, _ = a.req("POST", "/api/v1/entities", token=tok["dea.an"], body=person)
eq(s, 201, "create a SHARED record through A")
eid = (js or {}).get("id", eid)
ok(within(lambda: eid in fgr_sees(b)) is not None, "B matches it once notified")
s, _, _ = a.req("PUT", f"/api/v1/entities/{eid}", token=tok["dea.an"], body=dict(person, id=eid, marking="AGENCY-ONLY"))
eq(s, 200, "A re-marks it AGENCY-ONLY")
ok(within(lambda: eid not in fgr_sees(b)) is not None, "B no longer shows it to FGR once notified")
s, _, _ = b.req("PUT", f"/api/v1/entities/{eid}", token=tok["dea.an"], body=dict(person, id=eid, marking="SHARED"))
eq(s, 200, "B re-marks it SHARED")
ok(within(lambda: eid in fgr_sees(a)) is not None, "A shows it to FGR again once notified")
s, _, _ = a.req("DELETE", f"/api/v1/entities/{eid}", token=tok["dea.sup"])
eq(s, 200, "A deletes it")
ok(within(lambda: eid not in fgr_sees(b)) is not None, "B no longer has it once notified")

# sessions: a logout on A is refused by B once notified
s, js, _ = a.req("POST", "/api/v1/login", body={"user": "dea.pw", "password": PW})
sess = (js or {}).get("session", "")
ok(s == 200 and sess, "login on A")
s, _, _ = b.req("GET", "/api/v1/me", token=sess)
eq(s, 200, "the session works on B")
s, _, _ = a.req("POST", "/api/v1/logout", token=sess)
eq(s, 200, "logout on A")
ok(within(lambda: b.req("GET", "/api/v1/me", token=sess, check=False)[0] == 401) is not None,
   "B refuses the session once notified")

srv_a.stop()
srv_b.stop()
finish()
