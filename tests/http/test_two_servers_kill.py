"""Two `puente serve` processes on one PostgreSQL store, one killed with
SIGKILL in the middle of concurrent writes (issue #18, "Several servers, one
database"): nothing acknowledged is lost and the audit chain stays one valid
chain. The quick correctness version of bench/pg/kill.sh (which does the
same under wrk load).

PostgreSQL only: with SQLite the servers share a file on one machine, and
what a killed process leaves is SQLite's WAL recovery, tested elsewhere
(e2e-store); here the killed server's connection dies with an open
transaction holding the store's write lock, which PostgreSQL must roll back
and release so that the other server goes on.

Writers: THREADS threads create entities through A and B in turn; every
201 answer is recorded with the id the server gave. B is killed once every
thread has had some writes acknowledged; the threads go on (writes to B
now fail and are not acknowledged). Then: every acknowledged id is in the
store with the name it was written with, server A still answers and counts
them, `puente audit verify` finds one intact chain, and every acknowledged
write has its success `entity.create` entry.
"""
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from apitest import (Client, Spec, cli, eq, finish, ok, postgresql_only, seed_users,  # noqa: E402
                     store_query, test_store)
from server import Server  # noqa: E402

postgresql_only("SIGKILL of one of two servers sharing a PostgreSQL store")

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "kill.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
THREADS, PER_THREAD, KILL_AFTER = 4, 40, 6

tok = seed_users(DB, [("dea.an", "DEA", "analyst")])["dea.an"]
srv_a = Server(DB, "--threads", "2", "--audit-journal", "commit")
srv_b = Server(DB, "--threads", "2", "--audit-journal", "commit")

acked, refused = {}, []  # acknowledged id -> name written; refused/failed attempts
lock = threading.Lock()
per_thread_acked = [0] * THREADS
b_killed = threading.Event()


def writer(t):
    clients = [Client(srv_a.port, spec), Client(srv_b.port, spec)]
    for i in range(PER_THREAD):
        name = f"Superviviente {t} Numero {i}"
        body = {"id": f"k{t}-{i}", "schema": "Person", "marking": "SHARED", "properties": {"name": [name]}}
        try:
            s, js, _ = clients[(t + i) % 2].req("POST", "/api/v1/entities", token=tok, body=body,
                                                check=not b_killed.is_set())
        except OSError as e:  # the killed server: refused, reset
            s, js = None, {"error": str(e)}
        except Exception as e:  # http.client's own errors (RemoteDisconnected is an OSError too)
            s, js = None, {"error": repr(e)}
        with lock:
            if s == 201 and js and js.get("id"):
                acked[js["id"]] = name
                per_thread_acked[t] += 1
            else:
                refused.append((t, i, s, json.dumps(js)[:160]))


def killer():
    while min(per_thread_acked) < KILL_AFTER:
        time.sleep(0.01)
    srv_b.p.send_signal(signal.SIGKILL)  # mid-run: other threads are writing through B right now
    b_killed.set()


threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
k = threading.Thread(target=killer)
k.start()
for th in threads:
    th.start()
for th in threads:
    th.join()
k.join(timeout=30)
ok(b_killed.is_set(), "server B was killed with SIGKILL during the writes")
eq(srv_b.p.wait(timeout=30), -signal.SIGKILL, "B died of SIGKILL")
srv_b.logf.close()
ok(len(acked) >= THREADS * KILL_AFTER, "writes were acknowledged before and after the kill",
   f"{len(acked)} acknowledged, {len(refused)} not")
ok(len(refused) > 0, "writes sent to B after the kill were not acknowledged", f"{len(refused)}")
ok(len(acked) > THREADS * PER_THREAD // 2, "A went on acknowledging after B died (the write lock was released)",
   f"{len(acked)} of {THREADS * PER_THREAD}")

# ---- every acknowledged write is in the store, as written ----
rows = dict(store_query(DB, "SELECT id, caption FROM entity WHERE id LIKE 'dea-k%'"))
lost = sorted(i for i in acked if i not in rows)
eq(lost, [], "no acknowledged write is lost")
wrong = sorted(i for i, name in acked.items() if i in rows and rows[i] != name)
eq(wrong, [], "each acknowledged write holds what was written")
ok(len(rows) >= len(acked), "the store holds at least the acknowledged writes", f"{len(rows)} vs {len(acked)}")

# ---- the survivor still serves and counts them ----
a = Client(srv_a.port, spec)
s, js, _ = a.req("GET", "/api/v1/entities", token=tok, query={"q": "superviviente", "limit": 1})
eq((s, (js or {}).get("total")), (200, len(rows)), "A answers and counts every stored write")
eq(srv_a.stop(), 0, "server A stops cleanly")

# ---- one intact audit chain, an entry for each acknowledged write ----
rc, out = cli("audit", "verify", "--db", DB)
ok(rc == 0 and "intact" in out, "one intact audit chain after SIGKILL of a writer", out)
rc, out = cli("audit", "export", "--db", DB)
created = set()
for line in out.splitlines():
    if '"entity.create"' in line:
        e = json.loads(line)
        if e.get("action") == "entity.create" and e.get("outcome") == "success":
            created.update(x for x in (e.get("targets") or "").split(",") if x)
missing = sorted(i for i in acked if i not in created)
eq(missing, [], "every acknowledged write has its entity.create audit entry")
finish()
