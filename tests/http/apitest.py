"""apitest.py - a small HTTP client for the end-to-end tests of `puente serve`.

Every response is checked against docs/openapi.yaml: the route must be
documented, the status must be listed for it, and the JSON body must fit the
documented schema (a JSON-Schema subset validator is below, so the tests need
only python3 and python3-yaml from Debian). Results print as TAP-like lines
("ok - ..." / "not ok - ...") and the process exits non-zero on any failure.
"""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import urllib.parse

import yaml

_pass = 0
_fail = 0


def ok(cond, name, extra=""):
    global _pass, _fail
    if cond:
        _pass += 1
        print(f"ok - {name}")
    else:
        _fail += 1
        print(f"not ok - {name} {extra}"[:2000])
    return cond


def eq(got, want, name):
    return ok(got == want, name, f"(expected {want!r}, got {got!r})")


_RUN = __import__("time").time_ns()
# Several servers may share a PostgreSQL store: no local audit journal there
# (docs/audit.md, `commit` mode); an SQLite file keeps its default journal.
if os.environ.get("PUENTE_TEST_DB"):
    os.environ.setdefault("PUENTE_AUDIT_JOURNAL", "commit")


def test_store(path):
    """The store a test uses: `path` (an SQLite file), or, when PUENTE_TEST_DB
    holds a PostgreSQL URI (the second run of `make check`), a schema of that
    database named after the file and this process (created on first open)."""
    base = os.environ.get("PUENTE_TEST_DB", "")
    if not base:
        return path
    name = re.sub(r"[^a-z0-9]", "_", os.path.basename(path).lower())
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3Dt_{name}_{os.getpid()}_{_RUN}"


def store_query(db, sql, args=()):
    """The test's own probe of a store: the rows of `sql` (`?` parameters) as
    tuples; sqlite3 for a file, psql for a PostgreSQL URI (integers come back
    as int). Raises RuntimeError when the SQL fails."""
    if "://" not in db:
        import sqlite3
        con = sqlite3.connect(db, timeout=10)
        try:
            rows = con.execute(sql, args).fetchall()
            con.commit()
            return rows
        except sqlite3.Error as e:
            raise RuntimeError(str(e)) from e
        finally:
            con.close()
    it = iter(args)

    def lit(_m):
        v = next(it)
        return "NULL" if v is None else str(v) if isinstance(v, (int, float)) else "'" + str(v).replace("'", "''") + "'"
    text = re.sub(r"\?", lit, sql)
    p = subprocess.run([os.environ.get("PUENTE_PSQL", "psql"), "-qAtX", "-F", "\x1f", "-d", db, "-c", text],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    conv = lambda v: int(v) if re.fullmatch(r"-?\d+", v) else v  # noqa: E731
    return [tuple(conv(v) for v in line.split("\x1f")) for line in p.stdout.splitlines()]


def sqlite_only(why):
    """Skip the rest (exit 77) on PostgreSQL: the test reads the SQLite file."""
    if os.environ.get("PUENTE_TEST_DB"):
        print(f"skip: SQLite only ({why})")
        sys.exit(77)


def postgresql_only(why):
    """Skip the rest (exit 77) on SQLite: the test is about a PostgreSQL store."""
    if "://" not in os.environ.get("PUENTE_TEST_DB", ""):
        print(f"skip: PostgreSQL only ({why})")
        sys.exit(77)


def finish():
    print(f"{_pass} passed, {_fail} failed")
    sys.exit(1 if _fail else 0)


# ---- OpenAPI ----
class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.routes = []  # (method, template, regex)
        for tmpl, item in self.doc["paths"].items():
            rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(tmpl)) + "$"
            for m in item:
                if m in ("get", "post", "put", "patch", "delete"):
                    self.routes.append((m.upper(), tmpl, re.compile(rx)))

    def find(self, method, path):
        for m, tmpl, rx in self.routes:
            if m == method and rx.match(path):
                return tmpl
        return None

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/"), ref
            cur = self.doc
            for part in ref[2:].split("/"):
                cur = cur[part]
            extra = {k: v for k, v in node.items() if k != "$ref"}
            node = dict(cur, **extra) if extra else cur
        return node

    def response_schema(self, method, tmpl, status):
        op = self.doc["paths"][tmpl][method.lower()]
        resp = op["responses"].get(str(status))
        if resp is None:
            return False, None
        resp = self.resolve(resp)
        content = resp.get("content", {})
        if "application/x-ndjson" in content and "application/json" not in content:
            return True, "ndjson"
        media = content.get("application/json")
        return True, (media or {}).get("schema")

    def validate(self, schema, inst, where="$"):
        """Return a list of problems (empty = fits)."""
        s = self.resolve(schema)
        errs = []
        if s is None:
            return errs
        for sub in s.get("allOf", []):
            errs += self.validate(sub, inst, where)
        t = s.get("type")
        if t is not None:
            types = t if isinstance(t, list) else [t]
            if not any(_is_type(inst, ty) for ty in types):
                return errs + [f"{where}: expected {t}, got {type(inst).__name__}"]
        if "enum" in s and inst not in s["enum"]:
            errs.append(f"{where}: {inst!r} not in {s['enum']}")
        if isinstance(inst, dict):
            for k in s.get("required", []):
                if k not in inst:
                    errs.append(f"{where}: missing required '{k}'")
            props = s.get("properties", {})
            addl = s.get("additionalProperties", True)
            for k, v in inst.items():
                if k in props:
                    errs += self.validate(props[k], v, f"{where}.{k}")
                elif addl is False:
                    errs.append(f"{where}: unexpected '{k}'")
                elif isinstance(addl, dict):
                    errs += self.validate(addl, v, f"{where}.{k}")
        if isinstance(inst, list) and "items" in s:
            for i, v in enumerate(inst):
                errs += self.validate(s["items"], v, f"{where}[{i}]")
        return errs


def _is_type(v, t):
    return {
        "object": isinstance(v, dict),
        "array": isinstance(v, list),
        "string": isinstance(v, str),
        "integer": isinstance(v, int) and not isinstance(v, bool),
        "number": isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": isinstance(v, bool),
        "null": v is None,
    }[t]


class Client:
    def __init__(self, port, spec):
        self.port = port
        self.spec = spec
        self.checked = set()
        self.conn = None
        self.requests = 0

    def req(self, method, path, token=None, body=None, raw=None, headers=None, query=None, check=True):
        """Send a request; returns (status, parsed JSON or None, raw bytes)."""
        self.requests += 1
        url = path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        # one keep-alive connection, reopened when the server closed it (after
        # an early 413, a timeout...): a request that never reached it is resent
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, url, body=data, headers=h)
                r = self.conn.getresponse()
                payload = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        try:
            js = json.loads(payload) if payload else None
        except ValueError:
            js = None
        if check:
            self._check(method, path, r.status, js, payload)
        return r.status, js, payload

    def _check(self, method, path, status, js, payload):
        tmpl = self.spec.find(method, path.split("?")[0])
        if tmpl is None:
            # unknown routes answer with the error body
            fits = js is not None and not self.spec.validate({"$ref": "#/components/schemas/Error"}, js)
            ok(status in (404, 405) and fits, f"undocumented {method} {path} answers 404/405 with the error body",
               f"(status {status})")
            return
        known, schema = self.spec.response_schema(method, tmpl, status)
        key = (method, tmpl, status)
        if not known:
            ok(False, f"{method} {tmpl} status {status} is documented", payload[:300])
            return
        if schema == "ndjson":
            try:
                good = all(isinstance(json.loads(l), dict) for l in payload.decode().splitlines() if l.strip())
            except ValueError:
                good = False
            if not good or key not in self.checked:
                ok(good, f"{method} {tmpl} {status} is JSON lines")
            self.checked.add(key)
            return
        if js is None:
            ok(False, f"{method} {tmpl} {status} body is JSON", payload[:300])
            return
        errs = self.spec.validate(schema, js) if schema else []
        if errs or key not in self.checked:
            ok(not errs, f"{method} {tmpl} {status} fits the OpenAPI schema", "; ".join(errs[:5]))
        self.checked.add(key)


def raw_post(port, path, token, body, content_type="application/json", chunked=False, timeout=30):
    """POST body over a raw socket and return the HTTP status (0 if none).
    For oversize bodies: the server answers 413 before reading them all, which
    a plain client reports as a broken pipe instead of the answer."""
    so = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {len(body)}\r\n\r\n"
    data = b""
    try:
        so.sendall(head.encode())
        for i in range(0, len(body), 65536):
            part = body[i:i + 65536]
            so.sendall(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
        if chunked:
            so.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    try:
        while b"\r\n\r\n" not in data:
            d = so.recv(4096)
            if not d:
                break
            data += d
    except OSError:
        pass
    so.close()
    return int(data.split(b" ")[1]) if data.startswith(b"HTTP/") else 0


def cli(*args, stdin=None):
    """Run build/puente with args; returns (rc, stdout)."""
    exe = os.environ.get("PUENTE_BIN", "build/puente")
    p = subprocess.run([exe, *args], input=stdin, capture_output=True, text=True)
    return p.returncode, p.stdout.strip()


def seed_users(db, users):
    """Seed the demo agencies into db, add users given as (name, agency, role)
    and return {name: api token}; each step is asserted."""
    eq(cli("agency", "seed", "--db", db)[0], 0, "agency seed")
    tokens = {}
    for name, agency, role in users:
        eq(cli("user", "add", name, "--agency", agency, "--role", role, "--db", db)[0], 0, f"user add {name}")
        tokens[name] = cli("token", "create", name, "--db", db)[1]
    return tokens
