import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyTextEdits, findSyntaxProblem, parsePython } from '../../src/generate/wire-python-source.js';
import {
  buildGatedRegistrationLines,
  planRouteGate,
  planRouteGates,
  type RouteGateTarget,
} from '../../src/generate/wire-route-gate.js';

function gate(
  source: string,
  target: Partial<RouteGateTarget> & { line: number },
): string | { refused: string } | 'present' {
  const tree = parsePython(source);
  const outcome = planRouteGate(source, tree, { column: 1, stepId: 'reports', ...target });
  if (outcome.kind === 'refused') return { refused: outcome.reason };
  if (outcome.kind === 'present') return 'present';
  const after = applyTextEdits(source, outcome.edits);
  assert.equal(findSyntaxProblem(parsePython(after)), undefined, after);
  return after;
}

test('adds dependencies= to a decorator without one', () => {
  const before = '@router.post("/reports")\nasync def create(): ...\n';
  assert.equal(
    gate(before, { line: 1 }),
    '@router.post("/reports", dependencies=[Depends(skene_gate("reports"))])\nasync def create(): ...\n',
  );
});

test('appends to an existing dependencies list, inline and multi-line', () => {
  const inline = '@router.post("/r", dependencies=[Depends(verify)])\ndef f(): ...\n';
  assert.equal(
    gate(inline, { line: 1 }),
    '@router.post("/r", dependencies=[Depends(verify), Depends(skene_gate("reports"))])\ndef f(): ...\n',
  );
  const empty = '@router.post("/r", dependencies=[])\ndef f(): ...\n';
  assert.equal(
    gate(empty, { line: 1 }),
    '@router.post("/r", dependencies=[Depends(skene_gate("reports"))])\ndef f(): ...\n',
  );
  const multi = [
    '@router.post(',
    '    "/r",',
    '    dependencies=[',
    '        Depends(verify),  # checks the key',
    '    ],',
    ')',
    'def f(): ...',
    '',
  ].join('\n');
  assert.equal(
    gate(multi, { line: 1 }),
    [
      '@router.post(',
      '    "/r",',
      '    dependencies=[',
      '        Depends(verify),  # checks the key',
      '        Depends(skene_gate("reports")),',
      '    ],',
      ')',
      'def f(): ...',
      '',
    ].join('\n'),
  );
});

test('keeps the layout of multi-line arguments, with and without a trailing comma', () => {
  const trailing = '@router.post(\n    "/r",\n    response_model=Report,\n)\ndef f(): ...\n';
  assert.equal(
    gate(trailing, { line: 1 }),
    '@router.post(\n    "/r",\n    response_model=Report,\n    dependencies=[Depends(skene_gate("reports"))],\n)\ndef f(): ...\n',
  );
  const noTrailing = '@router.post(\n    "/r",\n    status_code=201  # created\n)\ndef f(): ...\n';
  assert.equal(
    gate(noTrailing, { line: 1 }),
    '@router.post(\n    "/r",\n    status_code=201,  # created\n    dependencies=[Depends(skene_gate("reports"))]\n)\ndef f(): ...\n',
  );
});

test('passes auth= and scopes= when the route has its own user dependency', () => {
  const before = '@app.post("/items/")\ndef f(user=Security(get_current_user, scopes=["items"])): ...\n';
  assert.equal(
    gate(before, { line: 1, auth: { name: 'get_current_user', scopes: ['items'] } }),
    '@app.post("/items/", dependencies=[Depends(skene_gate("reports", auth=get_current_user, scopes=["items"]))])\ndef f(user=Security(get_current_user, scopes=["items"])): ...\n',
  );
});

test('finds the decorator by its position among stacked decorators, in a class-free module', () => {
  const before = 'x = 1\n\n@router.get("/r")\n@router.post("/r")\ndef f(): ...\n';
  assert.equal(
    gate(before, { line: 4 }),
    'x = 1\n\n@router.get("/r")\n@router.post("/r", dependencies=[Depends(skene_gate("reports"))])\ndef f(): ...\n',
  );
});

test('is idempotent: a gate for the same step is detected', () => {
  const once = gate('@router.post("/r")\ndef f(): ...\n', { line: 1 });
  assert.equal(typeof once, 'string');
  assert.equal(gate(once as string, { line: 1 }), 'present');
  // A gate for another step does not count.
  assert.notEqual(gate(once as string, { line: 1, stepId: 'other' }), 'present');
});

test('refuses what it cannot edit safely', () => {
  assert.deepEqual(gate('@router.post("/r", dependencies=COMMON)\ndef f(): ...\n', { line: 1 }), {
    refused: 'dependencies= is not a list literal',
  });
  assert.match(
    (gate('@router.post("/r", **opts)\ndef f(): ...\n', { line: 1 }) as { refused: string }).refused,
    /\*\*kwargs/,
  );
  assert.match(
    (gate('router.add_api_route("/r", f, methods=["POST"])\n', { line: 1, column: 0 }) as { refused: string }).refused,
    /not registered with a decorator/,
  );
  assert.match((gate('x = 1\n', { line: 9 }) as { refused: string }).refused, /no route registration call/);
});

test('a gate of a renamed step is re-pointed, not doubled; a current one is left alone', () => {
  const source = '@router.post("/r", dependencies=[Depends(skene_gate("old-id", auth=get_admin))])\ndef f(): ...\n';
  const known = new Set(['reports']);
  assert.equal(
    gate(source, { line: 1, knownStepIds: known }),
    '@router.post("/r", dependencies=[Depends(skene_gate("reports", auth=get_admin))])\ndef f(): ...\n',
  );
  assert.equal(
    gate(source, { line: 1, knownStepIds: new Set(['reports', 'old-id']) }),
    '@router.post("/r", dependencies=[Depends(skene_gate("old-id", auth=get_admin)), Depends(skene_gate("reports"))])\ndef f(): ...\n',
  );
});

test('a call registration is refused, but seen as gated once the user added the gate', () => {
  assert.deepEqual(gate('router.post("/r")(handler)\n', { line: 1, column: 0 }), {
    refused: 'the route is not registered with a decorator',
  });
  assert.equal(
    gate('router.post("/r", dependencies=[Depends(skene_gate("reports"))])(handler)\n', { line: 1, column: 0 }),
    'present',
  );
});

test('a refusal names the registration form the analysis saw', () => {
  const refusal = (source: string, registration: 'add_api_route' | 'call' | undefined): string | undefined => {
    const plan = planRouteGates(source, parsePython(source), {
      line: 1,
      column: 0,
      stepIds: ['reports'],
      ...(registration ? { registration } : {}),
    });
    return plan.outcome.kind === 'refused' ? plan.outcome.reason : undefined;
  };
  assert.equal(
    refusal('router.add_api_route("/r", f, methods=["POST"])\n', 'add_api_route'),
    'the route is registered with add_api_route(...), not a decorator',
  );
  assert.equal(
    refusal('router.post("/r")(handler)\n', 'call'),
    'the route is registered with a call such as router.get(path)(handler), not a decorator',
  );
  assert.equal(refusal('router.post("/r")(handler)\n', undefined), 'the route is not registered with a decorator');
});

test('the lines a user writes for routes skene leaves to them', () => {
  const lines = (source: string, line: number, column = 0): string | undefined =>
    buildGatedRegistrationLines(source, parsePython(source), { line, column, stepIds: ['jobs'] })?.after;
  assert.equal(
    lines('router.post("/x")(handler)\n', 1),
    'router.post("/x", dependencies=[Depends(skene_gate("jobs"))])(handler)',
  );
  assert.equal(
    lines('app.add_api_route("/x", handler, methods=["POST"])\n', 1),
    'app.add_api_route("/x", handler, methods=["POST"], dependencies=[Depends(skene_gate("jobs"))])',
  );
  assert.equal(
    lines('@router.post("/x", **COMMON)\ndef f(): ...\n', 1, 1),
    '@router.post("/x", dependencies=[Depends(skene_gate("jobs"))], **COMMON)',
  );
  assert.equal(
    lines('@router.post("/x", dependencies=DEPS)\ndef f(): ...\n', 1, 1),
    '@router.post("/x", dependencies=DEPS + [Depends(skene_gate("jobs"))])',
  );
  assert.equal(
    lines('@router.post("/x", dependencies=a or b)\ndef f(): ...\n', 1, 1),
    '@router.post("/x", dependencies=(a or b) + [Depends(skene_gate("jobs"))])',
  );
});

test('stale gates: re-pointed at a missing step, else removed with their comma or the whole dependencies= argument', () => {
  const gates = (
    source: string,
    stepIds: string[],
  ): { after: string | 'present' | { refused: string }; removed: string[]; added: string[] } => {
    const plan = planRouteGates(source, parsePython(source), { line: 1, column: 1, stepIds });
    if (plan.outcome.kind !== 'edit')
      return {
        after: plan.outcome.kind === 'present' ? 'present' : { refused: plan.outcome.reason },
        removed: plan.removed,
        added: plan.added,
      };
    const after = applyTextEdits(source, plan.outcome.edits);
    assert.equal(findSyntaxProblem(parsePython(after)), undefined, after);
    return { after, removed: plan.removed, added: plan.added };
  };
  const only = '@router.post("/r", response_model=R, dependencies=[Depends(skene_gate("old"))])\ndef f(): ...\n';
  assert.deepEqual(gates(only, []), {
    after: '@router.post("/r", response_model=R)\ndef f(): ...\n',
    removed: ['old'],
    added: [],
  });
  assert.deepEqual(gates(only, ['new']), {
    after: '@router.post("/r", response_model=R, dependencies=[Depends(skene_gate("new"))])\ndef f(): ...\n',
    removed: ['old'],
    added: ['new'],
  });
  const first = '@router.post(dependencies=[Depends(skene_gate("old"))], path="/r")\ndef f(): ...\n';
  assert.equal(gates(first, []).after, '@router.post(path="/r")\ndef f(): ...\n');
  const mixed =
    '@router.post("/r", dependencies=[Depends(skene_gate("old")), Depends(verify), Depends(skene_gate("keep")), Depends(skene_gate("gone"))])\ndef f(): ...\n';
  assert.equal(
    gates(mixed, ['keep']).after,
    '@router.post("/r", dependencies=[Depends(verify), Depends(skene_gate("keep"))])\ndef f(): ...\n',
  );
  const multi = [
    '@router.post(',
    '    "/r",',
    '    dependencies=[',
    '        Depends(verify),',
    '        Depends(skene_gate("old")),',
    '    ],',
    ')',
    'def f(): ...',
    '',
  ].join('\n');
  assert.equal(
    gates(multi, []).after,
    [
      '@router.post(',
      '    "/r",',
      '    dependencies=[',
      '        Depends(verify),',
      '    ],',
      ')',
      'def f(): ...',
      '',
    ].join('\n'),
  );
  assert.deepEqual(gates('@router.post("/r")\ndef f(): ...\n', []), { after: 'present', removed: [], added: [] });
  // Two steps matching one route: both gates in one argument, never two dependencies= arguments.
  assert.equal(
    gates('@router.post("/r")\ndef f(): ...\n', ['a', 'b']).after,
    '@router.post("/r", dependencies=[Depends(skene_gate("a")), Depends(skene_gate("b"))])\ndef f(): ...\n',
  );
  // A gate the user built some other way is theirs to remove.
  const built = '@router.post("/r", dependencies=GATES + [Depends(skene_gate("old"))])\ndef f(): ...\n';
  assert.deepEqual(gates(built, []), {
    after: { refused: 'the gate of step "old" is not a plain item of a dependencies=[...] list' },
    removed: ['old'],
    added: [],
  });
});

test("a present gate's handler_user=True follows the handler: added when it declares the user, taken off when it no longer does", () => {
  const plan = (source: string, handlerUser: boolean, identify = false) => {
    const planned = planRouteGates(source, parsePython(source), {
      line: 1,
      column: 1,
      stepIds: ['reports'],
      handlerUser,
      identify,
    });
    if (planned.outcome.kind !== 'edit') return { after: planned.outcome.kind, rewired: planned.rewired ?? [] };
    const after = applyTextEdits(source, planned.outcome.edits);
    assert.equal(findSyntaxProblem(parsePython(after)), undefined, after);
    return { after, rewired: planned.rewired ?? [] };
  };
  const declaring = '@router.post("/r", dependencies=[Depends(skene_gate("reports"))])\ndef f(user=Depends(u)): ...\n';
  assert.deepEqual(plan(declaring, true), {
    after:
      '@router.post("/r", dependencies=[Depends(skene_gate("reports", handler_user=True))])\ndef f(user=Depends(u)): ...\n',
    rewired: ['reports'],
  });
  assert.deepEqual(plan(declaring, false), { after: 'present', rewired: [] });
  const scoped =
    '@router.post("/r", dependencies=[Depends(skene_gate("reports", auth=u, scopes=["a"], handler_user=True))])\ndef f(): ...\n';
  assert.deepEqual(plan(scoped, false), {
    after: '@router.post("/r", dependencies=[Depends(skene_gate("reports", auth=u, scopes=["a"]))])\ndef f(): ...\n',
    rewired: ['reports'],
  });
  assert.deepEqual(plan(scoped, true), { after: 'present', rewired: [] });
  // The user's own value, identify=True and a splat are left as they are.
  const own = '@router.post("/r", dependencies=[Depends(skene_gate("reports", handler_user=FLAG))])\ndef f(): ...\n';
  assert.deepEqual(plan(own, true), { after: 'present', rewired: [] });
  const identify = '@router.post("/r", dependencies=[Depends(skene_gate("reports", identify=True))])\ndef f(): ...\n';
  assert.deepEqual(plan(identify, true), { after: 'present', rewired: [] });
  const splat = '@router.post("/r", dependencies=[Depends(skene_gate("reports", **kw))])\ndef f(): ...\n';
  assert.deepEqual(plan(splat, true), { after: 'present', rewired: [] });
  // A gate re-pointed from a renamed step and a new one keep their own form; only present gates are rewired.
  const both =
    '@router.post("/r", dependencies=[Depends(skene_gate("reports")), Depends(skene_gate("exports", handler_user=True))])\ndef f(user=Depends(u)): ...\n';
  const planned = planRouteGates(both, parsePython(both), {
    line: 1,
    column: 1,
    stepIds: ['reports', 'exports'],
    handlerUser: false,
  });
  assert.equal(planned.outcome.kind, 'edit');
  assert.deepEqual(planned.rewired, ['exports']);
});

test('on a route skene does not edit, adding handler_user=True is left alone; taking it off is a hand edit', () => {
  const source = 'router.add_api_route("/r", f, methods=["POST"], dependencies=[Depends(skene_gate("reports"))])\n';
  const target = { line: 1, column: 0, stepIds: ['reports'] };
  assert.deepEqual(planRouteGates(source, parsePython(source), { ...target, handlerUser: true }), {
    outcome: { kind: 'present' },
    removed: [],
    added: [],
  });
  const reading = source.replace('skene_gate("reports")', 'skene_gate("reports", handler_user=True)');
  const planned = planRouteGates(reading, parsePython(reading), { ...target, handlerUser: false });
  assert.equal(planned.outcome.kind, 'refused');
  assert.deepEqual(planned.rewired, ['reports']);
  assert.equal(
    buildGatedRegistrationLines(reading, parsePython(reading), { ...target, handlerUser: false })?.after,
    source.trimEnd(),
  );
});
