/**
 * Where path and prefix strings come from: literals, module constants (also imported), f-strings,
 * concatenations, class-attribute defaults of a settings object, and what happens when a value cannot be
 * known statically. Resolvable cases are checked against FastAPI too.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { analyzeSources, diagnosticsAt, expectServedRoutes, py, routeKeys } from './helpers.js';

test('module constants, imported constants, f-strings, + and implicit concatenation', async (t) => {
  await expectServedRoutes(
    t,
    {
      'constants.py': py`
        API_PREFIX = "/api"
        VERSION = "v1"
        ITEMS = "/items"
      `,
      'main.py': py`
        from fastapi import APIRouter, FastAPI
        from constants import API_PREFIX, VERSION
        import constants

        BASE = f"{API_PREFIX}/{VERSION}"
        router = APIRouter(prefix=constants.ITEMS)

        @router.get("/" "search")
        def search():
            return []

        @router.get(f"/{{item_id}}/{VERSION}")
        def read(item_id: int):
            return {}

        app = FastAPI()
        app.include_router(router, prefix=BASE + "/shop")
      `,
    },
    { 'main:app': ['GET /api/v1/shop/items/search', 'GET /api/v1/shop/items/{item_id}/v1'] },
    { 'main:app': 'main.py' },
  );
});

test('settings.API_V1_STR: class-attribute defaults of a settings object, through get_settings() and base classes', async (t) => {
  await expectServedRoutes(
    t,
    {
      'app/__init__.py': '',
      'app/core/__init__.py': '',
      'app/core/config.py': py`
        from functools import lru_cache

        class BaseConfig:
            API_PREFIX: str = "/api"

        class Settings(BaseConfig):
            PROJECT_NAME: str = "demo"
            API_V1_STR: str = "/api/v1"
            ADMIN_PREFIX = API_PREFIX_ADMIN = "/admin"

        settings = Settings()

        @lru_cache
        def get_settings() -> Settings:
            return Settings()
      `,
      'app/main.py': py`
        from fastapi import APIRouter, FastAPI
        from app.core.config import get_settings, settings
        from app.core import config

        router = APIRouter()

        @router.get("/ping")
        def ping():
            return "pong"

        app = FastAPI(title=settings.PROJECT_NAME)
        app.include_router(router, prefix=settings.API_V1_STR)
        app.include_router(router, prefix=get_settings().API_PREFIX + "/legacy")
        app.include_router(router, prefix=f"{config.settings.ADMIN_PREFIX}")
      `,
    },
    { 'app.main:app': ['GET /api/v1/ping', 'GET /api/legacy/ping', 'GET /admin/ping'] },
    { 'app.main:app': 'app/main.py' },
  );
});

test('pydantic Field(...) defaults and os.getenv defaults give the path FastAPI serves without the variable set', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'main.py': py`
        import os
        from fastapi import APIRouter, FastAPI
        from pydantic import BaseModel, Field

        class Settings(BaseModel):
            api_prefix: str = Field("/api", description="where the API lives")
            admin_prefix: str = Field(default="/admin")

        settings = Settings()
        DATABASE_URL = os.getenv("DATABASE_URL", "sqlite:///app.db")
        router = APIRouter()

        @router.get("/ping")
        def ping():
            return "pong"

        app = FastAPI()
        app.include_router(router, prefix=settings.api_prefix)
        app.include_router(router, prefix=settings.admin_prefix)
        app.include_router(router, prefix=os.getenv("SKENE_TEST_PUBLIC_PREFIX", "/public"))
        app.include_router(router, prefix=os.environ.get("SKENE_TEST_OTHER_PREFIX", "/other"))
      `,
    },
    { 'main:app': ['GET /admin/ping', 'GET /api/ping', 'GET /other/ping', 'GET /public/ping'] },
    { 'main:app': 'main.py' },
  );
  const notes = diagnosticsAt(result, 'main.py');
  assert.ok(
    notes.some((n) => /^20: SKENE_TEST_PUBLIC_PREFIX is read from the environment/.test(n)),
    `the env-dependent prefix is noted; got ${JSON.stringify(notes)}`,
  );
  assert.ok(!notes.some((n) => /DATABASE_URL/.test(n)), 'environment reads that are not in a path are not noted');
});

test('an unresolvable prefix keeps the route, marks it unresolved and names file:line in a diagnostic', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      import os
      from fastapi import APIRouter, FastAPI
      from plugins import compute_prefix

      router = APIRouter(prefix=compute_prefix("items"))

      @router.get("/list")
      def list_items():
          return []

      app = FastAPI()
      app.include_router(router, prefix=os.environ["API_ROOT"])

      @app.get(os.environ["HEALTH_PATH"])
      def health():
          return {}
    `,
  });
  const route = result.routes.find((r) => r.function === 'list_items');
  assert.ok(route, 'the route is kept');
  assert.equal(route.unresolved, true);
  assert.equal(route.path, '<os.environ["API_ROOT"]><compute_prefix("items")>/list');
  const health = result.routes.find((r) => r.function === 'health');
  assert.equal(health?.unresolved, true);
  const notes = diagnosticsAt(result, 'main.py');
  for (const [line, text] of [
    [5, 'compute_prefix("items")'],
    [12, 'os.environ["API_ROOT"]'],
    [14, 'os.environ["HEALTH_PATH"]'],
  ] as const) {
    assert.ok(
      notes.some((n) => n.startsWith(`${line}: `) && n.includes(text)),
      `diagnostic at line ${line} for ${text}; got ${JSON.stringify(notes)}`,
    );
  }
});

test('routes declared in a loop, in if/try blocks, and with annotated assignments', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import APIRouter, FastAPI

        FEATURE_FLAG = True
        router: APIRouter = APIRouter(prefix="/r")

        for name in ("alpha", "beta"):
            @router.get(f"/{name}")
            def handler():
                return {}

        if FEATURE_FLAG:
            @router.post("/flagged")
            def flagged():
                return {}

        try:
            import orjson  # noqa: F401
        except ImportError:
            pass
        finally:
            @router.get("/finally")
            def after():
                return {}

        app: FastAPI = FastAPI()
        app.include_router(router)
      `,
    },
    { 'main:app': ['GET /r/alpha', 'GET /r/beta', 'POST /r/flagged', 'GET /r/finally'] },
    { 'main:app': 'main.py' },
  );
});

test('custom APIRouter subclasses and routes declared in a class body are served', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import APIRouter, FastAPI

        class VersionedRouter(APIRouter):
            pass

        class AuditedRouter(VersionedRouter):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

        plain = VersionedRouter(prefix="/v")
        audited = AuditedRouter()

        @plain.get("/x")
        def x():
            return {}

        @audited.get("/y")
        def y():
            return {}

        class ItemViews:
            @plain.get("/items")
            def list_items():
                return []

        app = FastAPI()
        app.include_router(plain)
        app.include_router(audited, prefix="/a")
      `,
    },
    { 'main:app': ['GET /v/x', 'GET /v/items', 'GET /a/y'] },
    { 'main:app': 'main.py' },
  );
});

test("Starlette's app.route and add_route serve GET and HEAD", async (t) => {
  await expectServedRoutes(
    t,
    {
      // Starlette 1.0 removed app.route: the app imports only with the older stack.
      'requirements.txt': 'fastapi==0.92.0\n',
      'main.py': py`
        from fastapi import FastAPI
        from starlette.responses import PlainTextResponse

        app = FastAPI()

        async def legacy(request):
            return PlainTextResponse("ok")

        app.add_route("/legacy", legacy)
        app.add_route("/legacy-post", legacy, methods=["POST"])

        @app.route("/old")
        async def old(request):
            return PlainTextResponse("ok")
      `,
    },
    { 'main:app': ['GET /legacy', 'HEAD /legacy', 'POST /legacy-post', 'GET /old', 'HEAD /old'] },
    { 'main:app': 'main.py' },
  );
});

test('a route path given by keyword, and a router passed by keyword to include_router', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      from fastapi import APIRouter, FastAPI
      router = APIRouter()

      @router.get(path="/by-keyword")
      def by_keyword():
          return {}

      app = FastAPI()
      app.include_router(router=router, prefix="/k")
    `,
  });
  assert.deepEqual(routeKeys(result.routes), ['GET /k/by-keyword']);
});

test('str methods on known strings: format, strip, join, replace, lower', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import APIRouter, FastAPI

        VERSION = "V2"
        BASE = "/api/"
        router = APIRouter()

        @router.get("/ping")
        def ping():
            return "pong"

        app = FastAPI()
        app.include_router(router, prefix="/api/{}".format(VERSION.lower()))
        app.include_router(router, prefix="/{name}/{v}".format(name="svc", v="x"))
        app.include_router(router, prefix=BASE.rstrip("/"))
        app.include_router(router, prefix="/".join(["", "a", "b"]))
        app.include_router(router, prefix="/old-api".replace("old", "new"))
        app.include_router(router, prefix="/v0/".removesuffix("/"))
      `,
    },
    {
      'main:app': [
        'GET /api/v2/ping',
        'GET /svc/x/ping',
        'GET /api/ping',
        'GET /a/b/ping',
        'GET /new-api/ping',
        'GET /v0/ping',
      ],
    },
    { 'main:app': 'main.py' },
  );
});

test('values returned by small helpers: get_settings() without an annotation, a function returning a router', async (t) => {
  await expectServedRoutes(
    t,
    {
      'config.py': py`
        class Settings:
            API_PREFIX = "/api"

        def get_settings():
            return Settings()
      `,
      'routes.py': py`
        from fastapi import APIRouter

        _v1 = APIRouter(prefix="/v1")

        @_v1.get("/items")
        def items():
            return []

        def get_v1_routes():
            return _v1
      `,
      'main.py': py`
        from fastapi import FastAPI
        from config import get_settings
        from routes import get_v1_routes

        settings = get_settings()
        app = FastAPI()
        app.include_router(get_v1_routes(), prefix=settings.API_PREFIX)
      `,
    },
    { 'main:app': ['GET /api/v1/items'] },
    { 'main:app': 'main.py' },
  );
});
