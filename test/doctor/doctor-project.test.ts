import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Check, DoctorReport } from '../../src/doctor/types.js';
import { gitInit, writeFiles } from './helpers.js';
import {
  answersFor,
  completeEnv,
  copyWiredFixture,
  editFile,
  lineIn,
  problems,
  runOfflineDoctor,
} from './wired-project.js';

const SAAS = { fixture: 'stripe-saas', answers: answersFor('/api/v1/reports/**') };
const SINGLE = { fixture: 'single-file', answers: answersFor('/links') };
const SRC_LAYOUT = { fixture: 'src-layout', answers: answersFor('/api/v1/reports/**') };
const FULLSTACK = { fixture: 'fullstack-template', answers: answersFor('/api/v1/items/**') };
const SAAS_STEP = 'api-v1-reports-post';
const REPORTS = 'app/api/routes/reports.py';

const SHARE_ROUTE = `

@router.post("/{report_id}/share")
def share_report(report_id: int, current_user: User = Depends(get_current_user)):
    return {"shared": report_id}
`;

interface Row {
  name: string;
  project: { fixture: string; answers: ReturnType<typeof answersFor> };
  /** Breaks the wired copy; returns the expected line when it depends on the edit. */
  breakIt?: (root: string) => unknown;
  env?: NodeJS.ProcessEnv;
  expect: { id: string; status: Check['status']; file?: string; line?: number; message: RegExp; fix?: RegExp };
}

const table: Row[] = [
  {
    name: 'a route added after init is not gated',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, REPORTS, (text) => text + SHARE_ROUTE);
      return lineIn(root, REPORTS, '@router.post("/{report_id}/share")');
    },
    expect: {
      id: 'routes.gated',
      status: 'fail',
      file: REPORTS,
      message:
        /POST \/api\/v1\/reports\/\{report_id\}\/share \(app\/api\/routes\/reports\.py:\d+\) matches step "api-v1-reports-post" but is not gated/,
      fix: /dependencies=\[Depends\(skene_gate\("api-v1-reports-post", handler_user=True\)\)\]/,
    },
  },
  {
    name: 'a public route added under the trigger (no user dependency)',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, REPORTS, (text) => `${text}\n\n@router.post("/preview")\ndef preview_report():\n    return {}\n`);
      return lineIn(root, REPORTS, '@router.post("/preview")');
    },
    expect: {
      id: 'routes.gated',
      status: 'fail',
      file: REPORTS,
      message:
        /POST \/api\/v1\/reports\/preview \(app\/api\/routes\/reports\.py:\d+\) matches step "api-v1-reports-post" but is not gated$/,
      // Not the plain gate: it would make the public route require get_current_user.
      fix: /add dependencies=\[Depends\(skene_gate\("api-v1-reports-post", identify=True\)\)\] to its decorator/,
    },
  },
  {
    name: 'a gate removed by hand',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, REPORTS, (text) =>
        text.replace(
          '@router.post("/{report_id}/export", response_model=ExportOut, dependencies=[Depends(skene_gate("api-v1-reports-post", handler_user=True))])',
          '@router.post("/{report_id}/export", response_model=ExportOut)',
        ),
      );
      return lineIn(root, REPORTS, '@router.post("/{report_id}/export"');
    },
    expect: {
      id: 'routes.gated',
      status: 'fail',
      file: REPORTS,
      message: /POST \/api\/v1\/reports\/\{report_id\}\/export .* is not gated/,
    },
  },
  {
    name: 'a gate naming a step the config no longer has',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, REPORTS, (text) =>
        text.replace(
          'skene_gate("api-v1-reports-post", handler_user=True))])\ndef create_report',
          'skene_gate("old-reports", handler_user=True))])\ndef create_report',
        ),
      );
      return lineIn(root, REPORTS, 'skene_gate("old-reports", handler_user=True)');
    },
    expect: { id: 'routes.unknown-step', status: 'fail', file: REPORTS, message: /gated for step "old-reports"/ },
  },
  {
    name: 'a trigger that matches no route',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, 'skene.config.ts', (text) =>
        text.replace("endpoint: '/api/v1/reports/**'", "endpoint: '/api/v1/nothing/**'"),
      );
      return lineIn(root, 'skene.config.ts', '/api/v1/nothing/**');
    },
    expect: {
      id: 'routes.match',
      status: 'warn',
      file: 'skene.config.ts',
      message: /trigger POST \/api\/v1\/nothing\/\*\* matches no route/,
    },
  },
  {
    name: 'a stale runtime after editing the config',
    project: SAAS,
    breakIt: (root) => editFile(root, 'skene.config.ts', (text) => text.replace('free: 100', 'free: 5')),
    expect: {
      id: 'runtime.fresh',
      status: 'fail',
      file: 'app/skene/loop.json',
      message: /stale/,
      fix: /^Run `skene generate`\.$/,
    },
  },
  {
    name: "the page's unescaped apostrophe",
    project: SAAS,
    breakIt: (root) => {
      editFile(root, 'skene.config.ts', (text) =>
        text.replace(
          `"You've reached your free tier limit. Upgrade to continue."`,
          `'You've reached your free tier limit. Upgrade to continue.'`,
        ),
      );
      return lineIn(root, 'skene.config.ts', "message: 'You've");
    },
    expect: { id: 'config.parse', status: 'fail', file: 'skene.config.ts', message: /apostrophe/i },
  },
  {
    name: 'an unknown key',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, 'skene.config.ts', (text) => text.replace('      action: {', '      retry: 3,\n      action: {'));
      return lineIn(root, 'skene.config.ts', 'retry: 3');
    },
    expect: { id: 'config.types', status: 'fail', file: 'skene.config.ts', message: /Unknown key "retry"/ },
  },
  {
    name: 'a bad period',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, 'skene.config.ts', (text) => text.replace("period: '30d'", "period: '30 days'"));
      return lineIn(root, 'skene.config.ts', '30 days');
    },
    expect: { id: 'config.values', status: 'fail', file: 'skene.config.ts', message: /period "30 days"/ },
  },
  {
    name: 'a negative limit',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, 'skene.config.ts', (text) => text.replace('free: 100', 'free: -5'));
      return lineIn(root, 'skene.config.ts', 'free: -5');
    },
    expect: { id: 'config.values', status: 'fail', file: 'skene.config.ts', message: /limit for free: -5/ },
  },
  {
    name: 'an unknown method',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, 'skene.config.ts', (text) => text.replace("method: 'POST'", "method: 'FETCH'"));
      return lineIn(root, 'skene.config.ts', 'FETCH');
    },
    expect: { id: 'config.values', status: 'fail', file: 'skene.config.ts', message: /method "FETCH"/ },
  },
  {
    name: 'no runtime',
    project: SAAS,
    breakIt: (root) => rmSync(join(root, 'app', 'skene'), { recursive: true }),
    expect: {
      id: 'runtime.present',
      status: 'fail',
      message: /no generated runtime in app\/skene\//,
      fix: /skene generate/,
    },
  },
  {
    name: 'an incomplete runtime',
    project: SAAS,
    breakIt: (root) => rmSync(join(root, 'app', 'skene', '_integration.py')),
    expect: { id: 'runtime.present', status: 'fail', message: /incomplete: app\/skene\/_integration\.py missing/ },
  },
  {
    name: 'a loop.json that is not JSON',
    project: SAAS,
    breakIt: (root) => writeFileSync(join(root, 'app', 'skene', 'loop.json'), '{ "hash": '),
    expect: { id: 'runtime.fresh', status: 'fail', file: 'app/skene/loop.json', message: /not valid JSON/ },
  },
  {
    name: 'skene_install(app) removed',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, 'app/main.py', (text) => text.replace('skene_install(app)\n', ''));
      return lineIn(root, 'app/main.py', 'app = FastAPI(');
    },
    expect: {
      id: 'wiring.install',
      status: 'fail',
      file: 'app/main.py',
      message: /the app "app" .* serves gated routes, but skene is not installed on it/,
      fix: /skene_install\(app\)/,
    },
  },
  {
    name: "the app's webhook no longer hands events to skene",
    project: SAAS,
    breakIt: (root) => {
      editFile(root, 'app/api/routes/webhooks.py', (text) =>
        text.replace(/^\s*skene_handle_stripe_event\(event\)\n/m, ''),
      );
      return lineIn(root, 'app/api/routes/webhooks.py', 'stripe.Webhook.construct_event(');
    },
    expect: {
      id: 'wiring.webhook',
      status: 'fail',
      file: 'app/api/routes/webhooks.py',
      message: /stripe_webhook\(\) .* does not hand its events to skene/,
      fix: /skene_handle_stripe_event\(event\)/,
    },
  },
  {
    name: 'a gate imported from where the runtime is not',
    project: SAAS,
    breakIt: (root) => {
      editFile(root, REPORTS, (text) =>
        text.replace('from app.skene import gate as skene_gate', 'from app.billing.skene import gate as skene_gate'),
      );
      return lineIn(root, REPORTS, 'from app.billing.skene import');
    },
    expect: {
      id: 'wiring.imports',
      status: 'fail',
      file: REPORTS,
      message: /imports gate from app\.billing\.skene, but the runtime is app\.skene/,
    },
  },
  {
    name: 'a runtime moved out of the app package: the imports name the old place',
    project: SAAS,
    breakIt: (root) => {
      mkdirSync(join(root, 'app', 'billing'));
      renameSync(join(root, 'app', 'skene'), join(root, 'app', 'billing', 'skene'));
      return lineIn(root, REPORTS, 'from app.skene import gate');
    },
    expect: {
      id: 'wiring.imports',
      status: 'fail',
      file: REPORTS,
      message:
        /reports\.py imports gate from app\.skene, but the runtime is app\.billing\.skene \(app\/billing\/skene\/\)/,
    },
  },
  {
    name: 'a runtime moved: the imports it was wired with no longer resolve from the start folder',
    project: SAAS,
    breakIt: (root) => {
      mkdirSync(join(root, 'app', 'billing'));
      renameSync(join(root, 'app', 'skene'), join(root, 'app', 'billing', 'skene'));
      return lineIn(root, REPORTS, 'from app.skene import gate');
    },
    expect: {
      id: 'runtime.importable',
      status: 'fail',
      file: REPORTS,
      message:
        /reports\.py imports app\.skene, which does not resolve from \. \(where README\.md:10 starts it: uvicorn app\.main:app --reload\): no app\/skene\.py or app\/skene\//,
    },
  },
  {
    name: 'a runtime under a source root the app does not import from',
    project: SRC_LAYOUT,
    breakIt: (root) => renameSync(join(root, 'src', 'taskflow', 'skene'), join(root, 'tests', 'skene')),
    expect: {
      id: 'runtime.importable',
      status: 'fail',
      message:
        /^the runtime skene \(tests\/skene\/\) does not resolve from src \(the source root of src\/taskflow\/main\.py; no start command found/,
    },
  },
  {
    name: 'the email template deleted',
    project: SAAS,
    breakIt: (root) => rmSync(join(root, 'app', 'skene', 'emails', 'upgrade_prompt.html')),
    expect: {
      id: 'email.template',
      status: 'fail',
      file: 'app/skene/emails/upgrade_prompt.html',
      message: /is missing/,
    },
  },
  {
    name: 'STRIPE_WEBHOOK_SECRET not set',
    project: SAAS,
    env: { ...completeEnv, STRIPE_WEBHOOK_SECRET: undefined },
    expect: { id: 'env.stripe-webhook-secret', status: 'fail', message: /STRIPE_WEBHOOK_SECRET is not set/ },
  },
  {
    name: 'RESEND_API_KEY and the sender not set',
    project: SAAS,
    env: { ...completeEnv, RESEND_API_KEY: '', SKENE_EMAIL_FROM: undefined },
    expect: { id: 'env.resend-api-key', status: 'fail', message: /RESEND_API_KEY is not set/ },
  },
  {
    name: 'a .env with secrets tracked by git',
    project: SAAS,
    breakIt: (root) => {
      writeFiles(root, { '.env': '# local settings\nRESEND_API_KEY=re_trackedSecretValue\n' });
      gitInit(root, ['.env']);
      return 2;
    },
    expect: {
      id: 'env.dotenv-tracked',
      status: 'fail',
      file: '.env',
      message: /\.env holds secrets \(RESEND_API_KEY\) and is tracked by git/,
      fix: /git rm --cached \.env/,
    },
  },
  {
    name: 'the identify(request) fallback in use',
    project: SINGLE,
    breakIt: (root) => lineIn(root, 'skene_runtime/_integration.py', 'def identify('),
    expect: {
      id: 'runtime.identity',
      status: 'warn',
      file: 'skene_runtime/_integration.py',
      message: /identify\(request\) fallback/,
    },
  },
  {
    name: 'a SQLite file in a folder that does not exist',
    project: SINGLE,
    env: { ...completeEnv, SKENE_DATABASE_URL: 'sqlite:///data/missing/skene.db' },
    expect: {
      id: 'database.sqlite',
      status: 'fail',
      message: /the folder of data\/missing\/skene\.db .* does not exist/,
    },
  },
  {
    name: 'a skene.db that is not SQLite',
    project: SINGLE,
    breakIt: (root) => writeFiles(root, { 'skene.db': 'not a database\n' }),
    expect: {
      id: 'database.sqlite',
      status: 'fail',
      file: 'skene.db',
      message: /skene\.db .* is not a SQLite database/,
    },
  },
  {
    name: 'an unsupported database URL in .env',
    project: SINGLE,
    breakIt: (root) => writeFiles(root, { '.env': 'SKENE_DATABASE_URL=mysql://u:p@db/app\n' }),
    expect: {
      id: 'database.url',
      status: 'fail',
      message: /SKENE_DATABASE_URL in \.env\) has the unsupported scheme "mysql"/,
    },
  },
  {
    name: 'an Alembic app without the migration',
    project: FULLSTACK,
    breakIt: (root) => rmSync(join(root, 'backend', 'app', 'alembic', 'versions', 'skene_0001_create_skene_tables.py')),
    expect: {
      id: 'database.tables',
      status: 'warn',
      message: /uses Alembic .* but no migration creates skene's tables/,
      fix: /alembic upgrade head/,
    },
  },
  {
    name: 'another program named skene earlier on PATH',
    project: SAAS,
    breakIt: (root) => {
      const bin = join(root, '..', 'python-bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'skene'), '#!/bin/sh\necho "skene (python)"\n');
      chmodSync(join(bin, 'skene'), 0o755);
    },
    env: { ...completeEnv, PATH: '<python-bin>' },
    expect: {
      id: 'install.path',
      status: 'warn',
      message: /`skene` on PATH \(.*python-bin\/skene\) is a different program/,
      fix: /npx skene/,
    },
  },
];

const SECRET_VALUES = /whsec_doctorTestSecretValue|re_doctorTestResendValue|re_trackedSecretValue|u:p@db/;

for (const row of table) {
  test(`doctor: ${row.name} → ${row.expect.id} ${row.expect.status}`, async () => {
    const root = await copyWiredFixture(row.project.fixture, row.project.answers);
    const line = row.breakIt?.(root) ?? row.expect.line;
    const env = { ...(row.env ?? completeEnv) };
    if (env.PATH === '<python-bin>') env.PATH = join(root, '..', 'python-bin');
    const report = await runOfflineDoctor(root, env);
    const found = report.checks.find(
      (check) =>
        check.id === row.expect.id && check.status === row.expect.status && row.expect.message.test(check.message),
    );
    assert.ok(
      found,
      `no ${row.expect.status} ${row.expect.id} matching ${row.expect.message} in\n${JSON.stringify(problems(report), null, 2)}`,
    );
    if (row.expect.file !== undefined) assert.equal(found.file, row.expect.file);
    assert.equal(found.line, typeof line === 'number' ? line : undefined, 'line');
    assert.ok(found.fix && found.fix.length > 0 && !found.fix.includes('\n'), 'a one-line fix');
    if (row.expect.fix) assert.match(found.fix, row.expect.fix);
    assert.equal(report.ok, !report.checks.some((check) => check.status === 'fail'));
    assert.doesNotMatch(JSON.stringify(report), SECRET_VALUES, 'setting values are never printed');
  });
}

function assertClean(report: DoctorReport): void {
  assert.deepEqual(problems(report), [], 'no warning and no failure');
  assert.equal(report.ok, true);
}

test('doctor: a fully set-up project passes every check, each group present', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  const report = await runOfflineDoctor(root);
  assertClean(report);
  const ids = new Set(report.checks.map((check) => check.id));
  for (const id of [
    'project.app',
    'config.parse',
    'config.types',
    'config.values',
    'routes.match',
    'routes.gated',
    'runtime.present',
    'runtime.importable',
    'runtime.fresh',
    'runtime.identity',
    'wiring.imports',
    'wiring.install',
    'wiring.webhook',
    'email.provider',
    'email.template',
    'env.stripe-webhook-secret',
    'env.resend-api-key',
    'env.email-from',
    'database.tables',
    'stripe.skipped',
    'install.path',
  ]) {
    assert.ok(ids.has(id), `check ${id} is reported`);
  }
  const matched = report.checks.find((check) => check.id === 'routes.match');
  assert.match(
    matched?.message ?? '',
    /matches 2 routes: POST \/api\/v1\/reports\/ \(app\/api\/routes\/reports\.py:\d+\), POST \/api\/v1\/reports\/\{report_id\}\/export/,
  );
  assert.equal(matched?.line, lineIn(root, 'skene.config.ts', "endpoint: '/api/v1/reports/**'"));
});

test("doctor: an Alembic app in backend/ with skene's migration passes", async () => {
  const fullstack = await runOfflineDoctor(await copyWiredFixture(FULLSTACK.fixture, FULLSTACK.answers));
  assertClean(fullstack);
  assert.match(
    fullstack.checks.find((check) => check.id === 'runtime.importable')?.message ?? '',
    /^app\.skene, app\.api\.deps, app\.core\.db(, [\w.]+)* resolve from backend \(where README\.md:9 starts it: fastapi run app\/main\.py\); read statically/,
  );
  const tables = fullstack.checks.filter((check) => check.id === 'database.tables');
  assert.deepEqual(
    tables.map((check) => check.status),
    ['pass'],
  );
  assert.match(
    tables[0]?.message ?? '',
    /Alembic migration .*\/versions\/skene_0001_create_skene_tables\.py creates skene's tables/,
  );
});

test('doctor: a src/ layout project passes, the runtime importable from src', async () => {
  const srcLayout = await runOfflineDoctor(await copyWiredFixture(SRC_LAYOUT.fixture, SRC_LAYOUT.answers));
  assertClean(srcLayout);
  assert.match(
    srcLayout.checks.find((check) => check.id === 'runtime.importable')?.message ?? '',
    /^taskflow\.skene, taskflow\.auth(, [\w.]+)* resolve from src \(the source root of src\/taskflow\/main\.py; no start command found/,
  );
});

test('doctor: settings from an untracked .env pass, naming the file and line, never the value', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  writeFiles(root, {
    '.env': 'STRIPE_WEBHOOK_SECRET=whsec_doctorTestSecretValue\nRESEND_API_KEY="re_doctorTestResendValue"\n',
    '.gitignore': '.env\n',
  });
  gitInit(root, ['.gitignore']);
  const report = await runOfflineDoctor(root, {
    ...completeEnv,
    STRIPE_WEBHOOK_SECRET: undefined,
    RESEND_API_KEY: undefined,
  });
  assertClean(report);
  const resend = report.checks.find((check) => check.id === 'env.resend-api-key');
  assert.deepEqual([resend?.message, resend?.file, resend?.line], ['RESEND_API_KEY is set in .env', '.env', 2]);
  assert.equal(report.checks.find((check) => check.id === 'env.dotenv-tracked')?.status, 'pass');
  assert.doesNotMatch(JSON.stringify(report), SECRET_VALUES);
});

test('doctor: a route added after init passes again once init has gated it', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  editFile(root, REPORTS, (text) => text + SHARE_ROUTE);
  const before = await runOfflineDoctor(root);
  assert.deepEqual(
    problems(before).map((check) => check.id),
    ['routes.gated'],
  );
  const { applyInit } = await import('./wired-project.js');
  await applyInit(root, SAAS.answers);
  const after = await runOfflineDoctor(root);
  assertClean(after);
  assert.match(after.checks.find((check) => check.id === 'routes.match')?.message ?? '', /matches 3 routes/);
  assert.ok(
    after.checks.some(
      (check) => check.id === 'routes.gated' && check.message === `step "${SAAS_STEP}": every matching route is gated`,
    ),
  );
});

test('doctor: a public route gated with identify=True counts as gated; identify() as generated warns, edited passes', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  editFile(
    root,
    REPORTS,
    (text) =>
      `${text}\n\n@router.post("/preview", dependencies=[Depends(skene_gate("${SAAS_STEP}", identify=True))])\ndef preview_report():\n    return {}\n`,
  );
  const integration = 'app/skene/_integration.py';
  const report = await runOfflineDoctor(root);
  assert.ok(
    report.checks.some(
      (check) =>
        check.id === 'routes.gated' &&
        check.status === 'pass' &&
        check.message === `step "${SAAS_STEP}": every matching route is gated`,
    ),
  );
  assert.deepEqual(
    problems(report).map((check) => check.id),
    ['runtime.identity'],
  );
  const identity = report.checks.find((check) => check.id === 'runtime.identity')!;
  assert.equal(identity.status, 'warn');
  assert.match(
    identity.message,
    /^1 gated route without a user dependency \(POST \/api\/v1\/reports\/preview \(app\/api\/routes\/reports\.py:\d+\)\) counts through identify\(request\), which is still skene's default/,
  );
  assert.match(
    identity.fix ?? '',
    /^Make identify\(request\) in app\/skene\/_integration\.py return the caller of that route/,
  );
  assert.deepEqual([identity.file, identity.line], [integration, lineIn(root, integration, 'def identify(')]);

  // The user teaches identify() their visitor header: nothing left to warn about.
  editFile(root, integration, (text) =>
    text.replace(
      /(def identify\(request\):\n)[\s\S]*?(# skene:identify-end)/,
      '$1    return request.headers.get("x-visitor")\n$2',
    ),
  );
  const edited = await runOfflineDoctor(root);
  assert.deepEqual(problems(edited), []);
  assert.match(
    edited.checks.find((check) => check.id === 'runtime.identity')?.message ?? '',
    /through the app's auth dependency; 1 gated route without a user dependency .* through your identify\(request\)/,
  );
});

test('doctor: no FastAPI app, no config', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  rmSync(join(root, 'app'), { recursive: true });
  rmSync(join(root, 'skene.config.ts'));
  const report = await runOfflineDoctor(root);
  const failing = report.checks.filter((check) => check.status === 'fail').map((check) => check.id);
  assert.deepEqual(failing, ['config.present', 'project.app']);
  assert.equal(report.checks.find((check) => check.id === 'runtime.present')?.status, 'warn');
});

test('doctor: broken-files wired for every route — only the file init cannot write is ungated, apps serving none gated need no install', async () => {
  const root = await copyWiredFixture('broken-files', answersFor('/**', '*'));
  const report = await runOfflineDoctor(root);
  const ungated = report.checks.filter((check) => check.id === 'routes.gated' && check.status === 'fail');
  assert.ok(ungated.length > 0);
  for (const check of ungated) {
    // The routes without a user elsewhere are gated through identify(request); the file with a syntax error is never written.
    assert.equal(check.file, 'legacy/admin_panel.py', check.message);
    assert.match(check.fix ?? '', /skene_gate\("[\w-]+", identify=True\)/);
    // The line named is the route's registration (its decorator), where the gate would go.
    const registration = readFileSync(join(root, check.file!), 'utf8').split('\n')[check.line! - 1] ?? '';
    assert.match(registration, /^\s*@\w+\.(get|post|put|patch|delete|api_route)\(/, `${check.file}:${check.line}`);
  }
  assert.deepEqual(
    report.checks.filter((check) => check.id.startsWith('wiring.') && check.status !== 'pass'),
    [],
  );
  // Those identify=True gates rely on identify(request), which nobody edited yet.
  const identity = report.checks.find((check) => check.id === 'runtime.identity');
  assert.equal(identity?.status, 'warn', JSON.stringify(identity));
  assert.match(
    identity?.message ?? '',
    /gated routes? without a user dependency \(.*\) counts? through identify\(request\), which is still skene's default/,
  );
  assert.equal(identity?.file, 'blog/skene/_integration.py');
  assert.equal(identity?.line, lineIn(root, 'blog/skene/_integration.py', 'def identify('));
});
