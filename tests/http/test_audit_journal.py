"""The audit journal end to end: every answered request is in the audit trail
even when the server is killed (SIGKILL) right after answering, `puente audit
verify` beside a running server sees every answered request, a second server
on the same store is refused, `--audit-journal commit` (no journal) still
audits every request, $PUENTE_AUDIT_JOURNAL places the journal for the server
and the CLI alike, and a store that is not a file needs an explicit path. Run by tests/http/e2e_driver.sh."""
import concurrent.futures
import json
import os
import re
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, sqlite_only, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = os.path.join(TMP, "journal.db")
sqlite_only("reads the store file with python's sqlite3")
JOURNAL = DB + "-audit.journal"
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
tok = seed_users(DB, [("dea.an", "DEA", "analyst")])
A = tok["dea.an"]


def me_entries():
    rc, out = cli("audit", "export", "--db", DB)
    ok(rc == 0, "audit export runs", out[-300:])
    return [json.loads(l) for l in out.splitlines() if l.strip() and json.loads(l)["action"] == "me"]


def hammer(c_port, n, threads=4):
    """n audited requests from several connections; returns how many were answered 200."""
    def one(_):
        c = Client(c_port, spec)
        return c.req("GET", "/api/v1/me", token=A, check=False)[0]
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        return sum(1 for s in ex.map(one, range(n)) if s == 200)


# ---- beside a running server, the CLI sees every answered request ----
srv = Server(DB)
answered = hammer(srv.port, 200)
eq(answered, 200, "200 audited requests answered")
got = me_entries()
eq(len(got), 200, "`puente audit export` beside the running server shows every answered request")
rc, out = cli("audit", "verify", "--db", DB)
ok(rc == 0 and "intact" in out, "the chain verifies beside the running server", out)

# ---- a second server on the same store is refused ----
try:
    Server(DB)
    ok(False, "a second server on the same store is refused")
except RuntimeError as e:
    ok("another puente server" in str(e), "a second server on the same store is refused", str(e)[-300:])

# ---- killed right after answering: nothing answered is lost ----
answered += hammer(srv.port, 300)
eq(answered, 500, "300 more answered")
srv.p.kill()  # SIGKILL: no shutdown, the journal thread had no chance to finish
srv.p.wait()
left = os.path.getsize(JOURNAL) if os.path.exists(JOURNAL) else 0
print(f"# the killed server left its journal file ({left} bytes, fixed size)")
got = me_entries()
eq(len(got), 500, "after SIGKILL every answered request is in the trail (recovered from the journal)")
seqs = [e["seq"] for e in got]
ok(seqs == sorted(seqs) and len(set(seqs)) == 500, "each once, in order")
rc, out = cli("audit", "verify", "--db", DB)
ok(rc == 0 and "intact" in out, "the chain verifies after the recovery", out)
eq(os.path.getsize(JOURNAL), 0, "the recovered journal is emptied")

# ---- restart after a kill: the server recovers on its own ----
srv = Server(DB)
eq(hammer(srv.port, 50), 50, "the restarted server answers")
srv.p.kill()
srv.p.wait()
# what the killed server had already put into the chain (read without the
# journal): its ingest thread runs every 20 ms, so anything from 0 to 50
# entries may still be only in the journal
with sqlite3.connect(DB) as db:
    in_chain = db.execute("SELECT count(*) FROM audit_log WHERE action = 'me'").fetchone()[0]
srv = Server(DB)
m = re.search(r"(\d+) audit entries left by an earlier run", srv.output())
left_over = int(m.group(1)) if m else 0
eq(in_chain + left_over, 550, "the next server start adds what the killed one left "
   f"({in_chain} in the chain at the kill, {left_over} added from the journal)")
eq(srv.stop(), 0, "the server stops cleanly")
eq(len(me_entries()), 550, "all 550 answered requests are in the trail")

# ---- --audit-journal PATH: the CLI is told where with --journal ----
custom = os.path.join(TMP, "elsewhere.journal")
srv = Server(DB, "--audit-journal", custom)
eq(hammer(srv.port, 40), 40, "a server with its journal elsewhere answers")
srv.p.kill()
srv.p.wait()
ok(os.path.getsize(custom) > 0 and os.path.getsize(JOURNAL) == 0, "the entries were staged in the given file")
rc, out = cli("audit", "export", "--db", DB, "--journal", custom)
eq(sum(1 for l in out.splitlines() if l.strip() and json.loads(l)["action"] == "me"), 590,
   "`audit export --journal PATH` adds them after a kill")
rc, out = cli("audit", "verify", "--db", DB, "--journal", custom)
ok(rc == 0 and "intact" in out, "and the chain verifies", out)

# ---- --audit-journal commit: no journal, each request waits for its commit ----
srv = Server(DB, "--audit-journal", "commit")
eq(hammer(srv.port, 100), 100, "commit mode answers")
eq(srv.stop(), 0, "commit mode stops cleanly")
eq(len(me_entries()), 690, "commit mode audits every request")
rc, out = cli("audit", "verify", "--db", DB)
ok(rc == 0 and "intact" in out, "the chain is intact across the modes", out)

# ---- $PUENTE_AUDIT_JOURNAL: the same place for the server and the CLI ----
envj = os.path.join(TMP, "from-env.journal")
os.environ["PUENTE_AUDIT_JOURNAL"] = envj
srv = Server(DB)
eq(hammer(srv.port, 30), 30, "a server with $PUENTE_AUDIT_JOURNAL answers")
srv.p.kill()
srv.p.wait()
ok(os.path.getsize(envj) > 0 and os.path.getsize(JOURNAL) == 0, "the entries were staged in $PUENTE_AUDIT_JOURNAL")
eq(len(me_entries()), 720, "`audit export` finds them through $PUENTE_AUDIT_JOURNAL (no --journal)")
eq(os.path.getsize(envj), 0, "and empties that journal")
del os.environ["PUENTE_AUDIT_JOURNAL"]

# ---- a store that is not a file: the journal path must be given ----
exe = os.environ.get("PUENTE_BIN", "build/puente")


def run(*args):
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


uri = "postgresql://puente:s3cret@db.example/puente"
rc, out = run("serve", "--listen", "127.0.0.1:0", "--db", uri)
ok(rc != 0 and "--audit-journal PATH or $PUENTE_AUDIT_JOURNAL" in out and "s3cret" not in out,
   "serve on a store URI without a journal path is refused, saying how to give it (no password shown)", out)
rc, out = run("serve", "--listen", "127.0.0.1:0", "--db", uri, "--audit-journal", os.path.join(TMP, "pg.journal"))
ok(rc != 0 and "cannot connect to store" in out and "s3cret" not in out,
   "with a journal path, the store URI gets the backend's own error (no such host)", out)
rc, out = run("audit", "verify", "--db", ":memory:")
ok(rc != 0 and "audit journal has no default place" in out, "`audit verify` on :memory: asks for the journal path", out)
finish()
