/**
 * `skene init` without a terminal, on the built CLI: --dry-run writes nothing, a missing answer exits 2
 * naming its flag, --yes takes the defaults, bad flags are usage errors.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { changedFiles, runBuiltSkene, snapshotFiles } from './init-harness.js';

test('--dry-run shows the diff and the would-be summary, and writes nothing', async () => {
  const root = await copyFixture('stripe-saas');
  const before = snapshotFiles(root);
  const result = await runBuiltSkene([
    'init',
    root,
    '--endpoint',
    '/api/v1/reports/**',
    '--method',
    'POST',
    '--limit',
    '5',
    '--yes',
    '--dry-run',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
  const out = result.stdout;
  assert.ok(out.includes('+++ b/skene.config.ts'), out);
  assert.ok(
    out.includes(
      '+@router.post("/", response_model=ReportOut, status_code=status.HTTP_201_CREATED, dependencies=[Depends(skene_gate("api-v1-reports-post", handler_user=True))])',
    ),
    out,
  );
  assert.ok(out.includes('+        skene_handle_stripe_event(event)'), out);
  assert.match(out, /^ {2}\+ app\/skene\/_gate\.py \(new, \d+ lines\)$/m);
  assert.match(out, /^Would be created \(\d+\):$/m);
  assert.match(out, /^Would be updated \(3\):$/m);
  assert.match(out, /^ {2}POST \/api\/v1\/reports\/ {2}app\/api\/routes\/reports\.py:25 {2}to be gated$/m);
  assert.match(out, /Dry run: nothing was written\./);
  assert.ok(!out.includes('Next steps'), out);
});

test('without a terminal, each missing answer exits 2 naming its flag, and nothing is written', async () => {
  const root = await copyFixture('stripe-saas');
  const before = snapshotFiles(root);
  const cases: Array<{ args: string[]; flag: string }> = [
    { args: [], flag: '--endpoint' },
    { args: ['--endpoint', '/api/v1/reports/**'], flag: '--method' },
    { args: ['--endpoint', '/api/v1/reports/**', '--method', 'POST'], flag: '--limit' },
    {
      args: [
        '--endpoint',
        '/api/v1/reports/**',
        '--method',
        'POST',
        '--limit',
        '5',
        '--period',
        '7d',
        '--message',
        'Upgrade!',
        '--upgrade-url',
        'https://example.test/up',
        '--provider',
        'resend',
        '--template',
        'upgrade_prompt',
      ],
      flag: '--yes',
    },
  ];
  for (const { args, flag } of cases) {
    const result = await runBuiltSkene(['init', root, ...args]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
    assert.ok(result.stderr.includes(`Pass ${flag}.`), `${args.join(' ')} names ${flag}: ${result.stderr}`);
    assert.match(result.stderr, /no terminal to ask on/);
  }
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
});

test('--yes answers with the suggested endpoint and the page defaults', async () => {
  const root = await copyFixture('stripe-saas');
  const result = await runBuiltSkene(['init', root, '--yes']);
  assert.equal(result.code, 0, result.stderr);
  const config = await readFile(join(root, 'skene.config.ts'), 'utf8');
  assert.match(config, /endpoint: '\/api\/v1\/projects\/\*\*', method: 'POST'/);
  assert.match(config, /limit: \{ free: 100, paid: Infinity \},\s+period: '30d',\s+refund: 'server-errors'/);
  assert.ok(config.includes(`message: "You've reached your free tier limit. Upgrade to continue."`), config);
  assert.ok(
    config.includes(`upgradePrompt: { type: 'email', provider: 'resend', template: 'upgrade_prompt' }`),
    config,
  );
  assert.match(result.stdout, /skene is set up in /);
  assert.match(result.stdout, /Set SKENE_UPGRADE_URL/);
});

test('bad flags and an endpoint matching no route are usage errors (exit 2) before any write', async () => {
  const root = await copyFixture('single-file');
  const before = snapshotFiles(root);
  const cases: Array<{ args: string[]; error: RegExp }> = [
    { args: ['--limit', '-3'], error: /--limit -3: the free limit is a whole number >= 0\./ },
    { args: ['--limit', '2.5'], error: /--limit 2\.5/ },
    { args: ['--period', '30 days'], error: /--period 30 days: use <n>m, <n>h, <n>d or <n>w/ },
    { args: ['--method', 'FETCH'], error: /--method FETCH: unknown HTTP method/ },
    { args: ['--provider', 'mailgun'], error: /--provider mailgun/ },
    { args: ['--upgrade-url', 'ftp://x'], error: /--upgrade-url ftp:\/\/x/ },
    {
      args: ['--endpoint', '/nothing/here/**'],
      error: /--endpoint \/nothing\/here\/\*\* matches no route of this project\./,
    },
    {
      args: ['--endpoint', '/links', '--method', 'PUT'],
      error: /--endpoint \/links with --method PUT matches no route\./,
    },
  ];
  for (const { args, error } of cases) {
    const result = await runBuiltSkene(['init', root, '--yes', ...args]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, error);
  }
  const missing = await runBuiltSkene(['init', join(root, 'no-such-folder'), '--yes']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /is not a folder/);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
});
