import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readLoopConfig } from '../../src/config/read-config.js';
import type { ConfigDiagnostic, NormalizedLoop } from '../../src/config/types.js';

const corpusDir = fileURLToPath(new URL('./corpus/', import.meta.url));

interface ExpectedDiagnostic {
  line: number;
  col: number;
  code: ConfigDiagnostic['code'];
  /** A fragment of the message. */
  message: string;
  /** A fragment of the hint, when the hint matters. */
  hint?: string;
}

type Case =
  | { file: string; valid: (loop: NormalizedLoop) => void }
  | { file: string; diagnostics: ExpectedDiagnostic[] };

const stepIds = (loop: NormalizedLoop): string[] => loop.steps.map((s) => s.id);

/**
 * Every file of test/config/corpus/ with what the reader must say about it: a valid loop (checked
 * value by value) or exactly these diagnostics, in this order.
 */
const corpus: Case[] = [
  // --- the page's snippet, as published and fixed ---------------------------------------------------
  {
    file: 'page-snippet-apostrophe.ts',
    diagnostics: [
      {
        line: 24,
        col: 22,
        code: 'syntax',
        message: 'Unescaped apostrophe',
        hint: 'double quotes: "You\'ve reached your free tier limit. Upgrade to continue."',
      },
    ],
  },
  {
    file: 'page-snippet-fixed.ts',
    valid: (loop) => {
      assert.deepEqual(stepIds(loop), ['api-features-post']);
      assert.deepEqual(loop.steps[0]!.condition.limit, { free: 100, paid: null });
      assert.equal(loop.steps[0]!.action.message, "You've reached your free tier limit. Upgrade to continue.");
      assert.deepEqual(loop.recovery, { retries: 0 });
    },
  },
  {
    file: 'broken-two-apostrophes.ts',
    diagnostics: [
      {
        line: 5,
        col: 16,
        code: 'syntax',
        message: 'Unescaped apostrophe',
        hint: '"Don\'t let free users run up our bill"',
      },
      {
        line: 10,
        col: 45,
        code: 'syntax',
        message: 'Unescaped apostrophe',
        hint: '"You\'ve used your plan\'s free quota."',
      },
    ],
  },
  {
    file: 'broken-syntax-missing-brace.ts',
    diagnostics: [{ line: 11, col: 3, code: 'syntax', message: 'Property assignment expected' }],
  },
  {
    file: 'broken-missing-comma.ts',
    diagnostics: [{ line: 5, col: 3, code: 'syntax', message: "',' expected", hint: 'separated by commas' }],
  },
  {
    file: 'broken-unterminated-string.ts',
    diagnostics: [
      { line: 10, col: 88, code: 'syntax', message: 'Unterminated string literal', hint: 'Close the string' },
    ],
  },

  // --- valid loops ------------------------------------------------------------------------------
  {
    file: 'valid-page-shape-skene.ts',
    valid: (loop) => {
      assert.deepEqual(stepIds(loop), ['reports-api']);
      assert.equal(loop.opinion, 'Enforce usage limits for free tier users and trigger upgrade prompts');
      assert.deepEqual(loop.steps[0]!.action.upgradePrompt, {
        type: 'email',
        provider: 'resend',
        template: 'upgrade_prompt',
      });
      assert.equal(loop.steps[0]!.condition.periodSeconds, 30 * 86_400);
      assert.equal(loop.steps[0]!.mode, 'enforce');
      assert.equal(loop.steps[0]!.failOpen, true);
    },
  },
  {
    file: 'valid-as-const.ts',
    valid: (loop) => {
      assert.deepEqual(loop.steps[0]!.trigger, { type: 'api', endpoint: '/api/reports/**', methods: ['POST', 'PUT'] });
      assert.deepEqual(stepIds(loop), ['api-reports-post-put']);
      assert.equal(loop.steps[0]!.condition.periodSeconds, 12 * 3600);
    },
  },
  {
    file: 'valid-satisfies.ts',
    valid: (loop) => {
      // The trailing slash is dropped from the endpoint; free: 0 is a valid limit.
      assert.equal(loop.steps[0]!.trigger.endpoint, '/exports/{export_id}/download');
      assert.deepEqual(loop.steps[0]!.condition.limit, { free: 0, paid: 1000 });
      assert.deepEqual(loop.recovery, { retries: 2 });
    },
  },
  {
    file: 'valid-const-references.ts',
    valid: (loop) => {
      assert.deepEqual(stepIds(loop), ['api-v1-items-post', 'api-v1-items-any']);
      assert.equal(loop.steps[0]!.action.message, "You've used all 100 free requests.");
      assert.deepEqual(loop.steps[1]!.condition.limit, { free: 100, paid: null });
      assert.equal(loop.steps[1]!.trigger.methods, '*');
      assert.equal(loop.steps[0]!.action.upgradePrompt?.template, 'upgrade_prompt');
    },
  },
  {
    file: 'valid-exported-const-alias.ts',
    valid: (loop) => {
      assert.deepEqual(stepIds(loop), ['v2-delete']);
      assert.deepEqual(loop.steps[0]!.condition.limit, { free: 10, paid: null });
      assert.equal(loop.steps[0]!.condition.period, '1d');
    },
  },
  {
    file: 'valid-plans.ts',
    valid: (loop) => {
      assert.deepEqual(loop.plans, {
        pro: { prices: ['price_1PRO', 'pro_monthly'] },
        team: { prices: ['price_1TEAM'] },
      });
      assert.deepEqual(loop.steps[0]!.condition.limit, { free: 20, paid: 200, pro: 2000, team: null });
    },
  },
  {
    file: 'valid-shadow-failopen-upgradeurl.ts',
    valid: (loop) => {
      assert.deepEqual(stepIds(loop), ['api-search-get', 'api-search-get-2']);
      assert.deepEqual(
        [loop.steps[0]!.mode, loop.steps[0]!.failOpen, loop.steps[0]!.action.upgradeUrl],
        ['shadow', false, 'https://example.com/pricing'],
      );
      assert.deepEqual(
        [loop.steps[1]!.mode, loop.steps[1]!.failOpen, loop.steps[1]!.action.upgradeUrl],
        ['enforce', true, '/pricing'],
      );
      assert.equal(loop.steps[0]!.condition.periodSeconds, 3600);
    },
  },
  {
    file: 'valid-derived-ids.ts',
    valid: (loop) => {
      // A derived id that an explicit one already took gets a suffix; '*' and '/**' give 'root-any'.
      assert.deepEqual(stepIds(loop), ['api-items-post', 'api-items-post-2', 'root-any']);
      assert.equal(loop.steps[1]!.trigger.endpoint, '/api/items');
    },
  },

  // --- type errors against skene's own declarations -----------------------------------------------
  {
    file: 'broken-type-period-string.ts',
    diagnostics: [
      { line: 10, col: 55, code: 'type', message: "Type 'string' is not assignable to type '`${number}m`" },
    ],
  },
  {
    file: 'broken-type-period-string-legacy-sdk.ts',
    diagnostics: [
      { line: 10, col: 55, code: 'type', message: "Type 'string' is not assignable to type '`${number}m`" },
    ],
  },
  {
    file: 'broken-type-unknown-export.ts',
    diagnostics: [
      {
        line: 1,
        col: 22,
        code: 'type',
        message: `Module '"skene"' has no exported member 'defineStep'`,
        hint: 'exports defineLoop',
      },
    ],
  },
  {
    file: 'broken-type-unknown-module.ts',
    diagnostics: [
      {
        line: 1,
        col: 28,
        code: 'type',
        message: "Cannot find module 'skene-sdk'",
        hint: "imports only from 'skene' (or '@skene/sdk')",
      },
    ],
  },
  {
    file: 'broken-type-no-import.ts',
    diagnostics: [
      {
        line: 1,
        col: 16,
        code: 'type',
        message: "Cannot find name 'defineLoop'",
        hint: "import { defineLoop } from 'skene'",
      },
    ],
  },
  {
    file: 'broken-wrong-value-type.ts',
    diagnostics: [
      { line: 8, col: 50, code: 'type', message: 'limit.free must be a number, not the string "100"' },
      { line: 10, col: 17, code: 'type', message: 'failOpen must be true or false, not the string "yes"' },
    ],
  },

  // --- unknown and missing keys ------------------------------------------------------------------
  {
    file: 'broken-unknown-keys.ts',
    diagnostics: [
      {
        line: 5,
        col: 3,
        code: 'unknown-key',
        message: 'Unknown key "stesp" in the loop',
        hint: 'Did you mean "steps"?',
      },
      {
        line: 8,
        col: 51,
        code: 'unknown-key',
        message: 'Unknown key "methd" in trigger',
        hint: 'Did you mean "method"?',
      },
      {
        line: 9,
        col: 35,
        code: 'unknown-key',
        message: 'Unknown key "limt" in condition',
        hint: 'Did you mean "limit"?',
      },
      {
        line: 10,
        col: 53,
        code: 'unknown-key',
        message: 'Unknown key "upgradeURL" in action',
        hint: 'Did you mean "upgradeUrl"?',
      },
      {
        line: 11,
        col: 7,
        code: 'unknown-key',
        message: 'Unknown key "failopen" in steps[0]',
        hint: 'Did you mean "failOpen"?',
      },
      {
        line: 14,
        col: 15,
        code: 'unknown-key',
        message: 'Unknown key "retry" in recovery',
        hint: 'Did you mean "retries"?',
      },
    ],
  },
  {
    file: 'broken-missing-keys.ts',
    diagnostics: [
      { line: 6, col: 5, code: 'missing', message: 'steps[0] is missing "action"' },
      { line: 7, col: 16, code: 'missing', message: 'trigger is missing "method"' },
      { line: 8, col: 18, code: 'missing', message: 'condition is missing "period"' },
    ],
  },
  {
    file: 'broken-no-default-export.ts',
    diagnostics: [
      {
        line: 13,
        col: 1,
        code: 'no-default-export',
        message: 'has no default export',
        hint: 'export default defineLoop',
      },
    ],
  },

  // --- invalid values ----------------------------------------------------------------------------
  {
    file: 'broken-period-syntax.ts',
    diagnostics: [
      { line: 8, col: 63, code: 'invalid-value', message: 'Invalid period "30 days"', hint: '<n>d (days)' },
      { line: 13, col: 63, code: 'invalid-value', message: 'Invalid period "0d"' },
      { line: 18, col: 63, code: 'invalid-value', message: 'Invalid period "1y"' },
    ],
  },
  {
    file: 'broken-limits-negative-fractional.ts',
    diagnostics: [
      {
        line: 8,
        col: 50,
        code: 'invalid-value',
        message: 'Invalid limit for free: -5',
        hint: 'whole number >= 0, or Infinity',
      },
      { line: 8, col: 60, code: 'invalid-value', message: 'Invalid limit for paid: 2.5' },
      { line: 12, col: 24, code: 'invalid-value', message: 'Invalid retries: 1.5' },
    ],
  },
  {
    file: 'broken-limit-nan-negative-infinity.ts',
    diagnostics: [
      { line: 8, col: 50, code: 'invalid-value', message: 'Invalid limit for free: NaN' },
      { line: 8, col: 61, code: 'invalid-value', message: 'Invalid limit for paid: -Infinity' },
    ],
  },
  {
    file: 'broken-unknown-method.ts',
    diagnostics: [
      { line: 7, col: 59, code: 'invalid-value', message: 'Unknown HTTP method "FETCH"', hint: 'GET, POST, PUT' },
      { line: 12, col: 68, code: 'invalid-value', message: 'Unknown HTTP method "PSOT"', hint: 'Did you mean "POST"?' },
    ],
  },
  {
    file: 'broken-invalid-glob.ts',
    diagnostics: [
      {
        line: 7,
        col: 41,
        code: 'invalid-value',
        message: 'Invalid endpoint glob "/api/feat*": "feat*": "*" and "**" stand for whole path segments',
      },
      {
        line: 12,
        col: 41,
        code: 'invalid-value',
        message: 'Invalid endpoint glob "api/items": an endpoint starts with "/"',
      },
      { line: 17, col: 41, code: 'invalid-value', message: 'without a query string' },
    ],
  },
  {
    file: 'broken-duplicate-ids.ts',
    diagnostics: [
      {
        line: 13,
        col: 11,
        code: 'duplicate-id',
        message: 'Duplicate step id "features"',
        hint: 'first used on line 7',
      },
    ],
  },
  {
    file: 'broken-no-free-limit.ts',
    diagnostics: [{ line: 8, col: 42, code: 'missing', message: 'limit has no free limit', hint: 'Add free: <n>' }],
  },
  {
    file: 'broken-unsupported-provider.ts',
    diagnostics: [
      {
        line: 12,
        col: 51,
        code: 'invalid-value',
        message: 'Unsupported email provider "sendgrid"',
        hint: "provider: 'resend'",
      },
    ],
  },
  {
    file: 'broken-unknown-plan.ts',
    diagnostics: [
      { line: 7, col: 5, code: 'invalid-value', message: '"paid" is a built-in plan' },
      { line: 8, col: 21, code: 'invalid-value', message: 'plan "team" needs a non-empty list of prices' },
      { line: 13, col: 53, code: 'unknown-key', message: 'Unknown plan "por" in limit', hint: 'Did you mean "pro"?' },
      {
        line: 13,
        col: 62,
        code: 'unknown-key',
        message: 'Unknown plan "enterprise" in limit',
        hint: 'plans: { enterprise:',
      },
    ],
  },
  {
    file: 'broken-enums-and-urls.ts',
    diagnostics: [
      { line: 4, col: 9, code: 'invalid-value', message: "type must be 'freemium', not 'premium'" },
      { line: 7, col: 11, code: 'invalid-value', message: 'Invalid step id "bad id!"' },
      { line: 8, col: 24, code: 'invalid-value', message: "type must be 'api', not 'webhook'" },
      { line: 10, col: 41, code: 'invalid-value', message: 'message is empty' },
      { line: 10, col: 59, code: 'invalid-value', message: 'Invalid upgradeUrl "pricing page"' },
      { line: 11, col: 13, code: 'invalid-value', message: "mode must be 'enforce' or 'shadow', not 'shadw'" },
    ],
  },
  {
    file: 'broken-empty-steps.ts',
    diagnostics: [
      { line: 5, col: 10, code: 'invalid-value', message: 'steps is empty' },
      { line: 6, col: 24, code: 'invalid-value', message: 'Invalid retries: -1' },
    ],
  },

  // --- values known only when the file runs ------------------------------------------------------
  {
    file: 'broken-function-call.ts',
    diagnostics: [
      {
        line: 12,
        col: 50,
        code: 'not-static',
        message: 'limit.free: freeLimit(...) is a function call, and skene reads skene.config.ts without running it',
      },
    ],
  },
  {
    file: 'broken-env-read.ts',
    diagnostics: [
      {
        line: 9,
        col: 65,
        code: 'not-static',
        message: 'upgradeUrl: process.env.UPGRADE_URL is an environment variable',
        hint: 'Write the value itself in skene.config.ts',
      },
    ],
  },
  {
    file: 'broken-let-and-import.ts',
    diagnostics: [
      { line: 2, col: 25, code: 'type', message: "Cannot find module './messages'" },
      {
        line: 11,
        col: 50,
        code: 'not-static',
        message: '"limit" is declared with let',
        hint: 'Declare it with const.',
      },
      { line: 12, col: 41, code: 'not-static', message: '"MESSAGE" is imported from another file' },
    ],
  },
];

const readCorpusFile = (file: string): string => readFileSync(`${corpusDir}${file}`, 'utf8');

test('the corpus table covers every file of the corpus folder, and has at least 25 cases', () => {
  const onDisk = readdirSync(corpusDir)
    .filter((name) => name.endsWith('.ts'))
    .sort();
  assert.deepEqual(corpus.map((c) => c.file).sort(), onDisk);
  assert.ok(corpus.length >= 25, `only ${corpus.length} cases`);
});

for (const entry of corpus) {
  test(`corpus: ${entry.file}`, async () => {
    const source = readCorpusFile(entry.file);
    const result = await readLoopConfig('skene.config.ts', source);
    if ('valid' in entry) {
      assert.deepEqual(
        result.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`),
        [],
      );
      assert.ok(result.loop, 'a valid config gives a loop');
      entry.valid(result.loop);
      return;
    }
    assert.equal(result.loop, undefined, 'a broken config gives no loop');
    const got = result.diagnostics.map((d) => `${d.line}:${d.col} [${d.code}] ${d.message}`);
    assert.equal(result.diagnostics.length, entry.diagnostics.length, `diagnostics:\n${got.join('\n')}`);
    entry.diagnostics.forEach((want, i) => {
      const d = result.diagnostics[i]!;
      assert.equal(
        `${d.line}:${d.col} [${d.code}]`,
        `${want.line}:${want.col} [${want.code}]`,
        `diagnostic ${i}:\n${got.join('\n')}`,
      );
      assert.ok(
        d.message.includes(want.message),
        `message ${JSON.stringify(d.message)} lacks ${JSON.stringify(want.message)}`,
      );
      if (want.hint !== undefined)
        assert.ok(d.hint?.includes(want.hint), `hint ${JSON.stringify(d.hint)} lacks ${JSON.stringify(want.hint)}`);
      assert.equal(d.file, 'skene.config.ts');
      // Every diagnostic carries a code frame with a caret under its column.
      const frameLines = d.frame?.split('\n') ?? [];
      const marked = frameLines.findIndex((l) => l.startsWith('>'));
      assert.ok(
        marked !== -1 && frameLines[marked]!.includes(` ${d.line} |`),
        `frame marks line ${d.line}:\n${d.frame}`,
      );
      const caretLine = frameLines[marked + 1] ?? '';
      const gutter = caretLine.indexOf('|') + 2;
      assert.equal(caretLine.indexOf('^') - gutter, d.col - 1, `caret at column ${d.col}:\n${d.frame}`);
    });
  });
}
