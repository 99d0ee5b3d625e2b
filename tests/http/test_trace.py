"""End-to-end tests of the firearms tracing routes (/api/v1/trace/...) of
`puente serve`:
  - the form's fields and labels (the same as the engine's and as the web
    catalogue's trace.field.* texts);
  - submitting requests: refused values name their field (the engine's
    rules), dry_run validates without storing, a valid request is traced at
    once with the caller's scope: a full chain gives the first retail
    purchaser and time-to-crime, a partial serial gives ranked candidates and
    the examiner's pick traces the chosen firearm, a firearm the caller may
    not see is "no record";
  - the list (status and state filters, paging and its total), statistics
    (source and recovery states, the time-to-crime histogram), leads;
  - cross-agency and marking probes: a request hidden by its marking is a
    404 worded like an absent one (never a 403 that confirms it), it is not
    listed or counted; another agency may not pick or change a request it
    sees; a Mexican agency may not file US-ONLY; roles without read or write;
  - the audit entries.
Every response is checked against docs/openapi.yaml. Run by
tests/http/e2e_driver.sh."""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "trace_api.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

tok = seed_users(DB, [("fgr.an", "FGR", "analyst"), ("fgr.an2", "FGR", "analyst"), ("sdn.an", "SSPC", "analyst"),
                      ("dea.an", "DEA", "analyst"), ("fgr.tip", "FGR", "tip-handler"), ("fgr.adm", "FGR", "admin"),
                      ("fgr.aud", "FGR", "auditor")])

# ---- ATF's acquisition records: SHARED chains, and one AGENCY-ONLY firearm ----
HEAD = "manufacturer,serial,model,type,calibre,country,event,date,party,party_dob,ffl,state\n"
FFL_TX, FFL_AZ = "5-74-001-01-2A-00001", "9-86-002-01-3B-00002"


def chain(mfr, serial, model, typ, cal, retail_date, buyer, dob, ffl, state):
    return (f"{mfr},{serial},{model},{typ},{cal},USA,MANUFACTURE,2019-01-10,,,,\n"
            f"{mfr},{serial},,,,,DISTRIBUTOR,2019-02-01,Lone Star Wholesale Supply,,,\n"
            f"{mfr},{serial},,,,,DEALER,2019-02-20,Border Guns & Ammo,,{ffl},{state}\n"
            f"{mfr},{serial},,,,,RETAIL,{retail_date},{buyer},{dob},{ffl},{state}\n")


shared = HEAD + chain("Colt's Manufacturing Company", "CV10234", "Government", "pistol", ".38 Super", "2020-03-02",
                      "John Q. Straw", "1990-05-05", FFL_TX, "TX")
for i, s in enumerate(("ADC540", "ADC541", "ADC542")):
    shared += chain("Glock", s, "G19", "pistol", "9mm", f"2021-0{i + 1}-15", f"Buyer Number{i}", "1985-01-01", FFL_AZ, "AZ")
hidden = HEAD + chain("Ruger", "HID999", "AR-556", "rifle", "5.56mm", "2020-06-01", "Hidden Buyer", "1980-01-01", FFL_TX, "TX")
for name, body, marking in (("shared", shared, "SHARED"), ("hidden", hidden, "AGENCY-ONLY")):
    path = os.path.join(TMP, f"acq_{name}.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(body)
    rc, out = cli("trace", "import", "acquisitions", path, "--owner", "ATF", "--marking", marking, "--db", DB)
    eq(rc, 0, f"ATF's {marking} acquisition records imported ({out.splitlines()[0] if out else ''})")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)
FGR, SDN, DEA = tok["fgr.an"], tok["sdn.an"], tok["dea.an"]
TODAY = datetime.date.today()


def submit(token, query=None, **form):
    return c.req("POST", "/api/v1/trace/requests", token=token, body=form, query=query)


BASE = {"crime_code": "5212 WEAPON OFFENSE", "type": "pistola", "recovery_date": "2024-05-01",
        "recovery_state": "Michoacán", "possessor": "Pedro Páramo", "case_number": "FED/MICH/0042/2024"}

# ---- the form ----
s, js, _ = c.req("GET", "/api/v1/trace/fields", token=FGR)
keys = [f["key"] for f in js["fields"]] if s == 200 else []
ok(s == 200 and keys[:3] == ["request_date", "priority", "agency"] and "recovery_state" in keys, "the form's fields in Form 3312.1 order")
req = {f["key"] for f in js["fields"] if f["required"]} if s == 200 else set()
eq(req, {"agency", "crime_code", "manufacturer", "type", "recovery_date", "recovery_state"}, "the required fields")
ok(s == 200 and len(js["states"]) == 32 and {"code": "CHH", "name": "Chihuahua"} in js["states"], "the 32 Mexican states with their codes")
ok(s == 200 and "PISTOL" in js["types"] and js["today"] == TODAY.isoformat(), "types and today's date")
for lang, col in (("en", "label_en"), ("es", "label_es")):
    s2, cat, _ = c.req("GET", f"/api/v1/i18n/{lang}")
    diff = [f["key"] for f in js["fields"] if cat["messages"].get(f"trace.field.{f['key']}") != f[col]]
    eq(diff, [], f"the web catalogue's trace.field.* ({lang}) are the engine's labels")

# ---- refused values name their field (the engine's rules) ----
future = (TODAY + datetime.timedelta(days=3)).isoformat()
cases = [
    ("malformed serial", dict(BASE, serial="AB#1", manufacturer="Colt"), "serial"),
    ("missing crime code", dict({k: v for k, v in BASE.items() if k != "crime_code"}, serial="X1", manufacturer="Colt"), "crime_code"),
    ("recovery state not in Mexico", dict(BASE, serial="X1", manufacturer="Colt", recovery_state="Texas"), "recovery_state"),
    ("recovery date in the future", dict(BASE, serial="X1", manufacturer="Colt", recovery_date=future), "recovery_date"),
    ("unknown type", dict(BASE, serial="X1", manufacturer="Colt", type="cannon"), "type"),
    ("no serial and not obliterated", dict(BASE, manufacturer="Colt"), "serial"),
    ("a partial serial with one legible character", dict(BASE, serial="A???", manufacturer="Colt"), "serial"),
    ("possessor born after the recovery", dict(BASE, serial="X1", manufacturer="Colt", possessor_dob="2024-06-01"), "possessor_dob"),
    ("an unknown key", dict(BASE, serial="X1", manufacturer="Colt", calibur="9mm"), "calibur"),
]
before = c.req("GET", "/api/v1/trace/requests", token=FGR)[1]["total"]
for label, form, field in cases:
    s, js, _ = submit(FGR, **form)
    ok(s == 400 and js["error"]["field"] == field, f"{label}: 400, field {field}", f"({s} {js})")
    s2, js2, _ = submit(FGR, query={"dry_run": "true"}, **form)
    ok(s2 == 400 and js2["error"] == js["error"], f"{label}: dry_run refuses it the same way")
eq(c.req("GET", "/api/v1/trace/requests", token=FGR)[1]["total"], before, "refused requests store nothing")
s, js, _ = submit(FGR, **dict(BASE, serial="X1", manufacturer="Colt", agency="SSPC"))
ok(s == 403 and js["error"]["field"] == "agency", "a request for another agency is refused (403, field agency)")
s, js, _ = submit(FGR, **dict(BASE, serial="X1", manufacturer="Colt", marking="US-ONLY"))
ok(s == 403 and js["error"]["field"] == "marking", "a Mexican agency may not file US-ONLY (403, field marking)")
s, js, _ = submit(FGR, query={"dry_run": "true"}, **dict(BASE, serial="cv-1O234", manufacturer="Colt's Mfg Co"))
ok(s == 200 and js["serial_norm"] == "CV10234" and js["manufacturer"] == "COLT" and js["manufacturer_known"]
   and js["recovery_state"] == "MIC" and js["type"] == "PISTOL", "dry_run answers the normalised values", str(js))
eq(c.req("GET", "/api/v1/trace/requests", token=FGR)[1]["total"], before, "a dry run stores nothing")

# ---- a full chain: the first retail purchaser and time-to-crime ----
s, colt, _ = submit(FGR, **dict(BASE, serial="cv-1O234", manufacturer="Colt's Mfg Co", marking="SHARED"))
res = colt.get("result", {}) if s == 201 else {}
ok(s == 201 and colt["status"] == "completed" and colt["owner"] == "FGR" and colt["form"]["agency"] == "FGR",
   "a submitted request is traced at once and completed", f"({s} {colt})")
want_ttc = (datetime.date(2024, 5, 1) - datetime.date(2020, 3, 2)).days
eq((res.get("purchaser"), res.get("purchase_state"), res.get("ttc_days"), res.get("possessor_differs")),
   ("John Q. Straw", "TX", want_ttc, True), "the result: purchaser, purchase state, time-to-crime, possessor differs")
eq([e["kind"] for e in res.get("chain", [])], ["MANUFACTURE", "DISTRIBUTOR", "DEALER", "RETAIL"], "the acquisition chain in order")
s, js, _ = c.req("GET", f"/api/v1/trace/requests/{colt['number'].lower()}", token=FGR)
ok(s == 200 and js["id"] == colt["id"] and js["result"]["ttc_days"] == want_ttc, "read back by its number (any case)")
s, js, _ = c.req("GET", f"/api/v1/trace/requests/{colt['id']}", token=FGR)
ok(s == 200 and js["number"] == colt["number"], "read back by its row id")

s, js, _ = submit(FGR, **dict(BASE, serial="CV10234", manufacturer="Colt", agency="fgr", recovery_state="COL"))
ok(s == 201 and js["form"]["agency"] == "FGR" and js["owner"] == "FGR", "the caller's agency named in another case is stored as registered")

# ---- a partial serial: candidates, the examiner's pick ----
s, part, _ = submit(FGR, **dict(BASE, serial="ADC54?", manufacturer="GLOCK", model="G19", marking="SHARED"))
cands = part.get("candidates", []) if s == 201 else []
ok(s == 201 and part["status"] == "in_progress" and sorted(x["serial"] for x in cands) == ["ADC540", "ADC541", "ADC542"],
   "a partial serial stays in review with its ranked candidates", f"({s} {part})")
s, js, _ = c.req("GET", "/api/v1/trace/requests", token=FGR, query={"status": "in_progress"})
ok(s == 200 and any(r["id"] == part["id"] and r["candidates"] == 3 for r in js["results"]), "the list shows the candidates waiting")
# filters by crime code, and the same list as the engine's CSV
s, alljs, _ = c.req("GET", "/api/v1/trace/requests", token=FGR, query={"limit": "1000"})
codes = sorted({r["crime_code"][:4] for r in alljs["results"]})
code = codes[0] if codes else "0000"
s, byc, _ = c.req("GET", "/api/v1/trace/requests", token=FGR, query={"crime": code, "limit": "1000"})
ok(s == 200 and byc["total"] == sum(1 for r in alljs["results"] if r["crime_code"].startswith(code)) and
   all(r["crime_code"].startswith(code) for r in byc["results"]), f"crime={code} keeps exactly its requests ({byc.get('total')})")
eq(c.req("GET", "/api/v1/trace/requests", token=FGR, query={"crime": "HOMICIDE"})[0], 400, "a crime filter that is not four digits is 400")
s, _, raw = c.req("GET", "/api/v1/trace/requests", token=FGR, query={"crime": code, "limit": "1000", "format": "csv"}, check=False)
rows = raw.decode().strip().split("\n") if s == 200 else []
ok(s == 200 and rows[0].startswith("number,status,reason,") and len(rows) - 1 == byc["total"] and
   sorted(l.split(",")[0] for l in rows[1:]) == sorted(r["number"] for r in byc["results"]),
   "format=csv gives the same requests with a header")
eq(c.req("GET", "/api/v1/trace/requests", token=FGR, query={"format": "xml"})[0], 400, "an unknown format is 400")

pick = next((x for x in cands if x["serial"] == "ADC541"), {"rank": 1})
s, js, _ = c.req("POST", f"/api/v1/trace/requests/{part['number']}/pick", token=SDN, body={"rank": pick["rank"]})
ok(s == 403, "another agency may not pick on a request it sees (403)", f"({s} {js})")
s, js, _ = c.req("POST", f"/api/v1/trace/requests/{part['number']}/pick", token=FGR, body={"rank": 99})
ok(s == 404 and js["error"]["field"] == "candidate", "a rank that does not exist is 404 (field candidate)")
s, picked, _ = c.req("POST", f"/api/v1/trace/requests/{part['number']}/pick", token=tok["fgr.an2"], body={"rank": pick["rank"]})
ok(s == 200 and picked["status"] == "completed" and picked["result"]["purchaser"] == "Buyer Number1"
   and "ADC541" in (picked["notes"] or ""), "the examiner's pick is traced at once (a colleague of the agency)", f"({s} {picked})")
s, js, _ = c.req("POST", f"/api/v1/trace/requests/{part['number']}/pick", token=FGR, body={"rank": 1})
ok(s == 409, "a completed request takes no pick (409)")
s, js, _ = c.req("POST", f"/api/v1/trace/requests/{part['number']}/pick", token=FGR, body={"rank": "1"})
ok(s == 400 and js["error"]["field"] == "rank", "a rank must be an integer")

# ---- a firearm the caller may not see: no record for it ----
s, hid, _ = submit(FGR, **dict(BASE, serial="HID999", manufacturer="Ruger", type="rifle", recovery_state="CHH"))
ok(s == 201 and hid["status"] == "cannot_trace" and "result" not in hid and "no record" in (hid["reason"] or "")
   and "Hidden Buyer" not in json.dumps(hid) and "Border Guns" not in json.dumps(hid), "a firearm hidden from the caller is not traced from it and shows nothing of it")

# ---- status changes ----
s, js, _ = c.req("POST", f"/api/v1/trace/requests/{hid['id']}/status", token=FGR, body={"status": "cannot_trace"})
ok(s == 400 and js["error"]["field"] in ("reason", "status"), "cannot_trace needs a reason")
s, js, _ = c.req("POST", f"/api/v1/trace/requests/{hid['id']}/status", token=FGR, body={"status": "completed"})
ok(s == 409, "a status change the workflow forbids is 409")
s, js, _ = c.req("POST", f"/api/v1/trace/requests/{hid['id']}/status", token=FGR, body={"status": "in_progress"})
ok(s == 200 and js["status"] == "in_progress", "a final status is re-opened for review")

# ---- markings: hidden requests are 404 like absent ones, never listed or counted ----
s, mxo, _ = submit(FGR, **dict(BASE, serial="CV10234", manufacturer="Colt", recovery_state="SIN", marking="MX-ONLY"))
s2, own, _ = submit(FGR, **dict(BASE, serial="CV10234", manufacturer="Colt", recovery_state="SIN", marking="AGENCY-ONLY"))
ok(s == 201 and s2 == 201, "FGR files an MX-ONLY and an AGENCY-ONLY request")
mine = {r["number"]: r for r in c.req("GET", "/api/v1/trace/requests", token=FGR, query={"limit": "1000"})[1]["results"]}
VIS = {"sdn.an": lambda m: m in ("SHARED", "PUBLIC", "MX-ONLY"), "dea.an": lambda m: m in ("SHARED", "PUBLIC"),
       "fgr.an2": lambda m: True}
_, absent, _ = c.req("GET", "/api/v1/trace/requests/T1999-999999", token=SDN)
for user, may in VIS.items():
    t = tok[user]
    want = {n for n, r in mine.items() if may(r["marking"])}
    s, js, _ = c.req("GET", "/api/v1/trace/requests", token=t, query={"limit": "1000"})
    got = {r["number"] for r in js["results"]}
    ok(s == 200 and got == want and js["total"] == len(want), f"{user} lists exactly the requests its marking allows",
       f"(extra {sorted(got - want)}, missing {sorted(want - got)})")
    for n, r in mine.items():
        s, js, raw = c.req("GET", f"/api/v1/trace/requests/{n}", token=t)
        if n in want:
            ok(s == 200 and js["number"] == n, f"{user} reads {n} ({r['marking']})")
        else:
            ok(s == 404 and js["error"]["message"].replace(n, "X") == absent["error"]["message"].replace("T1999-999999", "X")
               and js["error"]["field"] == absent["error"]["field"] and b"Straw" not in raw,
               f"{user}: {n} ({r['marking']}) is 404 like an absent request, never 403", f"({s} {js})")
            s, js, _ = c.req("GET", f"/api/v1/trace/requests/{r['id']}", token=t)
            ok(s == 404, f"{user}: {n} by row id is 404 too")
            s, js, _ = c.req("POST", f"/api/v1/trace/requests/{n}/pick", token=t, body={"rank": 1})
            ok(s == 404, f"{user}: a pick on hidden {n} is 404 (not 403)")
            s, js, _ = c.req("POST", f"/api/v1/trace/requests/{n}/status", token=t, body={"status": "in_progress"})
            ok(s == 404, f"{user}: a status change on hidden {n} is 404")
    s, st, _ = c.req("GET", "/api/v1/trace/stats", token=t)
    by_state = {x["key"]: x["count"] for x in st["by_recovery_state"]}
    want_states = {}
    for n in want:
        want_states[mine[n]["recovery_state"]] = want_states.get(mine[n]["recovery_state"], 0) + 1
    ok(s == 200 and st["requests"] == len(want) and by_state == want_states, f"{user} stats count only visible requests by recovery state",
       f"({st['requests']} {by_state} vs {want_states})")
    ok(sum(b["count"] for b in st["ttc_histogram"]) == st["ttc_n"], f"{user}: the histogram holds every time-to-crime")

# ---- statistics and leads as FGR ----
s, st, _ = c.req("GET", "/api/v1/trace/stats", token=FGR)
src = {x["key"]: x["count"] for x in st["by_source_state"]}
ok(s == 200 and src.get("TX", 0) >= 1 and src.get("AZ", 0) == 1, "source states of completed traces (TX, AZ)", str(src))
hist = {b["from_years"]: b["count"] for b in st["ttc_histogram"]}
ok(hist.get(want_ttc // 365, 0) >= 1 and st["ttc_histogram"][-1]["to_years"] is None, "the time-to-crime histogram bins years", str(hist))
s, js, _ = c.req("GET", "/api/v1/trace/leads", token=FGR)
ok(s == 200 and any(l["key"] == "JOHN Q STRAW|1990-05-05" or "Straw" in l["name"] for l in js["purchasers"])
   and any(l["key"] == FFL_TX for l in js["dealers"]), "purchaser and dealer leads behind the completed traces", str(js)[:300])
ok(all(l["kind"] == "purchaser" for l in js["purchasers"]) and all(l["indicators"] for l in js["purchasers"]), "leads carry their indicators")
s, js, _ = c.req("GET", "/api/v1/trace/leads", token=FGR, query={"kind": "dealer", "top": "1"})
ok(s == 200 and "purchasers" not in js and len(js["dealers"]) == 1, "one kind, top 1")
# a lead counts only the recoveries the reader may see: Straw's gun was
# recovered four times (SHARED, MX-ONLY and two AGENCY-ONLY requests of FGR)
for user, n in (("fgr.an", 4), ("sdn.an", 2), ("dea.an", 1)):
    s, js, _ = c.req("GET", "/api/v1/trace/leads", token=tok[user], query={"kind": "purchaser"})
    straw = [l for l in js.get("purchasers", []) if "Straw" in l["name"]]
    ok(s == 200 and len(straw) == 1 and straw[0]["recoveries"] == n, f"{user}: the Straw lead counts {n} recoveries it may see",
       str(straw)[:300])

# ---- paging ----
s, p1, _ = c.req("GET", "/api/v1/trace/requests", token=FGR, query={"limit": "2", "offset": "0", "order": "oldest"})
s2, p2, _ = c.req("GET", "/api/v1/trace/requests", token=FGR, query={"limit": "2", "offset": "2", "order": "oldest"})
ids = [r["id"] for r in p1["results"] + p2["results"]]
ok(s == 200 and s2 == 200 and ids == sorted(ids) and len(set(ids)) == 4 and p1["total"] == len(mine), "pages follow each other; total counts all")
s, js, _ = c.req("GET", "/api/v1/trace/requests", token=FGR, query={"state": "Sinaloa"})
ok(s == 200 and js["total"] == 2 and all(r["recovery_state"] == "SIN" for r in js["results"]), "filter by recovery state (name or code)")
for q, field in (({"status": "lost"}, "status"), ({"state": "Texas"}, "state"), ({"limit": "0"}, "limit"), ({"order": "x"}, "order"), ({"nope": "1"}, "nope")):
    s, js, _ = c.req("GET", "/api/v1/trace/requests", token=FGR, query=q)
    ok(s == 400 and js["error"]["field"] == field, f"a bad {field} is 400")

# ---- roles ----
s, _, _ = c.req("GET", "/api/v1/trace/requests", token=tok["fgr.tip"])
s2, js, _ = submit(tok["fgr.tip"], **dict(BASE, serial="X1", manufacturer="Colt"))
ok(s == 200 and s2 == 403, "a tip handler reads traces but does not submit them")
for u in ("fgr.adm", "fgr.aud"):
    codes = [c.req("GET", p, token=tok[u])[0] for p in ("/api/v1/trace/requests", "/api/v1/trace/stats", "/api/v1/trace/leads",
                                                        f"/api/v1/trace/requests/{colt['number']}")]
    eq(codes, [403] * 4, f"{u} reads no trace data (separation of duties)")
s, _, _ = c.req("GET", "/api/v1/trace/requests")
eq(s, 401, "unauthenticated: 401")

# ---- audit ----
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["fgr.aud"], query={"limit": "10000"})
ent = js["entries"] if s == 200 else []
ok(any(e["action"] == "trace.request.submit" and e["targets"] == colt["number"] and e["outcome"] == "success"
       and "completed=1" in e["detail"] for e in ent), "a submission is audited with its number and trace outcome")
# the operator's export holds every agency's entries (an auditor reads its own agency's)
rc, out = cli("audit", "export", "--db", DB)
every = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
ok(rc == 0 and any(e.get("action") == "trace.request.read" and e.get("user") == "sdn.an" and e.get("outcome") == "not_found"
                   for e in every), "a read of a hidden request is audited as not found (with the number asked)")
ok(any(e["action"] == "trace.request.pick" and e["targets"] == part["number"] and "rank=" in e["detail"] for e in ent),
   "the examiner's pick is audited")
ok(any(e["action"] == "trace.request.submit" and e["user"] == "fgr.tip" and e["outcome"] == "denied" for e in ent),
   "a role denial is audited")
ok(any(e["action"] == "trace.request.submit" and e["outcome"] == "invalid" for e in ent), "a refused submission is audited")
for action in ("trace.fields", "trace.request.list", "trace.stats", "trace.leads"):
    ok(any(e["action"] == action for e in ent), f"{action} is audited")

eq(srv.stop(), 0, "server stops cleanly")
finish()
