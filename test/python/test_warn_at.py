"""action.warnAt through a served app: one "approaching the limit" email per user, step and window when usage
first reaches the share, from `<template>_warning.html`, with a `limit_warning` event; then the prompt at the
limit as before."""

import json
import os

import pytest
import support
from test_upgrade_links import (
    PROMPT,
    UPGRADE_URL,
    LinksApp,
    events,
    link_in_email,
    render_links_app,
    token_payload,
    wait_for,
)

STEPS = [
    # A free limit of 5 warned at 0.6: the warning goes with the 3rd counted request.
    support.step(
        "reports",
        "/api/reports",
        {"free": 5, "paid": None},
        upgrade_url=UPGRADE_URL,
        upgrade_prompt=PROMPT,
        warn_at=0.6,
    ),
    # Windows of 3 seconds, warned at 0.5 of 2: at the 1st request of each window.
    support.step(
        "exports",
        "/api/exports",
        {"free": 2, "paid": None},
        period="1m",
        period_seconds=3,
        upgrade_prompt={"type": "email", "provider": "resend", "template": "exports_mail"},
        warn_at=0.5,
    ),
]


@pytest.fixture(scope="module")
def warn_project(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("warn"))
    rendered = render_links_app(root, STEPS)
    emails = sorted(path for path in rendered["files"] if "/emails/" in path)
    assert emails == [
        "linksapp/skene/emails/exports_mail.html",
        "linksapp/skene/emails/exports_mail_warning.html",
        "linksapp/skene/emails/upgrade_prompt.html",
        "linksapp/skene/emails/upgrade_prompt_warning.html",
    ]
    return root


@pytest.fixture
def resend_server():
    server = support.ResendServer()
    yield server
    server.close()


@pytest.fixture
def served(warn_project, resend_server, tmp_path):
    app = LinksApp(warn_project, "sqlite:///%s" % (tmp_path / "skene.db"), resend_server)
    yield app
    app.stop()


def kinds_of(url, user):
    return [kind for kind, _, user_key, _, _ in events(url) if user_key == user]


def test_one_warning_at_the_share_then_the_prompt_at_the_limit(served, resend_server):
    assert served.use("/api/reports", 1, 2) == [200, 200]
    assert kinds_of(served.database_url, "1") == []
    assert served.use("/api/reports", 1, 1) == [200]
    wait_for(lambda: len(resend_server.requests) == 1)
    warning = resend_server.requests[0]["body"]
    assert warning["to"] == ["user1@example.test"]
    assert warning["subject"] == "You're close to your free limit"
    assert "You have used 3 of your 5 free requests this 30d period: 2 left" in warning["html"]
    link = link_in_email(resend_server.requests[0])
    assert link.startswith(served.base + "/skene/upgrade/") and token_payload(link)["v"] == "warning"

    assert served.use("/api/reports", 1, 3) == [200, 200, 402]
    wait_for(lambda: len(resend_server.requests) == 2)
    prompt = resend_server.requests[1]["body"]
    assert prompt["subject"] == "You've reached your free limit"
    assert (
        resend_server.requests[0]["headers"]["Idempotency-Key"]
        != resend_server.requests[1]["headers"]["Idempotency-Key"]
    )
    assert served.use("/api/reports", 1, 2) == [402, 402]
    assert wait_for(lambda: "prompt_sent" in kinds_of(served.database_url, "1"))
    assert sorted(kinds_of(served.database_url, "1")) == [
        "limit_reached",
        "limit_warning",
        "prompt_sent",
        "warning_sent",
    ]
    detail = json.loads([d for k, _, _, _, d in events(served.database_url, "limit_warning")][0])
    assert (detail["used"], detail["limit"], detail["warn_at"]) == (3, 5, 0.6)
    assert len(resend_server.requests) == 2

    # The warning's link is tracked like the prompt's: a click is one upgrade_clicked for the window.
    status, headers, _ = served.request("GET", link)
    assert (status, headers["location"]) == (302, UPGRADE_URL)
    assert kinds_of(served.database_url, "1").count("upgrade_clicked") == 1


def test_one_warning_per_window(served, resend_server):
    import time

    assert served.use("/api/exports", 2, 2) == [200, 200]
    wait_for(lambda: len(resend_server.requests) == 1)
    assert served.use("/api/exports", 2, 1) == [402]
    wait_for(lambda: len(resend_server.requests) == 2)
    time.sleep(3.2)
    assert served.use("/api/exports", 2, 2) == [200, 200]
    wait_for(lambda: len(resend_server.requests) == 3)
    subjects = [request["body"]["subject"] for request in resend_server.requests]
    assert subjects == [
        "You're close to your free limit",
        "You've reached your free limit",
        "You're close to your free limit",
    ]
    warnings = events(served.database_url, "limit_warning")
    assert len(warnings) == 2 and warnings[0][3] < warnings[1][3]


def test_a_missing_warning_template_is_recorded_and_the_request_passes(warn_project, resend_server, tmp_path):
    import shutil

    root = str(tmp_path / "project")
    shutil.copytree(warn_project, root)
    os.remove(os.path.join(root, "linksapp", "skene", "emails", "upgrade_prompt_warning.html"))
    app = LinksApp(root, "sqlite:///%s" % (tmp_path / "skene.db"), resend_server)
    try:
        assert app.use("/api/reports", 3, 4) == [200, 200, 200, 200]
        failed = wait_for(lambda: events(app.database_url, "warning_failed"))
        assert "template" in json.loads(failed[0][4])["error"]
        assert "limit_warning" in kinds_of(app.database_url, "3")
        assert resend_server.requests == []
    finally:
        app.stop()


def test_without_email_settings_the_warning_is_recorded_and_skipped(warn_project, resend_server, tmp_path):
    app = LinksApp(warn_project, "sqlite:///%s" % (tmp_path / "skene.db"), resend_server, env={"RESEND_API_KEY": ""})
    try:
        assert app.use("/api/reports", 4, 3) == [200, 200, 200]
        skipped = wait_for(lambda: events(app.database_url, "warning_skipped"))
        assert json.loads(skipped[0][4]) == {"missing": ["RESEND_API_KEY"]}
        assert sorted(kinds_of(app.database_url, "4")) == ["limit_warning", "warning_skipped"]
    finally:
        app.stop()
