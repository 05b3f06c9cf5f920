/**
 * Stale gates on the built CLI: after a step's endpoint changes, doctor fails on the gate left on the
 * old route (it still counts and blocks), and generate takes it off in the same diff that gates the new
 * routes; then doctor finds no stale gate.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { initStripeSaasReports, runBuiltSkene } from './init-harness.js';

interface DoctorJson {
  ok: boolean;
  checks: Array<{ id: string; status: string; message: string; file?: string }>;
}

test('a step moved to another endpoint: doctor fails on the old gate, generate removes it in the same diff', async () => {
  const root = await initStripeSaasReports();
  const reportsFile = join(root, 'app/api/routes/reports.py');
  assert.match(await readFile(reportsFile, 'utf8'), /skene_gate\("api-v1-reports-post", handler_user=True\)/);

  const configPath = join(root, 'skene.config.ts');
  const config = await readFile(configPath, 'utf8');
  const moved = config.replace("endpoint: '/api/v1/reports/'", "endpoint: '/api/v1/projects/'");
  assert.notEqual(moved, config);
  await writeFile(configPath, moved);

  const before = await runBuiltSkene(['doctor', root, '--offline', '--json']);
  assert.equal(before.code, 1, before.stdout);
  const stale = (JSON.parse(before.stdout) as DoctorJson).checks.filter((c) => c.id === 'routes.stale-gate');
  assert.equal(stale.length, 1, before.stdout);
  assert.equal(stale[0]!.status, 'fail');
  assert.match(
    stale[0]!.message,
    /POST \/api\/v1\/reports\/ \(app\/api\/routes\/reports\.py:\d+\) is gated for step "api-v1-reports-post", whose trigger POST \/api\/v1\/projects\/? no longer matches it/,
  );

  const generate = await runBuiltSkene(['generate', root, '--yes']);
  assert.equal(generate.code, 0, generate.stderr);
  // One diff: the old route loses its gate, the new one gets it.
  assert.match(
    generate.stdout,
    /^-@router\.post\("\/", response_model=ReportOut, status_code=status\.HTTP_201_CREATED, dependencies=\[Depends\(skene_gate\("api-v1-reports-post", handler_user=True\)\)\]\)$/m,
  );
  assert.match(
    generate.stdout,
    /^\+@router\.post\("\/", response_model=ReportOut, status_code=status\.HTTP_201_CREATED\)$/m,
  );
  assert.match(
    generate.stdout,
    /^\+@router\.post\(.*dependencies=\[Depends\(skene_gate\("api-v1-reports-post", handler_user=True\)\)\]\)$/m,
  );
  assert.match(
    generate.stdout,
    /^ {2}~ app\/api\/routes\/reports\.py — take the gate of step api-v1-reports-post off POST \/api\/v1\/reports\/ \(no longer matched\)$/m,
  );
  assert.match(
    generate.stdout,
    /^ {2}POST \/api\/v1\/reports\/ {2}app\/api\/routes\/reports\.py:\d+ {2}step api-v1-reports-post {2}removed$/m,
  );
  assert.doesNotMatch(await readFile(reportsFile, 'utf8'), /skene_gate\(/);
  assert.match(
    await readFile(join(root, 'app/api/routes/projects.py'), 'utf8'),
    /skene_gate\("api-v1-reports-post", handler_user=True\)/,
  );

  const after = await runBuiltSkene(['doctor', root, '--offline', '--json']);
  const checks = (JSON.parse(after.stdout) as DoctorJson).checks;
  assert.deepEqual(
    checks.filter((c) => c.id.startsWith('routes.') && c.status === 'fail'),
    [],
    after.stdout,
  );
  assert.equal(checks.find((c) => c.id === 'routes.stale-gate')?.status, 'pass', after.stdout);

  const again = await runBuiltSkene(['generate', root, '--yes']);
  assert.match(again.stdout, /Already up to date: nothing to change\./);
});

test('a step removed from the config: generate takes its gate off; doctor had failed on the unknown step', async () => {
  const root = await copyFixture('single-file');
  const init = await runBuiltSkene(['init', root, '--endpoint', '/links', '--method', 'POST', '--limit', '3', '--yes']);
  assert.equal(init.code, 0, init.stderr);
  const configPath = join(root, 'skene.config.ts');
  const config = await readFile(configPath, 'utf8');
  await writeFile(configPath, config.replace(/id: '[^']+'/, "id: 'renamed'"));
  const doctor = await runBuiltSkene(['doctor', root, '--offline', '--json']);
  const checks = (JSON.parse(doctor.stdout) as DoctorJson).checks;
  assert.equal(checks.find((c) => c.id === 'routes.unknown-step')?.status, 'fail', doctor.stdout);
  const generate = await runBuiltSkene(['generate', root, '--yes']);
  assert.equal(generate.code, 0, generate.stderr);
  const main = await readFile(join(root, 'main.py'), 'utf8');
  assert.match(main, /skene_gate\("renamed"\)/);
  assert.equal(main.match(/skene_gate\(/g)?.length, 1, main);
});

test('a handler that drops its user parameter: doctor fails on its handler_user gate, generate makes the gate declare the user, and back', async () => {
  const root = await initStripeSaasReports();
  const reportsFile = join(root, 'app/api/routes/reports.py');
  const wired = await readFile(reportsFile, 'utf8');
  assert.match(wired, /skene_gate\("api-v1-reports-post", handler_user=True\)/);
  const parameter =
    'def create_report(\n    payload: ReportCreate,\n    current_user: User = Depends(get_current_user),\n';
  const dropped = 'def create_report(\n    payload: ReportCreate,\n    current_user: User = None,\n';
  assert.ok(wired.includes(parameter));
  await writeFile(reportsFile, wired.replace(parameter, dropped));

  const before = await runBuiltSkene(['doctor', root, '--offline', '--json']);
  assert.equal(before.code, 1, before.stdout);
  const lost = (JSON.parse(before.stdout) as DoctorJson).checks.filter((c) => c.id === 'routes.handler-user');
  assert.equal(lost.length, 1, before.stdout);
  assert.equal(lost[0]!.status, 'fail');
  assert.match(lost[0]!.message, /create_report\(\) does not declare get_current_user: the step fails open/);

  const generate = await runBuiltSkene(['generate', root, '--yes']);
  assert.equal(generate.code, 0, generate.stderr);
  assert.match(generate.stdout, /declare the user dependency its handler no longer declares/);
  const rewired = await readFile(reportsFile, 'utf8');
  assert.match(rewired, /dependencies=\[Depends\(skene_gate\("api-v1-reports-post"\)\)\]/);
  const after = await runBuiltSkene(['doctor', root, '--offline', '--json']);
  assert.deepEqual(
    (JSON.parse(after.stdout) as DoctorJson).checks.filter((c) => c.id === 'routes.handler-user'),
    [],
    after.stdout,
  );

  // The parameter back: the gate reads it again.
  assert.ok(rewired.includes(dropped));
  await writeFile(reportsFile, rewired.replace(dropped, parameter));
  const back = await runBuiltSkene(['generate', root, '--yes']);
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stdout, /read the user its handler declares \(handler_user=True\)/);
  assert.match(await readFile(reportsFile, 'utf8'), /skene_gate\("api-v1-reports-post", handler_user=True\)/);
  const again = await runBuiltSkene(['generate', root, '--yes']);
  assert.match(again.stdout, /Already up to date: nothing to change\./);
});
