"""Print the routes FastAPI itself serves for a fixture project, as JSON.

Usage: /usr/bin/python3 test/helpers/dump_routes.py <fixture dir>

Reads <fixture dir>/fixture.json ({"app": "pkg.module:app" or "pkg.module:create_app()", "pythonPath": "."}),
imports the app from a temporary working directory (with DATABASE_URL pointing at a temporary SQLite file,
so nothing lands in the fixture), runs its start-up (lifespan and start-up handlers, through TestClient used
as a context manager) so routes registered there count, and walks app.routes, descending into mounted
FastAPI/Starlette sub-apps. From FastAPI 0.137 on, app.routes holds the included routers themselves;
fastapi.routing.iter_route_contexts yields each route they serve with its full path.
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


def served_routes(routes):
    """(declared route, route as served) pairs: the same object before FastAPI 0.137; from then on an included
    router stands in app.routes for all its routes, and its route contexts carry the full path."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return [(route, route) for route in routes]
    return [(context.original_route, context) for context in iter_route_contexts(routes)]


def walk(app, prefix, out):
    from fastapi.routing import APIRoute, APIWebSocketRoute
    from starlette.routing import Mount, Route, WebSocketRoute

    auto_paths = docs_paths(app)
    for declared, served in served_routes(app.routes):
        path = served.path
        if isinstance(declared, APIRoute):
            for method in sorted(served.methods):
                out.append({"method": method, "path": prefix + path})
        elif isinstance(declared, (APIWebSocketRoute, WebSocketRoute)):
            out.append({"method": "WEBSOCKET", "path": prefix + path})
        elif isinstance(declared, Mount):
            sub = declared.app
            if hasattr(sub, "routes"):
                walk(sub, prefix + path, out)
            # StaticFiles and other plain ASGI apps serve no declared routes.
        elif isinstance(declared, Route):
            if is_auto_docs_route(declared, auto_paths):
                continue
            for method in sorted(served.methods or ["GET"]):
                out.append({"method": method, "path": prefix + path})


def started(app):
    """Runs the app's start-up (lifespan, on_startup, on_event("startup")) and returns a callable that
    runs its shutdown. A sub-app's start-up does not run when mounted, as under a real server."""
    from fastapi.testclient import TestClient

    client = TestClient(app)
    client.__enter__()
    return lambda: client.__exit__(None, None, None)


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
    shutdown = started(app)
    routes = []
    try:
        walk(app, "", routes)
    finally:
        shutdown()
    unique = {(r["method"], r["path"]) for r in routes}
    result = [{"method": m, "path": p} for p, m in sorted((p, m) for m, p in unique)]
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
