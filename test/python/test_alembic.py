"""skene's Alembic migration in an app that uses Alembic: chained after the app's head, applied by Alembic."""

import os
import shutil
import sqlite3
import subprocess
import sys

import support

ALEMBIC = {"dir": "migrations", "versionsDir": "migrations/versions", "envFile": "migrations/env.py"}
MIGRATION = os.path.join("migrations", "versions", "skene_0001_create_skene_tables.py")
SKENE_TABLES = ["skene_events", "skene_stripe_events", "skene_subscriptions", "skene_usage"]
STEPS = [support.step("reports", "/api/reports", {"free": 3})]


ANALYSIS = support.analysis_for("alembicapp", auth=None, engine=("alembicapp.db", "engine"), alembic=ALEMBIC)


def render(root):
    return support.render_project("alembic_app", root, ANALYSIS, support.compiled_loop(STEPS))


def alembic(root, database_url, *args):
    env = dict(os.environ, ALEMBIC_APP_DATABASE_URL=database_url, PYTHONPATH=root)
    out = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "alembic.ini"] + list(args),
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def sqlite_tables(path):
    db = sqlite3.connect(path)
    try:
        return sorted(
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'skene_%'")
        )
    finally:
        db.close()


def test_migration_follows_the_apps_head_and_creates_the_tables(tmp_path):
    root = str(tmp_path / "project")
    render(root)
    source = open(os.path.join(root, MIGRATION), encoding="utf-8").read()
    compile(source, MIGRATION, "exec")
    assert 'down_revision = "b2c3"' in source and "branch_labels = None" in source
    url = "sqlite:///%s" % os.path.join(root, "app.db")
    # One head: a plain `alembic upgrade head` (singular) still works for the app.
    assert alembic(root, url, "heads").split() == ["skene_0001", "(head)"]
    alembic(root, url, "upgrade", "head")
    assert sqlite_tables(os.path.join(root, "app.db")) == SKENE_TABLES
    assert alembic(root, url, "current").split() == ["skene_0001", "(head)"]
    alembic(root, url, "downgrade", "b2c3")
    assert sqlite_tables(os.path.join(root, "app.db")) == []


def test_regenerating_keeps_the_migrations_place_after_later_app_migrations(tmp_path):
    root = str(tmp_path / "project")
    render(root)
    later = os.path.join(root, "migrations", "versions", "c4d5_add_plan.py")
    with open(later, "w") as handle:
        handle.write(
            'revision = "c4d5"\ndown_revision = "skene_0001"\nbranch_labels = None\ndepends_on = None\n\n\n'
            "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
        )
    render(root)
    assert 'down_revision = "b2c3"' in open(os.path.join(root, MIGRATION), encoding="utf-8").read()
    url = "sqlite:///%s" % os.path.join(root, "app.db")
    assert alembic(root, url, "heads").split() == ["c4d5", "(head)"]
    alembic(root, url, "upgrade", "head")
    assert sqlite_tables(os.path.join(root, "app.db")) == SKENE_TABLES


def test_without_app_migrations_skene_opens_its_own_branch_on_postgresql(tmp_path, postgres):
    import psycopg2

    root = str(tmp_path / "project")
    shutil.copytree(os.path.join(support.APPS, "alembic_app"), root)
    for name in os.listdir(os.path.join(root, "migrations", "versions")):
        os.remove(os.path.join(root, "migrations", "versions", name))
    support.render_into(root, ANALYSIS, support.compiled_loop(STEPS))
    source = open(os.path.join(root, MIGRATION), encoding="utf-8").read()
    assert "down_revision = None" in source and 'branch_labels = ("skene",)' in source
    database = "alembic_%d" % os.getpid()
    admin = psycopg2.connect(postgres.url)
    admin.autocommit = True
    admin.cursor().execute("CREATE DATABASE %s" % database)
    url = postgres.url.rsplit("/", 1)[0] + "/" + database
    try:
        alembic(root, url, "upgrade", "heads")
        conn = psycopg2.connect(url)
        try:
            cur = conn.cursor()
            cur.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'skene_%' ORDER BY tablename")
            assert [row[0] for row in cur.fetchall()] == SKENE_TABLES
        finally:
            conn.close()
        # The runtime then counts on the migrated tables, through the app's engine.
        env = dict(os.environ, ALEMBIC_APP_DATABASE_URL=url, PYTHONPATH=root)
        env.pop("SKENE_DATABASE_URL", None)
        script = (
            "from alembicapp.skene import _config, _store\n"
            "store = _store.get_store()\n"
            "print(store.dialect, [store.consume(_config.STEPS['reports'], 'u1').allowed for _ in range(4)])\n"
        )
        out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.split("\n")[0] == "postgresql [True, True, True, False]"
    finally:
        admin.cursor().execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % database)
        admin.close()
