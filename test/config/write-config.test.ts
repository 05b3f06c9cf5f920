import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readLoopConfig } from '../../src/config/read-config.js';
import type { NormalizedLoop } from '../../src/config/types.js';
import { buildLoopConfigSource, type LoopUpdate, printString } from '../../src/config/write-config.js';
import { SkeneError } from '../../src/errors.js';
import type { LoopStep } from '../../src/sdk/index.js';

const pageSnippet = readFileSync(new URL('./corpus/page-snippet-fixed.ts', import.meta.url), 'utf8');

const featuresStep: LoopStep = {
  trigger: { type: 'api', endpoint: '/api/features/*', method: 'POST' },
  condition: { type: 'usage', limit: { free: 100, paid: Infinity }, period: '30d' },
  action: {
    type: 'block',
    message: "You've reached your free tier limit. Upgrade to continue.",
    upgradePrompt: { type: 'email', provider: 'resend', template: 'upgrade_prompt' },
  },
};

async function readBack(source: string): Promise<NormalizedLoop> {
  const result = await readLoopConfig('skene.config.ts', source);
  assert.deepEqual(
    result.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`),
    [],
    source,
  );
  assert.ok(result.loop);
  return result.loop;
}

/** The lines of `after` that differ from `before` (same line count expected). */
function changedLines(before: string, after: string): Array<[string, string]> {
  const a = before.split('\n');
  const b = after.split('\n');
  assert.equal(b.length, a.length, `line count changed:\n${after}`);
  return a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i]!] as [string, string]]));
}

// --- new files ------------------------------------------------------------------------------------

test('a new file in the page shape reads back with every value', async () => {
  const update: LoopUpdate = {
    step: {
      id: 'reports',
      trigger: { type: 'api', endpoint: '/api/reports/**', method: ['POST', 'PUT'] },
      condition: { type: 'usage', limit: { free: 5, paid: 50, pro: Infinity }, period: '12h' },
      action: {
        type: 'block',
        message: "You've reached your free tier limit. Upgrade to continue.",
        upgradeUrl: 'https://example.com/pricing',
        upgradePrompt: { type: 'email', provider: 'resend', template: 'upgrade_prompt' },
      },
      mode: 'shadow',
      failOpen: false,
    },
    opinion: 'Gate reports',
    plans: { pro: { prices: ['price_123', 'pro_monthly'] } },
    recovery: { retries: 3 },
  };
  const source = await buildLoopConfigSource(undefined, update);
  assert.ok(source.startsWith("import { defineLoop } from 'skene';\n\nexport default defineLoop({\n"), source);
  // The apostrophe is kept readable: the string switches to double quotes rather than escaping.
  assert.ok(source.includes(`message: "You've reached your free tier limit. Upgrade to continue."`), source);
  const loop = await readBack(source);
  assert.deepEqual(loop, {
    type: 'freemium',
    opinion: 'Gate reports',
    plans: { pro: { prices: ['price_123', 'pro_monthly'] } },
    recovery: { retries: 3 },
    steps: [
      {
        id: 'reports',
        trigger: { type: 'api', endpoint: '/api/reports/**', methods: ['POST', 'PUT'] },
        condition: {
          type: 'usage',
          limit: { free: 5, paid: 50, pro: null },
          period: '12h',
          periodSeconds: 43_200,
          refund: 'server-errors',
        },
        action: {
          type: 'block',
          message: "You've reached your free tier limit. Upgrade to continue.",
          upgradeUrl: 'https://example.com/pricing',
          upgradePrompt: { type: 'email', provider: 'resend', template: 'upgrade_prompt' },
        },
        mode: 'shadow',
        failOpen: false,
      },
    ],
  });
});

test('a new file without optional values gets the defaults: derived id, enforce, failOpen, no retries', async () => {
  const loop = await readBack(await buildLoopConfigSource(undefined, { step: featuresStep }));
  assert.equal(loop.steps[0]!.id, 'api-features-post');
  assert.equal(loop.steps[0]!.mode, 'enforce');
  assert.equal(loop.steps[0]!.failOpen, true);
  assert.deepEqual(loop.recovery, { retries: 0 });
  assert.equal(loop.opinion, 'Enforce usage limits for free tier users and trigger upgrade prompts');
});

for (const message of [
  "You've reached your free tier limit.",
  'Say "upgrade" to continue.',
  `It's "done": both quotes.`,
  'A backslash \\ and a newline\nand a tab\t.',
  'Ünïcödé — and an emoji 🚀 and a line separator \u2028.',
  '${not a template} and `backticks`',
]) {
  test(`message round-trips: ${JSON.stringify(message)}`, async () => {
    const step: LoopStep = { ...featuresStep, action: { type: 'block', message } };
    const created = await buildLoopConfigSource(undefined, { step });
    assert.equal((await readBack(created)).steps[0]!.action.message, message);
    const updated = await buildLoopConfigSource(pageSnippet, { step });
    assert.equal((await readBack(updated)).steps[0]!.action.message, message);
  });
}

test('printString prefers the file quote and switches only to avoid escapes', () => {
  assert.equal(printString('plain', "'"), "'plain'");
  assert.equal(printString('plain', '"'), '"plain"');
  assert.equal(printString("You've", "'"), `"You've"`);
  assert.equal(printString('say "hi"', '"'), `'say "hi"'`);
  assert.equal(printString(`it's "x"`, "'"), `'it\\'s "x"'`);
});

// --- idempotence ----------------------------------------------------------------------------------

test('writing the same values twice is byte-identical, for a new file and for an existing one', async () => {
  const update: LoopUpdate = {
    step: { ...featuresStep, id: 'features', mode: 'shadow' },
    plans: { pro: { prices: ['price_1'] } },
    recovery: { retries: 1 },
  };
  const created = await buildLoopConfigSource(undefined, update);
  assert.equal(await buildLoopConfigSource(created, update), created);
  const updated = await buildLoopConfigSource(pageSnippet, update);
  assert.notEqual(updated, pageSnippet);
  assert.equal(await buildLoopConfigSource(updated, update), updated);
});

test('the page snippet with its own values is left byte for byte as it is', async () => {
  assert.equal(await buildLoopConfigSource(pageSnippet, { step: featuresStep, recovery: { retries: 0 } }), pageSnippet);
});

// --- in-place updates -----------------------------------------------------------------------------

test('an update of the limit changes only that value, keeping comments and layout', async () => {
  const step: LoopStep = {
    ...featuresStep,
    condition: { ...featuresStep.condition, limit: { free: 50, paid: Infinity } },
  };
  const updated = await buildLoopConfigSource(pageSnippet, { step });
  assert.deepEqual(changedLines(pageSnippet, updated), [['          free: 100,', '          free: 50,']]);
  assert.ok(updated.includes('retries: 0 // No retries for blocking actions'));
  assert.equal((await readBack(updated)).steps[0]!.condition.limit.free, 50);
});

const handWritten = `// Our loop. Keep the numbers in sync with the pricing page.
import { defineLoop } from "skene";

export default defineLoop({
  type: "freemium",
  /* why we gate */
  opinion: "Free users get a taste",
  steps: [
    {
      id: "search",
      trigger: { type: "api", endpoint: "/api/search", method: "GET" }, // the hot path
      condition: { type: "usage", limit: { free: 10 }, period: "1d" },
      action: { type: "block", message: "Search limit reached" }
    },
    {
      id: "exports",
      trigger: { type: "api", endpoint: "/api/exports/*", method: ["POST"] },
      condition: {
        type: "usage",
        limit: { free: 3, paid: 300 }, // agreed with sales
        period: "1w"
      },
      action: { type: "block", message: "Export limit reached" }
    }
  ],
  recovery: { retries: 1 }
});
`;

test('an update of one step keeps the other step, the comments, the quote style and the other keys', async () => {
  const step: LoopStep = {
    id: 'exports',
    trigger: { type: 'api', endpoint: '/api/exports/*', method: 'POST' },
    condition: { type: 'usage', limit: { free: 5, paid: 300 }, period: '1w' },
    action: { type: 'block', message: 'Export limit reached', upgradeUrl: '/pricing' },
    mode: 'shadow',
  };
  const updated = await buildLoopConfigSource(handWritten, { step });
  // The first step, the header, the comments and everything else are untouched.
  const untouched = handWritten.slice(0, handWritten.indexOf('    {\n      id: "exports"'));
  assert.ok(updated.startsWith(untouched), updated);
  assert.ok(updated.includes('limit: { free: 5, paid: 300 }, // agreed with sales'), updated);
  assert.ok(
    updated.includes('action: { type: "block", message: "Export limit reached", upgradeUrl: "/pricing" }'),
    updated,
  );
  assert.ok(updated.includes('mode: "shadow"\n    }\n  ],'), updated);
  assert.ok(updated.endsWith('  recovery: { retries: 1 }\n});\n'), updated);
  assert.ok(!updated.includes("'"), "new strings follow the file's double quotes");
  const loop = await readBack(updated);
  assert.deepEqual(
    loop.steps.map((s) => [s.id, s.condition.limit, s.mode, s.action.upgradeUrl]),
    [
      ['search', { free: 10 }, 'enforce', undefined],
      ['exports', { free: 5, paid: 300 }, 'shadow', '/pricing'],
    ],
  );
  assert.equal(await buildLoopConfigSource(updated, { step }), updated);
});

test('a step matched by endpoint and methods (no id in the file) is updated, not duplicated', async () => {
  const step: LoopStep = {
    ...featuresStep,
    trigger: { type: 'api', endpoint: '/api/features/*/', method: 'post' },
    failOpen: false,
  };
  const updated = await buildLoopConfigSource(pageSnippet, { step });
  const loop = await readBack(updated);
  assert.equal(loop.steps.length, 1);
  assert.equal(loop.steps[0]!.failOpen, false);
  assert.equal(loop.steps[0]!.trigger.endpoint, '/api/features/*/'.replace(/\/$/, ''));
});

test("a new step is appended after the existing ones, in the file's layout", async () => {
  const step: LoopStep = {
    trigger: { type: 'api', endpoint: '/api/items', method: 'DELETE' },
    condition: { type: 'usage', limit: { free: 1 }, period: '1d' },
    action: { type: 'block', message: 'One deletion a day on the free plan' },
  };
  const updated = await buildLoopConfigSource(handWritten, { step });
  // Everything up to the last step's closing brace stays; a comma follows it, then the new step.
  const lastStepEnd = handWritten.indexOf('    }\n  ],') + '    }'.length;
  assert.ok(updated.startsWith(`${handWritten.slice(0, lastStepEnd)},\n    {\n      trigger: `), updated);
  assert.ok(updated.endsWith(`    }\n  ],\n  recovery: { retries: 1 }\n});\n`), updated);
  const loop = await readBack(updated);
  assert.deepEqual(
    loop.steps.map((s) => s.id),
    ['search', 'exports', 'api-items-delete'],
  );
  assert.equal(await buildLoopConfigSource(updated, { step }), updated);
});

const sharedBase = `import { defineLoop } from 'skene';

const LIMITS = { free: 10, paid: Infinity };
const base = {
  condition: { type: 'usage', limit: LIMITS, period: '1d' },
  action: { type: 'block', message: 'Limit reached' },
} as const;

export default defineLoop({
  type: 'freemium',
  steps: [
    { ...base, id: 'a', trigger: { type: 'api', endpoint: '/a', method: 'POST' } },
    { ...base, id: 'b', trigger: { type: 'api', endpoint: '/b', method: 'POST' } },
  ],
});
`;

test('a change to a step built from a shared const changes that step only', async () => {
  const step: LoopStep = {
    id: 'b',
    trigger: { type: 'api', endpoint: '/b', method: 'POST' },
    condition: { type: 'usage', limit: { free: 20 }, period: '1d' },
    action: { type: 'block', message: 'Limit reached' },
  };
  const updated = await buildLoopConfigSource(sharedBase, { step });
  assert.ok(updated.includes('const LIMITS = { free: 10, paid: Infinity };'), updated);
  const loop = await readBack(updated);
  assert.deepEqual(
    loop.steps.map((s) => [s.id, s.condition.limit]),
    [
      ['a', { free: 10, paid: null }],
      ['b', { free: 20, paid: null }],
    ],
  );
  assert.equal(await buildLoopConfigSource(updated, { step }), updated);
});

const constUsedOnce = `import { defineLoop } from 'skene';

const LIMITS = { free: 10, paid: Infinity } as const;
const period = '1d';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/v2/**', method: 'DELETE' },
      condition: { type: 'usage', limit: LIMITS, period },
      action: { type: 'block', message: 'Upgrade to delete more.' },
    },
  ],
});
`;

test('a const used once is edited where it is declared; a shorthand property gets its value written out', async () => {
  const step: LoopStep = {
    trigger: { type: 'api', endpoint: '/v2/**', method: 'DELETE' },
    condition: { type: 'usage', limit: { free: 25 }, period: '1w' },
    action: { type: 'block', message: 'Upgrade to delete more.' },
  };
  const updated = await buildLoopConfigSource(constUsedOnce, { step });
  assert.deepEqual(changedLines(constUsedOnce, updated), [
    ['const LIMITS = { free: 10, paid: Infinity } as const;', 'const LIMITS = { free: 25, paid: Infinity } as const;'],
    [
      "      condition: { type: 'usage', limit: LIMITS, period },",
      "      condition: { type: 'usage', limit: LIMITS, period: '1w' },",
    ],
  ]);
  const loop = await readBack(updated);
  assert.deepEqual(loop.steps[0]!.condition.limit, { free: 25, paid: null });
  assert.equal(loop.steps[0]!.condition.period, '1w');
  assert.equal(await buildLoopConfigSource(updated, { step }), updated);
});

test('a file with a syntax error is refused with a SkeneError, not rewritten', async () => {
  const broken = readFileSync(new URL('./corpus/page-snippet-apostrophe.ts', import.meta.url), 'utf8');
  await assert.rejects(buildLoopConfigSource(broken, { step: featuresStep }), (error: unknown) => {
    assert.ok(error instanceof SkeneError);
    assert.match(error.message, /syntax error at line 24/);
    return true;
  });
});

test('a file without a default export is refused with a SkeneError', async () => {
  await assert.rejects(
    buildLoopConfigSource("import { defineLoop } from 'skene';\nexport const loop = 1;\n", { step: featuresStep }),
    SkeneError,
  );
});
