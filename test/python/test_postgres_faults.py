"""A PostgreSQL store that freezes (SIGSTOP), stops, or loses skene's tables under a running uvicorn app:
gated requests are answered within the deadline (fail open or closed), webhooks that could not be applied
are not acknowledged, and counting resumes once the server is back. The app's own data stays on SQLite, so
only skene's store is at fault (SKENE_DATABASE_URL)."""

import json
import os
import subprocess
import sys
import time

import faults
import httpx
import pytest
import support
from conftest import GATED_PLANS, GATED_STEPS

URL = "/skene/webhooks/stripe"


@pytest.fixture(scope="module")
def fault_pg():
    """A cluster of this module's own: the tests freeze and stop it."""
    server = support.Postgres()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory, fault_pg):
    root = str(tmp_path_factory.mktemp("pg_faults"))
    support.render_project(
        "gated", root, support.analysis_for("testapp"), support.compiled_loop(GATED_STEPS, plans=GATED_PLANS)
    )
    app_db = "sqlite:///%s" % os.path.join(root, "app.db")
    env = dict(os.environ, TESTAPP_DATABASE_URL=app_db, PYTHONPATH=root)
    subprocess.run([sys.executable, "-c", "from testapp.db import init_db; init_db()"], cwd=root, env=env, check=True)
    process, base = support.start_uvicorn(root, app_db, env={"SKENE_DATABASE_URL": fault_pg.url})
    client = httpx.Client(base_url=base, timeout=30.0)
    yield client
    client.close()
    stderr = support.stop_uvicorn(process)
    assert "Traceback" not in stderr, stderr
    # Every outage of this module fell within a minute or two: logged once a minute, not once a request.
    assert 1 <= stderr.count("usage store unavailable") <= 2, stderr


def key(n):
    return {"X-API-Key": "key-%d" % n}


def used(server, user, step_id="reports"):
    import psycopg2

    conn = psycopg2.connect(server.url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT used FROM skene_usage WHERE step_id = %s AND user_key = %s", (step_id, str(user)))
        return cur.fetchall()
    finally:
        conn.close()


def signed(event):
    payload = json.dumps(event).encode()
    return {
        "content": payload,
        "headers": {"Stripe-Signature": support.sign(payload), "Content-Type": "application/json"},
    }


def timed(client, path, n):
    started = time.monotonic()
    status = client.post(path, headers=key(n)).status_code
    return status, time.monotonic() - started


def test_a_frozen_server_costs_each_gated_request_at_most_the_deadline(served, fault_pg):
    assert [served.post("/api/burst", headers=key(2)).status_code for _ in range(2)] == [200, 200]
    paid = support.stripe_event(
        "evt_frozen_2", "customer.subscription.created", support.subscription("sub_fz2", "cus_fz2", "active", user_id=2)
    )
    with faults.postgres_frozen(fault_pg):
        answers = [timed(served, "/api/burst", 2) for _ in range(4)]
        strict = timed(served, "/api/strict", 2)
        refused = served.post(URL, **signed(paid))
    # 250 ms each (a little more for the first, whose store had just answered), not as long as the freeze.
    assert [status for status, _ in answers] == [200] * 4
    assert max(seconds for _, seconds in answers) < 1.5, answers
    assert strict[0] == 503 and strict[1] < 1.5, strict
    assert refused.status_code == 503
    # Thawed: counting goes on (the frozen requests passed; a statement the server had already received
    # may still count when it wakes), and the event applies when Stripe delivers it again.
    deadline = time.monotonic() + 10
    while True:
        before = used(fault_pg, 2, "burst")
        if served.post("/api/burst", headers=key(2)).status_code == 200 and used(fault_pg, 2, "burst") == [
            (before[0][0] + 1,)
        ]:
            break
        assert time.monotonic() < deadline, before
        time.sleep(0.2)
    assert served.post(URL, **signed(paid)).status_code == 200
    response = served.post("/api/reports", headers=key(2))
    assert response.status_code == 200 and "RateLimit-Limit" not in response.headers


def test_a_stopped_server_fails_fast_and_webhooks_wait_for_it(served, fault_pg):
    assert served.post("/api/reports", headers=key(3)).status_code == 200
    paid = support.stripe_event(
        "evt_stopped_3",
        "customer.subscription.created",
        support.subscription("sub_st3", "cus_st3", "trialing", user_id=3),
    )
    with faults.postgres_stopped(fault_pg):
        answers = [timed(served, "/api/reports", 3) for _ in range(3)]
        assert served.post("/api/strict", headers=key(3)).status_code == 503
        assert served.post(URL, **signed(paid)).status_code == 503
    assert [status for status, _ in answers] == [200] * 3
    assert max(seconds for _, seconds in answers) < 1.5, answers
    deadline = time.monotonic() + 15
    while served.post(URL, **signed(paid)).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.3)
    response = served.post("/api/reports", headers=key(3))
    assert response.status_code == 200 and "RateLimit-Limit" not in response.headers


def test_tables_dropped_under_the_running_app_are_created_again(served, fault_pg):
    import psycopg2

    assert [served.post("/api/reports", headers=key(4)).status_code for _ in range(2)] == [200, 200]
    conn = psycopg2.connect(fault_pg.url)
    conn.autocommit = True
    conn.cursor().execute("DROP TABLE skene_usage, skene_subscriptions, skene_events, skene_stripe_events")
    conn.close()
    # Counted again at once (a new window), not passed uncounted until a restart.
    response = served.post("/api/reports", headers=key(4))
    assert response.status_code == 200 and response.headers["RateLimit-Remaining"] == "2"
    assert used(fault_pg, 4) == [(1,)]
    assert [served.post("/api/reports", headers=key(4)).status_code for _ in range(3)] == [200, 200, 402]
