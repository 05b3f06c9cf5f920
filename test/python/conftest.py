import os
import sqlite3
import sys

import pytest
import support

GATED_STEPS = [
    support.step(
        "reports",
        "/api/reports",
        {"free": 3, "paid": None, "pro": 10},
        upgrade_url="https://example.test/upgrade",
        upgrade_prompt={"type": "email", "provider": "resend", "template": "upgrade_prompt"},
    ),
    support.step("exports", "/api/exports", {"free": 2}, period="1h", period_seconds=3600),
    support.step("shadow", "/api/shadow", {"free": 1}, mode="shadow"),
    support.step("strict", "/api/strict", {"free": 5}, fail_open=False),
    support.step("burst", "/api/burst", {"free": 50, "paid": None}),
    support.step("closed", "/api/closed", {"free": 0, "paid": None}),
    support.step("server-errors", "/api/server-errors", {"free": 10}, refund="server-errors"),
    support.step("never", "/api/never", {"free": 10}, refund="never"),
]
GATED_PLANS = {"pro": {"prices": ["price_pro"]}}


@pytest.fixture(scope="session")
def gated_project(tmp_path_factory):
    """The gated test app with the runtime rendered by skene's build (store on the app's SQLAlchemy engine)."""
    root = str(tmp_path_factory.mktemp("gated"))
    rendered = support.render_project(
        "gated",
        root,
        support.analysis_for("testapp"),
        support.compiled_loop(GATED_STEPS, plans=GATED_PLANS, retries=2),
    )
    assert rendered["location"] == {"dir": "testapp/skene", "module": "testapp.skene"}
    return root


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL cluster for the whole run."""
    server = support.Postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def resend():
    server = support.ResendServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def gated_app(gated_project, resend):
    env = {
        "TESTAPP_DATABASE_URL": "sqlite:///%s" % os.path.join(gated_project, "app.db"),
        "STRIPE_WEBHOOK_SECRET": support.WEBHOOK_SECRET,
        "RESEND_API_KEY": "re_test_key",
        "SKENE_RESEND_BASE_URL": resend.url,
        "SKENE_EMAIL_FROM": "billing@example.test",
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    os.environ.pop("SKENE_DATABASE_URL", None)
    sys.path.insert(0, gated_project)
    from testapp.db import init_db

    init_db()
    from testapp.main import app

    yield app
    sys.path.remove(gated_project)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def client(gated_app, gated_project, resend):
    from fastapi.testclient import TestClient
    from testapp.skene import _email, _links, _store

    _store.reset_store()
    # Each test starts with no recheck done: the gate rechecks a blocked user at most once a minute.
    _links.reset()
    db = sqlite3.connect(os.path.join(gated_project, "app.db"))
    for table in ("skene_usage", "skene_subscriptions", "skene_events", "skene_stripe_events"):
        try:
            db.execute("DELETE FROM %s" % table)
        except sqlite3.OperationalError:
            pass
    db.commit()
    db.close()
    _email._seen.clear()
    with resend.lock:
        resend.requests.clear()
        resend.responses.clear()
    with TestClient(gated_app, raise_server_exceptions=False) as test_client:
        yield test_client
    _email.wait_idle()


@pytest.fixture
def app_db(gated_project):
    def query(sql, params=()):
        db = sqlite3.connect(os.path.join(gated_project, "app.db"))
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            return []  # skene has not created its tables yet in this run
        finally:
            db.close()

    return query
