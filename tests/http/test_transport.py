"""Transport and request hardening (issue #15): TLS 1.2/1.3 with a
self-signed certificate made here (openssl), TLS 1.0/1.1 refused, HSTS;
plain HTTP refused on a non-loopback address without --allow-plain; the
path decoded exactly once; %00 refused; too many query arguments refused at
once; threshold=nan/inf refused; the security headers on every answer."""
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = os.path.join(TMP, "transport.db")
EXE = os.environ.get("PUENTE_BIN", "build/puente")
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

eq(cli("agency", "seed", "--db", DB)[0], 0, "agency seed")
eq(cli("user", "add", "an", "--agency", "DEA", "--role", "analyst", "--db", DB)[0], 0, "user add")
TOK = cli("token", "create", "an", "--db", DB)[1]
routes = set(cli("serve", "--list-routes")[1].splitlines())

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)


def raw_get(port, target, token=TOK):
    """GET with the request target exactly as given (no client-side quoting)."""
    so = socket.create_connection(("127.0.0.1", port), timeout=10)
    so.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        d = so.recv(65536)
        if not d:
            break
        data += d
    so.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/") else 0
    return status, head.decode("latin-1"), body.decode("utf-8", "replace")


# ---- security headers on every kind of answer ----
for what, (m, p, tok) in {"health": ("GET", "/api/v1/health", None), "404": ("GET", "/api/v1/nothing", None),
                          "401": ("GET", "/api/v1/entities", None), "200": ("GET", "/api/v1/me", TOK)}.items():
    h = {"Authorization": f"Bearer {tok}"} if tok else {}
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    conn.request(m, p, headers=h)
    r = conn.getresponse()
    r.read()
    csp = r.getheader("Content-Security-Policy") or ""
    ok("default-src 'none'" in csp and "frame-ancestors 'none'" in csp and r.getheader("Referrer-Policy") == "no-referrer"
       and r.getheader("X-Content-Type-Options") == "nosniff" and r.getheader("Cache-Control") == "no-store"
       and r.getheader("X-Frame-Options") == "DENY", f"security headers on a {what} answer")
    ok(r.getheader("Strict-Transport-Security") is None, f"no HSTS over plain HTTP ({what})")
    conn.close()

# ---- the path is decoded exactly once ----
s, head, body = raw_get(srv.port, "/api/v1/entities/x%252ey")
ok(s == 404 and "x%2ey" in body, "a double-encoded %252e stays literal (%2e), not '.'", body)
s, head, body = raw_get(srv.port, "/api/v1/entities/x%2541y")
ok(s == 404 and "x%41y" in body and "xAy" not in body, "%2541 is decoded once to %41, not to A", body)
s, head, body = raw_get(srv.port, "/api/v1/entities/x%41y")
ok(s == 404 and "xAy" in body, "a single escape is decoded", body)
# ---- %00 refused ----
for target in ("/api/v1/entities/a%00b", "/api/v1/entities?q=a%00b", "/api/v1/entities/a%2500b"):
    s, head, body = raw_get(srv.port, target)
    if "%2500" in target:
        ok(s == 404 and "a%00b" in body, "%2500 is a literal '%00' id, not a NUL", body)
    else:
        ok(s == 400 and '"field":"path"' in body, f"an encoded NUL is refused: {target}", body)
# ---- too many query arguments: refused at once ----
t0 = time.time()
s, head, body = raw_get(srv.port, "/api/v1/entities?" + "&".join(f"a{i}=1" for i in range(5000)))
dt = time.time() - t0
ok(s in (400, 414) and dt < 2, f"5000 query arguments: {s} in {dt:.2f}s", body[:200])
s, head, body = raw_get(srv.port, "/api/v1/entities?" + "&".join(f"a{i}=1" for i in range(65)))
eq(s, 414, "65 query arguments are refused with 414")
s, head, body = raw_get(srv.port, "/api/v1/entities?limit=1&" + "&".join("q=x" for _ in range(62)))
ok(s in (200, 400), "64 arguments are parsed normally", str(s))
# ---- numbers: NaN and infinities refused ----
if "POST /match/{dataset}" in routes:
    q = {"queries": {"q1": {"schema": "Person", "properties": {"name": ["Juan Perez"]}}}}
    for bad in ("nan", "NaN", "inf", "-inf", "1e999", "0.5x"):
        s, js, _ = c.req("POST", "/match/default", token=TOK, body=q, query={"threshold": bad})
        ok(s == 400 and js["error"]["field"] == "threshold", f"threshold={bad} is refused")
    s, js, _ = c.req("POST", "/match/default", token=TOK, body=q, query={"threshold": "0.7"})
    eq(s, 200, "threshold=0.7 is accepted")
srv.stop()

# ---- plain HTTP only on loopback ----
p = subprocess.run([EXE, "serve", "--listen", "0.0.0.0:0", "--db", DB], capture_output=True, text=True, timeout=30)
ok(p.returncode != 0 and "loopback" in p.stderr, "plain HTTP on 0.0.0.0 is refused without --allow-plain", p.stderr)
log = os.path.join(TMP, "plain.log")
with open(log, "w") as lf:
    pr = subprocess.Popen([EXE, "serve", "--listen", "0.0.0.0:0", "--allow-plain", "--db", DB], stdout=lf, stderr=lf)
started = False
for _ in range(300):
    if "listening on http://0.0.0.0:" in open(log).read():
        started = True
        break
    time.sleep(0.05)
ok(started, "with --allow-plain it listens on 0.0.0.0", open(log).read())
pr.terminate()
eq(pr.wait(timeout=60), 0, "and stops cleanly")
p = subprocess.run([EXE, "serve", "--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent", "--db", DB],
                   capture_output=True, text=True, timeout=30)
ok(p.returncode != 0 and "tls" in p.stderr.lower(), "a certificate without its key is refused", p.stderr)

# ---- TLS ----
cert, key = os.path.join(TMP, "cert.pem"), os.path.join(TMP, "key.pem")
g = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   capture_output=True, text=True)
eq(g.returncode, 0, "a self-signed certificate is made with openssl")
srv = Server(DB, "--threads", "2", "--tls-cert", cert, "--tls-key", key)
ok("https://127.0.0.1" in srv.output() and "TLS 1.2+" in srv.output(), "the server says it listens with TLS")


def tls_get(minv, maxv, path="/api/v1/health", seclevel0=False):
    ctx = ssl.create_default_context(cafile=cert)
    ctx.minimum_version = minv
    ctx.maximum_version = maxv
    if seclevel0:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        return r.status, r.getheader("Strict-Transport-Security"), conn.sock.version()
    finally:
        conn.close()


for v in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
    s, hsts, ver = tls_get(v, v)
    ok(s == 200 and ver == v.name.replace("v", "v").replace("_", ".") and hsts and "max-age=" in hsts,
       f"{v.name}: the certificate verifies, 200, HSTS", f"{s} {ver} {hsts}")
for v in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
    try:
        tls_get(v, v, seclevel0=True)
        ok(False, f"{v.name} is refused")
    except ssl.SSLError as ex:
        # a client that could not even offer the version would say "no protocols available"
        ok("NO_PROTOCOLS_AVAILABLE" not in str(ex), f"{v.name} is refused by the server", str(ex))
    except (ConnectionError, OSError) as ex:
        ok(True, f"{v.name} is refused by the server ({type(ex).__name__})")
if shutil.which("gnutls-cli"):
    def gnutls(prio):
        return subprocess.run(["gnutls-cli", "--priority", prio, "--x509cafile", cert, "-p", str(srv.port), "127.0.0.1"],
                              input="", capture_output=True, text=True, timeout=30)
    good = gnutls("NORMAL:-VERS-ALL:+VERS-TLS1.2")
    bad = gnutls("NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0")
    ok(good.returncode == 0 and "TLS1.2" in good.stdout, "gnutls-cli: TLS 1.2 handshake succeeds", good.stdout[-300:])
    ok(bad.returncode != 0, "gnutls-cli: TLS 1.0/1.1 handshake fails", bad.stdout[-300:] + bad.stderr[-300:])
so = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
so.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
try:
    data = so.recv(100)
except OSError:
    data = b""
so.close()
ok(not data.startswith(b"HTTP/1.1 200"), "plain HTTP to the TLS port gets no answer", repr(data[:60]))
eq(srv.stop(), 0, "the TLS server stops cleanly")
finish()
