"""Calls stripe-saas's gated route as some of its users, with the app's own TestClient, from the app's folder.

    python gate_calls.py '{"users": [1, 5], "calls": 4}'

Prints {"<user id>": [status, ...]}. The app's auth dependency is overridden to return the user read from the
app's table, as skene's generated gate tests do; the gate, skene's store and the app's database are the real ones.
"""

import json
import sys

sys.path.insert(0, ".")

from app.api.deps import get_current_user  # noqa: E402
from app.db.session import SessionLocal  # noqa: E402
from app.main import app  # noqa: E402
from app.models.user import User  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402


def main(spec):
    statuses = {}
    with TestClient(app) as client:
        for user_id in spec["users"]:
            session = SessionLocal()
            user = session.query(User).filter(User.id == user_id).one()
            app.dependency_overrides[get_current_user] = lambda user=user: user
            statuses[str(user_id)] = [
                client.post("/api/v1/reports/", json={"title": "Report %d" % call}).status_code
                for call in range(spec["calls"])
            ]
            session.close()
    app.dependency_overrides.clear()
    print(json.dumps(statuses))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
