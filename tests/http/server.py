"""server.py - start and stop `puente serve` for the tests."""
import os
import re
import subprocess
import time


class Server:
    def __init__(self, db, *args):
        exe = os.environ.get("PUENTE_BIN", "build/puente")
        if "://" in db:  # a PostgreSQL store: the log goes to the test's directory
            tmp = os.environ.get("TEST_TMP", "/tmp")
            self.log = os.path.join(tmp, re.sub(r"[^A-Za-z0-9_]", "_", db.rsplit("=", 1)[-1]) + ".serve.log")
        else:
            self.log = db + ".serve.log"
        self.logf = open(self.log, "w")
        self.p = subprocess.Popen([exe, "serve", "--listen", "127.0.0.1:0", "--db", db, *args],
                                  stdout=self.logf, stderr=self.logf)
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline and self.p.poll() is None:
            m = re.search(r"listening on https?://127\.0\.0\.1:(\d+)", open(self.log).read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        if not self.port:
            raise RuntimeError("server did not start: " + open(self.log).read())

    def stop(self, sig=15):
        """Signal the server; returns its exit code."""
        self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = -9
        self.logf.close()
        return rc

    def output(self):
        return open(self.log).read()
