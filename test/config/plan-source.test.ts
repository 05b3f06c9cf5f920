/**
 * `planSource` (docs/CUSTOMER-LINKS.md): the app's own record of who is paid, read statically, validated,
 * written by init and compiled into loop.json's `plan_source`; a loop without it compiles as before.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compileLoop, hashCompiledLoop } from '../../src/config/compile-loop.js';
import { readLoopConfig } from '../../src/config/read-config.js';
import type { NormalizedLoop } from '../../src/config/types.js';
import { buildLoopConfigSource } from '../../src/config/write-config.js';
import type { LoopStep } from '../../src/sdk/index.js';

const pageSnippet = readFileSync(new URL('./corpus/page-snippet-fixed.ts', import.meta.url), 'utf8');

/** The page's loop with `planSource: <text>` (and `plans`, when given) added at the top level. */
const withPlanSource = (planSource: string, plans = ''): string =>
  pageSnippet.replace(
    '  recovery: {\n',
    `${plans ? `  plans: ${plans},\n` : ''}  planSource: ${planSource},\n  recovery: {\n`,
  );

async function read(source: string): Promise<{ loop?: NormalizedLoop; problems: string[] }> {
  const result = await readLoopConfig('skene.config.ts', source);
  return {
    ...(result.loop ? { loop: result.loop } : {}),
    problems: result.diagnostics.map((d) => `${d.code} ${d.message}${d.hint ? ` | ${d.hint}` : ''}`),
  };
}

test('a boolean field, Stripe statuses and named plans read back and compile to [value, plan] pairs', async () => {
  const boolean = await read(withPlanSource("{ type: 'user-field', field: 'is_pro', plans: { paid: [true] } }"));
  assert.deepEqual(boolean.problems, []);
  assert.deepEqual(boolean.loop?.planSource, { type: 'user-field', field: 'is_pro', plans: { paid: [true] } });
  assert.deepEqual(compileLoop(boolean.loop!, '0.0.0').plan_source, { field: 'is_pro', values: [[true, 'paid']] });

  const named = await read(
    withPlanSource(
      "{ type: 'user-field', field: 'plan', plans: { pro: ['pro', 'pro_yearly'], team: ['team', 3], paid: ['legacy'] } }",
      "{ pro: { prices: ['price_pro'] }, team: { prices: ['price_team'] } }",
    ),
  );
  assert.deepEqual(named.problems, []);
  const compiled = compileLoop(named.loop!, '0.0.0');
  assert.deepEqual(compiled.plan_source, {
    field: 'plan',
    values: [
      ['pro', 'pro'],
      ['pro_yearly', 'pro'],
      ['team', 'team'],
      [3, 'team'],
      ['legacy', 'paid'],
    ],
  });
  assert.equal(hashCompiledLoop(compiled), compiled.hash);
});

test('without planSource loop.json has no plan_source and keeps its hash; with it the hash changes', async () => {
  const plain = await read(pageSnippet);
  const compiled = compileLoop(plain.loop!, '0.0.0');
  assert.equal('plan_source' in compiled, false);
  const withSource = await read(
    withPlanSource("{ type: 'user-field', field: 'subscription_status', plans: { paid: ['active', 'trialing'] } }"),
  );
  const other = compileLoop(withSource.loop!, '0.0.0');
  assert.notEqual(other.hash, compiled.hash);
  const { plan_source: _source, ...rest } = other;
  assert.equal(hashCompiledLoop({ ...rest, hash: '' }), compiled.hash);
});

test('validation: plan names, the field, the values, unknown keys, a value under two plans', async () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      "{ type: 'user-field', field: 'plan', plans: { pro: ['pro'] } }",
      '',
      /invalid-value planSource\.plans names "pro", which is neither paid nor a plan in plans \| Use paid, or declare the plan in plans\./,
    ],
    ["{ type: 'user-field', field: 'plan', plans: { free: ['free'] } }", '', /planSource\.plans cannot name "free"/],
    [
      "{ type: 'user-field', field: 'plan', plans: { paiid: ['x'] } }",
      '',
      /neither paid nor a plan in plans \| Did you mean "paid"\?/,
    ],
    ["{ type: 'user-field', field: 'user.is_pro', plans: { paid: [true] } }", '', /is not a Python attribute name/],
    [
      "{ type: 'user-field', field: 'is_pro', plans: { paid: [] } }",
      '',
      /planSource\.plans\.paid needs a non-empty list/,
    ],
    ["{ type: 'user-field', field: 'is_pro', plans: {} }", '', /planSource\.plans is empty/],
    [
      "{ type: 'user-field', field: 'tier', plans: { paid: ['pro'], pro: ['pro'] } }",
      "{ pro: { prices: ['price_pro'] } }",
      /"pro" is listed for both paid and pro/,
    ],
    ["{ type: 'user-field', feild: 'is_pro', plans: { paid: [true] } }", '', /Unknown key "feild" in planSource/],
    ["{ type: 'column', field: 'is_pro', plans: { paid: [true] } }", '', /type must be 'user-field'/],
  ];
  for (const [source, plans, expected] of cases) {
    const result = await read(withPlanSource(source, plans));
    assert.equal(result.loop, undefined, source);
    assert.ok(
      result.problems.some((p) => expected.test(p)),
      `${source}\n${result.problems.join('\n')}`,
    );
  }
});

const step: LoopStep = {
  id: 'reports',
  trigger: { type: 'api', endpoint: '/reports', method: 'POST' },
  condition: { type: 'usage', limit: { free: 5, paid: Infinity }, period: '30d' },
  action: { type: 'block', message: 'Upgrade to continue.' },
};

test('the writer adds planSource to a new or an existing file, replaces it whole, and is idempotent', async () => {
  const created = await buildLoopConfigSource(undefined, {
    step,
    planSource: { type: 'user-field', field: 'is_pro', plans: { paid: [true] } },
  });
  assert.match(created, /planSource: \{ type: 'user-field', field: 'is_pro', plans: \{ paid: \[true\] \} \},/);
  assert.deepEqual((await read(created)).loop?.planSource, {
    type: 'user-field',
    field: 'is_pro',
    plans: { paid: [true] },
  });

  const added = await buildLoopConfigSource(pageSnippet, {
    step,
    planSource: { type: 'user-field', field: 'subscription_status', plans: { paid: ['active', 'trialing'] } },
  });
  assert.ok(added.includes('retries: 0 // No retries for blocking actions'), 'comments stay');
  const again = await buildLoopConfigSource(added, {
    step,
    planSource: { type: 'user-field', field: 'subscription_status', plans: { paid: ['active', 'trialing'] } },
  });
  assert.equal(again, added);

  const replaced = await buildLoopConfigSource(added, {
    step,
    planSource: { type: 'user-field', field: 'is_pro', plans: { paid: [true] } },
  });
  const loop = (await read(replaced)).loop;
  assert.deepEqual(loop?.planSource, { type: 'user-field', field: 'is_pro', plans: { paid: [true] } });
  assert.equal(replaced.match(/planSource/g)?.length, 1);
  // Without planSource in the update the file's own stays.
  assert.equal(await buildLoopConfigSource(replaced, { step }), replaced);

  // null takes it out, comma and all: the file reads back without it, the rest untouched.
  const removed = await buildLoopConfigSource(replaced, { step, planSource: null });
  assert.ok(!removed.includes('planSource'), removed);
  assert.equal(removed, await buildLoopConfigSource(pageSnippet, { step }));
  assert.equal((await read(removed)).loop?.planSource, undefined);
  assert.equal(await buildLoopConfigSource(removed, { step, planSource: null }), removed);
});
