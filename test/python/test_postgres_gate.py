"""The gate on PostgreSQL, through two uvicorn processes sharing one database: quota, errors, the 402,
and plan changes by signed webhooks, which take effect at once in the process that handled them and in
the other one (every count checks the subscriptions it assumed in the same statement)."""

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


@pytest.fixture(scope="module")
def pg_project(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("gated_pg"))
    support.render_project(
        "gated",
        root,
        support.analysis_for("testapp"),
        support.compiled_loop(GATED_STEPS, plans=GATED_PLANS, grace_seconds=GRACE_SECONDS),
    )
    return root


@pytest.fixture(scope="module")
def servers(pg_project, postgres):
    """Two single-worker servers (two processes) on the same PostgreSQL database."""
    env = dict(TESTAPP_DATABASE_URL=postgres.url, PYTHONPATH=pg_project)
    subprocess.run(
        [sys.executable, "-c", "from testapp.db import init_db; init_db()"], cwd=pg_project, env=env, check=True
    )
    started = [support.start_uvicorn(pg_project, postgres.url) for _ in range(2)]
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
    sub = support.subscription("sub_pg_%d" % n, "cus_pg_%d" % n, status, price=price, user_id=n)
    return support.stripe_event(event_id, "customer.subscription.updated", sub, created=created)


def used(postgres, step_id, user):
    import psycopg2

    conn = psycopg2.connect(postgres.url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT used FROM skene_usage WHERE step_id = %s AND user_key = %s", (step_id, str(user)))
        return cur.fetchall()
    finally:
        conn.close()


def test_exact_quota_402_and_errors_spend_nothing(servers, postgres):
    a, b = servers
    assert a.post("/api/reports?fail=1", headers=key(10)).status_code == 400
    assert [post(a, 10), post(b, 10), post(a, 10)] == [200, 200, 200]
    blocked = b.post("/api/reports", headers=key(10))
    assert blocked.status_code == 402
    body = blocked.json()
    assert (body["error"], body["limit"], body["used"], body["period"]) == ("upgrade_required", 3, 3, "30d")
    assert blocked.headers["RateLimit-Remaining"] == "0"
    assert [post(a, 10), post(b, 10)] == [402, 402]
    assert used(postgres, "reports", 10) == [(3,)]
    assert a.post("/api/reports", headers={"X-API-Key": "nope"}).status_code == 401
    closed = a.post("/api/closed", headers=key(10))
    assert (closed.status_code, closed.json()["used"]) == (402, 0)
    assert used(postgres, "closed", 10) == []


def test_payment_and_cancellation_take_effect_at_once_in_both_processes(servers, postgres):
    a, b = servers
    now = int(time.time())
    # b has seen user 11 as free and blocked; the webhook reaches a.
    assert [post(b, 11) for _ in range(4)] == [200, 200, 200, 402]
    deliver(a, subscription_event(11, "evt_pg_11_paid", "active", created=now))
    assert [post(a, 11), post(b, 11), post(b, 11)] == [200, 200, 200]
    assert "RateLimit-Limit" not in b.post("/api/reports", headers=key(11)).headers
    # Canceled through b: free again at once in a, which last counted the user as paid.
    deliver(b, subscription_event(11, "evt_pg_11_canceled", "canceled", created=now + 1))
    assert [post(a, 11), post(b, 11)] == [402, 402]


def test_named_plan_by_price_and_a_downgrade(servers):
    a, b = servers
    now = int(time.time())
    deliver(a, subscription_event(12, "evt_pg_12_pro", "active", price="price_pro", created=now))
    assert [post(b, 12) for _ in range(11)] == [200] * 10 + [402]
    assert b.post("/api/reports", headers=key(12)).json()["limit"] == 10
    deliver(b, subscription_event(12, "evt_pg_12_basic", "active", price="price_basic", created=now + 1))
    assert post(a, 12) == 200  # the paid plan without its own limit is unlimited


def test_past_due_is_paid_for_the_grace_period_then_free_without_another_event(servers):
    a, b = servers
    assert [post(a, 13) for _ in range(4)] == [200, 200, 200, 402]
    deliver(b, subscription_event(13, "evt_pg_13_past_due", "past_due"))
    assert [post(a, 13), post(b, 13)] == [200, 200]
    time.sleep(GRACE_SECONDS + 0.5)
    assert [post(a, 13), post(b, 13)] == [402, 402]


def test_an_unlimited_paid_user_is_counted_and_a_blocked_one_gives_nothing_back(servers, postgres):
    a, b = servers
    deliver(a, subscription_event(14, "evt_pg_14_paid", "trialing"))
    assert [post(b, 14) for _ in range(6)] == [200] * 6
    assert used(postgres, "reports", 14) == [(6,)]
    # A free user on the exports step (free 2): blocked answers leave the count where it was.
    assert [post(a, 15, "/api/exports") for _ in range(3)] == [200, 200, 402]
    assert used(postgres, "exports", 15) == [(2,)]


def test_the_count_survives_a_lost_prepared_statement_and_a_server_without_them(pg_project, postgres):
    script = """
import json
from testapp.skene import _config, get_store
store = get_store()
step = _config.STEPS["reports"]
out = [store.consume(step, "pg-16").allowed]
store.run(lambda cur: store.execute(cur, "DEALLOCATE ALL"))
out.append(store.consume(step, "pg-16").allowed)
prepared = store._prepared
store._prepared = False
out += [store.consume(step, "pg-16").allowed for _ in range(2)]
print(json.dumps({"allowed": out, "prepared": prepared, "used": store.usage("reports", "pg-16")[0]}))
"""
    env = dict(TESTAPP_DATABASE_URL=postgres.url, PYTHONPATH=pg_project)
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=pg_project, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"allowed": [True, True, True, False], "prepared": True, "used": 3}


def test_counting_from_the_event_loop_is_exact_and_falls_back_to_the_threads(pg_project, postgres):
    script = """
import asyncio, json
from testapp.skene import _config, get_store
store = get_store()
step = _config.STEPS["burst"]
store.usage("burst", "pg-17")  # creates the tables on a thread, as the first request does

async def burst(user, n=120):
    return [o.allowed for o in await asyncio.gather(*(store.consume_async(step, user) for _ in range(n)))]

on_loop = asyncio.run(burst("pg-17"))
pool = store._on_loop
opened = pool._open

def refuse():
    raise OSError("no asynchronous connection today")

for conn in pool._idle:
    conn.close()
pool._idle, pool._open, pool._connect = [], 0, refuse
on_threads = asyncio.run(burst("pg-18"))
print(json.dumps({
    "on_loop": on_loop.count(True), "on_threads": on_threads.count(True), "opened": opened,
    "used": [store.usage("burst", "pg-17")[0], store.usage("burst", "pg-18")[0]],
}))
"""
    env = dict(TESTAPP_DATABASE_URL=postgres.url, PYTHONPATH=pg_project)
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=pg_project, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["on_loop"], result["on_threads"], result["used"]) == (50, 50, [50, 50])
    assert 1 <= result["opened"] <= 4
