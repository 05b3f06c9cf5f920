"""The app's side of the sync tests, run with the lane's Python from the app's folder.

    python app_db.py seed  '<json>'   create the app's tables (its own metadata) and insert its users
    python app_db.py rows  <url>      print skene's subscription rows and customer_linked events as JSON

`seed` takes {"base": "module:Base", "imports": [modules holding the models], "model": "module:User",
"users": [{column: value}]} and connects through the app's own engine (its DATABASE_URL).
"""

import importlib
import json
import sys


def _attribute(path):
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def seed(spec):
    sys.path.insert(0, ".")
    base = _attribute(spec["base"])
    for module in spec["imports"]:
        importlib.import_module(module)
    model = _attribute(spec["model"])
    engine = _attribute(spec["engine"])
    base.metadata.create_all(engine)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        for user in spec["users"]:
            session.add(model(**user))
        session.commit()


def _connect(url):
    if url.startswith("sqlite:///"):
        import sqlite3

        return sqlite3.connect(url[len("sqlite:///") :])
    import psycopg2

    return psycopg2.connect(url)


def rows(url):
    conn = _connect(url)
    cur = conn.cursor()

    def query(sql):
        try:
            cur.execute(sql)
            return [list(row) for row in cur.fetchall()]
        except Exception:
            conn.rollback()
            return None

    print(
        json.dumps(
            {
                "subscriptions": query(
                    "SELECT subscription_id, customer_id, user_key, status, prices, current_period_end, past_due_since,"
                    " event_created, updated_at FROM skene_subscriptions ORDER BY subscription_id"
                ),
                "links": query(
                    "SELECT user_key, detail FROM skene_events WHERE kind = 'customer_linked' ORDER BY dedupe_key"
                ),
                "users": query("SELECT id, email, stripe_customer_id FROM users ORDER BY id"),
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(json.loads(sys.argv[2]))
    else:
        rows(sys.argv[2])
