/**
 * Wiring edge cases of `skene init` on the built CLI: a project that is already wired (nothing added
 * twice), routes skene cannot edit (listed with the exact lines to add by hand), a file that does not
 * parse (never written), and writes that would land outside the project or on a file skene did not
 * generate (refused before anything is written).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { changedFiles, runBuiltSkene, runGateCheck, snapshotFiles } from './init-harness.js';

test('already-wired: the gates, the install line and the webhook call are found, nothing is added twice, the gate works', async () => {
  const root = await copyFixture('already-wired');
  const before = snapshotFiles(root);
  const result = await runBuiltSkene([
    'init',
    root,
    '--endpoint',
    '/api/notes/**',
    '--method',
    'POST',
    '--limit',
    '2',
    '--period',
    '30d',
    '--message',
    'Free plan limit reached. Upgrade to keep writing notes.',
    '--upgrade-url',
    'https://notes.example.test/upgrade',
    '--provider',
    'resend',
    '--template',
    'upgrade_prompt',
    '--yes',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const after = snapshotFiles(root);
  const changed = changedFiles(before, after);
  // Only skene's runtime (the stand-in replaced, the rest created), its generated gate tests, and the one
  // gate an older skene wrote without handler_user=True although its handler declares the user; the config
  // and every other wired file keep their bytes.
  assert.deepEqual(
    changed.filter((path) => !path.startsWith('notes/skene/')),
    ['notes/routes.py', 'tests/test_skene_gate.py'],
  );
  assert.ok(
    changed.includes('notes/skene/__init__.py') && changed.includes('notes/skene/_gate.py'),
    changed.join(', '),
  );
  // The decorator route's gate gains the keyword and nothing else; the add_api_route one, which skene does
  // not edit, keeps its working form rather than becoming a hand edit.
  const routesBefore = before.get('notes/routes.py')!.toString('utf8');
  const routes = after.get('notes/routes.py')!.toString('utf8');
  assert.equal(
    routes,
    routesBefore.replace(
      'Depends(skene_gate("notes")),  # added by skene init',
      'Depends(skene_gate("notes", handler_user=True)),  # added by skene init',
    ),
  );
  assert.notEqual(routes, routesBefore);
  assert.equal(routes.match(/skene_gate\("notes"\)/g)?.length, 1, routes);
  assert.match(
    result.stdout,
    /^ {2}~ notes\/routes\.py — let the gate of POST \/api\/notes read the user its handler declares \(handler_user=True\)$/m,
  );
  assert.match(result.stdout, /^Unchanged \(3\): skene\.config\.ts, notes\/main\.py, notes\/billing\.py$/m);
  assert.match(result.stdout, /^ {2}POST \/api\/notes {2}notes\/routes\.py:\d+ {2}already gated$/m);
  assert.match(result.stdout, /^ {2}POST \/api\/notes\/archive {2}notes\/routes\.py:\d+ {2}already gated$/m);
  assert.ok(!result.stdout.includes('Edit by hand'), result.stdout);
  assert.match(result.stdout, /Your Stripe webhook POST \/billing\/webhook now hands events to skene/);

  for (const { lane, report } of await runGateCheck({
    root,
    fixture: 'already-wired',
    limit: 2,
    webhookPath: '/billing/webhook',
  })) {
    assert.deepEqual(
      report.calls.map((c) => c.status),
      [201, 201],
      lane.name,
    );
    assert.equal(report.blocked.status, 402, lane.name);
    assert.equal(
      (report.blocked.body as { message: string }).message,
      'Free plan limit reached. Upgrade to keep writing notes.',
    );
    // The tracked link to https://notes.example.test/upgrade (test/python/test_upgrade_links.py follows such links).
    assert.match((report.blocked.body as { upgrade_url: string }).upgrade_url, /\/skene\/upgrade\/[\w-]+\.[\w-]+$/);
    assert.deepEqual(report.webhooks, [200, 200], lane.name);
    assert.equal(report.afterSubscribe.status, 201, lane.name);
  }

  const generated = snapshotFiles(root);
  const generate = await runBuiltSkene(['generate', root]);
  assert.equal(generate.code, 0, generate.stderr);
  assert.match(generate.stdout, /Already up to date: nothing to change\./);
  assert.deepEqual(changedFiles(generated, snapshotFiles(root)), []);

  // The add_api_route gate reading a user its handler no longer declares: a fix skene cannot make, so listed.
  const reading = routes
    .replace(
      'dependencies=[Depends(skene_gate("notes"))])',
      'dependencies=[Depends(skene_gate("notes", handler_user=True))])',
    )
    .replace('def archive_notes(user: Dict[str, str] = Depends(get_current_user)):', 'def archive_notes():')
    .replace('if note["owner"] == user["id"]]\n    return {"archived"', 'if note]\n    return {"archived"');
  assert.equal(reading.match(/handler_user=True/g)?.length, 2, reading);
  assert.ok(reading.includes('def archive_notes():\n'), reading);
  await writeFile(join(root, 'notes/routes.py'), reading);
  const lost = await runBuiltSkene(['generate', root]);
  assert.equal(lost.code, 0, lost.stderr);
  assert.match(
    lost.stdout,
    /notes\/routes\.py:\d+ gate POST \/api\/notes\/archive: its gate reads the user from the handler \(handler_user=True\), which no longer declares the user dependency, and the route is registered with add_api_route\(\.\.\.\), not a decorator; make the registration read as below/,
  );
  assert.match(
    lost.stdout,
    /^ {6}router\.add_api_route\("\/archive", archive_notes, methods=\["POST"\], dependencies=\[Depends\(skene_gate\("notes"\)\)\]\)$/m,
  );
  assert.equal(await readFile(join(root, 'notes/routes.py'), 'utf8'), reading);
});

test('routes skene cannot edit are listed with the exact lines to write; once written, they are found and the gate works', async () => {
  const root = await copyFixture('uneditable-route');
  const routesFile = join(root, 'jobs/routes.py');
  const original = await readFile(routesFile, 'utf8');
  const args = [
    'init',
    root,
    '--endpoint',
    '/jobs/**',
    '--method',
    'POST',
    '--limit',
    '2',
    '--message',
    'Upgrade for more jobs.',
    '--yes',
  ];
  const first = await runBuiltSkene(args);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(
    await readFile(routesFile, 'utf8'),
    original,
    'the file whose routes skene cannot edit is left as it is',
  );
  const manual = first.stdout.slice(first.stdout.indexOf('Edit by hand (4):'));
  const expectations: Array<[RegExp, string]> = [
    [
      /jobs\/routes\.py:29 gate POST \/jobs\/exports: the route is registered with a call such as router\.get\(path\)\(handler\), not a decorator/,
      'router.post("/exports", dependencies=[Depends(skene_gate("jobs-post", handler_user=True))])(start_export)',
    ],
    [
      /jobs\/routes\.py:30 gate POST \/jobs\/imports: the route is registered with add_api_route\(\.\.\.\), not a decorator/,
      'router.add_api_route("/imports", start_import, methods=["POST"], status_code=202, dependencies=[Depends(skene_gate("jobs-post", handler_user=True))])',
    ],
    [
      /jobs\/routes\.py:33 gate POST \/jobs\/reindex: the call passes \*args\/\*\*kwargs/,
      '@router.post("/reindex", dependencies=[Depends(skene_gate("jobs-post", handler_user=True))], **ACCEPTED)',
    ],
    [
      /jobs\/routes\.py:38 gate POST \/jobs\/purge: dependencies= is not a list literal/,
      '@router.post("/purge", dependencies=AUDITED + [Depends(skene_gate("jobs-post", handler_user=True))])',
    ],
  ];
  for (const [why, line] of expectations) {
    assert.match(manual, why);
    assert.ok(manual.includes(`\n      ${line}\n`), `${line} in:\n${manual}`);
  }
  assert.equal(
    manual.split('from jobs.skene import gate as skene_gate').length - 1,
    4,
    'each step names the import to add',
  );
  assert.equal(first.stdout.match(/ {2}edit by hand$/gm)?.length, 4);
  assert.match(first.stdout, /Make the edits listed above by hand\./);

  // The user makes the edits as listed; the next run finds every gate and leaves the file alone.
  let edited = original.replace(
    'from jobs.auth import get_current_user\n',
    'from jobs.auth import get_current_user\nfrom jobs.skene import gate as skene_gate\n',
  );
  edited = edited
    .replace('router.post("/exports")(start_export)', expectations[0]![1])
    .replace('router.add_api_route("/imports", start_import, methods=["POST"], status_code=202)', expectations[1]![1])
    .replace('@router.post("/reindex", **ACCEPTED)', expectations[2]![1])
    .replace('@router.post("/purge", dependencies=AUDITED)', expectations[3]![1]);
  await writeFile(routesFile, edited);
  const second = await runBuiltSkene(args);
  assert.equal(second.code, 0, second.stderr);
  assert.ok(!second.stdout.includes('Edit by hand'), second.stdout);
  assert.equal(second.stdout.match(/ {2}already gated$/gm)?.length, 4, second.stdout);
  assert.equal(await readFile(routesFile, 'utf8'), edited);

  for (const { lane, report } of await runGateCheck({
    root,
    fixture: 'uneditable-route',
    limit: 2,
    webhookPath: '/skene/webhooks/stripe',
  })) {
    assert.deepEqual(
      report.calls.map((c) => c.status),
      [200, 200],
      lane.name,
    );
    assert.equal(report.blocked.status, 402, lane.name);
    assert.equal((report.blocked.body as { message: string }).message, 'Upgrade for more jobs.');
    assert.deepEqual(report.webhooks, [200, 200], lane.name);
    assert.equal(report.afterSubscribe.status, 200, lane.name);
  }
});

test('a matching route without a user dependency gets a gate through identify(request), so it stays public', async () => {
  const root = await copyFixture('app-factory');
  const health = join(root, 'service/routers/health.py');
  const original = await readFile(health, 'utf8');
  const result = await runBuiltSkene(['init', root, '--endpoint', '/readyz', '--method', 'GET', '--yes']);
  assert.equal(result.code, 0, result.stderr);
  // `router.get("/readyz")(readiness)` is no decorator: left to the user, with identify=True rather than
  // the project's get_current_user, which would make the probe answer 401.
  assert.equal(await readFile(health, 'utf8'), original);
  assert.ok(
    result.stdout.includes(
      '      router.get("/readyz", dependencies=[Depends(skene_gate("readyz-get", identify=True))])(readiness)',
    ),
    result.stdout,
  );
  assert.match(
    result.stdout,
    /^ {2}GET \/readyz {2}service\/routers\/health\.py:17 {2}edit by hand {2}no user dependency: counted through identify\(request\)$/m,
  );
  assert.match(
    result.stdout,
    /GET \/readyz has no user dependency, so its gate counts whoever identify\(request\) returns: edit it in service\/skene\/_integration\.py/,
  );
  assert.ok(!result.stdout.includes('would make it require'), result.stdout);
});

test('a route registered with add_api_route(...) is listed with its gated registration line', async () => {
  const root = await copyFixture('single-file');
  const before = await readFile(join(root, 'main.py'), 'utf8');
  const result = await runBuiltSkene(['init', root, '--endpoint', '/stats', '--method', 'GET', '--yes']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /main\.py:152 gate GET \/stats: the route is registered with add_api_route\(\.\.\.\), not a decorator/,
  );
  assert.ok(
    result.stdout.includes(
      '      app.add_api_route("/stats", stats, methods=["GET"], tags=["admin"], dependencies=[Depends(skene_gate("stats-get"))])',
    ),
    result.stdout,
  );
  // main.py still gets skene_install(app), but not the gate.
  const after = await readFile(join(root, 'main.py'), 'utf8');
  assert.notEqual(after, before);
  assert.ok(!after.includes('skene_gate'), after);
  assert.match(after, /^app = FastAPI\(.*\)\nskene_install\(app\)$/m);
});

test('a file with a syntax error is never written: its edits are listed for the user', async () => {
  const root = await copyFixture('broken-files');
  const before = snapshotFiles(root);
  const result = await runBuiltSkene(['init', root, '--endpoint', '/moderation/**', '--method', 'DELETE', '--yes']);
  assert.equal(result.code, 0, result.stderr);
  const changed = changedFiles(before, snapshotFiles(root));
  assert.ok(!changed.includes('legacy/admin_panel.py'), changed.join(', '));
  assert.match(
    result.stdout,
    /legacy\/admin_panel\.py:\d+ gate DELETE \/moderation\/posts\/\{post_id\}: the file has a syntax error at line \d+, and skene only writes files that parse/,
  );
  assert.ok(
    result.stdout.includes(
      '      @admin.delete("/moderation/posts/{post_id}", dependencies=[Depends(skene_gate("moderation-delete", identify=True))])',
    ),
    result.stdout,
  );
  assert.match(result.stdout, /legacy\/admin_panel\.py:7 install skene on the app: the file has a syntax error/);
});

test('a write that would land outside the project folder is refused, and nothing is written', async () => {
  const root = await copyFixture('stripe-saas');
  const outside = await mkdtemp(join(tmpdir(), 'skene-outside-'));
  await symlink(outside, join(root, 'app/skene'));
  const before = snapshotFiles(root);
  const result = await runBuiltSkene(['init', root, '--endpoint', '/api/v1/reports/**', '--method', 'POST', '--yes']);
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stderr, /Refusing to (write|read) app\/skene\/.*: it is outside the project folder\./);
  assert.deepEqual(await readdir(outside), []);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
});

test('a file at a runtime path that skene did not generate is never overwritten', async () => {
  const root = await copyFixture('stripe-saas');
  await mkdir(join(root, 'app/skene'));
  await writeFile(join(root, 'app/skene/__init__.py'), '"""Our own skene package: skeleton-screen helpers."""\n');
  const before = snapshotFiles(root);
  const result = await runBuiltSkene(['init', root, '--endpoint', '/api/v1/reports/**', '--method', 'POST', '--yes']);
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stderr, /skene would overwrite a file it did not generate: app\/skene\/__init__\.py\./);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
});
