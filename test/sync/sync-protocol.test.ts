/**
 * The pieces of `skene sync` between Stripe and the runtime: the runtime's document read field by field,
 * the app's environment (.env under the process's variables), which Stripe key is used, the runtime run as
 * a real Python process (its error document, a crash, a stray print), and the report a person reads.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { writeStoredCredentials } from '../../src/credentials/credentials-file.js';
import { SkeneError } from '../../src/errors.js';
import { resolveSyncStripeKey } from '../../src/sync/resolve-sync-stripe-key.js';
import { runRuntimeSync } from '../../src/sync/run-runtime-sync.js';
import { buildAppEnvironment, readDotenvChain } from '../../src/sync/sync-environment.js';
import {
  extractJsonDocument,
  parseRuntimeSyncOutput,
  type RuntimeSyncOutput,
  type RuntimeSyncRow,
} from '../../src/sync/sync-protocol.js';
import { createPalette } from '../../src/ui/palette.js';
import { buildSyncReport, LISTED_LINES, renderSyncReport } from '../../src/ui/render-sync-report.js';
import { startFolderOf } from '../../src/workflows/sync.js';
import { fakeStripeKeys } from '../helpers/stripe-server.js';

const row = (fields: Partial<RuntimeSyncRow> = {}): RuntimeSyncRow => ({
  subscription_id: 'sub_1',
  customer_id: 'cus_1',
  status: 'active',
  user_key: '7',
  link: 'email',
  change: 'created',
  ...fields,
});

const output = (rows: RuntimeSyncRow[], fields: Partial<RuntimeSyncOutput> = {}): RuntimeSyncOutput => ({
  dry_run: false,
  database: "the app's SQLite database",
  subscriptions: rows,
  rejected: [],
  summary: { linked: 1, unlinked: 0, created: 1, updated: 0, unchanged: 0, ignored: 0 },
  ...fields,
});

describe("the runtime's document", () => {
  test('a well-formed document is read, extra fields kept out, rejected defaulting to none', () => {
    const document = {
      dry_run: true,
      database: 'postgresql 127.0.0.1:5432/app',
      subscriptions: [{ ...row(), customer_email: 'a@example.com', extra: 1 }],
      summary: { linked: 1, unlinked: 0, created: 1, updated: 0, unchanged: 0, ignored: 0, other: 3 },
    };
    assert.deepEqual(parseRuntimeSyncOutput(document), {
      dry_run: true,
      database: 'postgresql 127.0.0.1:5432/app',
      subscriptions: [{ ...row(), customer_email: 'a@example.com' }],
      rejected: [],
      summary: { linked: 1, unlinked: 0, created: 1, updated: 0, unchanged: 0, ignored: 0 },
    });
  });

  const broken: Array<[string, (document: Record<string, unknown>) => void, RegExp]> = [
    ['no dry_run', (d) => delete d.dry_run, /"dry_run"/],
    ['a numeric database', (d) => (d.database = 1), /"database"/],
    ['an unknown change', (d) => ((d.subscriptions as RuntimeSyncRow[])[0]!.change = 'moved' as never), /change/],
    ['an unknown link', (d) => ((d.subscriptions as RuntimeSyncRow[])[0]!.link = 'guess' as never), /link/],
    ['a numeric user key', (d) => ((d.subscriptions as RuntimeSyncRow[])[0]!.user_key = 7 as never), /user_key/],
    ['a missing count', (d) => delete (d.summary as Record<string, unknown>).ignored, /summary\.ignored/],
    ['a rejected entry without its error', (d) => (d.rejected = [{ index: 0 }]), /rejected\[0\]/],
  ];
  for (const [name, breakIt, message] of broken) {
    test(`a document with ${name} is refused, naming the field`, () => {
      const document = structuredClone(output([row()])) as unknown as Record<string, unknown>;
      breakIt(document);
      assert.throws(() => parseRuntimeSyncOutput(document), message);
    });
  }

  test('the document is found after lines an app module printed while imported', () => {
    const text = `connecting to the database...\n{"x": 1}\nWARNING something\n${JSON.stringify({ a: [1, { b: 2 }] }, null, 2)}\n`;
    assert.deepEqual(extractJsonDocument(text), { a: [1, { b: 2 }] });
    assert.deepEqual(extractJsonDocument('{"error": "store down"}'), { error: 'store down' });
    assert.equal(extractJsonDocument('Traceback (most recent call last):\n  boom'), undefined);
    assert.equal(extractJsonDocument(''), undefined);
  });
});

describe("the app's environment and the Stripe key", () => {
  async function project(files: Record<string, string>): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'skene-sync-env-'));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(join(root, ...file.split('/').slice(0, -1)), { recursive: true });
      await writeFile(join(root, ...file.split('/')), text);
    }
    return root;
  }

  test(".env files from the project down to the app's folder, the nearest winning, the process's variables over all", async () => {
    const root = await project({
      '.env': 'DATABASE_URL=sqlite:///./root.db\nSHARED=root\nONLY_ROOT=1\n',
      'backend/.env': '# the app\nexport DATABASE_URL="postgresql://db/app"\nSHARED=backend  # comment\n',
      'other/.env': 'NOT_READ=1\n',
    });
    const dotenv = readDotenvChain(root, 'backend');
    assert.deepEqual(
      dotenv.map((entry) => entry.file),
      ['.env', '.env', '.env', 'backend/.env', 'backend/.env'],
    );
    const env = buildAppEnvironment({ SHARED: 'process', PATH: '/bin' }, dotenv);
    assert.equal(env.DATABASE_URL, 'postgresql://db/app');
    assert.equal(env.SHARED, 'process');
    assert.equal(env.ONLY_ROOT, '1');
    assert.equal(env.PATH, '/bin');
    assert.equal(env.NOT_READ, undefined);
  });

  test("the key: the environment's, else the app's .env (a placeholder passed over), else skene login's", async () => {
    const configHome = await mkdtemp(join(tmpdir(), 'skene-sync-config-'));
    const root = await project({
      '.env': `STRIPE_SECRET_KEY=sk_test_replace_me\nBILLING_KEY=${fakeStripeKeys.restricted}\n`,
    });
    const dotenv = readDotenvChain(root, '');
    const fromEnv = await resolveSyncStripeKey(
      { STRIPE_API_KEY: fakeStripeKeys.live, XDG_CONFIG_HOME: configHome },
      dotenv,
      ['BILLING_KEY'],
    );
    assert.deepEqual(fromEnv, { key: fakeStripeKeys.live, source: 'the STRIPE_API_KEY environment variable' });
    const fromDotenv = await resolveSyncStripeKey({ XDG_CONFIG_HOME: configHome }, dotenv, ['BILLING_KEY']);
    assert.deepEqual(fromDotenv, { key: fakeStripeKeys.restricted, source: 'BILLING_KEY in .env' });

    await assert.rejects(
      resolveSyncStripeKey({ XDG_CONFIG_HOME: configHome }, dotenv),
      (error: unknown) =>
        error instanceof SkeneError &&
        /STRIPE_SECRET_KEY in \.env is not a Stripe secret key/.test(error.message) &&
        /skene login/.test(error.hint ?? ''),
    );
    const path = await writeStoredCredentials(
      { XDG_CONFIG_HOME: configHome },
      {
        apiKey: fakeStripeKeys.secret,
        accountId: 'acct_1',
        accountName: null,
        mode: 'test',
        keyType: 'secret',
        savedAt: '',
      },
    );
    assert.deepEqual(await resolveSyncStripeKey({ XDG_CONFIG_HOME: configHome }, dotenv), {
      key: fakeStripeKeys.secret,
      source: path,
    });
  });
});

describe('the runtime as a Python process', () => {
  /** A package `fake_runtime` whose `python -m fake_runtime sync` runs `body` (stdin is the CLI's document). */
  async function runtimeFolder(body: string): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'skene-sync-runtime-'));
    await mkdir(join(folder, 'fake_runtime'));
    await writeFile(join(folder, 'fake_runtime', '__init__.py'), '');
    await writeFile(join(folder, 'fake_runtime', '__main__.py'), `import json, sys\n${body}\n`);
    return folder;
  }
  const python = { command: ['/usr/bin/python3'] as [string], source: 'PATH' };
  const run = (cwd: string, dryRun = false) =>
    runRuntimeSync({
      python,
      module: 'fake_runtime',
      cwd,
      env: { PATH: process.env.PATH },
      subscriptions: [{ id: 'sub_1', status: 'active' }],
      dryRun,
    });

  test('gets the subscriptions on stdin and the flags as arguments, and its document back', async () => {
    const cwd = await runtimeFolder(
      [
        'document = json.load(sys.stdin)',
        'print("app module says hello")',
        'ids = [s["id"] for s in document["subscriptions"]]',
        'print(json.dumps({"dry_run": sys.argv[1:] == ["sync", "--dry-run"], "database": ",".join(ids),',
        '  "subscriptions": [], "summary": {k: len(ids) for k in ["linked", "unlinked", "created", "updated", "unchanged", "ignored"]}}))',
      ].join('\n'),
    );
    const result = await run(cwd, true);
    assert.equal(result.dry_run, true);
    assert.equal(result.database, 'sub_1');
    assert.equal(result.summary.linked, 1);
  });

  test('its error document (exit 2) is the message', async () => {
    const cwd = await runtimeFolder('print(json.dumps({"error": "could not connect to server"}))\nsys.exit(2)');
    await assert.rejects(
      run(cwd),
      (error: unknown) =>
        error instanceof SkeneError && error.message === 'The runtime could not sync: could not connect to server',
    );
  });

  test("a crash is the traceback's last lines", async () => {
    const cwd = await runtimeFolder('import not_installed_anywhere');
    await assert.rejects(
      run(cwd),
      (error: unknown) =>
        error instanceof SkeneError &&
        /exited with 1/.test(error.message) &&
        /No module named 'not_installed_anywhere'/.test(error.message),
    );
  });

  test('a runtime without __main__ (generated before sync) is told to regenerate', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'skene-sync-runtime-'));
    await mkdir(join(folder, 'fake_runtime'));
    await writeFile(join(folder, 'fake_runtime', '__init__.py'), '');
    await assert.rejects(
      run(folder),
      (error: unknown) => error instanceof SkeneError && /skene generate/.test(error.hint ?? ''),
    );
  });

  test('a document of another shape is refused', async () => {
    const cwd = await runtimeFolder('print(json.dumps({"dry_run": False, "database": "x", "rows": []}))');
    await assert.rejects(
      run(cwd),
      (error: unknown) => error instanceof SkeneError && /no "subscriptions" list/.test(error.message),
    );
  });
});

describe('the report', () => {
  const palette = createPalette(false);
  const report = (rows: RuntimeSyncRow[], fields: Partial<RuntimeSyncOutput> = {}) =>
    buildSyncReport({
      output: output(rows, fields),
      emails: new Map(rows.map((r, i) => [r.subscription_id, i % 2 === 0 ? `user${i}@example.com` : null])),
      ids: rows.map((r) => r.subscription_id),
      listed: rows.length,
      stripe: { key: 'sk_test_…abcd', keySource: 'the STRIPE_SECRET_KEY environment variable' },
      runtime: {
        module: 'app.skene',
        dir: 'app/skene',
        startFolder: '.',
        python: { command: ['python3'], source: 'PATH' },
      },
    });

  test('says what was linked and how, the customers with no user (id and email) and what changed', () => {
    const rows = [
      row({ subscription_id: 'sub_a', customer_id: 'cus_a', user_key: '1', link: 'customer_column' }),
      row({ subscription_id: 'sub_b', customer_id: 'cus_b', user_key: '2', link: 'email', change: 'updated' }),
      row({ subscription_id: 'sub_c', customer_id: 'cus_c', user_key: null, link: null, status: 'past_due' }),
      row({ subscription_id: 'sub_d', customer_id: 'cus_c', user_key: null, link: null, change: 'unchanged' }),
      row({ subscription_id: 'sub_e', customer_id: 'cus_e', user_key: null, link: null, change: 'ignored' }),
      row({ subscription_id: 'sub_f', customer_id: 'cus_f', user_key: '3', link: 'email', change: 'unchanged' }),
    ];
    const built = report(rows, {
      summary: { linked: 3, unlinked: 2, created: 2, updated: 1, unchanged: 2, ignored: 1 },
      rejected: [{ index: 5, error: 'subscriptions[5] has no status' }],
    });
    assert.deepEqual(built.unlinkedCustomers, [
      {
        customerId: 'cus_c',
        email: 'user2@example.com',
        subscriptions: [
          { subscriptionId: 'sub_c', status: 'past_due' },
          { subscriptionId: 'sub_d', status: 'active' },
        ],
      },
    ]);
    assert.deepEqual(built.rejected, [{ subscriptionId: 'sub_f', error: 'subscriptions[5] has no status' }]);
    const text = renderSyncReport(built, palette);
    assert.equal(
      text,
      [
        "6 subscriptions in Stripe (sk_test_…abcd); skene's store: the app's SQLite database",
        '',
        "✓ Linked 3 subscriptions to users: 2 by email, 1 by the app's customer-id column.",
        '',
        'Changed (3):',
        "  + sub_a  active    cus_a → user 1 (the app's customer-id column)  created",
        '  ~ sub_b  active    cus_b → user 2 (email)  updated',
        '  + sub_c  past_due  cus_c → no user  created',
        '',
        '⚠ 1 customer with no matching user (treated as free until linked):',
        '  cus_c  user2@example.com  sub_c past_due, sub_d active',
        "  Link them: metadata.user_id on the customer, the app's customer-id column, or a user with the same email, then run skene sync again.",
        '',
        '⚠ 1 subscription the runtime could not read (left as they were):',
        '  sub_f  subscriptions[5] has no status',
        '',
        'Summary: 3 linked, 2 unlinked, 2 created, 1 updated, 2 unchanged, 1 ignored (ended, never held by skene).',
        '',
      ].join('\n'),
    );
  });

  test('a dry run says what it would do and that it wrote nothing; a second run that nothing changed', () => {
    const dry = renderSyncReport(report([row()], { dry_run: true }), palette);
    assert.match(dry, /^Would change \(1\):$/m);
    assert.match(dry, /→ user 7 \(email\) {2}would create$/m);
    assert.match(dry, /1 to create/);
    assert.match(dry, /^Dry run: nothing was written\./m);
    const again = renderSyncReport(report([row({ change: 'unchanged' })]), palette);
    assert.match(again, /^Nothing changed: skene's rows already match Stripe\.$/m);
    assert.doesNotMatch(again, /Dry run/);
  });

  test(`a long list stops at ${LISTED_LINES} lines and points to --json`, () => {
    const rows = Array.from({ length: LISTED_LINES + 7 }, (_, i) =>
      row({ subscription_id: `sub_${i}`, customer_id: `cus_${i}`, user_key: null, link: null }),
    );
    const text = renderSyncReport(report(rows), palette);
    assert.equal(text.match(/^ {2}\+ sub_/gm)?.length, LISTED_LINES);
    assert.match(text, /… and 7 more \(--json lists every one\)/);
    assert.equal(text.match(/^ {2}cus_\d+ /gm)?.length, LISTED_LINES);
  });
});

describe('where the runtime runs', () => {
  const analysis = { apps: [], sourceRoots: [{ path: 'server', packages: ['app'] }] } as unknown as Parameters<
    typeof startFolderOf
  >[1];
  test('the source root holding the runtime’s top package', () => {
    assert.equal(startFolderOf({ dir: 'app/skene', module: 'app.skene' }, analysis), '');
    assert.equal(startFolderOf({ dir: 'backend/app/skene', module: 'app.skene' }, analysis), 'backend');
    assert.equal(startFolderOf({ dir: 'src/skene_runtime', module: 'skene_runtime' }, analysis), 'src');
    assert.equal(startFolderOf({ dir: 'a/b/c/skene', module: 'c.skene' }, analysis), 'a/b');
  });
  test("a runtime whose folder does not end in its module's path runs from the app's source root", () => {
    assert.equal(startFolderOf({ dir: 'elsewhere/skene', module: 'app.skene' }, analysis), 'server');
  });
});
