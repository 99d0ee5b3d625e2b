"""A password set by an administrator (or the operator) must be changed by
the user at the next login (docs/access.md, "Password set by an
administrator"), through the API, the web sign-in and the CLI, on both
backends:

(a) the API: an administrator's reset (PATCH /api/v1/users/{name}) and an
    account an administrator creates with a password log in only into the
    must-change state: the login answer says so, every route but
    /api/v1/me, logout and POST /api/v1/me/password answers 403 with code
    password_change_required (tokens of the user too); a wrong current
    password, the same password again and a common one are refused; the
    change lifts the state on the same session, revokes the user's other
    secrets, and the next login is an ordinary one; the user's own change
    never sets the state again;
(b) the web sign-in: POST /api/v1/web/session says so too, and the change
    works with the cookie and the CSRF token;
(c) the CLI: `puente user password` (the operator's reset) sets the state;
    `puente --user NAME` is refused until `puente user change-password`;
    `user add --password-stdin` sets it, `--permanent` does not.
"""
import http.client
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, store_query, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "pwchange.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))
PW = "correct horse battery staple"
RESET = "temporary passphrase from the admin"
MINE = "my very own passphrase 2026"
exe = os.environ.get("PUENTE_BIN", "build/puente")

eq(cli("agency", "seed", "--db", DB)[0], 0, "agency seed")
eq(cli("policy", "set", "mfa-roles", "", "--db", DB)[0], 0, "no second factor in this test")
for name, role in (("adm1", "admin"), ("adm2", "admin"), ("ana", "analyst"), ("beto", "analyst")):
    eq(cli("user", "add", name, "--agency", "DEA", "--role", role, "--password-stdin", "--permanent", "--db", DB,
           stdin=PW + "\n")[0], 0, f"user add {name} --permanent")


def must_change(user):
    return store_query(DB, "SELECT pw_change FROM acl_user WHERE name = ?", (user,))[0][0]


eq(must_change("ana"), 0, "--permanent: no change required")
srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)


def login(user, pw):
    return c.req("POST", "/api/v1/login", body={"user": user, "password": pw})


def code_of(js):
    return (js or {}).get("error", {}).get("code"), (js or {}).get("error", {}).get("field")


s, js, _ = login("adm1", PW)
A1 = js["session"]
s, js, _ = login("ana", PW)
ok(s == 200 and js["password_change_required"] is False and js["user"]["password_change_required"] is False,
   "an ordinary login says no change is required")

# ---- (a) an administrator's reset ----
s, _, _ = c.req("PATCH", "/api/v1/users/ana", token=A1, body={"password": RESET})
eq(s, 200, "an administrator resets ana's password")
eq(must_change("ana"), 1, "the reset is stored as must-change")
s, js, _ = login("ana", RESET)
ok(s == 200 and js["password_change_required"] is True and js["user"]["permissions"] == [],
   "the login succeeds into the must-change state, without permissions", json.dumps(js)[:300])
S = js["session"]
tok = cli("token", "create", "ana", "--db", DB)[1]
for method, path, body in (("GET", "/api/v1/entities", None), ("GET", "/api/v1/stats", None),
                           ("POST", "/api/v1/entities", {"id": "x", "schema": "Person", "properties": {"name": ["X"]}}),
                           ("POST", "/api/v1/me/totp", None), ("POST", "/api/v1/users/ana/tokens", {"password": RESET})):
    for what, secret in (("session", S), ("token", tok)):
        s, js, _ = c.req(method, path, token=secret, body=body)
        ok(s == 403 and code_of(js)[0] == "password_change_required",
           f"{method} {path} with the {what}: 403 password_change_required", f"{s} {js}")
s, js, _ = c.req("GET", "/api/v1/me", token=S)
ok(s == 200 and js["password_change_required"] is True, "GET /api/v1/me works and says so")
s, js, _ = c.req("POST", "/api/v1/me/password", token=S, body={"current_password": "not it at all", "new_password": MINE})
ok(s == 403 and code_of(js) == ("denied", "current_password"), "a wrong current password is refused", f"{s} {js}")
eq(store_query(DB, "SELECT failures FROM acl_user WHERE name = 'ana'")[0][0], 1,
   "the wrong current password counts towards the lockout")
s, js, _ = c.req("POST", "/api/v1/me/password", token=S, body={"current_password": RESET, "new_password": RESET})
ok(s == 400 and code_of(js)[1] == "new_password", "the same password again is refused", f"{s} {js}")
s, js, _ = c.req("POST", "/api/v1/me/password", token=S, body={"current_password": RESET, "new_password": "Password2024!"})
ok(s == 400 and code_of(js)[1] == "new_password", "a common password is refused (the policy)", f"{s} {js}")
s, js, _ = c.req("POST", "/api/v1/me/password", token=S, body={"current_password": RESET})
eq(s, 400, "the new password is required")
s, js, _ = c.req("POST", "/api/v1/me/password", token=S, body={"current_password": RESET, "new_password": MINE})
ok(s == 200 and js.get("status") == "password changed", "the user's own change is accepted", f"{s} {js}")
eq(must_change("ana"), 0, "the change clears the state")
s, js, _ = c.req("GET", "/api/v1/entities", token=S)
eq(s, 200, "the same session now has the role's permissions")
s, js, _ = c.req("GET", "/api/v1/me", token=tok)
eq(s, 401, "the user's other secrets are revoked by the change")
s, js, _ = login("ana", RESET)
eq(s, 401, "the old password no longer works")
s, js, _ = login("ana", MINE)
ok(s == 200 and js["password_change_required"] is False and "read" in js["user"]["permissions"],
   "the next login is an ordinary one")
S2 = js["session"]
s, js, _ = c.req("POST", "/api/v1/me/password", token=S2, body={"current_password": MINE, "new_password": MINE + " again"})
eq(s, 200, "a voluntary change")
eq(must_change("ana"), 0, "the user's own change never sets the state")

# an account an administrator creates with a password
s, js, _ = c.req("POST", "/api/v1/users", token=A1, body={"name": "nuevo", "role": "analyst", "password": RESET})
eq(s, 201, "an administrator adds an account with a password")
eq(must_change("nuevo"), 1, "its password is the administrator's: must change")

# ---- (b) the web sign-in ----
def web(method, path, body=None, headers=None):
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
    return r, json.loads(payload) if payload else None


s, _, _ = c.req("PATCH", "/api/v1/users/beto", token=A1, body={"password": RESET})
eq(s, 200, "reset beto")
r, js = web("POST", "/api/v1/web/session", {"user": "beto", "password": RESET})
ok(r.status == 200 and js["user"]["password_change_required"] is True, "the web sign-in says a change is required")
cookie = (r.getheader("Set-Cookie") or "").split(";")[0]
csrf = js.get("csrf", "")
r, js = web("GET", "/api/v1/entities", headers={"Cookie": cookie})
ok(r.status == 403 and code_of(js)[0] == "password_change_required", "the web session may not read records yet")
r, js = web("GET", "/api/v1/web/session", headers={"Cookie": cookie})
ok(r.status == 200 and js["user"]["password_change_required"] is True, "a reloaded page learns the state")
r, js = web("POST", "/api/v1/me/password", {"current_password": RESET, "new_password": MINE},
            {"Cookie": cookie, "X-CSRF-Token": csrf})
eq(r.status, 200, "the web form's change (cookie + CSRF token)")
r, js = web("GET", "/api/v1/web/session", headers={"Cookie": cookie})
ok(r.status == 200 and js["user"]["password_change_required"] is False and "read" in js["user"]["permissions"],
   "the session goes on with the role's permissions")
eq(srv.stop(), 0, "server stops cleanly")

# ---- (c) the CLI ----


def as_user(user, password, *args):
    p = subprocess.run([exe, "--user", user, *args], capture_output=True, text=True,
                       env=dict(os.environ, PUENTE_PASSWORD=password))
    return p.returncode, p.stdout + p.stderr


rc, out = as_user("ana", MINE + " again", "stats", "--db", DB)
eq(rc, 0, "ana acts through the CLI with her own password")
eq(cli("user", "password", "ana", "--password-stdin", "--db", DB, stdin=RESET + "\n")[0], 0,
   "the operator resets ana's password (puente user password)")
eq(must_change("ana"), 1, "the operator's reset is must-change")
rc, out = as_user("ana", RESET, "stats", "--db", DB)
ok(rc == 5 and "change it first" in out and "change-password" in out,
   "puente --user is refused until the change, and says how", f"{rc} {out}")
rc, out = cli("user", "change-password", "ana", "--password-stdin", "--db", DB, stdin=f"wrong one here\n{MINE}-2\n")
eq(rc, 5, "change-password with a wrong current password: denied")
rc, out = cli("user", "change-password", "ana", "--password-stdin", "--db", DB, stdin=f"{RESET}\n{MINE}-2\n")
eq(rc, 0, "change-password with the current one")
eq(must_change("ana"), 0, "the user's own change clears the state")
rc, out = as_user("ana", f"{MINE}-2", "stats", "--db", DB)
eq(rc, 0, "puente --user works again")
eq(cli("user", "add", "carla", "--agency", "DEA", "--role", "analyst", "--password-stdin", "--db", DB,
       stdin=RESET + "\n")[0], 0, "user add --password-stdin")
eq(must_change("carla"), 1, "an operator-chosen password is must-change by default")
rc, out = cli("user", "add", "dora", "--agency", "DEA", "--role", "analyst", "--permanent", "--db", DB)
eq(rc, 2, "--permanent without --password-stdin is a usage error")
rc, out = cli("audit", "export", "--db", DB)
ok('"action":"password.change","targets":"ana","outcome":"success"' in out,
   "the CLI change is audited")
ok('"action":"password.change"' in out and '"component":"http"' in out, "the API change is audited")
finish()
