/**
 * init's flags follow the loop's own rules (src/config/loop-rules.ts): a value the flag accepts is one the
 * config validator accepts, and a value the validator refuses is refused up front, with its words, exit 2.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readLoopConfig } from '../../src/config/read-config.js';
import { UsageError } from '../../src/errors.js';
import { parseInitFlags } from '../../src/workflows/init-answers.js';
import { copyFixture } from '../helpers/fixtures.js';
import { changedFiles, runBuiltSkene, snapshotFiles } from './init-harness.js';

function configWith(action: string): string {
  return `import { defineLoop } from 'skene';

export default defineLoop({
  type: 'freemium',
  steps: [
    {
      trigger: { type: 'api', endpoint: '/api/reports', method: 'POST' },
      condition: { type: 'usage', limit: { free: 5 }, period: '30d' },
      action: { type: 'block', message: 'No more.', ${action} },
    },
  ],
});
`;
}

async function validatorAccepts(action: string): Promise<{ ok: boolean; messages: string[] }> {
  const result = await readLoopConfig('skene.config.ts', configWith(action));
  return { ok: result.loop !== undefined, messages: result.diagnostics.map((d) => d.message) };
}

function flagAccepts(options: { upgradeUrl?: string; template?: string }): { ok: boolean; message?: string } {
  try {
    parseInitFlags({ dir: '.', ...options });
    return { ok: true };
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return { ok: false, message: error.message };
  }
}

const URLS = [
  'https://example.com/pricing',
  'http://localhost:3000/upgrade?plan=pro',
  '/pricing',
  '/billing/upgrade#pro',
  'pricing',
  '//example.com/pricing',
  '/pri cing',
  'ftp://example.com/pricing',
  'mailto:sales@example.com',
  'javascript:alert(1)',
  'https:',
  'https://',
  '',
];

test('--upgrade-url accepts exactly the upgradeUrl values the config validator accepts', async () => {
  for (const url of URLS) {
    const config = await validatorAccepts(`upgradeUrl: ${JSON.stringify(url)}`);
    const flag = flagAccepts({ upgradeUrl: url });
    assert.equal(
      flag.ok,
      config.ok,
      `${JSON.stringify(url)}: flag ${flag.message ?? 'ok'}, validator ${config.messages.join('; ') || 'ok'}`,
    );
    if (!flag.ok) assert.ok(flag.message?.includes(`Invalid upgradeUrl "${url}"`), flag.message);
  }
  // Both sides were exercised: some values pass and some fail.
  assert.ok(URLS.some((url) => flagAccepts({ upgradeUrl: url }).ok));
  assert.ok(URLS.some((url) => !flagAccepts({ upgradeUrl: url }).ok));
});

const TEMPLATES = ['upgrade_prompt', 'promo-2', '9lives', 'A', '_promo', '-promo', 'pro mo', 'promo.html', 'a/b', ''];

test('--template accepts exactly the template names the config validator accepts', async () => {
  for (const template of TEMPLATES) {
    const config = await validatorAccepts(
      `upgradePrompt: { type: 'email', provider: 'resend', template: ${JSON.stringify(template)} }`,
    );
    const flag = flagAccepts({ template });
    assert.equal(
      flag.ok,
      config.ok,
      `${JSON.stringify(template)}: flag ${flag.message ?? 'ok'}, validator ${config.messages.join('; ') || 'ok'}`,
    );
    if (!flag.ok && template !== '') {
      assert.ok(flag.message?.includes(`Invalid template name "${template}"`), flag.message);
      assert.ok(config.messages.includes(`Invalid template name "${template}"`), config.messages.join('; '));
    }
  }
});

test('init --template _promo fails up front with the validator message, exit 2, nothing written', async () => {
  const root = await copyFixture('single-file');
  const before = snapshotFiles(root);
  const result = await runBuiltSkene(['init', root, '--yes', '--template', '_promo']);
  assert.equal(result.code, 2, result.stderr);
  assert.ok(result.stderr.includes('--template _promo: Invalid template name "_promo".'), result.stderr);
  assert.match(result.stderr, /starting with a letter or digit/);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
});

test('init --upgrade-url /pricing writes a config the validator reads back', async () => {
  const root = await copyFixture('single-file');
  const result = await runBuiltSkene(['init', root, '--yes', '--upgrade-url', '/pricing']);
  assert.equal(result.code, 0, result.stderr);
  const file = join(root, 'skene.config.ts');
  assert.ok((await readFile(file, 'utf8')).includes(`upgradeUrl: '/pricing'`));
  const read = await readLoopConfig(file);
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.loop?.steps[0]?.action.upgradeUrl, '/pricing');

  const refused = await runBuiltSkene(['init', root, '--yes', '--upgrade-url', 'pricing']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.ok(refused.stderr.includes('--upgrade-url pricing: Invalid upgradeUrl "pricing".'), refused.stderr);
  assert.match(refused.stderr, /or a path on the app \('\/pricing'\)/);
});

test('init --plan-source naming a plan the config does not declare fails up front with the validator message', async () => {
  const root = await copyFixture('single-file');
  const before = snapshotFiles(root);
  const result = await runBuiltSkene(['init', root, '--yes', '--plan-source', 'tier=pro:pro']);
  assert.equal(result.code, 2, result.stderr);
  assert.ok(
    result.stderr.includes('planSource.plans names "pro", which is neither paid nor a plan in plans.'),
    result.stderr,
  );
  assert.match(result.stderr, /Use paid, or declare the plan in plans\./);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);

  const paid = await runBuiltSkene(['init', root, '--yes', '--plan-source', 'tier=paid:pro,team']);
  assert.equal(paid.code, 0, paid.stderr);
  const read = await readLoopConfig(join(root, 'skene.config.ts'));
  assert.deepEqual(read.diagnostics, []);
  assert.deepEqual(read.loop?.planSource, { type: 'user-field', field: 'tier', plans: { paid: ['pro', 'team'] } });
});
