"""The web application's HTTP side (src/http/http_web.c) without a browser:
browser sessions (cookie attributes, CSRF token, language memory, logout,
logout everywhere), the page shells' 200/403/404, the files and a path that
tries to leave the web root, the catalogue, an alert's series, and the
language of error messages. JSON responses are checked against
docs/openapi.yaml. Run by tests/http/e2e_driver.sh."""
import gzip
import http.client
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = os.path.join(TMP, "web_api.db")
PW = "web-api-password-1"
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("dea.adm", "DEA", "admin")])
for u in ("dea.an", "dea.adm"):
    # the operator's password must be changed by the user (docs/access.md): set a
    # temporary one, then the user's own change to PW
    eq(cli("user", "password", u, "--password-stdin", "--db", DB, stdin="temporary-" + PW + "\n")[0], 0,
       f"temporary password for {u}")
    eq(cli("user", "change-password", u, "--password-stdin", "--db", DB, stdin=f"temporary-{PW}\n{PW}\n")[0], 0,
       f"{u} changes it")
    # a password set revokes the user's earlier tokens (docs/access.md): mint them after
    tok[u] = cli("token", "create", u, "--db", DB)[1]
rc, demo = cli("ews", "generate", "--weeks", "120", "--seed", "3")
with open(os.path.join(TMP, "demo.csv"), "w", encoding="utf-8") as f:
    f.write(demo + "\n")
eq(cli("ews", "import", os.path.join(TMP, "demo.csv"), "--db", DB)[0], 0, "ews import")
os.environ["PUENTE_DB"] = DB
eq(cli("ews", "scan", "--method", "c3", "--last", "8")[0], 0, "ews scan")

webroot = os.path.join(TMP, "webroot")
os.makedirs(webroot)
with open(os.path.join(webroot, "index.html"), "w") as f:
    f.write("<!doctype html><title>shell</title>")
with open(os.path.join(webroot, "app.js"), "w") as f:
    f.write("console.log(1)\n")
with open(os.path.join(webroot, "app.js.gz"), "wb") as f:
    f.write(gzip.compress(b"console.log(1)\n"))
with open(os.path.join(TMP, "secret.js"), "w") as f:
    f.write("outside the web root\n")

srv = Server(DB, "--threads", "2", "--web-root", webroot)
c = Client(srv.port, spec)


def raw(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    h = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    payload = r.read()
    conn.close()
    return r, payload


def signin(user):
    r, payload = raw("POST", "/api/v1/web/session", {"user": user, "password": PW})
    cookie = r.getheader("Set-Cookie") or ""
    secret = cookie.split(";")[0].split("=", 1)[1] if "=" in cookie else ""
    return r.status, json.loads(payload), cookie, secret


# ---- sign in ----
st, js, cookie, secret = signin("dea.an")
eq(st, 200, "browser sign-in")
ok(set(js) >= {"user", "csrf", "lang", "idle_seconds"} and js["idle_seconds"] == 1800,
   "the session answer: user, CSRF token, language, the API's idle time")
ok("HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie and "Secure" not in cookie,
   "the cookie is HttpOnly, SameSite=Strict, Path=/; not Secure over plain HTTP", cookie)
csrf = js["csrf"]
ok(len(csrf) == 32 and csrf not in secret, "the CSRF token is derived, not the secret")
CK = {"Cookie": f"puente_session={secret}"}
s, js, _ = c.req("GET", "/api/v1/web/session", headers=CK)
ok(s == 200 and js["csrf"] == csrf and js["user"]["user"] == "dea.an", "GET session with the cookie: the same token")
s, js, _ = c.req("GET", "/api/v1/web/session", token=tok["dea.an"])
eq(s, 403, "GET session with a bearer token is refused (no browser session)")
st, _, cookie2, _ = signin("nobody")
eq(st, 401, "a wrong user is 401")
ok("puente_session" not in cookie2, "no cookie on a failed sign-in")

# ---- cookie = the same principal as the bearer path ----
s, me, _ = c.req("GET", "/api/v1/me", headers=CK)
s2, me2, _ = c.req("GET", "/api/v1/me", token=tok["dea.an"])
# the principal (user, agency, country, role, permissions) is the same; what
# differs is the secret's own kind and lifetime (session vs token)
principal = lambda m: {k: m.get(k) for k in ("user", "agency", "country", "role", "permissions", "read_only")}
ok(s == 200 and s2 == 200 and me.get("user") == "dea.an" and me.get("permissions") and principal(me) == principal(me2), "the cookie maps to the same principal as the user's token",
   f"{me} vs {me2}")
s, _, _ = c.req("GET", "/api/v1/users", headers=CK)
eq(s, 403, "the cookie carries the role's limits (analyst: no user list)")

# ---- CSRF ----
s, alerts, _ = c.req("GET", "/api/v1/ews/alerts", headers=CK, query={"status": "open", "agency": "DEA"})
aid = alerts["results"][0]["id"]
s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{aid}/ack", headers=CK)
ok(s == 403 and js["error"]["field"] == "X-CSRF-Token", "a cookie POST without the CSRF token is 403")
s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{aid}/ack", headers={**CK, "X-CSRF-Token": "f" * 32})
eq(s, 403, "a cookie POST with a wrong CSRF token is 403")
s, js, _ = c.req("POST", f"/api/v1/ews/alerts/{aid}/ack", headers={**CK, "X-CSRF-Token": csrf})
ok(s == 200 and js["status"] == "acknowledged", "with the token the cookie POST is done")

# ---- the alert's series ----
s, js, _ = c.req("GET", "/api/v1/ews/alerts", token=tok["dea.an"])
ab = [a for a in js["results"] if a["kind"] == "aberration"]
ok(len(ab) > 0, "the scan raised aberration alerts")
if ab:
    s, ser, _ = c.req("GET", f"/api/v1/ews/alerts/{ab[0]['id']}/series", token=tok["dea.an"])
    ok(s == 200 and len(ser["weeks"]) >= 50, "an aberration alert's series", f"status {s}")
    ok(any(w["alarm"] for w in ser["weeks"]) and any(w["upper"] is not None for w in ser["weeks"]),
       "the series has an upper bound and alarm weeks")
    ok(any(w["week"] == ser["alert_week"] and w["alarm"] for w in ser["weeks"]), "the alert's own week is an alarm week")
first = [a for a in js["results"] if a["kind"] != "aberration"]
if first:
    s, ser, _ = c.req("GET", f"/api/v1/ews/alerts/{first[0]['id']}/series", token=tok["dea.an"])
    ok(s == 200 and all(w["upper"] is None for w in ser["weeks"]), "a first-detection alert: counts only")
s, js, _ = c.req("GET", "/api/v1/ews/alerts/999999/series", token=tok["dea.an"])
eq(s, 404, "an absent alert's series is 404")
s, js, _ = c.req("GET", "/api/v1/ews/alerts/x/series", token=tok["dea.an"])
eq(s, 400, "a bad alert id is 400")
s, js, _ = c.req("GET", "/api/v1/ews/alerts/1/series", token=tok["dea.adm"])
eq(s, 403, "an administrator reads no alert series")

# ---- pages and files ----
r, body = raw("GET", "/")
ok(r.status == 302 and r.getheader("Location") == "/app/home", "/ redirects to /app/home")
r, body = raw("GET", "/app/home")
ok(r.status == 200 and b"shell" in body and "text/html" in r.getheader("Content-Type"), "a page shell is HTML")
csp = r.getheader("Content-Security-Policy") or ""
ok("script-src 'self'" in csp and "unsafe" not in csp and "frame-ancestors 'none'" in csp, "the strict CSP", csp)
r, _ = raw("GET", "/app/admin", headers=CK)
eq(r.status, 403, "an analyst's cookie on /app/admin: 403")
r, _ = raw("GET", "/app/admin")
eq(r.status, 200, "without a session the shell loads (it shows the sign-in)")
r, _ = raw("GET", "/app/nosuch")
eq(r.status, 404, "an unknown page is 404")
r, body = raw("GET", "/assets/app.js")
ok(r.status == 200 and "javascript" in r.getheader("Content-Type"), "a file of the web root")
ok(r.getheader("Content-Encoding") is None and body == b"console.log(1)\n", "plain without Accept-Encoding")
r, body = raw("GET", "/assets/app.js", headers={"Accept-Encoding": "gzip, deflate"})
ok(r.status == 200 and r.getheader("Content-Encoding") == "gzip" and gzip.decompress(body) == b"console.log(1)\n"
   and "Accept-Encoding" in (r.getheader("Vary") or ""), "its precompressed copy for a client that takes gzip")
r, body = raw("GET", "/assets/app.js", headers={"Accept-Encoding": "gzip;q=0, identity"})
ok(r.getheader("Content-Encoding") is None, "gzip;q=0 gets the plain file")
r, body = raw("GET", "/assets/app.js.gz")
eq(r.status, 404, "the .gz copy is not a file of its own")
for bad in ("/assets/..%2fsecret.js", "/assets/.hidden.js", "/assets/index.html", "/assets/app.exe"):
    r, body = raw("GET", bad)
    eq(r.status, 404, f"{bad} is not served")

# ---- languages ----
s, js, _ = c.req("GET", "/api/v1/i18n/es-MX")
ok(s == 200 and js["lang"] == "es-MX" and js["messages"]["status.open"] == "abierta", "the Spanish catalogue")
s, en, _ = c.req("GET", "/api/v1/i18n/en")
ok(set(en["messages"]) == set(js["messages"]), "both catalogues have the same keys")
s, _, _ = c.req("GET", "/api/v1/i18n/fr")
eq(s, 404, "an unsupported language is 404")
s, js, _ = c.req("GET", "/api/v1/users", token=tok["dea.an"], headers={"Accept-Language": "es-MX,es;q=0.9"})
ok(s == 403 and js["error"]["message"] == "Su rol o institución no permite esto.", "an error message in Spanish")
s, js, _ = c.req("PUT", "/api/v1/web/lang", body={"lang": "es"}, headers={**CK, "X-CSRF-Token": csrf})
ok(s == 200 and js["lang"] == "es", "the language choice is remembered")
s, js, _ = c.req("PUT", "/api/v1/web/lang", body={"lang": "de"}, headers={**CK, "X-CSRF-Token": csrf})
eq(s, 400, "an unsupported choice is refused")
st, js, _, secret2 = signin("dea.an")
eq(js["lang"], "es", "the next sign-in comes back in Spanish")

# ---- logout, logout everywhere ----
s, js, _ = c.req("DELETE", "/api/v1/web/session", headers={**CK, "X-CSRF-Token": csrf})
eq(s, 200, "sign out")
s, _, _ = c.req("GET", "/api/v1/me", headers=CK)
eq(s, 401, "the signed-out cookie is refused")
_, js3, _, secret3 = signin("dea.an")
CK2, CK3 = {"Cookie": f"puente_session={secret2}"}, {"Cookie": f"puente_session={secret3}"}
s, js, _ = c.req("POST", "/api/v1/web/session/revoke-all", headers={**CK3, "X-CSRF-Token": js3["csrf"]})
eq(s, 200, "sign out everywhere")
ok(c.req("GET", "/api/v1/me", headers=CK2)[0] == 401 and c.req("GET", "/api/v1/me", headers=CK3)[0] == 401,
   "every session of the user is gone")
eq(c.req("GET", "/api/v1/me", token=tok["dea.an"])[0], 200, "the user's API token stays")
srv.stop()

# ---- the idle limit of browser sessions ----
srv = Server(DB, "--threads", "2", "--web-root", webroot, "--session-idle", "1", "--audit-journal", "commit")
c = Client(srv.port, spec)
r, payload = raw("POST", "/api/v1/web/session", {"user": "dea.adm", "password": PW})
sec = (r.getheader("Set-Cookie") or "").split(";")[0].split("=", 1)[1]
eq(c.req("GET", "/api/v1/me", headers={"Cookie": f"puente_session={sec}"})[0], 200, "a fresh session works")
import time  # noqa: E402
time.sleep(2.2)
r, body = raw("GET", "/api/v1/me", headers={"Cookie": f"puente_session={sec}"})
ok(r.status == 401 and "Max-Age=0" in (r.getheader("Set-Cookie") or ""), "past --session-idle: 401 and the cookie cleared")
eq(c.req("GET", "/api/v1/me", headers={"Cookie": f"puente_session={sec}"})[0], 401, "and the session stays revoked")
srv.stop()
finish()
