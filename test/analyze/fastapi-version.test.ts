/**
 * FastAPI's semantics by version (PRODUCT.md §2): the declared version is read from the file nearest the
 * app, and the route table follows the newest version it allows. Route tables are checked against FastAPI
 * itself on the lane(s) whose version the declaration allows.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buildAnalysisDocument } from '../../src/analyze/build-analysis-document.js';
import { fastapiSemanticsOf, fastapiSpecAllows } from '../../src/analyze/detect-fastapi-version.js';
import { analyzeSources, diagnosticsAt, expectServedRoutes, py } from './helpers.js';

test('fastapiSpecAllows reads PEP 440 specifiers, Poetry carets and tildes, and bare names', () => {
  const cases: Array<[string, string, boolean]> = [
    ['', '0.92.0', true],
    ['*', '0.162.0', true],
    ['==0.92.0', '0.92.0', true],
    ['==0.92.0', '0.92.1', false],
    ['!=0.92.0', '0.92.0', false],
    ['>=0.93,<0.137', '0.136.2', true],
    ['>=0.93,<0.137', '0.137.0', false],
    ['>0.92', '0.92.0', false],
    ['<=0.92', '0.92.0', true],
    ['~=0.95.0', '0.95.9', true],
    ['~=0.95.0', '0.96.0', false],
    ['~=0.95', '0.99.0', true],
    ['==0.95.*', '0.95.2', true],
    ['==0.95.*', '0.96.0', false],
    ['^0.110.1', '0.110.9', true],
    ['^0.110.1', '0.111.0', false],
    ['^1.2', '1.9.0', true],
    ['^1.2', '2.0.0', false],
    ['~0.95', '0.95.3', true],
    ['~0.95', '0.96.0', false],
    ['0.92.0', '0.92.0', true],
    ['0.92.0', '0.93.0', false],
    ['>= 0.100, < 1.0', '0.115.0', true],
    ['^0.92 || ^0.100', '0.100.3', true],
    ['^0.92 || ^0.100', '0.95.0', false],
  ];
  for (const [spec, version, allowed] of cases)
    assert.equal(fastapiSpecAllows(spec, version), allowed, `${JSON.stringify(spec)} allows ${version}`);
});

test('fastapiSemanticsOf: include keeps the router from 0.137, lifespan is honoured from 0.93', () => {
  assert.deepEqual(fastapiSemanticsOf('0.92.0'), {
    includeKeepsRouter: false,
    lifespanHonoured: false,
    routerLifespanMerged: false,
    starletteAppShortcuts: true,
  });
  assert.deepEqual(fastapiSemanticsOf('0.93.0'), {
    includeKeepsRouter: false,
    lifespanHonoured: true,
    routerLifespanMerged: false,
    starletteAppShortcuts: true,
  });
  assert.equal(fastapiSemanticsOf('0.112.1').routerLifespanMerged, false);
  assert.equal(fastapiSemanticsOf('0.112.2').routerLifespanMerged, true);
  assert.deepEqual(fastapiSemanticsOf('0.136.1'), {
    includeKeepsRouter: false,
    lifespanHonoured: true,
    routerLifespanMerged: true,
    starletteAppShortcuts: false,
  });
  assert.deepEqual(fastapiSemanticsOf('0.137.0'), {
    includeKeepsRouter: true,
    lifespanHonoured: true,
    routerLifespanMerged: true,
    starletteAppShortcuts: false,
  });
  assert.deepEqual(fastapiSemanticsOf('0.162.0'), {
    includeKeepsRouter: true,
    lifespanHonoured: true,
    routerLifespanMerged: true,
    starletteAppShortcuts: false,
  });
  assert.equal(fastapiSemanticsOf('0.132.9').starletteAppShortcuts, true);
});

const APP = py`
  from fastapi import FastAPI

  app = FastAPI()

  @app.get("/ping")
  def ping():
      return {}
`;

test('the declaration is read from requirements, pyproject (PEP 621 and Poetry) and lock files', async (t) => {
  const declared = async (files: Record<string, string>): Promise<unknown> => {
    const result = await analyzeSources(t, { 'main.py': APP, ...files });
    return { declared: result.fastapi.declared, semantics: result.fastapi.semantics, assumed: result.fastapi.assumed };
  };
  assert.deepEqual(
    await declared({
      'requirements.txt': '# web\nuvicorn[standard]==0.20\nFastAPI[all] == 0.92.0 ; python_version >= "3.8"\n',
    }),
    {
      declared: { spec: '== 0.92.0', file: 'requirements.txt' },
      semantics: {
        includeKeepsRouter: false,
        lifespanHonoured: false,
        routerLifespanMerged: false,
        starletteAppShortcuts: true,
      },
      assumed: false,
    },
  );
  assert.deepEqual(
    await declared({ 'pyproject.toml': '[project]\nname = "x"\ndependencies = ["httpx", "fastapi>=0.95,<0.100"]\n' }),
    {
      declared: { spec: '>=0.95,<0.100', file: 'pyproject.toml' },
      semantics: {
        includeKeepsRouter: false,
        lifespanHonoured: true,
        routerLifespanMerged: false,
        starletteAppShortcuts: true,
      },
      assumed: false,
    },
  );
  assert.deepEqual(
    await declared({
      'pyproject.toml':
        '[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = { version = "^0.110.0", extras = ["all"] }\n',
    }),
    {
      declared: { spec: '^0.110.0', file: 'pyproject.toml' },
      semantics: {
        includeKeepsRouter: false,
        lifespanHonoured: true,
        routerLifespanMerged: false,
        starletteAppShortcuts: true,
      },
      assumed: false,
    },
  );
  // A lock says what is installed: it wins over the range in pyproject.toml beside it.
  assert.deepEqual(
    await declared({
      'pyproject.toml': '[project]\nname = "x"\ndependencies = ["fastapi>=0.90"]\n',
      'uv.lock':
        'version = 1\n\n[[package]]\nname = "fastapi"\nversion = "0.140.2"\n\n[[package]]\nname = "starlette"\nversion = "0.40.0"\n',
    }),
    {
      declared: { spec: '==0.140.2', file: 'uv.lock' },
      semantics: {
        includeKeepsRouter: true,
        lifespanHonoured: true,
        routerLifespanMerged: true,
        starletteAppShortcuts: true,
      },
      assumed: false,
    },
  );
  assert.deepEqual(
    await declared({ 'poetry.lock': '[[package]]\nname = "fastapi"\nversion = "0.92.0"\ndescription = "x"\n' }),
    {
      declared: { spec: '==0.92.0', file: 'poetry.lock' },
      semantics: {
        includeKeepsRouter: false,
        lifespanHonoured: false,
        routerLifespanMerged: false,
        starletteAppShortcuts: true,
      },
      assumed: false,
    },
  );
  assert.deepEqual(
    await declared({
      'Pipfile.lock': JSON.stringify({ _meta: {}, default: { fastapi: { version: '==0.100.1' } }, develop: {} }),
    }),
    {
      declared: { spec: '==0.100.1', file: 'Pipfile.lock' },
      semantics: {
        includeKeepsRouter: false,
        lifespanHonoured: true,
        routerLifespanMerged: false,
        starletteAppShortcuts: true,
      },
      assumed: false,
    },
  );
});

test('no declaration, a bare name or only a lower bound: the newest FastAPI is assumed, said once', async (t) => {
  for (const files of [{}, { 'requirements.txt': 'fastapi\n' }, { 'requirements.txt': 'fastapi>=0.80\n' }] as Array<
    Record<string, string>
  >) {
    const result = await analyzeSources(t, { 'main.py': APP, ...files });
    assert.equal(result.fastapi.assumed, true);
    assert.deepEqual(result.fastapi.semantics, {
      includeKeepsRouter: true,
      lifespanHonoured: true,
      routerLifespanMerged: true,
      starletteAppShortcuts: false,
    });
    const notes = result.diagnostics.filter((d) => /newest FastAPI/.test(d.message));
    assert.equal(notes.length, 1, JSON.stringify(result.diagnostics));
    assert.deepEqual(buildAnalysisDocument(result).fastapi, {
      declared: result.fastapi.declared,
      semantics: result.fastapi.semantics,
      assumed: true,
    });
  }
});

test("a monorepo's backend folder has its own declaration: the one nearest the app wins", async (t) => {
  const result = await analyzeSources(t, {
    'requirements.txt': 'fastapi>=0.140\n',
    'backend/requirements/base.txt': 'fastapi==0.92.0\n',
    'backend/app/__init__.py': '',
    'backend/app/main.py': APP,
    'tools/requirements.txt': 'fastapi==0.100.0\n',
  });
  assert.deepEqual(result.fastapi.declared, { spec: '==0.92.0', file: 'backend/requirements/base.txt' });
  assert.equal(result.fastapi.assumed, false);
});

const LATE_REGISTRATION = py`
  from fastapi import APIRouter, FastAPI

  router = APIRouter(prefix="/items")

  @router.get("")
  def list_items():
      return []

  app = FastAPI()
  app.include_router(router, prefix="/v1")

  @router.post("")
  def create_item():
      return {}
`;

test('from FastAPI 0.137 a route registered on a router after it was included is served', async (t) => {
  const result = await expectServedRoutes(
    t,
    { 'requirements.txt': 'fastapi>=0.137\n', 'main.py': LATE_REGISTRATION },
    { 'main:app': ['GET /v1/items', 'POST /v1/items'] },
    { 'main:app': 'main.py' },
  );
  assert.ok(!diagnosticsAt(result, 'main.py').some((n) => /after it was included/.test(n)));
});

test('before FastAPI 0.137 the same late route is not served', async (t) => {
  const result = await expectServedRoutes(
    t,
    { 'requirements.txt': 'fastapi==0.92.0\n', 'main.py': LATE_REGISTRATION },
    { 'main:app': ['GET /v1/items'] },
    { 'main:app': 'main.py' },
  );
  assert.ok(
    diagnosticsAt(result, 'main.py').some(
      (n) => n.startsWith('13: ') && /POST \/items /.test(n) && /after it was included/.test(n),
    ),
    JSON.stringify(result.diagnostics),
  );
});

const ROUTER_MOUNT = {
  'main.py': py`
    from fastapi import FastAPI
    from api import api_router

    app = FastAPI()
    app.include_router(api_router, prefix="/api")
  `,
  'api.py': py`
    from fastapi import APIRouter, FastAPI

    files = FastAPI()

    @files.get("/{name}")
    def read_file(name: str):
        return {}

    admin = APIRouter(prefix="/admin")
    admin.mount("/files", files)

    @admin.get("/stats")
    def stats():
        return {}

    api_router = APIRouter(prefix="/v1")
    api_router.include_router(admin, prefix="/internal")
  `,
};

test("from FastAPI 0.137 router.mount(...) survives the include, under the include's prefixes but not the router's own", async (t) => {
  const result = await expectServedRoutes(
    t,
    { 'requirements.txt': 'fastapi>=0.137\n', ...ROUTER_MOUNT },
    { 'main:app': ['GET /api/v1/internal/admin/stats', 'GET /api/v1/internal/files/{name}'] },
    { 'main:app': 'main.py' },
  );
  assert.deepEqual(
    result.apps.find((a) => a.variable === 'files')?.mountedAt.map((m) => m.path),
    ['/api/v1/internal/files'],
  );
});

test('before FastAPI 0.137 router.mount(...) is dropped by the include, with a diagnostic', async (t) => {
  const result = await expectServedRoutes(
    t,
    { 'requirements.txt': 'fastapi==0.92.0\n', ...ROUTER_MOUNT },
    { 'main:app': ['GET /api/v1/internal/admin/stats'] },
    { 'main:app': 'main.py' },
  );
  assert.ok(
    diagnosticsAt(result, 'api.py').some((n) => n.startsWith('10: ') && /mount on `admin` is dropped/.test(n)),
    JSON.stringify(result.diagnostics),
  );
});

const LIFESPAN_APP = {
  'main.py': py`
    from contextlib import asynccontextmanager

    from fastapi import FastAPI
    from plugins import reports

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.include_router(reports.router, prefix="/reports")
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    def health():
        return {}
  `,
  'plugins/__init__.py': '',
  'plugins/reports.py': py`
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/daily")
    def daily():
        return []
  `,
};

test('from FastAPI 0.93 the lifespan runs at start-up and what it registers is served', async (t) => {
  await expectServedRoutes(
    t,
    { 'requirements.txt': 'fastapi>=0.93\n', ...LIFESPAN_APP },
    { 'main:app': ['GET /health', 'GET /reports/daily'] },
    { 'main:app': 'main.py' },
  );
});

test('before FastAPI 0.93 FastAPI(lifespan=...) is ignored, with a diagnostic', async (t) => {
  const result = await expectServedRoutes(
    t,
    { 'requirements.txt': 'fastapi<0.93\n', ...LIFESPAN_APP },
    { 'main:app': ['GET /health'] },
    { 'main:app': 'main.py' },
  );
  assert.ok(diagnosticsAt(result, 'main.py').some((n) => /lifespan=\.\.\.\) is ignored/.test(n)));
});

test('Starlette pinned below 1.0 beside a FastAPI that allows 1.x keeps the app shortcuts; a lock says so too', async (t) => {
  const shortcuts = async (files: Record<string, string>) =>
    (await analyzeSources(t, { 'main.py': APP, ...files })).fastapi.semantics.starletteAppShortcuts;
  assert.equal(await shortcuts({ 'requirements.txt': 'fastapi>=0.135,<0.200\n' }), false);
  assert.equal(await shortcuts({ 'requirements.txt': 'fastapi>=0.135,<0.200\nstarlette<1.0\n' }), true);
  assert.equal(await shortcuts({ 'requirements.txt': 'fastapi>=0.135,<0.200\nstarlette>=0.40\n' }), false);
  assert.equal(
    await shortcuts({
      'pyproject.toml': '[project]\nname = "x"\ndependencies = ["fastapi>=0.135,<0.200", "starlette>=0.46,<0.50"]\n',
    }),
    true,
  );
});
