"""Seeds skene's events through the runtime itself, for the `skene stats` tests: renders the links app (test/stats/app)
into ROOT, serves it with uvicorn on loopback, its store on SQLite (`sqlite:///skene.db` in ROOT/.env, relative to
the app's folder) or on a throwaway PostgreSQL, and drives it over HTTP as users would:

  user 1  reports: warned, blocked (prompt email), clicks the 402 link; exports: blocked; then subscribes
  user 2  reports: warned, blocked (prompt email), clicks the 402 link; never pays
  user 3  reports: warned, blocked (prompt email)
  user 4  reports: one request, warned only
  user 5  exports: blocked, clicks the 402 link, subscribes

Subscriptions arrive as signed Stripe webhooks on skene's own route. Then it prints one JSON line (the database
URL, the events as the database holds them, the WAL's size) and keeps the app running, so the SQLite WAL is not
checkpointed, until it reads `stop-app` (it stops the app and prints `{"stopped": true}`) or `exit` on stdin.

usage: python3 test/stats/seed_app.py ROOT sqlite|postgresql
"""

import json
import os
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import support  # noqa: E402
from test_upgrade_links import PROMPT, UPGRADE_URL, LinksApp, events, render_links_app, wait_for  # noqa: E402

STEPS = [
    support.step(
        "reports",
        "/api/reports",
        {"free": 2, "paid": None},
        upgrade_url=UPGRADE_URL,
        upgrade_prompt=PROMPT,
        warn_at=0.5,
    ),
    support.step("exports", "/api/exports", {"free": 1, "paid": None}, upgrade_url=UPGRADE_URL),
]


def hit_limit(app, path, user, free):
    statuses = app.use(path, user, free)
    assert statuses == [200] * free, statuses
    return app.blocked_body(path, user)["upgrade_url"]


def click(app, link):
    status, headers, _ = app.request("GET", link)
    assert (status, headers["location"]) == (302, UPGRADE_URL), (status, headers)


def subscribe(app, user):
    checkout = support.stripe_event(
        "evt_co_%d" % user,
        "checkout.session.completed",
        {
            "id": "cs_%d" % user,
            "object": "checkout.session",
            "client_reference_id": str(user),
            "customer": "cus_%d" % user,
            "subscription": "sub_%d" % user,
        },
    )
    created = support.stripe_event(
        "evt_sub_%d" % user,
        "customer.subscription.created",
        support.subscription("sub_%d" % user, "cus_%d" % user, "active"),
    )
    for event in (checkout, created):
        payload = json.dumps(event).encode()
        headers = {"Stripe-Signature": support.sign(payload), "Content-Type": "application/json"}
        status, _, body = app.request("POST", "/skene/webhooks/stripe", body=payload, headers=headers)
        assert status == 200, body


def all_events(database_url):
    sql = "SELECT kind, step_id, user_key, created_at FROM skene_events ORDER BY created_at"
    if database_url.startswith("sqlite"):
        db = sqlite3.connect(database_url[len("sqlite:///") :])
        try:
            return [list(row) for row in db.execute(sql).fetchall()]
        finally:
            db.close()
    import psycopg2

    db = psycopg2.connect(database_url)
    try:
        with db.cursor() as cur:
            cur.execute(sql)
            return [list(row) for row in cur.fetchall()]
    finally:
        db.close()


def main():
    root, dialect = sys.argv[1], sys.argv[2]
    render_links_app(root, STEPS)
    postgres = support.Postgres() if dialect == "postgresql" else None
    resend = support.ResendServer()
    app = None
    try:
        if postgres:
            url = postgres.url
            # The test passes this URL to `skene stats` through the environment.
            app_url = url
        else:
            with open(os.path.join(root, ".env"), "w") as handle:
                handle.write("SKENE_DATABASE_URL=sqlite:///skene.db\n")
            url = "sqlite:///%s" % os.path.join(root, "skene.db")
            app_url = "sqlite:///skene.db"
        app = LinksApp(root, app_url, resend)
        links = {}
        for user in (1, 2, 3):
            links[user] = hit_limit(app, "/api/reports", user, 2)
        assert app.use("/api/reports", 4, 1) == [200]
        hit_limit(app, "/api/exports", 1, 1)
        links[5] = hit_limit(app, "/api/exports", 5, 1)
        for user in (1, 2, 5):
            click(app, links[user])
        # Three prompts and four warnings, sent off the request path.
        wait_for(lambda: len(events(url, "prompt_sent")) == 3 and len(events(url, "warning_sent")) == 4, timeout=30)
        time.sleep(1.1)  # the conversions come a measurable while after the limit
        subscribe(app, 1)
        subscribe(app, 5)
        wait_for(lambda: len(events(url, "converted")) == 3)
        wal = os.path.join(root, "skene.db-wal")
        print(
            json.dumps(
                {
                    "databaseUrl": url,
                    "events": all_events(url),
                    "walBytes": os.path.getsize(wal) if os.path.exists(wal) else None,
                    "emails": len(resend.requests),
                }
            ),
            flush=True,
        )
        for line in sys.stdin:
            command = line.strip()
            if command == "stop-app" and app is not None:
                app.stop()
                app = None
                print(json.dumps({"stopped": True}), flush=True)
            elif command == "exit":
                break
    finally:
        if app is not None:
            app.stop()
        resend.close()
        if postgres:
            postgres.stop()


if __name__ == "__main__":
    main()
