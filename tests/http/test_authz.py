"""Authorisation matrix: for every role x agency (two per country: the owner
agency and another) x record marking x endpoint, assert visible or invisible,
with zero leaks through reads, search results, counts, stats, yente search,
dataset existence, screening and yente matching.

Records: two owner agencies (DEA in the US, FGR in Mexico) x five markings,
imported through the CLI (system scope) so that the owner also holds a
marking of the other country, which the API would refuse to create."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, sqlite_only, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "authz.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

ROLES = ["analyst", "supervisor", "forensic", "tip-handler", "admin", "auditor"]
READERS = {"analyst", "supervisor", "forensic", "tip-handler"}
AGENCIES = {"DEA": "US", "FBI": "US", "FGR": "MX", "UIF": "MX"}
OWNERS = ["DEA", "FGR"]
MARKINGS = ["PUBLIC", "SHARED", "US-ONLY", "MX-ONLY", "AGENCY-ONLY"]
# distinct surnames so that each screening query has one clear target
SURNAMES = ["Abarca", "Benitez", "Cisneros", "Dominguez", "Escobedo", "Fuentes", "Galindo", "Herrera", "Ibarra", "Jimenez"]

eq(cli("agency", "seed", "--db", DB)[0], 0, "seed agencies")
records = []
lines = []
for i, (owner, marking) in enumerate((o, m) for o in OWNERS for m in MARKINGS):
    rid = f"mx-{owner.lower()}-{marking.lower()}"
    name = f"Zorglub {SURNAMES[i]} {owner.title()}"
    ds = f"matrix_{owner.lower()}_{marking.lower().replace('-', '_')}"
    records.append({"id": rid, "owner": owner, "marking": marking, "name": name, "dataset": ds})
    # designation-list entries (topic sanction): screening counts only those
    lines.append(json.dumps({"id": rid, "schema": "Person", "properties": {"name": [name], "topics": ["sanction"]},
                             "datasets": [ds],
                             "owner": owner, "marking": marking}))
path = os.path.join(TMP, "matrix.jsonl")
with open(path, "w") as f:
    f.write("\n".join(lines) + "\n")
rc, out = cli("import", "ftm", path, "--strict", "--db", DB)
eq(rc, 0, "import the matrix records")

tokens = {}
for ag in AGENCIES:
    for role in ROLES:
        name = f"{ag.lower()}.{role}"
        cli("user", "add", name, "--agency", ag, "--role", role, "--db", DB)
        tokens[(ag, role)] = cli("token", "create", name, "--db", DB)[1]


def visible(agency, role, rec):
    if role not in READERS:
        return False
    country = AGENCIES[agency]
    m = rec["marking"]
    return (rec["owner"] == agency or m in ("PUBLIC", "SHARED") or (m == "US-ONLY" and country == "US")
            or (m == "MX-ONLY" and country == "MX"))


# kinship (purpose-limited): a small dvir case, allowed for the forensic role only
KIN_DIR = os.path.join(SRC, "data/kinship/dvi_example2")
KIN_BODY = {"purpose": "authorisation matrix test", "case": {
    k: open(os.path.join(KIN_DIR, f), encoding="utf-8").read()
    for k, f in (("freqs", "freqs.csv"), ("pedigrees", "am_pedigrees.csv"), ("am", "am_genotypes.csv"),
                 ("pm", "pm_genotypes.csv"))}}
KINSHIP = {"forensic"}

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)
have_screen = "POST /api/v1/screen" in cli("serve", "--list-routes")[1].splitlines()
leaks = 0
checks = 0


def expect(cond, what):
    global leaks, checks
    checks += 1
    if not cond:
        leaks += 1
        print(f"not ok - {what}")


for (ag, role), tok in tokens.items():
    who = f"{ag}/{role}"
    want = {r["id"] for r in records if visible(ag, role, r)}
    reader = role in READERS
    # absent ids answer like hidden ones (for non-readers: 403 for both)
    s_abs, js_abs, _ = c.req("GET", "/api/v1/entities/mx-nothing-here", token=tok)
    for r in records:
        s, js, raw = c.req("GET", f"/api/v1/entities/{r['id']}", token=tok)
        if r["id"] in want:
            expect(s == 200 and js["id"] == r["id"], f"{who} reads {r['id']}")
        else:
            expect(s == s_abs and s in (403, 404) and r["name"].encode() not in raw
                   and js["error"]["message"].replace(r["id"], "X") == js_abs["error"]["message"].replace("mx-nothing-here", "X"),
                   f"{who} cannot tell {r['id']} exists (status {s})")
        # a dataset that only holds hidden records does not exist for this user
        s, js, _ = c.req("GET", f"/search/{r['dataset']}", token=tok)
        expect(s == (200 if r["id"] in want else (404 if reader else 403)), f"{who} dataset {r['dataset']} -> {s}")
    # search results and their total
    s, js, raw = c.req("GET", "/api/v1/entities", token=tok, query={"q": "zorglub", "limit": "500"})
    if reader:
        got = {e["id"] for e in js["results"]}
        expect(got == want and js["total"] == len(want), f"{who} search: {sorted(got ^ want)} total {js['total']}")
    else:
        expect(s == 403 and b"zorglub" not in raw.lower(), f"{who} search refused")
    s, js, _ = c.req("GET", "/api/v1/entities", token=tok, query={"q": "zorglub", "limit": "1"})
    expect(not reader or js["total"] == len(want), f"{who} count with limit 1")
    for r in records:
        s, js, _ = c.req("GET", "/api/v1/entities", token=tok, query={"q": r["name"]})
        expect((s == 200 and js["total"] == (1 if r["id"] in want else 0)) or (not reader and s == 403),
               f"{who} count of an exact-name search for {r['id']}")
    # export (JSON lines, no paging): its own permission, supervisors only
    # (ACL_P_EXPORT, docs/access.md "Export")
    s, js, raw = c.req("GET", "/api/v1/export", token=tok, query={"q": "zorglub"})
    if role == "supervisor":
        got = {json.loads(l)["id"] for l in raw.decode().splitlines() if l.strip()}
        expect(s == 200 and got == want, f"{who} export: {sorted(got ^ want)}")
    else:
        expect(s == 403 and b"zorglub" not in raw.lower(), f"{who} export refused")
    # stats
    s, js, _ = c.req("GET", "/api/v1/stats", token=tok)
    expect((reader and js["total"] == len(want) and js["schemata"].get("Person", 0) == len(want))
           or (not reader and s == 403), f"{who} stats total")
    # yente search
    s, js, _ = c.req("GET", "/search/default", token=tok, query={"q": "zorglub", "limit": "100"})
    if reader:
        got = {e["id"] for e in js["results"]}
        expect(got == want and js["total"]["value"] == len(want), f"{who} yente search")
    else:
        expect(s == 403, f"{who} yente search refused")
    # kinship routes: forensic role only, whatever the agency; nothing of the case leaks to others
    for route in ("pairwise", "solve", "joint"):
        s, js, raw = c.req("POST", f"/api/v1/kinship/{route}", token=tok, body=KIN_BODY)
        if role in KINSHIP:
            expect(s == 200 and js["counts"]["pm"] == 3, f"{who} kinship {route} allowed ({s})")
        else:
            expect(s == 403 and b"V1" not in raw and b"M1" not in raw, f"{who} kinship {route} refused ({s})")
    if not have_screen:
        continue
    # screening: every record's exact name; hidden ones are never returned or counted
    queries = [{"id": r["id"], "schema": "Person", "properties": {"name": [r["name"]]}} for r in records]
    s, js, _ = c.req("POST", "/api/v1/screen", token=tok, body={"queries": queries, "limit": 50, "threshold": 0.5})
    s2, js2, _ = c.req("POST", "/api/v1/screen", token=tok, body={"queries": queries, "limit": 50, "threshold": 0.5})
    expect(s2 == s and js2 == js, f"{who} repeated screening (answer cache) is the same answer")
    if reader and s == 200:
        for r, res in zip(records, js["results"]):
            ids = {m["id"] for m in res["results"]}
            expect(ids <= want, f"{who} screening {r['id']} returns only visible: {sorted(ids - want)}")
            expect((r["id"] in ids) == (r["id"] in want), f"{who} screening finds {r['id']} iff visible")
            expect(res.get("total", 0) <= len(want), f"{who} screening total {res.get('total')} counts only visible")
    else:
        expect(not reader and s == 403, f"{who} screening refused ({s})")
    body = {"queries": {r["id"]: {"schema": "Person", "properties": {"name": [r["name"]]}} for r in records}}
    s, js, raw = c.req("POST", "/match/default", token=tok, body=body, query={"limit": "50", "threshold": "0.5"})
    if reader and s == 200:
        for r in records:
            res = js["responses"][r["id"]]
            ids = {m["id"] for m in res["results"]}
            expect(ids <= want and (r["id"] in ids) == (r["id"] in want) and res["total"]["value"] <= len(want),
                   f"{who} yente match for {r['id']}: {sorted(ids)}")
        # the same request again comes from the server's answer cache, which
        # is keyed by the reader's scope: the same answer, still no leak
        s2, js2, _ = c.req("POST", "/match/default", token=tok, body=body, query={"limit": "50", "threshold": "0.5"})
        expect(s2 == 200 and js2 == js, f"{who} repeated yente match is the same answer")
    else:
        expect(not reader and s == 403, f"{who} yente match refused ({s})")

# ---- the other engines' routes: decisions, early warning, cargo ----
def may_see(agency, marking, owner):
    country = AGENCIES[agency]
    return (owner == agency or marking in ("PUBLIC", "SHARED") or (marking == "US-ONLY" and country == "US")
            or (marking == "MX-ONLY" and country == "MX"))


# decisions: DEA and FGR supervisors record one decision under every marking
# their country may file; each user lists exactly those its marking allows
NOTE = "authz-decision-note-{}-{}"
decided = []
for owner in OWNERS:
    for marking in MARKINGS:
        if (owner == "DEA" and marking == "MX-ONLY") or (owner == "FGR" and marking == "US-ONLY"):
            continue
        rec = records[0]
        body = {"query": {"schema": "Person", "properties": {"name": [rec["name"]]}}, "entity_id": rec["id"],
                "decision": "false_positive", "note": NOTE.format(owner, marking), "marking": marking}
        s, js, _ = c.req("POST", "/api/v1/decisions", token=tokens[(owner, "supervisor")], body=body)
        # two decisions of one agency on the same pair replace each other: keep the last
        decided = [d for d in decided if d[0] != owner]
        decided.append((owner, marking))
        expect(s == 201, f"{owner} records a {marking} decision ({s})")
for (ag, role), tok in tokens.items():
    s, js, raw = c.req("GET", "/api/v1/decisions", token=tok)
    if role not in READERS:  # the roles with the screen permission
        expect(s == 403 and b"authz-decision-note" not in raw, f"{ag}/{role} decisions refused ({s})")
        continue
    want = {NOTE.format(o, m) for o, m in decided if may_see(ag, m, o)}
    got = {d["note"] for d in js.get("decisions", [])}
    expect(s == 200 and got == want, f"{ag}/{role} decisions: {sorted(got ^ want)}")
    for o, m in decided:
        if not may_see(ag, m, o):
            expect(NOTE.format(o, m).encode() not in raw, f"{ag}/{role} never sees {o}'s {m} decision note")

# early warning: every alert a user lists is one its marking allows; the
# write routes act only for the caller's agency; leak 4 over the API
rep = {"date": "2024-03-04", "place": "US-AZ/Tucson", "source_agency": "DEA", "type": "seizure-lab",
       "substances": ["fentanyl", "zz-authz-hidden"]}
s, js, _ = c.req("POST", "/api/v1/ews/reports", token=tokens[("DEA", "analyst")],
                 body=[dict(rep, report_id="AUTHZ-HID", marking="AGENCY-ONLY")])
expect(s == 200 and js["reports"] == 1, f"DEA files a hidden report ({s})")
for variant in (dict(rep, report_id="AUTHZ-HID", marking="SHARED", source_agency="DEA"),
                dict(rep, report_id="AUTHZ-HID", marking="SHARED", date="2024-03-05")):
    s, js, _ = c.req("POST", "/api/v1/ews/reports", token=tokens[("FGR", "analyst")], body=[variant])
    expect(s == 200 and js["reports"] == 1, f"leak 4: FGR's import of a hidden report's id answers like a fresh id ({s} {js})")
    # the second one is FGR's own id again: a conflict FGR can see is its own
    break
for (ag, role), tok in tokens.items():
    s, js, raw = c.req("GET", "/api/v1/ews/alerts", token=tok)
    if role not in READERS:
        expect(s == 403, f"{ag}/{role} ews alerts refused ({s})")
        continue
    bad = [a["id"] for a in js["results"] if not may_see(ag, a["marking"], a["owner"])]
    expect(s == 200 and not bad, f"{ag}/{role} lists only alerts its marking allows: {bad}")
    expect(b"zz-authz-hidden" not in raw or ag == "DEA", f"{ag}/{role} learns nothing of DEA's hidden report")
    # leak 7: an alert not addressed to the caller's agency cannot be acknowledged or closed by it
    foreign = [a for a in js["results"] if ag not in str(a.get("addressed", "")).replace(";", ",").split(",")]
    if foreign and role in ("analyst", "supervisor"):
        s2, _, _ = c.req("POST", f"/api/v1/ews/alerts/{foreign[0]['id']}/close", token=tok, body={"note": "probe"})
        expect(s2 == 403, f"{ag}/{role} cannot close an alert addressed to others ({s2})")

# cargo: every queue line a user sees is one its marking allows
for (ag, role), tok in tokens.items():
    s, js, raw = c.req("GET", "/api/v1/cargo/queue", token=tok, query={"all": "true"})
    if role not in READERS:
        expect(s == 403, f"{ag}/{role} cargo queue refused ({s})")
        continue
    bad = [r["id"] for r in js["results"] if not may_see(ag, r["marking"], r["owner"])]
    expect(s == 200 and not bad, f"{ag}/{role} cargo queue shows only what its marking allows: {bad}")

# firearms tracing: one request per owner x marking (filed by the operator
# through the CLI); each user lists, reads and counts exactly what its
# marking allows, and a hidden request is a 404 worded like an absent one
trace_reqs = {}  # number -> (owner, marking)
for owner in OWNERS:
    for marking in MARKINGS:
        path = os.path.join(TMP, f"trace-{owner}-{marking}.csv")
        with open(path, "w") as f:
            f.write("request_date,agency,case_number,crime_code,serial,manufacturer,type,recovery_date,recovery_state\n"
                    f"2024-05-10,{owner},authz-{owner}-{marking},5212,AZ{len(trace_reqs) + 100},Colt,pistol,2024-05-01,Sonora\n")
        rc, out = cli("trace", "import", "recoveries", path, "--owner", owner, "--marking", marking, "--db", DB)
        expect(rc == 0, f"trace request of {owner} marked {marking} filed ({rc})")
        trace_reqs[f"authz-{owner}-{marking}"] = (owner, marking)
for (ag, role), tok in tokens.items():
    who = f"{ag}/{role}"
    s, js, raw = c.req("GET", "/api/v1/trace/requests", token=tok, query={"limit": "1000"})
    if role not in READERS:
        expect(s == 403 and b"authz-" not in raw, f"{who} trace requests refused ({s})")
        s, _, _ = c.req("GET", "/api/v1/trace/stats", token=tok)
        expect(s == 403, f"{who} trace stats refused ({s})")
        continue
    want = {cn for cn, (o, m) in trace_reqs.items() if may_see(ag, m, o)}
    got = {f"authz-{r['owner']}-{r['marking']}" for r in js["results"]}
    expect(s == 200 and got == want and js["total"] == len(want), f"{who} trace list: {sorted(got ^ want)} total {js.get('total')}")
    _, absent, _ = c.req("GET", "/api/v1/trace/requests/T1999-999999", token=tok)
    # row ids follow the filing order above
    for n, (cn, (o, m)) in enumerate(trace_reqs.items(), 1):
        s, js2, raw2 = c.req("GET", f"/api/v1/trace/requests/{n}", token=tok)
        if cn in want:
            expect(s == 200 and (js2["owner"], js2["marking"]) == (o, m), f"{who} reads trace request {n} ({o} {m}) ({s})")
        else:
            expect(s == 404 and js2["error"]["field"] == absent["error"]["field"] and cn.encode() not in raw2,
                   f"{who} hidden trace request {n} ({o} {m}): 404 like an absent one ({s})")
    s, st, _ = c.req("GET", "/api/v1/trace/stats", token=tok)
    expect(s == 200 and st["requests"] == len(want), f"{who} trace stats count {st.get('requests')} of {len(want)} visible")

# ---- the CLI with --agency/--country: the same rule as the API ----
requests_cli = 0
for ag in AGENCIES:
    country = AGENCIES[ag]
    want = {r["id"] for r in records if visible(ag, "analyst", r)}
    for r in records:
        rc, out = cli("entity", "get", r["id"], "--agency", ag, "--country", country, "--db", DB)
        requests_cli += 1
        expect((rc == 0) == (r["id"] in want) and (rc == 0 or r["name"] not in out), f"CLI {ag} entity get {r['id']} (exit {rc})")
    rc, out = cli("export", "ftm", "--agency", ag, "--country", country, "--db", DB)
    requests_cli += 1
    got = {json.loads(l)["id"] for l in out.splitlines() if l.strip()} & {r["id"] for r in records}
    expect(rc == 0 and got == want, f"CLI {ag} export: {sorted(got ^ want)}")
    rc, out = cli("stats", "--agency", ag, "--country", country, "--db", DB)
    requests_cli += 1
    expect(rc == 0, f"CLI {ag} stats")
    rc, out = cli("review", "list", "--format", "json", "--agency", ag, "--country", country, "--db", DB)
    requests_cli += 1
    for o, m in decided:
        expect((NOTE.format(o, m) in out) == may_see(ag, m, o), f"CLI {ag} review list shows {o}'s {m} decision iff allowed")
    rc, out = cli("ews", "alerts", "--agency", ag, "--country", country, "--db", DB)
    requests_cli += 1
    expect(rc == 0 and ("zz-authz-hidden" not in out or ag == "DEA"), f"CLI {ag} ews alerts")
    rc, out = cli("cargo", "queue", "--all", "--format", "csv", "--agency", ag, "--country", country, "--db", DB)
    requests_cli += 1
    expect(rc == 0, f"CLI {ag} cargo queue")
print(f"# authz figures: {c.requests if hasattr(c, 'requests') else 'n/a'} requests, {requests_cli} CLI runs, "
      f"{checks} checks, {leaks} leaks")

ok(checks >= 24 * 10 * 3, f"the matrix ran {checks} checks")
eq(leaks, 0, f"zero leaks across {len(tokens)} users x {len(records)} records x endpoints")
eq(srv.stop(), 0, "server stops cleanly")
finish()
