"""gate(step, identify=True) in an app that has an auth dependency: the route stays public (the gate declares
no auth dependency) and the caller is whoever identify(request) in _integration.py says it is."""

import json
import os
import re
import sqlite3
import subprocess
import sys

import pytest
import support

STEPS = [
    support.step("signup", "/api/signup", {"free": 2, "paid": None}),
    support.step("reports", "/api/reports", {"free": 2, "paid": None}),
]
ANALYSIS = support.analysis_for("idapp", auth=("idapp.deps", "get_current_user"), engine=None)

# The user's edit: a visitor header first, then what the default identify() reads (the session middleware's
# request.state.user).
EDITED_IDENTIFY = """# skene:identify — edited: visitors are known by a header.
def identify(request):
    visitor = request.headers.get("X-Visitor")
    if visitor:
        return {"id": "visitor-" + visitor, "email": None}
    return getattr(request.state, "user", None)
# skene:identify-end"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("idapp"))
    rendered = support.render_project("identify_app", root, ANALYSIS, support.compiled_loop(STEPS))
    assert rendered["location"] == {"dir": "idapp/skene", "module": "idapp.skene"}
    integration = os.path.join(root, "idapp", "skene", "_integration.py")
    with open(integration) as handle:
        source = handle.read()
    assert "from idapp.deps import get_current_user as AUTH_DEPENDENCY" in source
    edited, count = re.subn(r"# skene:identify\b.*?# skene:identify-end", lambda _: EDITED_IDENTIFY, source, flags=re.S)
    assert count == 1
    with open(integration, "w") as handle:
        handle.write(edited)
    return root


def run_requests(root, database, script):
    env = dict(os.environ, PYTHONPATH=root, SKENE_DATABASE_URL="sqlite:///" + database)
    out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


PRELUDE = """
import json
from fastapi.testclient import TestClient
from idapp.main import app
client = TestClient(app)
"""


def usage(database):
    db = sqlite3.connect(database)
    try:
        return sorted(db.execute("SELECT step_id, user_key, used FROM skene_usage").fetchall())
    finally:
        db.close()


def test_the_gate_does_not_make_the_route_require_auth(project, tmp_path):
    database = str(tmp_path / "skene.db")
    out = run_requests(
        project,
        database,
        PRELUDE
        + """
anonymous = [client.post("/api/signup") for _ in range(5)]
print(json.dumps({
    "statuses": [r.status_code for r in anonymous],
    "auth_calls": [r.json()["auth_calls"] for r in anonymous],
    "ratelimit": ["RateLimit-Limit" in r.headers for r in anonymous],
    "reports_without_key": client.post("/api/reports").status_code,
    "reports_with_key": client.post("/api/reports", headers={"X-API-Key": "key-1"}).status_code,
}))
""",
    )
    # Unrecognized by identify(): passes, uncounted, past the limit of 2; the app's auth never runs.
    assert out["statuses"] == [200] * 5
    assert out["auth_calls"] == [0] * 5
    assert out["ratelimit"] == [False] * 5
    # The project's auth dependency still guards the routes gated without identify=True.
    assert out["reports_without_key"] == 401
    assert out["reports_with_key"] == 200
    assert usage(database) == [("reports", "1", 1)]


def test_a_caller_identify_recognizes_is_counted_and_blocked(project, tmp_path):
    database = str(tmp_path / "skene.db")
    out = run_requests(
        project,
        database,
        PRELUDE
        + """
visitor = [client.post("/api/signup", headers={"X-Visitor": "v1"}) for _ in range(3)]
other = client.post("/api/signup", headers={"X-Visitor": "v2"})
client.cookies.set("session", "abc")
session = [client.post("/api/signup") for _ in range(3)]
print(json.dumps({
    "visitor": [r.status_code for r in visitor],
    "remaining": [r.headers.get("RateLimit-Remaining") for r in visitor[:2]],
    "blocked": visitor[2].json(),
    "other": other.status_code,
    "session": [r.status_code for r in session],
}))
""",
    )
    assert out["visitor"] == [200, 200, 402]
    assert out["remaining"] == ["1", "0"]
    blocked = out["blocked"]
    assert (blocked["error"], blocked["limit"], blocked["used"], blocked["period"]) == ("upgrade_required", 2, 2, "30d")
    assert blocked["message"] == "You've reached your free tier limit. Upgrade to continue."
    assert out["other"] == 200
    # request.state.user set by the app's session middleware: the default half of identify().
    assert out["session"] == [200, 200, 402]
    assert usage(database) == [("signup", "session-abc", 2), ("signup", "visitor-v1", 2), ("signup", "visitor-v2", 1)]
