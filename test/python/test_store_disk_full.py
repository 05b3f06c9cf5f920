"""A full disk under a running app (issue: store failures take the step's fail-open/closed path): the app's
SQLite file lives on a small tmpfs that the test fills for real. No gated request is answered 500, the
outage is logged once, a webhook that could not be written is not acknowledged, and counting resumes
when space is back."""

import contextlib
import errno
import json
import os
import sqlite3
import subprocess
import sys

import httpx
import support


@contextlib.contextmanager
def small_disk(path, size="2m"):
    """A tmpfs of `size` mounted at `path` while the block runs (the test runs as root, as CI does)."""
    os.makedirs(path, exist_ok=True)
    assert os.geteuid() == 0, "mounting a small tmpfs needs root (CI runs the tests as root)"
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", path], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", path], check=True)


def fill(path):
    """Writes a filler file until the file system answers ENOSPC; returns its path."""
    filler = os.path.join(path, "filler")
    chunk = b"\0" * 4096
    with open(filler, "wb", buffering=0) as handle:
        while True:
            try:
                handle.write(chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                break
    return filler


def signed(event):
    payload = json.dumps(event).encode()
    return {
        "content": payload,
        "headers": {"Stripe-Signature": support.sign(payload), "Content-Type": "application/json"},
    }


def used(path, user):
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT used FROM skene_usage WHERE step_id='reports' AND user_key=?", (user,)).fetchall()
    finally:
        db.close()


def test_a_full_disk_fails_open_or_closed_and_counting_resumes_when_space_is_back(gated_project, tmp_path):
    with small_disk(str(tmp_path / "disk")) as disk:
        path = os.path.join(disk, "app.db")
        url = "sqlite:///" + path
        env = dict(os.environ, TESTAPP_DATABASE_URL=url, PYTHONPATH=gated_project)
        env.pop("SKENE_DATABASE_URL", None)
        subprocess.run(
            [sys.executable, "-c", "from testapp.db import init_db; init_db()"], cwd=gated_project, env=env, check=True
        )
        process, base = support.start_uvicorn(gated_project, url)
        stderr = ""
        try:
            with httpx.Client(base_url=base, timeout=30.0) as http:
                user = {"X-API-Key": "key-7"}
                assert http.post("/api/reports", headers=user).status_code == 200
                assert used(path, "7") == [(1,)]

                filler = fill(disk)
                # Every write of the store now needs space the disk does not have.
                reports = [http.post("/api/reports", headers=user) for _ in range(30)]
                strict = [http.post("/api/strict", headers=user) for _ in range(10)]
                event = support.stripe_event(
                    "evt_full_1",
                    "customer.subscription.created",
                    support.subscription("sub_full_1", "cus_full_1", "active", user_id=7),
                )
                webhook = http.post("/skene/webhooks/stripe", **signed(event))

                assert {r.status_code for r in reports} == {200}, [r.text for r in reports if r.status_code != 200]
                assert 500 not in {r.status_code for r in strict}
                blocked = [r for r in strict if r.status_code == 503]
                assert blocked, "the fail-closed step never refused while the disk was full"
                assert blocked[0].json()["error"] == "usage_store_unavailable"
                # Stripe retries only non-2xx answers: an event that could not be written is not acknowledged.
                assert webhook.status_code == 503, webhook.text

                os.remove(filler)
                # Space is back: the event applies when Stripe delivers it again, and requests count again.
                assert http.post("/skene/webhooks/stripe", **signed(event)).status_code == 200
                before = used(path, "8")
                response = http.post("/api/reports", headers={"X-API-Key": "key-8"})
                assert response.status_code == 200 and response.headers.get("RateLimit-Remaining") == "2", (
                    response.headers
                )
                assert before == [] and used(path, "8") == [(1,)]
        finally:
            stderr = support.stop_uvicorn(process) or ""
        outages = [line for line in stderr.splitlines() if "usage store unavailable" in line]
        assert len(outages) == 1, stderr[-3000:]  # logged once a minute, not once a request
        assert "Traceback" not in stderr, stderr[-3000:]
