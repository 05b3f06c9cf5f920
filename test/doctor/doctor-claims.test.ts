import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Check } from '../../src/doctor/types.js';
import { onPath } from '../../src/verify/find-python.js';
import { writeFiles } from './helpers.js';
import { answersFor, completeEnv, copyWiredFixture, editFile, lineIn } from './wired-project.js';

// doctor's claims (PRODUCT.md §5), each failure built for real in a wired fixture copy, through the built CLI.
const bin = fileURLToPath(new URL('../../bin/skene.js', import.meta.url));
const SAAS = { fixture: 'stripe-saas', answers: answersFor('/api/v1/reports/**') };
const SINGLE = { fixture: 'single-file', answers: answersFor('/links') };
const FULLSTACK = { fixture: 'fullstack-template', answers: answersFor('/api/v1/items/**') };
const configHome = mkdtempSync(join(tmpdir(), 'skene-doctor-claims-'));
// The interpreter itself, not a version manager's shim (which needs its own settings).
const pythonOnPath = onPath('python3', process.env) ?? onPath('python', process.env);
const python = pythonOnPath
  ? execFileSync(pythonOnPath, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim()
  : undefined;
// node and git only: no Python, no other `skene`, whatever this machine has beside them.
const bareBin = mkdtempSync(join(tmpdir(), 'skene-bare-bin-'));
symlinkSync(process.execPath, join(bareBin, 'node'));
const gitProgram = onPath('git', process.env);
if (gitProgram) symlinkSync(gitProgram, join(bareBin, 'git'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string | undefined, extraEnv: NodeJS.ProcessEnv): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...completeEnv,
    // A test that wants Python adds its folder.
    PATH: bareBin,
    HOME: configHome,
    XDG_CONFIG_HOME: configHome,
    CI: '1',
    NO_COLOR: '1',
    ...extraEnv,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, command, ...args], { env, cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function doctorJson(root: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ run: Run; checks: Check[] }> {
  const result = await run('doctor', [root, '--offline', '--json'], undefined, extraEnv);
  const document = JSON.parse(result.stdout) as { ok: boolean; checks: Check[] };
  assert.equal(document.ok, result.code === 0, 'ok matches the exit code');
  return { run: result, checks: document.checks };
}

const byId = (checks: Check[], id: string): Check[] => checks.filter((check) => check.id === id);

function git(root: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, stdio: 'ignore' });
}

test('doctor: an import wrong from the folder a Procfile starts the app in fails, statically and by Python', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  // The app is started inside app/: `app.skene` (what init wrote) does not resolve from there.
  writeFiles(root, { Procfile: 'web: cd app && uvicorn main:app --port $PORT\n' });
  const statically = await doctorJson(root);
  assert.equal(statically.run.code, 1);
  const failing = byId(statically.checks, 'runtime.importable').filter((check) => check.status === 'fail');
  const reports = 'app/api/routes/reports.py';
  const line = lineIn(root, reports, 'from app.skene import gate');
  const atReports = failing.find((check) => check.file === reports);
  assert.ok(atReports, JSON.stringify(failing, null, 2));
  assert.equal(atReports.line, line);
  assert.match(
    atReports.message,
    /^app\/api\/routes\/reports\.py imports the runtime app\.skene, which does not resolve from app \(where Procfile:1 starts it: uvicorn main:app --port \$PORT\): no app\/app\.py or app\/app\/$/,
  );
  assert.match(
    atReports.fix ?? '',
    /^Start the app from \.\/, where app\.skene resolves, or change the import in app\/api\/routes\/reports\.py:\d+/,
  );
  // The auth dependency _integration.py imports is checked from there too.
  assert.ok(failing.some((check) => /imports app\.api\.deps, which does not resolve from app/.test(check.message)));
  assert.ok(!statically.checks.some((check) => check.id === 'runtime.importable' && check.status === 'pass'));
  // The app's Python, run from app/, agrees.
  assert.ok(python, 'python3 on PATH');
  const byPython = await doctorJson(root, { PATH: `${dirname(python)}:${bareBin}` });
  assert.equal(byPython.run.code, 1);
  assert.match(
    byId(byPython.checks, 'runtime.importable').find((check) => check.file === reports)?.message ?? '',
    /which does not resolve from app .*: no app\/app\.py or app\/app\/ \(PATH Python finds no app\)$/,
  );

  // Started from the project folder, the same imports resolve: a pass that names the Procfile.
  writeFiles(root, { Procfile: 'web: uvicorn app.main:app --port $PORT\n' });
  const fixed = await doctorJson(root);
  const importable = byId(fixed.checks, 'runtime.importable');
  assert.deepEqual(
    importable.map((check) => check.status),
    ['pass'],
  );
  assert.match(
    importable[0]!.message,
    /^app\.skene, app\.api\.deps, app\.db\.session(, [\w.]+)* resolve from \. \(where Procfile:1 starts it: uvicorn app\.main:app --port \$PORT\); read statically \(no Python found/,
  );
});

test('doctor: with the app’s Python found, its finders confirm the imports, and an installed package shadowing them fails', async () => {
  assert.ok(python, 'python3 on PATH');
  const pathWithPython = `${dirname(python)}:${bareBin}`;
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  const confirmed = await doctorJson(root, { PATH: pathWithPython });
  const importable = byId(confirmed.checks, 'runtime.importable');
  assert.deepEqual(
    importable.map((check) => check.status),
    ['pass'],
  );
  assert.match(
    importable[0]!.message,
    /^app\.skene, app\.api\.deps, app\.db\.session(, [\w.]+)* resolve from \. .*; confirmed with the app's Python \(PATH\)/,
  );

  // app/ without __init__.py is only a namespace portion: a regular package `app` installed elsewhere wins.
  rmSync(join(root, 'app', '__init__.py'));
  const site = mkdtempSync(join(tmpdir(), 'skene-site-'));
  mkdirSync(join(site, 'app'));
  writeFileSync(join(site, 'app', '__init__.py'), '');
  const statically = await doctorJson(root, { PYTHONPATH: site });
  assert.deepEqual(
    byId(statically.checks, 'runtime.importable').map((check) => check.status),
    ['pass'],
    'read statically, the namespace package resolves',
  );
  const shadowed = await doctorJson(root, { PATH: pathWithPython, PYTHONPATH: site });
  assert.equal(shadowed.run.code, 1);
  const failing = byId(shadowed.checks, 'runtime.importable').filter((check) => check.status === 'fail');
  assert.ok(
    failing.some((check) =>
      /imports the runtime app\.skene, which does not resolve from \. .* \(PATH Python finds no app\.skene\)$/.test(
        check.message,
      ),
    ),
    JSON.stringify(failing, null, 2),
  );
});

test('doctor: a Dockerfile whose WORKDIR is traced through COPY to the start folder', async () => {
  const root = await copyWiredFixture(FULLSTACK.fixture, FULLSTACK.answers);
  // Built from the repository root: backend/ becomes /code, the app starts there.
  writeFiles(root, {
    Dockerfile: [
      'FROM python:3.12-slim',
      'WORKDIR /code',
      'COPY backend/ /code/',
      'RUN pip install .',
      'CMD ["fastapi", "run", "app/main.py", "--port", "80"]',
      '',
    ].join('\n'),
  });
  const ok = await doctorJson(root);
  const importable = byId(ok.checks, 'runtime.importable');
  assert.deepEqual(
    importable.map((check) => check.status),
    ['pass'],
    JSON.stringify(importable),
  );
  assert.match(
    importable[0]!.message,
    /resolve from backend \(where Dockerfile:5 starts it: fastapi run app\/main\.py/,
  );

  // The same image started one folder up: `app.skene` is looked for in the repository root.
  editFile(root, 'Dockerfile', (text) =>
    text.replace('COPY backend/ /code/', 'COPY . /code/').replace('app/main.py', 'backend/app/main.py'),
  );
  const wrong = await doctorJson(root);
  // fastapi-cli puts the folder above the outermost package (backend/) on sys.path: still fine.
  assert.deepEqual(
    byId(wrong.checks, 'runtime.importable').map((check) => check.status),
    ['pass'],
  );
  editFile(root, 'Dockerfile', (text) =>
    text.replace('CMD ["fastapi", "run", "backend/app/main.py", "--port", "80"]', 'CMD uvicorn backend.app.main:app'),
  );
  const broken = await doctorJson(root);
  assert.equal(broken.run.code, 1);
  assert.ok(
    byId(broken.checks, 'runtime.importable').some(
      (check) =>
        check.status === 'fail' &&
        /imports the runtime app\.skene, which does not resolve from \. \(where Dockerfile:5/.test(check.message),
    ),
  );
});

test('doctor: a start command doctor cannot place is a warning, never a pass', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  writeFiles(root, { Procfile: 'web: uvicorn server.asgi:application\n' });
  const { checks } = await doctorJson(root);
  const importable = byId(checks, 'runtime.importable');
  assert.deepEqual(
    importable.map((check) => check.status),
    ['warn'],
  );
  assert.match(
    importable[0]!.message,
    /could not tell which folder the app is started from — Procfile:1 \(uvicorn server\.asgi:application: server\.asgi does not resolve from \.\)/,
  );
  assert.equal(importable[0]!.file, 'Procfile');
});

test('doctor: skene.db not ignored by git warns, tracked fails, ignored passes', async () => {
  const root = await copyWiredFixture(SINGLE.fixture, SINGLE.answers);
  const outside = await doctorJson(root);
  assert.match(
    byId(outside.checks, 'database.gitignored')[0]?.message ?? '',
    /skene\.db \(the default\) is not in a git repository/,
  );

  git(root, 'init', '-q');
  const notIgnored = await doctorJson(root);
  const check = byId(notIgnored.checks, 'database.gitignored')[0];
  assert.equal(check?.status, 'warn');
  assert.match(check?.message ?? '', /^skene\.db \(the default\) is not ignored by git/);
  assert.match(check?.fix ?? '', /Add skene\.db to \.gitignore/);

  writeFileSync(join(root, 'skene.db'), '');
  git(root, 'add', '-f', 'skene.db');
  const tracked = await doctorJson(root);
  assert.equal(tracked.run.code, 1);
  assert.equal(byId(tracked.checks, 'database.gitignored')[0]?.status, 'fail');
  assert.match(byId(tracked.checks, 'database.gitignored')[0]?.fix ?? '', /git rm --cached skene\.db/);

  git(root, 'rm', '-q', '--cached', 'skene.db');
  writeFiles(root, { '.gitignore': '*.db\n' });
  const ignored = await doctorJson(root);
  assert.equal(byId(ignored.checks, 'database.gitignored')[0]?.status, 'pass');
  assert.match(
    byId(ignored.checks, 'database.gitignored')[0]?.message ?? '',
    /skene\.db \(the default\) is ignored by git/,
  );

  // Human output: the warning and its fix line.
  rmGitignore(root);
  const human = await run('doctor', [root, '--offline'], undefined, {});
  assert.match(human.stdout, /⚠ skene\.db \(the default\) is not ignored by git/);
});

function rmGitignore(root: string): void {
  writeFileSync(join(root, '.gitignore'), '');
}

test('doctor: the runtime on another database than skene’s migration fails; the same setting passes; unknown warns', async () => {
  const root = await copyWiredFixture(FULLSTACK.fixture, FULLSTACK.answers);
  const envPy = 'backend/app/alembic/env.py';
  const same = await doctorJson(root);
  const target = byId(same.checks, 'database.target');
  assert.deepEqual(
    target.map((check) => check.status),
    ['pass'],
  );
  assert.match(
    target[0]!.message,
    /^the runtime \(the app's engine app\.core\.db\.engine\) and the migration \(settings\.DATABASE_URL in backend\/app\/alembic\/env\.py:\d+\) use the same database: both come from the setting DATABASE_URL$/,
  );

  // SKENE_DATABASE_URL sends the runtime elsewhere, while env.py migrates a literal URL.
  editFile(root, envPy, (text) => text.replace('return settings.DATABASE_URL', 'return "sqlite:///./migrated.db"'));
  writeFiles(root, { 'backend/.env': 'SKENE_DATABASE_URL=sqlite:///skene.db\n' });
  const other = await doctorJson(root);
  assert.equal(other.run.code, 1);
  const mismatch = byId(other.checks, 'database.target')[0];
  assert.equal(mismatch?.status, 'fail');
  assert.equal(mismatch?.file, envPy);
  assert.equal(mismatch?.line, lineIn(root, envPy, 'configuration["sqlalchemy.url"] = get_url()'));
  assert.match(
    mismatch?.message ?? '',
    /^the runtime writes to sqlite:\/\/\/skene\.db \(SKENE_DATABASE_URL in backend\/\.env\), but the Alembic migration creates skene's tables in sqlite:\/\/\/\.\/migrated\.db \("sqlite:\/\/\/\.\/migrated\.db" in backend\/app\/alembic\/env\.py:\d+, run from backend\/\)$/,
  );
  assert.match(mismatch?.fix ?? '', /Point SKENE_DATABASE_URL at the database Alembic migrates/);

  // The same file, written two ways, from the folder both run in (backend/): the same database.
  writeFiles(root, { 'backend/.env': 'SKENE_DATABASE_URL=sqlite:///migrated.db\n' });
  assert.equal(byId((await doctorJson(root)).checks, 'database.target')[0]?.status, 'pass');

  // The runtime's override against a setting doctor cannot read: a warning that says so.
  editFile(root, envPy, (text) => text.replace('return "sqlite:///./migrated.db"', 'return settings.DATABASE_URL'));
  const unknown = byId((await doctorJson(root)).checks, 'database.target')[0];
  assert.equal(unknown?.status, 'warn');
  assert.match(
    unknown?.message ?? '',
    /could not tell whether the runtime's database .* the setting DATABASE_URL is not known without running the app/,
  );
});

test('init: a dirty git tree is named before anything is written', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'skene-init-dirty-'));
  const root = join(parent, 'single-file');
  const { copyFixture } = await import('../helpers/fixtures.js');
  const copy = await copyFixture(SINGLE.fixture);
  renameSync(copy, root);
  git(root, 'init', '-q');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'app');
  editFile(root, 'main.py', (text) => `${text}\n# work in progress\n`);
  writeFiles(root, { 'notes.txt': 'todo\n' });
  const result = await run('init', ['--yes', '--endpoint', '/links', '--method', 'POST'], root, {});
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /⚠ 2 files have uncommitted changes \(main\.py, notes\.txt\): commit or stash them first to review skene's changes on their own with `git diff`\./,
  );
  assert.ok(existsSync(join(root, 'skene.config.ts')));
  // A clean tree: no note.
  const clean = join(parent, 'clean');
  renameSync(await copyFixture(SINGLE.fixture), clean);
  git(clean, 'init', '-q');
  git(clean, 'add', '.');
  git(clean, 'commit', '-q', '-m', 'app');
  const quiet = await run('init', ['--yes', '--endpoint', '/links', '--method', 'POST'], clean, {});
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stderr, /uncommitted/);
});

test('doctor: a hand-off behind an early return fails, one handed another value warns, moved into a with passes', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  const webhooks = 'app/api/routes/webhooks.py';
  const handOff = '        skene_handle_stripe_event(event)\n';
  // Events the app does not handle return before they reach skene.
  editFile(root, webhooks, (text) =>
    text.replace(handOff, `        if event["type"] == "ping":\n            return {"received": True}\n${handOff}`),
  );
  const guarded = await doctorJson(root);
  assert.equal(guarded.run.code, 1);
  const check = byId(guarded.checks, 'wiring.webhook')[0];
  assert.equal(check?.status, 'fail');
  assert.equal(check?.line, lineIn(root, webhooks, 'skene_handle_stripe_event(event)'));
  assert.match(
    check?.message ?? '',
    /stripe_webhook\(\) calls skene_handle_stripe_event at app\/api\/routes\/webhooks\.py:\d+, but the return at line \d+ \(in the if at line \d+\) comes first for some events$/,
  );

  editFile(root, webhooks, (text) =>
    text
      .replace('        if event["type"] == "ping":\n            return {"received": True}\n', '')
      .replace(handOff, '        skene_handle_stripe_event(payload)\n'),
  );
  const other = byId((await doctorJson(root)).checks, 'wiring.webhook')[0];
  assert.equal(other?.status, 'warn');
  assert.match(other?.message ?? '', /hands `payload` to skene .*, not the verified event `event` bound at line \d+/);

  editFile(root, webhooks, (text) =>
    text.replace('        skene_handle_stripe_event(payload)\n', `        with open("/dev/null"):\n    ${handOff}`),
  );
  const inWith = await doctorJson(root);
  assert.equal(
    byId(inWith.checks, 'wiring.webhook')[0]?.status,
    'pass',
    JSON.stringify(byId(inWith.checks, 'wiring.webhook')),
  );
});

test('doctor: a hand-off in the helper that verifies the event passes; verification doctor cannot read warns', async () => {
  const root = await copyWiredFixture(SAAS.fixture, SAAS.answers);
  const webhooks = 'app/api/routes/webhooks.py';
  const original = '    payload = await request.body()\n    sig_header = stripe_signature\n    try:';
  editFile(root, webhooks, (text) =>
    text
      .replace(
        original,
        '    payload = await request.body()\n    event = _verified(payload, stripe_signature)\n    return await _apply(event, db)\n\n\ndef _verified(payload, sig_header):\n    try:',
      )
      .replace(
        '        raise HTTPException(status_code=400, detail="Invalid signature")\n',
        '        raise HTTPException(status_code=400, detail="Invalid signature")\n    return event\n\n\nasync def _apply(event, db):\n',
      ),
  );
  const helper = byId((await doctorJson(root)).checks, 'wiring.webhook');
  assert.deepEqual(
    helper.map((check) => check.status),
    ['pass'],
    JSON.stringify(helper),
  );
  assert.match(helper[0]!.message, /^the Stripe webhook _verified\(\) hands every verified event to skene/);

  // Verified by a function of another library: doctor sees the webhook but not where the event is verified.
  editFile(root, webhooks, (text) =>
    text
      .replace('import stripe\n', 'import stripe\nfrom billing_lib import verify_event\n')
      .replace(
        'stripe.Webhook.construct_event(payload, sig_header, settings.STRIPE_WEBHOOK_SECRET)',
        'verify_event(payload, sig_header)',
      ),
  );
  const unknown = byId((await doctorJson(root)).checks, 'wiring.webhook');
  assert.deepEqual(
    unknown.map((check) => check.status),
    ['warn'],
    JSON.stringify(unknown),
  );
  assert.match(
    unknown[0]!.message,
    /could not find where the Stripe webhook stripe_webhook\(\) \(app\/api\/routes\/webhooks\.py:\d+\) verifies its event/,
  );
});
