/**
 * `skene verify` end to end on the built CLI: every fixture app init wires is copied to a temp folder,
 * `skene init` runs with flags, then `skene verify` runs the generated gate tests on every Python lane the
 * fixture's declared FastAPI allows (the lane's interpreter given as a VIRTUAL_ENV, the way a developer's
 * active virtualenv is found) and every check passes. Then the wiring is broken on purpose, for real, in
 * the files on disk: a gate removed, the webhook hand-off moved where it never runs, a limit raised in
 * loop.json by hand, install(app) removed; verify exits 1 and names the check that failed and why.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { copyFixture, fixturePath } from '../helpers/fixtures.js';
import { lanesAllowedBy, type PythonLane } from '../helpers/python-lanes.js';
import { runBuiltSkene } from '../init/init-harness.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Scenario {
  fixture: string;
  endpoint: string;
  method: string;
  limit: number;
  /** Where init writes the gate tests. */
  testFile: string;
}

// The flags of test/init/init-fixtures-e2e.test.ts for the same fixtures.
const SCENARIOS: Scenario[] = [
  {
    fixture: 'stripe-saas',
    endpoint: '/api/v1/reports/**',
    method: 'POST',
    limit: 3,
    testFile: 'tests/test_skene_gate.py',
  },
  {
    fixture: 'fullstack-template',
    endpoint: '/api/v1/items/',
    method: 'POST',
    limit: 2,
    testFile: 'backend/tests/test_skene_gate.py',
  },
  {
    fixture: 'src-layout',
    endpoint: '/api/v1/tasks/**',
    method: 'POST',
    limit: 2,
    testFile: 'tests/test_skene_gate.py',
  },
  { fixture: 'app-factory', endpoint: '/**/orders', method: 'POST', limit: 2, testFile: 'tests/test_skene_gate.py' },
  { fixture: 'single-file', endpoint: '/links', method: 'POST', limit: 2, testFile: 'tests/test_skene_gate.py' },
  {
    fixture: 'mounted-subapp',
    endpoint: '/v2/threads/**',
    method: 'POST',
    limit: 2,
    testFile: 'tests/test_skene_gate.py',
  },
  { fixture: 'broken-files', endpoint: '/posts/**', method: 'POST', limit: 2, testFile: 'tests/test_skene_gate.py' },
  {
    fixture: 'modern-saas',
    endpoint: '/api/v1/summaries/',
    method: 'POST',
    limit: 3,
    testFile: 'tests/test_skene_gate.py',
  },
  {
    fixture: 'sqlmodel-notes',
    endpoint: '/notes/*/transcribe',
    method: 'POST',
    limit: 2,
    testFile: 'tests/test_skene_gate.py',
  },
  {
    fixture: 'link-column',
    endpoint: '/api/documents/summarize',
    method: 'POST',
    limit: 2,
    testFile: 'tests/test_skene_gate.py',
  },
  {
    fixture: 'link-email',
    endpoint: '/v1/transcripts',
    method: 'POST',
    limit: 2,
    testFile: 'tests/test_skene_gate.py',
  },
];

const CHECKS = [
  'test_loop_json_is_compiled',
  'test_blocks_at_the_limit',
  'test_handler_error_gives_quota_back',
  'test_one_upgrade_email',
  'test_subscription_unblocks',
  'test_concurrent_calls',
];

interface VerifyJson {
  ok: boolean;
  testFile: string;
  python: { source: string; version?: string; fastapi?: string };
  checks: Array<{ id: string; step?: string; title: string; status: 'pass' | 'fail' | 'skip'; reason?: string }>;
  summary: { passed: number; failed: number; skipped: number };
}

function initArgs(root: string, scenario: Scenario): string[] {
  return [
    'init',
    root,
    '--endpoint',
    scenario.endpoint,
    '--method',
    scenario.method,
    '--limit',
    String(scenario.limit),
    '--period',
    '30d',
    '--message',
    "You've used this month's free requests. Upgrade to keep going.",
    '--upgrade-url',
    'https://example.test/pricing',
    '--provider',
    'resend',
    '--template',
    'upgrade_prompt',
    '--yes',
  ];
}

/** A virtualenv-shaped folder whose bin/python runs the lane's interpreter, as verify finds an active one. */
async function laneVirtualenv(lane: PythonLane): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), `skene-verify-${lane.name}-venv-`));
  await mkdir(join(folder, 'bin'));
  const command =
    lane.name === 'sid' ? `bash ${join(repoRoot, 'scripts', 'sid-lane.sh')} run python3` : lane.python.join(' ');
  const python = join(folder, 'bin', 'python');
  await writeFile(python, `#!/bin/sh\nexec ${command} "$@"\n`);
  await chmod(python, 0o755);
  return folder;
}

/** The variables the fixture's app needs in its environment (fixture.json `env`, `{tmp}` a temp folder). */
async function fixtureEnv(fixture: string): Promise<Record<string, string>> {
  const meta = JSON.parse(await readFile(join(fixturePath(fixture), 'fixture.json'), 'utf8')) as {
    env?: Record<string, string>;
  };
  const scratch = await mkdtemp(join(tmpdir(), `skene-verify-${fixture}-env-`));
  return Object.fromEntries(
    Object.entries(meta.env ?? {}).map(([key, value]) => [key, value.replaceAll('{tmp}', scratch)]),
  );
}

async function verify(
  root: string,
  lane: PythonLane,
  env: Record<string, string>,
): Promise<{ code: number; report: VerifyJson; stderr: string }> {
  const run = await runBuiltSkene(['verify', root, '--json'], {
    env: { ...env, VIRTUAL_ENV: await laneVirtualenv(lane) },
  });
  let report: VerifyJson;
  try {
    report = JSON.parse(run.stdout) as VerifyJson;
  } catch {
    throw new Error(`verify printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return { code: run.code, report, stderr: run.stderr };
}

const baseName = (id: string): string => id.split('[')[0] ?? id;

async function initFixture(scenario: Scenario): Promise<string> {
  const root = await copyFixture(scenario.fixture);
  const init = await runBuiltSkene(initArgs(root, scenario));
  assert.equal(init.code, 0, `init failed:\n${init.stdout}\n${init.stderr}`);
  assert.ok(init.stdout.includes(`+ ${scenario.testFile}`), `init creates ${scenario.testFile}:\n${init.stdout}`);
  assert.ok(init.stdout.includes('npx skene verify'), `init's next steps name skene verify:\n${init.stdout}`);
  return root;
}

async function edit(root: string, file: string, from: string | RegExp, to: string): Promise<void> {
  const path = join(root, file);
  const text = await readFile(path, 'utf8');
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `${file} holds ${String(from)}`);
  await writeFile(path, changed);
}

describe('skene verify on every fixture init wires', () => {
  for (const scenario of SCENARIOS) {
    test(`${scenario.fixture}: init, then verify passes every check on every lane`, async () => {
      const root = await initFixture(scenario);
      const lanes = await lanesAllowedBy((await analyzeProject(root)).fastapi);
      assert.ok(lanes.length > 0, 'a lane runs this fixture');
      const env = await fixtureEnv(scenario.fixture);
      for (const lane of lanes) {
        const { code, report, stderr } = await verify(root, lane, env);
        const on = `${scenario.fixture} on ${lane.name} (FastAPI ${lane.fastapiVersion})`;
        assert.equal(code, 0, `${on}: ${JSON.stringify(report.checks, null, 1)}\n${stderr}`);
        assert.equal(report.ok, true, on);
        assert.equal(report.testFile, scenario.testFile, on);
        assert.equal(report.python.source, 'VIRTUAL_ENV', on);
        assert.equal(report.python.fastapi, lane.fastapiVersion, `${on}: the checks ran on the lane's FastAPI`);
        assert.deepEqual([...new Set(report.checks.map((c) => baseName(c.id)))].sort(), [...CHECKS].sort(), on);
        for (const check of report.checks)
          assert.equal(check.status, 'pass', `${on}: ${check.id}: ${check.reason ?? ''}`);
      }
    });
  }
});

interface Breakage {
  name: string;
  break(root: string): Promise<void>;
  /** The check that must fail, and what its reason must say. */
  check: string;
  reason: RegExp;
}

const BREAKAGES: Record<string, Breakage[]> = {
  // The app's own Stripe webhook hands events to skene; a gate on each of two routes.
  'stripe-saas': [
    {
      name: 'a gate removed from the second route',
      break: (root) =>
        edit(
          root,
          'app/api/routes/reports.py',
          /(@router\.post\("\/\{report_id\}\/export", response_model=ExportOut), dependencies=\[Depends\(skene_gate\("[^"]+"[^)]*\)\)\]/,
          '$1',
        ),
      check: 'test_blocks_at_the_limit',
      reason: /POST \/api\/v1\/reports\/\{report_id\}\/export is not gated/,
    },
    {
      name: 'the webhook hand-off moved into a branch subscription events never reach',
      break: async (root) => {
        await edit(root, 'app/api/routes/webhooks.py', /\n\s*skene_handle_stripe_event\(event\)/, '');
        await edit(
          root,
          'app/api/routes/webhooks.py',
          'billing_service.apply_checkout_completed(db, data)',
          'billing_service.apply_checkout_completed(db, data)\n        skene_handle_stripe_event(event)',
        );
      },
      check: 'test_subscription_unblocks',
      reason: /the user is still blocked.*does not hand its events to skene/s,
    },
    {
      name: 'the limit raised in loop.json by hand',
      break: (root) => edit(root, 'app/skene/loop.json', '"free": 3', '"free": 30'),
      check: 'test_loop_json_is_compiled',
      reason: /loop\.json was edited by hand/,
    },
    {
      name: 'skene_install(app) removed',
      break: (root) => edit(root, 'app/main.py', /\nskene_install\(app\)\n/, '\n'),
      check: 'test_blocks_at_the_limit',
      reason: /lacks the RateLimit headers.*skene_install\(app\)/s,
    },
  ],
  // skene mounts its own webhook; the runtime says so in _integration.py.
  'sqlmodel-notes': [
    {
      name: "skene's webhook route not mounted",
      break: (root) => edit(root, 'notes/skene/_integration.py', 'MOUNT_WEBHOOK = True', 'MOUNT_WEBHOOK = False'),
      check: 'test_subscription_unblocks',
      reason: /skene's webhook answered 404 to a forged event|still blocked/,
    },
    {
      name: 'the only gate removed',
      break: (root) => edit(root, 'notes/routes.py', /, dependencies=\[Depends\(skene_gate\("[^"]+"[^)]*\)\)\]/, ''),
      check: 'test_blocks_at_the_limit',
      reason: /POST \/notes\/\{note_id\}\/transcribe is not gated/,
    },
  ],
};

describe('skene verify names the check a broken wiring fails', () => {
  for (const [fixture, breakages] of Object.entries(BREAKAGES)) {
    const scenario = SCENARIOS.find((s) => s.fixture === fixture);
    assert.ok(scenario);
    for (const breakage of breakages) {
      test(`${fixture}: ${breakage.name} fails ${breakage.check}`, async () => {
        const root = await initFixture(scenario);
        await breakage.break(root);
        const lanes = await lanesAllowedBy((await analyzeProject(root)).fastapi);
        const env = await fixtureEnv(fixture);
        for (const lane of lanes) {
          const { code, report, stderr } = await verify(root, lane, env);
          const on = `${breakage.name} on ${lane.name}`;
          assert.equal(code, 1, `${on}: ${JSON.stringify(report, null, 1)}\n${stderr}`);
          assert.equal(report.ok, false, on);
          const failed = report.checks.filter((c) => c.status === 'fail');
          const named = failed.find((c) => baseName(c.id) === breakage.check);
          assert.ok(named, `${on}: ${breakage.check} fails: ${JSON.stringify(report.checks, null, 1)}`);
          assert.match(named.reason ?? '', breakage.reason, on);
          assert.ok(
            !/Traceback|File "/.test(named.reason ?? ''),
            `${on}: the reason is skene's words, not a traceback: ${named.reason}`,
          );
        }
      });
    }
  }
});

test("modern-saas: a setting the app's environment lacks skips with the variable's name, and verify says nothing was proved", async () => {
  const scenario = SCENARIOS.find((s) => s.fixture === 'modern-saas');
  assert.ok(scenario);
  const root = await initFixture(scenario);
  // The app now needs STRIPE_SECRET_KEY to import at all, as many apps' settings do.
  await edit(root, 'app/core/config.py', 'STRIPE_SECRET_KEY: str = ""', 'STRIPE_SECRET_KEY: str');
  const lanes = await lanesAllowedBy((await analyzeProject(root)).fastapi);
  const env = await fixtureEnv('modern-saas');
  for (const lane of lanes) {
    const { code, report } = await verify(root, lane, env);
    assert.equal(code, 1, `${lane.name}: ${JSON.stringify(report, null, 1)}`);
    const skipped = report.checks.filter((c) => c.status === 'skip');
    assert.equal(skipped.length, CHECKS.length - 1, `${lane.name}: every check that imports the app skips`);
    for (const check of skipped)
      assert.match(check.reason ?? '', /^the app's settings need STRIPE_SECRET_KEY: set it for the tests$/, lane.name);
    const human = await runBuiltSkene(['verify', root], { env: { ...env, VIRTUAL_ENV: await laneVirtualenv(lane) } });
    assert.equal(human.code, 1);
    assert.match(human.stdout, /⚠ [\w-]+: .* \(skipped\)\n {6}the app's settings need STRIPE_SECRET_KEY/);
    assert.match(human.stdout, /Not proved: some checks could not run in this environment/);
    // Given the variable, every check runs and passes.
    const given = await verify(root, lane, { ...env, STRIPE_SECRET_KEY: 'sk_test_skene' });
    assert.equal(given.code, 0, `${lane.name}: ${JSON.stringify(given.report.checks, null, 1)}`);
  }
});
