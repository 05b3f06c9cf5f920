"""pytest plugin used by `skene verify` (loaded with `-p skene_verify_report`; not copied into projects).

Writes one JSON object per line to the file named by SKENE_VERIFY_REPORT: every test's outcome with its
docstring's first line as the check's title and, for a failure or a skip, its reason; a module that cannot be
collected is reported too. Also the Python, FastAPI and pydantic versions the checks ran on.
"""

import json
import os
import platform
import sys

import pytest

_REPORT = os.environ.get("SKENE_VERIFY_REPORT")


def _write(record):
    if not _REPORT:
        return
    with open(_REPORT, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


def _version(name):
    module = sys.modules.get(name)
    return getattr(module, "__version__", None) or getattr(module, "VERSION", None)


def _reason(report):
    longrepr = report.longrepr
    if longrepr is None:
        return None
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        text = str(longrepr[2])
        return text[len("Skipped: ") :] if text.startswith("Skipped: ") else text
    return getattr(report, "longreprtext", None) or str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    function = getattr(item, "function", None)
    doc = (getattr(function, "__doc__", None) or "").strip().splitlines()
    report.skene_title = doc[0].strip() if doc else item.name
    params = getattr(getattr(item, "callspec", None), "params", {}) or {}
    report.skene_step = params.get("step_id")


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        if report.when == "teardown" and report.outcome == "passed":
            return
        _write(
            {
                "kind": "test",
                "nodeid": report.nodeid,
                "name": report.nodeid.split("::")[-1],
                "title": getattr(report, "skene_title", None),
                "step": getattr(report, "skene_step", None),
                "when": report.when,
                "outcome": report.outcome,
                "reason": _reason(report),
                "seconds": round(getattr(report, "duration", 0.0), 3),
            }
        )


def pytest_collectreport(report):
    if report.outcome == "failed":
        _write({"kind": "collect", "nodeid": report.nodeid, "outcome": "failed", "reason": _reason(report)})


def pytest_sessionfinish(session, exitstatus):
    _write(
        {
            "kind": "session",
            "exitstatus": int(exitstatus),
            "python": platform.python_version(),
            "fastapi": _version("fastapi"),
            "pydantic": _version("pydantic"),
        }
    )
