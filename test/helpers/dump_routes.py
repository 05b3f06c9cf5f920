"""Print the routes FastAPI itself serves for a fixture project, as JSON.

Usage: /usr/bin/python3 test/helpers/dump_routes.py <fixture dir>

Reads <fixture dir>/fixture.json ({"app": "pkg.module:app" or "pkg.module:create_app()", "pythonPath": "."}),
imports the app from a temporary working directory (with DATABASE_URL pointing at a temporary SQLite file,
so nothing lands in the fixture) and walks app.routes, descending into mounted FastAPI/Starlette sub-apps.
Output: [{"method": "POST", "path": "/api/v1/reports/"}, ...], one entry per method, "WEBSOCKET" for
websocket routes, sorted; FastAPI's auto-added docs routes are left out.
"""

import importlib
import json
import os
import sys
import tempfile


def load_app(fixture_dir, spec):
    module_name, _, attr = spec.partition(":")
    call = attr.endswith("()")
    attr = attr[:-2] if call else attr
    module = importlib.import_module(module_name)
    target = getattr(module, attr)
    return target() if call else target


def docs_paths(app):
    """The paths FastAPI adds by itself for this app (None when that feature is off)."""
    paths = set()
    for name in ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url"):
        value = getattr(app, name, None)
        if value:
            paths.add(value)
    if not getattr(app, "openapi_url", None):
        return set()
    return paths


def is_auto_docs_route(route, auto_paths):
    from fastapi.routing import APIRoute

    # The auto-added docs routes are plain starlette Routes, not APIRoutes.
    return route.path in auto_paths and not isinstance(route, APIRoute)


def walk(app, prefix, out):
    from fastapi.routing import APIRoute, APIWebSocketRoute
    from starlette.routing import Mount, Route, WebSocketRoute

    auto_paths = docs_paths(app)
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods):
                out.append({"method": method, "path": prefix + route.path})
        elif isinstance(route, (APIWebSocketRoute, WebSocketRoute)):
            out.append({"method": "WEBSOCKET", "path": prefix + route.path})
        elif isinstance(route, Mount):
            sub = route.app
            if hasattr(sub, "routes") and hasattr(sub, "router"):
                walk(sub, prefix + route.path, out)
            # StaticFiles and other plain ASGI apps serve no declared routes.
        elif isinstance(route, Route):
            if is_auto_docs_route(route, auto_paths):
                continue
            for method in sorted(route.methods or ["GET"]):
                out.append({"method": method, "path": prefix + route.path})


def main(argv):
    if len(argv) != 2:
        print("usage: dump_routes.py <fixture dir>", file=sys.stderr)
        return 2
    fixture_dir = os.path.abspath(argv[1])
    with open(os.path.join(fixture_dir, "fixture.json"), encoding="utf-8") as handle:
        meta = json.load(handle)
    sys.path.insert(0, os.path.normpath(os.path.join(fixture_dir, meta.get("pythonPath", "."))))
    sys.dont_write_bytecode = True

    workdir = tempfile.mkdtemp(prefix="skene-dump-routes-")
    os.environ["DATABASE_URL"] = "sqlite:///" + os.path.join(workdir, "app.db")
    for key, value in meta.get("env", {}).items():
        os.environ[key] = value.replace("{tmp}", workdir)
    os.chdir(workdir)

    app = load_app(fixture_dir, meta["app"])
    routes = []
    walk(app, "", routes)
    unique = {(r["method"], r["path"]) for r in routes}
    result = [{"method": m, "path": p} for p, m in sorted((p, m) for m, p in unique)]
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
