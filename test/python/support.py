"""Helpers for the runtime tests: render the runtime through skene's TypeScript build, sign Stripe
payloads, a Resend-shaped server, a throwaway PostgreSQL."""

import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")


def _newest_postgres_bin():
    """The newest PostgreSQL server installed (15 on Debian 12, 18 on sid)."""
    base = "/usr/lib/postgresql"
    versions = sorted((name for name in os.listdir(base) if name.isdigit()), key=int) if os.path.isdir(base) else []
    return os.path.join(base, versions[-1], "bin") if versions else os.path.join(base, "missing", "bin")


PG_BIN = _newest_postgres_bin()
WEBHOOK_SECRET = "whsec_test_secret"


def step(step_id, endpoint, limits, methods=("POST",), period="30d", period_seconds=30 * 86400, **extra):
    data = {
        "id": step_id,
        "endpoint": endpoint,
        "methods": list(methods) if methods != "*" else "*",
        "limits": limits,
        "period": period,
        "period_seconds": period_seconds,
        "mode": "enforce",
        "fail_open": True,
        "message": "You've reached your free tier limit. Upgrade to continue.",
        "upgrade_url": None,
        "upgrade_prompt": None,
    }
    data.update(extra)
    return data


def compiled_loop(steps, plans=None, retries=0, grace_seconds=3 * 86400, plan_source=None):
    body = {
        "format": 1,
        "type": "freemium",
        "steps": steps,
        "plans": plans or {},
        "recovery": {"retries": retries},
        "past_due_grace_seconds": grace_seconds,
    }
    if plan_source is not None:
        body["plan_source"] = plan_source
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return dict(body, skene_version="test", hash=digest)


def analysis_for(
    package,
    auth=("testapp.deps", "get_current_user"),
    engine=("testapp.db", "engine"),
    webhooks=(),
    async_engine=False,
    alembic=None,
):
    return {
        "apps": [
            {
                "file": "%s/main.py" % package,
                "line": 1,
                "variable": "app",
                "module": "%s.main" % package,
                "mountedAt": [],
                "creation": {"file": "%s/main.py" % package, "line": 1, "column": 0, "endLine": 1, "endColumn": 1},
            }
        ],
        "sourceRoots": [{"path": "", "packages": [package]}],
        "auth": {
            "primary": None
            if auth is None
            else {
                "file": "x",
                "line": 1,
                "module": auth[0],
                "name": auth[1],
                "scheme": "api_key",
                "returns": "object",
                "fields": ["id", "email"],
                "isAsync": False,
                "aliases": [],
                "routeCount": 1,
            },
            "candidates": [],
        },
        "database": {
            "kind": "none" if engine is None else "sqlalchemy",
            "async": async_engine,
            **(
                {}
                if engine is None
                else {"engine": {"file": "x", "line": 1, "module": engine[0], "variable": engine[1]}}
            ),
            **({} if alembic is None else {"alembic": alembic}),
        },
        "stripe": {
            "used": bool(webhooks),
            "imports": [],
            "calls": [],
            "prices": [],
            "checkoutUserLinks": [],
            "checkoutSuccessPaths": [],
            "apiKeyEnv": [],
            "webhookSecretEnv": [],
            "webhooks": list(webhooks),
        },
    }


def render_project(app_name, target, analysis, compiled):
    """Copies test app `app_name` to `target` and renders the runtime into it with skene's own build."""
    shutil.copytree(os.path.join(APPS, app_name), target, dirs_exist_ok=True)
    return render_into(target, analysis, compiled)


def render_into(target, analysis, compiled):
    """Renders the runtime into the project at `target` as it is (a second run regenerates)."""
    return _render({"root": target, "analysis": analysis, "compiled": compiled}, target)


def render_fixture(fixture, target, compiled):
    """Copies fixture project `fixture` to `target`, analyses it with skene's analyzer, renders the runtime
    and wires the gates the way `skene init` does."""
    return _render({"root": target, "fixture": fixture, "compiled": compiled}, target)


def _render(spec_data, target):
    spec = os.path.join(tempfile.mkdtemp(prefix="skene-spec-"), "spec.json")
    with open(spec, "w") as handle:
        json.dump(spec_data, handle)
    try:
        out = subprocess.run(
            ["node", "--import", "tsx", os.path.join("test", "python", "render_runtime.ts"), spec],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
    finally:
        shutil.rmtree(os.path.dirname(spec), ignore_errors=True)
    if out.returncode != 0:
        raise RuntimeError("rendering into %s failed:\n%s" % (target, out.stderr[-3000:]))
    return json.loads(out.stdout)


def sign(payload, secret=WEBHOOK_SECRET, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), ("%d." % timestamp).encode() + payload, hashlib.sha256).hexdigest()
    return "t=%d,v1=%s" % (timestamp, signature)


def stripe_event(event_id, event_type, obj, created=None):
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
        "api_version": "2025-03-31.basil",
    }


def subscription(sub_id, customer, status, price="price_basic", user_id=None, period_end=None):
    obj = {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "metadata": {} if user_id is None else {"user_id": str(user_id)},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_" + sub_id,
                    "object": "subscription_item",
                    "price": {"id": price, "object": "price", "lookup_key": None},
                    "current_period_end": period_end or int(time.time()) + 30 * 86400,
                }
            ],
        },
    }
    return obj


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ResendServer(object):
    """A Resend-shaped HTTP server on 127.0.0.1 that records every POST /emails.

    `responses` is a list of (status, headers) answered in order; after it runs out every call gets 200.
    """

    def __init__(self):
        self.requests = []
        self.responses = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server.lock:
                    server.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body, "at": time.time()}
                    )
                    status, headers = server.responses.pop(0) if server.responses else (200, {})
                payload = json.dumps(
                    {"id": "email_%d" % len(server.requests)} if status == 200 else {"name": "rate_limit_exceeded"}
                )
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class StripeServer(object):
    """A Stripe-shaped API on 127.0.0.1 for the stripe library and skene's runtime: customers and checkout
    sessions are created (POST /v1/customers, /v1/checkout/sessions), subscriptions listed from
    `subscriptions` (GET /v1/subscriptions?customer=...), customers found by email. Records every request."""

    def __init__(self):
        self.requests = []
        self.customers = {}
        self.subscriptions = []
        self.next_customer = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body):
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self):
                from urllib.parse import parse_qs

                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with server.lock:
                    server.requests.append(("POST", self.path, form))
                    if self.path.startswith("/v1/customers"):
                        cid = (
                            server.next_customer.pop(0)
                            if server.next_customer
                            else "cus_%d" % (len(server.customers) + 1)
                        )
                        customer = {"id": cid, "object": "customer", "email": form.get("email"), "metadata": {}}
                        server.customers[cid] = customer
                        return self._answer(customer)
                    if self.path.startswith("/v1/checkout/sessions"):
                        sid = "cs_test_%d" % len(server.requests)
                        return self._answer(
                            {"id": sid, "object": "checkout.session", "url": "https://checkout.test/" + sid, **form}
                        )
                self.send_response(404)
                self.end_headers()

            def do_GET(self):
                from urllib.parse import parse_qs, urlparse

                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                with server.lock:
                    server.requests.append(("GET", url.path, query))
                    if url.path == "/v1/subscriptions":
                        data = [s for s in server.subscriptions if s["customer"] == query.get("customer")]
                        return self._answer({"object": "list", "data": data, "has_more": False})
                    if url.path == "/v1/customers":
                        data = [c for c in server.customers.values() if c.get("email") == query.get("email")]
                        return self._answer({"object": "list", "data": data, "has_more": False})
                self.send_response(404)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Postgres(object):
    """A throwaway PostgreSQL cluster run as the `postgres` user, on loopback, socket in its folder."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="skene-pg-")
        os.chmod(self.dir, 0o755)
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self._as_postgres(
            [
                os.path.join(PG_BIN, "initdb"),
                "-D",
                self.data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ]
        )
        options = (
            "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300"
            % (self.port, self.dir)
        )
        self._as_postgres(
            [
                os.path.join(PG_BIN, "pg_ctl"),
                "-D",
                self.data,
                "-o",
                options,
                "-w",
                "-l",
                os.path.join(self.dir, "log"),
                "start",
            ]
        )
        self.url = "postgresql://postgres@127.0.0.1:%d/postgres" % self.port

    def _as_postgres(self, command):
        subprocess.run(["runuser", "-u", "postgres", "--"] + command, check=True, capture_output=True, cwd=self.dir)

    def stop(self):
        try:
            self._as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def wait_for_http(url, timeout=30.0):
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server at %s did not start" % url)


def start_uvicorn(project, database_url, workers=1, app="testapp.main:app", env=None):
    """Serves `app` of the project at `project` with uvicorn on a free loopback port: (process, base url)."""
    environment = dict(
        os.environ, TESTAPP_DATABASE_URL=database_url, PYTHONPATH=project, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET
    )
    environment.pop("SKENE_DATABASE_URL", None)
    environment.update(env or {})
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=project,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = "http://127.0.0.1:%d" % port
    try:
        wait_for_http(base + "/api/open")
    except Exception:
        process.kill()
        raise
    return process, base


def stop_uvicorn(process):
    """Stops a server from start_uvicorn; returns what it wrote to stderr."""
    import signal

    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return process.stderr.read().decode(errors="replace")
