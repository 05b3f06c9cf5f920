import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  fakePrice,
  fakeStripeKeys,
  fakeWebhookEndpoint,
  type StripeServer,
  startStripeServer,
  stripeError,
} from '../helpers/stripe-server.js';
import { answersFor, applyInit, completeEnv, copyWiredFixture, editFile, lineIn } from './wired-project.js';

// Runs the built CLI (`npm run build` first, as `npm test` does) as a user's CI would.
const bin = fileURLToPath(new URL('../../bin/skene.js', import.meta.url));
const SAAS = { fixture: 'stripe-saas', answers: answersFor('/api/v1/reports/**') };
const EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
];

let server: StripeServer;
const configHome = mkdtempSync(join(tmpdir(), 'skene-doctor-cli-'));

before(async () => {
  server = await startStripeServer();
});
after(async () => {
  await server.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Async on purpose: the Stripe test server lives in this process and must keep answering. */
function doctor(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...completeEnv,
    // Only node's folder: no other `skene` can be found, and the result does not depend on this machine.
    PATH: dirname(process.execPath),
    HOME: configHome,
    XDG_CONFIG_HOME: configHome,
    CI: '1',
    NO_COLOR: '1',
    SKENE_STRIPE_API_BASE: server.url,
    SKENE_STRIPE_TIMEOUT_MS: '15000',
    ...extraEnv,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'doctor', ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface JsonCheck {
  id: string;
  status: 'pass' | 'warn' | 'fail';
  message: string;
  file?: string;
  line?: number;
  col?: number;
  fix?: string;
}

/** Exactly one JSON document on stdout, in the schema of PRODUCT.md §5 (plus `col` on config diagnostics). */
function parseReport(run: Run): { ok: boolean; checks: JsonCheck[] } {
  assert.match(run.stdout, /^\{[\s\S]*\}\n$/, 'stdout is one JSON document and a newline');
  const document = JSON.parse(run.stdout) as { ok: unknown; checks: unknown };
  assert.deepEqual(Object.keys(document), ['ok', 'checks']);
  assert.equal(typeof document.ok, 'boolean');
  assert.ok(Array.isArray(document.checks) && document.checks.length > 0);
  for (const check of document.checks as Array<Record<string, unknown>>) {
    for (const key of Object.keys(check))
      assert.ok(['id', 'status', 'message', 'file', 'line', 'col', 'fix'].includes(key), `unexpected key ${key}`);
    assert.equal(typeof check.id, 'string');
    assert.match(check.id as string, /^[a-z]+\.[a-z-]+$/);
    assert.ok(['pass', 'warn', 'fail'].includes(check.status as string));
    assert.equal(typeof check.message, 'string');
    if ('file' in check) assert.equal(typeof check.file, 'string');
    if ('line' in check) assert.ok(Number.isInteger(check.line) && (check.line as number) >= 1);
    if ('col' in check) assert.ok(Number.isInteger(check.col) && (check.col as number) >= 1);
    if (check.status === 'pass') assert.equal(check.fix, undefined, 'a passing check has no fix');
    else
      assert.ok(
        typeof check.fix === 'string' && check.fix !== '' && !check.fix.includes('\n'),
        'a problem has a one-line fix',
      );
  }
  const report = document as { ok: boolean; checks: JsonCheck[] };
  assert.equal(report.ok, !report.checks.some((check) => check.status === 'fail'));
  return report;
}

const problems = (checks: JsonCheck[]): Array<[string, string]> =>
  checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status]);

test('built CLI: a fully set-up project passes --offline --json with exit 0', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  const run = await doctor([root, '--offline', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = parseReport(run);
  assert.equal(report.ok, true);
  assert.deepEqual(problems(report.checks), []);
  assert.ok(report.checks.some((check) => check.id === 'stripe.skipped'));
  assert.equal(run.stderr, '');
  assert.doesNotMatch(run.stdout, /whsec_doctorTestSecretValue|re_doctorTestResendValue/);
});

test('built CLI: a route added after init and a stale runtime fail with exit 1, grouped ✓ ⚠ ✗ with fix lines', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  editFile(
    root,
    'app/api/routes/reports.py',
    (text) =>
      `${text}\n\n@router.post("/{report_id}/share")\ndef share_report(report_id: int, current_user: User = Depends(get_current_user)):\n    return {}\n`,
  );
  editFile(root, 'skene.config.ts', (text) => text.replace('free: 100', 'free: 5'));
  const json = await doctor([root, '--offline', '--json'], { SKENE_UPGRADE_URL: undefined });
  assert.equal(json.code, 1);
  const report = parseReport(json);
  assert.deepEqual(problems(report.checks), [
    ['routes.gated', 'fail'],
    ['runtime.fresh', 'fail'],
    ['env.upgrade-url', 'warn'],
  ]);

  const human = await doctor([root, '--offline'], { SKENE_UPGRADE_URL: undefined });
  assert.equal(human.code, 1);
  const out = human.stdout;
  for (const group of [
    'Project',
    'Config',
    'Routes',
    'Runtime',
    'Wiring',
    'Email',
    'Environment',
    'Database',
    'Stripe',
    'Install',
  ]) {
    assert.match(out, new RegExp(`^${group}$`, 'm'), `group ${group}`);
  }
  assert.ok(out.indexOf('\nRoutes\n') < out.indexOf('\nRuntime\n'), 'groups in order');
  assert.match(
    out,
    /^ {2}✗ POST \/api\/v1\/reports\/\{report_id\}\/share \(app\/api\/routes\/reports\.py:\d+\) matches step "api-v1-reports-post" but is not gated$/m,
  );
  assert.match(out, /^ {6}app\/api\/routes\/reports\.py:\d+$/m);
  assert.match(
    out,
    /^ {6}→ Run `skene init` to wire it, or add dependencies=\[Depends\(skene_gate\("api-v1-reports-post", handler_user=True\)\)\] to its decorator\.$/m,
  );
  assert.match(out, /^ {2}✗ the runtime is stale: .*\n {6}app\/skene\/loop\.json\n {6}→ Run `skene generate`\.$/m);
  assert.match(out, /^ {2}⚠ SKENE_UPGRADE_URL is not set/m);
  assert.match(out, /^ {2}✓ skene\.config\.ts parses$/m);
  assert.match(out, /^\d+ passed · 1 warning · 2 failed$/m);
});

test('built CLI: a config diagnostic is located at file:line:col, with its code frame', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  editFile(root, 'skene.config.ts', (text) => text.replace("period: '30d'", "period: '30 days'"));
  const json = await doctor([root, '--offline', '--json']);
  assert.equal(json.code, 1);
  const values = parseReport(json).checks.find((check) => check.id === 'config.values');
  const line = lineIn(root, 'skene.config.ts', '30 days');
  assert.deepEqual([values?.status, values?.file, values?.line], ['fail', 'skene.config.ts', line]);
  assert.ok(values?.col !== undefined && values.col > 1);
  const human = await doctor([root, '--offline']);
  assert.match(human.stdout, new RegExp(`^ {6}skene\\.config\\.ts:${line}:${values?.col}$`, 'm'));
  assert.match(human.stdout, /30 days/);
});

test('built CLI: a folder that does not exist is a usage error (exit 2)', async () => {
  const run = await doctor([join(configHome, 'no-such-project'), '--offline', '--json']);
  assert.equal(run.code, 2);
  const error = JSON.parse(run.stdout) as { ok: boolean; error: { message: string; exitCode: number } };
  assert.deepEqual([error.ok, error.error.exitCode], [false, 2]);
  assert.match(error.error.message, /No folder at/);
  assert.match(run.stderr, /No folder at/);
});

/** A wired project whose config names Stripe prices, regenerated so the runtime is fresh. */
async function projectWithPlans(): Promise<string> {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  editFile(root, 'skene.config.ts', (text) =>
    text.replace('  steps: [', "  plans: { pro: { prices: ['price_pro', 'pro_monthly'] } },\n  steps: ["),
  );
  await applyInit(root, SAAS.answers);
  return root;
}

function setUpStripe(): void {
  server.state.respond = undefined;
  server.state.prices = [fakePrice({ id: 'price_pro' }), fakePrice({ id: 'price_monthly', lookup_key: 'pro_monthly' })];
  server.state.webhookEndpoints = [
    fakeWebhookEndpoint({ url: 'https://reports.example.com/api/v1/webhooks/stripe', enabled_events: EVENTS }),
  ];
}

test('built CLI online: a complete Stripe set-up passes with exit 0; --offline makes no request', async () => {
  const root = await projectWithPlans();
  setUpStripe();
  const run = await doctor([root, '--json'], { STRIPE_SECRET_KEY: fakeStripeKeys.secret });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const checks = parseReport(run).checks.filter((check) => check.id.startsWith('stripe.'));
  assert.deepEqual(
    checks.map((check) => [check.id, check.status]),
    [
      ['stripe.key', 'pass'],
      ['stripe.prices', 'pass'],
      ['stripe.prices', 'pass'],
      ['stripe.webhook', 'pass'],
      ['stripe.subscriptions', 'pass'],
    ],
  );
  assert.match(checks[0]!.message, /test mode/);
  assert.match(checks[3]!.message, /\/api\/v1\/webhooks\/stripe/);
  assert.doesNotMatch(run.stdout, new RegExp(fakeStripeKeys.secret));

  const before = server.requests.length;
  const offline = await doctor([root, '--offline', '--json'], { STRIPE_SECRET_KEY: fakeStripeKeys.secret });
  assert.equal(offline.code, 0);
  assert.equal(server.requests.length, before, '--offline calls no Stripe endpoint');
});

test('built CLI online: a missing webhook endpoint, an inactive price and a live/test mismatch fail with exit 1', async () => {
  const root = await projectWithPlans();
  setUpStripe();
  server.state.prices = [
    fakePrice({ id: 'price_pro', active: false }),
    fakePrice({ id: 'price_monthly', lookup_key: 'pro_monthly' }),
  ];
  server.state.webhookEndpoints = [
    fakeWebhookEndpoint({ url: 'https://reports.example.com/skene/webhooks/stripe', enabled_events: EVENTS }),
  ];
  // What Stripe answers a live key asking for a test-mode price.
  server.state.respond = (request) =>
    request.path === '/v1/prices/price_pro' && request.apiKey === fakeStripeKeys.live
      ? stripeError(
          404,
          "No such price: 'price_pro'; a similar object exists in test mode, but a live mode key was used to make this request.",
          {
            code: 'resource_missing',
            param: 'id',
          },
        )
      : undefined;
  const live = await doctor([root, '--json'], { STRIPE_SECRET_KEY: fakeStripeKeys.live });
  assert.equal(live.code, 1);
  const checks = parseReport(live).checks.filter((check) => check.id.startsWith('stripe.'));
  assert.deepEqual(
    checks.map((check) => [check.id, check.status]),
    [
      ['stripe.key', 'pass'],
      ['stripe.prices', 'fail'],
      ['stripe.prices', 'pass'],
      ['stripe.webhook', 'fail'],
      ['stripe.subscriptions', 'pass'],
    ],
  );
  assert.match(checks[1]!.message, /plan "pro": price price_pro exists in test mode, but the key is a live key/);
  assert.deepEqual(
    [checks[1]!.file, checks[1]!.line],
    ['skene.config.ts', lineIn(root, 'skene.config.ts', "'price_pro'")],
  );
  assert.match(checks[3]!.message, /no live-mode webhook endpoint points at \/api\/v1\/webhooks\/stripe/);

  const test = await doctor([root, '--json'], { STRIPE_SECRET_KEY: fakeStripeKeys.secret });
  assert.equal(test.code, 1);
  const testChecks = parseReport(test).checks.filter((check) => check.id.startsWith('stripe.'));
  assert.deepEqual(problems(testChecks), [
    ['stripe.prices', 'fail'],
    ['stripe.webhook', 'warn'],
  ]);
  assert.match(
    testChecks.find((check) => check.status === 'fail')!.message,
    /price price_pro \(price_pro\) is archived \(inactive\)/,
  );
});

test('built CLI: doctor --help lists the flags, the marks and the exit codes', async () => {
  const run = await doctor(['--help']);
  assert.equal(run.code, 0);
  for (const text of [
    '--json',
    '--offline',
    '✓ (pass), ⚠ (warning) or ✗ (failure)',
    '0    every check passed or warned',
    '1    a check failed',
    '2    usage error',
  ]) {
    assert.ok(run.stdout.includes(text), text);
  }
});
