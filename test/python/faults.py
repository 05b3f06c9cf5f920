"""Real faults for the runtime tests: a SQLite file locked by another process, a PostgreSQL server frozen
(SIGSTOP) or stopped, a Resend-shaped server that hangs, and a Stripe-shaped API on 127.0.0.1."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import support

_HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
"""


@contextlib.contextmanager
def sqlite_locked(path):
    """Another process holds BEGIN EXCLUSIVE on the SQLite file at `path` while the block runs."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=10)


def postgres_pids(server):
    """The postmaster of a support.Postgres cluster and every process it started."""
    with open(os.path.join(server.data, "postmaster.pid")) as handle:
        postmaster = int(handle.readline())
    pids = [postmaster]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            pids.append(int(entry))
    return pids


@contextlib.contextmanager
def postgres_frozen(server):
    """The cluster's processes stopped with SIGSTOP (connections stay open, nothing answers); SIGCONT after."""
    pids = postgres_pids(server)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


def _pg_ctl(server, *args):
    server._as_postgres([os.path.join(support.PG_BIN, "pg_ctl"), "-D", server.data] + list(args))


@contextlib.contextmanager
def postgres_stopped(server):
    """The cluster shut down (connections refused) while the block runs, started again after."""
    _pg_ctl(server, "-m", "fast", "-w", "stop")
    try:
        yield
    finally:
        options = (
            "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300"
            % (server.port, server.dir)
        )
        _pg_ctl(server, "-o", options, "-w", "-l", os.path.join(server.dir, "log"), "start")


class ScriptedServer(object):
    """An HTTP server on 127.0.0.1 answering from a script: each call takes the next entry of `script`
    ("hang" waits until close(), or (status, body)); when it runs out, `default` answers."""

    def __init__(self, default=(200, {"id": "email_ok"})):
        self.requests = []
        self.script = []
        self.default = default
        self.lock = threading.Lock()
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server.lock:
                    server.requests.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": json.loads(body) if body else None,
                            "at": time.time(),
                        }
                    )
                    action = server.script.pop(0) if server.script else server.default
                if action == "hang":
                    server.closing.wait(60)
                    return
                status, payload = action
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
