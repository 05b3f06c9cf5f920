/**
 * FastAPI's routing rules, one per test, on small inline projects. Each expectation is checked twice:
 * against the analyzer and against FastAPI itself (Debian's FastAPI 0.92 imports the same files).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { analyzeSources, diagnosticsAt, expectServedRoutes, py, routeKeys } from './helpers.js';

test('include chain 4 deep: each router prefix applies to what it includes, a "" path gives the bare prefix', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import FastAPI
        from api import api_router

        app = FastAPI()
        app.include_router(api_router, prefix="/api")
      `,
      'api/__init__.py': py`
        from fastapi import APIRouter
        from api.v1 import v1_router

        api_router = APIRouter()
        api_router.include_router(v1_router)
      `,
      'api/v1/__init__.py': py`
        from fastapi import APIRouter
        from .accounts import router as accounts_router

        v1_router = APIRouter(prefix="/v1")
        v1_router.include_router(accounts_router, prefix="/org")
      `,
      'api/v1/accounts.py': py`
        from fastapi import APIRouter
        from .members import router as members_router

        router = APIRouter(prefix="/accounts")

        @router.get("")
        def list_accounts():
            return []

        router.include_router(members_router)
      `,
      'api/v1/members.py': py`
        from fastapi import APIRouter

        router = APIRouter(prefix="/members", tags=["members"])

        @router.get("")
        def list_members():
            return []

        @router.delete("/{member_id}")
        def remove_member(member_id: int):
            return None
      `,
    },
    {
      'main:app': [
        'GET /api/v1/org/accounts',
        'GET /api/v1/org/accounts/members',
        'DELETE /api/v1/org/accounts/members/{member_id}',
      ],
    },
    { 'main:app': 'main.py' },
  );
});

test('include chain 2 deep with a trailing-slash route and the prefix only on include_router', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import APIRouter, FastAPI

        items = APIRouter()

        @items.get("/")
        def list_items():
            return []

        @items.post("/{item_id}/archive")
        def archive(item_id: int):
            return None

        app = FastAPI()
        app.include_router(items, prefix="/items")
      `,
    },
    { 'main:app': ['GET /items/', 'POST /items/{item_id}/archive'] },
    { 'main:app': 'main.py' },
  );
});

test('one router included under several prefixes: repeated calls, a loop over a tuple, a dict and a list of pairs', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import FastAPI
        from routes import health, partners, status, users, items

        VERSIONS = ("/v1", "/v2")
        PARTNERS = {"acme": "Acme Corp", "globex": "Globex"}
        MODULES = [(users.router, "/users"), (items.router, "/items")]

        app = FastAPI()
        app.include_router(health.router)
        app.include_router(health.router, prefix="/internal")
        for version in VERSIONS:
            app.include_router(status.router, prefix=version)
        for slug in PARTNERS:
            app.include_router(partners.router, prefix=f"/partners/{slug}")
        for name, title in PARTNERS.items():
            app.include_router(partners.router, prefix="/legacy/" + name)
        for router, prefix in MODULES:
            app.include_router(router, prefix=prefix)
      `,
      'routes/__init__.py': '',
      'routes/health.py': py`
        from fastapi import APIRouter
        router = APIRouter()

        @router.get("/healthz")
        def healthz():
            return {"ok": True}
      `,
      'routes/status.py': py`
        from fastapi import APIRouter
        router = APIRouter()

        @router.get("/status")
        def status():
            return {}
      `,
      'routes/partners.py': py`
        from fastapi import APIRouter
        router = APIRouter()

        @router.get("/feed")
        def feed():
            return []
      `,
      'routes/users.py': py`
        from fastapi import APIRouter
        router = APIRouter()

        @router.get("/me")
        def me():
            return {}
      `,
      'routes/items.py': py`
        from fastapi import APIRouter
        router = APIRouter()

        @router.get("")
        def list_items():
            return []
      `,
    },
    {
      'main:app': [
        'GET /healthz',
        'GET /internal/healthz',
        'GET /v1/status',
        'GET /v2/status',
        'GET /partners/acme/feed',
        'GET /partners/globex/feed',
        'GET /legacy/acme/feed',
        'GET /legacy/globex/feed',
        'GET /users/me',
        'GET /items',
      ],
    },
    { 'main:app': 'main.py' },
  );
  const feed = result.routes.filter((r) => r.function === 'feed');
  assert.equal(feed.length, 4, 'one route fact per full path');
  assert.ok(
    feed.every((r) => r.file === 'routes/partners.py' && r.line === 5),
    'each copy points at the handler',
  );
});

test('includes inside helper functions called from the app factory resolve per call site', async (t) => {
  await expectServedRoutes(
    t,
    {
      'service/__init__.py': '',
      'service/app.py': py`
        from fastapi import FastAPI
        from service import orders, admin

        def _mount_api(app: FastAPI, prefix: str) -> None:
            app.include_router(orders.router, prefix=prefix + "/orders")

        def _register_routers(app):
            _mount_api(app, "/api")
            _mount_api(app, prefix="/internal/api")
            app.include_router(admin.build_router(), prefix="/admin")

        def create_app() -> FastAPI:
            application = FastAPI(title="Orders")
            _register_routers(application)
            return application

        app = create_app()
      `,
      'service/orders.py': py`
        from fastapi import APIRouter
        router = APIRouter()

        @router.get("")
        def list_orders():
            return []

        @router.get("/{order_id}")
        def read_order(order_id: int):
            return {}
      `,
      'service/admin.py': py`
        from fastapi import APIRouter

        def build_router() -> APIRouter:
            router = APIRouter()

            @router.get("/stats")
            def stats():
                return {}

            return router
      `,
    },
    {
      'service.app:app': [
        'GET /api/orders',
        'GET /api/orders/{order_id}',
        'GET /internal/api/orders',
        'GET /internal/api/orders/{order_id}',
        'GET /admin/stats',
      ],
    },
    { 'service.app:app': 'service/app.py' },
  );
});

test('one helper called for two apps: each app serves only what its own call added', async (t) => {
  const files = {
    'main.py': py`
      from fastapi import APIRouter, FastAPI

      shared = APIRouter()

      @shared.get("/ping")
      def ping():
          return "pong"

      def add_routes(target, prefix):
          target.include_router(shared, prefix=prefix)

      public_app = FastAPI()
      add_routes(public_app, "/public")

      admin_app = FastAPI()
      add_routes(admin_app, "/admin")
    `,
  };
  await expectServedRoutes(
    t,
    files,
    { 'main:public_app': ['GET /public/ping'], 'main:admin_app': ['GET /admin/ping'] },
    { 'main:public_app': 'main.py', 'main:admin_app': 'main.py' },
  );
});

test('an app factory nobody calls at import time (uvicorn --factory) is still analyzed', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import FastAPI
        from routes import router

        def create_app() -> FastAPI:
            app = FastAPI()
            app.include_router(router, prefix="/v1")

            @app.get("/health")
            def health():
                return {}

            return app
      `,
      'routes.py': py`
        from fastapi import APIRouter
        router = APIRouter(prefix="/things")

        @router.post("/")
        def create_thing():
            return {}
      `,
    },
    { 'main:create_app()': ['GET /health', 'POST /v1/things/'] },
    { 'main:create_app()': 'main.py' },
  );
  assert.equal(result.apps.length, 1);
  assert.equal(result.apps[0]!.factory, 'create_app');
  assert.equal(result.apps[0]!.variable, 'app');
});

test('before FastAPI 0.137, routes registered on a router after it was included are not served, and are named in a diagnostic', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'requirements.txt': 'fastapi==0.92.0\n',
      'main.py': py`
        from fastapi import APIRouter, FastAPI

        router = APIRouter()

        @router.get("/early")
        def early():
            return {}

        app = FastAPI()
        app.include_router(router, prefix="/v1")

        @router.get("/late")
        def late():
            return {}

        app.include_router(router, prefix="/v2")

        @router.get("/too-late")
        def too_late():
            return {}

        @app.get("/on-the-app")
        def on_the_app():
            return {}
      `,
    },
    { 'main:app': ['GET /v1/early', 'GET /v2/early', 'GET /v2/late', 'GET /on-the-app'] },
    { 'main:app': 'main.py' },
  );
  const notes = diagnosticsAt(result, 'main.py');
  assert.ok(
    notes.some((n) => n.startsWith('19: ') && /GET \/too-late/.test(n) && /after it was included/.test(n)),
    `a diagnostic for /too-late at its line; got ${JSON.stringify(notes)}`,
  );
  assert.ok(
    !notes.some((n) => /\/late\b/.test(n) && !/too-late/.test(n)),
    'no diagnostic for /late, which the second include serves',
  );
});

test('router.get(path)(fn) call form, stacked decorators and decorators FastAPI does not own', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'main.py': py`
        import functools
        from fastapi import APIRouter, FastAPI

        router = APIRouter(prefix="/r")

        def handler():
            return {}

        def logged(fn):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                return fn(*args, **kwargs)
            return wrapper

        router.get("/called")(handler)
        router.api_route("/called-many", methods=["PUT", "PATCH"])(handler)

        @router.get("/a")
        @router.post("/b")
        @router.put("/c")
        def stacked():
            return {}

        @router.get("/wrapped")
        @logged
        def wrapped():
            return {}

        app = FastAPI()
        app.include_router(router)
        app.delete("/app-called")(handler)
      `,
    },
    {
      'main:app': [
        'GET /r/called',
        'PUT /r/called-many',
        'PATCH /r/called-many',
        'GET /r/a',
        'POST /r/b',
        'PUT /r/c',
        'GET /r/wrapped',
        'DELETE /app-called',
      ],
    },
    { 'main:app': 'main.py' },
  );
  const stacked = result.routes.filter((r) => r.function === 'stacked');
  assert.deepEqual(stacked.map((r) => r.method).sort(), ['GET', 'POST', 'PUT']);
  const called = result.routes.find((r) => r.path === '/r/called');
  assert.equal(called?.function, 'handler');
  assert.equal(called?.registration.kind, 'call');
});

test('api_route(methods=[...]), add_api_route and their GET default', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import APIRouter, FastAPI

        WRITE_METHODS = ["POST", "PUT"]
        router = APIRouter()

        @router.api_route("/search", methods=["GET", "POST"])
        def search():
            return []

        @router.api_route("/default")
        def default_method():
            return {}

        @router.api_route("/lower", methods={"delete"})
        def lower():
            return {}

        def upsert():
            return {}

        def export():
            return {}

        router.add_api_route("/upsert", upsert, methods=WRITE_METHODS)
        router.add_api_route("/export", endpoint=export)

        app = FastAPI()
        app.include_router(router, prefix="/api")
        app.add_api_route("/direct", export, methods=["PATCH"])
      `,
    },
    {
      'main:app': [
        'GET /api/search',
        'POST /api/search',
        'GET /api/default',
        'DELETE /api/lower',
        'POST /api/upsert',
        'PUT /api/upsert',
        'GET /api/export',
        'PATCH /direct',
      ],
    },
    { 'main:app': 'main.py' },
  );
});

test('websocket routes: decorator, add_api_websocket_route, under router and include prefixes', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import APIRouter, FastAPI, WebSocket

        rooms = APIRouter(prefix="/rooms")

        @rooms.websocket("/{room}/ws")
        async def room_socket(websocket: WebSocket, room: str):
            await websocket.accept()

        async def feed(websocket: WebSocket):
            await websocket.accept()

        rooms.add_api_websocket_route("/feed", feed)

        app = FastAPI()
        app.include_router(rooms, prefix="/live")

        @app.websocket("/ws")
        async def lobby(websocket: WebSocket):
            await websocket.accept()
      `,
    },
    { 'main:app': ['WEBSOCKET /live/rooms/{room}/ws', 'WEBSOCKET /live/rooms/feed', 'WEBSOCKET /ws'] },
    { 'main:app': 'main.py' },
  );
});

test('mounted sub-apps serve under the mount path, nested mounts add up, later routes on a mounted app are served', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import FastAPI
        from fastapi.staticfiles import StaticFiles
        from v2 import v2_app

        app = FastAPI()

        @app.get("/")
        def index():
            return {}

        app.mount("/v2", v2_app)
        app.mount("/static", StaticFiles(directory="."), name="static")
      `,
      'v2.py': py`
        from fastapi import APIRouter, FastAPI
        from admin import admin_app

        v2_app = FastAPI()
        router = APIRouter(prefix="/things")

        @router.get("")
        def things():
            return []

        v2_app.include_router(router)
        v2_app.mount("/admin", admin_app)

        @v2_app.get("/late")
        def late():
            return {}
      `,
      'admin.py': py`
        from fastapi import FastAPI

        admin_app = FastAPI()

        @admin_app.get("/stats")
        def stats():
            return {}
      `,
    },
    { 'main:app': ['GET /', 'GET /v2/things', 'GET /v2/late', 'GET /v2/admin/stats'] },
    { 'main:app': 'main.py' },
  );
  const v2 = result.apps.find((a) => a.file === 'v2.py');
  assert.deepEqual(v2?.mountedAt, [{ app: { file: 'main.py', line: 5 }, path: '/v2' }]);
  const admin = result.apps.find((a) => a.file === 'admin.py');
  assert.deepEqual(
    admin?.mountedAt.map((m) => m.path),
    ['/admin'],
  );
  assert.equal(
    result.routes.find((r) => r.path === '/v2/admin/stats')?.app.file,
    'admin.py',
    'a mounted app serves its own routes',
  );
});

test('several apps in one repository are all listed, each with its own routes', async (t) => {
  const result = await analyzeSources(t, {
    'api/main.py': py`
      from fastapi import FastAPI
      app = FastAPI()

      @app.get("/api")
      def api():
          return {}
    `,
    'worker/health.py': py`
      import fastapi
      health_app = fastapi.FastAPI()

      @health_app.get("/healthz")
      def healthz():
          return {}
    `,
  });
  assert.deepEqual(result.apps.map((a) => `${a.file} ${a.variable}`).sort(), [
    'api/main.py app',
    'worker/health.py health_app',
  ]);
  assert.deepEqual(routeKeys(result.routes.filter((r) => r.app.file === 'worker/health.py')), ['GET /healthz']);
  assert.deepEqual(routeKeys(result.routes.filter((r) => r.app.file === 'api/main.py')), ['GET /api']);
});

test('dependencies: signature, decorator dependencies=, router and include site', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      from fastapi import APIRouter, Depends, FastAPI

      def get_db(): ...
      def verify_token(): ...
      def audit(): ...
      def rate_limit(): ...

      router = APIRouter(dependencies=[Depends(verify_token)])

      @router.post("/items", dependencies=[Depends(rate_limit)])
      def create_item(db=Depends(get_db)):
          return {}

      app = FastAPI()
      app.include_router(router, dependencies=[Depends(audit)])
    `,
  });
  const route = result.routes.find((r) => r.path === '/items');
  assert.ok(route);
  assert.deepEqual([...route.dependencies].sort(), ['audit', 'get_db', 'rate_limit', 'verify_token']);
  const bySource = Object.fromEntries(route.dependencyDetails.map((d) => [d.name, d.source]));
  assert.deepEqual(bySource, {
    audit: 'include',
    get_db: 'signature',
    rate_limit: 'decorator',
    verify_token: 'router',
  });
  assert.equal(route.registration.hasDependenciesArgument, true);
});

test("FastAPI's Bigger Applications layout: app dependencies, include-site dependencies and responses", async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'app/__init__.py': '',
      'app/dependencies.py': py`
        from fastapi import Header, HTTPException

        async def get_token_header(x_token: str = Header()):
            if x_token != "fake-super-secret-token":
                raise HTTPException(status_code=400, detail="X-Token header invalid")

        async def get_query_token(token: str):
            if token != "jessica":
                raise HTTPException(status_code=400, detail="No Jessica token provided")
      `,
      'app/main.py': py`
        from fastapi import Depends, FastAPI

        from .dependencies import get_query_token, get_token_header
        from .internal import admin
        from .routers import items, users

        app = FastAPI(dependencies=[Depends(get_query_token)])

        app.include_router(users.router)
        app.include_router(items.router)
        app.include_router(
            admin.router,
            prefix="/admin",
            tags=["admin"],
            dependencies=[Depends(get_token_header)],
            responses={418: {"description": "I'm a teapot"}},
        )

        @app.get("/")
        async def root():
            return {"message": "Hello Bigger Applications!"}
      `,
      'app/internal/__init__.py': '',
      'app/internal/admin.py': py`
        from fastapi import APIRouter

        router = APIRouter()

        @router.post("/")
        async def update_admin():
            return {"message": "Admin getting schwifty"}
      `,
      'app/routers/__init__.py': '',
      'app/routers/items.py': py`
        from fastapi import APIRouter, Depends, HTTPException

        from ..dependencies import get_token_header

        router = APIRouter(
            prefix="/items",
            tags=["items"],
            dependencies=[Depends(get_token_header)],
            responses={404: {"description": "Not found"}},
        )

        @router.get("/")
        async def read_items():
            return {}

        @router.get("/{item_id}")
        async def read_item(item_id: str):
            return {}

        @router.put("/{item_id}", tags=["custom"], responses={403: {"description": "Operation forbidden"}})
        async def update_item(item_id: str):
            return {}
      `,
      'app/routers/users.py': py`
        from fastapi import APIRouter

        router = APIRouter()

        @router.get("/users/", tags=["users"])
        async def read_users():
            return []

        @router.get("/users/me", tags=["users"])
        async def read_user_me():
            return {}

        @router.get("/users/{username}", tags=["users"])
        async def read_user(username: str):
            return {}
      `,
    },
    {
      'app.main:app': [
        'GET /',
        'GET /users/',
        'GET /users/me',
        'GET /users/{username}',
        'GET /items/',
        'GET /items/{item_id}',
        'PUT /items/{item_id}',
        'POST /admin/',
      ],
    },
    { 'app.main:app': 'app/main.py' },
  );
  const deps = (path: string, method = 'GET'): string[] =>
    [...(result.routes.find((r) => r.path === path && r.method === method)?.dependencies ?? [])].sort();
  assert.deepEqual(deps('/'), ['get_query_token']);
  assert.deepEqual(deps('/items/{item_id}', 'PUT'), ['get_query_token', 'get_token_header']);
  assert.deepEqual(deps('/admin/', 'POST'), ['get_query_token', 'get_token_header']);
  assert.deepEqual(deps('/users/me'), ['get_query_token']);
});

test('a route decorator on a router the analysis cannot follow is named in a diagnostic, not dropped silently', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      import importlib
      from fastapi import FastAPI

      router = importlib.import_module("plugins.api").router
      app = FastAPI()

      @router.post("/plugin-action")
      def plugin_action():
          return {}

      @app.get("/known")
      def known():
          return {}
    `,
  });
  assert.deepEqual(routeKeys(result.routes), ['GET /known']);
  const notes = diagnosticsAt(result, 'main.py');
  assert.ok(
    notes.some((n) => n.startsWith('7: ') && /could not resolve `router`/.test(n) && /plugin_action/.test(n)),
    JSON.stringify(notes),
  );
});
