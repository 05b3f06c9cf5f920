/**
 * Routes registered at start-up (PRODUCT.md §2): FastAPI runs the app's lifespan, or its start-up handlers,
 * before it serves; what they register counts. FastAPI's own table is read after the start-up ran.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { pythonLanes, runLanePython } from '../helpers/python-lanes.js';
import { diagnosticsAt, expectServedRoutes, py, routesOfApp, writeProject } from './helpers.js';

const PLUGIN = py`
  from fastapi import APIRouter

  router = APIRouter(prefix="/plugin")

  @router.get("/status")
  def plugin_status():
      return {}

  def register(srv):
      srv.add_api_route("/registered", plugin_status, methods=["POST"])
      srv.include_router(router, prefix="/ext")
`;

test('the lifespan runs with the app: what it and the helpers it calls with the app register is served', async (t) => {
  await expectServedRoutes(
    t,
    {
      'requirements.txt': 'fastapi>=0.93\n',
      'main.py': py`
        from contextlib import asynccontextmanager

        from fastapi import FastAPI

        import plugin

        @asynccontextmanager
        async def lifespan(application: FastAPI):
            plugin.register(application)
            yield
            application.state.ready = False

        app = FastAPI(lifespan=lifespan)

        @app.get("/")
        def index():
            return {}
      `,
      'plugin.py': PLUGIN,
    },
    { 'main:app': ['GET /', 'GET /ext/plugin/status', 'POST /registered'] },
    { 'main:app': 'main.py' },
  );
});

test('on_startup=[...], @app.on_event("startup") and add_event_handler("startup", ...) run at start-up', async (t) => {
  const result = await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import FastAPI

        import plugin

        def load_plugins():
            plugin.register(app)

        app = FastAPI(on_startup=[load_plugins])

        @app.on_event("startup")
        def add_health():
            app.add_api_route("/health", plugin.plugin_status)

        @app.on_event("shutdown")
        def never_served():
            app.add_api_route("/shutdown-only", plugin.plugin_status)

        def add_version():
            app.add_api_route("/version", plugin.plugin_status)

        # Starlette 1.0 keeps add_event_handler on the router only.
        app.router.add_event_handler("startup", add_version)
      `,
      'plugin.py': PLUGIN,
    },
    { 'main:app': ['GET /ext/plugin/status', 'POST /registered', 'GET /health', 'GET /version'] },
    { 'main:app': 'main.py' },
  );
  assert.deepEqual(diagnosticsAt(result, 'plugin.py'), []);
});

test('start-up handlers of an included router run with the app', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import APIRouter, FastAPI

        def add_late():
            app.add_api_route("/late", lambda: {})

        admin = APIRouter(on_startup=[add_late])

        @admin.get("/admin")
        def admin_home():
            return {}

        app = FastAPI()
        app.include_router(admin)
      `,
    },
    { 'main:app': ['GET /admin', 'GET /late'] },
    { 'main:app': 'main.py' },
  );
});

const ROUTER_WITH_LIFESPAN = py`
  from contextlib import asynccontextmanager

  from fastapi import APIRouter, FastAPI

  @asynccontextmanager
  async def plugin_lifespan(app: FastAPI):
      app.add_api_route("/plugin/ready", lambda: {"ready": True}, methods=["GET"])
      yield

  router = APIRouter(prefix="/plugin", lifespan=plugin_lifespan)

  @router.get("/status")
  def status():
      return {}

  app = FastAPI()
  app.include_router(router)
`;

test("an included router's own lifespan runs with the app's from FastAPI 0.112.2: what it registers is served", async (t) => {
  await expectServedRoutes(
    t,
    { 'requirements.txt': 'fastapi>=0.115\n', 'main.py': ROUTER_WITH_LIFESPAN },
    { 'main:app': ['GET /plugin/ready', 'GET /plugin/status'] },
    { 'main:app': 'main.py' },
  );
});

test("before FastAPI 0.112.2 an included router's lifespan never runs: its routes are not listed, and that is said", async (t) => {
  const root = writeProject(t, { 'requirements.txt': 'fastapi>=0.100,<0.112\n', 'main.py': ROUTER_WITH_LIFESPAN });
  const result = await analyzeProject(root);
  assert.deepEqual(routesOfApp(result, 'main.py', 'main:app'), ['GET /plugin/status']);
  assert.ok(
    diagnosticsAt(result, 'main.py').some((message) => /APIRouter\(lifespan=\.\.\.\) is not run/.test(message)),
    JSON.stringify(result.diagnostics),
  );
});

const STARLETTE_SHORTCUTS = py`
  from fastapi import FastAPI
  from starlette.responses import PlainTextResponse

  app = FastAPI()

  @app.route("/legacy")
  async def legacy(request):
      return PlainTextResponse("old style")

  @app.get("/items")
  def items():
      return []
`;

test('app.route(...) on Starlette < 1.0 serves the route with HEAD, as FastAPI 0.92 does', async (t) => {
  await expectServedRoutes(
    t,
    { 'requirements.txt': 'fastapi==0.92.0\n', 'main.py': STARLETTE_SHORTCUTS },
    { 'main:app': ['GET /items', 'GET /legacy', 'HEAD /legacy'] },
    { 'main:app': 'main.py' },
  );
});

test('app.route(...) on Starlette 1.x: the app does not import (checked on the sid lane); skene lists nothing of it and says why', async (t) => {
  const root = writeProject(t, { 'requirements.txt': 'fastapi>=0.135\n', 'main.py': STARLETTE_SHORTCUTS });
  const result = await analyzeProject(root);
  assert.deepEqual(routesOfApp(result, 'main.py', 'main:app'), ['GET /items']);
  const error = result.diagnostics.find((d) => d.file === 'main.py' && d.severity === 'error');
  assert.match(error?.message ?? '', /app\.route\(\.\.\.\) does not exist on Starlette 1\.x/);
  assert.equal(error?.line, 6);
  const sid = (await pythonLanes()).find((lane) => lane.name === 'sid');
  assert.ok(sid, 'the sid lane (scripts/sid-lane.sh ensure) runs FastAPI on Starlette 1.x');
  await assert.rejects(runLanePython(sid, ['-c', 'import main'], { cwd: root }), /AttributeError/);
});
