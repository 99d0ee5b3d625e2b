"""Authentication and sessions over HTTP (issue #15): the two-person rule for
roles, second-factor enrolment with the QR code and login with TOTP (codes
computed here from the returned key with Python's hmac, RFC 6238), sessions
limited to enrolment, tokens only for oneself after re-authentication,
read-only tokens refused by every write route, the per-address login rate
limit (429 + Retry-After), the use banner, the last-logon notice, and
lockout under parallel HTTP guesses."""
import base64
import hashlib
import hmac
import os
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = os.path.join(TMP, "authapi.db")
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
PW = "correct horse battery staple"


def totp(secret_b32, t=None, step=30, digits=6):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if t is None else t) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(code).zfill(digits)


def err_of(js):
    return (js or {}).get("error", {})


# ---- setup: two admins of DEA, one of FGR, an analyst, a lock target ----
eq(cli("agency", "seed", "--db", DB)[0], 0, "agency seed")
for name, ag, role in (("adm1", "DEA", "admin"), ("adm2", "DEA", "admin"), ("fgradm", "FGR", "admin"),
                       ("ana", "DEA", "analyst"), ("victim", "CBP", "analyst")):
    eq(cli("user", "add", name, "--agency", ag, "--role", role, "--db", DB, "--password-stdin", "--permanent", stdin=PW + "\n")[0], 0,
       f"user add {name}")
rc, _ = cli("user", "add", "weak", "--agency", "DEA", "--role", "analyst", "--db", DB, "--password-stdin",
            stdin="Password2024!\n")
ok(rc != 0, "the CLI refuses a common password (blocklist)")
eq(cli("policy", "set", "banner", "Uso oficial / official use only", "--db", DB)[0], 0, "policy set banner")
rc, out = cli("policy", "show", "--db", DB)
ok(rc == 0 and "mfa-roles\tadmin,auditor" in out and "token-days\t90" in out, "policy show lists the defaults", out)

srv = Server(DB, "--threads", "4", "--login-burst", "40", "--login-rate", "20")
c = Client(srv.port, spec)

# ---- banner ----
s, js, raw = c.req("GET", "/api/v1/banner")
ok(s == 200 and js["banner"] == "Uso oficial / official use only", "the banner is served before login")

# ---- an admin must enrol a second factor first ----
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "adm1", "password": PW})
ok(s == 200 and js["notice"]["second_factor"] == "enrolment-required" and js["user"]["permissions"] == [],
   "an admin without a second factor gets an enrolment-only session")
lim = js["session"]
s, js, _ = c.req("GET", "/api/v1/users", token=lim)
ok(s == 403 and err_of(js).get("field") == "second_factor", "the enrolment-only session cannot manage users")
s, js, _ = c.req("GET", "/api/v1/me", token=lim)
eq(s, 200, "... but can see itself")
s, js, _ = c.req("POST", "/api/v1/me/totp", token=lim)
ok(s == 200 and js["uri"].startswith("otpauth://totp/Puente:adm1?secret=") and js["qr_svg"].startswith("<svg")
   and js["secret"] in js["uri"], "enrolment returns the otpauth URI, the key and a QR code (SVG)")
secret = js["secret"]
s, js, _ = c.req("POST", "/api/v1/me/totp/confirm", token=lim, body={"code": "000000" if totp(secret) != "000000" else "111111"})
ok(s == 403 and err_of(js).get("field") == "code", "a wrong confirmation code is refused")
code0 = totp(secret)
s, js, _ = c.req("POST", "/api/v1/me/totp/confirm", token=lim, body={"code": code0})
ok(s == 200 and js["enabled"] is True and len(js["recovery_codes"]) == 10 and len(set(js["recovery_codes"])) == 10,
   "confirmation returns ten distinct recovery codes")
recovery = js["recovery_codes"]
s, js, _ = c.req("GET", "/api/v1/users", token=lim)
eq(s, 200, "the same session is no longer limited once enrolled")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "adm1", "password": PW})
ok(s == 401 and err_of(js).get("field") == "code", "now the password alone is refused, naming the code")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "adm1", "password": PW, "code": code0})
ok(s == 401 and err_of(js).get("field") == "code", "the code used for confirmation cannot be replayed")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "adm1", "password": PW, "code": recovery[0]})
ok(s == 200 and js["notice"]["second_factor"] == "enrolled", "a recovery code logs in")
A1 = js["session"]
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "adm1", "password": PW, "code": recovery[0]})
eq(s, 401, "a recovery code works once")

# ---- the second admin enrols through the CLI (the operator) ----
rc, out = cli("user", "totp", "adm2", "--db", DB)
sec2 = [l.split(": ", 1)[1] for l in out.splitlines() if l.startswith("secret: ")]
ok(rc == 0 and sec2 and "otpauth://totp/Puente:adm2" in out and "\u2588" in out,
   "user totp prints the URI, the key and a terminal QR code")
rc, out = cli("user", "totp-confirm", "adm2", totp(sec2[0]), "--db", DB)
ok(rc == 0 and len(out.splitlines()) == 11, "user totp-confirm prints ten recovery codes", out)
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "adm2", "password": PW, "code": out.splitlines()[1]})
eq(s, 200, "the second admin logs in")
A2 = js["session"]

# ---- two-person rule ----
s, js, _ = c.req("POST", "/api/v1/users", token=A1, body={"name": "rookie", "role": "analyst", "password": "a long enough passphrase"})
ok(s == 201 and js["role"] == "none" and js["pending_grant"]["requested_by"] == "adm1", "a new account waits for its role")
g_new = js["pending_grant"]["id"]
s, js, _ = c.req("PATCH", "/api/v1/users/adm1", token=A1, body={"role": "supervisor"})
ok(s == 200 and js["role"] == "admin" and js["pending_grant"]["role"] == "supervisor",
   "an admin asking itself a case-data role only files a request")
g_self = js["pending_grant"]["id"]
s, js, _ = c.req("GET", "/api/v1/grants", token=A2)
ok(s == 200 and {g["id"] for g in js["grants"]} == {g_new, g_self}, "the other admin sees both pending grants")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "rookie", "password": "a long enough passphrase"})
ok(s == 200 and js["user"]["role"] == "none" and js["user"]["permissions"] == [], "the new account has no permission yet")
rookie_sess = js["session"]
s, js, _ = c.req("GET", "/api/v1/entities", token=rookie_sess)
eq(s, 403, "... and cannot read records")
s, js, _ = c.req("POST", f"/api/v1/grants/{g_self}/approve", token=A1)
eq(s, 403, "nobody approves its own request")
s, js, _ = c.req("POST", f"/api/v1/grants/{g_new}/approve", token=A1)
eq(s, 403, "the requester cannot approve for someone else either")
rc, out = cli("token", "create", "fgradm", "--db", DB)
s, js, _ = c.req("POST", f"/api/v1/grants/{g_new}/approve", token=out)
ok(s in (403, 404), "another agency's admin cannot approve (enrolment-less token of an MFA role, or not found)")
s, js, _ = c.req("POST", f"/api/v1/grants/{g_new}/approve", token=A2)
ok(s == 200 and js["state"] == "approved" and js["role"] == "analyst", "a second admin approves")
s, js, _ = c.req("POST", f"/api/v1/grants/{g_self}/reject", token=A2)
ok(s == 200 and js["state"] == "rejected", "and rejects the self-grant")
s, js, _ = c.req("GET", "/api/v1/entities", token=rookie_sess)
eq(s, 401, "the approval revoked the old role's session")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "rookie", "password": "a long enough passphrase"})
ok(s == 200 and js["user"]["role"] == "analyst", "the approved role is in force at the next login")
s, js, _ = c.req("GET", "/api/v1/me", token=A1)
ok(s == 200 and js["role"] == "admin", "the rejected self-grant changed nothing")

# ---- tokens: for oneself, after re-authentication; expiry and read-only ----
s, js, _ = c.req("POST", "/api/v1/users/rookie/tokens", token=A1, body={"password": PW})
eq(s, 403, "an admin cannot mint a token for another user")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "ana", "password": PW})
ok(s == 200 and js["notice"]["last_login"] is None, "first login: no previous login in the notice")
S = js["session"]
s, js, _ = c.req("POST", "/api/v1/users/ana/tokens", token=S, body={"password": "not the password!"})
eq(s, 403, "a session cannot mint a token without the password")
s, js, _ = c.req("POST", "/api/v1/users/ana/tokens", token=S, body={"password": PW, "expires_days": 400})
eq(s, 400, "token lifetime is capped")
s, js, _ = c.req("POST", "/api/v1/users/ana/tokens", token=S, body={"password": PW, "expires_days": 2, "read_only": True})
ok(s == 201 and js["read_only"] is True and js["expires"].endswith("Z"), "a read-only token with an expiry")
RO = js["token"]
s, js, _ = c.req("GET", "/api/v1/me", token=RO)
ok(s == 200 and js["read_only"] is True and "write" not in js["permissions"] and js["expires"],
   "me shows the token is read-only and when it expires")
exp_days = (time.mktime(time.strptime(js["expires"], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(time.gmtime())) / 86400
ok(1.9 < exp_days < 2.1, "it expires in 2 days", str(exp_days))
s, js, _ = c.req("GET", "/api/v1/entities", token=RO)
eq(s, 200, "a read-only token reads")
person = {"id": "ro-1", "schema": "Person", "properties": {"name": ["Ana Read"]}, "marking": "AGENCY-ONLY"}
writes = [("POST", "/api/v1/entities", person), ("PUT", "/api/v1/entities/ro-1", person),
          ("DELETE", "/api/v1/entities/ro-1", None), ("POST", "/api/v1/decisions", {"query": "x", "entity": "y"}),
          ("POST", "/api/v1/ews/alerts/1/ack", {}), ("POST", "/api/v1/cargo/dispositions", {}),
          ("POST", "/api/v1/users/ana/tokens", {"password": PW}), ("POST", "/api/v1/me/totp", None)]
routes = set(cli("serve", "--list-routes")[1].splitlines())
for m, p, b in writes:
    tmpl = {"/api/v1/entities/ro-1": "/api/v1/entities/{id}", "/api/v1/ews/alerts/1/ack": "/api/v1/ews/alerts/{id}/ack",
            "/api/v1/users/ana/tokens": "/api/v1/users/{name}/tokens"}.get(p, p)
    if f"{m} {tmpl}" not in routes:
        continue
    s, js, _ = c.req(m, p, token=RO, body=b)
    eq(s, 403, f"a read-only token is refused by {m} {tmpl}")
s, js, _ = c.req("POST", "/api/v1/entities", token=S, body=person)
eq(s, 201, "the session itself still writes")
rc, out = cli("token", "create", "ana", "--read-only", "--expires-days", "1", "--db", DB)
s, js, _ = c.req("DELETE", "/api/v1/entities/ro-1", token=out)
eq(s, 403, "the CLI makes read-only tokens too")

# ---- last-logon notice ----
for _ in range(2):
    c.req("POST", "/api/v1/login", body={"user": "ana", "password": "wrong wrong wrong"})
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "ana", "password": PW})
n = js["notice"] if s == 200 else {}
# 3 = the two wrong logins + the failed re-authentication for a token above
ok(s == 200 and n["last_login"]["source"] == "127.0.0.1" and n["failed_attempts_since"] == 3,
   "the notice gives the previous login's source and the failures since (re-authentication included)", str(n))
s, js, _ = c.req("GET", "/api/v1/me", token=js["session"])
ok(s == 200 and js["notice"]["failed_attempts_since"] == 3 and js["notice"]["last_login"]["time"].endswith("Z"),
   "GET /api/v1/me shows the same notice")

# ---- a password reset revokes the user's sessions and tokens ----
s, js, _ = c.req("PATCH", "/api/v1/users/ana", token=A2, body={"password": "another fine passphrase"})
eq(s, 200, "an admin resets a password")
s, js, _ = c.req("GET", "/api/v1/me", token=S)
eq(s, 401, "the reset revoked the session")
s, js, _ = c.req("GET", "/api/v1/me", token=RO)
eq(s, 401, "... and the token")

# ---- lockout under parallel guesses over HTTP ----
answers = []


def guess():
    cl = Client(srv.port, spec)
    for _ in range(3):
        st, j, _ = cl.req("POST", "/api/v1/login", body={"user": "victim", "password": "guess guess guess"}, check=False)
        answers.append(st)


ths = [threading.Thread(target=guess) for _ in range(8)]
for t in ths:
    t.start()
for t in ths:
    t.join()
ok(len(answers) == 24 and all(a == 401 for a in answers), "24 parallel guesses are all refused", str(answers))
rc, out = cli("user", "list", "--db", DB)
import sqlite3  # noqa: E402
con = sqlite3.connect(DB)
checked = con.execute("SELECT failed_recent FROM acl_user WHERE name = 'victim'").fetchone()[0]
con.close()
eq(checked, 5, "only 5 of them reached the password hash (the lockout limit)")
s, js, _ = c.req("POST", "/api/v1/login", body={"user": "victim", "password": PW})
eq(s, 401, "the account is locked: the right password is refused")

# ---- per-address rate limit before the hash ----
srv.stop()
srv = Server(DB, "--threads", "2", "--login-burst", "3", "--login-rate", "0.2")
c = Client(srv.port, spec)
st = []
for _ in range(5):
    s, js, raw = c.req("POST", "/api/v1/login", body={"user": "nobody", "password": "x" * 12})
    st.append(s)
ok(st[:3] == [401, 401, 401] and st[3:] == [429, 429], "after the burst, logins get 429", str(st))
so = __import__("http.client").client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
t0 = time.time()
so.request("POST", "/api/v1/login", body=b'{"user":"adm1","password":"' + PW.encode() + b'"}',
           headers={"Content-Type": "application/json"})
r = so.getresponse()
r.read()
ra = r.getheader("Retry-After")
ok(r.status == 429 and ra and 1 <= int(ra) <= 6 and time.time() - t0 < 0.1,
   "429 carries Retry-After and comes before any hash (fast), even for a real user", f"{r.status} {ra}")
s, js, _ = c.req("GET", "/api/v1/banner")
eq(s, 200, "other routes are not limited")
eq(srv.stop(), 0, "server stops cleanly")
finish()
