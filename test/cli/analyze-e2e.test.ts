/**
 * `skene analyze` end to end: the built CLI on temp copies of fixture projects, as a user runs it.
 */

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

import { copyFixture } from '../helpers/fixtures.js';
import { runSkene } from './helpers.js';

interface Document {
  schemaVersion: number;
  apps: Array<{ file: string; line: number; mountedAt: Array<{ app: { file: string; line: number }; path: string }> }>;
  routes: Array<{
    method: string;
    path: string;
    file: string;
    line: number;
    function: string;
    dependencies: string[];
    app: { file: string; line: number };
  }>;
  stripe: {
    used: boolean;
    webhooks: Array<{ function: string; events: string[]; route?: { method: string; path: string } }>;
  };
  auth: { primary: { name: string; module: string } | null };
  database: { kind: string };
  diagnostics: Array<{ file: string; line: number; message: string }>;
}

const BOUND_NOTE = 'requirements.txt:1 FastAPI >=0.92 has no upper bound; the route table follows the newest FastAPI';

test('analyze --json on the Stripe SaaS fixture: exit 0, one JSON document on stdout, nothing on stderr', async (t) => {
  const project = await copyFixture('stripe-saas');
  t.after(() => rm(dirname(project), { recursive: true, force: true }));
  const run = await runSkene(['analyze', project, '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const document = JSON.parse(run.stdout) as Document;
  assert.equal(document.schemaVersion, 1);
  assert.deepEqual(
    document.apps.map((a) => [a.file, a.mountedAt]),
    [['app/main.py', []]],
  );
  assert.equal(document.routes.length, 18);
  const checkout = document.routes.find((r) => r.path === '/api/v1/billing/checkout');
  assert.ok(checkout);
  assert.equal(checkout.method, 'POST');
  assert.equal(checkout.file, 'app/api/routes/billing.py');
  assert.equal(checkout.function, 'create_checkout');
  assert.ok(checkout.dependencies.includes('get_current_user'));
  assert.deepEqual(checkout.app, { file: 'app/main.py', line: document.apps[0]!.line });
  assert.equal(document.stripe.used, true);
  assert.deepEqual(
    document.stripe.webhooks.map((w) => [w.function, w.route, w.events.length]),
    [['stripe_webhook', { method: 'POST', path: '/api/v1/webhooks/stripe' }, 3]],
  );
  assert.deepEqual(document.auth.primary && [document.auth.primary.name, document.auth.primary.module], [
    'get_current_user',
    'app.api.deps',
  ]);
  assert.equal(document.database.kind, 'sqlalchemy');
  // The one thing to say of this project: its FastAPI requirement has only a lower bound.
  assert.deepEqual(document.diagnostics, [
    {
      file: 'requirements.txt',
      line: 1,
      severity: 'info',
      message: 'FastAPI >=0.92 has no upper bound; the route table follows the newest FastAPI',
    },
  ]);
  assert.ok(!run.stdout.includes(project), 'no absolute paths in the document');
});

test('analyze without --json prints the table and the summary line; DIR defaults to the current folder', async (t) => {
  const project = await copyFixture('stripe-saas');
  t.after(() => rm(dirname(project), { recursive: true, force: true }));
  const run = await runSkene(['analyze'], { cwd: project });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^app — FastAPI app in app\/main\.py:\d+$/m);
  assert.match(run.stdout, /^ {2}app\/api\/routes\/billing\.py · router$/m);
  assert.match(
    run.stdout,
    /^ {4}POST +\/api\/v1\/billing\/checkout +create_checkout +:\d+ +depends: get_current_user, get_db$/m,
  );
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(
    lines.at(-1),
    '18 routes in 6 files · Stripe: checkout, portal, customers, webhook (3 events) · auth: get_current_user · database: SQLAlchemy',
  );
  assert.ok(!run.stdout.includes('\x1b['), 'NO_COLOR: no escape codes');
  assert.equal(run.stderr, `${BOUND_NOTE}\n`, 'only the version note, no progress without a TTY');
});

test('analyze prints diagnostics on stderr as file:line message and keeps stdout for results', async (t) => {
  const project = await copyFixture('broken-files');
  t.after(() => rm(dirname(project), { recursive: true, force: true }));
  const human = await runSkene(['analyze', project]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stderr, /^⚠ blog\/assets\/logo\.py:1 skipped: binary file/m);
  assert.doesNotMatch(human.stderr, /messages_fr\.py/, 'a latin-1 module with its PEP 263 line is read, not skipped');
  assert.match(human.stderr, /^⚠ legacy\/admin_panel\.py:\d+ syntax error/m);
  assert.doesNotMatch(human.stdout, /skipped:/);
  assert.match(human.stdout, /routes in \d+ files · Stripe: not used/);

  const json = await runSkene(['analyze', project, '--json']);
  assert.equal(json.code, 0);
  assert.equal(json.stderr, '', 'with --json the diagnostics are in the document only');
  const document = JSON.parse(json.stdout) as Document;
  assert.ok(
    document.diagnostics.some(
      (d) => d.file === 'legacy/admin_panel.py' && d.line > 0 && /syntax error/.test(d.message),
    ),
  );
});

test('analyze of a folder that does not exist is a usage error (exit 2)', async () => {
  const missing = join(dirname(await copyFixture('single-file')), 'no-such-folder');
  const run = await runSkene(['analyze', missing, '--json']);
  assert.equal(run.code, 2);
  const error = JSON.parse(run.stdout) as { ok: boolean; error: { message: string; hint?: string; exitCode: number } };
  assert.equal(error.ok, false);
  assert.match(error.error.message, /no-such-folder is not a folder/);
  assert.equal(error.error.exitCode, 2);
  assert.match(run.stderr, /no-such-folder is not a folder/);
  assert.match(run.stderr, /skene analyze \[DIR\]/);
  await rm(dirname(missing), { recursive: true, force: true });
});

test('analyze with an unknown flag is a usage error (exit 2)', async () => {
  const run = await runSkene(['analyze', '--jsno']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /unknown option '--jsno'/);
});
