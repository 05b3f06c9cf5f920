"""The app's engine held by a class attribute or returned by a cached getter: the generated app_engine()
reaches it, and skene keeps its tables in the app's own database, not in a file of its own."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
import support

STEPS = [support.step("run", "/api/run", {"free": 1, "paid": None})]


@pytest.mark.parametrize(
    "variable,access,expected",
    [
        ("Database", {"kind": "attribute", "attribute": "engine"}, "return ENGINE_OWNER.engine"),
        ("get_engine", {"kind": "call"}, "return ENGINE_GETTER()"),
    ],
)
def test_skene_keeps_its_tables_in_the_database_of_the_held_engine(tmp_path, variable, access, expected):
    root = str(tmp_path / "project")
    analysis = support.analysis_for("heldapp", auth=("heldapp.main", "current_user"), engine=("heldapp.db", variable))
    analysis["database"]["engine"]["access"] = access
    support.render_project("held_engine", root, analysis, support.compiled_loop(STEPS))
    integration = open(os.path.join(root, "heldapp", "skene", "_integration.py")).read()
    assert expected in integration
    app_db = str(tmp_path / "app.db")
    script = """
import json
from fastapi.testclient import TestClient
from heldapp.main import app
client = TestClient(app)
print(json.dumps([client.post("/api/run", headers={"X-User": "u1"}).status_code for _ in range(2)]))
"""
    env = dict(os.environ, PYTHONPATH=root, HELD_DATABASE_URL="sqlite:///" + app_db)
    env.pop("SKENE_DATABASE_URL", None)
    run = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [200, 402]
    with sqlite3.connect(app_db) as db:
        assert db.execute("SELECT step_id, user_key, used FROM skene_usage").fetchall() == [("run", "u1", 1)]
    assert not os.path.exists(os.path.join(root, "skene.db"))
