"""Plan changes through signed Stripe webhooks, conversions, and the refresh helper."""

import json
import time

import support

URL = "/skene/webhooks/stripe"


def key(n):
    return {"X-API-Key": "key-%d" % n}


def deliver(client, event, signature=None):
    payload = json.dumps(event).encode()
    headers = {"Stripe-Signature": signature if signature is not None else support.sign(payload)}
    return client.post(URL, content=payload, headers=headers)


def use_up(client, user, n=3):
    assert [client.post("/api/reports", headers=key(user)).status_code for _ in range(n + 1)] == [200] * n + [402]


def test_forged_missing_and_stale_signatures_are_rejected(client, app_db):
    event = support.stripe_event(
        "evt_forged", "customer.subscription.created", support.subscription("sub_f", "cus_f", "active", user_id=9)
    )
    payload = json.dumps(event).encode()
    assert client.post(URL, content=payload).status_code == 400
    assert deliver(client, event, support.sign(payload, secret="whsec_wrong")).status_code == 400
    assert deliver(client, event, support.sign(payload, timestamp=int(time.time()) - 301)).status_code == 400
    assert deliver(client, event, "t=1,v1=deadbeef").status_code == 400
    assert app_db("SELECT COUNT(*) FROM skene_subscriptions") in ([(0,)], [])


def test_our_signature_is_what_stripes_library_verifies():
    import stripe

    payload = json.dumps(support.stripe_event("evt_lib", "ping", {})).encode()
    event = stripe.Webhook.construct_event(payload, support.sign(payload), support.WEBHOOK_SECRET)
    assert event["id"] == "evt_lib"


def test_checkout_then_subscription_makes_user_paid_and_records_conversion(client, app_db):
    from testapp.skene import wait_idle

    use_up(client, 9)
    wait_idle()
    checkout = support.stripe_event(
        "evt_co_9",
        "checkout.session.completed",
        {
            "id": "cs_9",
            "object": "checkout.session",
            "client_reference_id": "9",
            "customer": "cus_9",
            "subscription": "sub_9",
        },
    )
    assert deliver(client, checkout).json() == {"received": True}
    created = support.stripe_event(
        "evt_sub_9", "customer.subscription.created", support.subscription("sub_9", "cus_9", "active")
    )
    assert deliver(client, created).status_code == 200
    response = client.post("/api/reports", headers=key(9))
    assert response.status_code == 200
    assert "RateLimit-Limit" not in response.headers  # paid: counted, never blocked
    assert app_db("SELECT kind, step_id FROM skene_events WHERE kind='converted'") == [("converted", "reports")]
    # A replay is answered 200 and applied once.
    assert deliver(client, created).status_code == 200
    assert deliver(client, checkout).status_code == 200
    assert app_db("SELECT COUNT(*) FROM skene_stripe_events") == [(2,)]
    assert app_db("SELECT COUNT(*) FROM skene_events WHERE kind='converted'") == [(1,)]
    # Ignored event types are still answered 200.
    assert deliver(client, support.stripe_event("evt_inv", "invoice.paid", {"id": "in_1"})).status_code == 200


def test_out_of_order_delivery_keeps_the_newest_state(client):
    now = int(time.time())
    canceled = support.stripe_event(
        "evt_c10",
        "customer.subscription.deleted",
        support.subscription("sub_10", "cus_10", "canceled", user_id=10),
        created=now,
    )
    active = support.stripe_event(
        "evt_a10",
        "customer.subscription.created",
        support.subscription("sub_10", "cus_10", "active", user_id=10),
        created=now - 60,
    )
    assert deliver(client, canceled).status_code == 200
    assert deliver(client, active).status_code == 200
    use_up(client, 10)  # still free
    # Of two events with the same `created`, the lifecycle decides: an `active` delivered after the
    # deletion of the same second does not bring the subscription back.
    again = support.stripe_event(
        "evt_a10b",
        "customer.subscription.updated",
        support.subscription("sub_10", "cus_10", "active", user_id=10),
        created=now,
    )
    assert deliver(client, again).status_code == 200
    assert client.post("/api/reports", headers=key(10)).status_code == 402
    # Of two of the same lifecycle stage, the later received wins.
    later = support.stripe_event(
        "evt_a10c",
        "customer.subscription.updated",
        support.subscription("sub_10", "cus_10", "active", user_id=10),
        created=now + 1,
    )
    assert deliver(client, later).status_code == 200
    trial = support.stripe_event(
        "evt_a10d",
        "customer.subscription.updated",
        support.subscription("sub_10", "cus_10", "active", price="price_pro", user_id=10),
        created=now + 1,
    )
    assert deliver(client, trial).status_code == 200
    response = client.post("/api/reports", headers=key(10))
    assert response.status_code == 200 and response.headers["RateLimit-Limit"] == "10"


def test_past_due_is_paid_only_within_the_grace_period(client):
    day = 86400
    now = int(time.time())
    recent = support.stripe_event(
        "evt_pd11",
        "customer.subscription.updated",
        support.subscription("sub_11", "cus_11", "past_due", user_id=11),
        created=now - day,
    )
    old = support.stripe_event(
        "evt_pd12",
        "customer.subscription.updated",
        support.subscription("sub_12", "cus_12", "past_due", user_id=12),
        created=now - 4 * day,
    )
    assert deliver(client, recent).status_code == 200
    assert deliver(client, old).status_code == 200
    assert [client.post("/api/reports", headers=key(11)).status_code for _ in range(5)] == [200] * 5
    use_up(client, 12)


def test_named_plan_by_price_and_plan_change_keeps_the_window(client):
    use_up(client, 13)
    pro = support.stripe_event(
        "evt_pro13",
        "customer.subscription.created",
        support.subscription("sub_13", "cus_13", "active", price="price_pro", user_id=13),
    )
    assert deliver(client, pro).status_code == 200
    response = client.post("/api/reports", headers=key(13))
    assert response.status_code == 200
    assert response.headers["RateLimit-Limit"] == "10"
    assert response.headers["RateLimit-Remaining"] == "6"  # the 3 free uses still count in this window


def test_handle_stripe_event_accepts_a_stripe_object(client, app_db):
    from testapp.skene import handle_stripe_event

    import stripe

    data = support.stripe_event(
        "evt_obj", "customer.subscription.created", support.subscription("sub_15", "cus_15", "trialing", user_id=15)
    )
    event = stripe.Event.construct_from(data, "sk_test")
    assert handle_stripe_event(event) is True
    assert handle_stripe_event(event) is False  # applied once
    assert app_db("SELECT status, user_key FROM skene_subscriptions WHERE subscription_id='sub_15'") == [
        ("trialing", "15")
    ]


class StripeSubscriptions(object):
    """A Stripe-shaped server on 127.0.0.1 answering GET /v1/subscriptions with `subscriptions`."""

    def __init__(self, monkeypatch, subscriptions):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append((self.path, self.headers.get("Authorization")))
                body = json.dumps({"object": "list", "data": subscriptions, "has_more": False}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        monkeypatch.setenv("SKENE_STRIPE_API_BASE", "http://127.0.0.1:%d" % self.server.server_address[1])
        monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_123")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_refresh_customer_reads_the_subscription_from_stripes_api(client, monkeypatch):
    from testapp.skene import refresh_customer

    stripe = StripeSubscriptions(monkeypatch, [support.subscription("sub_16", "cus_16", "active")])
    try:
        use_up(client, 16)
        checkout = support.stripe_event(
            "evt_co16",
            "checkout.session.completed",
            {"id": "cs_16", "client_reference_id": "16", "customer": "cus_16", "subscription": "sub_16"},
        )
        assert deliver(client, checkout).status_code == 200
        assert refresh_customer(16) == 1
    finally:
        stripe.close()
    assert stripe.seen[0][0].startswith("/v1/subscriptions?customer=cus_16")
    assert stripe.seen[0][1] == "Bearer sk_test_123"
    assert client.post("/api/reports", headers=key(16)).status_code == 200


def test_a_checkout_whose_subscription_event_is_late_is_read_from_stripe_before_a_402(client, monkeypatch):
    stripe = StripeSubscriptions(monkeypatch, [support.subscription("sub_17", "cus_17", "active")])
    try:
        checkout = support.stripe_event(
            "evt_co17",
            "checkout.session.completed",
            {"id": "cs_17", "client_reference_id": "17", "customer": "cus_17", "subscription": "sub_17"},
        )
        assert deliver(client, checkout).status_code == 200
        # The subscription event never came: at the limit, skene asks Stripe once and the payer passes.
        assert [client.post("/api/reports", headers=key(17)).status_code for _ in range(6)] == [200] * 6
    finally:
        stripe.close()
    assert [path.split("?")[0] for path, _ in stripe.seen] == ["/v1/subscriptions"]


def test_a_free_user_at_the_limit_costs_no_stripe_call(client, monkeypatch):
    stripe = StripeSubscriptions(monkeypatch, [])
    try:
        use_up(client, 18)
        assert client.post("/api/reports", headers=key(18)).status_code == 402
    finally:
        stripe.close()
    assert stripe.seen == []


def test_same_second_events_delivered_reversed_end_in_the_lifecycles_final_state(client, app_db):
    now = int(time.time())
    # created (incomplete) and updated (active) in one second, delivered reversed: the payer is paid.
    created = support.stripe_event(
        "evt_tie_c",
        "customer.subscription.created",
        support.subscription("sub_tie1", "cus_tie1", "incomplete", user_id=7),
        created=now,
    )
    active = support.stripe_event(
        "evt_tie_a",
        "customer.subscription.updated",
        support.subscription("sub_tie1", "cus_tie1", "active", user_id=7),
        created=now,
    )
    assert deliver(client, active).status_code == 200
    assert deliver(client, created).status_code == 200
    assert app_db("SELECT status FROM skene_subscriptions WHERE subscription_id='sub_tie1'") == [("active",)]
    assert [client.post("/api/reports", headers=key(7)).status_code for _ in range(5)] == [200] * 5
    # updated (active) and deleted in one second, delivered reversed: the canceled user is free.
    deleted = support.stripe_event(
        "evt_tie_d",
        "customer.subscription.deleted",
        support.subscription("sub_tie2", "cus_tie2", "canceled", user_id=8),
        created=now,
    )
    again = support.stripe_event(
        "evt_tie_u",
        "customer.subscription.updated",
        support.subscription("sub_tie2", "cus_tie2", "active", user_id=8),
        created=now,
    )
    assert deliver(client, deleted).status_code == 200
    assert deliver(client, again).status_code == 200
    assert app_db("SELECT status FROM skene_subscriptions WHERE subscription_id='sub_tie2'") == [("canceled",)]
    use_up(client, 8)


def test_a_same_second_tie_is_settled_by_reading_the_subscription_from_stripes_api(client, app_db, monkeypatch):
    import faults

    # Stripe's real final state: the subscription was reactivated in the second it was deleted.
    stripe_api = faults.ScriptedServer(
        default=(200, support.subscription("sub_tie3", "cus_tie3", "active", user_id=12))
    )
    monkeypatch.setenv("SKENE_STRIPE_API_BASE", stripe_api.url)
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_tie")
    try:
        now = int(time.time())
        reactivated = support.stripe_event(
            "evt_tie3_u",
            "customer.subscription.updated",
            support.subscription("sub_tie3", "cus_tie3", "active", user_id=12),
            created=now,
        )
        deleted = support.stripe_event(
            "evt_tie3_d",
            "customer.subscription.deleted",
            support.subscription("sub_tie3", "cus_tie3", "canceled", user_id=12),
            created=now,
        )
        assert deliver(client, deleted).status_code == 200
        assert stripe_api.requests == []  # no tie yet: no API call
        assert deliver(client, reactivated).status_code == 200
        assert [(r["method"], r["path"], r["headers"].get("Authorization")) for r in stripe_api.requests] == [
            ("GET", "/v1/subscriptions/sub_tie3", "Bearer sk_test_tie")
        ]
        assert app_db("SELECT status FROM skene_subscriptions WHERE subscription_id='sub_tie3'") == [("active",)]
        assert [client.post("/api/reports", headers=key(12)).status_code for _ in range(5)] == [200] * 5
        # The API unreachable (an error answer): the lifecycle's order stands.
        stripe_api.script = [(500, {"error": {"message": "boom"}})]
        updated = support.stripe_event(
            "evt_tie3_x",
            "customer.subscription.updated",
            support.subscription("sub_tie3", "cus_tie3", "past_due", user_id=12),
            created=now,
        )
        assert deliver(client, updated).status_code == 200
        assert len(stripe_api.requests) == 2
        assert app_db("SELECT status FROM skene_subscriptions WHERE subscription_id='sub_tie3'") == [("past_due",)]
    finally:
        stripe_api.close()
