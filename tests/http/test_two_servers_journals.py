"""Two `puente serve` processes on one store, each with its OWN audit
journal file (issue #18; docs/audit.md "Several servers, one chain"): every
answered request of both servers is in the chain exactly once, also when one
server is killed with SIGKILL in the middle of the load and then
  - restarted on its journal (the restart puts its killed predecessor's
    entries into the chain before it listens), or
  - not restarted, and `puente audit ingest --journal PATH` is run on its
    disk instead;
`puente audit verify` finds one intact chain, `puente audit journals` names
each server's journal, and two servers on ONE journal file are still refused.

Runs on both backends (on SQLite the two servers share the store file on one
machine, which SQLite's WAL allows; on PostgreSQL they share the database).
Every request reads an entity id that exists nowhere, unique per request, so
its audit entry (entity.read, target = that id) can be counted: answered
requests must each appear once; requests cut by the kill may appear or not
(never answered, never promised), but never twice.
"""
import collections
import itertools
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "twoj.db"))
JA, JB = os.path.join(TMP, "a.journal"), os.path.join(TMP, "b.journal")
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
THREADS, KILL_AFTER = 4, 40

tok = seed_users(DB, [("dea.an", "DEA", "analyst")])["dea.an"]
answered, cut = [], []  # ids whose read was answered; ids whose request failed
lock = threading.Lock()
stop = threading.Event()


serial = itertools.count()  # each request its own id, across rounds


def reader(side, t, port_of):
    while not stop.is_set():
        ident = f"jr-{side}-{t}-{next(serial)}"
        try:
            s = Client(port_of(), spec).req("GET", f"/api/v1/entities/{ident}", token=tok, check=False)[0]
        except Exception:  # the killed server: refused, reset
            s = None
        with lock:
            (answered if s == 404 else cut).append(ident)
        if s is None:
            time.sleep(0.02)


def load(ports, seconds=None, until=None):
    """Readers on each server's port (a callable, the port may change);
    stops after `seconds` or when until() is true."""
    stop.clear()
    ths = [threading.Thread(target=reader, args=(side, t, p)) for side, p in ports.items() for t in range(THREADS // 2)]
    for th in ths:
        th.start()
    end = time.time() + (seconds or 60)
    while time.time() < end and not (until and until()):
        time.sleep(0.01)
    return ths


def join(ths):
    stop.set()
    for th in ths:
        th.join()


def chain_counts():
    rc, out = cli("audit", "export", "--db", DB, "--journal", "none")
    ok(rc == 0, "audit export runs", out[-300:])
    return collections.Counter(json.loads(line)["targets"] for line in out.splitlines()
                               if line.strip() and '"jr-' in line)


srv = {"a": Server(DB, "--threads", "2", "--audit-journal", JA), "b": Server(DB, "--threads", "2", "--audit-journal", JB)}
ports = {"a": lambda: srv["a"].port, "b": lambda: srv["b"].port}

# ---- one journal file, two servers: still refused ----
try:
    Server(DB, "--audit-journal", JA)
    ok(False, "a second server on the same journal file is refused")
except RuntimeError as e:
    ok("another puente server uses this audit journal" in str(e), "a second server on the same journal file is refused",
       str(e)[-300:])

# ---- round 1: kill -9 of B mid-load, then B restarted on its journal ----
ths = load(ports, until=lambda: sum(1 for x in answered if x.startswith("jr-b")) >= KILL_AFTER)
srv["b"].p.send_signal(signal.SIGKILL)  # other threads are reading through B right now
eq(srv["b"].p.wait(timeout=30), -signal.SIGKILL, "B died of SIGKILL in the middle of the load")
srv["b"].logf.close()
killed_b = sum(1 for x in answered if x.startswith("jr-b"))
srv["b"] = Server(DB, "--threads", "2", "--audit-journal", JB)  # puts what its predecessor left into the chain
ok(killed_b >= KILL_AFTER, "B had answered requests when it was killed", f"{killed_b}")
time.sleep(0.5)  # both serve again for a while
join(ths)
got = chain_counts()  # A and B still run: this reads what their threads have put into the chain
eq([i for i, c in got.items() if c > 1], [], "no entry twice while both servers run (round 1)")

# ---- round 2: kill -9 of B again; this time `audit ingest` on its disk ----
before = len(answered)
ths = load(ports, until=lambda: sum(1 for x in answered[before:] if x.startswith("jr-b")) >= KILL_AFTER)
srv["b"].p.send_signal(signal.SIGKILL)
eq(srv["b"].p.wait(timeout=30), -signal.SIGKILL, "B killed again")
srv["b"].logf.close()
join(ths)
rc, out = cli("audit", "ingest", "--db", DB, "--journal", JB)
eq(rc, 0, "`puente audit ingest --journal` on the dead server's journal")
eq(srv["a"].stop(), 0, "A stops cleanly (its journal drained into the chain)")

# ---- every answered request of both servers: in the chain exactly once ----
got = chain_counts()
missing = sorted(i for i in answered if got[i] == 0)
twice = sorted(i for i, c in got.items() if c > 1)
eq(missing, [], f"every answered request ({len(answered)}, {sum(1 for x in answered if x.startswith('jr-b'))} through B) is in the chain")
eq(twice, [], "no entry is in the chain twice")
ok(set(got) <= set(answered) | set(cut), "the chain holds no request that was never sent")
ok(len(cut) > 0, "requests to the killed B failed (not answered, not promised)", f"{len(cut)}")
rc, out = cli("audit", "verify", "--db", DB, "--journal", "none")
ok(rc == 0 and "intact" in out, "one intact chain", out)
rc, out = cli("audit", "journals", "--db", DB)
lines = out.splitlines()
ok(rc == 0 and lines[0].startswith("3 audit journals"), "`audit journals` lists A's and B's two runs", out)
ok(sum(1 for l in lines[1:] if JA in l) == 1 and sum(1 for l in lines[1:] if JB in l) == 2,
   "each journal row names its server's file", out)
ok(all(int(l.split("\t")[1]) > 0 for l in lines[1:]), "every journal has entries in the chain", out)
finish()
