"""The upgrade email: once per user, step and window, to a Resend-shaped server; retries on 429."""


def key(n):
    return {"X-API-Key": "key-%d" % n}


def block(client, user, extra=3):
    codes = [client.post("/api/reports", headers=key(user)).status_code for _ in range(3 + extra)]
    assert codes == [200, 200, 200] + [402] * extra


def events(app_db, user):
    return sorted(row[0] for row in app_db("SELECT kind FROM skene_events WHERE user_key = ?", (str(user),)))


def test_one_email_per_user_step_and_window(client, resend, app_db):
    from testapp.skene import wait_idle

    block(client, 14, extra=4)
    assert wait_idle()
    assert len(resend.requests) == 1
    sent = resend.requests[0]
    assert sent["path"] == "/emails"
    assert sent["headers"]["Authorization"] == "Bearer re_test_key"
    assert sent["headers"]["User-Agent"].startswith("skene")
    assert sent["headers"]["Idempotency-Key"].startswith("skene-")
    body = sent["body"]
    assert body["from"] == "billing@example.test" and body["to"] == ["user14@example.test"]
    assert body["subject"] == "You've reached your free limit"
    assert "You&#x27;ve reached your free tier limit. Upgrade to continue." in body["html"]
    assert 'href="https://example.test/upgrade"' in body["html"]
    assert "used 3 of 3 this 30d period" in body["html"]
    assert events(app_db, 14) == ["limit_reached", "prompt_sent"]
    # Another process (or a restart) forgets what it queued; the database row still says "sent".
    from testapp.skene import _email

    _email._seen.clear()
    assert client.post("/api/reports", headers=key(14)).status_code == 402
    assert wait_idle()
    assert len(resend.requests) == 1


def test_retry_after_429_is_honoured(client, resend, app_db):
    from testapp.skene import wait_idle

    resend.responses = [(429, {"Retry-After": "1"})]
    block(client, 17, extra=1)
    assert wait_idle(timeout=15)
    assert len(resend.requests) == 2
    assert resend.requests[1]["at"] - resend.requests[0]["at"] >= 0.95
    assert resend.requests[0]["headers"]["Idempotency-Key"] == resend.requests[1]["headers"]["Idempotency-Key"]
    assert events(app_db, 17) == ["limit_reached", "prompt_sent"]


def test_failure_is_recorded_and_never_fails_the_request(client, resend, app_db):
    from testapp.skene import wait_idle

    resend.responses = [(503, {})] * 3  # recovery.retries = 2: three attempts in all
    block(client, 18, extra=2)
    assert wait_idle(timeout=15)
    assert len(resend.requests) == 3
    # Recorded as failed, and kept to be tried again later in the window.
    assert events(app_db, 18) == ["limit_reached", "prompt_failed", "prompt_pending"]


def test_no_email_address_is_recorded_not_sent(client, resend, app_db):
    from testapp.skene import wait_idle

    block(client, 20, extra=1)
    assert wait_idle()
    assert resend.requests == []
    assert events(app_db, 20) == ["limit_reached", "prompt_skipped"]
