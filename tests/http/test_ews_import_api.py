"""End-to-end tests of POST /api/v1/ews/reports as one transaction with its
audit entry: a good import is stored and audited (success, with counts); a
failing import (bad record, another agency's owner) stores nothing and is
audited as a failure; when the audit write fails the import is not kept
(fail closed); and the server creates no file while importing (checked with
strace when it is installed). Run by tests/http/e2e_ews_import_api.sh."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, eq, finish, ok, seed_users, sqlite_only, test_store  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = os.path.join(TMP, "ews_import_api.db")
sqlite_only("reads the store file with python's sqlite3")
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("dea.aud", "DEA", "auditor"), ("fgr.an", "FGR", "analyst"),
                      ("dea.sup", "DEA", "supervisor")])
A = tok["dea.an"]


def start(db, trace_to=None):
    """Start `puente serve` (under strace -f when trace_to is given, logging
    every file creation and directory change); returns (process, port, log)."""
    exe = os.environ.get("PUENTE_BIN", "build/puente")
    log = db + ".import.log"
    logf = open(log, "w")
    cmd = [exe, "serve", "--listen", "127.0.0.1:0", "--db", db, "--threads", "2"]
    if trace_to:
        cmd = ["strace", "-f", "-qq", "-e", "trace=open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2,"
               "link,linkat,unlink,unlinkat", "-o", trace_to] + cmd
    env = dict(os.environ, TMPDIR=os.path.join(TMP, "server-tmp"))
    if trace_to:  # LeakSanitizer cannot run under ptrace; the untraced phase keeps leak checking
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    os.makedirs(env["TMPDIR"], exist_ok=True)
    p = subprocess.Popen(cmd, stdout=logf, stderr=logf, env=env)
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", open(log).read())
        if m:
            return p, int(m.group(1)), logf
        time.sleep(0.05)
    p.kill()
    raise RuntimeError("server did not start: " + open(log).read())


def stop(p, logf):
    """SIGTERM to the server (strace's child when traced: strace then exits
    with the server's status)."""
    target = p.pid
    try:
        kids = open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()
        if kids and "strace" in open(f"/proc/{p.pid}/comm").read():
            target = int(kids[0])
    except OSError:
        pass
    os.kill(target, 15)
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = -9
    logf.close()
    return rc


def q(sql, *args):
    con = sqlite3.connect(DB, timeout=10)
    try:
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


def state():
    """Everything an import writes, as one tuple."""
    return (q("SELECT COUNT(*) FROM ews_report"), q("SELECT COALESCE(SUM(count), 0) FROM ews_queue"),
            q("SELECT COUNT(*) FROM ews_detection"), q("SELECT COUNT(*) FROM ews_alert"))


def rep(i, **kw):
    d = {"report_id": f"IMP-{i}", "date": "2024-05-06", "place": "US-NM/Albuquerque", "source_agency": "DEA",
         "type": "seizure-lab", "substances": ["metonitazene", "zz-import-api-unknown"]}
    d.update(kw)
    return d


def audits(action="ews.report.import"):
    # reads and refusals reach audit_log through the server's audit journal
    # within milliseconds; reading the trail over HTTP waits until they have
    c.req("GET", "/api/v1/audit/verify", token=tok["dea.aud"])
    return [(r[0], r[1], r[2], r[3]) for r in sqlite3.connect(DB).execute(
        "SELECT user_name, agency, outcome, detail FROM audit_log WHERE action = ? ORDER BY seq", (action,))]


def err_of(js):
    return (js or {}).get("error", {})


trace = os.path.join(TMP, "serve.strace")
have_strace = shutil.which("strace") is not None
srv, port, logf = start(DB)
c = Client(port, spec)

# ---- a good import is stored and audited ----
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=A)  # opens the EWS store (migrations) before the baseline
eq(s, 200, "the EWS store opens")
base = state()
n_audit = len(audits())
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, body=[rep(1), rep(2)])
ok(s == 200 and js["reports"] == 2 and js["queued"] == 2 and js["alerts"] >= 1, "a good import answers 200", f"{s} {js}")
ok(q("SELECT COUNT(*) FROM ews_report WHERE id IN ('dea-IMP-1', 'dea-IMP-2') AND owner = 'DEA'") == 2,
   "both reports are stored, filed as the caller's agency")
au = audits()
ok(len(au) == n_audit + 1 and au[-1][:3] == ("dea.an", "DEA", "success")
   and au[-1][3] == f"reports=2 alerts={js['alerts'] if s == 200 else -1}",
   "the import is audited once, as a success with its counts", f"{au[-3:]}")
s, js, _ = c.req("GET", "/api/v1/audit/verify", token=tok["dea.aud"])
ok(s == 200 and js.get("ok") is True, "the audit chain verifies after the import", f"{s} {js}")

# ---- a failing import stores nothing and is audited as a failure ----
before = state()
lines = "\n".join(json.dumps(r) for r in (rep(3), rep(4), rep(5, purity_pct=140)))
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, raw=lines.encode(),
                 headers={"Content-Type": "application/x-ndjson"})
ok(s == 400 and err_of(js).get("field") == "purity_pct" and err_of(js).get("message", "").startswith("record 3:"),
   "a bad third record is 400 naming the record and the field", f"{s} {js}")
eq(state(), before, "nothing of the failed import is stored (reports, queue, detections, alerts)")
ok(audits()[-1][2] not in ("success", ""), "the failed import is audited as a failure", f"{audits()[-1:]}")
# issue 16: a report dated in the future is refused; baseline=true loads history without alerts
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, body=[rep(30), rep(31, date="2099-01-02")])
ok(s == 400 and err_of(js).get("field") == "date" and "in the future" in err_of(js).get("message", "")
   and "record 2" in err_of(js).get("message", ""), "a report dated in the future: 400 naming record and field", f"{s} {js}")
eq(state(), before, "nothing of it is stored")
hist = [rep(40, date="2020-01-06", place="MX-SIN", source_agency="FGR", substances=["protonitazene"], marking="SHARED")]
s, js, _ = c.req("POST", "/api/v1/ews/reports?baseline=true", token=A, body=hist)
ok(s == 403 and err_of(js).get("field") == "baseline", "a baseline needs a supervisor", f"{s} {js}")
s, js, _ = c.req("POST", "/api/v1/ews/reports?baseline=maybe", token=tok["dea.sup"], body=hist)
eq(s, 400, "baseline must be true or false")
alerts0 = q("SELECT COUNT(*) FROM ews_alert")
s, js, _ = c.req("POST", "/api/v1/ews/reports?baseline=true", token=tok["dea.sup"], body=hist)
ok(s == 200 and js["reports"] == 1 and js["alerts"] == 0 and js["baseline"] is True,
   "a supervisor's baseline loads history without alerts", f"{s} {js}")
eq(q("SELECT COUNT(*) FROM ews_alert"), alerts0, "no alert stored for the baseline")
s, js, _ = c.req("POST", "/api/v1/ews/reports?baseline=true", token=tok["dea.sup"], body=hist)
ok(s == 200 and js["reports"] == 0 and js["unchanged"] == 1 and js["read"] == 1, "re-sending it changes nothing", f"{s} {js}")
s, js, _ = c.req("POST", "/api/v1/ews/reports?baseline=true", token=tok["dea.sup"],
                 body=[rep(41, date=time.strftime("%Y-%m-%d", time.gmtime()))])
ok(s == 400 and err_of(js).get("field") == "date", "a baseline refuses recent reports", f"{s} {js}")
before = state()
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, body=[rep(6), rep(7, owner="FGR")])
ok(s == 403 and err_of(js).get("field") == "owner" and "record 2" in err_of(js).get("message", ""),
   "a record filed as another agency is 403 naming the record", f"{s} {js}")
eq(state(), before, "nothing of the refused import is stored")
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, raw=b"[" + json.dumps(rep(8)).encode() + b", ")
ok(s == 400 and err_of(js).get("field") == "body", "a truncated JSON array is 400", f"{s} {js}")
eq(state(), before, "nothing of the truncated array is stored")

# ---- fail closed: the audit write fails, so nothing is imported ----
con = sqlite3.connect(DB, timeout=10)
con.execute("CREATE TRIGGER refuse_import_audit BEFORE INSERT ON audit_log "
            "WHEN NEW.action = 'ews.report.import' AND NEW.outcome = 'success' "
            "BEGIN SELECT RAISE(ABORT, 'test: audit store refuses'); END")
con.commit()
con.close()
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, body=[rep(9), rep(10)])
ok(s == 500 and "audit" in err_of(js).get("message", ""), "an import whose audit entry fails answers 500", f"{s} {js}")
eq(state(), before, "fail closed: nothing is imported when the audit write fails")
ok(q("SELECT COUNT(*) FROM ews_report WHERE id IN ('IMP-9', 'IMP-10')") == 0, "the two reports are absent")
con = sqlite3.connect(DB, timeout=10)
con.execute("DROP TRIGGER refuse_import_audit")
con.commit()
con.close()
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, body=[rep(9), rep(10)])
ok(s == 200 and js["reports"] == 2, "the same import succeeds once the audit works again", f"{s} {js}")
ok(audits()[-1][2] == "success" and audits()[-1][3].startswith("reports=2 "), "and is audited")
s, js, _ = c.req("GET", "/api/v1/audit/verify", token=tok["dea.aud"])
ok(s == 200 and js.get("ok") is True, "the audit chain still verifies", f"{s} {js}")

eq(stop(srv, logf), 0, "server stops cleanly")

# ---- no temporary file: a second server, traced, imports good and bad bodies ----
srv, port, logf = start(DB, trace if have_strace else None)
c = Client(port, spec)
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, body=[rep(11), rep(12)])
ok(s == 200 and js["reports"] == 2, "an import on the traced server", f"{s} {js}")
lines = "\n".join(json.dumps(r) for r in (rep(13), rep(14, date="2024-13-01")))
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=A, raw=lines.encode())
eq(s, 400, "a failing import on the traced server")
eq(stop(srv, logf), 0, "the traced server stops cleanly")
tmpdir = os.path.join(TMP, "server-tmp")
eq(os.listdir(tmpdir), [], "nothing was left in the server's TMPDIR")
if have_strace:
    text = open(trace).read()
    ok("serve" in text or "openat" in text, "strace recorded the server's file calls", text[:300])
    dbdir = os.path.realpath(os.path.dirname(DB))
    made = []
    for line in text.splitlines():
        m = re.search(r'(?:open|openat|openat2|creat)\((?:[^,]*, )?"([^"]*)"([^)]*)', line)
        if m and ("O_CREAT" in m.group(2) or line.split()[1].startswith("creat(")):
            path = m.group(1)
            if not os.path.realpath(path).startswith(os.path.realpath(DB)):
                made.append(path)
        elif re.search(r"\b(mkdir|mkdirat|rename|renameat2?|link|linkat)\(", line):
            made.append(line.strip()[:200])
    eq(made, [], "the server created no file other than the store's own (db, -wal, -shm, -journal)")
else:
    print("ok - # SKIP strace is not installed: the file-creation check ran on TMPDIR only")
finish()
