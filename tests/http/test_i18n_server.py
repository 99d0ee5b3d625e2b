"""A server started in Spanish (PUENTE_LANG=es_MX.UTF-8 or `puente --lang es
serve`) does not switch the API's language: the process's language is its own
output; every request is answered in the request's language (docs/web.md
"Languages"): an English request gets the detailed English message that
pu_fail formatted in the request's thread, a Spanish one the catalogue's
message of its error code."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "i18n_server.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
tok = seed_users(DB, [("dea.an", "DEA", "analyst")])

os.environ["PUENTE_LANG"] = "es_MX.UTF-8"   # the server process (and only it) in Spanish
srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)
bad = json.dumps({"id": "bad-date", "schema": "Person",
                  "properties": {"name": ["Fecha Mala"], "birthDate": ["18/11/1970"]}}).encode()
for _ in range(3):   # several requests, so several of the server's threads are likely to answer
    s, js, _ = c.req("POST", "/api/v1/entities/upload", token=tok["dea.an"], raw=bad)
    msg = (js or {}).get("error", {}).get("message", "")
    ok(s == 400 and "expected an ISO 8601 date YYYY-MM-DD" in msg and "write 1970-11-18" in msg
       and "se esperaba" not in msg, "an English request gets the English detail", str(js))
s, js, _ = c.req("POST", "/api/v1/entities/upload", token=tok["dea.an"], raw=bad,
                 headers={"Accept-Language": "es-MX,es;q=0.9"})
eq((js or {}).get("error", {}).get("message"), "La solicitud no es válida.",
   "a Spanish request gets the catalogue's Spanish message of its error code")
s, js, _ = c.req("GET", "/api/v1/entities/no-such-id", token=tok["dea.an"])
ok(s == 404 and "se " not in (js or {}).get("error", {}).get("message", "x"), "a 404 is English too", str(js))
eq(srv.stop(), 0, "the server stops cleanly")
finish()
