"""An app whose user dependency sets request.state.user (router-level dependencies=[...]) and returns nothing:
the generated auth dependency reads the user from the request after FastAPI ran the app's dependency once."""

import json
import os
import subprocess
import sys

import support

STEPS = [support.step("jobs", "/api/jobs", {"free": 2, "paid": None})]


def test_the_gate_counts_the_user_the_app_put_on_the_request(tmp_path):
    root = str(tmp_path / "project")
    analysis = support.analysis_for("stateapp", auth=("stateapp.auth", "load_session_user"), engine=None)
    analysis["auth"]["primary"]["returns"] = "request-state"
    support.render_project("state_user", root, analysis, support.compiled_loop(STEPS))
    integration = open(os.path.join(root, "stateapp", "skene", "_integration.py")).read()
    assert "from stateapp.auth import load_session_user as APP_DEPENDENCY" in integration
    script = """
import json
from fastapi.testclient import TestClient
from stateapp.main import app
client = TestClient(app)
one = [client.post("/api/jobs", headers={"X-Token": "tok-1"}) for _ in range(3)]
two = client.post("/api/jobs", headers={"X-Token": "tok-2"})
anonymous = client.post("/api/jobs")
print(json.dumps({
    "one": [r.status_code for r in one],
    "calls": [r.json().get("auth_calls") for r in one[:2]],
    "two": two.status_code,
    "anonymous": anonymous.status_code,
}))
"""
    env = dict(os.environ, PYTHONPATH=root, SKENE_DATABASE_URL="sqlite:///" + str(tmp_path / "skene.db"))
    run = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["one"] == [200, 200, 402]
    # The app's dependency ran once per request, for the route and the gate together.
    assert out["calls"] == [1, 2]
    assert out["two"] == 200
    assert out["anonymous"] == 401
