"""The gate through two uvicorn processes sharing one database, SQLite and PostgreSQL: quota, errors, the
402, and plan changes by signed webhooks, which take effect at once in the process that handled them and in
the other one (every count checks, in the same statement, the subscriptions its process assumed)."""

import json
import subprocess
import sys
import time

import httpx
import pytest
import support
from conftest import GATED_PLANS, GATED_STEPS

GRACE_SECONDS = 4
URL = "/skene/webhooks/stripe"


class Database(object):
    def __init__(self, url):
        self.url = url

    def used(self, step_id, user):
        """The usage rows of `user` for `step_id`, read with the database's own driver."""
        query = "SELECT used FROM skene_usage WHERE step_id = ? AND user_key = ?"
        if self.url.startswith("sqlite"):
            import sqlite3

            conn = sqlite3.connect(self.url.split("sqlite:///", 1)[1])
        else:
            import psycopg2

            conn = psycopg2.connect(self.url)
            query = query.replace("?", "%s")
        try:
            cur = conn.cursor()
            cur.execute(query, (step_id, str(user)))
            return [tuple(row) for row in cur.fetchall()]
        finally:
            conn.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory):
    if request.param == "postgresql":
        return Database(request.getfixturevalue("postgres").url)
    return Database("sqlite:///%s" % (tmp_path_factory.mktemp("two_processes") / "app.sqlite"))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("gated_two_processes"))
    support.render_project(
        "gated",
        root,
        support.analysis_for("testapp"),
        support.compiled_loop(GATED_STEPS, plans=GATED_PLANS, grace_seconds=GRACE_SECONDS),
    )
    return root


@pytest.fixture(scope="module")
def servers(project, database):
    """Two single-worker servers (two processes) on the same database."""
    env = dict(TESTAPP_DATABASE_URL=database.url, PYTHONPATH=project)
    subprocess.run(
        [sys.executable, "-c", "from testapp.db import init_db; init_db()"], cwd=project, env=env, check=True
    )
    started = [support.start_uvicorn(project, database.url) for _ in range(2)]
    clients = [httpx.Client(base_url=base, timeout=30.0) for _, base in started]
    yield clients
    for client in clients:
        client.close()
    for process, _ in started:
        stderr = support.stop_uvicorn(process)
        assert "Traceback" not in stderr, stderr


def key(n):
    return {"X-API-Key": "key-%d" % n}


def post(client, n, path="/api/reports"):
    return client.post(path, headers=key(n)).status_code


def deliver(client, event):
    payload = json.dumps(event).encode()
    response = client.post(URL, content=payload, headers={"Stripe-Signature": support.sign(payload)})
    assert response.status_code == 200, response.text


def subscription_event(n, event_id, status, price="price_basic", created=None):
    sub = support.subscription("sub_2p_%d" % n, "cus_2p_%d" % n, status, price=price, user_id=n)
    return support.stripe_event(event_id, "customer.subscription.updated", sub, created=created)


def test_exact_quota_402_and_errors_spend_nothing(servers, database):
    a, b = servers
    assert a.post("/api/reports?fail=1", headers=key(10)).status_code == 400
    assert [post(a, 10), post(b, 10), post(a, 10)] == [200, 200, 200]
    blocked = b.post("/api/reports", headers=key(10))
    assert blocked.status_code == 402
    body = blocked.json()
    assert (body["error"], body["limit"], body["used"], body["period"]) == ("upgrade_required", 3, 3, "30d")
    assert blocked.headers["RateLimit-Remaining"] == "0"
    assert [post(a, 10), post(b, 10)] == [402, 402]
    assert database.used("reports", 10) == [(3,)]
    assert a.post("/api/reports", headers={"X-API-Key": "nope"}).status_code == 401
    closed = a.post("/api/closed", headers=key(10))
    assert (closed.status_code, closed.json()["used"]) == (402, 0)
    assert database.used("closed", 10) == []


def test_payment_and_cancellation_take_effect_at_once_in_both_processes(servers, database):
    a, b = servers
    now = int(time.time())
    # b has seen user 11 as free and blocked; the webhook reaches a.
    assert [post(b, 11) for _ in range(4)] == [200, 200, 200, 402]
    deliver(a, subscription_event(11, "evt_2p_11_paid", "active", created=now))
    assert [post(a, 11), post(b, 11), post(b, 11)] == [200, 200, 200]
    assert "RateLimit-Limit" not in b.post("/api/reports", headers=key(11)).headers
    # Canceled through b: free again at once in a, which last counted the user as paid.
    deliver(b, subscription_event(11, "evt_2p_11_canceled", "canceled", created=now + 1))
    assert [post(a, 11), post(b, 11)] == [402, 402]


def test_named_plan_by_price_and_a_downgrade(servers):
    a, b = servers
    now = int(time.time())
    deliver(a, subscription_event(12, "evt_2p_12_pro", "active", price="price_pro", created=now))
    assert [post(b, 12) for _ in range(11)] == [200] * 10 + [402]
    assert b.post("/api/reports", headers=key(12)).json()["limit"] == 10
    deliver(b, subscription_event(12, "evt_2p_12_basic", "active", price="price_basic", created=now + 1))
    assert post(a, 12) == 200  # the paid plan without its own limit is unlimited


def test_past_due_is_paid_for_the_grace_period_then_free_without_another_event(servers):
    a, b = servers
    assert [post(a, 13) for _ in range(4)] == [200, 200, 200, 402]
    deliver(b, subscription_event(13, "evt_2p_13_past_due", "past_due"))
    assert [post(a, 13), post(b, 13)] == [200, 200]
    time.sleep(GRACE_SECONDS + 0.5)
    assert [post(a, 13), post(b, 13)] == [402, 402]


def test_an_unlimited_paid_user_is_counted_and_a_blocked_one_gives_nothing_back(servers, database):
    a, b = servers
    deliver(a, subscription_event(14, "evt_2p_14_paid", "trialing"))
    assert [post(b, 14) for _ in range(6)] == [200] * 6
    assert database.used("reports", 14) == [(6,)]
    # A free user on the exports step (free 2): blocked answers leave the count where it was.
    assert [post(a, 15, "/api/exports") for _ in range(3)] == [200, 200, 402]
    assert database.used("exports", 15) == [(2,)]


def test_a_payment_another_process_recorded_lifts_the_free_limit_at_the_next_count(servers, database):
    a, b = servers
    # b has counted user 16 as a free user below the limit: nothing makes it read the subscriptions first.
    assert [post(b, 16), post(b, 16)] == [200, 200]
    deliver(a, subscription_event(16, "evt_2p_16_paid", "active"))
    responses = [b.post("/api/reports", headers=key(16)) for _ in range(4)]
    assert [response.status_code for response in responses] == [200] * 4
    # Counted as the paid user, unlimited, from the first count after the payment: no free limit announced.
    assert [response.headers.get("RateLimit-Limit") for response in responses] == [None] * 4
    assert database.used("reports", 16) == [(6,)]
