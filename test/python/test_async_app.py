"""An app whose SQLAlchemy engine is async (create_async_engine with aiosqlite): the gate counts in the
app's own database file, exactly, also under concurrent load in a uvicorn worker."""

import collections
import json
import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import support

STEPS = [support.step("items", "/api/items", {"free": 5, "paid": None})]
ANALYSIS = support.analysis_for(
    "asyncapp", auth=("asyncapp.deps", "get_current_user"), engine=("asyncapp.db", "engine"), async_engine=True
)


@pytest.fixture(scope="module")
def async_project(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("asyncapp"))
    rendered = support.render_project("async_gated", root, ANALYSIS, support.compiled_loop(STEPS))
    assert rendered["location"]["module"] == "asyncapp.skene"
    return root


def run_python(root, database_url, script):
    env = dict(os.environ, ASYNCAPP_DATABASE_URL=database_url, PYTHONPATH=root)
    env.pop("SKENE_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_quota_on_the_async_engines_database(async_project, tmp_path):
    path = str(tmp_path / "async.db")
    script = """
import asyncio, json
from fastapi.testclient import TestClient
from asyncapp.db import init_db
from asyncapp.main import app
from asyncapp.skene import get_store
asyncio.run(init_db())
with TestClient(app) as client:
    k1, k2 = {"X-API-Key": "key-1"}, {"X-API-Key": "key-2"}
    out = {
        "unauth": client.post("/api/items").status_code,
        "errors": [client.post("/api/items?fail=1", headers=k1).status_code for _ in range(3)],
        "user1": [client.post("/api/items", headers=k1).status_code for _ in range(7)],
        "user2": [client.post("/api/items", headers=k2).status_code for _ in range(2)],
        "blocked": client.post("/api/items", headers=k1).json()["used"],
        "store": [get_store().dialect, get_store().description],
    }
print(json.dumps(out))
"""
    out = json.loads(run_python(async_project, "sqlite+aiosqlite:///" + path, script).strip().splitlines()[-1])
    assert out["unauth"] == 401
    assert out["errors"] == [422, 422, 422]
    assert out["user1"] == [200] * 5 + [402, 402]
    assert out["user2"] == [200, 200]
    assert out["blocked"] == 5
    assert out["store"] == ["sqlite", "the app's SQLite database"]
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT user_key, used FROM skene_usage WHERE step_id = 'items' ORDER BY user_key").fetchall()
    finally:
        db.close()
    assert rows == [("1", 5), ("2", 2)]


def test_concurrent_requests_in_one_async_worker_pass_exactly_the_limit(async_project, tmp_path):
    path = str(tmp_path / "burst.db")
    url = "sqlite+aiosqlite:///" + path
    run_python(async_project, url, "import asyncio\nfrom asyncapp.db import init_db\nasyncio.run(init_db())\n")
    env = dict(os.environ, ASYNCAPP_DATABASE_URL=url, PYTHONPATH=async_project)
    env.pop("SKENE_DATABASE_URL", None)
    port = support.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "asyncapp.main:app", "--port", str(port), "--log-level", "warning"],
        cwd=async_project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = "http://127.0.0.1:%d" % port
    try:
        support.wait_for_http(base + "/api/open")
        with httpx.Client(base_url=base, timeout=30.0, limits=httpx.Limits(max_connections=32)) as http:
            with ThreadPoolExecutor(32) as pool:
                statuses = list(
                    pool.map(lambda _: http.post("/api/items", headers={"X-API-Key": "key-3"}).status_code, range(120))
                )
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert collections.Counter(statuses) == {200: 5, 402: 115}, process.stderr.read().decode()[-2000:]
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT used FROM skene_usage WHERE user_key = '3'").fetchall() == [(5,)]
    finally:
        db.close()
