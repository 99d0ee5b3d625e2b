"""Two `puente serve` processes on one store (issue #18, "Several servers,
one database"): what one server changes, the other serves at once, and
concurrent writers through both leave one valid audit chain and no lost
write.

Runs on both backends: on PostgreSQL (the deployment this is for) and on an
SQLite file (WAL: two processes may share it too). Both servers run with
`--audit-journal commit` (a journal file belongs to one server;
docs/store.md, "Several servers on one database").

(a) screening: a SHARED record re-marked AGENCY-ONLY through server A is no
    longer matched for FGR by server B on the very next request; re-marked
    SHARED through B, A matches it for FGR again; a record deleted through A
    is no longer matched by B; re-created, re-marked US-ONLY through A, B no
    longer matches it for FGR (MX) but does for DEA (US); deleted through B,
    A no longer matches it for DEA either (each server patches its index from the
    store's change log: docs/screening.md "Incremental update");
(b) sessions: a session opened on A works on B; logged out on A, locked
    through A (failed logins), logged out everywhere through A, or disabled,
    reset or re-roled through the CLI, every server refuses the user's
    sessions and tokens on the very next request (the account generation,
    docs/security.md "Sessions and tokens"; no sleep anywhere);
(c) concurrent writes: 4 threads create entities through A and B
    alternately; every acknowledged write is in the store, counted by both
    servers; `puente audit verify` finds one intact chain holding exactly
    one entity.create entry per write.
"""
import json
import os
import sys
import subprocess
import threading

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "two.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
PW = "correct horse battery staple"
THREADS, PER_THREAD = 4, 15

# ---- processes that open a new store at the same moment all migrate it ----
exe = os.environ.get("PUENTE_BIN", "build/puente")
procs = [subprocess.Popen([exe, "agency", "seed", "--db", DB], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
         for _ in range(4)]
outs = [(p.wait(timeout=120), p.stdout.read()) for p in procs]
for rc, o in outs:  # a failure says why (seen once under ASan at load 18, not reproduced)
    if rc:
        print("# agency seed failed:", o.strip()[:600].replace("\n", " | "))
eq([rc for rc, _ in outs], [0] * 4, "four processes migrate and seed one new store at once")
added = sum(int(o.split()[0]) for rc, o in outs if rc == 0 and o.split() and o.split()[0].isdigit())
eq(added, len(cli("agency", "list", "--db", DB)[1].splitlines()),
   "each agency is added once, by whichever process got there first")

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("fgr.an", "FGR", "analyst"), ("dea.sup", "DEA", "supervisor")])
rc, _ = cli("user", "add", "dea.pw", "--agency", "DEA", "--role", "analyst", "--password-stdin", "--permanent", "--db", DB,
            stdin=PW + "\n")
eq(rc, 0, "a user with a password")

srv_a = Server(DB, "--threads", "2", "--audit-journal", "commit")
srv_b = Server(DB, "--threads", "2", "--audit-journal", "commit")
a, b = Client(srv_a.port, spec), Client(srv_b.port, spec)
ok(srv_a.port != srv_b.port, "two servers on one store")

# ---- (a) screening follows the other server's write ----
person = {"id": "two-1", "schema": "Person", "marking": "SHARED",
          "properties": {"name": ["Anacleto Xochimilco Huitzilopochtli"], "birthDate": ["1966-06-06"],
                         "topics": ["sanction"]}}
s, js, _ = a.req("POST", "/api/v1/entities", token=tok["dea.an"], body=person)
eq(s, 201, "create a SHARED record through A")
eid = (js or {}).get("id", "dea-two-1")


def fgr_match(client, user="fgr.an"):
    q = {"schema": "Person", "properties": {"name": ["Anacleto Xochimilco Huitzilopochtli"]}}
    s, js, _ = client.req("POST", "/match/default", token=tok[user], body={"queries": {"q": q}})
    ids = [r.get("id") for r in ((js or {}).get("responses", {}).get("q", {}).get("results", []))]
    return s, ids


s, ids = fgr_match(b)
ok(s == 200 and eid in ids, "B matches the record A created (FGR may see SHARED)", f"{s} {ids}")
s, _, _ = a.req("PUT", f"/api/v1/entities/{eid}", token=tok["dea.an"], body=dict(person, id=eid, marking="AGENCY-ONLY"))
eq(s, 200, "A re-marks it AGENCY-ONLY")
s, ids = fgr_match(b)
ok(s == 200 and eid not in ids, "B's very next match no longer shows it to FGR", f"{s} {ids}")
s, ids = fgr_match(a)
ok(s == 200 and eid not in ids, "nor does A's")
s, _, _ = b.req("PUT", f"/api/v1/entities/{eid}", token=tok["dea.an"], body=dict(person, id=eid, marking="SHARED"))
eq(s, 200, "B re-marks it SHARED")
s, ids = fgr_match(a)
ok(s == 200 and eid in ids, "A's very next match shows it to FGR again", f"{s} {ids}")
s, _, _ = a.req("DELETE", f"/api/v1/entities/{eid}", token=tok["dea.sup"])
eq(s, 200, "A deletes it")
s, ids = fgr_match(b)
ok(s == 200 and eid not in ids, "B's very next match no longer has it", f"{s} {ids}")
s, js, _ = a.req("POST", "/api/v1/entities", token=tok["dea.an"], body=person)
eq(s, 201, "create it again through A")
eid = (js or {}).get("id", eid)
s, ids = fgr_match(b)
ok(s == 200 and eid in ids, "B matches it at once", f"{s} {ids}")
# a re-marking to US-ONLY through A: gone for a Mexican reader on B's very
# next match, still there for a US one (issue #18: the index is patched,
# never rebuilt in full, and must agree with a full build at every moment)
s, _, _ = a.req("PUT", f"/api/v1/entities/{eid}", token=tok["dea.an"], body=dict(person, id=eid, marking="US-ONLY"))
eq(s, 200, "A re-marks it US-ONLY")
s, ids = fgr_match(b)
ok(s == 200 and eid not in ids, "B's very next match no longer shows it to FGR (MX)", f"{s} {ids}")
s, ids = fgr_match(b, "dea.an")
ok(s == 200 and eid in ids, "B still shows it to DEA (US)", f"{s} {ids}")
# deleted through B: gone from A's very next match, for every reader
s, _, _ = b.req("DELETE", f"/api/v1/entities/{eid}", token=tok["dea.sup"])
eq(s, 200, "B deletes it")
s, ids = fgr_match(a, "dea.an")
ok(s == 200 and eid not in ids, "A's very next match no longer has it for DEA", f"{s} {ids}")
s, js, _ = a.req("POST", "/api/v1/entities", token=tok["dea.an"], body=person)
eq(s, 201, "create it once more through A")
eid = (js or {}).get("id", eid)
s, ids = fgr_match(b)
ok(s == 200 and eid in ids, "B matches it at once", f"{s} {ids}")

# ---- (b) sessions live in the store, not in one server ----
s, js, _ = a.req("POST", "/api/v1/login", body={"user": "dea.pw", "password": PW})
sess = (js or {}).get("session", "")
ok(s == 200 and sess, "login on A")
s, js, _ = b.req("GET", "/api/v1/me", token=sess)
ok(s == 200 and (js or {}).get("user") == "dea.pw", "the session opened on A works on B", f"{s} {js}")
s, _, _ = a.req("POST", "/api/v1/logout", token=sess)
eq(s, 200, "logout on A")
# every change to accounts and secrets bumps the store's account generation
# in its transaction; B's authentication cache checks it before every answer
# (src/access/access.h): no time window, no sleep
s, _, _ = b.req("GET", "/api/v1/me", token=sess, check=False)
eq(s, 401, "B refuses the session logged out on A on its very next request")


def login(client, user):
    s, js, _ = client.req("POST", "/api/v1/login", body={"user": user, "password": PW})
    ok(s == 200 and (js or {}).get("session"), f"login {user}", f"{s} {js}")
    return (js or {}).get("session", "")


def me(client, secret):
    return client.req("GET", "/api/v1/me", token=secret, check=False)[0]


for u in ("dea.lock", "dea.all", "dea.cli", "dea.pass", "dea.role"):
    eq(cli("user", "add", u, "--agency", "DEA", "--role", "analyst", "--password-stdin", "--permanent", "--db", DB,
           stdin=PW + "\n")[0], 0, f"user add {u}")

# a lock through A (the fifth wrong password) ends the user's sessions and
# tokens on B at once
s_lock = login(b, "dea.lock")
t_lock = cli("token", "create", "dea.lock", "--db", DB)[1]
eq((me(b, s_lock), me(b, t_lock)), (200, 200), "B answers the session and the token (now cached)")
eq((me(b, s_lock), me(b, t_lock)), (200, 200), "and again, from its cache")
for i in range(5):
    a.req("POST", "/api/v1/login", body={"user": "dea.lock", "password": "not the password at all"}, check=False)
eq((me(b, s_lock), me(b, t_lock)), (401, 401), "locked through A: B refuses its session and token at once")

# logout everywhere through A: every session of the user, on B at once
s_all1, s_all2 = login(a, "dea.all"), login(b, "dea.all")
eq((me(b, s_all1), me(b, s_all2)), (200, 200), "two sessions answered by B")
s, js, _ = a.req("POST", "/api/v1/web/session/revoke-all", token=s_all1)
eq(s, 200, "logout everywhere through A")
eq((me(b, s_all1), me(b, s_all2), me(a, s_all2)), (401, 401, 401),
   "B (and A) refuse both sessions on the very next request")

# the CLI is another process: its changes reach both running servers at once
for user, args, what in (("dea.cli", ["disable", "dea.cli"], "disabled"),
                         ("dea.pass", ["password", "dea.pass", "--password-stdin"], "password reset"),
                         ("dea.role", ["role", "dea.role", "supervisor"], "role changed")):
    sess_u = login(a, user)
    tok_u = cli("token", "create", user, "--db", DB)[1]
    eq((me(a, sess_u), me(b, sess_u), me(b, tok_u)), (200, 200, 200), f"{user}: answered before the change")
    rc, _ = cli("user", *args, "--db", DB, stdin="a new and different passphrase\n")
    eq(rc, 0, f"puente user {' '.join(args)}")
    eq((me(a, sess_u), me(b, sess_u), me(a, tok_u), me(b, tok_u)), (401, 401, 401, 401),
       f"{what} through the CLI: both servers refuse the session and the token on the next request")

# ---- (c) concurrent writers through both servers ----
acked, failures = [], []
lock = threading.Lock()


def writer(t):
    clients = [Client(srv_a.port, spec), Client(srv_b.port, spec)]
    for i in range(PER_THREAD):
        body = {"id": f"w{t}-{i}", "schema": "Person", "marking": "SHARED",
                "properties": {"name": [f"Escritor {t} Numero {i}"], "topics": ["sanction"]}}
        s, js, _ = clients[(t + i) % 2].req("POST", "/api/v1/entities", token=tok["dea.an"], body=body)
        with lock:
            (acked if s == 201 else failures).append((t, i, s, json.dumps(js)[:200]))


threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
for th in threads:
    th.start()
for th in threads:
    th.join()
eq(failures, [], "every concurrent write through A and B is acknowledged")
eq(len(acked), THREADS * PER_THREAD, "all writes answered")
for name, client in (("A", a), ("B", b)):
    s, js, _ = client.req("GET", "/api/v1/entities", token=tok["dea.an"], query={"q": "escritor", "limit": 1})
    total = (js or {}).get("total")
    ok(s == 200 and total == THREADS * PER_THREAD, f"{name} counts every acknowledged write", f"{s} total={total}")

eq(srv_a.stop(), 0, "server A stops cleanly")
eq(srv_b.stop(), 0, "server B stops cleanly")

rc, out = cli("audit", "verify", "--db", DB)
ok(rc == 0 and "intact" in out, "one intact audit chain after concurrent writers", out)
rc, out = cli("audit", "export", "--db", DB)
creates = [json.loads(line) for line in out.splitlines() if '"entity.create"' in line]
eq(sum(1 for e in creates if e.get("outcome") == "success"), THREADS * PER_THREAD + 3,
   "one entity.create entry per acknowledged write (and the first record, created three times)")
finish()
