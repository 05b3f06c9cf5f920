"""An app module that defines its auth dependency and imports skene's gate must import cleanly: the runtime
imports the auth dependency when the first gate is built, not when the runtime itself is imported."""

import os
import subprocess
import sys

import support

CLIENT_SCRIPT = """
import json
from fastapi.testclient import TestClient
import main

client = TestClient(main.app)
codes = [client.post("/summaries", headers={"x-api-key": "key-ada"}).status_code for _ in range(3)]
other = client.post("/summaries", headers={"x-api-key": "key-bob"}).status_code
anonymous = client.post("/summaries").status_code
print(json.dumps({"ada": codes, "bob": other, "anonymous": anonymous}))
"""


def single_module_analysis():
    creation = {"file": "main.py", "line": 12, "column": 0, "endLine": 12, "endColumn": 15}
    return {
        "apps": [
            {"file": "main.py", "line": 12, "variable": "app", "module": "main", "mountedAt": [], "creation": creation}
        ],
        "sourceRoots": [{"path": "", "packages": []}],
        "auth": {
            "primary": {
                "file": "main.py",
                "line": 16,
                "module": "main",
                "name": "get_current_user",
                "scheme": "api_key",
                "returns": "dict",
                "fields": ["id", "email"],
                "isAsync": False,
                "aliases": [],
                "routeCount": 1,
            },
            "candidates": [],
        },
        "database": {"kind": "none", "async": False},
        "stripe": {
            "used": False,
            "imports": [],
            "calls": [],
            "webhooks": [],
            "prices": [],
            "checkoutUserLinks": [],
            "apiKeyEnv": [],
            "webhookSecretEnv": [],
        },
    }


def test_auth_dependency_in_the_gated_module_imports_and_gates(tmp_path):
    root = str(tmp_path / "project")
    loop = support.compiled_loop([support.step("summaries", "/summaries", {"free": 2, "paid": None})])
    rendered = support.render_project("single_module", root, single_module_analysis(), loop)
    assert rendered["location"] == {"dir": "skene_runtime", "module": "skene_runtime"}
    with open(os.path.join(root, "skene_runtime", "_integration.py"), encoding="utf-8") as handle:
        integration = handle.read()
    # Not at module level: that import would run while main.py is still half-initialized.
    assert not any(line.startswith("from main import") for line in integration.splitlines())
    env = dict(os.environ, SKENE_DATABASE_URL="sqlite:///" + str(tmp_path / "skene.db"), PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run(
        [sys.executable, "-c", CLIENT_SCRIPT], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = __import__("json").loads(out.stdout.strip().splitlines()[-1])
    assert result == {"ada": [200, 200, 402], "bob": 200, "anonymous": 401}
