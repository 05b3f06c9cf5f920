/**
 * Imports in all their forms, resolved across modules the way Python does, and the source roots a
 * repository's absolute imports resolve from.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { analyzeSources, expectServedRoutes, py, routeKeys } from './helpers.js';

const itemsRouter = py`
  from fastapi import APIRouter
  router = APIRouter(prefix="/items")

  @router.get("")
  def list_items():
      return []
`;
const usersRouter = py`
  from fastapi import APIRouter
  router = APIRouter(prefix="/users")

  @router.get("/me")
  def me():
      return {}
`;

test('from .routes import router as items_router, from package import module, import a.b as c, import a.b.c', async (t) => {
  await expectServedRoutes(
    t,
    {
      'shop/__init__.py': '',
      'shop/main.py': py`
        from fastapi import FastAPI
        from .routes.items import router as items_router
        from shop.routes import users
        import shop.routes.orders as orders_module
        import shop.routes.admin
        from . import routes

        app = FastAPI()
        app.include_router(items_router, prefix="/a")
        app.include_router(users.router, prefix="/b")
        app.include_router(orders_module.router, prefix="/c")
        app.include_router(shop.routes.admin.router, prefix="/d")
        app.include_router(routes.items.router, prefix="/e")
      `,
      'shop/routes/__init__.py': '',
      'shop/routes/items.py': itemsRouter,
      'shop/routes/users.py': usersRouter,
      'shop/routes/orders.py': py`
        from fastapi import APIRouter
        router = APIRouter()

        @router.post("/orders")
        def create_order():
            return {}
      `,
      'shop/routes/admin.py': py`
        from fastapi import APIRouter
        router = APIRouter()

        @router.get("/stats")
        def stats():
            return {}
      `,
    },
    { 'shop.main:app': ['GET /a/items', 'GET /b/users/me', 'POST /c/orders', 'GET /d/stats', 'GET /e/items'] },
    { 'shop.main:app': 'shop/main.py' },
  );
});

test('re-exports through a package __init__, relative imports two levels up, and star imports', async (t) => {
  await expectServedRoutes(
    t,
    {
      'app/__init__.py': '',
      'app/main.py': py`
        from fastapi import FastAPI
        from app.api import api_router
        from app.api.routes import *

        app = FastAPI()
        app.include_router(api_router)
        app.include_router(users_router, prefix="/star")
      `,
      'app/api/__init__.py': py`
        from .router import api_router
      `,
      'app/api/router.py': py`
        from fastapi import APIRouter
        from .routes import items_router, users_router

        api_router = APIRouter(prefix="/api")
        api_router.include_router(items_router)
        api_router.include_router(users_router)
      `,
      'app/api/routes/__init__.py': py`
        from .items import router as items_router
        from .users import router as users_router

        __all__ = ["items_router", "users_router"]
      `,
      'app/api/routes/items.py': itemsRouter,
      'app/api/routes/users.py': py`
        from fastapi import APIRouter, Depends
        from ...deps import get_current_user

        router = APIRouter(prefix="/users")

        @router.get("/me")
        def me(user=Depends(get_current_user)):
            return user
      `,
      'app/deps.py': py`
        def get_current_user():
            return {"id": 1}
      `,
    },
    { 'app.main:app': ['GET /api/items', 'GET /api/users/me', 'GET /star/users/me'] },
    { 'app.main:app': 'app/main.py' },
  );
});

test('a repository root with the code in backend/: absolute imports resolve from backend/', async (t) => {
  const result = await analyzeSources(t, {
    'README.md': '# project',
    'frontend/package.json': '{}',
    'backend/pyproject.toml': '[project]\nname = "api"\n',
    'backend/app/__init__.py': '',
    'backend/app/main.py': py`
      from fastapi import FastAPI
      from app.api.routes import items

      app = FastAPI()
      app.include_router(items.router, prefix="/api/v1")
    `,
    'backend/app/api/__init__.py': '',
    'backend/app/api/routes/__init__.py': '',
    'backend/app/api/routes/items.py': itemsRouter,
    'backend/tests/test_items.py': py`
      from app.main import app
    `,
  });
  assert.deepEqual(routeKeys(result.routes), ['GET /api/v1/items']);
  assert.ok(
    result.sourceRoots.some((r) => r.path === 'backend' && r.packages.includes('app')),
    JSON.stringify(result.sourceRoots),
  );
  assert.equal(result.apps[0]?.module, 'app.main');
  assert.equal(result.routes[0]?.file, 'backend/app/api/routes/items.py', 'paths in output are relative to DIR');
});

test('a src/ layout package with relative imports', async (t) => {
  const result = await analyzeSources(t, {
    'pyproject.toml': '[project]\nname = "taskflow"\n',
    'src/taskflow/__init__.py': '',
    'src/taskflow/main.py': py`
      from fastapi import FastAPI
      from .tasks import routes as task_routes

      app = FastAPI()
      app.include_router(task_routes.router)
    `,
    'src/taskflow/tasks/__init__.py': '',
    'src/taskflow/tasks/routes.py': py`
      from fastapi import APIRouter
      from ..constants import TASKS_PREFIX

      router = APIRouter(prefix=TASKS_PREFIX)

      @router.get("/{task_id}")
      def read_task(task_id: int):
          return {}
    `,
    'src/taskflow/constants.py': 'TASKS_PREFIX = "/tasks"\n',
  });
  assert.deepEqual(routeKeys(result.routes), ['GET /tasks/{task_id}']);
  assert.ok(
    result.sourceRoots.some((r) => r.path === 'src' && r.packages.includes('taskflow')),
    JSON.stringify(result.sourceRoots),
  );
});

test('plain modules beside main.py (no __init__.py) import each other like a script directory', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import FastAPI
        from routers import items
        import settings

        app = FastAPI()
        app.include_router(items.router, prefix=settings.PREFIX)
      `,
      'settings.py': 'PREFIX = "/v1"\n',
      'routers/items.py': itemsRouter,
    },
    { 'main:app': ['GET /v1/items'] },
    { 'main:app': 'main.py' },
  );
});

test('an import cycle does not hang and keeps what each module defined before the cycle', async (t) => {
  const result = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/main.py': py`
      from fastapi import FastAPI
      app = FastAPI()
      from app import routes
      app.include_router(routes.router)
    `,
    'app/routes.py': py`
      from fastapi import APIRouter
      from app.main import app as main_app

      router = APIRouter()

      @router.get("/cycle")
      def cycle():
          return {}
    `,
  });
  assert.deepEqual(routeKeys(result.routes), ['GET /cycle']);
});

test('imports run modules: routes registered on a shared router by an imported module are served', async (t) => {
  await expectServedRoutes(
    t,
    {
      'api/__init__.py': py`
        from fastapi import APIRouter
        router = APIRouter(prefix="/api")
      `,
      'api/endpoints/__init__.py': '',
      'api/endpoints/items.py': py`
        from api import router

        @router.get("/items")
        def items():
            return []
      `,
      'api/endpoints/users.py': py`
        from api import router

        @router.get("/users")
        def users():
            return []
      `,
      'main.py': py`
        from fastapi import FastAPI
        import api.endpoints.items  # noqa: F401  (registers its routes)
        from api.endpoints import users  # noqa: F401
        from api import router

        app = FastAPI()
        app.include_router(router)
      `,
    },
    { 'main:app': ['GET /api/items', 'GET /api/users'] },
    { 'main:app': 'main.py' },
  );
});

test('a repository root with a server/ folder of plain modules run from inside it, and a second service beside it', async (t) => {
  const result = await analyzeSources(t, {
    'server/main.py': py`
      from fastapi import FastAPI
      from routers import items
      from core.config import PREFIX

      app = FastAPI()
      app.include_router(items.router, prefix=PREFIX)
    `,
    'server/routers/__init__.py': '',
    'server/routers/items.py': itemsRouter,
    'server/core/__init__.py': '',
    'server/core/config.py': 'PREFIX = "/api"\n',
    'services/billing/pyproject.toml': '[project]\nname = "billing"\n',
    'services/billing/billing_service/__init__.py': '',
    'services/billing/billing_service/app.py': py`
      from fastapi import FastAPI
      from billing_service.routes import router

      app = FastAPI()
      app.include_router(router)
    `,
    'services/billing/billing_service/routes.py': py`
      from fastapi import APIRouter
      router = APIRouter(prefix="/billing")

      @router.post("/checkout")
      def checkout():
          return {}
    `,
  });
  assert.deepEqual(routeKeys(result.routes), ['GET /api/items', 'POST /billing/checkout']);
  assert.deepEqual(result.apps.map((a) => a.module).sort(), ['billing_service.app', 'main']);
});
