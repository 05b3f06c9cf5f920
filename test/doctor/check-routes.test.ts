import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalysisResult, RouteFact } from '../../src/analyze/types.js';
import { matchRoutes } from '../../src/config/endpoint-glob.js';
import type { NormalizedLoop, NormalizedStep } from '../../src/config/types.js';
import { checkRoutes } from '../../src/doctor/check-routes.js';
import { GateDetector } from '../../src/doctor/detect-gates.js';

const ROUTES_PY = `from fastapi import APIRouter, Depends, FastAPI
from app.skene import gate as skene_gate
import app.skene as sk

app = FastAPI()
router = APIRouter()


@router.post("/features/a", dependencies=[Depends(skene_gate("features"))])
def a():
    return {}


@router.post(
    "/features/b",
    dependencies=[Depends(sk.gate("features", auth=None))],
)
def b():
    return {}


@router.post("/features/c")
def c():
    return {}


@router.post("/features/d", dependencies=[Depends(skene_gate("reports"))])
def d():
    return {}


@router.get("/features/e")
def e():
    # skene_gate("features") in a comment or in the body is not a gate
    return skene_gate("features")
`;

/** A route fact as the analyzer reports it: the registration span covers `router.post(...)`. */
function routeAt(source: string, file: string, method: RouteFact['method'], path: string): RouteFact {
  const lines = source.split('\n');
  const start = lines.findIndex((line) => line.includes(`"${path.replace('/api', '')}"`));
  const decorator = lines[start]!.startsWith('@') ? start : start - 1;
  let end = decorator;
  let depth = 0;
  for (let i = decorator; i < lines.length; i++) {
    for (const ch of lines[i]!) depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth === 0) {
      end = i;
      break;
    }
  }
  return {
    file,
    line: decorator + 1,
    method,
    path,
    function: path.split('/').pop()!,
    dependencies: [],
    dependencyDetails: [],
    app: { file, line: 5 },
    localPath: path.replace('/api', ''),
    routerVariable: 'router',
    registration: {
      kind: 'decorator',
      span: { file, line: decorator + 1, column: 1, endLine: end + 1, endColumn: lines[end]!.length },
      hasDependenciesArgument: lines
        .slice(decorator, end + 1)
        .join('\n')
        .includes('dependencies='),
    },
  };
}

function step(id: string, endpoint: string, methods: NormalizedStep['trigger']['methods']): NormalizedStep {
  return {
    id,
    trigger: { type: 'api', endpoint, methods },
    condition: { type: 'usage', limit: { free: 3, paid: null }, period: '30d', periodSeconds: 2_592_000 },
    action: { type: 'block', message: 'Upgrade.' },
    mode: 'enforce',
    failOpen: true,
  };
}

function analysisOf(routes: RouteFact[]): AnalysisResult {
  return {
    root: '/project',
    sourceRoots: [{ path: '', packages: ['app'] }],
    apps: [],
    routes,
    stripe: {
      used: false,
      imports: [],
      calls: [],
      webhooks: [],
      prices: [],
      checkoutUserLinks: [],
      checkoutSuccessPaths: [],
      apiKeyEnv: [],
      webhookSecretEnv: [],
    },
    auth: { candidates: [] },
    database: { kind: 'none', async: false },
    fastapi: {
      declared: null,
      semantics: {
        includeKeepsRouter: true,
        lifespanHonoured: true,
        routerLifespanMerged: true,
        starletteAppShortcuts: false,
      },
      assumed: true,
    },
    diagnostics: [],
    stats: { files: 1, bytes: ROUTES_PY.length, parsedFiles: 1, skippedFiles: 0 },
  };
}

const file = 'app/api/routes.py';
const routes = [
  routeAt(ROUTES_PY, file, 'POST', '/api/features/a'),
  routeAt(ROUTES_PY, file, 'POST', '/api/features/b'),
  routeAt(ROUTES_PY, file, 'POST', '/api/features/c'),
  routeAt(ROUTES_PY, file, 'POST', '/api/features/d'),
  routeAt(ROUTES_PY, file, 'GET', '/api/features/e'),
];

async function run(loop: NormalizedLoop) {
  const gates = new GateDetector((name) => (name === file ? ROUTES_PY : undefined), 'app.skene');
  return checkRoutes({ configFile: 'skene.config.ts', loop, analysis: analysisOf(routes), matchRoutes, gates });
}

const loopOf = (...steps: NormalizedStep[]): NormalizedLoop => ({
  type: 'freemium',
  steps,
  plans: {},
  recovery: { retries: 0 },
});

test('gates: found through an alias and a module import, not in comments or handler bodies', async () => {
  const gates = new GateDetector((name) => (name === file ? ROUTES_PY : undefined), 'app.skene');
  const found = await Promise.all(routes.map((route) => gates.gatesOf(route)));
  assert.deepEqual(
    found.map((list) => list.map((gate) => gate.stepId)),
    [['features'], ['features'], [], ['reports'], []],
  );
  assert.equal(found[1]![0]!.line, 16);
});

test('routes: lists matches, fails each ungated route with method, path, file:line and the dependency to add', async () => {
  const checks = await run(loopOf(step('features', '/api/features/*', ['POST'])));
  const match = checks.find((check) => check.id === 'routes.match');
  assert.equal(match?.status, 'pass');
  assert.match(match?.message ?? '', /matches 4 routes: POST \/api\/features\/a \(app\/api\/routes\.py:9\)/);
  assert.doesNotMatch(match?.message ?? '', /features\/e/, 'a GET route does not match a POST trigger');

  const ungated = checks.filter((check) => check.id === 'routes.gated' && check.status === 'fail');
  assert.deepEqual(
    ungated.map((check) => [check.file, check.line]),
    [
      [file, 22],
      [file, 27],
    ],
  );
  assert.match(ungated[0]!.message, /POST \/api\/features\/c .* is not gated/);
  assert.match(ungated[0]!.fix ?? '', /skene init/);
  assert.match(ungated[0]!.fix ?? '', /dependencies=\[Depends\(skene_gate\("features"\)\)\]/);
  assert.match(ungated[1]!.message, /gated only for "reports"/);
  // The route gated for a step the config does not have is flagged too.
  const unknown = checks.find((check) => check.id === 'routes.unknown-step');
  assert.equal(unknown?.status, 'fail');
  assert.equal(unknown?.line, 27);
});

test('routes: a trigger that matches nothing warns; fully gated steps pass', async () => {
  const checks = await run(
    loopOf(step('nothing', '/api/features/{x}/never', ['POST']), step('reports', '/api/features/d', ['POST'])),
  );
  const byStep = (id: string) =>
    checks.filter((check) => check.message.includes(`"${id}"`) && check.id.startsWith('routes.'));
  assert.deepEqual(
    byStep('nothing').map((check) => [check.id, check.status]),
    [['routes.match', 'warn']],
  );
  assert.match(byStep('nothing')[0]!.fix ?? '', /skene analyze/);
  assert.deepEqual(
    byStep('reports').map((check) => [check.id, check.status]),
    [
      ['routes.match', 'pass'],
      ['routes.gated', 'pass'],
    ],
  );
  // a and b carry gates for "features", which this config does not define.
  assert.deepEqual(
    checks.filter((check) => check.id === 'routes.unknown-step').map((check) => check.line),
    [9, 16],
  );
});

const HANDLER_USER_PY = `from fastapi import APIRouter, Depends
from app.deps import get_current_user
from app.skene import gate as skene_gate

router = APIRouter()


@router.post("/h/kept", dependencies=[Depends(skene_gate("h", handler_user=True))])
def kept(user=Depends(get_current_user)):
    return {}


@router.post("/h/lost", dependencies=[Depends(skene_gate("h", handler_user=True))])
def lost():
    return {}


@router.post("/h/unknown", dependencies=[Depends(skene_gate("h", handler_user=True))])
def unknown(user=Depends(load_someone)):
    return {}
`;

test('routes: a handler_user=True gate whose handler does not declare the user fails; one skene cannot resolve warns', async () => {
  const hFile = 'app/api/h.py';
  const signature = (name: string, callable?: { name: string; module: string }) => ({
    name,
    source: 'signature' as const,
    ...(callable ? { callable } : {}),
  });
  const kept = routeAt(HANDLER_USER_PY, hFile, 'POST', '/api/h/kept');
  kept.dependencyDetails = [signature('get_current_user', { name: 'get_current_user', module: 'app.deps' })];
  const lost = routeAt(HANDLER_USER_PY, hFile, 'POST', '/api/h/lost');
  const unknown = routeAt(HANDLER_USER_PY, hFile, 'POST', '/api/h/unknown');
  unknown.dependencyDetails = [signature('load_someone')];
  const primary = {
    file: 'app/deps.py',
    line: 1,
    name: 'get_current_user',
    module: 'app.deps',
    scheme: 'oauth2' as const,
    returns: 'object' as const,
    fields: ['id'],
    isAsync: false,
    aliases: [],
    routeCount: 3,
  };
  const analysis = { ...analysisOf([kept, lost, unknown]), auth: { primary, candidates: [primary] } };
  const gates = new GateDetector((name) => (name === hFile ? HANDLER_USER_PY : undefined), 'app.skene');
  const checks = await checkRoutes({
    configFile: 'skene.config.ts',
    loop: loopOf(step('h', '/api/h/*', ['POST'])),
    analysis,
    matchRoutes,
    gates,
  });
  const handlerUser = checks.filter((check) => check.id === 'routes.handler-user');
  assert.deepEqual(
    handlerUser.map((check) => [check.status, check.line]),
    [
      ['fail', lost.line],
      ['warn', unknown.line],
    ],
  );
  assert.match(handlerUser[0]!.message, /POST \/api\/h\/lost .* lost\(\) does not declare get_current_user/);
  assert.match(handlerUser[0]!.fix ?? '', /skene generate/);
  assert.match(handlerUser[1]!.message, /load_someone did not resolve/);
  // All three are gated.
  assert.equal(checks.find((check) => check.id === 'routes.gated')?.status, 'pass');
});
