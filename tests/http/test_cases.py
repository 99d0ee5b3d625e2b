"""End-to-end tests of the cases routes (docs/cases.md): filing a case,
need-to-know (a non-member gets 404 for a case as for an absent one, lists and
counts nothing, sees only that a SHARED case exists), members, evidence
links (a hidden target cannot be linked), the extradition workflow (409 for
a transition the workflow refuses), legal clocks, the NIEM export, and the
audit of every read. Every response is checked against docs/openapi.yaml."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, store_query, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "cases_api.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

tok = seed_users(DB, [("hsi.an", "HSI", "analyst"), ("fgr.an", "FGR", "analyst"), ("dea.an", "DEA", "analyst"),
                      ("hsi.tip", "HSI", "tip-handler")])
H, F, D = tok["hsi.an"], tok["fgr.an"], tok["dea.an"]
srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)


def err_code(js):
    return ((js or {}).get("error") or {}).get("code")


# ---- filing and need-to-know ----
s, js, _ = c.req("POST", "/api/v1/cases", H, body={"title": "Operación Coyote", "marking": "SHARED",
                                                  "agencies": "HSI:US,FGR:MX", "opened": "2026-01-02",
                                                  "offences": "human smuggling; money laundering"})
eq(s, 201, "HSI files a case")
CID = (js or {}).get("id", 0)
s, js, _ = c.req("POST", "/api/v1/cases", H, body={"title": "HSI only"})
eq(s, 201, "a second case, AGENCY-ONLY by default")
SECRET = (js or {}).get("id", 0)
s, js, _ = c.req("POST", "/api/v1/cases", F, body={"title": "x", "marking": "US-ONLY"})
eq(s, 403, "a Mexican agency cannot file US-ONLY")
s, js, _ = c.req("POST", "/api/v1/cases", tok["hsi.tip"], body={"title": "x"})
eq(s, 403, "a role without write cannot file")

s, js, _ = c.req("GET", f"/api/v1/cases/{CID}", F)
eq(s, 200, "a participating agency reads the case")
eq((js or {}).get("title"), "Operación Coyote", "with its title")
eq([o["offence"] for o in (js or {}).get("offences", [])], ["human smuggling", "money laundering"], "offences")
s, js, _ = c.req("GET", f"/api/v1/cases/{CID}", D)
eq(s, 404, "a non-member of the same country: 404")
s2, js2, _ = c.req("GET", "/api/v1/cases/987654", D)
eq((s, err_code(js)), (s2, err_code(js2)), "hidden and absent answer alike")
s, js, _ = c.req("GET", "/api/v1/cases", D)
eq((js or {}).get("total"), 0, "a non-member lists and counts nothing")
s, js, _ = c.req("GET", "/api/v1/cases", D, query={"existing": "true"})
stubs = (js or {}).get("results", [])
eq([(x["id"], x.get("restricted"), "title" in x) for x in stubs], [(CID, True, False)],
   "existence only: the SHARED case as a restricted stub without title; the AGENCY-ONLY one not at all")
s, js, _ = c.req("GET", "/api/v1/cases", H)
eq((js or {}).get("total"), 2, "the owner lists both")

s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/members", F, body={"kind": "agency", "principal": "DEA", "right": "read"})
eq(s, 403, "a read member cannot add members")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/members", H, body={"kind": "user", "principal": "dea.an", "right": "write"})
eq(s, 200, "the owner adds one DEA analyst as a write member")
s, js, _ = c.req("GET", f"/api/v1/cases/{CID}", D)
eq(s, 200, "that user now reads the case")

# ---- evidence links ----
ent = os.path.join(TMP, "ent.jsonl")
with open(ent, "w") as f:
    f.write('{"id": "dea-p1", "schema": "Person", "properties": {"name": ["Juan Pérez"]}, "owner": "DEA",'
            ' "marking": "AGENCY-ONLY"}\n')
eq(cli("import", "ftm", ent, "--db", DB)[0], 0, "a DEA-only entity")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/links", H, body={"kind": "entity", "target": "dea-p1"})
eq(s, 404, "HSI cannot link an entity it cannot see")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/links", D, body={"kind": "screening", "target": "dea-p1", "note": "hit"})
eq(s, 201, "DEA links its own entity")
s, js, _ = c.req("GET", f"/api/v1/cases/{CID}", H)
eq(len((js or {}).get("links", [1])), 0, "HSI does not see the link to a record hidden from it")
s, js, _ = c.req("GET", f"/api/v1/cases/{CID}", D)
eq([x["target"] for x in (js or {}).get("links", [])], ["dea-p1"], "DEA sees it")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/links", D, body={"kind": "phonebook", "target": "x"})
eq(s, 400, "unknown link kind")

# ---- extraditions ----
s, js, _ = c.req("POST", "/api/v1/extraditions", H, body={"case_id": CID, "direction": "mx_to_us", "person": "Juan Pérez",
                                                          "notes": "0123/2026", "day": "2026-01-05"})
eq(s, 201, "extradition request opened")
eq((js or {}).get("stage"), "provisional_arrest_requested", "at provisional_arrest_requested")
XID = (js or {}).get("id", 0)
s, js, _ = c.req("POST", f"/api/v1/extraditions/{XID}/stage", H, body={"stage": "surrendered"})
eq(s, 409, "a transition the workflow refuses: 409")
s, js, _ = c.req("POST", f"/api/v1/extraditions/{XID}/stage", F, body={"stage": "person_located_arrested"})
eq(s, 403, "a read member cannot move it")
s, js, _ = c.req("POST", f"/api/v1/extraditions/{XID}/stage", H, body={"stage": "person_located_arrested", "day": "2026-01-10"})
eq(s, 200, "located and arrested")
s, js, _ = c.req("GET", f"/api/v1/extraditions/{XID}", F, query={"today": "2026-03-05"})
eq(s, 200, "the request with its clocks")
clk = ((js or {}).get("clocks") or [{}])[0]
eq((clk.get("rule"), clk.get("due"), clk.get("escalate")), ("treaty_art11_formal_request", "2026-03-11", True),
   "formal request due 60 days after the arrest; escalated 6 days before")
eq([h["stage"] for h in (js or {}).get("history", [])], ["provisional_arrest_requested", "person_located_arrested"], "history")
s, js, _ = c.req("GET", "/api/v1/cases/due", H, query={"today": "2026-03-05"})
eq([(x["extradition"], x["rule"]) for x in (js or {}).get("results", [])], [(XID, "treaty_art11_formal_request")], "due list")
s, js, _ = c.req("GET", "/api/v1/extraditions", tok["hsi.tip"])
ok(s == 200, "the list route answers")
s, js, _ = c.req("GET", "/api/v1/extraditions", D)
eq((js or {}).get("total"), 1, "DEA member sees the request")
s, js, _ = c.req("GET", f"/api/v1/extraditions/{XID}", tok["hsi.tip"])
eq(s, 200, "any user of a member agency reads it (agency membership)")
s, js, _ = c.req("GET", f"/api/v1/cases/{SECRET}", F)
eq(s, 404, "FGR never sees HSI's AGENCY-ONLY case")

# ---- records of a case through the API ----
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/charges", H, body={"statute": "8 U.S.C. 1324(a)(1)(A)(ii)", "country": "US",
                                                                 "severity": "felony", "count": 3, "filed": "2026-01-20"})
eq(s, 201, "charge recorded")
CH = (js or {}).get("id", 0)
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/charges", H, body={"statute": "x", "country": "US", "severity": "grave"})
eq(s, 400, "an unknown severity is refused")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/warrants", H, body={"court": "U.S. District Court, W.D. Tex.", "judge": "A. Ruiz",
                                                                  "issued": "2026-02-01", "jurisdiction": "US",
                                                                  "charges": str(CH), "subject": "Juan Pérez", "marking": "US-ONLY"})
eq(s, 201, "a US-ONLY warrant in the SHARED case")
WID = (js or {}).get("id", 0)
s, js, _ = c.req("GET", f"/api/v1/cases/{CID}", F)
eq(len((js or {}).get("warrants", [1])), 0, "FGR, a member, does not see the US-ONLY warrant")
s, js, _ = c.req("POST", "/api/v1/shares", F, body={"kind": "warrant", "record": WID, "agency": "FGR", "reason": "x"})
ok(s in (403, 404), "FGR cannot share HSI's warrant", f"status {s}")
s, js, _ = c.req("POST", "/api/v1/shares", H, body={"kind": "warrant", "record": WID, "agency": "FGR",
                                                   "reason": "provisional arrest request to FGR"})
eq(s, 201, "HSI shares the warrant with FGR (audited grant)")
s, js, _ = c.req("GET", f"/api/v1/cases/{CID}", F)
eq([w["id"] for w in (js or {}).get("warrants", [])], [WID], "FGR now sees the warrant")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/arrests", F, body={"person": "Juan Pérez", "day": "2026-03-10", "place": "Nogales",
                                                                 "country": "MX", "agency": "FGR", "warrant": WID})
eq(s, 403, "a read member cannot record an arrest")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/arrests", H, body={"person": "Juan Pérez", "day": "2026-03-10", "place": "Nogales, Son.",
                                                                 "country": "MX", "agency": "FGR", "warrant": WID,
                                                                 "charges": str(CH)})
eq(s, 201, "arrest recorded")
s, js, _ = c.req("POST", f"/api/v1/warrants/{WID}/status", H, body={"status": "served", "day": "2026-03-10"})
eq(s, 200, "warrant served")
s, js, _ = c.req("POST", f"/api/v1/warrants/{WID}/status", H, body={"status": "recalled", "reason": "x"})
eq(s, 409, "a served warrant cannot be recalled: 409")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/notes", H, body={"text": "Cateo en Altar: 23 personas rescatadas"})
eq(s, 201, "note added")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/tasks", H, body={"title": "Certified translation", "due": "2026-04-15"})
eq(s, 201, "task added")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/notes", F, body={"text": "x"})
eq(s, 403, "a read member cannot add notes")
s, js, _ = c.req("GET", f"/api/v1/cases/{CID}", F)
kinds = [e["kind"] for e in (js or {}).get("timeline", [])]
ok({"opened", "warrant", "arrest", "share", "extradition"} <= set(kinds), "the timeline records the changes", str(kinds))

# ---- NIEM export ----
s, js, _ = c.req("GET", f"/api/v1/cases/{CID}/export", F, query={"format": "niem"})
eq(s, 200, "NIEM export")
eq(((js or {}).get("nc:Case") or {}).get("nc:CaseTitleText"), "Operación Coyote", "nc:CaseTitleText")
s, js, _ = c.req("GET", f"/api/v1/cases/{SECRET}/export", F)
eq(s, 404, "no export of a case one cannot read")

# ---- documents: raw-body upload, list, download (members only) ----
import hashlib  # noqa: E402
import urllib.parse  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NAME = "Solicitud formal de extradición.pdf"
up = {"Content-Type": "application/pdf", "X-Filename": urllib.parse.quote(NAME)}
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/documents", H, raw=PDF, headers=up, query={"certified": "true"})
eq(s, 201, "a write member uploads a document")
DOC = (js or {}).get("id", 0)
eq((js or {}).get("sha256"), hashlib.sha256(PDF).hexdigest(), "its SHA-256 is the file's")
eq(((js or {}).get("name"), (js or {}).get("content_type"), (js or {}).get("certified")),
   (NAME, "application/pdf", True), "name decoded from UTF-8, media type and certified flag kept")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/documents", F, raw=PDF, headers=up)
eq(s, 403, "a read member cannot upload")
s, js, _ = c.req("POST", f"/api/v1/cases/{SECRET}/documents", D, raw=PDF, headers=up)
eq(s, 404, "a non-member cannot upload to a case it cannot see")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/documents", H, raw=PDF, headers={"Content-Type": "application/pdf"})
eq((s, ((js or {}).get("error") or {}).get("field")), (400, "X-Filename"), "the file name is required")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/documents", H, raw=b"", headers=up)
eq(s, 400, "an empty file is refused")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/documents", H, raw=PDF,
                 headers={"Content-Type": "multipart/form-data; boundary=x", "X-Filename": "a.pdf"})
eq(s, 415, "multipart is refused with a hint (the file is the body)")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/documents", H, raw=PDF,
                 headers={"Content-Type": "application/pdf", "X-Filename": "..%2F..%2Fetc%2Fpasswd%0A"})
eq(s, 400, "a name with a line break is refused")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/documents", H, raw=b"x" * 100,
                 headers={"Content-Type": "text/plain", "X-Filename": "..%2F..%2Fnotas.txt"})
eq((s, (js or {}).get("name")), (201, "notas.txt"), "only the last path segment of a name is kept")

s, js, _ = c.req("GET", f"/api/v1/cases/{CID}/documents", F)
eq((s, [d["name"] for d in (js or {}).get("results", [])][:1]), (200, [NAME]), "a read member lists the documents")
s, js, _ = c.req("GET", f"/api/v1/cases/{SECRET}/documents", F)
eq(s, 404, "a non-member lists nothing (404 as for an absent case)")

s, _, raw = c.req("GET", f"/api/v1/cases/{CID}/documents/{DOC}", F, check=False)
eq((s, raw), (200, PDF), "a read member downloads the bytes as uploaded")
import http.client  # noqa: E402
hc = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
hc.request("GET", f"/api/v1/cases/{CID}/documents/{DOC}", headers={"Authorization": f"Bearer {F}"})
resp = hc.getresponse()
body = resp.read()
eq(resp.getheader("X-Content-SHA256"), hashlib.sha256(PDF).hexdigest(), "the hash in X-Content-SHA256")
eq(resp.getheader("Content-Type"), "application/pdf", "served with its media type")
disp = resp.getheader("Content-Disposition") or ""
ok(disp.startswith("attachment;") and "filename*=UTF-8''Solicitud%20formal%20de%20extradici%C3%B3n.pdf" in disp,
   "an attachment with the UTF-8 name (RFC 8187)", disp)
ok((resp.getheader("Repr-Digest") or "").startswith("sha-256=:"), "Repr-Digest (RFC 9530)")
hc.close()
s, js, _ = c.req("GET", f"/api/v1/cases/{SECRET}/documents/{DOC}", H)
eq(s, 404, "a document is reached only through its own case")
s, js, _ = c.req("GET", f"/api/v1/cases/{CID}/documents/999999", H)
eq(s, 404, "an absent document is 404")
s, js, _ = c.req("POST", f"/api/v1/cases/{CID}/members", H, body={"kind": "user", "principal": "dea.an", "right": "remove"})
eq(s, 200, "the DEA analyst is removed from the case")
s, js, _ = c.req("GET", f"/api/v1/cases/{CID}/documents/{DOC}", D)
eq(s, 404, "a removed member can no longer download")

# ---- amparo: the tracker's clocks are suspended ----
s, js, _ = c.req("POST", "/api/v1/extraditions", H, body={"case_id": CID, "direction": "mx_to_us", "person": "Rafael Soto",
                                                         "day": "2026-01-05"})
eq(s, 201, "an extradition request for the amparo")
XA = (js or {}).get("id", 0)
eq(c.req("POST", f"/api/v1/extraditions/{XA}/stage", H, body={"stage": "person_located_arrested", "day": "2026-01-10"})[0],
   200, "arrested on 10 January: the treaty's 60 days run")
s, js, _ = c.req("POST", f"/api/v1/extraditions/{XA}/amparo", F, body={"court": "Juzgado 1o", "reference": "1/2026"})
eq(s, 403, "a read member cannot record an amparo")
s, js, _ = c.req("POST", f"/api/v1/extraditions/{XA}/amparo", H, body={"court": "Juzgado Primero de Distrito",
                                                                        "reference": "1234/2026", "day": "2026-02-01"})
eq(s, 201, "an amparo suspends the clocks from 1 February")
s, js, _ = c.req("POST", f"/api/v1/extraditions/{XA}/amparo", H, body={"court": "x", "reference": "y"})
eq(s, 409, "a second open suspension is a conflict")
s, js, _ = c.req("GET", f"/api/v1/extraditions/{XA}", H, query={"today": "2026-02-10"})
clk = ((js or {}).get("clocks") or [{}])[0]
eq(((js or {}).get("suspended_since"), clk.get("suspended"), clk.get("due"), clk.get("escalate")),
   ("2026-02-01", True, "2026-03-21", False), "the tracker shows the clock suspended, due pushed back")
eq([x.get("reference") for x in (js or {}).get("suspensions", [])], ["1234/2026"], "the suspension is listed")
s, js, _ = c.req("POST", f"/api/v1/extraditions/{XA}/amparo/end", H, body={"day": "2026-02-15"})
eq(s, 200, "the suspension ends on 15 February")
s, js, _ = c.req("GET", f"/api/v1/extraditions/{XA}", H, query={"today": "2026-03-20"})
clk = ((js or {}).get("clocks") or [{}])[0]
eq((clk.get("due"), clk.get("paused_days"), clk.get("suspended")), ("2026-03-26", 15, False),
   "15 suspended days: due 26 March instead of 11 March")
s, js, _ = c.req("POST", f"/api/v1/extraditions/{XA}/amparo/end", H, body={})
eq(s, 409, "no open suspension to end")

# ---- audit: reads included ----
eq(srv.stop(), 0, "server stops cleanly")
rows = store_query(DB, "SELECT action, outcome FROM audit_log WHERE action LIKE 'case.%' OR action LIKE 'extradition.%' OR action LIKE 'warrant.%'")
acts = {a for a, _ in rows}
ok({"case.read", "case.list", "case.new", "extradition.stage", "extradition.read", "case.export", "case.share",
    "case.warrant", "warrant.status", "case.document.add", "case.document.read", "case.document.list",
    "extradition.amparo", "extradition.amparo.end"} <= acts,
   "every read and change audited", str(sorted(acts)))
ok(("extradition.stage", "conflict") in rows or any(a == "extradition.stage" and o != "success" for a, o in rows),
   "the refused transition is audited with its outcome", str(rows[-5:]))
finish()
