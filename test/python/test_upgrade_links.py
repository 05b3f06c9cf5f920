"""Tracked upgrade links (GET /skene/upgrade/<token>) through a served app: the 402 body's and the email's link
redirect to the app's own upgrade URL and record `upgrade_clicked` once per user, step and window; tampered and
expired tokens still redirect but record nothing; the token carries no personal data."""

import base64
import http.client
import json
import os
import sqlite3
import time
from urllib.parse import urlsplit

import pytest
import support

LINKS_APP = os.path.join(support.REPO, "test", "stats", "app")
UPGRADE_URL = "https://example.test/pricing"
PROMPT = {"type": "email", "provider": "resend", "template": "upgrade_prompt"}


def links_analysis():
    return {
        "apps": [
            {
                "file": "linksapp/main.py",
                "line": 11,
                "variable": "app",
                "module": "linksapp.main",
                "mountedAt": [],
                "creation": {"file": "linksapp/main.py", "line": 11, "column": 0, "endLine": 11, "endColumn": 10},
            }
        ],
        "sourceRoots": [{"path": "", "packages": ["linksapp"]}],
        "auth": {
            "primary": {
                "file": "linksapp/main.py",
                "line": 15,
                "module": "linksapp.main",
                "name": "get_current_user",
                "scheme": "api_key",
                "returns": "dict",
                "fields": ["id", "email"],
                "isAsync": False,
                "aliases": [],
                "routeCount": 2,
            },
            "candidates": [],
        },
        "database": {"kind": "none", "async": False},
        "stripe": {
            "used": False,
            "imports": [],
            "calls": [],
            "webhooks": [],
            "prices": [],
            "checkoutUserLinks": [],
            "checkoutSuccessPaths": [],
            "apiKeyEnv": [],
            "webhookSecretEnv": [],
        },
    }


def render_links_app(root, steps, retries=0):
    support.shutil.copytree(LINKS_APP, root, dirs_exist_ok=True)
    return support.render_into(root, links_analysis(), support.compiled_loop(steps, retries=retries))


class LinksApp(object):
    """The links app served by uvicorn on loopback, its store on SQLite or PostgreSQL."""

    def __init__(self, root, database_url, resend, env=None):
        self.database_url = database_url
        environment = {
            "SKENE_DATABASE_URL": database_url,
            "RESEND_API_KEY": "re_test_key",
            "SKENE_RESEND_BASE_URL": resend.url,
            "SKENE_EMAIL_FROM": "billing@example.test",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        environment.update(env or {})
        self.process, self.base = support.start_uvicorn(root, database_url, app="linksapp.main:app", env=environment)

    def request(self, method, path, user=None, body=None, headers=None):
        """(status, headers, body bytes); redirects are not followed."""
        parts = urlsplit(self.base + path if path.startswith("/") else path)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        sent = dict(headers or {})
        if user is not None:
            sent["X-API-Key"] = "key-%s" % user
        try:
            connection.request(
                method, parts.path + (("?" + parts.query) if parts.query else ""), body=body, headers=sent
            )
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def use(self, step_path, user, times):
        return [self.request("POST", step_path, user)[0] for _ in range(times)]

    def blocked_body(self, step_path, user):
        status, _, body = self.request("POST", step_path, user)
        assert status == 402, body
        return json.loads(body)

    def stop(self):
        return support.stop_uvicorn(self.process)


def events(database_url, kind=None):
    """skene_events rows (kind, step_id, user_key, window_start, detail) of the app's store, oldest first."""
    sql = "SELECT kind, step_id, user_key, window_start, detail FROM skene_events"
    if database_url.startswith("sqlite"):
        db = sqlite3.connect(database_url[len("sqlite:///") :])
        try:
            rows = db.execute(sql + " ORDER BY created_at").fetchall()
        finally:
            db.close()
    else:
        import psycopg2

        db = psycopg2.connect(database_url)
        try:
            with db.cursor() as cur:
                cur.execute(sql + " ORDER BY created_at")
                rows = cur.fetchall()
        finally:
            db.close()
    return [row for row in rows if kind is None or row[0] == kind]


def wait_for(predicate, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def token_payload(link):
    token = link.rsplit("/", 1)[1]
    body = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def link_in_email(request):
    html = request["body"]["html"]
    start = html.index('href="') + len('href="')
    return html[start : html.index('"', start)]


STEPS = [
    support.step("reports", "/api/reports", {"free": 2, "paid": None}, upgrade_url=UPGRADE_URL, upgrade_prompt=PROMPT),
    support.step("exports", "/api/exports", {"free": 1, "paid": None}, period="1m", period_seconds=3),
]


@pytest.fixture(scope="module")
def links_project(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("links"))
    rendered = render_links_app(root, STEPS)
    assert rendered["location"] == {"dir": "linksapp/skene", "module": "linksapp.skene"}
    return root


@pytest.fixture
def resend_server():
    server = support.ResendServer()
    yield server
    server.close()


@pytest.fixture
def served(links_project, resend_server, tmp_path):
    app = LinksApp(
        links_project,
        "sqlite:///%s" % (tmp_path / "skene.db"),
        resend_server,
        env={"SKENE_UPGRADE_URL": "https://example.test/from-env"},
    )
    yield app
    app.stop()


def test_the_402_link_and_the_email_link_redirect_and_count_one_click(served, resend_server):
    assert served.use("/api/reports", 7, 2) == [200, 200]
    body = served.blocked_body("/api/reports", 7)
    link = body["upgrade_url"]
    assert link.startswith(served.base + "/skene/upgrade/"), link
    # No personal data: neither the user id nor the email is in the token.
    payload = token_payload(link)
    assert set(payload) == {"s", "w", "u", "e", "v"} and payload["s"] == "reports" and payload["v"] == "api"
    decoded = json.dumps(payload)
    assert "user7" not in decoded and '"7"' not in decoded
    assert payload["e"] > time.time() + 29 * 86400

    status, headers, _ = served.request("GET", link)
    assert (status, headers["location"]) == (302, UPGRADE_URL)
    assert headers["cache-control"] == "no-store"
    clicks = wait_for(lambda: events(served.database_url, "upgrade_clicked"))
    assert [(kind, step, user) for kind, step, user, _, _ in clicks] == [("upgrade_clicked", "reports", "7")]
    assert json.loads(clicks[0][4]) == {"via": "api"}

    # The email carries its own tracked link; a click on it in the same window is not a second click.
    wait_for(lambda: resend_server.requests)
    email_link = link_in_email(resend_server.requests[0])
    assert email_link.startswith(served.base + "/skene/upgrade/") and token_payload(email_link)["v"] == "email"
    assert token_payload(email_link)["w"] == payload["w"]
    for followed in (email_link, link):
        status, headers, _ = served.request("GET", followed)
        assert (status, headers["location"]) == (302, UPGRADE_URL)
    assert len(events(served.database_url, "upgrade_clicked")) == 1


def test_tampered_and_foreign_tokens_redirect_to_the_plain_url_and_record_nothing(served):
    served.use("/api/reports", 8, 2)
    link = served.blocked_body("/api/reports", 8)["upgrade_url"]
    prefix, token = link.rsplit("/", 1)
    body, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    payload = token_payload(link)
    other_window = base64.urlsafe_b64encode(json.dumps(dict(payload, w=payload["w"] + 1)).encode()).decode().rstrip("=")
    for bad in (body + "." + flipped, other_window + "." + signature, body, token + ".x"):
        status, headers, _ = served.request("GET", prefix + "/" + bad)
        assert (status, headers["location"]) == (302, UPGRADE_URL), bad
    # A token that names no step of this app (or none at all): the plain URL of the environment.
    status, headers, _ = served.request("GET", prefix + "/not-a-token")
    assert (status, headers["location"]) == (302, "https://example.test/from-env")
    forged = base64.urlsafe_b64encode(json.dumps(dict(payload, s="nope")).encode()).decode().rstrip("=")
    status, headers, _ = served.request("GET", prefix + "/" + forged + "." + signature)
    assert (status, headers["location"]) == (302, "https://example.test/from-env")
    assert events(served.database_url, "upgrade_clicked") == []


def test_a_token_signed_with_another_key_counts_nothing(links_project, resend_server, tmp_path):
    url = "sqlite:///%s" % (tmp_path / "skene.db")
    first = LinksApp(links_project, url, resend_server, env={"SKENE_LINK_SECRET": "one secret"})
    try:
        first.use("/api/reports", 9, 2)
        link = first.blocked_body("/api/reports", 9)["upgrade_url"]
    finally:
        first.stop()
    second = LinksApp(links_project, url, resend_server, env={"SKENE_LINK_SECRET": "another secret"})
    try:
        status, headers, _ = second.request("GET", second.base + urlsplit(link).path)
        assert (status, headers["location"]) == (302, UPGRADE_URL)
        assert events(url, "upgrade_clicked") == []
    finally:
        second.stop()


def test_an_expired_link_redirects_but_is_not_counted(links_project, resend_server, tmp_path):
    url = "sqlite:///%s" % (tmp_path / "skene.db")
    app = LinksApp(links_project, url, resend_server, env={"SKENE_UPGRADE_LINK_DAYS": "0.00001"})  # 0.864 s
    try:
        app.use("/api/reports", 10, 2)
        link = app.blocked_body("/api/reports", 10)["upgrade_url"]
        assert token_payload(link)["e"] <= time.time() + 2
        time.sleep(2.1)
        status, headers, _ = app.request("GET", link)
        assert (status, headers["location"]) == (302, UPGRADE_URL)
        assert events(url, "upgrade_clicked") == []
    finally:
        app.stop()


def test_one_click_event_per_window(served):
    # "exports": a limit of 1 in windows of 3 seconds, the plain URL from SKENE_UPGRADE_URL.
    assert served.use("/api/exports", 11, 1) == [200]
    first = served.blocked_body("/api/exports", 11)["upgrade_url"]
    assert served.request("GET", first)[1]["location"] == "https://example.test/from-env"
    assert served.request("GET", first)[0] == 302
    time.sleep(3.2)
    assert served.use("/api/exports", 11, 1) == [200]
    second = served.blocked_body("/api/exports", 11)["upgrade_url"]
    assert token_payload(second)["w"] > token_payload(first)["w"]
    for link in (second, second, first):
        assert served.request("GET", link)[0] == 302
    clicks = events(served.database_url, "upgrade_clicked")
    assert [(step, user) for _, step, user, _, _ in clicks] == [("exports", "11"), ("exports", "11")]
    assert sorted(window for _, _, _, window, _ in clicks) == sorted(
        [token_payload(first)["w"], token_payload(second)["w"]]
    )


def test_clicks_are_counted_on_postgresql(links_project, resend_server, postgres):
    import psycopg2

    db = psycopg2.connect(postgres.url)
    db.autocommit = True
    with db.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS links_clicks")
        cur.execute("CREATE DATABASE links_clicks")
    db.close()
    url = postgres.url.rsplit("/", 1)[0] + "/links_clicks"
    app = LinksApp(links_project, url, resend_server)
    try:
        app.use("/api/reports", 12, 2)
        link = app.blocked_body("/api/reports", 12)["upgrade_url"]
        for _ in range(2):
            status, headers, _ = app.request("GET", link)
            assert (status, headers["location"]) == (302, UPGRADE_URL)
        clicks = events(url, "upgrade_clicked")
        assert [(step, user, window) for _, step, user, window, _ in clicks] == [
            ("reports", "12", token_payload(link)["w"])
        ]
    finally:
        app.stop()
