"""End-to-end tests of `puente serve`: every route over HTTP, bad input of
every kind, limits, the audit of requests, OpenAPI conformance and graceful
shutdown. Run by tests/http/e2e_driver.sh (needs PUENTE_BIN and TMPDIR)."""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, raw_post, sqlite_only, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "api.db"))
PW = "correct horse battery staple"
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

# ---- setup through the CLI ----
eq(cli("agency", "seed", "--db", DB)[0], 0, "agency seed")
users = {
    "dea.an": ("DEA", "analyst"), "dea.sup": ("DEA", "supervisor"), "dea.adm": ("DEA", "admin"),
    "dea.aud": ("DEA", "auditor"), "fgr.an": ("FGR", "analyst"), "ofac.an": ("OFAC", "analyst"),
    "fgr.tip": ("FGR", "tip-handler"), "fbi.an": ("FBI", "analyst"), "fgr.sup": ("FGR", "supervisor"),
}
tok = {}
for name, (ag, role) in users.items():
    pw = ["--password-stdin", "--permanent"] if name in ("dea.an", "dea.adm") else []
    rc, _ = cli("user", "add", name, "--agency", ag, "--role", role, "--db", DB, *pw, stdin=PW + "\n")
    eq(rc, 0, f"user add {name}")
    rc, out = cli("token", "create", name, "--db", DB)
    ok(rc == 0 and out.startswith("pt_") and "\n" not in out, f"token create {name} prints only the token")
    tok[name] = out
cli("user", "add", "lock.me", "--agency", "CBP", "--role", "analyst", "--db", DB, "--password-stdin", "--permanent", stdin=PW + "\n")

srv = Server(DB, "--threads", "2", "--max-body", "65536")
c = Client(srv.port, spec)
have_screen = "POST /api/v1/screen" in cli("serve", "--list-routes")[1].splitlines()


def err_of(js):
    return (js or {}).get("error", {})


# ---- routes vs OpenAPI ----
routes = set(cli("serve", "--list-routes")[1].splitlines())
documented = {f"{m} {t}" for m, t, _ in spec.routes}
ok(routes <= documented, "every route is in docs/openapi.yaml", str(routes - documented))
screen_routes = {"POST /api/v1/screen", "POST /api/v1/compare", "GET /api/v1/decisions", "POST /api/v1/decisions",
                 "POST /match/{dataset}"}
ok(documented - routes <= screen_routes, "every documented route is served",
   str(documented - routes - screen_routes))

# ---- service ----
for p in ("/api/v1/health", "/healthz"):
    s, js, _ = c.req("GET", p)
    ok(s == 200 and js["status"] == "ok", f"GET {p}")
s, js, _ = c.req("GET", "/api/v1/version")
ok(s == 200 and js["name"] == "puente", "version")
s, js, raw = c.req("DELETE", "/api/v1/health")
ok(s == 405 and err_of(js).get("code") == "method_not_allowed", "wrong method is 405")
s, js, _ = c.req("GET", "/api/v1/nothing-here")
ok(s == 404 and err_of(js).get("code") == "not_found", "unknown route is 404")

# ---- authentication ----
s, js, _ = c.req("GET", "/api/v1/entities")
ok(s == 401 and err_of(js).get("code") == "unauthenticated", "no token is 401")
s, js, _ = c.req("GET", "/api/v1/entities", token="pt_forged")
eq(s, 401, "a forged token is 401")
s, js, _ = c.req("GET", "/api/v1/entities", headers={"Authorization": "ApiKey " + tok["dea.an"]})
eq(s, 200, "yente's 'ApiKey' header is accepted")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "dea.an", "password": "wrong password!!"})
eq(s, 401, "login with a wrong password is 401")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "dea.an", "password": PW})
ok(s == 200 and js["session"].startswith("ps_") and js["user"]["agency"] == "DEA", "login returns a session")
sess = js["session"]
s, js, _ = c.req("GET", "/api/v1/me", token=sess)
ok(s == 200 and js["user"] == "dea.an" and js["country"] == "US" and "read" in js["permissions"], "me with a session")
s, js, _ = c.req("POST", "/api/v1/logout", token=sess)
eq(s, 200, "logout")
s, js, _ = c.req("GET", "/api/v1/me", token=sess)
eq(s, 401, "the session is gone after logout")
for i in range(5):
    c.req("POST", "/api/v1/login", body={"user": "lock.me", "password": "not the password"})
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "lock.me", "password": PW})
eq(s, 401, "5 failures lock the account: the right password is refused")
s2, js2, _ = c.req("POST", "/api/v1/login", body={"user": "nobody", "password": PW})
eq(err_of(js2).get("message"), err_of(js).get("message"), "unknown user and locked account answer alike")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "dea.an"})
ok(s == 400 and err_of(js).get("field") == "password", "login without password is 400 naming the field")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "dea.an", "password": PW, "otp": "1"})
ok(s == 400 and err_of(js).get("field") == "otp", "unknown login field is 400")

# ---- entities: create / read / update / delete ----
A = tok["dea.an"]
person = {"id": "case-1", "schema": "Person", "properties": {"name": ["Juan Pérez Treviño"], "birthDate": ["1970-03-02"]},
          "marking": "SHARED", "caveats": "les"}
s, js, _ = c.req("POST", "/api/v1/entities", token=A, body=person)
ok(s == 201 and js["id"] == "dea-case-1" and js["owner"] == "DEA" and js["marking"] == "SHARED"
   and js.get("caveats") == "LES", "create: namespaced id, owner, marking, caveats", json.dumps(js))
s, js, _ = c.req("POST", "/api/v1/entities", token=A, body=person)
eq(s, 409, "create twice is 409")
hidden = {"id": "dea-secret-1", "schema": "Person", "properties": {"name": ["Zacarias Oculto"]}}
s, js, _ = c.req("POST", "/api/v1/entities", token=A, body=hidden)
ok(s == 201 and js["marking"] == "AGENCY-ONLY", "default marking is AGENCY-ONLY")
s, js, _ = c.req("GET", "/api/v1/entities/dea-case-1", token=tok["fgr.an"])
ok(s == 200 and js["properties"]["name"] == ["Juan Pérez Treviño"], "SHARED is visible to MX")
s, js_hidden, _ = c.req("GET", "/api/v1/entities/dea-secret-1", token=tok["fgr.an"])
s2, js_absent, _ = c.req("GET", "/api/v1/entities/dea-secret-2", token=tok["fgr.an"])
ok(s == 404 and s2 == 404, "hidden and absent are both 404")
eq(err_of(js_hidden)["message"].replace("secret-1", "X"), err_of(js_absent)["message"].replace("secret-2", "X"),
   "hidden and absent answer with the same message")
s, js, _ = c.req("GET", "/api/v1/entities/dea-secret-1", token=tok["fbi.an"])
eq(s, 404, "AGENCY-ONLY is hidden from another US agency")
s, js, _ = c.req("GET", "/api/v1/entities/dea%2Dsecret-1", token=A)
eq(s, 200, "percent-encoded path")
upd = dict(person, id="dea-case-1", properties={"name": ["Juan Perez Trevino"], "alias": ["El Juanito"]})
s, js, _ = c.req("PUT", "/api/v1/entities/dea-case-1", token=A, body=upd)
ok(s == 200 and js["properties"].get("alias") == ["El Juanito"] and js["marking"] == "SHARED", "update")
s, js, _ = c.req("PUT", "/api/v1/entities/dea-case-1", token=tok["fgr.an"], body=upd)
eq(s, 403, "another agency cannot update a visible record (403)")
s, js, _ = c.req("PUT", "/api/v1/entities/dea-secret-1", token=tok["fgr.an"], body=dict(hidden, id="dea-secret-1"))
eq(s, 404, "another agency cannot even find a hidden record to update (404)")
s, js, _ = c.req("PUT", "/api/v1/entities/dea-case-1", token=A, body=dict(upd, id="dea-other"))
ok(s == 400 and err_of(js)["field"] == "id", "update with a different body id is 400")
s, js, _ = c.req("POST", "/api/v1/entities", token=tok["fgr.an"], body=dict(person, id="x", marking="US-ONLY"))
ok(s == 403 and err_of(js)["field"] == "marking", "an MX agency cannot mark US-ONLY")
s, js, _ = c.req("POST", "/api/v1/entities", token=A, body=dict(person, id="y", owner="FBI"))
eq(s, 403, "a user cannot write for another agency")
s, js, _ = c.req("POST", "/api/v1/entities", token=tok["fgr.tip"], body=dict(person, id="z"))
eq(s, 403, "tip-handlers cannot write records")
s, js, _ = c.req("DELETE", "/api/v1/entities/dea-secret-1", token=A)
eq(s, 403, "analysts cannot delete")
s, js, _ = c.req("DELETE", "/api/v1/entities/dea-secret-1", token=tok["dea.sup"])
ok(s == 200 and js["deleted"] == "dea-secret-1", "supervisor deletes")
s, js, _ = c.req("GET", "/api/v1/entities/dea-secret-1", token=A)
eq(s, 404, "deleted is gone")

# ---- bad input: never a 500 ----
bad_bodies = [
    (b"{bad json", "body", "invalid"),
    (b"[1,2]", "body", "invalid"),
    (b"", "body", "invalid"),
    (b'{"id":"a","schema":"Person","properties":{"name":["x"]},"colour":"red"}', "colour", "invalid"),
    (b'{"id":"a","schema":"Person","properties":{"name":["x"]},"marking":5}', "marking", "invalid"),
    (b'{"id":"a","schema":"Person","properties":{"name":["x"]},"marking":"SECRET"}', "marking", "invalid"),
    (b'{"id":"a","schema":"Unicorn","properties":{}}', None, "invalid"),
    (b'{"id":"a","schema":"Person","properties":{"name":[5]}}', None, "invalid"),
    (b'{"id":"a","schema":"Person","properties":{"colour":["red"]}}', None, "invalid"),
    (b'{"id":"a","id":"b","schema":"Person","properties":{}}', "body", "invalid"),
    (b'{"id":"a","schema":"Person","properties":{"name":["\xff\xfe"]}}', None, "invalid"),
    (b'{"id":"a","schema":"Person","properties":{"name":["x"]},"caveats":"TOPSECRET"}', "caveats", "invalid"),
]
for raw, field, code in bad_bodies:
    s, js, _ = c.req("POST", "/api/v1/entities", token=A, raw=raw, headers={"Content-Type": "application/json"})
    ok(s == 400 and err_of(js).get("code") == code and (field is None or err_of(js).get("field") == field),
       f"bad body {raw[:50]!r} is 400 {field or ''}", f"(got {s} {js})")
for q, field in [({"foo": "1"}, "foo"), ({"limit": "abc"}, "limit"), ({"limit": "0"}, "limit"),
                 ({"limit": "100000"}, "limit"), ({"offset": "-1"}, "offset"), ({"schema": "Unicorn"}, "schema")]:
    s, js, _ = c.req("GET", "/api/v1/entities", token=A, query=q)
    ok(s == 400 and err_of(js).get("field") == field, f"bad query {q} is 400 naming {field}", f"(got {s} {js})")
big = b'{"id":"a","schema":"Person","properties":{"name":["' + b"x" * 70000 + b'"]}}'
s, js, _ = c.req("POST", "/api/v1/entities", token=A, raw=big, headers={"Content-Type": "application/json"})
ok(s == 413 and err_of(js).get("code") == "too_large", "oversize body (Content-Length) is 413")


eq(raw_post(srv.port, "/api/v1/entities", A, b"x" * 100000, chunked=True), 413, "oversize chunked body is 413")

# ---- upload (FtM JSON lines) ----
lines = [{"id": f"up-{i}", "schema": "Company", "properties": {"name": [f"Transportes Upload {i} SA de CV"]},
          "datasets": ["dea_cases"]} for i in range(3)]
nd = "\n".join(json.dumps(x) for x in lines).encode() + b"\n"
s, js, _ = c.req("POST", "/api/v1/entities/upload", token=A, raw=nd, query={"marking": "SHARED"})
ok(s == 200 and js["imported"] == 3, "upload 3 lines")
s, js, _ = c.req("GET", "/api/v1/entities/dea-up-1", token=tok["fgr.an"])
ok(s == 200 and js["marking"] == "SHARED", "uploaded line is stored with the marking given")
badnd = nd.replace(b"up-1", b"up-9").replace(b'"Company"', b'"Kompany"', 1)
s, js, _ = c.req("POST", "/api/v1/entities/upload", token=A, raw=badnd + b"{not json}\n")
ok(s == 400 and err_of(js)["field"].startswith("line 1"), "bad upload names the line", str(js))
s, js, _ = c.req("GET", "/api/v1/entities/dea-up-9", token=A)
eq(s, 404, "a failed upload stores nothing (all or nothing)")
s, js, _ = c.req("POST", "/api/v1/entities/upload", token=A, raw=b"\n\n")
eq(s, 400, "empty upload is 400")
s, js, _ = c.req("POST", "/api/v1/entities/upload", token=A, raw=nd, query={"marking": "NOPE"})
eq(s, 400, "upload with an unknown marking is 400")
# the shared input discipline (issue #16, docs/input.md): duplicates, BOM, dates, countries
dup = [{"id": "dup-1", "schema": "Person", "properties": {"name": ["Primera"]}},
       {"id": "dup-2", "schema": "Person", "properties": {"name": ["Otra"]}},
       {"id": "dup-1", "schema": "Person", "properties": {"name": ["Segunda"]}}]
s, js, _ = c.req("POST", "/api/v1/entities/upload", token=A, raw="\n".join(json.dumps(x) for x in dup).encode())
ok(s == 400 and "duplicate id" in err_of(js)["message"] and "line 1" in err_of(js)["message"]
   and err_of(js)["field"].startswith("line 3"), "a duplicate id names both lines", str(js))
s, js, _ = c.req("GET", "/api/v1/entities/dea-dup-2", token=A)
eq(s, 404, "an upload with a duplicate id stores nothing")
bom = b"\xef\xbb\xbf" + json.dumps({"id": "bom-1", "schema": "Person",
                                     "properties": {"name": ["Con Bom"], "country": ["México"],
                                                    "birthDate": ["1970-11-18"]}}).encode() + b"\r\n"
# (uploaded by FGR as MX-ONLY, so DEA's counts below stay as they were)
s, js, _ = c.req("POST", "/api/v1/entities/upload", token=tok["fgr.an"], raw=bom, query={"marking": "MX-ONLY"})
ok(s == 200 and js["imported"] == 1, "a BOM and CRLF are accepted", str(js))
s, js, _ = c.req("GET", "/api/v1/entities/fgr-bom-1", token=tok["fgr.an"])
ok(s == 200 and js["properties"]["country"] == ["mx"], "the country name is stored as its ISO code", str(js))
for bad, what in ((["1980-02-30"], "February 1980 has 29 days"), (["18/11/1970"], "write 1970-11-18")):
    x = {"id": "bad-date", "schema": "Person", "properties": {"name": ["Fecha Mala"], "birthDate": bad}}
    s, js, _ = c.req("POST", "/api/v1/entities/upload", token=A, raw=json.dumps(x).encode())
    ok(s == 400 and what in err_of(js)["message"] and "birthDate" in err_of(js)["field"],
       "birthDate %s refused, naming the field" % bad[0], str(js))

# ---- search, stats, yente search ----
s, js, _ = c.req("GET", "/api/v1/entities", token=A, query={"q": "upload", "schema": "Company", "limit": "2"})
ok(s == 200 and js["total"] == 3 and len(js["results"]) == 2, "search by name and schema pages with a total")
s, js, _ = c.req("GET", "/api/v1/entities", token=A, query={"q": "upload", "schema": "Person"})
ok(s == 200 and js["total"] == 0, "search by schema filters")
s, js, _ = c.req("GET", "/api/v1/stats", token=A)
ok(s == 200 and js["total"] == 4 and js["schemata"].get("Company") == 3, "stats", str(js))
s, js, _ = c.req("GET", "/search/default", token=A, query={"q": "juan"})
ok(s == 200 and js["total"]["value"] == 1 and js["results"][0]["caption"] and "referents" in js["results"][0],
   "yente /search/default shape", str(js)[:300])
s, js, _ = c.req("GET", "/search/dea_cases", token=A, query={"q": "upload", "fuzzy": "false"})
ok(s == 200 and js["total"]["value"] == 3, "yente /search/{dataset} filters by dataset and tolerates yente params")
s, js, _ = c.req("GET", "/search/no_such_dataset", token=A)
eq(s, 404, "yente search of an unknown dataset is 404")
# bulk export is its own permission (supervisor; docs/access.md "Export")
s, _, raw = c.req("GET", "/api/v1/export", token=A, query={"schema": "Company"})
ok(s == 403 and b"dea-up" not in raw, "an analyst may not bulk-export")
s, _, raw = c.req("GET", "/api/v1/export", token=tok["dea.sup"], query={"schema": "Company"})
ids = [json.loads(l)["id"] for l in raw.decode().splitlines()]
ok(s == 200 and sorted(ids) == ["dea-up-0", "dea-up-1", "dea-up-2"], "export as JSON lines", str(ids))
s, js, _ = c.req("POST", "/api/v1/entities", token=A, body={"id": "hidden-2", "schema": "Person",
                                                             "properties": {"name": ["Zacarias Escondido"]}})
eq(s, 201, "another AGENCY-ONLY record")
s, _, raw = c.req("GET", "/api/v1/export", token=tok["dea.sup"], query={"q": "zacarias"})
ok(s == 200 and b"dea-hidden-2" in raw, "the owner exports it")
s, _, raw = c.req("GET", "/api/v1/export", token=tok["fgr.sup"], query={"q": "zacarias"})
ok(s == 200 and raw == b"", "export skips records hidden from the caller")
s, js, _ = c.req("GET", "/api/v1/export", token=tok["dea.sup"], query={"limit": "5"})
ok(s == 400 and err_of(js)["field"] == "limit", "export has no paging parameters")
s, js, _ = c.req("GET", "/api/v1/entities", token=tok["dea.adm"])
eq(s, 403, "admins do not read records (separation of duties)")

# ---- administration ----
ADM = tok["dea.adm"]
s, js, _ = c.req("GET", "/api/v1/agencies", token=A)
ok(s == 200 and len(js["agencies"]) == 14, "agencies")
s, js, _ = c.req("GET", "/api/v1/users", token=ADM)
ok(s == 200 and {u["agency"] for u in js["users"]} == {"DEA"}, "admin lists the users of its own agency only")
s, js, _ = c.req("GET", "/api/v1/users", token=A)
eq(s, 403, "analysts cannot list users")
s, js, _ = c.req("POST", "/api/v1/users", token=ADM, body={"name": "dea.new", "role": "analyst"})
# two-person rule (issue #15): the account starts without a role, the grant waits
ok(s == 201 and js["agency"] == "DEA" and js["role"] == "none" and js["pending_grant"]["role"] == "analyst",
   "admin adds a user; its role waits for approval")
s, js, _ = c.req("POST", "/api/v1/users", token=ADM, body={"name": "fgr.new", "role": "analyst", "agency": "FGR"})
eq(s, 403, "admin cannot add users to another agency")
s, js, _ = c.req("POST", "/api/v1/users", token=ADM, body={"name": "dea.x", "role": "king"})
ok(s == 400 and err_of(js)["field"] == "role", "unknown role is 400")
s, js, _ = c.req("POST", "/api/v1/users", token=ADM, body={"name": "dea.y", "role": 3})
ok(s == 400 and err_of(js)["field"] == "role", "wrong type is 400")
s, js, _ = c.req("PATCH", "/api/v1/users/dea.new", token=ADM, body={"role": "supervisor"})
ok(s == 200 and js["role"] == "none" and js["pending_grant"]["role"] == "supervisor",
   "admin requests a role change (not given until approved)")
gid = js["pending_grant"]["id"]
s, js, _ = c.req("POST", f"/api/v1/grants/{gid}/approve", token=ADM)
eq(s, 403, "the requesting admin cannot approve its own request")
rc, out = cli("user", "approve", str(gid), "--db", DB)
ok(rc == 0 and "supervisor" in out, "the framework operator approves it", out)
s, js, _ = c.req("PATCH", "/api/v1/users/fgr.an", token=ADM, body={"role": "admin"})
eq(s, 404, "admin cannot see users of another agency")
s, js, _ = c.req("PATCH", "/api/v1/users/dea.new", token=ADM, body={"disabled": "yes"})
eq(s, 400, "disabled must be a boolean")
s, js, _ = c.req("POST", "/api/v1/users/dea.new/tokens", token=ADM, body={"password": PW})
eq(s, 403, "admin cannot create a token for another user (issue #15)")
rc, newtok = cli("token", "create", "dea.new", "--db", DB)
s, js, _ = c.req("GET", "/api/v1/me", token=newtok)
ok(s == 200 and js["role"] == "supervisor", "the approved role is in force")
s, js, _ = c.req("PATCH", "/api/v1/users/dea.new", token=ADM, body={"disabled": True})
s, js, _ = c.req("GET", "/api/v1/me", token=newtok)
eq(s, 401, "disabling a user revokes its tokens")
s, js, _ = c.req("POST", "/api/v1/users/fgr.an/tokens", token=A)
eq(s, 403, "analysts cannot create tokens for others")
s, js, _ = c.req("POST", "/api/v1/users/dea.an/tokens", token=A)
eq(s, 400, "creating a token needs the password again")
s, js, _ = c.req("POST", "/api/v1/users/dea.an/tokens", token=A, body={"password": PW})
eq(s, 201, "users create their own tokens after re-entering the password")

# ---- screening (when built) ----
if have_screen:
    # designations carry the FtM topic sanction: screening counts only those (docs/lists.md)
    sdn = [{"id": "sdn-1", "schema": "Person", "properties": {"name": ["GUZMAN LOERA, Joaquin"], "birthDate": ["1957-04-04"],
                                                              "topics": ["sanction"]},
            "datasets": ["us_ofac_sdn"]},
           {"id": "sdn-2", "schema": "Company", "properties": {"name": ["Transportes Ejemplo SA de CV"],
                                                               "topics": ["sanction"]},
            "datasets": ["us_ofac_sdn"]}]
    s, js, _ = c.req("POST", "/api/v1/entities/upload", token=tok["ofac.an"],
                     raw="\n".join(json.dumps(x) for x in sdn).encode(), query={"marking": "PUBLIC"})
    eq(s, 200, "OFAC uploads PUBLIC designations")
    time.sleep(5.2)  # the index is rebuilt at most every 5 s after changes
    q = {"schema": "Person", "properties": {"name": ["Joaquin Guzman Loera"]}}
    s, js, _ = c.req("POST", "/api/v1/screen", token=A, body={"queries": [q], "explain": True})
    ok(s == 200 and js["results"][0]["results"] and js["results"][0]["results"][0]["id"] == "ofac-sdn-1",
       "screen finds the designated person", str(js)[:400])
    s, js, _ = c.req("POST", "/api/v1/screen", token=A, body={"queries": []})
    eq(s, 400, "screen with no queries is 400")
    s, js, _ = c.req("POST", "/api/v1/screen", token=A, body={"queries": [q], "threshold": "high"})
    ok(s == 400 and err_of(js)["field"] == "threshold", "screen with a wrong type is 400")
    s, js, _ = c.req("POST", "/api/v1/screen", token=A, body={"queries": [{"properties": {"name": ["x" * 2000]}}]})
    ok(s in (400, 413), "screen with an oversize name is refused", str(s))
    s, js, _ = c.req("POST", "/api/v1/compare", token=A, body={"name1": "Joaquin Guzman", "name2": "Joaquín Guzmán"})
    ok(s == 200 and js["score"] > 0.8, "compare")
    s, js, _ = c.req("POST", "/api/v1/compare", token=A, body={"name1": "x"})
    eq(s, 400, "compare without name2 is 400")
    s, js, _ = c.req("POST", "/match/default", token=A, body={"queries": {"q1": q}})
    r1 = js["responses"]["q1"] if s == 200 else {}
    ok(s == 200 and r1.get("status") == 200 and r1["results"] and r1["results"][0]["id"] == "ofac-sdn-1"
       and "score" in r1["results"][0] and "match" in r1["results"][0] and "explanations" in r1["results"][0],
       "yente /match/default shape", str(js)[:400])
    # the second answer comes from the server's entity-body cache: it must be
    # byte-for-byte the entity the store gives, and follow changes at once
    s2, js2, _ = c.req("POST", "/match/default", token=A, body={"queries": {"q1": q}})
    eq(js2, js, "yente /match answers the same from the body cache")
    top = dict(r1["results"][0]) if r1.get("results") else {}
    for k in ("score", "match", "features", "explanations", "token"):
        top.pop(k, None)
    s, js, _ = c.req("GET", "/search/default", token=A, query={"q": "Guzman Loera", "limit": "5"})
    same = [x for x in js.get("results", []) if x["id"] == top.get("id")]
    ok(s == 200 and same and same[0] == top, "the /match entity equals the /search entity", str(same)[:300])
    upd_sdn = dict(sdn[0], id="ofac-sdn-1", marking="PUBLIC",
                   properties=dict(sdn[0]["properties"], alias=["El Chapo Prueba"]))
    s, js, _ = c.req("PUT", "/api/v1/entities/ofac-sdn-1", token=tok["ofac.an"], body=upd_sdn)
    eq(s, 200, "OFAC updates its designation")
    s, js, _ = c.req("POST", "/match/default", token=A, body={"queries": {"q1": q}})
    res = js["responses"]["q1"]["results"] if s == 200 else []
    ok(res and res[0]["id"] == "ofac-sdn-1" and res[0]["properties"].get("alias") == ["El Chapo Prueba"],
       "an updated entity is served fresh by /match at once", str(res[:1])[:300])
    s, js, _ = c.req("POST", "/match/us_ofac_sdn", token=A, body={"queries": {"q1": q}}, query={"limit": "1"})
    ok(s == 200 and len(js["responses"]["q1"]["results"]) == 1 and js["limit"] == 1, "yente /match/{dataset} limit")
    s, js, _ = c.req("POST", "/match/default", token=A, body={"queries": []})
    eq(s, 400, "match with a list instead of an object is 400")
    # the whole-answer cache: a repeated /match is the same answer, audited
    # again with the same targets; a decision changes the answer at once
    s, before, _ = c.req("POST", "/match/default", token=A, body={"queries": {"q1": q}})
    s2, again, _ = c.req("POST", "/match/default", token=A, body={"queries": {"q1": q}})
    ok(s == s2 == 200 and again == before, "a repeated /match gives the same answer")
    s, js, _ = c.req("GET", "/api/v1/audit", token=tok["dea.aud"], query={"limit": "10000"})
    last = [e for e in js.get("entries", []) if e["action"] == "screen.match" and e["user"] == "dea.an"][-2:]
    ok(len(last) == 2 and last[0]["targets"] == last[1]["targets"] and "ofac-sdn-1" in last[1]["targets"]
       and last[0]["seq"] < last[1]["seq"], "a cached /match answer is audited like the first, with its targets",
       str(last))
    s, other, _ = c.req("POST", "/match/default", token=A, body={"queries": {"q1": q}}, query={"threshold": "0.99"})
    ok(s == 200 and other["responses"]["q1"]["results"] != before["responses"]["q1"]["results"]
       or all(x["match"] for x in other["responses"]["q1"]["results"]),
       "a different threshold is a different answer, not the cached one")
    s, js, _ = c.req("POST", "/api/v1/screen", token=A, body={"queries": [q]})
    m = js["results"][0]["results"][0] if s == 200 and js["results"][0]["results"] else {}
    ok(m.get("suppressed") is False and m.get("match") is True, "before the decision the match stands", str(m))
    s, js, _ = c.req("POST", "/api/v1/decisions", token=A,
                     body={"query": q, "entity_id": "ofac-sdn-1", "decision": "false_positive", "note": "different DOB"})
    ok(s == 201 and js["analyst"] == "dea.an", "record a reviewed decision", str(js))
    s, after, _ = c.req("POST", "/match/default", token=A, body={"queries": {"q1": q}})
    top_after = [x for x in after["responses"]["q1"]["results"] if x["id"] == "ofac-sdn-1"] if s == 200 else []
    ok(after != before and (not top_after or top_after[0]["match"] is False),
       "after a reviewed decision the repeated /match is answered anew (not from the cache)", str(top_after)[:300])
    s, js, _ = c.req("POST", "/api/v1/screen", token=A, body={"queries": [q]})
    m = js["results"][0]["results"][0] if s == 200 and js["results"][0]["results"] else {}
    ok(m.get("suppressed") is True and m.get("match") is False, "the decision suppresses the match", str(m))
    s, js, _ = c.req("GET", "/api/v1/decisions", token=A)
    ok(s == 200 and len(js["decisions"]) == 1, "list decisions")
    s, js, _ = c.req("POST", "/api/v1/decisions", token=tok["fgr.tip"],
                     body={"subject": "x", "entity_id": "ofac-sdn-1", "decision": "false_positive", "note": "n"})
    eq(s, 403, "tip-handlers cannot record decisions")
    s, js, _ = c.req("POST", "/api/v1/decisions", token=tok["fgr.an"],
                     body={"subject": "x", "entity_id": "dea-secret-1", "decision": "false_positive", "note": "n"})
    eq(s, 404, "a decision about a hidden record is 404")

# ---- audit over HTTP ----
AUD = tok["dea.aud"]
s, js, _ = c.req("GET", "/api/v1/audit", token=AUD, query={"limit": "10000"})
ok(s == 200 and js["count"] > 10 and {e["agency"] for e in js["entries"]} == {"DEA"},
   "auditor reads its agency's entries")
entries = js["entries"] if s == 200 else []
ok(any(e["action"] == "entity.read" and e["targets"] == "dea-secret-1" and e["user"] == "dea.an" for e in entries),
   "a read is audited with user, action and target")
ok(any(e["action"] == "entity.delete" and e["targets"] == "dea-secret-1" and e["outcome"] == "success" for e in entries),
   "a delete is audited")
ok(any(e["action"] == "user.update" and "role none->supervisor requested" in e["detail"] for e in entries),
   "a permission change request is audited")
ok(any(e["action"] == "entity.delete" and e["outcome"] == "denied" for e in entries), "a refused request is audited")
s, js, _ = c.req("GET", "/api/v1/audit", token=A)
eq(s, 403, "analysts cannot read the audit trail")
s, js, _ = c.req("GET", "/api/v1/audit/verify", token=AUD)
ok(s == 200 and js["ok"] is True and js["entries"] > 10, "verify over HTTP")

# ---- graceful shutdown: an in-flight request finishes ----
result = {}


def slow_upload():
    body = (json.dumps({"id": "slow-1", "schema": "Person", "properties": {"name": ["Lento Lentísimo"]}}) + "\n").encode()
    so = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
    so.sendall((f"POST /api/v1/entities/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {A}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode())
    so.sendall(body[:10])
    time.sleep(2.0)  # SIGTERM arrives now
    so.sendall(body[10:])
    data = b""
    while True:
        d = so.recv(4096)
        if not d:
            break
        data += d
    result["status"] = data.split(b" ")[1] if data.startswith(b"HTTP/") else data


answered = []  # statuses of /me answers given by keep-alive readers during the shutdown


def reader():
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        while True:
            conn.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {A}"})
            resp = conn.getresponse()
            resp.read()
            answered.append(resp.status)
    except (OSError, http.client.HTTPException):
        pass


rc, out = cli("audit", "export", "--db", DB)
me_before = out.count('"action":"me"')
t = threading.Thread(target=slow_upload)
t.start()
readers = [threading.Thread(target=reader) for _ in range(6)]
for th in readers:
    th.start()
time.sleep(1.0)
rc = srv.stop()
t.join()
for th in readers:
    th.join()
eq(result.get("status"), b"200", "an in-flight request completes after SIGTERM")
ok(answered and all(st == 200 for st in answered), "readers during the shutdown get only 200s",
   str(sorted(set(answered))))
rc_e, out = cli("audit", "export", "--db", DB)
ok(out.count('"action":"me"') - me_before >= len(answered),
   f"every answer given during the shutdown is audited ({len(answered)} answers)")
ok(rc == 0, "the server exits 0 on SIGTERM", f"(exit {rc}; server output: {srv.output()[-1500:]})")
ok("stopped cleanly" in srv.output(), "the server says it stopped cleanly")
rc, out = cli("audit", "verify", "--db", DB)
ok(rc == 0 and "intact" in out, "the audit chain is intact after the run", out)
rc, out = cli("audit", "export", "--db", DB)
ok('"action":"server.start"' in out and '"action":"server.stop"' in out, "server start and stop are audited")

# ---- connection limits and timeouts (a second server) ----
srv2 = Server(DB, "--threads", "1", "--max-conns-per-ip", "2", "--timeout", "1")
held = [socket.create_connection(("127.0.0.1", srv2.port)) for _ in range(2)]
time.sleep(0.2)
third = socket.create_connection(("127.0.0.1", srv2.port), timeout=5)
try:
    third.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
    got = third.recv(100)
except OSError:
    got = b""
ok(got == b"", "a third connection from the same address is refused", repr(got[:60]))
third.close()
time.sleep(2.5)
closed = 0
for so in held:
    so.settimeout(2)
    try:
        closed += so.recv(10) == b""
    except OSError:
        closed += 1
    so.close()
eq(closed, 2, "idle connections are closed after the timeout")
time.sleep(0.2)
s, js, _ = Client(srv2.port, spec).req("GET", "/api/v1/health")
eq(s, 200, "the server serves again once connections are released")
eq(srv2.stop(2), 0, "SIGINT stops the server cleanly too")
finish()
