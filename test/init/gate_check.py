"""Runs a fixture app that `skene init` wired, and reports what its gate does, as JSON on stdout.

Usage: /usr/bin/python3 test/init/gate_check.py <spec.json>
spec: {"root", "pythonPath", "app": "pkg.module:app", "driver", "limit", "webhookPath"}

With the app's own TestClient, one user of the fixture makes `limit` gated calls, then one more; then
a signed checkout.session.completed (client_reference_id = the user) and customer.subscription.created
(active) arrive on the webhook, and the user calls again. Every status is reported, with the 402 body
and headers, so the TypeScript test asserts on them. Runs in a temp folder with temp SQLite files.
"""
import importlib
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import support  # noqa: E402


class Driver(object):
    """How one fixture's user signs in and makes one gated call."""

    def __init__(self, client):
        self.client = client
        self.headers = {}
        self.params = {}
        self.user_id = None
        self.calls = 0

    def gated_call(self):
        raise NotImplementedError


class StripeSaas(Driver):
    def sign_in(self):
        answer = self.client.post("/api/v1/auth/signup", json={"email": "ann@example.com", "password": "correct-horse-1", "full_name": "Ann"})
        assert answer.status_code == 201, answer.text
        self.headers = {"X-API-Key": answer.json()["api_key"]}
        self.user_id = str(answer.json()["user_id"])

    def gated_call(self):
        self.calls += 1
        return self.client.post("/api/v1/reports/", json={"title": "Report %d" % self.calls}, headers=self.headers)


class FullstackTemplate(Driver):
    def sign_in(self):
        answer = self.client.post("/api/v1/login/access-token", json={"username": "admin@example.com", "password": "changethis"})
        assert answer.status_code == 200, answer.text
        self.headers = {"Authorization": "Bearer " + answer.json()["access_token"]}
        me = self.client.get("/api/v1/users/me", headers=self.headers)
        assert me.status_code == 200, me.text
        self.user_id = str(me.json()["id"])

    def gated_call(self):
        self.calls += 1
        return self.client.post("/api/v1/items/", json={"title": "Item %d" % self.calls}, headers=self.headers)


class SrcLayout(Driver):
    def sign_in(self):
        answer = self.client.post("/api/v1/members/", json={"username": "ann", "password": "correct-horse", "email": "ann@example.com"})
        assert answer.status_code == 201, answer.text
        self.user_id = str(answer.json()["id"])
        self.auth = ("ann", "correct-horse")

    def gated_call(self):
        self.calls += 1
        return self.client.post("/api/v1/tasks", json={"title": "Task %d" % self.calls}, auth=self.auth)


class AppFactory(Driver):
    def sign_in(self):
        self.headers = {"Authorization": "Bearer admin-token"}
        self.user_id = "admin"

    def gated_call(self):
        return self.client.post("/api/v1/orders", params={"customer": "acme"}, headers=self.headers)


class SingleFile(Driver):
    """No auth dependency: the test edited identify(request) to read an X-User header, as a user would."""

    def sign_in(self):
        self.headers = {"X-User": "u_ann"}
        self.user_id = "u_ann"

    def gated_call(self):
        self.calls += 1
        return self.client.post("/links", json={"url": "https://example.com/%d" % self.calls}, headers=self.headers)


class MountedSubapp(Driver):
    def sign_in(self):
        self.params = {"token": "tok-alice"}
        self.user_id = "u_alice"

    def gated_call(self):
        return self.client.post("/v2/threads/lobby/0/replies", json={"text": "hi"}, params=self.params)


class BrokenFiles(Driver):
    def sign_in(self):
        answer = self.client.post("/auth/token", json={"email": "ann@example.com"})
        assert answer.status_code == 200, answer.text
        self.headers = {"Authorization": "Bearer " + answer.json()["access_token"]}
        self.user_id = "ann"

    def gated_call(self):
        self.calls += 1
        return self.client.post("/posts/", json={"title": "Post number %d" % self.calls}, headers=self.headers)


class AlreadyWired(Driver):
    def sign_in(self):
        self.headers = {"X-API-Key": "key-ann"}
        self.user_id = "ann"

    def gated_call(self):
        self.calls += 1
        return self.client.post("/api/notes", json={"text": "note %d" % self.calls}, headers=self.headers)


class UneditableRoute(Driver):
    def sign_in(self):
        self.headers = {"Authorization": "Bearer tok-ann"}
        self.user_id = "ann"

    def gated_call(self):
        return self.client.post("/jobs/exports", headers=self.headers)


class ModernSaas(Driver):
    def sign_in(self):
        answer = self.client.post("/api/v1/users/signup", json={"email": "ann@example.com"})
        assert answer.status_code == 201, answer.text
        self.headers = {"X-API-Key": answer.json()["api_key"]}
        self.user_id = str(answer.json()["user_id"])

    def gated_call(self):
        self.calls += 1
        text = "First point %d. Second point. Third point." % self.calls
        return self.client.post("/api/v1/summaries/", json={"text": text, "sentences": 1}, headers=self.headers)


class SqlmodelNotes(Driver):
    def sign_in(self):
        answer = self.client.post("/accounts/token", json={"email": "ann@example.com"})
        assert answer.status_code == 200, answer.text
        self.headers = {"Authorization": "Bearer " + answer.json()["access_token"]}
        self.user_id = answer.json()["account_id"]
        note = self.client.post("/notes/", json={"title": "Standup", "body": "ship the release today"}, headers=self.headers)
        assert note.status_code == 201, note.text
        self.note_id = note.json()["id"]

    def gated_call(self):
        return self.client.post("/notes/%d/transcribe" % self.note_id, headers=self.headers)


class LinkColumn(Driver):
    def sign_in(self):
        answer = self.client.post("/auth/signup", json={"email": "ann@example.com"})
        assert answer.status_code == 201, answer.text
        self.headers = {"Authorization": "Bearer " + answer.json()["api_key"]}
        self.user_id = str(answer.json()["user_id"])

    def gated_call(self):
        return self.client.post("/api/documents/summarize", json={"text": "one two three"}, headers=self.headers)


class LinkEmail(Driver):
    def sign_in(self):
        answer = self.client.post("/auth/token", json={"email": "ann@example.com"})
        assert answer.status_code == 200, answer.text
        self.headers = {"Authorization": "Bearer " + answer.json()["access_token"]}
        self.user_id = str(answer.json()["account_id"])

    def gated_call(self):
        return self.client.post("/v1/transcripts", json={"audio_url": "s3://bucket/standup.wav"}, headers=self.headers)


DRIVERS = {
    "stripe-saas": StripeSaas,
    "fullstack-template": FullstackTemplate,
    "src-layout": SrcLayout,
    "app-factory": AppFactory,
    "single-file": SingleFile,
    "mounted-subapp": MountedSubapp,
    "broken-files": BrokenFiles,
    "already-wired": AlreadyWired,
    "uneditable-route": UneditableRoute,
    "modern-saas": ModernSaas,
    "sqlmodel-notes": SqlmodelNotes,
    "link-column": LinkColumn,
    "link-email": LinkEmail,
}


def post_event(client, path, event):
    payload = json.dumps(event).encode()
    answer = client.post(path, content=payload, headers={"Stripe-Signature": support.sign(payload), "Content-Type": "application/json"})
    return answer.status_code


def describe(answer):
    headers = {k.lower(): v for k, v in answer.headers.items() if k.lower().startswith("ratelimit-")}
    try:
        body = answer.json()
    except ValueError:
        body = answer.text
    return {"status": answer.status_code, "body": body, "headers": headers}


def main():
    with open(sys.argv[1]) as handle:
        spec = json.load(handle)
    work = tempfile.mkdtemp(prefix="skene-gate-")
    os.chdir(work)
    os.environ.update({
        "DATABASE_URL": "sqlite:///%s" % os.path.join(work, "app.db"),
        "SKENE_DATABASE_URL": "sqlite:///%s" % os.path.join(work, "skene.db"),
        "TASKFLOW_DB": os.path.join(work, "taskflow.sqlite3"),
        "NOTES_DATABASE_URL": "sqlite:///%s" % os.path.join(work, "notes.db"),
        "STRIPE_WEBHOOK_SECRET": support.WEBHOOK_SECRET,
        "SKENE_UPGRADE_URL": "https://example.test/upgrade",
    })
    for key in ("RESEND_API_KEY", "SKENE_EMAIL_FROM"):
        os.environ.pop(key, None)
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(spec["root"], spec["pythonPath"]))
    module_name, _, attr = spec["app"].partition(":")
    app = getattr(importlib.import_module(module_name), attr)

    from fastapi.testclient import TestClient

    report = {"calls": [], "blocked": None, "webhooks": [], "afterSubscribe": None}
    with TestClient(app) as client:
        driver = DRIVERS[spec["driver"]](client)
        driver.sign_in()
        for _ in range(spec["limit"]):
            report["calls"].append(describe(driver.gated_call()))
        report["blocked"] = describe(driver.gated_call())
        customer = "cus_%s" % driver.user_id
        checkout = {"id": "cs_1", "object": "checkout.session", "customer": customer, "client_reference_id": driver.user_id,
                    "metadata": {}, "mode": "subscription", "subscription": "sub_1"}
        report["webhooks"].append(post_event(client, spec["webhookPath"], support.stripe_event("evt_1", "checkout.session.completed", checkout)))
        created = support.subscription("sub_1", customer, "active")
        report["webhooks"].append(post_event(client, spec["webhookPath"], support.stripe_event("evt_2", "customer.subscription.created", created)))
        report["afterSubscribe"] = describe(driver.gated_call())
    print(json.dumps(report))


if __name__ == "__main__":
    main()
