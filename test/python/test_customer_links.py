"""Paying users are never blocked, however the app ties Stripe customers to its users (docs/CUSTOMER-LINKS.md):
fixture apps analysed and wired by skene, driven through their HTTP interface, with signed Stripe events and
the stripe library talking to a Stripe-shaped server on 127.0.0.1."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
import support

SUPPORT_DIR = os.path.dirname(os.path.abspath(support.__file__))

PRELUDE = r"""
import json, sys, time
sys.path.insert(0, %(support_dir)r)
import stripe
import support
from fastapi.testclient import TestClient

stripe.api_base = %(stripe_url)r
out = {}


def deliver(client, path, event):
    payload = json.dumps(event).encode()
    return client.post(path, content=payload, headers={"Stripe-Signature": support.sign(payload)}).status_code
"""


def run_app(root, script, stripe_server, extra_env=None, database_url=None):
    env = dict(
        os.environ,
        PYTHONPATH=root,
        DATABASE_URL=database_url or sqlite_url(root),
        STRIPE_WEBHOOK_SECRET=support.WEBHOOK_SECRET,
        STRIPE_SECRET_KEY="sk_test_links",
        SKENE_STRIPE_API_BASE=stripe_server.url,
        **(extra_env or {}),
    )
    env.pop("SKENE_DATABASE_URL", None)
    code = PRELUDE % {"support_dir": SUPPORT_DIR, "stripe_url": stripe_server.url} + script
    run = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-4000:]
    return json.loads(next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))[len("RESULT ") :])


def sqlite_url(root):
    return "sqlite:///%s" % os.path.join(root, "app.db")


def query(database_url, sql):
    import sqlalchemy

    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sqlalchemy.text(sql))]
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The app's own database (skene keeps its tables there too): a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return "sqlite:///%s" % os.path.join(str(tmp_path), "app.db")
    server = request.getfixturevalue("postgres")
    name = "links_%d" % (abs(hash(str(tmp_path))) % 10**9)
    import sqlalchemy

    admin = sqlalchemy.create_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text("CREATE DATABASE %s" % name))
    admin.dispose()
    return server.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture()
def stripe_server():
    server = support.StripeServer()
    yield server
    server.close()


# -- the app's own customer-id column, and its own is_pro flag -------------------------------------------
COLUMN_STEPS = [support.step("summaries", "/api/documents/summarize", {"free": 2, "paid": None})]

COLUMN_SCRIPT = r"""
from saas.main import app

WEBHOOK = "/skene/webhooks/stripe"
with TestClient(app) as client:
    tokens = {}
    for name in ("a", "b", "c", "h"):
        signup = client.post("/auth/signup", json={"email": name + "@example.test"})
        assert signup.status_code == 201, signup.text
        tokens[name] = (signup.json()["user_id"], {"Authorization": "Bearer " + signup.json()["api_key"]})

    def use(name):
        return client.post("/api/documents/summarize", json={"text": "a b c"}, headers=tokens[name][1]).status_code

    out["a_free"] = [use("a") for _ in range(3)]
    out["a_checkout"] = client.post("/billing/checkout", headers=tokens["a"][1]).status_code
    out["a_subscribed"] = deliver(client, WEBHOOK, support.stripe_event(
        "evt_a1", "customer.subscription.created", support.subscription("sub_a", "cus_1", "active"),
        created=int(time.time()) - 60))
    out["a_paid"] = [use("a") for _ in range(3)]
    out["a_canceled_event"] = deliver(client, WEBHOOK, support.stripe_event(
        "evt_a2", "customer.subscription.deleted", support.subscription("sub_a", "cus_1", "canceled")))
    out["a_canceled"] = use("a")

    # b: skene sees the subscription before the app has written its column.
    out["b_subscribed_early"] = deliver(client, WEBHOOK, support.stripe_event(
        "evt_b1", "customer.subscription.created", support.subscription("sub_b", "cus_b", "active")))
    out["b_free"] = [use("b") for _ in range(2)]
    out["b_checkout"] = client.post("/billing/checkout", headers=tokens["b"][1]).status_code
    out["b_after_column"] = [use("b") for _ in range(3)]

    # c: made Pro by an admin; no Stripe subscription at all (planSource: is_pro).
    out["c_free"] = [use("c") for _ in range(3)]
    grant = "/admin/users/%d/grant-pro" % tokens["c"][0]
    out["c_granted"] = client.post(grant, headers={"X-Admin-Token": "t0p"}).status_code
    out["c_pro"] = [use("c") for _ in range(3)]
    # h: checked out (the app stored cus_h) but skene never got an event: at the limit, the gate reads
    # cus_h's subscriptions from Stripe once and the payer passes.
    out["h_checkout"] = client.post("/billing/checkout", headers=tokens["h"][1]).status_code
    out["h_uses"] = [use("h") for _ in range(4)]
    out["ids"] = {name: value[0] for name, value in tokens.items()}
print("RESULT " + json.dumps(out))
"""


@pytest.fixture(scope="module")
def column_project(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("link-column"))
    compiled = support.compiled_loop(COLUMN_STEPS, plan_source={"field": "is_pro", "values": [[True, "paid"]]})
    rendered = support.render_fixture("link-column", root, compiled)
    return root, rendered


def test_init_finds_the_user_model_and_its_customer_column(column_project):
    root, _ = column_project
    integration = open(os.path.join(root, "saas", "skene", "_integration.py")).read()
    assert "from saas.models import User as USER_MODEL" in integration
    assert 'USER_CUSTOMER_FIELD = "stripe_customer_id"' in integration
    assert 'USER_EMAIL_FIELD = "email"' in integration


def test_customers_linked_through_the_apps_column_are_paid_then_free_again(column_project, stripe_server, database_url):
    root, _ = column_project
    stripe_server.next_customer = ["cus_1", "cus_b", "cus_h"]
    stripe_server.subscriptions.append(support.subscription("sub_h", "cus_h", "active"))
    out = run_app(root, COLUMN_SCRIPT, stripe_server, {"ADMIN_TOKEN": "t0p"}, database_url)
    assert out["a_free"] == [200, 200, 402]
    assert out["a_checkout"] == 200
    assert out["a_subscribed"] == 200
    assert out["a_paid"] == [200, 200, 200]
    assert (out["a_canceled_event"], out["a_canceled"]) == (200, 402)
    assert out["b_subscribed_early"] == 200
    assert out["b_free"] == [200, 200]
    assert out["b_checkout"] == 200
    # At the limit the gate finds the app's column and ties the early subscription to b.
    assert out["b_after_column"] == [200, 200, 200]
    assert out["c_free"] == [200, 200, 402]
    assert out["c_granted"] == 200
    assert out["c_pro"] == [200, 200, 200]
    assert (out["h_checkout"], out["h_uses"]) == (200, [200, 200, 200, 200])
    # The app created its customers and checkouts; free users at the limit (a, c) cost no call to Stripe,
    # h's unknown customer one.
    calls = [(method, path) for method, path, _ in stripe_server.requests]
    assert calls == [
        ("POST", "/v1/customers"),
        ("POST", "/v1/checkout/sessions"),
        ("POST", "/v1/customers"),
        ("POST", "/v1/checkout/sessions"),
        ("POST", "/v1/customers"),
        ("POST", "/v1/checkout/sessions"),
        ("GET", "/v1/subscriptions"),
    ]
    checkout = stripe_server.requests[1][2]
    assert checkout["customer"] == "cus_1" and "client_reference_id" not in checkout
    links = query(database_url, "SELECT user_key, detail FROM skene_events WHERE kind = 'customer_linked' ORDER BY 1")
    rows = query(
        database_url,
        "SELECT subscription_id, user_key, status FROM skene_subscriptions WHERE status IS NOT NULL ORDER BY 1",
    )
    ids = out["ids"]
    assert [(user, json.loads(detail)) for user, detail in links] == [
        (str(ids["a"]), {"rule": "customer_column", "customer_id": "cus_1"}),
        (str(ids["b"]), {"rule": "customer_column", "customer_id": "cus_b"}),
        (str(ids["h"]), {"rule": "customer_column", "customer_id": "cus_h"}),
    ]
    assert rows == [
        ("sub_a", str(ids["a"]), "canceled"),
        ("sub_b", str(ids["b"]), "active"),
        ("sub_h", str(ids["h"]), "active"),
    ]


# -- the email only: customer_email= at checkout, metadata.email, the customer's email --------------------
EMAIL_STEPS = [
    support.step(
        "transcripts",
        "/v1/transcripts",
        {"free": 2, "paid": None},
        upgrade_prompt={"type": "email", "provider": "resend", "template": "upgrade_prompt"},
    )
]

EMAIL_SCRIPT = r"""
from meetings.main import app

WEBHOOK = "/billing/stripe-webhook"
with TestClient(app) as client:
    tokens = {}
    for name in ("d", "e", "f", "g"):
        login = client.post("/auth/token", json={"email": name + "@example.test"})
        assert login.status_code == 200, login.text
        tokens[name] = (login.json()["account_id"], {"Authorization": "Bearer " + login.json()["access_token"]})

    def use(name):
        return client.post("/v1/transcripts", json={"audio_url": "s3://x"}, headers=tokens[name][1]).status_code

    earlier = int(time.time()) - 60
    out["d_free"] = [use("d") for _ in range(3)]
    from meetings.skene import wait_idle

    out["prompt_sent"] = wait_idle()
    out["d_checkout"] = client.post("/billing/checkout", headers=tokens["d"][1]).status_code
    completed = {"id": "cs_d", "object": "checkout.session", "customer": "cus_d", "subscription": "sub_d",
                 "customer_email": "d@example.test", "customer_details": {"email": "d@example.test"},
                 "metadata": {"email": "d@example.test"}}
    out["d_events"] = [
        deliver(client, WEBHOOK, support.stripe_event("evt_d1", "checkout.session.completed", completed, earlier)),
        deliver(client, WEBHOOK, support.stripe_event(
            "evt_d2", "customer.subscription.created", support.subscription("sub_d", "cus_d", "active"), earlier)),
    ]
    out["d_paid"] = [use("d") for _ in range(3)]
    out["d_canceled_event"] = deliver(client, WEBHOOK, support.stripe_event(
        "evt_d3", "customer.subscription.deleted", support.subscription("sub_d", "cus_d", "canceled")))
    out["d_canceled"] = use("d")

    # e: the subscription first, with nothing that names the user; then the customer, with its email.
    out["e_events"] = [
        deliver(client, WEBHOOK, support.stripe_event(
            "evt_e1", "customer.subscription.created", support.subscription("sub_e", "cus_e", "active"))),
    ]
    out["e_before_customer"] = [use("e") for _ in range(3)]
    out["e_events"].append(deliver(client, WEBHOOK, support.stripe_event(
        "evt_e2", "customer.created", {"id": "cus_e", "object": "customer", "email": "e@example.test"})))
    out["e_paid"] = [use("e") for _ in range(3)]

    # f: the email in the subscription's metadata (subscription_data.metadata at checkout).
    sub_f = support.subscription("sub_f", "cus_f", "active")
    sub_f["metadata"] = {"email": "f@example.test"}
    out["f_event"] = deliver(client, WEBHOOK, support.stripe_event("evt_f1", "customer.subscription.created", sub_f))
    out["f_paid"] = [use("f") for _ in range(3)]
    # g: paid long before skene (no event will come); the success page calls refresh_customer(user id),
    # which finds the Stripe customer by the user's email.
    out["g_free"] = [use("g") for _ in range(3)]
    from meetings.skene import refresh_customer

    out["g_refreshed"] = refresh_customer(tokens["g"][0])
    out["g_paid"] = [use("g") for _ in range(3)]
    out["all_sent"] = wait_idle()
    out["ids"] = {name: value[0] for name, value in tokens.items()}
print("RESULT " + json.dumps(out))
"""


@pytest.fixture(scope="module")
def email_project(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("link-email"))
    rendered = support.render_fixture("link-email", root, support.compiled_loop(EMAIL_STEPS))
    return root, rendered


def test_init_finds_the_email_attribute_behind_a_renamed_column(email_project):
    root, rendered = email_project
    assert rendered["wiring"]["webhookConnected"] is True
    integration = open(os.path.join(root, "meetings", "skene", "_integration.py")).read()
    assert "from meetings.db import Account as USER_MODEL" in integration
    assert 'USER_EMAIL_FIELD = "email_address"' in integration
    assert "USER_CUSTOMER_FIELD = None" in integration


def test_customers_linked_by_email_are_paid_then_free_again(email_project, stripe_server):
    root, _ = email_project
    stripe_server.customers["cus_g"] = {"id": "cus_g", "object": "customer", "email": "g@example.test"}
    stripe_server.subscriptions.append(support.subscription("sub_g", "cus_g", "active"))
    resend = support.ResendServer()
    try:
        out = run_app(
            root,
            EMAIL_SCRIPT,
            stripe_server,
            {
                "RESEND_API_KEY": "re_test",
                "SKENE_EMAIL_FROM": "Meetings <hi@meetings.test>",
                "SKENE_RESEND_BASE_URL": resend.url,
            },
        )
    finally:
        resend.close()
    assert out["d_free"] == [200, 200, 402]
    # The upgrade prompt goes to the model's email attribute (`email_address`), not a guessed `email`.
    assert out["prompt_sent"] is True and out["all_sent"] is True
    assert [request["body"]["to"] for request in resend.requests] == [
        ["d@example.test"],
        ["e@example.test"],
        ["g@example.test"],
    ]
    assert out["d_checkout"] == 200
    assert out["d_events"] == [200, 200]
    assert out["d_paid"] == [200, 200, 200]
    assert (out["d_canceled_event"], out["d_canceled"]) == (200, 402)
    assert out["e_before_customer"] == [200, 200, 402]
    assert out["e_events"] == [200, 200]
    assert out["e_paid"] == [200, 200, 200]
    assert out["f_event"] == 200
    assert out["f_paid"] == [200, 200, 200]
    assert (out["g_free"], out["g_refreshed"], out["g_paid"]) == ([200, 200, 402], 1, [200, 200, 200])
    checkout = next(form for method, path, form in stripe_server.requests if path == "/v1/checkout/sessions")
    assert checkout["customer_email"] == "d@example.test" and "client_reference_id" not in checkout
    with sqlite3.connect(os.path.join(root, "app.db")) as db:
        links = db.execute("SELECT user_key, detail FROM skene_events WHERE kind = 'customer_linked'").fetchall()
        welcomed = db.execute("SELECT email FROM accounts WHERE welcomed_at IS NOT NULL").fetchall()
    ids = out["ids"]
    assert sorted((user, json.loads(detail)["rule"], json.loads(detail)["customer_id"]) for user, detail in links) == [
        (str(ids["d"]), "email", "cus_d"),
        (str(ids["e"]), "email", "cus_e"),
        (str(ids["f"]), "email", "cus_f"),
        (str(ids["g"]), "refresh_customer", "cus_g"),
    ]
    # The app's own handler still ran after skene's.
    assert welcomed == [("d@example.test",)]
