"""End-to-end tests of the tip line's routes (docs/tips.md): the public form,
proof of work, intake, the tipster's receipt routes (uniform answers for wrong
receipts, per-tip limits), the handlers' routes (roles, agencies, states,
links, indicators, audit of every staff read) and bad input. Then the
no-identity test: tips sent with a unique user agent, a marked
X-Forwarded-For, X-Real-IP, Forwarded and Referer; every file the server wrote
(store, WAL, audit journal, anchors, its log) is searched for the markers:
zero hits. Every response is checked against docs/openapi.yaml."""
import glob
import hashlib
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, raw_post, seed_users, store_query, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "tips_api.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
SQLITE = "://" not in DB

tok = seed_users(DB, [("fgr.tip", "FGR", "tip-handler"), ("atf.tip", "ATF", "tip-handler"),
                      ("fgr.an", "FGR", "analyst"), ("fgr.aud", "FGR", "auditor")])
H, A = tok["fgr.tip"], tok["atf.tip"]

sdn = os.path.join(TMP, "sdn.jsonl")
with open(sdn, "w") as f:
    f.write(json.dumps({"id": "ofac-7777", "schema": "Person", "properties": {"name": ["Heriberto Lazcano Ochoa"]},
                        "owner": "OFAC", "marking": "PUBLIC", "datasets": ["ofac"]}) + "\n")
eq(cli("import", "ftm", sdn, "--db", DB)[0], 0, "a designated person in the store")
KEYS = os.path.join(TMP, "tips-agency.keys")
for ag in ("FGR", "ATF"):
    eq(cli("tip", "keygen", ag, "--key-file", KEYS, "--db", DB)[0], 0, f"key pair for {ag}'s tip files")
os.environ["PUENTE_TIPS_KEY_FILE"] = KEYS
os.environ["PUENTE_TIPS_POW_BITS"] = "8"      # the tests solve in Python
os.environ["PUENTE_TIPS_KDF"] = "1:32768"     # 32 MiB: fast, still a real Argon2id; bench/tips measures the real cost
srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)

MARK = f"ZqUAmark{os.getpid()}x{int(time.time())}"
UA = f"Mozilla/5.0 (X11) {MARK}-agent"
XFF = "203.0.113.{}".format(77 + os.getpid() % 100)
HDRS = {"User-Agent": UA, "X-Forwarded-For": f"{XFF}, 198.51.100.23", "X-Real-IP": XFF,
        "Forwarded": f"for={XFF};proto=https", "Referer": f"https://news.example/{MARK}-referer"}


def err_of(js):
    return (js or {}).get("error", {})


def solve(challenge, bits):
    n = 0
    while True:
        nonce = format(n, "x")
        h = hashlib.blake2b((challenge + ":" + nonce).encode(), digest_size=32).digest()
        if int.from_bytes(h, "big") >> (256 - bits) == 0:
            return nonce
        n += 1


def pow_():
    s, js, _ = c.req("GET", "/api/v1/tips/challenge", headers=HDRS)
    return {"challenge": js["challenge"], "nonce": solve(js["challenge"], js["bits"])}


def submit(body, with_pow=True, headers=HDRS):
    if with_pow:
        body = dict(body, pow=pow_())
    return c.req("POST", "/api/v1/tips", body=body, headers=headers)


# ---- the public form ----
s, js, _ = c.req("GET", "/api/v1/tips/form", query={"lang": "es"})
ok(s == 200 and len(js["categories"]) == 7, "the form has seven categories", f"status {s}")
fa = [x for x in js["categories"] if x["code"] == "firearms"][0] if s == 200 else {"questions": []}
ok(any(q["key"] == "serials" and "serie" in q["label"] for q in fa["questions"]), "the firearms questionnaire in Spanish")
s, js, _ = c.req("GET", "/api/v1/tips/form", query={"lang": "en"})
ok(s == 200 and js["categories"][0]["label"] == "Firearms trafficking", "... and in English")
s, js, _ = c.req("GET", "/api/v1/tips/form", query={"lang": "fr"})
eq(s, 400, "an unknown language is 400")

# ---- intake ----
s, js, _ = submit({"category": "firearms", "lang": "es", "text": "algo"}, with_pow=False)
ok(s == 400 and err_of(js).get("field") == "pow", "a tip without proof of work is refused")
p = pow_()
bad = dict(p, nonce=p["nonce"] + "zz")
good_nonce_other = None
s, js, _ = c.req("POST", "/api/v1/tips", body={"category": "firearms", "lang": "es", "text": "algo",
                                                "pow": {"challenge": p["challenge"], "nonce": "x" * 63}}, headers=HDRS)
ok(s == 400 or s == 201, "a wrong nonce is refused (or, 1 in 256, happens to be right)")
text1 = (f"El Huevo vende rifles AR-15 en la colonia Anapra de Juárez; su celular es 656 123 4567. "
         f"<script>alert('{MARK}-script')</script>")
s, js, _ = submit({"category": "firearms", "lang": "es", "text": text1, "country": "MX", "state": "CHH",
                   "answers": {"plates": "ABC-1234", "serials": "serie AK4471234"}})
ok(s == 201 and len(js["receipt"].split()) == 7 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", js["received"]),
   "a tip is filed: a seven-word receipt and the day", f"status {s} {js}")
receipt1 = js["receipt"] if s == 201 else ""
s, js, _ = submit({"category": "firearms", "lang": "en", "country": "US",
                   "text": "A guy they call El Huevo sells rifles from a gray truck; phone 656-123-4567."})
eq(s, 201, "a second tip, in English, in the US")
receipt2 = js["receipt"] if s == 201 else ""
s, js, _ = c.req("POST", "/api/v1/tips", body={"category": "drugs", "lang": "es", "text": "x", "pow": p}, headers=HDRS)
s2, js2, _ = c.req("POST", "/api/v1/tips", body={"category": "drugs", "lang": "es", "text": "x", "pow": p}, headers=HDRS)
ok(s == 201 and s2 in (400, 409), "a challenge is single use", f"status {s}, then {s2}")

# bad input: uniform clear errors, nothing stored
ntips = lambda: store_query(DB, "SELECT COUNT(*) FROM tip")[0][0]  # noqa: E731
before = ntips()
for body, field, what in [
    ({"category": "guns", "lang": "es", "text": "x"}, "category", "an unknown category"),
    ({"category": "drugs", "lang": "es", "text": "x", "answers": {"serials": "1"}}, "answers", "an answer the category does not ask"),
    ({"category": "drugs", "lang": "es", "text": "a\u0007b"}, "text", "a control character"),
    ({"category": "drugs", "lang": "es", "text": "x", "source_ip": "1.2.3.4"}, "source_ip", "an unknown field"),
    ({"category": "drugs", "lang": "es", "text": "x" * 20001}, "text", "a text over 20000 bytes"),
]:
    s, js, _ = submit(body)
    ok(s in (400, 413) and err_of(js).get("field") == field, f"{what} is refused naming the field", f"status {s} {js}")
s, js, _ = c.req("POST", "/api/v1/tips", raw=b'{"category":"drugs","lang":"es","text":"bad \xff\xfe"}',
                 headers=dict(HDRS, **{"Content-Type": "application/json"}))
eq(s, 400, "invalid UTF-8 is refused")
eq(raw_post(srv.port, "/api/v1/tips", "", b"x" * (9 << 20)), 413, "a huge body is refused before it is read")
eq(ntips(), before, "nothing of the refused tips was stored")

# ---- the tipster's side ----
def http_entries():
    rc, out = cli("audit", "export", "--db", DB)
    return [json.loads(l) for l in out.splitlines() if l.strip() and json.loads(l).get("component") != "cli"]


n_before = len(http_entries())
c.req("POST", "/api/v1/tips/receipt", body={"receipt": "warm up"})  # the process's first check makes the dummy hash
rights = []
for _ in range(3):
    t0 = time.time()
    s, js, _ = c.req("POST", "/api/v1/tips/receipt", body={"receipt": receipt1.upper().replace(" ", "-")})
    rights.append(time.time() - t0)
ok(s == 200 and js["status"] == "open" and js["messages"] == [], "the receipt opens the tip (typed in capitals with hyphens)")
wrong = []
for r in ["abacus abacus abacus abacus abacus abacus abacus", "short", "a" * 150,
          " ".join(receipt1.split()[:6]), receipt1 + " abacus"]:
    t0 = time.time()
    s, js, _ = c.req("POST", "/api/v1/tips/receipt", body={"receipt": r})
    wrong.append((s, json.dumps(js, sort_keys=True), time.time() - t0))
ok(len({(s, b) for s, b, _ in wrong}) == 1 and wrong[0][0] == 404, "every wrong receipt gets the same answer",
   str({(s, b) for s, b, _ in wrong}))
plain = []
for _ in range(5):
    t0 = time.time()
    c.req("GET", "/api/v1/tips/challenge")
    plain.append(time.time() - t0)
med = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
wt = [t for _, _, t in wrong]
ok(min(wt) > 3 * med(plain) and med(wt) >= 0.4 * med(rights),
   "... after the same Argon2id work as a right one (a loaded machine makes this noisy: medians)",
   f"right {[round(t, 3) for t in rights]}, wrong {[round(t, 3) for t in wt]}, no hash {round(med(plain), 4)}")
s, js, _ = c.req("POST", "/api/v1/tips/receipt", body={"receipt": "x" * 300})
eq(s, 404, "an over-long receipt is the same 404")
s, js, _ = c.req("POST", "/api/v1/tips/receipt", body={})
eq(s, 400, "a missing receipt is 400")

eq(len(http_entries()), n_before, "the tipster's requests (right and wrong receipts) leave no audit entry")

# ---- the handlers ----
s, js, _ = c.req("GET", "/api/v1/tips", token=H)
fgr = [t for t in js["results"] if t["category"] == "firearms"] if s == 200 else []
ok(s == 200 and js["total"] == 2 and len(fgr) == 1 and all(t["owner"] == "FGR" for t in js["results"]),
   "FGR's handler lists the Mexican firearms tip and the Spanish drugs tip", f"{s} {js}")
tid = fgr[0]["id"] if fgr else "none"
s, js, _ = c.req("GET", "/api/v1/tips", token=A)
ok(s == 200 and js["total"] == 1 and js["results"][0]["owner"] == "ATF", "ATF's handler lists the US tip")
tid2 = js["results"][0]["id"] if s == 200 and js["results"] else "none"
s, js, _ = submit({"category": "corruption", "lang": "es", "country": "MX", "text": "Un comandante cobra cuotas en la aduana.",
                   "answers": {"who": "Heriberto Lazcano Ochoa y su chofer"}})
eq(s, 201, "a tip naming someone in the 'who' answer")
s, js, _ = c.req("GET", "/api/v1/tips", token=H, query={"category": "corruption"})
cid = js["results"][0]["id"] if s == 200 and js["results"] else "none"
s, js, _ = c.req("GET", f"/api/v1/tips/{cid}", token=H)
ok(s == 200 and any(l["target"] == "ofac-7777" and "screened" in l["evidence"] for l in js["links"]),
   "the name is screened on the server's screening index and the match proposed", str(js.get("links") if js else s))
eq(c.req("GET", "/api/v1/tips", token=tok["fgr.an"])[0], 403, "an analyst may not read tips")
eq(c.req("GET", "/api/v1/tips", token=tok["fgr.aud"])[0], 403, "nor an auditor")
eq(c.req("GET", "/api/v1/tips")[0], 401, "nor anyone without a token")
s, js, _ = c.req("GET", f"/api/v1/tips/{tid}", token=H)
ok(s == 200 and MARK + "-script" in js["text"] and js["answers"]["plates"] == "ABC-1234", "the handler reads the tip, script as text")
kinds = {e["kind"] for e in js.get("entities", [])}
ok({"phone", "nickname", "plate", "serial"} <= kinds, "triage extracted phone, nickname, plate and serial", str(kinds))
eq(c.req("GET", f"/api/v1/tips/{tid}", token=A)[0], 404, "ATF cannot read FGR's AGENCY-ONLY tip")
s, js, _ = c.req("POST", f"/api/v1/tips/{tid}/messages", token=H, body={"text": "¿Qué día pasa la camioneta?"})
eq(s, 201, "the handler asks the tipster")
s, js, _ = c.req("POST", "/api/v1/tips/receipt", body={"receipt": receipt1})
ok(s == 200 and js["messages"][0]["author"] == "handler" and "camioneta" in js["messages"][0]["text"],
   "the tipster reads the question")
s, js, _ = c.req("POST", "/api/v1/tips/receipt/messages", body={"receipt": receipt1, "text": "Los viernes"}, headers=HDRS)
eq(s, 201, "the tipster answers")
s, js, _ = c.req("POST", "/api/v1/tips/receipt/messages", body={"receipt": "abacus " * 7, "text": "spam"})
eq(s, 404, "an answer with a wrong receipt is the same 404")
# files: sealed to FGR, a metadata-free copy for the analyst, the original as evidence
import base64  # noqa: E402
JPEG = (b"\xff\xd8\xff\xe0\x00\x06JFIF\xff\xe1\x00\x11Exif\x00\x00GPS" + MARK.encode()[:6] +
        b"\xff\xda\x00\x04\x01\x02\x11\x22\xff\xd9")
s, js, _ = c.req("POST", "/api/v1/tips/receipt/attachments", headers=HDRS,
                 body={"receipt": receipt1, "content_base64": base64.b64encode(JPEG).decode()})
ok(s == 201 and js["type"] == "image/jpeg" and js["metadata_stripped"] is True, "the tipster adds a photo", f"{s} {js}")
s, js, _ = c.req("POST", "/api/v1/tips/receipt/attachments",
                 body={"receipt": receipt1, "content_base64": base64.b64encode(b"PK\x03\x04\x14\x00zip").decode()})
eq(s, 415, "an archive is refused by its content")
s, js, _ = c.req("POST", "/api/v1/tips/receipt/attachments", body={"receipt": receipt1, "content_base64": "@@@"})
eq(s, 400, "bad base64 is 400")
s, js, _ = c.req("POST", "/api/v1/tips/receipt/attachments",
                 body={"receipt": receipt1, "content_base64": base64.b64encode(b"a" * ((5 << 20) + 10)).decode()})
eq(s, 413, "a file over 5 MiB is refused")
s, js, _ = c.req("POST", "/api/v1/tips/receipt/attachments",
                 body={"receipt": "abacus " * 7, "content_base64": base64.b64encode(JPEG).decode()})
eq(s, 404, "a file with a wrong receipt is the same 404")
s, js, _ = c.req("GET", f"/api/v1/tips/{tid}", token=H)
files = js.get("attachments", []) if s == 200 else []
ok(len(files) == 1 and files[0]["agency"] == "FGR", "the handler sees one file, sealed to FGR")
fid = files[0]["id"] if files else 0
s, _, raw = c.req("GET", f"/api/v1/tips/{tid}/attachments/{fid}", token=H, check=False)
ok(s == 200 and raw.startswith(b"\xff\xd8") and b"Exif" not in raw and b"JFIF" in raw, "the analyst's copy has no EXIF")
s, _, raw = c.req("GET", f"/api/v1/tips/{tid}/attachments/{fid}", token=H, query={"copy": "original"}, check=False)
ok(s == 200 and raw == JPEG, "the original is kept as evidence, byte for byte")
ok(not any(JPEG[10:] in open(f, "rb").read() for f in glob.glob(os.path.join(TMP, "tips_api.db*"))) if SQLITE else True,
   "the file is sealed in the store")
s, js, _ = c.req("POST", f"/api/v1/tips/{tid}/state", token=H, body={"state": "assigned", "marking": "SHARED"})
eq(s, 200, "FGR assigns and releases the tip to every agency")
eq(c.req("GET", f"/api/v1/tips/{tid}/attachments/{fid}", token=A)[0], 403, "a released tip does not release its files")
s, js, _ = c.req("GET", f"/api/v1/tips/{tid2}", token=A)
links = [l for l in js.get("links", []) if l["kind"] == "tip" and l["target"] == tid] if s == 200 else []
ok(links and "same" in links[0]["evidence"], "ATF now sees the proposed link with its evidence", str(js.get("links")))
if links:
    s, js, _ = c.req("POST", f"/api/v1/tips/{tid2}/links/{links[0]['id']}", token=A, body={"decision": "confirmed"})
    eq(s, 200, "ATF confirms the link")
eq(c.req("POST", f"/api/v1/tips/{tid}/state", token=A, body={"state": "closed"})[0], 403,
   "ATF may read FGR's released tip but not change it")
eq(c.req("POST", f"/api/v1/tips/{tid}/state", token=H, body={"state": "closed"})[0], 200, "FGR closes its tip")
s, js, _ = c.req("POST", f"/api/v1/tips/{tid}/state", token=H, body={"state": "triaged"})
ok(s == 400 and err_of(js).get("field") == "reason", "reopening needs a reason")
eq(c.req("POST", f"/api/v1/tips/{tid}/state", token=H, body={"state": "triaged", "reason": "new facts"})[0], 200,
   "reopened with a reason")
eq(c.req("POST", f"/api/v1/tips/{tid}/state", token=H, body={"state": "bogus"})[0], 400, "an unknown state is 400")
eq(c.req("POST", f"/api/v1/tips/{tid}/links/abc", token=H, body={"decision": "confirmed"})[0], 404, "a bad link id is 404")
# the part of a tip for the other country (FGR's tip is SHARED by now)
eq(c.req("POST", f"/api/v1/tips/{tid}/split", token=A, body={"country": "US"})[0], 403,
   "ATF may read FGR's released tip but not split it")
eq(c.req("POST", f"/api/v1/tips/{tid}/split", token=H, body={"country": "MX"})[0], 400, "no Mexican part of a Mexican tip")
eq(c.req("POST", f"/api/v1/tips/{tid}/split", token=H, body={"country": "US", "state": "SIN"})[0], 400,
   "the part's state must be of its country")
s, js, _ = c.req("POST", f"/api/v1/tips/{tid}/split", token=H, body={"country": "US", "state": "TX", "text": "The guns are bought in El Paso."})
eq(s, 201, "FGR splits off the US part")
part = js["part"]
s, pj, _ = c.req("GET", f"/api/v1/tips/{part}", token=A)
US_AGENCY = {"firearms": "ATF", "drugs": "DEA", "precursors": "DEA", "smuggling": "HSI", "disappearance": "FBI",
             "corruption": "FBI", "other": "HSI"}  # docs/tips.md, the routing table
ok(s == 200 and pj["owner"] == US_AGENCY[pj["category"]] and pj["country"] == "US" and pj["state"] == "TX",
   "the part is routed to the US agency for the category, about Texas", str(pj))
ok(pj["text"] == "The guns are bought in El Paso." and any(l["target"] == tid for l in pj["links"]),
   "with its own text and a link to the released original", str(pj))
rc, out = cli("audit", "export", "--db", DB)
ok(any(json.loads(l).get("action") == "tip.split" for l in out.splitlines() if l.strip()), "the split is audited")

s, js, _ = c.req("GET", "/api/v1/tips/indicators", token=A)
ok(s == 200 and js["received"] == 3 and js["linked"] == 1 and js["links"]["confirmed"] == 1,
   "indicators: received and linked", str(js))

# every staff action on tips is audited; the tipster's are not
rc, out = cli("audit", "export", "--db", DB)
trail = [json.loads(l) for l in out.splitlines() if l.strip()]
acts = [e["action"] for e in trail]
ok(acts.count("tip.read") >= 3 and "tip.list" in acts and "tip.state" in acts and "tip.link" in acts,
   "staff reads and changes are audited", str(sorted(set(acts))))
ok(not any(XFF in json.dumps(e) or MARK in json.dumps(e) for e in trail), "no marker of the tipster in the trail")

# ---- no identity kept ----
eq(srv.stop(), 0, "the server stops cleanly")
if SQLITE:
    written = [f for f in glob.glob(os.path.join(TMP, "tips_api.db*")) if os.path.isfile(f)]
    ok(len(written) >= 2, "the server wrote its files", str(written))
    hits = []
    for f in written:
        data = open(f, "rb").read()
        for needle in [MARK + "-agent", MARK + "-referer", XFF, "198.51.100.23", "Mozilla/5.0 (X11)"]:
            if needle.encode() in data:
                hits.append((os.path.basename(f), needle))
    eq(hits, [], "no user agent, forwarded address or referer in any file the server wrote (store, WAL, journal, log)")
    ok(any(MARK.encode() + b"-script" in open(f, "rb").read() for f in written),
       "the control: the tip text with its marker is in the store (no seal key here), so the search can find")
else:
    rows = store_query(DB, "SELECT COUNT(*) FROM audit_log WHERE detail LIKE ? OR source LIKE ?", (f"%{MARK}%", f"%{XFF}%"))
    eq(rows[0][0], 0, "no marker in the audit trail (PostgreSQL: the tables)")
dates = store_query(DB, "SELECT received_day, updated_day, COALESCE(closed_day, '') FROM tip")
dates += store_query(DB, "SELECT day, '', '' FROM tip_message")
ok(all(re.fullmatch(r"(\d{4}-\d{2}-\d{2})?", v) for row in dates for v in row), "every date of a tip is a day, no time",
   str(dates[:3]))
finish()
