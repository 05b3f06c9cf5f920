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
    # The tracked link (GET /skene/upgrade/<token>) to https://example.test/upgrade: test_upgrade_links.py.
    assert 'href="http://testserver/skene/upgrade/' in body["html"]
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


def _email_env(monkeypatch, base_url):
    monkeypatch.setenv("SKENE_RESEND_BASE_URL", base_url)
    monkeypatch.setenv("SKENE_EMAIL_TIMEOUT_MS", "300")
    monkeypatch.setenv("SKENE_EMAIL_RETRY_SECONDS", "0.2")


def test_a_hanging_resend_is_bounded_and_the_prompt_is_sent_later_by_another_worker(
    client, app_db, gated_project, monkeypatch
):
    import os
    import subprocess
    import sys
    import time

    import faults
    from testapp.skene import _email, wait_idle

    hanging = faults.ScriptedServer()
    hanging.script = ["hang"] * 3  # recovery.retries = 2: every try of the first round hangs
    _email_env(monkeypatch, hanging.url)
    try:
        started = time.monotonic()
        block(client, 19, extra=1)
        assert wait_idle(timeout=10)
        # Three calls of at most 0.3 s each and the back-off between them, not 15 s a call.
        assert time.monotonic() - started < 5
        assert len(hanging.requests) == 3
        assert events(app_db, 19) == ["limit_reached", "prompt_failed", "prompt_pending"]
        time.sleep(0.3)
        # Another worker process (a restart, another uvicorn worker) finds the unsent prompt and sends it.
        env = dict(os.environ, PYTHONPATH=gated_project)
        script = (
            "from testapp.skene import _email\nqueued = _email.queue_due_prompts()\n_email.wait_idle()\nprint(queued)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", script], cwd=gated_project, env=env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == ["1"]
        assert len(hanging.requests) == 4
        keys = {r["headers"]["Idempotency-Key"] for r in hanging.requests}
        assert len(keys) == 1
        assert events(app_db, 19) == ["limit_reached", "prompt_failed", "prompt_sent"]
        # Sent is sent: nothing is left to try, here or there.
        assert _email.queue_due_prompts() == 0
        assert wait_idle()
        assert len(hanging.requests) == 4
    finally:
        hanging.close()


def test_500s_then_a_later_try_in_the_window_sends_once(client, resend, app_db, monkeypatch):
    import time

    from testapp.skene import _email, wait_idle

    _email_env(monkeypatch, resend.url)
    resend.responses = [(500, {})] * 3 + [(429, {"Retry-After": "0"})]
    block(client, 2, extra=1)
    assert wait_idle(timeout=10)
    assert len(resend.requests) == 3
    assert _email.queue_due_prompts() == 0  # not due yet
    time.sleep(0.3)
    assert _email.queue_due_prompts() == 1
    assert wait_idle(timeout=10)
    # The 429 is retried at once within that round; then Resend accepts it.
    assert len(resend.requests) == 5
    assert events(app_db, 2) == ["limit_reached", "prompt_failed", "prompt_sent"]
    time.sleep(0.3)
    assert _email.queue_due_prompts() == 0
