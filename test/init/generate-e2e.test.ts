/**
 * `skene generate` on the built CLI: after the user edits skene.config.ts it regenerates the runtime
 * and its compiled loop and gates the routes that now match; like init it shows the diff and asks
 * (--yes answers; without a terminal and without --yes it exits 2 naming --yes); --dry-run writes
 * nothing; a broken or missing config is a failure with located diagnostics.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { changedFiles, initStripeSaasReports, runBuiltSkene, snapshotFiles } from './init-harness.js';

test('after an edit of skene.config.ts: the compiled loop is regenerated and the newly matching routes are gated', async () => {
  const root = await initStripeSaasReports();

  // The user widens the trigger by hand and raises the limit; the comment stays theirs.
  const configPath = join(root, 'skene.config.ts');
  const config = await readFile(configPath, 'utf8');
  const edited = config
    .replace("endpoint: '/api/v1/reports/'", "endpoint: '/api/v1/*/**'")
    .replace('free: 3,', 'free: 25,')
    .replace('  steps: [', '  // Every resource counts now.\n  steps: [');
  assert.notEqual(edited, config);
  await writeFile(configPath, edited);

  const before = snapshotFiles(root);
  const dryRun = await runBuiltSkene(['generate', root, '--dry-run']);
  assert.equal(dryRun.code, 0, dryRun.stderr);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), [], '--dry-run writes nothing');
  assert.match(dryRun.stdout, /Dry run: nothing was written\./);

  // It edits route files, so it asks like init: without a terminal, --yes must answer.
  const unanswered = await runBuiltSkene(['generate', root]);
  assert.equal(unanswered.code, 2, unanswered.stderr);
  assert.match(unanswered.stderr, /No answer for "Write \d+ files\?" and no terminal to ask on\./);
  assert.match(unanswered.stderr, /Pass --yes\./);
  assert.match(unanswered.stdout, /\+\+\+ b\/app\/api\/routes\/projects\.py/, 'the diff is shown before the question');
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), [], 'nothing written without an answer');

  const result = await runBuiltSkene(['generate', root, '--yes']);
  assert.equal(result.code, 0, result.stderr);
  const changed = changedFiles(before, snapshotFiles(root));
  assert.ok(changed.includes('app/skene/loop.json'), changed.join(', '));
  assert.ok(changed.includes('app/api/routes/projects.py'), changed.join(', '));
  assert.ok(!changed.includes('skene.config.ts'), 'generate never writes the config');
  assert.ok(!changed.includes('app/main.py'), 'already wired: left alone');
  assert.match(result.stdout, /^Updated \(\d+\):$/m);
  assert.match(result.stdout, /^ {2}~ app\/skene\/loop\.json$/m);
  assert.match(result.stdout, /^ {2}~ app\/api\/routes\/projects\.py — gate POST \/api\/v1\/projects\//m);
  assert.match(result.stdout, /^Unchanged \(\d+\): .*app\/skene\/_gate\.py/m);
  assert.match(result.stdout, /^ {2}POST \/api\/v1\/reports\/ {2}app\/api\/routes\/reports\.py:\d+ {2}already gated$/m);
  assert.match(result.stdout, /^ {2}POST \/api\/v1\/projects\/ {2}app\/api\/routes\/projects\.py:\d+ {2}gated$/m);
  // The billing routes match the widened glob too and have a user: gated, as the user asked.
  assert.match(result.stdout, /^ {2}POST \/api\/v1\/billing\/checkout {2}app\/api\/routes\/billing\.py:\d+ {2}gated$/m);
  // Routes without a user (sign-up, the Stripe webhook) stay public: their gates count through identify(request).
  for (const [route, file] of [
    ['POST /api/v1/webhooks/stripe', 'app/api/routes/webhooks.py'],
    ['POST /api/v1/auth/signup', 'app/api/routes/auth.py'],
  ] as const) {
    const listed = result.stdout.split('\n').find((line) => line.startsWith(`  ${route}  ${file}:`));
    assert.match(listed ?? '', / {2}gated {2}no user dependency: counted through identify\(request\)$/, result.stdout);
    assert.ok(changed.includes(file), changed.join(', '));
    assert.match(
      await readFile(join(root, file), 'utf8'),
      /dependencies=\[Depends\(skene_gate\("[\w-]+", identify=True\)\)\]/,
      file,
    );
  }
  assert.match(
    result.stdout,
    /POST \/api\/v1\/.*have no user dependency, so their gates count whoever identify\(request\) returns: edit it in app\/skene\/_integration\.py/,
  );
  const compiled = JSON.parse(await readFile(join(root, 'app/skene/loop.json'), 'utf8')) as {
    steps: Array<{ endpoint: string; limits: { free: number } }>;
  };
  assert.deepEqual([compiled.steps[0]?.endpoint, compiled.steps[0]?.limits.free], ['/api/v1/*/**', 25]);

  const after = snapshotFiles(root);
  const again = await runBuiltSkene(['generate', root, '--yes']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Already up to date: nothing to change\./);
  assert.deepEqual(changedFiles(after, snapshotFiles(root)), []);
});

test('a broken skene.config.ts: exit 1 with file:line:col diagnostics, nothing written', async () => {
  const root = await copyFixture('single-file');
  await writeFile(
    join(root, 'skene.config.ts'),
    [
      "import { defineLoop } from 'skene';",
      '',
      'export default defineLoop({',
      "  type: 'freemium',",
      '  steps: [',
      '    {',
      "      trigger: { type: 'api', endpoint: '/links', method: 'POST' },",
      "      condition: { type: 'usage', limit: { free: 10 }, period: '30 days' },",
      "      action: { type: 'block', message: 'Upgrade' },",
      '    },',
      '  ],',
      '});',
      '',
    ].join('\n'),
  );
  const before = snapshotFiles(root);
  const result = await runBuiltSkene(['generate', root]);
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stderr, /skene\.config\.ts has 1 problem:/);
  assert.match(result.stderr, /skene\.config\.ts:8:\d+/);
  assert.match(result.stderr, /period/);
  assert.match(result.stderr, /Fix skene\.config\.ts, then run skene generate again\./);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
});

test('no skene.config.ts: exit 1 pointing at skene init', async () => {
  const root = await copyFixture('single-file');
  const result = await runBuiltSkene(['generate', root]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /No skene\.config\.ts in /);
  assert.match(result.stderr, /skene init/);
});
