/**
 * Values Python reads off FastAPI objects, and one app built in either branch of an `if`.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { expectServedRoutes, py } from './helpers.js';

test("paths built from the app's own attributes: swagger_ui_oauth2_redirect_url, docs_url, openapi_url, a router's prefix", async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import APIRouter, FastAPI

        app = FastAPI(docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
        admin = APIRouter(prefix="/admin")

        @app.get(app.swagger_ui_oauth2_redirect_url, include_in_schema=False)
        async def swagger_ui_redirect():
            return {}

        @app.get("/docs", include_in_schema=False)
        async def custom_docs():
            return {"openapi": app.openapi_url}

        @app.get(app.openapi_url + "/raw")
        async def raw_schema():
            return {}

        @app.get(admin.prefix + "/overview")
        async def overview():
            return {}
      `,
    },
    { 'main:app': ['GET /docs/oauth2-redirect', 'GET /docs', 'GET /api/openapi.json/raw', 'GET /admin/overview'] },
    { 'main:app': 'main.py' },
  );
});

test('one app created in both branches of an if is one app', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'main.py': py`
        import os

        from fastapi import FastAPI

        if os.getenv("ENVIRONMENT") == "production":
            app = FastAPI(openapi_url=None)
        else:
            app = FastAPI(title="dev")

        @app.get("/status")
        def status():
            return {}
      `,
    },
    { 'main:app': ['GET /status'] },
    { 'main:app': 'main.py' },
  );
  assert.equal(result.apps.length, 1, JSON.stringify(result.apps));
});
