"""End-to-end tests of the impact indicator routes of `puente serve`
(/api/v1/indicators..., /api/v1/reports/framework; docs/indicators.md):
  - definitions: every reader lists them, only the admin role defines them,
    a bad file is refused naming its line and field;
  - figures computed with the caller's scope: CBP's US-ONLY shipments count
    for a US agency, not for a Mexican one, nor in the version releasable to
    both countries; each equals the CLI's figure for the same reader;
  - a division by zero is a reason with a null value;
  - manual values with their source and marking; the drill-down's rows add
    up to the figure; the records behind it (paged, as many as the figure,
    none the reader may not see, each with its page), refusals (protection,
    a manual figure), audited as indicator.records; the HTML report in both
    languages and releasable.
Every JSON response is checked against docs/openapi.yaml. Run by
tests/http/e2e_driver.sh."""
import csv
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "ind_api.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
YEAR = "2026"

tok = seed_users(DB, [("cbp.an", "CBP", "analyst"), ("fgr.an", "FGR", "analyst"), ("atf.an", "ATF", "analyst"),
                      ("cbp.adm", "CBP", "admin")])
for seed, lines, marking in ((3, "240", "US-ONLY"), (4, "160", "SHARED")):
    m = os.path.join(TMP, f"m{seed}.csv")
    eq(cli("cargo", "generate", "--lines", lines, "--seed", str(seed), "--designated", "0", "--out", m)[0], 0,
       f"manifest {seed} generated")
    rc, _ = cli("cargo", "screen", m, "--owner", "CBP", "--marking", marking, "--out", m + ".res", "--db", DB)
    eq(rc, 0, f"manifest {seed} screened as {marking}")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)

# ---- definitions ----
s, js, _ = c.req("GET", "/api/v1/indicators", token=tok["fgr.an"])
eq((s, js["indicators"]), (200, []), "no indicator before they are defined")
builtin = open(os.path.join(SRC, "data/indicators/framework.csv"), encoding="utf-8").read()
s, js, _ = c.req("POST", "/api/v1/indicators", token=tok["cbp.an"], body={"csv": builtin})
eq(s, 403, "an analyst may not define indicators")
s, js, _ = c.req("POST", "/api/v1/indicators", token=tok["cbp.adm"], body={"csv": builtin.replace(",protect,", ",defend,", 1)})
eq(s, 400, "a bad goal is refused")
ok("body.csv:2" in js["error"]["message"] + js["error"].get("where", "") or js["error"].get("field") == "goal",
   "the error names the line or the field", str(js))
s, js, _ = c.req("POST", "/api/v1/indicators", token=tok["cbp.adm"], body={"csv": builtin})
eq((s, js), (200, {"defined": 21}), "the admin defines the 21 built-in indicators")
s, js, _ = c.req("GET", "/api/v1/indicators", token=tok["fgr.an"])
codes = {d["code"]: d for d in js["indicators"]}
eq(len(codes), 21, "every reader lists them")
eq(codes["PRV-ARMS-01"]["name"]["es"], "Rastreos de armas solicitados por México", "names in both languages")

# ---- figures per reader, against the CLI ----
def figure(token, code, **q):
    s, js, _ = c.req("GET", "/api/v1/indicators/figures", token=token, query={"year": YEAR, "code": code, **q})
    eq(s, 200, f"figures of {code} {q}")
    return next(f for f in js["figures"] if f["period"] == YEAR and f["cell"] == ""), js


def cli_figure(code, *scope):
    rc, out = cli("indicator", "compute", code, "--year", YEAR, "--db", DB, *scope)
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["period"] == YEAR and r["cell"] == "")
    return float(row["value"]) if row["value"] else None


us, js = figure(tok["atf.an"], "PRV-PREC-04")
mx, _ = figure(tok["fgr.an"], "PRV-PREC-04")
rel, _ = figure(tok["atf.an"], "PRV-PREC-04", releasable_to="MX,US")
eq(us["value"], cli_figure("PRV-PREC-04", "--agency", "ATF", "--country", "US"), "ATF's figure = the CLI's for ATF")
eq(mx["value"], cli_figure("PRV-PREC-04", "--agency", "FGR", "--country", "MX"), "FGR's figure = the CLI's for FGR")
eq(us["value"], 400, "a US agency counts CBP's US-ONLY and SHARED lines (240 + 160)")
eq(mx["value"], 160, "a Mexican agency counts only the SHARED lines")
eq(rel["value"], 160, "the releasable version counts only the SHARED lines")
ok("cargo.shipments_screened" in js["names"] and "cargo=" in js["generations"] and js["computed_at"],
   "the figures say when and from what they were computed")
z, _ = figure(tok["atf.an"], "PRV-PREC-02")
eq((z["value"], z["reason"]), (None, "division by zero"), "nothing inspected: no value and the reason, never 0 or inf")
s, js, _ = c.req("GET", "/api/v1/indicators/figures", token=tok["atf.an"], query={"year": YEAR, "by": "city"})
eq(s, 400, "an unknown dimension is refused")
s, js, _ = c.req("GET", "/api/v1/indicators/figures", token=tok["atf.an"], query={"year": YEAR, "releasable_to": "CA"})
eq(s, 400, "an unknown audience is refused")
s, js, _ = c.req("GET", "/api/v1/indicators/figures", token=tok["atf.an"], query={"year": YEAR, "code": "NOPE"})
eq(s, 404, "an unknown indicator is 404")

# ---- drill-down ----
s, js, _ = c.req("GET", "/api/v1/indicators/PRV-PREC-04/drill", token=tok["fgr.an"], query={"period": YEAR})
eq(s, 200, "the drill-down")
eq(sum(r["value"] for r in js["rows"]), 160, "its rows add up to FGR's figure")
ok(all(r["name"] == "cargo.shipments_screened" and r["agency"] == "CBP" for r in js["rows"]), "the rows are CBP's screenings")

# ---- the records behind a figure ----
def records(token, code, **q):
    got, total, offset = [], None, 0
    while total is None or offset < total:
        s, js, _ = c.req("GET", f"/api/v1/indicators/{code}/records", token=token,
                         query={"period": YEAR, "limit": "70", "offset": str(offset), **q})
        eq(s, 200, f"records of {code} {q} from {offset}")
        total = js["total"]
        got += js["records"]
        offset += 70
        if not js["records"]:
            break
    return got, total


fgr_recs, total = records(tok["fgr.an"], "PRV-PREC-04")
eq((total, len(fgr_recs), len({r["id"] for r in fgr_recs})), (160, 160, 160),
   "FGR is listed the 160 records behind its figure, over three pages, each once")
ok(all(r["marking"] == "SHARED" and r["kind"] == "cargo_line" and r["link"] == "/app/cargo" for r in fgr_recs),
   "only CBP's SHARED manifest lines: no US-ONLY one is listed to a Mexican agency")
atf_recs, total = records(tok["atf.an"], "PRV-PREC-04")
eq((total, len(atf_recs)), (400, 400), "ATF is listed the US-ONLY lines too (400)")
rel_recs, total = records(tok["atf.an"], "PRV-PREC-04", releasable_to="MX,US")
eq(total, 160, "releasable to both countries: the 160 SHARED lines")
s, js, _ = c.req("GET", "/api/v1/indicators/PRV-PREC-04/records", token=tok["fgr.an"],
                 query={"period": YEAR, "agency": "-"})
eq((s, js["total"]), (200, 0), "the cell without an agency holds none of CBP's lines")
s, js, _ = c.req("GET", "/api/v1/indicators/PRO-PROT-01/records", token=tok["atf.an"], query={"period": YEAR})
ok(s == 403 and "aggregates only" in js["error"]["message"], "protection figures never list their records", str(js))
s, js, _ = c.req("GET", "/api/v1/indicators/PRO-PROT-01/records", token=tok["atf.an"], query={"period": YEAR},
                 headers={"Accept-Language": "es"})
ok(s == 403 and js["error"]["code"] == "records_refused" and "agregados" in js["error"]["message"], "the refusal in Spanish", str(js))
s, js, _ = c.req("GET", "/api/v1/indicators/PRV-PREC-04/records", token=tok["atf.an"], query={"period": YEAR, "limit": "5000"})
eq(s, 400, "a page is at most 1000 records")
s, js, _ = c.req("GET", "/api/v1/indicators/PRV-PREC-04/records", token=tok["atf.an"], query={"period": YEAR, "part": "x"})
eq(s, 400, "an unknown part is refused")
s, js, _ = c.req("GET", "/api/v1/indicators/PRV-PREC-04/records", token=tok["atf.an"])
eq(s, 400, "the period is required")
rc, out = cli("audit", "export", "--db", DB)
listed = [json.loads(l) for l in out.splitlines() if l.strip() and json.loads(l).get("action") == "indicator.records"]
ok(len(listed) >= 5 and any("listed=70 total=160" in json.dumps(e) for e in listed),
   "every listing is audited as indicator.records, with what it listed", json.dumps(listed[:1]))

# ---- manual values ----
body = {"period": YEAR, "value": 420, "source": "ATF Academy roster", "marking": "SHARED"}
s, js, _ = c.req("POST", "/api/v1/indicators/PRV-TRAIN-01/values", token=tok["atf.an"], body=body)
eq(s, 201, "ATF enters the officials trained")
s, js, _ = c.req("POST", "/api/v1/indicators/PRV-TRAIN-01/values", token=tok["atf.an"], body={"period": YEAR, "value": 1})
eq(s, 400, "a manual value needs its source")
s, js, _ = c.req("POST", "/api/v1/indicators/PRV-TRAIN-01/values", token=tok["fgr.an"],
                 body={"period": YEAR, "value": 5, "source": "x", "marking": "US-ONLY"})
eq(s, 403, "a Mexican agency may not file US-ONLY")
f, _ = figure(tok["fgr.an"], "PRV-TRAIN-01")
eq((f["value"], f["source"], f["manual"]), (420, "ATF Academy roster", True), "FGR reads ATF's SHARED figure with its source")

# ---- the report ----
s, _, raw = c.req("GET", "/api/v1/reports/framework", token=tok["fgr.an"], query={"year": YEAR, "lang": "es"}, check=False)
html = raw.decode()
eq(s, 200, "the report as HTML")
ok("Marco Bicentenario: resultados 2026" in html and "Perseguir a las redes criminales" in html, "in Spanish")
ok('data-code="PRV-PREC-04"><tr><th scope="row">Valor</th><td>160</td>' in html, "FGR's report shows FGR's figure")
s, _, raw = c.req("GET", "/api/v1/reports/framework", token=tok["atf.an"],
                  query={"year": YEAR, "lang": "en", "releasable_to": "MX,US"}, check=False)
html = raw.decode()
ok(s == 200 and "Releasable to MX, US" in html, "the releasable report says so")
ok('data-code="PRV-PREC-04"><tr><th scope="row">Value</th><td>160</td>' in html and ">400<" not in html,
   "the releasable report never shows the count with US-ONLY lines")
s, js, _ = c.req("GET", "/api/v1/reports/framework", token=tok["atf.an"], query={"year": YEAR, "lang": "fr"})
eq(s, 400, "an unknown language is refused")
# the same releasable report as PDF (Chromium prints the HTML): its text read back with pdftotext
import subprocess  # noqa: E402
s, _, raw = c.req("GET", "/api/v1/reports/framework", token=tok["atf.an"],
                  query={"year": YEAR, "lang": "en", "releasable_to": "MX,US", "format": "pdf"}, check=False)
ok(s == 200 and raw[:5] == b"%PDF-", "the report as PDF", f"{s} {raw[:40]!r}")
pdf = os.path.join(TMP, "report.pdf")
with open(pdf, "wb") as fh:
    fh.write(raw)
text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout
ok("Releasable to MX, US" in text and "160" in text and " 400 " not in text,
   "the PDF holds the releasable figures and not the US-ONLY count", text[:300])
eq(c.req("GET", "/api/v1/reports/framework", token=tok["atf.an"], query={"year": YEAR, "format": "docx"})[0], 400,
   "an unknown format is refused")

eq(srv.stop(), 0, "server stops cleanly")
finish()
