import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  canonicalJson,
  compileLoop,
  DEFAULT_PAST_DUE_GRACE_SECONDS,
  hashCompiledLoop,
  serializeCompiledLoop,
} from '../../src/config/compile-loop.js';
import { readLoopConfig } from '../../src/config/read-config.js';
import type { NormalizedLoop } from '../../src/config/types.js';

const pageSnippet = readFileSync(new URL('./corpus/page-snippet-fixed.ts', import.meta.url), 'utf8');

async function loopOf(source: string): Promise<NormalizedLoop> {
  const result = await readLoopConfig('skene.config.ts', source);
  assert.deepEqual(
    result.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`),
    [],
  );
  assert.ok(result.loop);
  return result.loop;
}

/** The hash recomputed independently: sha256 over the JSON with sorted keys, without version and hash. */
function expectedHash(compiled: object): string {
  const { skene_version: _v, hash: _h, ...body } = compiled as Record<string, unknown>;
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
      );
    }
    return value;
  };
  return createHash('sha256')
    .update(JSON.stringify(sorted(body)))
    .digest('hex');
}

test('the page snippet compiles to the data file the runtime reads', async () => {
  const compiled = compileLoop(await loopOf(pageSnippet), '1.2.3');
  assert.match(compiled.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(compiled, {
    format: 1,
    skene_version: '1.2.3',
    hash: compiled.hash,
    type: 'freemium',
    steps: [
      {
        id: 'api-features-post',
        endpoint: '/api/features/*',
        methods: ['POST'],
        limits: { free: 100, paid: null },
        period: '30d',
        period_seconds: 2_592_000,
        mode: 'enforce',
        fail_open: true,
        message: "You've reached your free tier limit. Upgrade to continue.",
        upgrade_url: null,
        upgrade_prompt: { type: 'email', provider: 'resend', template: 'upgrade_prompt' },
      },
    ],
    plans: {},
    recovery: { retries: 0 },
    past_due_grace_seconds: DEFAULT_PAST_DUE_GRACE_SECONDS,
  });
  assert.equal(DEFAULT_PAST_DUE_GRACE_SECONDS, 3 * 86_400);
  assert.equal(compiled.hash, expectedHash(compiled));
  assert.equal(hashCompiledLoop(compiled), compiled.hash);
});

test('every value of the compiled loop is plain JSON: Infinity is null, nothing undefined', async () => {
  const source = pageSnippet
    .replace("method: 'POST'", "method: '*'")
    .replace('paid: Infinity', 'paid: Infinity, pro: Infinity')
    .replace("opinion: 'Enforce", "plans: { pro: { prices: ['price_1'] } },\n  opinion: 'Enforce");
  const compiled = compileLoop(await loopOf(source), '0.1.0');
  const text = serializeCompiledLoop(compiled);
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(JSON.parse(text), compiled);
  assert.deepEqual(compiled.steps[0]!.limits, { free: 100, paid: null, pro: null });
  assert.equal(compiled.steps[0]!.methods, '*');
  assert.deepEqual(compiled.plans, { pro: { prices: ['price_1'] } });
  assert.equal(
    serializeCompiledLoop(compileLoop(await loopOf(source), '0.1.0')),
    text,
    'the same loop gives the same bytes',
  );
});

test('the same loop, however it is written, gives the same hash', async () => {
  const reference = compileLoop(await loopOf(pageSnippet), '0.1.0').hash;
  const rewritten = `import { defineLoop } from 'skene';
// Same loop: keys reordered, derived id written out, lower-case method, trailing slash, consts.
const FREE = 100;
export default defineLoop({
  recovery: { retries: 0 },
  steps: [{
    action: {
      upgradePrompt: { template: 'upgrade_prompt', provider: 'resend', type: 'email' },
      message: "You've reached your free tier limit. Upgrade to continue.",
      type: 'block',
    },
    condition: { period: '30d', limit: { paid: Number.POSITIVE_INFINITY, free: FREE }, type: 'usage' },
    trigger: { method: 'post', endpoint: '/api/features/*/', type: 'api' },
    id: 'api-features-post',
    mode: 'enforce',
    failOpen: true,
  }],
  opinion: 'Enforce usage limits for free tier users and trigger upgrade prompts',
  type: 'freemium',
});
`;
  assert.equal(compileLoop(await loopOf(rewritten), '0.1.0').hash, reference);
  assert.equal(compileLoop(await loopOf(pageSnippet), '0.1.0').hash, reference);
});

test('the version is stamped, but upgrading skene alone does not change the hash', async () => {
  const loop = await loopOf(pageSnippet);
  const a = compileLoop(loop, '0.1.0');
  const b = compileLoop(loop, '0.2.0');
  assert.equal(a.skene_version, '0.1.0');
  assert.equal(b.skene_version, '0.2.0');
  assert.equal(a.hash, b.hash);
});

const changes: Array<[string, (source: string) => string]> = [
  ['the free limit', (s) => s.replace('free: 100', 'free: 101')],
  ['the paid limit', (s) => s.replace('paid: Infinity', 'paid: 1000')],
  ['the period', (s) => s.replace("period: '30d'", "period: '4w'")],
  ['the endpoint', (s) => s.replace("'/api/features/*'", "'/api/features/**'")],
  ['the method', (s) => s.replace("method: 'POST'", "method: ['POST', 'PUT']")],
  ['the message', (s) => s.replace('Upgrade to continue.', 'Upgrade now.')],
  ['the template', (s) => s.replace("template: 'upgrade_prompt'", "template: 'upgrade'")],
  ['the step id', (s) => s.replace('    {\n      trigger', "    {\n      id: 'features',\n      trigger")],
  ['the mode', (s) => s.replace('      action: {', "      mode: 'shadow',\n      action: {")],
  ['failOpen', (s) => s.replace('      action: {', '      failOpen: false,\n      action: {')],
  ['the upgrade URL', (s) => s.replace("type: 'block',", "type: 'block',\n        upgradeUrl: '/pricing',")],
  ['the retries', (s) => s.replace('retries: 0', 'retries: 2')],
];

for (const [what, change] of changes) {
  test(`a change of ${what} gives another hash`, async () => {
    const changed = change(pageSnippet);
    assert.notEqual(changed, pageSnippet, 'the change applies to the snippet');
    const before = compileLoop(await loopOf(pageSnippet), '0.1.0').hash;
    assert.notEqual(compileLoop(await loopOf(changed), '0.1.0').hash, before);
  });
}

test('a change of the past_due grace period gives another hash', async () => {
  const loop = await loopOf(pageSnippet);
  assert.notEqual(compileLoop(loop, '0.1.0', { pastDueGraceSeconds: 86_400 }).hash, compileLoop(loop, '0.1.0').hash);
});

test('a compiled loop edited by hand no longer matches its hash', async () => {
  const compiled = compileLoop(await loopOf(pageSnippet), '0.1.0');
  const edited = {
    ...compiled,
    steps: compiled.steps.map((s) => ({ ...s, limits: { ...s.limits, free: 1_000_000 } })),
  };
  assert.notEqual(hashCompiledLoop(edited), compiled.hash);
});

test('canonicalJson sorts keys at every level and leaves out undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: null, y: 'x' }], c: undefined } }),
    '{"a":{"d":[1,{"y":"x","z":null}]},"b":1}',
  );
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
});

test('condition.refund is compiled when the config sets it, and left out (older hashes hold) when not', async () => {
  const withRefund = (refund: string): string =>
    pageSnippet.replace(/period: '30d'/, `period: '30d', refund: '${refund}'`);
  assert.notEqual(withRefund('never'), pageSnippet);
  const plain = compileLoop(await loopOf(pageSnippet), '1.2.3');
  assert.equal('refund' in plain.steps[0]!, false);
  for (const refund of ['errors', 'server-errors', 'never'] as const) {
    const compiled = compileLoop(await loopOf(withRefund(refund)), '1.2.3');
    assert.equal(compiled.steps[0]!.refund, refund);
    assert.equal(compiled.hash, expectedHash(compiled));
    assert.notEqual(compiled.hash, plain.hash);
  }
});

test('an unknown condition.refund is an invalid value at its place in the file', async () => {
  const source = pageSnippet.replace(/period: '30d'/, "period: '30d', refund: 'client-errors'");
  const result = await readLoopConfig('skene.config.ts', source);
  assert.equal(result.loop, undefined);
  const diagnostic = result.diagnostics.find((d) => d.code === 'invalid-value');
  assert.ok(diagnostic, JSON.stringify(result.diagnostics));
  assert.match(diagnostic.message, /refund must be 'errors' or 'server-errors' or 'never', not 'client-errors'/);
  const line = source.split('\n').findIndex((text) => text.includes("'client-errors'")) + 1;
  assert.equal(diagnostic.line, line);
});
