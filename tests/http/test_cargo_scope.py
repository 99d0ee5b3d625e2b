"""End-to-end tests of who sees and who may change cargo records, through
`puente serve` (GET /api/v1/cargo/queue, POST /api/v1/cargo/dispositions,
POST /api/v1/cargo/manifests) and the CLI (`cargo queue`, `cargo stats`,
`cargo dispose` with --agency/--country):
  - lines of two owners (CBP, FGR) under every marking, and CBP lines with a
    disposition under every marking, read by a user of the same agency, of
    the same country and of the other country: every list and count matches
    a hand-written oracle of the releasability rule;
  - a disposition the reader may not see leaves the line undisposed in that
    reader's queue and pending in its statistics, and shows nothing of itself;
  - FGR may not dispose CBP's hold (403 / exit 5) until CBP grants FGR;
  - a Mexican agency may not file US-ONLY records (403).
Every response is checked against docs/openapi.yaml. Run by
tests/http/e2e_driver.sh."""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, store_query, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "cargo_scope.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
MARKINGS = ("PUBLIC", "SHARED", "US-ONLY", "MX-ONLY", "AGENCY-ONLY")
COUNTRY = {"CBP": "US", "HSI": "US", "FGR": "MX", "ANAM": "MX"}

tok = seed_users(DB, [("cbp.an", "CBP", "analyst"), ("cbp.an2", "CBP", "analyst"), ("hsi.an", "HSI", "analyst"),
                      ("fgr.an", "FGR", "analyst"), ("anam.an", "ANAM", "analyst")])


def may_see(agency, owner, marking):
    """The rule of docs/access.md, written out independently of the code."""
    if marking in ("PUBLIC", "SHARED"):
        return True
    if marking == "US-ONLY" and COUNTRY[agency] == "US":
        return True
    if marking == "MX-ONLY" and COUNTRY[agency] == "MX":
        return True
    return owner == agency


def screen(awb, owner, marking):
    path = os.path.join(TMP, f"{awb}.csv")
    with open(path, "w") as f:
        f.write(f"awb,description\n{awb},NPP 99% purity\n")
    rc, _ = cli("cargo", "screen", path, "--db", DB, "--owner", owner, "--marking", marking, "--out",
                os.path.join(TMP, f"{awb}.r.csv"))
    return rc


# ---- records: lines of every marking, dispositions of every marking ----
lines = {}  # awb -> (owner, line marking, disposition marking or None)
for owner in ("CBP", "FGR"):
    for m in MARKINGS:
        lines[f"{owner}-{m}"] = (owner, m, None)
for m in MARKINGS:
    lines[f"D-{m}"] = ("CBP", "SHARED", m)
bad = [awb for awb, (o, m, _) in lines.items() if screen(awb, o, m) != 0]
eq(bad, [], "the operator files lines of every marking for CBP and FGR")
bad = []
for m in MARKINGS:
    rc, _ = cli("cargo", "dispose", f"D-{m}", "--db", DB, "--owner", "CBP", "--marking", m, "--outcome",
                "inspected_found", "--note", f"note {m}")
    if rc:
        bad.append(m)
eq(bad, [], "CBP dispositions of every marking")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)
READERS = (("cbp.an2", "CBP"), ("hsi.an", "HSI"), ("anam.an", "ANAM"), ("fgr.an", "FGR"))


def expected(agency):
    """awb -> outcome the reader should see ("" = undisposed), for the lines it may see."""
    out = {}
    for awb, (owner, lm, dm) in lines.items():
        if may_see(agency, owner, lm):
            out[awb] = "inspected_found" if dm and may_see(agency, owner, dm) else ""
    return out


def api_queue(token, **query):
    s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=token, query=dict(query, limit="100000"))
    return s, (js or {}).get("results", [])


for user, agency in READERS:
    want = expected(agency)
    s, rows = api_queue(tok[user], all="true")
    got = {r["awb"]: r["disposition"] for r in rows}
    ok(s == 200 and got == want, f"API queue?all=true as {agency}: exactly the lines and dispositions it may see",
       f"(status {s}; extra {sorted(set(got) - set(want))}, missing {sorted(set(want) - set(got))}, "
       f"outcomes {[(k, got.get(k), v) for k, v in want.items() if got.get(k) != v]})")
    leak = [r["awb"] for r in rows if not r["disposition"] and
            any(r[k] for k in ("disposition_note", "disposition_author", "disposition_at", "disposition_owner",
                               "disposition_marking"))]
    eq(leak, [], f"nothing of a hidden disposition shows to {agency}")
    notes = {r["awb"]: r["disposition_note"] for r in rows if r["disposition"]}
    ok(all(notes[a] == f"note {lines[a][2]}" for a in notes), f"{agency} sees the notes of the dispositions it sees")
    s, rows = api_queue(tok[user])
    eq(sorted(r["awb"] for r in rows), sorted(a for a, d in want.items() if not d),
       f"API default queue as {agency}: lines without a disposition it may see")
    rc, out = cli("cargo", "queue", "--all", "--format", "json", "--db", DB, "--agency", agency, "--country",
                  COUNTRY[agency])
    got = {json.loads(x)["awb"]: json.loads(x)["disposition"] for x in out.splitlines()}
    ok(rc == 0 and got == want, f"CLI queue --all as {agency} agrees")
    rc, out = cli("cargo", "stats", "--json", "--db", DB, "--agency", agency, "--country", COUNTRY[agency])
    st = json.loads(out) if rc == 0 else {}
    dec = st.get("decisions", {})
    pending = sum(d.get("none", 0) for d in dec.values())
    found = sum(d.get("inspected_found", 0) for d in dec.values())
    eq((st.get("shipments"), pending, found), (len(want), sum(1 for d in want.values() if not d),
                                               sum(1 for d in want.values() if d)),
       f"CLI stats as {agency}: shipments, pending and found as it may see them")

rc, out = cli("cargo", "stats", "--json", "--db", DB)
eq(json.loads(out)["shipments"] if rc == 0 else None, len(lines), "the operator's stats count every line")
rc, _ = cli("cargo", "queue", "--db", DB, "--agency", "FGR")
eq(rc, 2, "--agency without --country is a usage error")

# ---- a disposition made over the API under AGENCY-ONLY ----
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=tok["cbp.an"],
                 body={"awb": "CBP-PUBLIC", "outcome": "inspected_found", "note": "for CBP only",
                       "marking": "AGENCY-ONLY"})
eq(s, 200, "CBP disposes its PUBLIC line under AGENCY-ONLY")
for user, agency in READERS:
    s, rows = api_queue(tok[user])
    undisposed = "CBP-PUBLIC" in [r["awb"] for r in rows]
    eq(undisposed, agency != "CBP", f"{agency}: the line is {'still' if agency != 'CBP' else 'no longer'} in its queue")
    s, rows = api_queue(tok[user], all="true")
    r = next((r for r in rows if r["awb"] == "CBP-PUBLIC"), {})
    eq((r.get("disposition"), r.get("disposition_note")),
       ("inspected_found", "for CBP only") if agency == "CBP" else ("", ""), f"{agency}: what it sees of the disposition")

# ---- the write rule ----
body = {"awb": "CBP-SHARED", "outcome": "held", "note": "opened by FGR", "marking": "SHARED"}
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=tok["fgr.an"], body=body)
ok(s == 403 and (js or {}).get("error", {}).get("field") == "owner", "FGR may not dispose CBP's hold (403, owner)",
   f"status {s} {js}")
rc, _ = cli("cargo", "dispose", "CBP-SHARED", "--outcome", "held", "--db", DB, "--agency", "FGR", "--country", "MX")
eq(rc, 5, "nor through the CLI (exit 5)")
rc, _ = cli("cargo", "dispose", "CBP-SHARED", "--outcome", "held", "--owner", "CBP", "--db", DB, "--agency", "FGR",
            "--country", "MX")
eq(rc, 5, "FGR may not sign as CBP (exit 5)")
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=tok["fgr.an"],
                 body={"awb": "FGR-SHARED", "outcome": "held", "marking": "US-ONLY"})
ok(s == 403 and (js or {}).get("error", {}).get("field") == "marking",
   "a Mexican agency may not file a US-ONLY disposition (403, marking)", f"status {s}")
s, js, _ = c.req("POST", "/api/v1/cargo/manifests", token=tok["fgr.an"], raw=b"awb,description\nX-1,Cotton\n",
                 headers={"Content-Type": "text/csv"}, query={"marking": "US-ONLY"})
eq(s, 403, "nor a US-ONLY manifest")
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=tok["fgr.an"], body=dict(body, marking="SECRET"))
eq(s, 400, "an unknown marking is 400")
s, rows = api_queue(tok["cbp.an"], all="true")
eq(next((r["disposition"] for r in rows if r["awb"] == "CBP-SHARED"), None), "", "nothing was recorded")

# CBP grants FGR (test-only: the store's grant table, as store_grant_add writes it)
store_query(DB, "INSERT INTO store_grant (owner, grantee, created) VALUES (?, ?, ?)",
            ("CBP", "FGR", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")))
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=tok["fgr.an"], body=body)
eq(s, 200, "after CBP grants FGR, FGR disposes CBP's hold")
s, rows = api_queue(tok["cbp.an"], all="true")
r = next((r for r in rows if r["awb"] == "CBP-SHARED"), {})
eq((r.get("disposition"), r.get("disposition_owner"), r.get("disposition_note")), ("held", "FGR", "opened by FGR"),
   "CBP sees FGR's disposition of its line")
rc, _ = cli("cargo", "dispose", "CBP-US-ONLY", "--outcome", "released", "--db", DB, "--agency", "FGR", "--country",
            "MX")
eq(rc, 4, "a grant does not widen what FGR sees: CBP's US-ONLY line stays unknown to it (exit 4)")
rc, _ = cli("cargo", "dispose", "CBP-MX-ONLY", "--outcome", "released", "--marking", "SHARED", "--db", DB, "--agency",
            "FGR", "--country", "MX")
eq(rc, 0, "the CLI as FGR disposes a CBP line it sees once granted")

eq(srv.stop(), 0, "server stops cleanly")
finish()
