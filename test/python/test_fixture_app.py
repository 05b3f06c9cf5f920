"""The runtime in a temp copy of the stripe-saas fixture, analysed and wired by skene, through its HTTP interface."""

import json
import os
import subprocess
import sys

import pytest
import support

STEPS = [
    support.step("reports", "/api/v1/reports", {"free": 2, "paid": None}, upgrade_url="https://reportly.test/upgrade")
]

SCRIPT = r"""
import json, sys, time
sys.path.insert(0, %(support_dir)r)
import support
from fastapi.testclient import TestClient
from app.main import app

out = {}
with TestClient(app) as client:
    keys = []
    for n in (1, 2):
        signup = client.post("/api/v1/auth/signup", json={"email": "u%%d@example.test" %% n, "password": "secret123"})
        assert signup.status_code == 201, signup.text
        keys.append((signup.json()["user_id"], {"X-API-Key": signup.json()["api_key"]}))
    (user1, k1), (user2, k2) = keys
    report = lambda key, **extra: client.post("/api/v1/reports/", json=dict({"title": "Weekly"}, **extra), headers=key)
    out["unauthenticated"] = [client.post("/api/v1/reports/", json={"title": "x"}).status_code]
    out["errors_user2"] = [report(k2, project_id=999).status_code for _ in range(2)]
    first = report(k1)
    out["headers"] = [first.headers.get("RateLimit-Limit"), first.headers.get("RateLimit-Remaining")]
    out["user1"] = [first.status_code] + [report(k1).status_code for _ in range(2)]
    blocked = report(k1)
    out["body"] = blocked.json()
    out["user2"] = [report(k2).status_code for _ in range(3)]
    listing = client.get("/api/v1/reports/", headers=k1)
    out["get_is_ungated"] = [listing.status_code, "RateLimit-Limit" in listing.headers]

    def deliver(event, forge=False):
        payload = json.dumps(event).encode()
        signature = support.sign(payload, secret="whsec_wrong" if forge else support.WEBHOOK_SECRET)
        return client.post("/api/v1/webhooks/stripe", content=payload,
                           headers={"Stripe-Signature": signature, "Content-Type": "application/json"}).status_code

    checkout = support.stripe_event("evt_1", "checkout.session.completed", {
        "id": "cs_1", "object": "checkout.session", "customer": "cus_1", "subscription": "sub_1",
        "client_reference_id": str(user1), "metadata": {}})
    active = support.stripe_event(
        "evt_2", "customer.subscription.updated", support.subscription("sub_1", "cus_1", "active"))
    out["forged"] = deliver(active, forge=True)
    out["still_blocked"] = report(k1).status_code
    out["webhooks"] = [deliver(checkout), deliver(active), deliver(active)]
    out["paid_user1"] = [report(k1).status_code for _ in range(3)]
print("RESULT " + json.dumps(out))
"""


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("stripe-saas"))
    rendered = support.render_fixture("stripe-saas", root, support.compiled_loop(STEPS))
    return root, rendered


def test_init_wiring_targets_the_fixtures_own_routes_and_webhook(fixture_project):
    root, rendered = fixture_project
    assert rendered["location"] == {"dir": "app/skene", "module": "app.skene"}
    gated = [(g["stepId"], g["method"], g["path"], g["status"]) for g in rendered["wiring"]["gated"]]
    assert gated == [("reports", "POST", "/api/v1/reports/", "added")]
    assert rendered["wiring"]["manual"] == []
    assert rendered["wiring"]["webhookConnected"] is True
    # The fixture has its own webhook endpoint: skene does not mount a second one.
    assert "MOUNT_WEBHOOK = False" in open(os.path.join(root, "app", "skene", "_integration.py")).read()


def test_quota_errors_identity_and_plan_changes_through_the_fixtures_http_interface(fixture_project):
    root, _ = fixture_project
    env = dict(
        os.environ,
        PYTHONPATH=root,
        DATABASE_URL="sqlite:///%s" % os.path.join(root, "app.db"),
        STRIPE_WEBHOOK_SECRET=support.WEBHOOK_SECRET,
        STRIPE_SECRET_KEY="sk_test_unused",
    )
    env.pop("SKENE_DATABASE_URL", None)
    script = SCRIPT % {"support_dir": os.path.dirname(os.path.abspath(support.__file__))}
    run = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))[len("RESULT ") :])
    assert out["unauthenticated"] == [401]
    # The app's 404 for an unknown project spends no quota.
    assert out["errors_user2"] == [404, 404]
    assert out["headers"] == ["2", "1"]
    assert out["user1"] == [201, 201, 402]
    assert out["body"]["error"] == "upgrade_required"
    assert (out["body"]["limit"], out["body"]["used"]) == (2, 2)
    # The tracked link to the step's upgrade URL (test_upgrade_links.py follows such links).
    assert out["body"]["upgrade_url"].startswith("http://testserver/skene/upgrade/")
    assert out["user2"] == [201, 201, 402]
    assert out["get_is_ungated"] == [200, False]
    # The fixture's own endpoint verifies signatures with the stripe library and hands events to skene.
    assert out["forged"] == 400
    assert out["still_blocked"] == 402
    assert out["webhooks"] == [200, 200, 200]
    assert out["paid_user1"] == [201, 201, 201]
