"""End-to-end tests of POST /api/v1/cargo/manifests (manifest import and
screening over the API): CSV, JSON lines and JSON bodies give the same results
as `puente cargo screen` on the same file; a bad line is named and nothing is
stored; markings decide whose queue shows the lines; roles, content types,
the body cap and the audit trail. Designated parties are a real subset of the
bundled OFAC SDN list (the narcotics programmes) plus one party only DEA may
see. Every response is checked against docs/openapi.yaml. Run by
tests/http/e2e_cargo_manifests.sh."""
import csv
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, raw_post, seed_users, store_query, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "cargo_manifests.db"))
ROUTE = "/api/v1/cargo/manifests"
MAX_BODY = 1 << 20
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
# the marking of records filed without one: the store's one default
DEFAULT_MARKING = re.search(r'#define STORE_DEFAULT_MARKING "([^"]+)"',
                            open(os.path.join(SRC, "src/store/store.h")).read()).group(1)

tok = seed_users(DB, [("cbp.an", "CBP", "analyst"), ("cbp.sup", "CBP", "supervisor"), ("anam.an", "ANAM", "analyst"),
                      ("dea.an", "DEA", "analyst"), ("cbp.tip", "CBP", "tip-handler"), ("cbp.aud", "CBP", "auditor"),
                      ("cbp.adm", "CBP", "admin")])
A, S, X, D = tok["cbp.an"], tok["cbp.sup"], tok["anam.an"], tok["dea.an"]


# ---- designated parties: the narcotics programmes of the bundled SDN list ----
def ofac_subset(dst):
    os.makedirs(dst, exist_ok=True)
    keep = set()
    src = os.path.join(SRC, "data/ofac")
    with open(os.path.join(src, "sdn.csv"), encoding="latin-1", newline="") as f, \
            open(os.path.join(dst, "sdn.csv"), "w", encoding="latin-1", newline="") as g:
        w = csv.writer(g)
        for row in csv.reader(f):
            if len(row) > 3 and row[3].strip() in ("SDNTK", "SDNT") and len(keep) < 600:
                keep.add(row[0])
                w.writerow(row)
    for name in ("alt.csv", "add.csv"):
        with open(os.path.join(src, name), encoding="latin-1", newline="") as f, \
                open(os.path.join(dst, name), "w", encoding="latin-1", newline="") as g:
            w = csv.writer(g)
            for row in csv.reader(f):
                if row and row[0] in keep:
                    w.writerow(row)
    return len(keep)


n_sdn = ofac_subset(os.path.join(TMP, "ofac"))
ok(n_sdn >= 300, "a subset of the SDN narcotics programmes", str(n_sdn))
eq(cli("import", "ofac", os.path.join(TMP, "ofac"), "--db", DB)[0], 0, "import the SDN subset")

# ---- the same manifest as a file for the CLI and as bodies for the API ----
m_csv, m_jsonl = os.path.join(TMP, "m.csv"), os.path.join(TMP, "m.jsonl")
eq(cli("cargo", "generate", "--lines", "300", "--seed", "17", "--party-rate", "0.05", "--out", m_csv, "--db", DB)[0], 0,
   "generate a CSV manifest")
eq(cli("cargo", "generate", "--lines", "120", "--seed", "23", "--party-rate", "0.05", "--jsonl", "--out", m_jsonl,
       "--db", DB)[0], 0, "generate a JSON-lines manifest")


def cli_results(path):
    out = os.path.join(TMP, os.path.basename(path) + ".r.jsonl")
    rc, _ = cli("cargo", "screen", path, "--db", DB, "--dry-run", "--input-order", "--format", "json", "--out", out)
    eq(rc, 0, f"CLI screens {os.path.basename(path)}")
    return [json.loads(line) for line in open(out)]


def count(table):
    try:
        return store_query(DB, f"SELECT COUNT(*) FROM {table}")[0][0]
    except RuntimeError:  # no such table yet
        return 0


KEYS = ("awb", "hawb", "score", "decision", "reasons_text", "reasons", "chemicals", "parties", "invalid_cas")


def same(api, ref, name, line=True):
    keys = KEYS + (("line",) if line else ())
    a = [{k: r.get(k) for k in keys} for r in api]
    b = [{k: r.get(k) for k in keys} for r in ref]
    diff = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)
    ok(len(a) == len(b) and diff is None, name,
       f"({len(a)} vs {len(b)} lines; first difference at {diff}: {a[diff] if diff is not None else ''} != "
       f"{b[diff] if diff is not None else ''})")


ref_csv = cli_results(m_csv)
ref_jsonl = cli_results(m_jsonl)
ok(any(r["parties"] for r in ref_csv), "the CLI finds designated parties in the generated manifest")
ok(any(r["decision"] == "hold" for r in ref_csv) and any(r.get("invalid_cas") for r in ref_csv + ref_jsonl),
   "the manifests hold precursor lines and invalid CAS numbers")

HIDDEN = "Reactivos Finos del Bajio Internacional"
hidden = os.path.join(TMP, "hidden.jsonl")
with open(hidden, "w") as f:
    f.write(json.dumps({"id": "dea-rfb", "schema": "Organization", "properties": {"name": [HIDDEN], "country": ["mx"],
                                                                                      "topics": ["sanction"]}}) + "\n")
eq(cli("import", "ftm", hidden, "--owner", "DEA", "--marking", "AGENCY-ONLY", "--db", DB)[0], 0,
   "a designated party only DEA may see")

srv = Server(DB, "--threads", "2", "--max-body", str(MAX_BODY))
c = Client(srv.port, spec)
CSV = {"Content-Type": "text/csv"}
NDJSON = {"Content-Type": "application/x-ndjson"}
JSON = {"Content-Type": "application/json"}


def post(token, data, headers, query=None):
    return c.req("POST", ROUTE, token=token, raw=data if isinstance(data, bytes) else data.encode(), headers=headers,
                 query=query)


def err_of(js):
    return (js or {}).get("error", {})


# ---- same results as the CLI, for every body format (dry runs: same history) ----
jsonl_bytes = open(m_jsonl, "rb").read()
s, js, _ = post(A, jsonl_bytes, NDJSON, {"dry_run": "true", "order": "input"})
eq((s, js and js["stored"], js and js["batch_id"]), (200, False, None), "JSON lines, dry run: screened, not stored")
same(js["results"] if s == 200 else [], ref_jsonl, "JSON lines body: results equal the CLI's on the same file")
ok(s == 200 and js["parties_screened"] and js["lines"] == len(ref_jsonl), "parties screened, every line answered")
array = json.dumps([json.loads(line) for line in jsonl_bytes.decode().splitlines() if line.strip()])
s, js, _ = post(A, array, JSON, {"dry_run": "true", "order": "input"})
same(js["results"] if s == 200 else [], ref_jsonl, "JSON array body: results equal the CLI's", line=False)
ok(s == 200 and [r["line"] for r in js["results"]] == list(range(1, len(ref_jsonl) + 1)),
   "a JSON array numbers its records")
one = json.loads(jsonl_bytes.decode().splitlines()[0])
s, js, _ = post(A, json.dumps(one), {"Content-Type": "application/json; charset=utf-8"}, {"dry_run": "true"})
ok(s == 200 and js["lines"] == 1 and js["results"][0]["awb"] == one["awb"], "one JSON object is one line")
eq((count("cargo_shipment"), count("cargo_batch")), (0, 0), "dry runs store nothing")

s, js, _ = post(A, open(m_csv, "rb").read(), CSV, {"order": "input", "source": "m.csv"})
eq(s, 201, "CSV body stored: 201")
res = js["results"] if s == 201 else []
same(res, ref_csv, "CSV body: results equal the CLI's on the same file")
ok(s == 201 and js["stored"] and isinstance(js["batch_id"], int) and js["owner"] == "CBP" and js["marking"] == DEFAULT_MARKING,
   "a batch of the caller's agency, under the store's default marking")
cnt = {d: sum(r["decision"] == d for r in ref_csv) for d in ("hold", "review", "release")}
ok(s == 201 and js["counts"] == cnt and js["lines"] == 300, "counts per decision", str(js and js.get("counts")))
ok(s == 201 and js["lines_with_invalid_cas"] == sum(bool(r.get("invalid_cas")) for r in ref_csv),
   "lines with invalid CAS numbers are counted")
bad_cas = [r for r in res if r.get("invalid_cas")]
ok(bad_cas and all(any(x["rule"] == "cas_invalid" for x in r["reasons"]) and
                   all(ch["cas"] not in r["invalid_cas"].split(";") for ch in r["chemicals"]) for r in bad_cas),
   "invalid CAS check digits are reported by rule cas_invalid, never matched")
eq((count("cargo_shipment"), count("cargo_batch")), (300, 1), "300 shipments and one batch stored")
BATCH = js["batch_id"] if s == 201 else -1
s, js, _ = post(A, open(m_csv, "rb").read(), CSV)
ok(s == 201 and all(a["score"] >= b["score"] for a, b in zip(js["results"], js["results"][1:])),
   "ranked by score by default")
again = js["results"] if s == 201 else []
ok(again and all(not any(x["rule"] == "first_time_consignee" for x in r["reasons"]) for r in again),
   "the history rules see the stored batch: no consignee is first-time the second time")
eq((count("cargo_shipment"), count("cargo_batch")), (300, 2), "the same AWBs again: replaced, a new batch")

# the stored lines are the queue
s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=A, query={"limit": "100000"})
queue = {(r["awb"], r["hawb"]): r for r in js["results"]} if s == 200 else {}
want = {(r["awb"], r["hawb"]): r for r in again if r["decision"] != "release"}
ok(s == 200 and set(queue) == set(want) and all(queue[k]["score"] == want[k]["score"] for k in want),
   "the queue holds exactly the hold and review lines, with their scores")

# ---- a bad line is named and nothing is stored ----
before = (count("cargo_shipment"), count("cargo_batch"))
lines = open(m_csv, encoding="utf-8").read().splitlines()
hdr = lines[0].split(",")
wi = hdr.index("weight_kg")


def with_field(line, idx, value):
    row = next(csv.reader([line]))
    row[idx] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    return buf.getvalue().rstrip("\n")


bad = [lines[0], lines[1], with_field(lines[2], wi, "heavy"), lines[3], with_field(lines[4], wi, "-3")]
s, js, _ = post(A, "\n".join(bad) + "\n", CSV)
e = err_of(js)
ok(s == 400 and e.get("field") == "line 3.weight_kg" and "line 3" in e.get("message", "")
   and "2 bad lines" in e.get("message", ""), "a bad CSV line: 400 naming line and field, and how many", str(e))
rows = [json.loads(x) for x in jsonl_bytes.decode().splitlines()[:3]]
rows[1]["pieces"] = "many"
s, js, _ = post(A, json.dumps(rows), JSON)
eq((s, err_of(js).get("field")), (400, "record 2.pieces"), "a bad JSON record: 400 naming record and field")
s, js, _ = post(A, (json.dumps(rows[0]) + "\n").encode() + b'{"awb":"1","description":"caf\xe9"}\n', NDJSON)
eq((s, err_of(js).get("field")), (400, "line 2.json"), "invalid UTF-8: 400 naming the line")
s, js, _ = post(A, "awb,description,weight\n1,Acetone,5\n", CSV)
ok(s == 400 and err_of(js).get("field") == "line 1.header" and "weight" in err_of(js).get("message", ""),
   "an unknown column is refused, not ignored")
s, js, _ = post(A, lines[0] + "\n" + lines[1] + '\n"172-1,unclosed\n', CSV)
eq((s, err_of(js).get("field")), (400, "line 3.csv"), "malformed CSV quoting: 400 naming the line")
huge = "awb,description\n1,Cotton\n2," + "acetone " * 9000 + "\n"
s, js, _ = post(A, huge, CSV)
ok(s == 400 and err_of(js).get("field") == "line 3.description" and "65536" in err_of(js).get("message", ""),
   "a huge description: 400 naming line and field and the cap")
s, js, _ = post(A, b"awb,description\n1,a\x00b\n", CSV)
eq((s, err_of(js).get("field")), (400, "line 2.body"), "a NUL byte: 400 naming the line")
s, js, _ = post(A, "awb,description\n", CSV)
eq((s, err_of(js).get("field")), (400, "body"), "no manifest line: 400")
# issue 16: a repeated AWB+HAWB (one would be lost in the store) and an arrival
# before the departure refuse the submission, naming both lines / the field
s, js, _ = post(A, "awb,hawb,description\n916-1,H,Acetone\n916-2,H,Cotton\n916-1,H,Cotton\n", CSV)
e = err_of(js)
ok(s == 400 and e.get("field") == "line 4.awb" and "repeats line 2" in e.get("message", ""),
   "a repeated AWB+HAWB: 400 naming both lines", str(e))
s, js, _ = post(A, "awb,description,departure_date,arrival_date\n916-3,Acetone,2026-01-05,2026-01-02\n", CSV)
e = err_of(js)
ok(s == 400 and e.get("field") == "line 2.arrival_date" and "before the departure" in e.get("message", ""),
   "an arrival before the departure: 400 naming the field", str(e))
eq((count("cargo_shipment"), count("cargo_batch")), before, "refused submissions store nothing")
eq((count("cargo_shipment"), count("cargo_batch")), before, "nothing was stored by any refused body")

# ---- body cap, content types, query parameters ----
def oversize(token, size, chunked):
    """POST a CSV body of about size bytes (see apitest.raw_post)."""
    body = b"awb,description\n" + b"1,Cotton T-shirts\n" * (size // 18)
    return raw_post(srv.port, ROUTE, token, body, "text/csv", chunked)


before = (count("cargo_shipment"), count("cargo_batch"))
eq(oversize(A, MAX_BODY + 100, False), 413, "a body over the cap (Content-Length): 413")
eq(oversize(A, MAX_BODY + 100, True), 413, "a chunked body over the cap: 413")
eq((count("cargo_shipment"), count("cargo_batch")), before, "nothing stored from an oversize body")
s, js, _ = post(A, "awb,description\n1,a\n", {"Content-Type": "text/plain"})
eq((s, err_of(js).get("field")), (415, "Content-Type"), "another media type: 415")
s, js, _ = post(A, "awb,description\n1,a\n", {"Content-Type": "text/csv; charset=latin-1"})
eq(s, 415, "a charset other than UTF-8: 415")
s, js, _ = post(A, "awb,description\n1,a\n", CSV, {"colour": "red"})
eq((s, err_of(js).get("field")), (400, "colour"), "an unknown query parameter: 400")
s, js, _ = post(A, "awb,description\n1,a\n", CSV, {"dry_run": "maybe"})
eq(s, 400, "dry_run must be true or false")
s, js, _ = post(A, "awb,description\n1,a\n", CSV, {"marking": "SECRET"})
eq((s, err_of(js).get("field")), (400, "marking"), "an unknown marking: 400")
s, js, _ = post(A, "awb,description\n1,a\n", CSV, {"marking": "MX-ONLY"})
eq((s, err_of(js).get("field")), (403, "marking"), "a US agency may not mark MX-ONLY: 403")

# ---- roles ----
for name in ("cbp.tip", "cbp.aud", "cbp.adm"):
    s, js, _ = post(tok[name], "awb,description\n1,a\n", CSV)
    eq(s, 403, f"{name.split('.')[1]} may not submit manifests")
s, js, _ = post(None, "awb,description\n1,a\n", CSV)
eq(s, 401, "no token: 401")
s, js, _ = post(S, "awb,description\nS-1,Cotton\n", CSV, {"dry_run": "true"})
eq(s, 200, "a supervisor may submit manifests")
eq((count("cargo_shipment"), count("cargo_batch")), before, "refusals and dry runs stored nothing")

# ---- markings decide whose queue shows the lines ----
HOLD = "4-ANPP 99% powder CAS 21409-26-7"


def marked(prefix, n=2):
    return "awb,hawb,description\n" + "".join(f"{prefix}-{i},H{i},{HOLD}\n" for i in range(n))


def queue_awbs(token):
    s, js, _ = c.req("GET", "/api/v1/cargo/queue", token=token, query={"limit": "100000", "all": "true"})
    return {r["awb"] for r in js["results"]} if s == 200 else set()


eq(post(A, marked("AO"), CSV, {"marking": "AGENCY-ONLY"})[0], 201, "CBP stores AGENCY-ONLY lines")
eq(post(A, marked("US"), CSV, {"marking": "US-ONLY"})[0], 201, "CBP stores US-ONLY lines")
eq(post(X, marked("MX"), CSV, {"marking": "MX-ONLY"})[0], 201, "ANAM stores MX-ONLY lines")
eq(post(X, marked("SH"), CSV, {"marking": "SHARED"})[0], 201, "ANAM stores SHARED lines")
qa, qx, qd = queue_awbs(A), queue_awbs(X), queue_awbs(D)
ok({"AO-0", "US-0", "SH-0"} <= qa and "MX-0" not in qa, "CBP's queue: its own, US-ONLY and SHARED lines, not MX-ONLY")
ok({"MX-0", "SH-0"} <= qx and not {"AO-0", "US-0"} & qx, "ANAM's queue: no CBP AGENCY-ONLY or US-ONLY line")
ok({"US-0", "SH-0"} <= qd and not {"AO-0", "MX-0"} & qd, "DEA's queue: US-ONLY and SHARED, not CBP's AGENCY-ONLY")
s, js, _ = c.req("POST", "/api/v1/cargo/dispositions", token=X, body={"awb": "AO-0", "outcome": "held"})
eq(s, 404, "a line hidden by its marking cannot be disposed")

# ---- parties are screened as the caller may see them ----
hb = f"awb,consignee_name,consignee_country,description\nP-1,{HIDDEN},MX,Cotton T-shirts\n"
s, js, _ = post(D, hb, CSV, {"dry_run": "true"})
ok(s == 200 and any(p["entity_id"] == "dea-rfb" for p in js["results"][0]["parties"]),
   "DEA's submission matches the designated party only DEA may see")
s, js, _ = post(A, hb, CSV, {"dry_run": "true"})
ok(s == 200 and not any(p["entity_id"] == "dea-rfb" for p in js["results"][0]["parties"]),
   "CBP's submission never reports it")

# ---- audit ----
s, js, _ = c.req("GET", "/api/v1/audit", token=tok["cbp.aud"], query={"limit": "10000"})
ent = [e for e in (js["entries"] if s == 200 else []) if e["action"] == "cargo.manifest.import"]
ok(any(e["targets"] == f"cargo-batch-{BATCH}" and e["outcome"] == "success" and "lines=300" in e["detail"]
       and e["user"] == "cbp.an" for e in ent), "a stored manifest is audited with its batch and counts", str(ent[:2]))
ok(any(e["outcome"] == "invalid" for e in ent), "a refused manifest is audited")
ok(any(e["outcome"] == "denied" and e["user"] == "cbp.tip" for e in ent), "a role denial is audited")
ok(any("dry_run" in e["detail"] and e["outcome"] == "success" for e in ent), "a dry run is audited")

eq(srv.stop(), 0, "server stops cleanly")
finish()
