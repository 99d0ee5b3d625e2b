"""End-to-end tests of POST /api/v1/kinship/xstr (X-STR LRs) and POST
/api/v1/kinship/cases/pm/{id}/dropout (a stored sample's per-marker dropout):
forensic role only, a stated purpose, LRs against closed forms computed here
from the frequency file (1e-12), father-son reported uninformative, the CLI's
numbers, the stored dropout read back by the hit after the next search, and
the audit entries. Every response is checked against docs/openapi.yaml. Run
by tests/http/e2e_driver.sh."""
import csv
import io
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "kinship_xstr.db"))
D = os.path.join(SRC, "data/kinship/dvi_planecrash")
XF = os.path.join(SRC, "data/kinship/freq_xstr_argus12_illustrative.csv")
FREQS = open(XF, encoding="utf-8").read()
P = {(r["marker"], r["allele"]): float(r["frequency"]) for r in csv.DictReader(io.StringIO(FREQS))}
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
PURPOSE = "Identificación, carpeta FGR/SON/2026/031"

tok = seed_users(DB, [("ana.fgr", "FGR", "forensic"), ("fgr.analyst", "FGR", "analyst")])
ANA = tok["ana.fgr"]


def K(*args):
    rc, out = cli("kinship", "case", *args, "--db", DB)
    eq(rc, 0, "kinship case " + args[0])
    return out


K("freqdb", "planecrash", os.path.join(D, "freqs.csv"), "--mutation", os.path.join(D, "mutation_models.csv"))
K("new", "FGR-SON-31", "--state", "MX-SON", "--owner", "FGR", "--marking", "MX-ONLY", "--freqdb", "planecrash")
K("add-family", "FGR-SON-31", os.path.join(D, "am_pedigrees.csv"))
K("add-pm", "FGR-SON-31", os.path.join(D, "pm_genotypes.csv"), "--dropout", "0.05")
K("add-reference", os.path.join(D, "am_genotypes.csv"), "--consent-document", "CONS-31")
K("search")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)


def xstr(body, token=ANA):
    return c.req("POST", "/api/v1/kinship/xstr", token=token, body=body)


fd = {"purpose": PURPOSE, "case_ref": "FGR/SON/2026/031", "freqs": FREQS, "relationship": "parent-child",
      "person1": {"sex": "M", "profile": "DXS8378=11;HPRTB=13"},
      "person2": {"sex": "F", "profile": "DXS8378=11/12;HPRTB=13/13"}, "autosomal_lr": 250}
s, js, _ = xstr({k: v for k, v in fd.items() if k != "purpose"})
eq((s, (js or {}).get("error", {}).get("field")), (400, "purpose"), "no purpose: 400 naming it")
s, _, _ = xstr(fd, token=tok["fgr.analyst"])
eq(s, 403, "an analyst may not compute X-STR LRs")
s, js, _ = xstr(fd)
eq(s, 200, "father-daughter")
want = 1 / (2 * P[("DXS8378", "11")]) * 1 / P[("HPRTB", "13")]
ok(math.isclose(js["lr"], want, rel_tol=1e-12), "LR = 1/(2 p_a) x 1/p_b (heterozygous, homozygous daughter)",
   f'{js["lr"]} vs {want}')
ok(math.isclose(js["combined_lr"], want * 250, rel_tol=1e-12), "combined with the autosomal LR by product")
eq((js["status"], js["kappa"]), ("informative", [0, 1, 0]), "kappa of father-daughter")
rc, out = cli("kinship", "xstr", "--freqs", XF, "--relationship", "parent-child", "--sex1", "M", "--person1",
              "DXS8378=11;HPRTB=13", "--sex2", "F", "--person2", "DXS8378=11/12;HPRTB=13/13")
ok(math.isclose(float(out.strip().splitlines()[-1].split(",")[8]), js["lr"], rel_tol=1e-9), "the CLI's LR")
s, js, _ = xstr({**fd, "person2": {"sex": "M", "profile": "DXS8378=12"}})
eq((s, js["status"], js["lr"], js["informative"]), (200, "uninformative", 1, False), "father-son: uninformative, LR 1")
s, js, _ = xstr({**fd, "person1": {"sex": "M", "profile": "DXS8378=11/12"}})
eq((s, js["error"]["field"]), (400, "person1"), "a man with two X alleles is refused, naming the person")
s, js, _ = xstr({**fd, "relationship": "cousins"})
eq((s, js["error"]["field"]), (400, "relationship"), "an unknown relationship is refused")
s, js, _ = xstr({k: v for k, v in fd.items() if k != "relationship"} | {"kappa": [0.5, 0.5]})
both = (0.5 + 0.5 / (2 * P[("DXS8378", "11")])) * (0.5 + 0.5 / P[("HPRTB", "13")])
ok(s == 200 and math.isclose(js["lr_markers_independent"], both, rel_tol=1e-12), "kappa [0.5, 0.5] per marker",
   str(js))

# ---- a stored sample's dropout ----
hits = list(csv.DictReader(io.StringIO(K("hits"))))
ok(len(hits) > 0, "the first search stored candidates", str(len(hits)))
pm = hits[0]["pm_sample"]
url = f"/api/v1/kinship/cases/pm/{pm}/dropout"
s, js, _ = c.req("POST", url, token=ANA, body={"dropout": 0.1})
eq(s, 400, "no purpose: 400")
s, js, _ = c.req("POST", url, token=ANA, body={"purpose": PURPOSE, "dropout": 0.1,
                                               "dropout_csv": "sample,marker,dropout,dropin\nV9,FGA,0.3,0\n"})
eq((s, js["error"]["field"]), (400, "sample"), "a row for another sample is refused, naming the field")
s, js, _ = c.req("POST", url, token=ANA, body={"purpose": PURPOSE, "dropout": 0.1,
                                               "dropout_csv": f"sample,marker,dropout,dropin\n{pm},FGA,0.3,0.02\n"})
eq((s, js["dropout"], js["searched"]), (200, "*=0.1/0;FGA=0.3/0.02", False), "stored per sample and marker")
s, _, _ = c.req("POST", "/api/v1/kinship/cases/pm/NOPE/dropout", token=ANA, body={"purpose": PURPOSE})
eq(s, 404, "an unknown sample: 404")
srv.stop()
K("search")
new = [h for h in csv.DictReader(io.StringIO(K("hits", "--status", "candidate"))) if h["pm_sample"] == pm]
for h in new:
    eq(h["dropout"], "*=0.1/0;FGA=0.3/0.02", "the new hit records the values it was computed with")
old = [h for h in csv.DictReader(io.StringIO(K("hits", "--status", "superseded"))) if h["pm_sample"] == pm]
ok(len(old) >= 1, "the hits computed with the old values are superseded", str(len(old)))

rc, out = cli("audit", "export", "--db", DB)
ok(any('"kinship.xstr"' in x and PURPOSE in x for x in out.splitlines()), "X-STR requests are audited with the purpose")
ok(any('"kinship.case.pm.dropout"' in x and PURPOSE in x for x in out.splitlines()), "so are dropout changes")
finish()
