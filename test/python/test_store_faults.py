"""Store faults on SQLite never reach the app as a 500: a file locked by another process, tables dropped
under the running app. A webhook that could not be applied is never answered 200."""

import json
import logging
import os
import sqlite3
import time

import faults
import support

URL = "/skene/webhooks/stripe"


def key(n):
    return {"X-API-Key": "key-%d" % n}


def signed(event):
    payload = json.dumps(event).encode()
    return {
        "content": payload,
        "headers": {"Stripe-Signature": support.sign(payload), "Content-Type": "application/json"},
    }


def outage_lines(caplog):
    return [r for r in caplog.records if "usage store unavailable" in r.getMessage()]


def test_a_locked_sqlite_file_fails_open_or_closed_within_the_deadline_and_webhooks_are_not_acknowledged(
    client, gated_project, app_db, caplog
):
    from testapp.skene import _connections

    _connections._last_outage_log[0] = 0.0
    path = os.path.join(gated_project, "app.db")
    assert client.post("/api/reports", headers=key(3)).status_code == 200
    paid = support.stripe_event(
        "evt_lock_30", "customer.subscription.created", support.subscription("sub_30", "cus_30", "active", user_id=3)
    )
    with caplog.at_level(logging.ERROR, logger="skene"), faults.sqlite_locked(path):
        started = time.monotonic()
        assert [client.post("/api/reports", headers=key(3)).status_code for _ in range(3)] == [200] * 3
        strict = client.post("/api/strict", headers=key(3))
        elapsed = time.monotonic() - started
        assert strict.status_code == 503 and strict.json()["error"] == "usage_store_unavailable"
        # Stripe retries only non-2xx answers: an event that could not be applied is not acknowledged,
        # at skene's endpoint (503) nor at the app's own one, where the hand-off raises (500).
        refused = client.post(URL, **signed(paid))
        assert refused.status_code == 503, refused.text
        assert client.post("/app/stripe-webhook", **signed(paid)).status_code == 500
    # Four gated requests, each bounded by the 250 ms deadline, not SQLite's old 10 s busy timeout.
    assert elapsed < 4 * 0.25 + 1.5, elapsed
    assert len(outage_lines(caplog)) == 1  # logged once a minute, not once a request
    # The requests during the outage passed uncounted; the event is applied when Stripe delivers it again.
    assert app_db("SELECT used FROM skene_usage WHERE step_id='reports' AND user_key='3'") == [(1,)]
    assert client.post(URL, **signed(paid)).status_code == 200
    assert client.post("/app/stripe-webhook", **signed(paid)).status_code == 200  # a replay: applied once
    assert app_db("SELECT status FROM skene_subscriptions WHERE subscription_id='sub_30'") == [("active",)]
    response = client.post("/api/reports", headers=key(3))
    assert response.status_code == 200 and "RateLimit-Limit" not in response.headers


def test_tables_dropped_under_the_running_app_are_created_again(client, gated_project, app_db):
    for _ in range(2):
        assert client.post("/api/reports", headers=key(4)).status_code == 200
    db = sqlite3.connect(os.path.join(gated_project, "app.db"))
    for table in ("skene_usage", "skene_subscriptions", "skene_events", "skene_stripe_events"):
        db.execute("DROP TABLE %s" % table)
    db.commit()
    db.close()
    # The next gated request counts again, on tables created again (the window starts over).
    response = client.post("/api/reports", headers=key(4))
    assert response.status_code == 200, response.text
    assert response.headers["RateLimit-Remaining"] == "2"
    assert app_db("SELECT used FROM skene_usage WHERE step_id='reports' AND user_key='4'") == [(1,)]
    event = support.stripe_event(
        "evt_drop_31", "customer.subscription.created", support.subscription("sub_31", "cus_31", "trialing", user_id=4)
    )
    assert client.post(URL, **signed(event)).status_code == 200
    assert app_db("SELECT status FROM skene_subscriptions WHERE subscription_id='sub_31'") == [("trialing",)]
    # A refund after the tables vanished again: the error answer is still the app's, not a 500 of skene's.
    db = sqlite3.connect(os.path.join(gated_project, "app.db"))
    db.execute("DROP TABLE skene_usage")
    db.commit()
    db.close()
    assert client.post("/api/reports?fail=1", headers=key(5)).status_code == 400
    assert client.post("/api/reports", headers=key(5)).status_code == 200
    assert app_db("SELECT used FROM skene_usage WHERE step_id='reports' AND user_key='5'") == [(1,)]


def test_signed_but_malformed_events_are_400_not_500(client, app_db):
    good = support.stripe_event(
        "evt_shape_ok", "customer.subscription.updated", support.subscription("sub_33", "cus_33", "active", user_id=6)
    )
    list_object = dict(good, id="evt_shape_list", data={"object": [good["data"]["object"]]})
    words = dict(good, id="evt_shape_words", created="yesterday")
    no_data = dict(good, id="evt_shape_nodata", data="nothing")
    bad_items = dict(good, id="evt_shape_items", data={"object": dict(good["data"]["object"], items={"data": "x"})})
    not_object = ["evt_shape_top"]
    for event in (list_object, words, no_data, bad_items, not_object):
        response = client.post(URL, **signed(event))
        assert response.status_code == 400, (event, response.status_code, response.text)
        assert response.json()["error"] == "malformed_event"
    # The app's own endpoint: the hand-off logs and ignores it (the app answers its own 200).
    assert client.post("/app/stripe-webhook", **signed(list_object)).status_code == 200
    assert app_db("SELECT COUNT(*) FROM skene_stripe_events") == [(0,)]
    assert client.post(URL, **signed(good)).status_code == 200
    assert app_db("SELECT status FROM skene_subscriptions WHERE subscription_id='sub_33'") == [("active",)]
