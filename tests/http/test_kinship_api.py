"""End-to-end tests of the purpose-limited kinship routes of `puente serve`:
results equal to the CLI's on the bundled dvir examples (pairwise, solve,
joint), the forensic role only (every other role 403, no token 401), the stated
purpose (missing/empty/too long/not a string), bad case data named by part,
line and field, the caps, captured warnings (never in the server log) and the
audit entries with their purpose. Every response is checked against
docs/openapi.yaml. Run by tests/http/e2e_driver.sh."""
import csv
import io
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, sqlite_only, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "kinship_api.db"))
DATA = os.path.join(SRC, "data/kinship")
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
ROUTES = ["pairwise", "solve", "joint"]
OTHER_ROLES = ["analyst", "supervisor", "tip-handler", "admin", "auditor"]
PURPOSE = "Identificación de restos, caso FGR/DVI/2026/014 (planecrash)"

users = [("spf.for", "SPF", "forensic"), ("fgr.for", "FGR", "forensic")]
users += [(f"spf.{r}", "SPF", r) for r in OTHER_ROLES]
tok = seed_users(DB, users)
F = tok["spf.for"]


def case_of(ex, **over):
    d = os.path.join(DATA, f"dvi_{ex}")
    files = {"freqs": "freqs.csv", "mutation": "mutation_models.csv", "pedigrees": "am_pedigrees.csv",
             "am": "am_genotypes.csv", "pm": "pm_genotypes.csv"}
    c = {k: open(os.path.join(d, f), encoding="utf-8").read() for k, f in files.items()}
    c.update(over)
    return c


def body_of(ex, purpose=PURPOSE, **kw):
    b = {"purpose": purpose, "case_ref": f"DVI-{ex}", "case": case_of(ex)}
    b.update(kw)
    return b


def err_of(js):
    return (js or {}).get("error", {})


def close(a, b, rel=1e-12):
    if a is None or b is None:
        return a is None and b is None
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def num(s):
    return None if s == "" else float("inf") if s == "Inf" else float(s)


srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)

# ---- results equal the CLI's ----
for ex in ("example2", "planecrash", "grave"):
    s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body=body_of(ex))
    ok(s == 200, f"pairwise {ex}: 200", f"status {s} {err_of(js)}")
    if s != 200:
        continue
    rc, out = cli("kinship", "pairwise", "--dir", os.path.join(DATA, f"dvi_{ex}"))
    rows = list(csv.DictReader(io.StringIO(out)))
    eq(len(js["results"]), len(rows), f"pairwise {ex}: as many rows as the CLI")
    bad = [r for r, j in zip(rows, js["results"])
           if (r["pm_sample"], r["family"], r["missing"]) != (j["pm_sample"], j["family"], j["missing"])
           or not close(num(r["lr"]), j["lr"])
           or (None if r["excluded_markers"] == "" else int(r["excluded_markers"])) != j["excluded_markers"]]
    eq(bad[:3], [], f"pairwise {ex}: every LR (1e-12) and exclusion count equals the CLI's")
    eq(js["purpose"], PURPOSE, f"pairwise {ex}: the purpose is echoed")
    eq(js["counts"]["pm"], len({r["pm_sample"] for r in rows}), f"pairwise {ex}: PM count")

conclusions = set()
for ex in ("planecrash", "fire", "KETPchap484"):
    s, js, _ = c.req("POST", "/api/v1/kinship/solve", token=F, body=body_of(ex))
    ok(s == 200, f"solve {ex}: 200", f"status {s} {err_of(js)}")
    if s != 200:
        continue
    rc, out = cli("kinship", "solve", "--dir", os.path.join(DATA, f"dvi_{ex}"))
    am_txt, pm_txt = out.split("\n\n")
    am = list(csv.DictReader(io.StringIO(am_txt)))
    pm = list(csv.DictReader(io.StringIO(pm_txt)))
    bad = [(r, j) for r, j in zip(am, js["am"])
           if (r["Family"], r["Missing"], r["Sample"] or None, r["Conclusion"], r["Comment"])
           != (j["family"], j["missing"], j["sample"], j["conclusion"], j["comment"])
           or not close(num(r["LR"]), j["lr"]) or not close(num(r["GLR"]), j["glr"])]
    ok(len(am) == len(js["am"]) and not bad, f"solve {ex}: AM table equals the CLI's", str(bad[:2]))
    bad = [(r, j) for r, j in zip(pm, js["pm"])
           if (r["Sample"], r["Missing"] or None, r["Family"] or None, r["Conclusion"], r["Comment"])
           != (j["sample"], j["missing"], j["family"], j["conclusion"], j["comment"])
           or not close(num(r["LR"]), j["lr"]) or not close(num(r["GLR"]), j["glr"])]
    ok(len(pm) == len(js["pm"]) and not bad, f"solve {ex}: PM table equals the CLI's", str(bad[:2]))
    conclusions |= {j["conclusion"] for j in js["am"]}
ok({"Undisputed", "Match (GLR)", "Symmetric match"} <= conclusions, "solve: undisputed, GLR and symmetric matches covered",
   str(conclusions))

s, js, _ = c.req("POST", "/api/v1/kinship/joint", token=F, body=body_of("planecrash", options={"top": 5}))
ok(s == 200, "joint planecrash: 200", f"status {s} {err_of(js)}")
if s == 200:
    rc, out = cli("kinship", "joint", "--dir", os.path.join(DATA, "dvi_planecrash"), "--top", "5")
    top_txt, post_txt = out.split("\n\n")
    top = list(csv.reader(io.StringIO(top_txt)))
    head, top = top[0], top[1:]
    nv = head.index("loglik") - 1
    eq(len(js["assignments"]), 5, "joint: options.top rows")
    eq(js["assignments_total"], int(post_txt.split("# ")[1].split()[0]), "joint: as many assignments as the CLI")
    bad = [i for i, (r, j) in enumerate(zip(top, js["assignments"]))
           if not close(float(r[nv + 1]), j["loglik"], 1e-12)
           or [x if x != "*" else None for x in r[1:nv + 1]] != [p["missing"] for p in j["assignment"]]
           or head[1:nv + 1] != [p["pm_sample"] for p in j["assignment"]]]
    eq(bad, [], "joint: top assignments and logliks equal the CLI's")
    post = list(csv.DictReader(io.StringIO(post_txt.split("\n", 1)[1])))
    got = {(p["pm_sample"], p["missing"] or "*"): p["posterior"] for p in js["posteriors"]}
    bad = [r for r in post if not close(float(r["posterior"]), got.get((r["victim"], r["missing_or_star"])), 1e-9)]
    ok(len(post) == len(got) and not bad, "joint: posterior pairing probabilities equal the CLI's", str(bad[:2]))

# non-ASCII ids (Spanish family names) come back intact
cs = case_of("example2")
cs = dict(cs, pedigrees=cs["pedigrees"].replace("F1", "Familia Núñez"), am=cs["am"].replace("F1", "Familia Núñez"))
s, js, _ = c.req("POST", "/api/v1/kinship/solve", token=F, body=body_of("example2", case=cs))
ok(s == 200 and "Familia Núñez" in {r["family"] for r in js["am"]}, "UTF-8 family names round-trip", f"status {s}")

# ---- purpose limitation: only the forensic role ----
small = body_of("example2")
for route in ROUTES:
    for role in OTHER_ROLES:
        s, js, raw = c.req("POST", f"/api/v1/kinship/{route}", token=tok[f"spf.{role}"], body=small)
        ok(s == 403 and err_of(js).get("code") == "denied" and b"V1" not in raw, f"{route}: {role} is refused (403)",
           f"status {s}")
    s, js, _ = c.req("POST", f"/api/v1/kinship/{route}", body=small)
    eq(s, 401, f"{route}: no token is 401")
    s, js, _ = c.req("POST", f"/api/v1/kinship/{route}", token=tok["fgr.for"], body=small)
    eq(s, 200, f"{route}: a forensic user of another agency is allowed")
s, js, _ = c.req("GET", "/api/v1/kinship/pairwise", token=F)
eq(s, 405, "GET on a kinship route is 405")

# ---- the stated purpose ----
for route in ROUTES:
    b = dict(small)
    del b["purpose"]
    s, js, _ = c.req("POST", f"/api/v1/kinship/{route}", token=F, body=b)
    ok(s == 400 and err_of(js).get("field") == "purpose" and "purpose" in err_of(js).get("message", ""),
       f"{route}: a missing purpose is 400 naming the field", f"status {s} {err_of(js)}")
for bad_purpose, status, what in (("   ", 400, "blank"), (42, 400, "a number"), ("x" * 501, 413, "longer than 500 bytes"),
                                  ("line\nbreak", 400, "with a control character")):
    s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body=dict(small, purpose=bad_purpose))
    ok(s == status and err_of(js).get("field") == "purpose", f"a purpose {what} is {status}", f"status {s} {err_of(js)}")
# the purpose is checked before the case: a missing purpose wins over a broken case
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body={"case": {"pm": 1}})
eq(err_of(js).get("field"), "purpose", "the purpose is checked first")

# ---- bad case data: part, line and field ----
pm = case_of("example2")["pm"].splitlines()
pm[2] = pm[2].replace(pm[2].split(",")[3], '"1x!"', 1)
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body=body_of("example2", case=case_of("example2", pm="\n".join(pm) + "\n")))
e = err_of(js)
ok(s == 400 and e.get("field") == "case.pm" and "case.pm:3" in e.get("message", "") and "allele1" in e.get("message", ""),
   "a malformed PM genotype is 400 naming case.pm, line 3 and allele1", f"status {s} {e}")
ped = "family,id,fid,mid,sex,role\nF1,A,B,C,1,missing\nF1,B,A,C,1,untyped\nF1,C,0,0,2,untyped\n"
s, js, _ = c.req("POST", "/api/v1/kinship/solve", token=F, body=body_of("example2", case=case_of("example2", pedigrees=ped)))
e = err_of(js)
ok(s == 400 and e.get("field") == "case.pedigrees" and "cycle" in e.get("message", ""),
   "a pedigree cycle is 400 naming case.pedigrees", f"status {s} {e}")
am = case_of("example2")["am"]
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body=body_of("example2", case=case_of("example2", am=am + "F9,NOBODY,L1,1,2\n")))
e = err_of(js)
ok(s == 400 and e.get("field") == "case.am" and "case.am:" in e.get("message", ""), "a person not in the pedigree is 400",
   f"status {s} {e}")
for b, field, what in (({**small, "colour": "red"}, "colour", "an unknown top-level key"),
                       ({**small, "case": {**small["case"], "extra": ""}}, "case.extra", "an unknown case part"),
                       ({**small, "options": {"theta": 1.5}}, "options.theta", "theta out of range"),
                       ({**small, "options": {"top": 0}}, "options.top", "top below 1"),
                       ({**small, "case": {k: v for k, v in small["case"].items() if k != "am"}}, "case.am", "a missing part"),
                       ({**small, "case": {**small["case"], "freqs": 7}}, "case.freqs", "a part that is not a string")):
    s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body=b)
    ok(s == 400 and err_of(js).get("field") == field, f"{what} is 400 naming {field}", f"status {s} {err_of(js)}")
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, raw=b"{not json", headers={"Content-Type": "application/json"})
ok(s == 400 and err_of(js).get("field") == "body", "invalid JSON is 400")

# mutated bodies (byte flips, truncations, CSV lines swapped) are never a server error
import random  # noqa: E402
rng = random.Random(5)
base = json.dumps(small).encode()
fives = []
for i in range(60):
    b = bytearray(base)
    if i % 3 == 0:
        b = b[:rng.randrange(len(b))]
    for _ in range(rng.randrange(1, 8)):
        b[rng.randrange(len(b))] = rng.choice(b'",:{}[]0123456789\\n\n-.eE aZ')
    s, js, _ = c.req("POST", f"/api/v1/kinship/{ROUTES[i % 3]}", token=tok["fgr.for"], raw=bytes(b),
                     headers={"Content-Type": "application/json"}, check=False)
    if s >= 500 or (s != 200 and not err_of(js).get("code")):
        fives.append((s, bytes(b[:80])))
eq(fives, [], "60 mutated case bodies: 200 or a 4xx with the error body, never 5xx")

# ---- caps ----
pm_many = "sample,sex,marker,allele1,allele2\n" + "".join(f"S{i},1,L1,1,2\n" for i in range(1001))
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body=body_of("example2", case=case_of("example2", pm=pm_many)))
ok(s == 413 and err_of(js).get("field") == "case.pm" and "1000" in err_of(js).get("message", ""),
   "more than 1,000 PM samples is 413 naming the cap", f"status {s} {err_of(js)}")
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F,
                 body=body_of("example2", case=case_of("example2", pm=pm_many[:20] + " " * (4 << 20))))
ok(s == 413 and err_of(js).get("field") == "body", "a case over 4 MiB is 413", f"status {s} {err_of(js)}")

# ---- warnings are returned, not logged ----
am_odd = am.rstrip("\n").splitlines()
cols = am_odd[1].split(",")
cols[3] = '"31.3"'
am_odd[1] = ",".join(cols)
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body=body_of("example2", case=case_of("example2", am="\n".join(am_odd) + "\n")))
ok(s == 200 and js["warnings_total"] >= 1 and any("case.am:2" in w and "31.3" in w and "minimum frequency" in w for w in js["warnings"]),
   "an allele missing from the frequencies is a warning naming case.am:2", str(js and js.get("warnings")))

# ---- audit ----
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["spf.auditor"], query={"limit": "10000"})
ent = js["entries"] if s == 200 else []
kin = [e for e in ent if e["action"].startswith("kinship.")]
mine = [e for e in kin if e["user"] == "spf.for" and e["outcome"] == "success"]
ok(len(mine) >= 6, f"successful kinship requests are audited ({len(mine)})")
det = [json.loads(e["detail"]) for e in mine]
ok(all(d.get("purpose") == PURPOSE or d.get("purpose") == small["purpose"] for d in det),
   "every audit entry carries the stated purpose")
ok(any(e["action"] == "kinship.solve" and e["targets"] == "DVI-planecrash" for e in mine), "the case reference is the audit target")
ok(any(d.get("pm") and d.get("missing") for d in det), "the audit detail has the case size")
for role in OTHER_ROLES:
    ok(any(e["user"] == f"spf.{role}" and e["outcome"] == "denied" for e in kin), f"the denied {role} attempts are audited")
inval = [e for e in kin if e["outcome"] == "invalid"]
ok(any(json.loads(e["detail"] or "{}").get("purpose") == PURPOSE and e["targets"] == "DVI-example2" for e in inval),
   "a refused case is audited with its purpose")
ok(any(e["detail"] == "" for e in inval), "a request without a purpose is audited as invalid")

# ---- LR per marker: the product of the markers' LRs is the pair's LR ----
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body=body_of("example2", options={"per_marker": True}))
rows = [x for x in (js or {}).get("results", []) if x["sex_compatible"]]
prod_ok = bool(rows)
for x in rows:
    p = math.prod(m["lr"] for m in x["markers"])
    if not close(p, x["lr"], 1e-9) or len(x["markers"]) != js["counts"]["markers"]:
        prod_ok = False
ok(s == 200 and prod_ok, "per_marker: every marker's LR, whose product is the pair's LR")
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body=body_of("example2", options={"per_marker": 1}))
ok(s == 400 and err_of(js).get("field") == "options.per_marker", "per_marker must be a boolean")

# ---- dropout per sample and marker: the CLI's --dropout/--dropin/--dropout-file ----
DROP = "sample,marker,dropout,dropin\nV1,D13S317,0.4,0.01\n*,FGA,0.3,\n"
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F,
                 body=body_of("planecrash", case=case_of("planecrash", dropout=DROP),
                              options={"dropout": 0.05, "dropin": 0.01}))
dfile = os.path.join(os.environ["TEST_TMP"], "drop_api.csv")
open(dfile, "w", encoding="utf-8").write(DROP)
rc, out = cli("kinship", "pairwise", "--dir", os.path.join(DATA, "dvi_planecrash"), "--dropout", "0.05", "--dropin",
              "0.01", "--dropout-file", dfile)
rows = list(csv.DictReader(io.StringIO(out)))
bad = [r for r, j in zip(rows, (js or {}).get("results", [])) if not close(num(r["lr"]), j["lr"])]
ok(s == 200 and len(rows) == len(js["results"]) and not bad, "pairwise with dropout equals the CLI's (1e-12)",
   f"{s} {err_of(js)} {bad[:2]}")
s, js, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F,
                 body=body_of("planecrash", case=case_of("planecrash", dropout="sample,marker,dropout\nV99,*,0.1\n")))
ok(s == 400 and err_of(js).get("field") == "case.dropout"
   and "case.dropout:2: field 'sample'" in err_of(js).get("message", ""),
   "an unknown sample in case.dropout: field case.dropout, message naming line 2 and the column", str(err_of(js)))
s, js, _ = c.req("POST", "/api/v1/kinship/search", token=F, body=body_of("planecrash", options={"dropout": 0.1}))
ok(s == 400 and err_of(js).get("field") == "options.dropout", "the blind search refuses dropout", str(err_of(js)))

# ---- blind search jobs: started, polled to the end, hits = pairwise LRs over the threshold ----
import time  # noqa: E402
s, pw, _ = c.req("POST", "/api/v1/kinship/pairwise", token=F, body=body_of("example2", options={"threshold": 10}))
want = {(x["pm_sample"], x["missing"]) for x in pw["results"] if x["lr"] is not None and x["lr"] >= 10
        and x["excluded_markers"] is not None and x["excluded_markers"] <= 2}
s, job, _ = c.req("POST", "/api/v1/kinship/search", token=F, body=body_of("example2", options={"threshold": 10}))
ok(s == 202 and job["state"] in ("running", "done") and job["targets"] > 0, "a blind search job starts (202)", str(job)[:300])
for _ in range(300):
    s, got, _ = c.req("GET", f"/api/v1/kinship/search/{job['id']}", token=F)
    if got["state"] != "running":
        break
    time.sleep(0.1)
ok(got["state"] == "done" and got["done"] == got["targets"] and got["progress"] == 1, "the job ends with its progress at 100 %", str(got)[:300])
hits = {(h["pm_sample"], h["missing"]) for h in got["hits"]}
ok(hits == want and got["hits_total"] == len(want), "its hits are the pairs with LR >= the threshold",
   f"{sorted(hits)} vs {sorted(want)}")
ok(all(close(10 ** h["log10_lr"], next(x["lr"] for x in pw["results"] if (x["pm_sample"], x["missing"]) == (h["pm_sample"], h["missing"])), 1e-3)
       for h in got["hits"]), "and their LRs are the pairwise LRs")
s, lst, _ = c.req("GET", "/api/v1/kinship/search", token=F)
ok(s == 200 and any(j["id"] == job["id"] and "hits" not in j for j in lst["jobs"]), "the user's jobs are listed (without hits)")
eq(c.req("GET", f"/api/v1/kinship/search/{job['id']}", token=tok["fgr.for"])[0], 404, "another forensic user does not see the job")
eq(c.req("GET", f"/api/v1/kinship/search/{job['id']}", token=tok["spf.analyst"])[0], 403, "an analyst cannot read a job")
eq(c.req("POST", "/api/v1/kinship/search", token=F, body={"case": case_of("example2")})[0], 400, "a job needs a purpose")

eq(srv.stop(), 0, "server stops cleanly")
log = srv.output()
ok("31.3" not in log and "minimum frequency" not in log and "V1" not in log, "no case data in the server log")
finish()
