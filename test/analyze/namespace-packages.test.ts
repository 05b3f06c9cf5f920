/**
 * Python's import rules in full (PRODUCT.md §2): a folder without `__init__.py` is a namespace package
 * (PEP 420) and imports like any package, at the top level and inside a regular package. Module names,
 * and so the runtime's location, are those of the folder the app is started from.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { planRuntimeLocation } from '../../src/generate/runtime-location.js';
import { analyzeSources, expectServedRoutes, py } from './helpers.js';

const ITEMS = py`
  from fastapi import APIRouter

  router = APIRouter(prefix="/items")

  @router.get("")
  def list_items():
      return []
`;

const BILLING = py`
  from fastapi import APIRouter

  router = APIRouter(prefix="/billing")

  @router.post("/checkout")
  def checkout():
      return {}
`;

test('namespace packages inside a regular package: app/api/ and app/billing/ without __init__.py under app/__init__.py', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'app/__init__.py': '',
      'app/main.py': py`
        from fastapi import FastAPI

        from app.api.routes import items
        from app.billing import routes as billing_routes

        app = FastAPI()
        app.include_router(items.router, prefix="/api")
        app.include_router(billing_routes.router)
      `,
      'app/api/routes/__init__.py': '',
      'app/api/routes/items.py': ITEMS,
      'app/billing/routes.py': BILLING,
    },
    { 'app.main:app': ['GET /api/items', 'POST /billing/checkout'] },
    { 'app.main:app': 'app/main.py' },
  );
  assert.deepEqual(result.sourceRoots, [{ path: '', packages: ['app'] }]);
  assert.deepEqual(
    result.apps.map((a) => a.module),
    ['app.main'],
  );
  assert.deepEqual(planRuntimeLocation(result), { dir: 'app/skene', module: 'app.skene' });
});

test('a top-level namespace package holding regular packages: app/ without __init__.py, app/api/ with one', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'app/main.py': py`
        from fastapi import FastAPI

        from app.api import items
        import app.billing.routes

        billing = app.billing.routes
        app = FastAPI()
        app.include_router(items.router)
        app.include_router(billing.router)
      `,
      'app/api/__init__.py': '',
      'app/api/items.py': ITEMS,
      'app/billing/__init__.py': '',
      'app/billing/routes.py': BILLING,
    },
    { 'app.main:app': ['GET /items', 'POST /billing/checkout'] },
    { 'app.main:app': 'app/main.py' },
  );
  assert.deepEqual(
    result.sourceRoots.map((r) => r.path),
    [''],
  );
  assert.deepEqual(
    result.apps.map((a) => a.module),
    ['app.main'],
  );
  assert.deepEqual(planRuntimeLocation(result), { dir: 'app/skene', module: 'app.skene' });
});

test('a namespace package with only plain modules, run from the repository root (uvicorn app.main:app)', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'app/main.py': py`
        from fastapi import FastAPI
        from app.routers import items

        app = FastAPI()
        app.include_router(items.router)
      `,
      'app/routers/items.py': ITEMS,
    },
    { 'app.main:app': ['GET /items'] },
    { 'app.main:app': 'app/main.py' },
  );
  assert.deepEqual(
    result.apps.map((a) => a.module),
    ['app.main'],
  );
  assert.deepEqual(planRuntimeLocation(result), { dir: 'app/skene', module: 'app.skene' });
});

test('a folder whose modules import each other by bare names is where the app is started: it is the root', async (t) => {
  const result = await analyzeSources(t, {
    'service/main.py': py`
      from fastapi import FastAPI
      from routers import items

      app = FastAPI()
      app.include_router(items.router)
    `,
    'service/routers/items.py': ITEMS,
    'scripts/seed.py': 'print("seed")\n',
  });
  assert.deepEqual(
    result.apps.map((a) => a.module),
    ['main'],
  );
  assert.ok(
    result.sourceRoots.some((r) => r.path === 'service'),
    JSON.stringify(result.sourceRoots),
  );
  assert.deepEqual(planRuntimeLocation(result), { dir: 'service/skene_runtime', module: 'skene_runtime' });
});
