/**
 * The interactive `skene init`, in-process, through an injected prompt adapter (ctx.overrides.prompter):
 * every question, its default and its validation, then the confirm before writing.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Choice, Prompter } from '../../src/ui/prompts.js';
import { copyFixture } from '../helpers/fixtures.js';
import { runSkene } from '../login/login-harness.js';
import { changedFiles, snapshotFiles } from './init-harness.js';

interface Asked {
  flag: string;
  message: string;
  default?: unknown;
  choices?: unknown[];
}

/**
 * Answers each question from the script for its flag, in order. An answer refused by validate() is
 * recorded and the next scripted one is tried, as inquirer asks again. A question without a scripted
 * answer fails the test.
 */
function scriptedAnswers(script: Record<string, unknown[]>): Prompter & { asked: Asked[]; refused: string[] } {
  const queues = new Map(Object.entries(script).map(([flag, answers]) => [flag, [...answers]]));
  const asked: Asked[] = [];
  const refused: string[] = [];
  const next = (flag: string, message: string): unknown => {
    const queue = queues.get(flag);
    if (!queue || queue.length === 0) throw new Error(`unexpected question for ${flag}: ${message}`);
    return queue.shift();
  };
  const answerText = (q: {
    message: string;
    flag: string;
    default?: string;
    validate?: (value: string) => true | string;
  }): string => {
    for (;;) {
      const typed = next(q.flag, q.message) as string;
      // inquirer answers the default for an empty line, before validating.
      const answer = typed === '' && q.default !== undefined ? q.default : typed;
      const verdict = q.validate?.(answer) ?? true;
      if (verdict === true) return answer;
      refused.push(`${q.flag} ${answer}: ${verdict}`);
    }
  };
  return {
    interactive: true,
    asked,
    refused,
    async input(q) {
      asked.push({ flag: q.flag, message: q.message, default: q.default });
      return answerText(q);
    },
    async password(q) {
      asked.push({ flag: q.flag, message: q.message });
      return answerText(q);
    },
    async confirm(q) {
      asked.push({ flag: q.flag, message: q.message, default: q.default });
      return next(q.flag, q.message) as boolean;
    },
    async select<T>(q: { message: string; choices: Choice<T>[]; default?: T; flag: string }) {
      asked.push({ flag: q.flag, message: q.message, default: q.default, choices: q.choices.map((c) => c.value) });
      const answer = next(q.flag, q.message) as T;
      assert.ok(
        q.choices.some((c) => c.value === answer),
        `${String(answer)} is one of the choices for ${q.flag}`,
      );
      return answer;
    },
  };
}

test('the conversation: suggested defaults, validation, a confirm, then the files are written', async () => {
  const root = await copyFixture('stripe-saas');
  const prompter = scriptedAnswers({
    '--endpoint': ['/api/v1/nothing/**', '/api/v1/reports/**'],
    '--method': ['POST'],
    '--limit': ['ten', '10'],
    '--period': [''],
    '--message': ["You've hit the free plan's limit."],
    '--upgrade-url': ['pricing', 'https://example.test/pricing'],
    '--provider': ['resend'],
    '--template': ['report_limit'],
    '--plan-source': ['subscription_status'],
    '--yes': [true],
  });
  const result = await runSkene(['init', root], { env: { NO_COLOR: '1' }, stdinIsTTY: true, prompter });
  assert.equal(result.code, 0, result.stderr);

  assert.deepEqual(
    prompter.asked.map((q) => q.flag),
    [
      '--endpoint',
      '--method',
      '--limit',
      '--period',
      '--message',
      '--upgrade-url',
      '--provider',
      '--template',
      '--plan-source',
      '--yes',
    ],
  );
  const byFlag = new Map(prompter.asked.map((q) => [q.flag, q]));
  assert.equal(byFlag.get('--endpoint')?.default, '/api/v1/projects/**', 'the endpoint suggested from the analysis');
  const methods = byFlag.get('--method')?.choices ?? [];
  assert.deepEqual([...methods].sort(), ['*', 'DELETE', 'GET', 'POST'], 'the methods the matched routes have, and any');
  assert.equal(byFlag.get('--method')?.default, 'POST');
  assert.equal(byFlag.get('--limit')?.default, '100');
  assert.equal(byFlag.get('--period')?.default, '30d');
  assert.equal(byFlag.get('--message')?.default, "You've reached your free tier limit. Upgrade to continue.");
  assert.equal(byFlag.get('--template')?.default, 'upgrade_prompt');
  assert.deepEqual(
    byFlag.get('--plan-source')?.choices,
    ['subscription_status', ''],
    "the user's own status column, or none",
  );
  assert.equal(byFlag.get('--plan-source')?.default, 'subscription_status');
  assert.match(byFlag.get('--yes')?.message ?? '', /^Write \d+ files\?$/);
  assert.deepEqual(prompter.refused, [
    '--endpoint /api/v1/nothing/**: /api/v1/nothing/** matches no route of this project',
    '--limit ten: a whole number >= 0',
    "--upgrade-url pricing: Use an absolute http(s) URL ('https://example.com/pricing') or a path on the app ('/pricing').",
  ]);

  const config = await readFile(join(root, 'skene.config.ts'), 'utf8');
  assert.match(config, /endpoint: '\/api\/v1\/reports\/\*\*', method: 'POST'/);
  assert.match(config, /limit: \{ free: 10, paid: Infinity \},\s+period: '30d'/);
  assert.ok(config.includes(`message: "You've hit the free plan's limit."`), config);
  assert.ok(config.includes(`upgradeUrl: 'https://example.test/pricing'`), config);
  assert.ok(config.includes(`template: 'report_limit'`), config);
  assert.match(
    config,
    /planSource: \{\s+type: 'user-field',\s+field: 'subscription_status',\s+plans: \{ paid: \['active', 'trialing'\] \},\s+\},/,
  );
  const email = await readFile(join(root, 'app/skene/emails/report_limit.html'), 'utf8');
  assert.match(email, /subject:/);
  const reports = await readFile(join(root, 'app/api/routes/reports.py'), 'utf8');
  assert.equal(reports.match(/skene_gate\("api-v1-reports-post", handler_user=True\)/g)?.length, 2);
  assert.match(result.stdout, /^Created \(\d+\):$/m);
  assert.match(result.stdout, /Next steps:/);
});

test('declining the confirm writes nothing and exits 130', async () => {
  const root = await copyFixture('single-file');
  const before = snapshotFiles(root);
  const prompter = scriptedAnswers({ '--yes': [false] });
  const result = await runSkene(
    [
      'init',
      root,
      '--endpoint',
      '/links',
      '--method',
      'POST',
      '--limit',
      '5',
      '--period',
      '1w',
      '--message',
      'Upgrade',
      '--upgrade-url',
      'https://x.test/up',
      '--provider',
      'none',
    ],
    { env: { NO_COLOR: '1' }, stdinIsTTY: true, prompter },
  );
  assert.equal(result.code, 130);
  assert.deepEqual(
    prompter.asked.map((q) => q.flag),
    ['--yes'],
    'flags answer every question but the confirm',
  );
  assert.match(result.stderr, /Nothing was written\./);
  assert.ok(result.stdout.includes('+++ b/main.py'), 'the diff was shown before asking');
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
});

test('a second interactive run on an existing step offers its values as the defaults', async () => {
  const root = await copyFixture('single-file');
  const first = await runSkene(
    [
      'init',
      root,
      '--endpoint',
      '/links',
      '--method',
      'POST',
      '--limit',
      '7',
      '--period',
      '2w',
      '--message',
      'Links are capped on the free plan.',
      '--provider',
      'none',
      '--upgrade-url',
      'https://x.test/up',
      '--yes',
    ],
    { env: { NO_COLOR: '1' } },
  );
  assert.equal(first.code, 0, first.stderr);
  const before = snapshotFiles(root);
  const prompter = scriptedAnswers({
    '--endpoint': [''],
    '--method': ['POST'],
    '--limit': [''],
    '--period': [''],
    '--message': [''],
    '--upgrade-url': [''],
    '--provider': ['none'],
  });
  const second = await runSkene(['init', root], { env: { NO_COLOR: '1' }, stdinIsTTY: true, prompter });
  assert.equal(second.code, 0, second.stderr);
  const byFlag = new Map(prompter.asked.map((q) => [q.flag, q.default]));
  assert.equal(byFlag.get('--endpoint'), '/links');
  assert.equal(byFlag.get('--limit'), '7');
  assert.equal(byFlag.get('--period'), '2w');
  assert.equal(byFlag.get('--message'), 'Links are capped on the free plan.');
  assert.equal(byFlag.get('--upgrade-url'), 'https://x.test/up');
  assert.equal(byFlag.get('--provider'), 'none');
  assert.ok(!prompter.asked.some((q) => q.flag === '--yes'), 'nothing to write, nothing to confirm');
  assert.match(second.stdout, /Already up to date/);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
});
