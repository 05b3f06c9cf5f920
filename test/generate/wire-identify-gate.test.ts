/**
 * A matching route without a user dependency, in a project that has one, is gated with
 * `skene_gate("<step>", identify=True)`: the gate does not add the project's auth dependency (the route
 * stays public), and the wiring recognises that form on the next run.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import type { AnalysisResult } from '../../src/analyze/types.js';
import { matchRoutes } from '../../src/config/endpoint-glob.js';
import { buildProjectWiring, type WiringResult } from '../../src/generate/wire-project.js';
import { applyTextEdits, findSyntaxProblem, parsePython } from '../../src/generate/wire-python-source.js';
import { buildGateCall, planRouteGate } from '../../src/generate/wire-route-gate.js';
import { copyFixture } from '../helpers/fixtures.js';

test('buildGateCall: identify=True, and never together with auth=', () => {
  assert.equal(buildGateCall('signup', { identify: true }), 'skene_gate("signup", identify=True)');
  assert.equal(
    buildGateCall('signup', { identify: true, auth: { name: 'get_user' } }),
    'skene_gate("signup", identify=True)',
  );
  assert.equal(
    buildGateCall('reports', { auth: { name: 'get_user', scopes: ['r'] } }),
    'skene_gate("reports", auth=get_user, scopes=["r"])',
  );
});

test('planRouteGate: adds the identify form, then sees it as present; a renamed step keeps identify=True', () => {
  const source = '@router.post("/signup", status_code=201)\ndef signup(): ...\n';
  const tree = parsePython(source);
  const outcome = planRouteGate(source, tree, { line: 1, column: 1, stepId: 'signup', identify: true });
  assert.equal(outcome.kind, 'edit');
  const after = outcome.kind === 'edit' ? applyTextEdits(source, outcome.edits) : source;
  assert.equal(
    after,
    '@router.post("/signup", status_code=201, dependencies=[Depends(skene_gate("signup", identify=True))])\ndef signup(): ...\n',
  );
  assert.equal(
    planRouteGate(after, parsePython(after), { line: 1, column: 1, stepId: 'signup', identify: true }).kind,
    'present',
  );
  const renamed = planRouteGate(after, parsePython(after), {
    line: 1,
    column: 1,
    stepId: 'joins',
    identify: true,
    knownStepIds: new Set(['joins']),
  });
  assert.equal(renamed.kind, 'edit');
  const repointed = renamed.kind === 'edit' ? applyTextEdits(after, renamed.edits) : after;
  assert.match(repointed, /dependencies=\[Depends\(skene_gate\("joins", identify=True\)\)\]/);
});

function wire(root: string, analysis: AnalysisResult, endpoint: string): WiringResult {
  const files = new Map<string, string>();
  const routes = analysis.routes.filter((route) => route.method !== 'WEBSOCKET');
  const steps = [{ id: 'api', routes: matchRoutes({ endpoint, methods: ['POST'] }, routes) }];
  for (const route of steps[0]!.routes) {
    const file = route.registration.span.file;
    if (!files.has(file)) files.set(file, readFileSync(join(root, file), 'utf8'));
  }
  const others = [
    ...analysis.apps.map((app) => app.creation.file),
    ...analysis.stripe.webhooks.flatMap((w) => (w.constructEvent ? [w.constructEvent.file] : [])),
  ];
  for (const file of others) if (!files.has(file)) files.set(file, readFileSync(join(root, file), 'utf8'));
  return buildProjectWiring({ analysis, steps, runtimeModule: 'app.skene', files });
}

test('stripe-saas: the public sign-up is gated through identify(request), the routes with a user through get_current_user; a second run changes nothing', async () => {
  const root = await copyFixture('stripe-saas');
  const analysis = await analyzeProject(root);
  assert.equal(analysis.auth.primary?.name, 'get_current_user');
  const first = wire(root, analysis, '/api/v1/**');
  assert.deepEqual(first.manual, []);

  const byPath = new Map(first.gated.map((g) => [`${g.method} ${g.path}`, g]));
  assert.deepEqual(
    {
      status: byPath.get('POST /api/v1/auth/signup')?.status,
      identify: byPath.get('POST /api/v1/auth/signup')?.identify,
    },
    { status: 'added', identify: true },
  );
  assert.equal(byPath.get('POST /api/v1/reports/')?.identify, false);

  const auth = first.files.find((f) => f.path === 'app/api/routes/auth.py');
  assert.ok(auth, 'auth.py is edited');
  assert.equal(findSyntaxProblem(parsePython(auth.after)), undefined);
  assert.match(
    auth.after,
    /^@router\.post\("\/signup", response_model=ApiKeyOut, status_code=status\.HTTP_201_CREATED, dependencies=\[Depends\(skene_gate\("api", identify=True\)\)\]\)$/m,
  );
  assert.match(auth.reasons.join('; '), /gate POST \/api\/v1\/auth\/signup \(through identify\(request\)\)/);
  const reports = first.files.find((f) => f.path === 'app/api/routes/reports.py');
  assert.ok(reports && !reports.after.includes('identify=True'), 'routes with a user keep the plain gate');

  // The second run analyzes the edited project: everything is already gated, nothing changes.
  for (const file of first.files) writeFileSync(join(root, file.path), file.after);
  const second = wire(root, await analyzeProject(root), '/api/v1/**');
  assert.deepEqual(second.manual, []);
  assert.ok(
    second.gated.every((g) => g.status === 'present'),
    JSON.stringify(second.gated),
  );
  assert.deepEqual(
    second.files.filter((f) => f.before !== f.after).map((f) => f.path),
    [],
  );
  assert.equal(second.gated.find((g) => g.path === '/api/v1/auth/signup')?.identify, true);
});
