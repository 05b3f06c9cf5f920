"""What only the PostgreSQL store does: named prepared statements (and a server or pooler that loses or
refuses them), and counting from the event loop through psycopg2's asynchronous mode."""

import json
import subprocess
import sys

import pytest
import support
from conftest import GATED_PLANS, GATED_STEPS


@pytest.fixture(scope="module")
def pg_project(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("gated_pg"))
    support.render_project(
        "gated", root, support.analysis_for("testapp"), support.compiled_loop(GATED_STEPS, plans=GATED_PLANS)
    )
    return root


def test_the_count_survives_a_lost_prepared_statement_and_a_server_without_them(pg_project, postgres):
    script = """
import json
from testapp.skene import _config, get_store
store = get_store()
step = _config.STEPS["reports"]
out = [store.consume(step, "pg-16").allowed]
store.run(lambda cur: store.execute(cur, "DEALLOCATE ALL"))
out.append(store.consume(step, "pg-16").allowed)
prepared = store._prepared
store._prepared = False
out += [store.consume(step, "pg-16").allowed for _ in range(2)]
print(json.dumps({"allowed": out, "prepared": prepared, "used": store.usage("reports", "pg-16")[0]}))
"""
    env = dict(TESTAPP_DATABASE_URL=postgres.url, PYTHONPATH=pg_project)
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=pg_project, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"allowed": [True, True, True, False], "prepared": True, "used": 3}


def test_counting_from_the_event_loop_is_exact_and_falls_back_to_the_threads(pg_project, postgres):
    script = """
import asyncio, json
from testapp.skene import _config, get_store
store = get_store()
step = _config.STEPS["burst"]
store.usage("burst", "pg-17")  # creates the tables on a thread, as the first request does

async def burst(user, n=120):
    return [o.allowed for o in await asyncio.gather(*(store.consume_async(step, user) for _ in range(n)))]

on_loop = asyncio.run(burst("pg-17"))
pool = store._on_loop
opened = pool._open

def refuse():
    raise OSError("no asynchronous connection today")

for conn in pool._idle:
    conn.close()
pool._idle, pool._open, pool._connect = [], 0, refuse
on_threads = asyncio.run(burst("pg-18"))
print(json.dumps({
    "on_loop": on_loop.count(True), "on_threads": on_threads.count(True), "opened": opened,
    "used": [store.usage("burst", "pg-17")[0], store.usage("burst", "pg-18")[0]],
}))
"""
    env = dict(TESTAPP_DATABASE_URL=postgres.url, PYTHONPATH=pg_project)
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=pg_project, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["on_loop"], result["on_threads"], result["used"]) == (50, 50, [50, 50])
    assert 1 <= result["opened"] <= 4
