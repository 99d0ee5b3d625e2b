"""End-to-end tests of the case-database routes of `puente serve`
(/api/v1/kinship/cases/...): the forensic role only, a stated purpose on every
request (header on GET, body member on POST), hits equal to the CLI's, the hit
with its LR per marker and pedigree, the four eyes (the reviewer cannot
confirm), the report in both languages, another country's agency sees nothing,
and the audit entries carry the purpose. Every response is checked against
docs/openapi.yaml. Run by tests/http/e2e_driver.sh."""
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
DB = test_store(os.path.join(TMP, "kinship_case.db"))
D = os.path.join(SRC, "data/kinship/dvi_planecrash")
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
PURPOSE = "Identificación de restos, carpeta FGR/SIN/2026/014"
Q = {"purpose": PURPOSE}

users = [("ana.fgr", "FGR", "forensic"), ("luis.fgr", "FGR", "forensic"), ("fgr.analyst", "FGR", "analyst"),
         ("fbi.for", "FBI", "forensic")]
tok = seed_users(DB, users)
ANA, LUIS = tok["ana.fgr"], tok["luis.fgr"]


def K(*args):
    rc, out = cli("kinship", "case", *args, "--db", DB)
    eq(rc, 0, "kinship case " + args[0])
    return out


K("freqdb", "planecrash", os.path.join(D, "freqs.csv"), "--mutation", os.path.join(D, "mutation_models.csv"))
K("new", "FGR-SIN-1", "--state", "MX-SIN", "--owner", "FGR", "--marking", "MX-ONLY", "--freqdb", "planecrash")
K("add-family", "FGR-SIN-1", os.path.join(D, "am_pedigrees.csv"), "--name", "M. Pérez")
K("add-pm", "FGR-SIN-1", os.path.join(D, "pm_genotypes.csv"), "--site", "El Pozo", "--grave", "F1")
K("add-reference", os.path.join(D, "am_genotypes.csv"), "--consent-document", "CONS-1", "--relation", "hermano")
K("search")
cli_hits = list(csv.DictReader(io.StringIO(K("hits"))))
ok(len(cli_hits) >= 2, "the search stored candidates", str(len(cli_hits)))

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)

# ---- who and why ----
s, js, _ = c.req("GET", "/api/v1/kinship/cases/hits", token=ANA)
eq(s, 400, "a GET without a stated purpose is refused")
eq((js or {}).get("error", {}).get("field"), "purpose", "... naming the purpose")
s, js, _ = c.req("GET", "/api/v1/kinship/cases/hits", token=ANA, headers={"X-Puente-Purpose": "Identification, case 14"})
eq(s, 200, "an ASCII purpose may come as the header")
s, _, _ = c.req("GET", "/api/v1/kinship/cases/hits", token=tok["fgr.analyst"], query=Q)
eq(s, 403, "an analyst may not read kinship hits")
s, _, _ = c.req("GET", "/api/v1/kinship/cases/hits", query=Q)
eq(s, 401, "no token: 401")

# ---- the hits equal the CLI's ----
s, js, _ = c.req("GET", "/api/v1/kinship/cases/hits", token=ANA, query=Q)
eq(s, 200, "forensic reads the hits")
api = {str(h["id"]): h for h in js["hits"]}
eq(sorted(api), sorted(h["hit"] for h in cli_hits), "the same hits as the CLI")
bad = [h for h in cli_hits if abs(float(h["lr"]) - api[h["hit"]]["lr"]) > 1e-9 * float(h["lr"])]
eq(bad, [], "the same LRs (1e-9)")
eq(js["purpose"], PURPOSE, "the purpose is echoed")
s, js, _ = c.req("GET", "/api/v1/kinship/cases/hits", token=tok["fbi.for"], query=Q)
eq((s, len(js["hits"])), (200, 0), "another country's agency sees no MX-ONLY hit")

h1 = cli_hits[0]["hit"]
s, js, _ = c.req("GET", f"/api/v1/kinship/cases/hits/{h1}", token=ANA, query=Q)
eq(s, 200, "one hit")
hit = js["hit"]
prod = sum(m["log10_lr"] for m in hit["markers"])
ok(abs(prod - hit["log10_lr"]) < 1e-3, "the LR per marker multiplies to the LR", f"{prod} vs {hit['log10_lr']}")
roles = {p["role"] for p in hit["pedigree"]}
ok("missing" in roles and any(p["typed"] for p in hit["pedigree"]), "the pedigree comes with the hit", str(hit["pedigree"]))
s, _, _ = c.req("GET", f"/api/v1/kinship/cases/hits/{h1}", token=tok["fbi.for"], query=Q)
eq(s, 404, "an invisible hit is not found")

# ---- four eyes ----
s, js, _ = c.req("GET", f"/api/v1/kinship/cases/hits/{h1}/report", token=ANA, query=Q)
eq(s, 409, "no report before the decision")
s, js, _ = c.req("POST", f"/api/v1/kinship/cases/hits/{h1}/review", token=ANA, body={"note": "x"})
eq(s, 400, "a step without a purpose is refused")
s, js, _ = c.req("POST", f"/api/v1/kinship/cases/hits/{h1}/review", token=ANA,
                 body={"purpose": PURPOSE, "note": "perfil completo"})
eq((s, js and js["hit"]["status"]), (200, "reviewed"), "the first geneticist reviews")
s, js, _ = c.req("POST", f"/api/v1/kinship/cases/hits/{h1}/confirm", token=ANA, body={"purpose": PURPOSE, "prior": 0.01})
eq(s, 403, "the reviewer cannot confirm")
s, js, _ = c.req("POST", f"/api/v1/kinship/cases/hits/{h1}/confirm", token=LUIS, body={"purpose": PURPOSE})
eq(s, 400, "confirm needs the prior")
s, js, _ = c.req("POST", f"/api/v1/kinship/cases/hits/{h1}/confirm", token=LUIS,
                 body={"purpose": PURPOSE, "prior": 0.01, "note": "confirmada"})
eq(s, 200, "a second geneticist confirms")
h = js["hit"]
eq((h["status"], h["reviewed_by"], h["decided_by"]), ("confirmed", "ana.fgr", "luis.fgr"), "both users recorded")
want = h["lr"] * 0.01 / (h["lr"] * 0.01 + 0.99)
ok(math.isclose(h["posterior"], want, rel_tol=1e-12), "posterior = LR·p / (LR·p + 1 − p)", str(h["posterior"]))
s, js, _ = c.req("POST", f"/api/v1/kinship/cases/hits/{h1}/exclude", token=ANA, body={"purpose": PURPOSE})
eq(s, 409, "a decided hit cannot be decided again")
s, _, raw = c.req("GET", f"/api/v1/kinship/cases/hits/{h1}/report", token=ANA,
                  query={"lang": "es", "format": "html", **Q}, check=False)  # text/html, not JSON
eq(s, 200, "the report")
txt = raw.decode("utf-8")
ok("Informe de identificación humana" in txt and "luis.fgr" in txt, "in Spanish, with who decided", txt[:200])
s, _, raw = c.req("GET", f"/api/v1/kinship/cases/hits/{h1}/report", token=ANA, query={"lang": "en", **Q}, check=False)
ok(s == 200 and "Likelihood ratio per marker" in raw.decode("utf-8"), "in English as text", str(s))
h2 = cli_hits[1]["hit"]
c.req("POST", f"/api/v1/kinship/cases/hits/{h2}/review", token=LUIS, body={"purpose": PURPOSE})
s, js, _ = c.req("POST", f"/api/v1/kinship/cases/hits/{h2}/exclude", token=ANA, body={"purpose": PURPOSE, "note": "no"})
eq((s, js and js["hit"]["status"]), (200, "excluded"), "exclusion by the second geneticist")

srv.stop()

# ---- the audit trail carries the purpose ----
rc, out = cli("audit", "export", "--db", DB)
lines = [x for x in out.splitlines() if '"kinship.case.' in x]
ok(any('"kinship.case.confirm"' in x and PURPOSE in x for x in lines), "the confirmation is audited with its purpose",
   str(lines[-3:]))
ok(any('"kinship.case.confirm"' in x and '"denied"' in x for x in lines), "the refused confirmation is audited too",
   str(lines[-3:]))
finish()
