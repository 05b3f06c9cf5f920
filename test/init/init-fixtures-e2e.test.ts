/**
 * `skene init` end to end on the built CLI, over a temp copy of every fixture it applies to: init with
 * flags, then the wired app is run on every Python lane its declared FastAPI allows to prove the gate works (N calls pass, the next
 * gets 402 with the configured message, a signed subscription unblocks); a second run with the same
 * answers changes no byte; a new --limit changes only skene.config.ts and the compiled loop.json.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { changedFiles, runBuiltSkene, runGateCheck, snapshotFiles } from './init-harness.js';

interface Scenario {
  fixture: string;
  endpoint: string;
  method: string;
  limit: number;
  /** The runtime folder init generates into. */
  runtimeDir: string;
  /** Where the signed Stripe events go: the app's own webhook, or the one skene mounts. */
  webhookPath: string;
  /** `METHOD path  file` of every route the summary must list as gated. */
  gated: string[];
  /** Wiring files init must update. */
  wired: string[];
  /** The app has no auth dependency: the test edits identify(request) as the summary tells the user to. */
  editIdentify?: boolean;
  /** Other generated files and what they must contain. */
  files?: Record<string, RegExp>;
}

const MESSAGE = "You've used this month's free requests. Upgrade to keep going.";
const UPGRADE_URL = 'https://example.test/pricing';

const SCENARIOS: Scenario[] = [
  {
    fixture: 'stripe-saas',
    endpoint: '/api/v1/reports/**',
    method: 'POST',
    limit: 3,
    runtimeDir: 'app/skene',
    webhookPath: '/api/v1/webhooks/stripe',
    gated: [
      'POST /api/v1/reports/  app/api/routes/reports.py',
      'POST /api/v1/reports/{report_id}/export  app/api/routes/reports.py',
    ],
    wired: ['app/api/routes/reports.py', 'app/main.py', 'app/api/routes/webhooks.py'],
  },
  {
    fixture: 'fullstack-template',
    endpoint: '/api/v1/items/',
    method: 'POST',
    limit: 2,
    runtimeDir: 'backend/app/skene',
    webhookPath: '/skene/webhooks/stripe',
    gated: ['POST /api/v1/items/  backend/app/api/routes/items.py'],
    wired: ['backend/app/api/routes/items.py', 'backend/app/main.py'],
    // skene's Alembic migration follows the app's own head revision.
    files: { 'backend/app/alembic/versions/skene_0001_create_skene_tables.py': /^down_revision = "e2412789c190"$/m },
  },
  {
    fixture: 'src-layout',
    endpoint: '/api/v1/tasks/**',
    method: 'POST',
    limit: 2,
    runtimeDir: 'src/taskflow/skene',
    webhookPath: '/skene/webhooks/stripe',
    gated: [
      'POST /api/v1/tasks  src/taskflow/tasks/routes.py',
      'POST /api/v1/tasks/{task_id}/complete  src/taskflow/tasks/routes.py',
    ],
    wired: ['src/taskflow/tasks/routes.py', 'src/taskflow/main.py'],
  },
  {
    fixture: 'app-factory',
    endpoint: '/**/orders',
    method: 'POST',
    limit: 2,
    runtimeDir: 'service/skene',
    webhookPath: '/skene/webhooks/stripe',
    gated: [
      'POST /api/v1/orders  service/api/v1/orders.py',
      'POST /internal/api/v1/orders  service/api/v1/orders.py',
      'POST /partners/acme/orders  service/routers/partner_feed.py',
    ],
    wired: ['service/api/v1/orders.py', 'service/routers/partner_feed.py', 'service/app.py'],
  },
  {
    fixture: 'single-file',
    endpoint: '/links',
    method: 'POST',
    limit: 2,
    runtimeDir: 'skene_runtime',
    webhookPath: '/skene/webhooks/stripe',
    gated: ['POST /links  main.py'],
    wired: ['main.py'],
    editIdentify: true,
  },
  {
    fixture: 'mounted-subapp',
    endpoint: '/v2/threads/**',
    method: 'POST',
    limit: 2,
    runtimeDir: 'chat/skene',
    webhookPath: '/skene/webhooks/stripe',
    gated: ['POST /v2/threads/{room}/{message_index}/replies  chat/v2/app.py'],
    wired: ['chat/v2/app.py', 'chat/main.py'],
  },
  {
    fixture: 'broken-files',
    endpoint: '/posts/**',
    method: 'POST',
    limit: 2,
    runtimeDir: 'blog/skene',
    webhookPath: '/skene/webhooks/stripe',
    gated: [
      'POST /posts/  blog/posts.py',
      'POST /posts/{post_id}/publish  blog/posts.py',
      'POST /posts/{post_id}/comments  blog/comments.py',
    ],
    wired: ['blog/posts.py', 'blog/comments.py', 'blog/main.py'],
  },
  {
    fixture: 'modern-saas',
    endpoint: '/api/v1/summaries/',
    method: 'POST',
    limit: 3,
    runtimeDir: 'app/skene',
    webhookPath: '/api/v1/billing/webhook',
    gated: ['POST /api/v1/summaries/  app/api/routes/summaries.py'],
    wired: ['app/api/routes/summaries.py', 'app/main.py', 'app/api/routes/billing.py'],
  },
  {
    fixture: 'sqlmodel-notes',
    endpoint: '/notes/*/transcribe',
    method: 'POST',
    limit: 2,
    runtimeDir: 'notes/skene',
    webhookPath: '/skene/webhooks/stripe',
    gated: ['POST /notes/{note_id}/transcribe  notes/routes.py'],
    wired: ['notes/routes.py', 'notes/main.py'],
  },
  {
    fixture: 'link-column',
    endpoint: '/api/documents/summarize',
    method: 'POST',
    limit: 2,
    runtimeDir: 'saas/skene',
    webhookPath: '/skene/webhooks/stripe',
    gated: ['POST /api/documents/summarize  saas/routers/documents.py'],
    wired: ['saas/routers/documents.py', 'saas/main.py'],
    files: { 'saas/skene/_integration.py': /USER_CUSTOMER_FIELD = "stripe_customer_id"/ },
  },
  {
    fixture: 'link-email',
    endpoint: '/v1/transcripts',
    method: 'POST',
    limit: 2,
    runtimeDir: 'meetings/skene',
    webhookPath: '/billing/stripe-webhook',
    gated: ['POST /v1/transcripts  meetings/api/transcripts.py'],
    wired: ['meetings/api/transcripts.py', 'meetings/main.py', 'meetings/api/billing.py'],
    files: { 'meetings/skene/_integration.py': /USER_EMAIL_FIELD = "email_address"/ },
  },
];

function initArgs(root: string, scenario: Scenario, limit = scenario.limit): string[] {
  return [
    'init',
    root,
    '--endpoint',
    scenario.endpoint,
    '--method',
    scenario.method,
    '--limit',
    String(limit),
    '--period',
    '30d',
    '--message',
    MESSAGE,
    '--upgrade-url',
    UPGRADE_URL,
    '--provider',
    'resend',
    '--template',
    'upgrade_prompt',
    '--yes',
  ];
}

/** What a user does when no auth dependency was found: identify(request) reads their own header. */
async function editIdentify(root: string, runtimeDir: string): Promise<void> {
  const file = join(root, runtimeDir, '_integration.py');
  const source = await readFile(file, 'utf8');
  const body = /(def identify\(request\):\n)([\s\S]*?)(# skene:identify-end)/;
  assert.match(source, body, 'identify(request) is in _integration.py between its markers');
  await writeFile(file, source.replace(body, '$1    return request.headers.get("x-user")\n\n\n$3'));
}

describe('skene init on every fixture', () => {
  for (const scenario of SCENARIOS) {
    test(`${scenario.fixture}: init with flags, the gate works in the running app, reruns change only what they should`, async () => {
      const root = await copyFixture(scenario.fixture);
      const first = await runBuiltSkene(initArgs(root, scenario));
      assert.equal(first.code, 0, `init failed:\n${first.stdout}\n${first.stderr}`);

      // The summary: files created / updated / unchanged, the routes now gated, the next steps.
      const out = first.stdout;
      assert.match(out, /^Created \(\d+\):$/m);
      assert.match(out, /^ {2}\+ skene\.config\.ts — step /m);
      assert.ok(out.includes(`  + ${scenario.runtimeDir}/_gate.py`), out);
      assert.ok(out.includes(`  + ${scenario.runtimeDir}/loop.json`), out);
      assert.match(out, /^Updated \(\d+\):$/m);
      for (const file of scenario.wired)
        assert.ok(out.includes(`  ~ ${file} — `), `${file} listed as updated:\n${out}`);
      for (const route of scenario.gated) {
        // The line shown is where the route is after the edit (imports added above it move it down).
        const listed = out.split('\n').some((line) => line.startsWith(`  ${route}:`) && /:\d+ {2}gated$/.test(line));
        assert.ok(listed, `${route} listed as gated:\n${out}`);
      }
      assert.match(out, /^Next steps:$/m);
      for (const needle of [
        'STRIPE_WEBHOOK_SECRET',
        'RESEND_API_KEY',
        'SKENE_EMAIL_FROM',
        'npx skene doctor',
        'npx skene stats',
      ]) {
        assert.ok(out.includes(needle), `next steps name ${needle}:\n${out}`);
      }
      assert.ok(!out.includes('Edit by hand'), `nothing left to the user:\n${out}`);
      assert.match(first.stderr, /Found in /);

      for (const [file, content] of Object.entries(scenario.files ?? {})) {
        assert.match(await readFile(join(root, file), 'utf8'), content, file);
      }
      if (scenario.editIdentify) {
        assert.ok(out.includes(`edit identify(request) in ${scenario.runtimeDir}/_integration.py`), out);
        await editIdentify(root, scenario.runtimeDir);
      }

      for (const { lane, report } of await runGateCheck({
        root,
        fixture: scenario.fixture,
        limit: scenario.limit,
        webhookPath: scenario.webhookPath,
      })) {
        const on = `on ${lane.name} (FastAPI ${lane.fastapiVersion})`;
        assert.deepEqual(
          report.calls.map((call) => call.status >= 200 && call.status < 300),
          Array(scenario.limit).fill(true),
          `${on}: the first ${scenario.limit} calls pass: ${JSON.stringify(report.calls.map((c) => [c.status, c.body]))}`,
        );
        assert.equal(report.calls.at(-1)?.headers['ratelimit-remaining'], '0', on);
        assert.equal(report.blocked.status, 402, `${on}: ${JSON.stringify(report.blocked)}`);
        assert.deepEqual(
          { ...(report.blocked.body as Record<string, unknown>), resets_at: undefined, upgrade_url: undefined },
          {
            error: 'upgrade_required',
            message: MESSAGE,
            upgrade_url: undefined,
            limit: scenario.limit,
            used: scenario.limit,
            period: '30d',
            resets_at: undefined,
          },
          on,
        );
        // The tracked link to UPGRADE_URL (test/python/test_upgrade_links.py follows such links).
        assert.match(
          String((report.blocked.body as { upgrade_url: unknown }).upgrade_url),
          /\/skene\/upgrade\/[\w-]+\.[\w-]+$/,
          on,
        );
        assert.deepEqual(report.webhooks, [200, 200], `${on}: both signed events are accepted`);
        assert.ok(
          report.afterSubscribe.status >= 200 && report.afterSubscribe.status < 300,
          `${on}: a paid user passes: ${JSON.stringify(report.afterSubscribe)}`,
        );
      }

      // Same answers again: no byte changes, and the summary says so.
      const before = snapshotFiles(root);
      const second = await runBuiltSkene(initArgs(root, scenario));
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /Already up to date: nothing to change\./);
      assert.ok(second.stdout.includes('already gated'), second.stdout);
      assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);

      // A new limit: the config value and the compiled loop change, nothing else.
      const third = await runBuiltSkene(initArgs(root, scenario, scenario.limit + 5));
      assert.equal(third.code, 0, third.stderr);
      assert.deepEqual(
        changedFiles(before, snapshotFiles(root)),
        ['skene.config.ts', `${scenario.runtimeDir}/loop.json`].sort(),
      );
      const config = await readFile(join(root, 'skene.config.ts'), 'utf8');
      assert.match(config, new RegExp(`free: ${scenario.limit + 5}\\b`));
      const compiled = JSON.parse(await readFile(join(root, scenario.runtimeDir, 'loop.json'), 'utf8')) as {
        steps: Array<{ limits: { free: number } }>;
      };
      assert.equal(compiled.steps[0]?.limits.free, scenario.limit + 5);
    });
  }
});
