/**
 * `skene sync` end to end on the built CLI: stripe-saas and link-column (each with a customer-id column and an
 * email on its user model) copied to a temp folder, `skene init --yes` run on
 * it, the app's own tables created and its users inserted through its own models, and a Stripe-shaped
 * server on 127.0.0.1 holding 230 subscriptions (three pages) in every status, of customers linked each way
 * apps link them (the app's customer-id column, the email, the customer's or the subscription's
 * metadata.user_id) and of customers no user matches (a stranger's email, no email, a deleted customer).
 * On SQLite and on PostgreSQL, on every Python lane the fixture allows: a dry run writes nothing; a run
 * writes exactly the rows the rules give; a second run changes nothing; a change in Stripe is one update.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import type { SyncReport } from '../../src/ui/render-sync-report.js';
import { copyFixture, fixturePath } from '../helpers/fixtures.js';
import { lanesAllowedBy, type PythonLane, requestedLaneNames } from '../helpers/python-lanes.js';
import {
  fakeCustomer,
  fakeStripeKeys,
  fakeSubscription,
  type JsonObject,
  type StripeServer,
} from '../helpers/stripe-server.js';
import { runBuiltSkene } from '../init/init-harness.js';
import { type Postgres, startPostgres } from './postgres.js';
import { startSubscriptionServer } from './subscription-server.js';

const execFileAsync = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const appDbScript = join(repoRoot, 'test', 'sync', 'app_db.py');
const gateCallsScript = join(repoRoot, 'test', 'sync', 'gate_calls.py');

const STATUSES = ['active', 'trialing', 'past_due', 'canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused'];
const ENDED = new Set(['canceled', 'incomplete_expired']);

// The app's users: 1-4 carry their Stripe customer id in users.stripe_customer_id.
const USERS = Array.from({ length: 12 }, (_, index) => {
  const id = index + 1;
  return { id, email: `user${id}@example.com`, stripe_customer_id: id <= 4 ? `cus_col_${id}` : null };
});

/** A fixture app with a customer-id column and an email on its user model, and what its set-up needs. */
interface AppFixture {
  name: string;
  init: string[];
  /** Where its SQLAlchemy metadata, engine and user model are (app_db.py seed). */
  seed: { base: string; engine: string; imports: string[]; model: string };
  /** The fixture's own required columns of a user. */
  userColumns(id: number): Record<string, unknown>;
}

const FIXTURES: AppFixture[] = [
  {
    name: 'stripe-saas',
    init: ['--endpoint', '/api/v1/reports/**', '--method', 'POST', '--limit', '3'],
    seed: {
      base: 'app.db.session:Base',
      engine: 'app.db.session:engine',
      imports: ['app.models.user', 'app.models.project'],
      model: 'app.models.user:User',
    },
    userColumns: () => ({ hashed_password: 'x' }),
  },
  {
    // Ties customers through its own column only (checkout with customer=current_user.stripe_customer_id).
    name: 'link-column',
    init: ['--endpoint', '/api/documents/summarize', '--method', 'POST', '--limit', '2'],
    seed: {
      base: 'saas.database:Base',
      engine: 'saas.database:engine',
      imports: ['saas.models'],
      model: 'saas.models:User',
    },
    userColumns: (id) => ({ api_key: `key-${id}` }),
  },
];

type Rule = 'customer_column' | 'email' | 'customer.metadata.user_id' | 'metadata.user_id' | null;

interface CustomerPlan {
  customer: JsonObject;
  /** The rule that ties it, and to whom (null: no user matches). */
  rule: Rule;
  user: string | null;
}

const CUSTOMERS: CustomerPlan[] = [
  ...[1, 2, 3, 4].map((id) => ({
    // Billing email of its own: only the column ties it.
    customer: fakeCustomer({ id: `cus_col_${id}`, email: `billing${id}@corp.example` }),
    rule: 'customer_column' as const,
    user: String(id),
  })),
  ...[5, 6, 7, 8].map((id) => ({
    customer: fakeCustomer({ id: `cus_mail_${id}`, email: `user${id}@example.com` }),
    rule: 'email' as const,
    user: String(id),
  })),
  ...[9, 10].map((id) => ({
    customer: fakeCustomer({ id: `cus_meta_${id}`, email: null, metadata: { user_id: String(id) } }),
    rule: 'customer.metadata.user_id' as const,
    user: String(id),
  })),
  ...[11, 12].map((id) => ({
    customer: fakeCustomer({ id: `cus_subm_${id}`, email: null }),
    rule: 'metadata.user_id' as const,
    user: String(id),
  })),
  ...[1, 2, 3, 4, 5].map((k) => ({
    customer: fakeCustomer({ id: `cus_stranger_${k}`, email: `stranger${k}@elsewhere.example` }),
    rule: null,
    user: null,
  })),
  { customer: fakeCustomer({ id: 'cus_noemail', email: null }), rule: null, user: null },
];

function subscriptionsOf(count: number): JsonObject[] {
  return Array.from({ length: count }, (_, index) => {
    const plan = CUSTOMERS[index % CUSTOMERS.length]!;
    const id = plan.customer.id as string;
    const price = index % 3 === 0 ? 'price_team' : 'price_pro';
    // Older API versions carry the period on the subscription, newer ones on its items.
    const period = 1_800_000_000 + index;
    return fakeSubscription({
      id: `sub_${String(index).padStart(3, '0')}`,
      customer: index === count - 1 ? 'cus_deleted' : id,
      status: STATUSES[(index * 5 + Math.floor(index / CUSTOMERS.length)) % STATUSES.length],
      metadata: plan.rule === 'metadata.user_id' ? { user_id: plan.user } : {},
      ...(index % 2 === 0 ? { current_period_end: period } : {}),
      items: {
        object: 'list',
        has_more: false,
        data: [
          {
            id: `si_${index}`,
            object: 'subscription_item',
            price: { id: price, object: 'price', lookup_key: null },
            ...(index % 2 === 1 ? { current_period_end: period } : {}),
          },
        ],
      },
    });
  });
}

interface Expected {
  subscriptionId: string;
  customerId: string;
  userKey: string | null;
  link: string | null;
  change: 'created' | 'updated' | 'unchanged' | 'ignored';
  status: string;
  prices: string;
  periodEnd: number;
}

/**
 * What the rules give for each listed subscription, in the order the runtime reads them: the subscription's
 * metadata.user_id, the customer's, a link skene recorded (a row it holds for the customer with a user), the
 * app's customer-id column, the email. `held` are the subscriptions skene holds before the run (id → status).
 */
function expectedRun(subscriptions: JsonObject[], held: Map<string, string>, dryRun: boolean): Expected[] {
  const linkedCustomers = new Set<string>();
  for (const [id] of held) {
    const sub = subscriptions.find((candidate) => candidate.id === id);
    const plan = CUSTOMERS.find((candidate) => candidate.customer.id === sub?.customer);
    if (plan?.user) linkedCustomers.add(plan.customer.id as string);
  }
  return subscriptions.map((sub) => {
    const customerId = sub.customer as string;
    const plan = CUSTOMERS.find((candidate) => candidate.customer.id === customerId);
    const explicit = plan?.rule === 'metadata.user_id' || plan?.rule === 'customer.metadata.user_id';
    const userKey = plan?.user ?? null;
    const link = userKey === null ? null : explicit || !linkedCustomers.has(customerId) ? plan!.rule : 'skene';
    const status = sub.status as string;
    const before = held.get(sub.id as string);
    const change =
      before === undefined ? (ENDED.has(status) ? 'ignored' : 'created') : before === status ? 'unchanged' : 'updated';
    if (!dryRun && userKey !== null && change !== 'ignored' && change !== 'unchanged') linkedCustomers.add(customerId);
    const items = (sub.items as { data: Array<{ price: { id: string }; current_period_end?: number }> }).data;
    return {
      subscriptionId: sub.id as string,
      customerId,
      userKey,
      link,
      change,
      status,
      prices: items.map((item) => item.price.id).join(' '),
      periodEnd: (sub.current_period_end as number | undefined) ?? items[0]!.current_period_end!,
    };
  });
}

interface AppRows {
  subscriptions: Array<[string, string, string | null, string, string, number, number | null, number, number]> | null;
  links: Array<[string, string]> | null;
  users: Array<[number, string, string | null]> | null;
}

/** A virtualenv-shaped folder whose bin/python runs the lane's interpreter (how sync finds the app's Python). */
async function laneVirtualenv(lane: PythonLane): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), `skene-sync-${lane.name}-venv-`));
  await mkdir(join(folder, 'bin'));
  const command =
    lane.name === 'sid' ? `bash ${join(repoRoot, 'scripts', 'sid-lane.sh')} run python3` : lane.python.join(' ');
  await writeFile(join(folder, 'bin', 'python'), `#!/bin/sh\nexec ${command} "$@"\n`);
  await chmod(join(folder, 'bin', 'python'), 0o755);
  return folder;
}

async function appPython(venv: string, root: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileAsync(join(venv, 'bin', 'python'), args, {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PYTHONDONTWRITEBYTECODE: '1', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

interface Scenario {
  fixture: AppFixture;
  database: 'sqlite' | 'postgresql';
  lane: PythonLane;
}

let stripe: StripeServer;
let postgres: Postgres | undefined;
const LISTED = 230;

before(async () => {
  stripe = await startSubscriptionServer({
    customers: CUSTOMERS.map((plan) => plan.customer),
    subscriptions: subscriptionsOf(LISTED),
  });
});
after(async () => {
  await stripe.close();
  await postgres?.stop();
});

async function setUp(scenario: Scenario): Promise<{ root: string; env: NodeJS.ProcessEnv; url: string; venv: string }> {
  const root = await copyFixture(scenario.fixture.name);
  const init = await runBuiltSkene([
    'init',
    root,
    ...scenario.fixture.init,
    '--period',
    '30d',
    '--upgrade-url',
    'https://example.test/pricing',
    '--yes',
  ]);
  assert.equal(init.code, 0, `init failed:\n${init.stdout}\n${init.stderr}`);
  assert.match(init.stdout, /npx skene sync/, "init's next steps name skene sync");
  let url: string;
  let appUrl: string;
  if (scenario.database === 'sqlite') {
    appUrl = 'sqlite:///./app-test.db';
    url = `sqlite:///${join(root, 'app-test.db')}`;
  } else {
    postgres ??= await startPostgres();
    const name = `app_${scenario.lane.name}_${Date.now().toString(36)}`;
    appUrl = url = await postgres.createDatabase(name);
  }
  // The app reads DATABASE_URL; the key comes from its .env too (the process has none).
  await writeFile(
    join(root, '.env'),
    `DATABASE_URL=${appUrl}\nSTRIPE_SECRET_KEY=${fakeStripeKeys.secret}\nSTRIPE_WEBHOOK_SECRET=whsec_test\n`,
  );
  const venv = await laneVirtualenv(scenario.lane);
  await appPython(
    venv,
    root,
    [
      appDbScript,
      'seed',
      JSON.stringify({
        ...scenario.fixture.seed,
        users: USERS.map((user) => ({ ...user, ...scenario.fixture.userColumns(user.id) })),
      }),
    ],
    { DATABASE_URL: appUrl },
  );
  const configHome = await mkdtemp(join(tmpdir(), 'skene-sync-config-'));
  const env = { SKENE_STRIPE_API_BASE: stripe.url, VIRTUAL_ENV: venv, XDG_CONFIG_HOME: configHome };
  return { root, env, url, venv };
}

async function sync(
  root: string,
  env: NodeJS.ProcessEnv,
  flags: string[] = [],
): Promise<{ report: SyncReport; stderr: string }> {
  const run = await runBuiltSkene(['sync', root, '--json', ...flags], { env });
  let report: SyncReport;
  try {
    // One document on stdout, nothing else.
    report = JSON.parse(run.stdout) as SyncReport;
  } catch {
    throw new Error(`sync printed no single JSON document (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  assert.equal(run.code, 0, `sync failed: ${run.stdout}\n${run.stderr}`);
  return { report, stderr: run.stderr };
}

async function readRows(venv: string, root: string, url: string): Promise<AppRows> {
  return JSON.parse(await appPython(venv, root, [appDbScript, 'rows', url], {})) as AppRows;
}

function assertReport(report: SyncReport, expected: Expected[], dryRun: boolean): void {
  assert.equal(report.ok, true);
  assert.equal(report.dryRun, dryRun);
  assert.equal(report.stripe.subscriptions, expected.length);
  assert.equal(report.stripe.keySource, 'STRIPE_SECRET_KEY in .env');
  assert.deepEqual(
    report.subscriptions.map((row) => ({
      subscriptionId: row.subscriptionId,
      customerId: row.customerId,
      status: row.status,
      change: row.change,
      ...(row.change === 'ignored' ? {} : { userKey: row.userKey, link: row.link }),
    })),
    expected.map((row) => ({
      subscriptionId: row.subscriptionId,
      customerId: row.customerId,
      status: row.status,
      change: row.change,
      ...(row.change === 'ignored' ? {} : { userKey: row.userKey, link: row.link }),
    })),
  );
  const count = (change: Expected['change']): number => expected.filter((row) => row.change === change).length;
  const kept = expected.filter((row) => row.change !== 'ignored');
  assert.deepEqual(report.summary, {
    linked: kept.filter((row) => row.userKey !== null).length,
    unlinked: kept.filter((row) => row.userKey === null).length,
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    ignored: count('ignored'),
  });
  // Every customer no user matches is named, with its email.
  const unlinked = new Map<string, string | null>();
  for (const row of kept) {
    if (row.userKey !== null) continue;
    const customer = CUSTOMERS.find((plan) => plan.customer.id === row.customerId)?.customer;
    unlinked.set(row.customerId, (customer?.email as string | null | undefined) ?? null);
  }
  assert.deepEqual(
    report.unlinkedCustomers.map((customer) => [customer.customerId, customer.email]).sort(),
    [...unlinked.entries()].sort(),
  );
}

function assertRows(rows: AppRows, expected: Expected[]): void {
  const held = expected.filter((row) => row.change !== 'ignored');
  assert.deepEqual(
    rows.subscriptions?.map(([id, customer, user, status, prices, periodEnd]) => [
      id,
      customer,
      user,
      status,
      prices,
      periodEnd,
    ]),
    held
      .map((row) => [row.subscriptionId, row.customerId, row.userKey, row.status, row.prices, row.periodEnd])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
  // The app's own table is read, never written.
  assert.deepEqual(
    rows.users,
    USERS.map((user) => [user.id, user.email, user.stripe_customer_id]),
  );
}

const scenarios = async (fixture: AppFixture): Promise<Scenario[]> => {
  const lanes = await lanesAllowedBy((await analyzeProject(fixturePath(fixture.name))).fastapi);
  return (['sqlite', 'postgresql'] as const).flatMap((database) => lanes.map((lane) => ({ fixture, database, lane })));
};

for (const fixture of FIXTURES)
  describe(`skene sync on ${fixture.name}`, async () => {
    const list = await scenarios(fixture);
    test('a lane runs the fixture', () => {
      assert.ok(list.length >= 2, `lanes: ${requestedLaneNames().join(', ')}`);
    });
    for (const scenario of list) {
      test(`${scenario.database} on ${scenario.lane.name}: dry run, run, second run, a change in Stripe`, async () => {
        const { root, env, url, venv } = await setUp(scenario);
        const listed = subscriptionsOf(LISTED);
        stripe.state.subscriptions = listed;

        // A dry run on a store with nothing: every row it would write, none written.
        stripe.requests.length = 0;
        const dry = await sync(root, env, ['--dry-run']);
        assertReport(dry.report, expectedRun(listed, new Map(), true), true);
        const pages = stripe.requests.filter((request) => request.path === '/v1/subscriptions');
        assert.deepEqual(
          pages.map((page) => page.query.starting_after),
          [undefined, 'sub_099', 'sub_199'],
          'three pages',
        );
        const afterDry = await readRows(venv, root, url);
        assert.ok(!afterDry.subscriptions?.length, 'the dry run wrote no subscription row');
        assert.ok(!afterDry.links?.length, 'the dry run recorded no link');

        // The run: exactly the rows the rules give, each customer's link recorded once.
        const first = expectedRun(listed, new Map(), false);
        assertReport((await sync(root, env)).report, first, false);
        const written = await readRows(venv, root, url);
        assertRows(written, first);
        const linkedCustomers = new Set(
          first.filter((row) => row.change !== 'ignored' && row.userKey !== null && row.link !== 'metadata.user_id'),
        );
        assert.deepEqual(
          written.links
            ?.map(([user, detail]) => [user, JSON.parse(detail).customer_id, JSON.parse(detail).rule])
            .sort(),
          [
            ...new Map(
              [...linkedCustomers]
                .filter((row) => row.link !== 'skene')
                .map((row) => [row.customerId, [row.userKey, row.customerId, row.link]]),
            ).values(),
          ].sort(),
        );

        // A second run: all unchanged, the rows byte for byte the same (updated_at included).
        const held = new Map(
          first.filter((row) => row.change !== 'ignored').map((row) => [row.subscriptionId, row.status]),
        );
        const second = expectedRun(listed, held, false);
        assert.ok(second.every((row) => row.change === 'unchanged' || row.change === 'ignored'));
        assertReport((await sync(root, env)).report, second, false);
        assert.deepEqual(await readRows(venv, root, url), written, 'a second run changes nothing');

        // In Stripe, one subscription ends and one starts: the dry run says so and writes nothing; the run does it.
        const ending = listed.find((sub) => sub.status === 'active' && sub.customer === 'cus_col_2')!;
        const changed = [
          ...listed.map((sub) => (sub === ending ? { ...sub, status: 'canceled' } : sub)),
          subscriptionsOf(LISTED + 1)[LISTED - 1]!,
        ];
        changed[changed.length - 1] = {
          ...changed[changed.length - 1]!,
          id: 'sub_new',
          customer: 'cus_mail_6',
          status: 'active',
        };
        stripe.state.subscriptions = changed;
        const expectedChange = expectedRun(changed, held, false);
        assert.deepEqual(
          expectedChange
            .filter((row) => row.change === 'created' || row.change === 'updated')
            .map((row) => row.subscriptionId),
          [ending.id, 'sub_new'],
        );
        assertReport((await sync(root, env, ['--dry-run'])).report, expectedRun(changed, held, true), true);
        assert.deepEqual(await readRows(venv, root, url), written, 'the dry run changed nothing');
        const third = (await sync(root, env)).report;
        assert.equal(third.summary.updated, 1);
        assert.equal(third.summary.created, 1);
        const rows = await readRows(venv, root, url);
        const byId = new Map(rows.subscriptions?.map((row) => [row[0], row]));
        assert.equal(byId.get(ending.id as string)?.[3], 'canceled');
        assert.equal(byId.get(ending.id as string)?.[2], '2');
        assert.deepEqual(byId.get('sub_new')?.slice(1, 4), ['cus_mail_6', '6', 'active']);
        assert.equal(rows.subscriptions?.length, (written.subscriptions?.length ?? 0) + 1);
        stripe.state.subscriptions = listed;
      });
    }
  });

describe('skene sync in a terminal, and its failures', async () => {
  const stripeSaas = FIXTURES[0]!;
  const [lane] = (await scenarios(stripeSaas)).map((scenario) => scenario.lane);

  test('says what it linked, the customers no user matches (id and email) and what it changed', async () => {
    const { root, env } = await setUp({ fixture: stripeSaas, database: 'sqlite', lane: lane! });
    stripe.state.subscriptions = subscriptionsOf(LISTED);
    const run = await runBuiltSkene(['sync', root], { env });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const expected = expectedRun(stripe.state.subscriptions, new Map(), false);
    const kept = expected.filter((row) => row.change !== 'ignored');
    const linked = kept.filter((row) => row.userKey !== null);
    assert.match(run.stderr, /Listing the account's subscriptions with sk_test_…abcd from STRIPE_SECRET_KEY in \.env…/);
    assert.match(
      run.stdout,
      new RegExp(`^${LISTED} subscriptions in Stripe \\(sk_test_…abcd\\); skene's store: `, 'm'),
    );
    assert.match(
      run.stdout,
      new RegExp(`^✓ Linked ${linked.length} subscriptions to users: .*\\d+ by the app's customer-id column`, 'm'),
    );
    assert.match(run.stdout, new RegExp(`^Changed \\(${kept.length}\\):$`, 'm'));
    const first = kept[0]!;
    assert.match(
      run.stdout,
      new RegExp(
        `^  \\+ ${first.subscriptionId} +${first.status} +${first.customerId} +→ user ${first.userKey} \\(the app's customer-id column\\)  created$`,
        'm',
      ),
    );
    assert.match(run.stdout, /^⚠ 7 customers with no matching user \(treated as free until linked\):$/m);
    for (const k of [1, 2, 3, 4, 5])
      assert.match(run.stdout, new RegExp(`^  cus_stranger_${k} +stranger${k}@elsewhere\\.example +sub_`, 'm'));
    assert.match(run.stdout, /^ {2}cus_noemail +\(no email\) +sub_/m);
    assert.match(run.stdout, /^ {2}cus_deleted +\(no email\) +sub_229 /m);
    assert.match(run.stdout, /^Summary: \d+ linked, \d+ unlinked, \d+ created, 0 updated, 0 unchanged, \d+ ignored/m);

    const again = await runBuiltSkene(['sync', root], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^Nothing changed: skene's rows already match Stripe\.$/m);
  });

  test('paying customers the webhook never saw: blocked at the limit before sync, never after', async () => {
    const { root, env, venv } = await setUp({ fixture: stripeSaas, database: 'sqlite', lane: lane! });
    stripe.state.subscriptions = subscriptionsOf(LISTED);
    const held = expectedRun(stripe.state.subscriptions, new Map(), false).filter((row) => row.change !== 'ignored');
    // One user per rule, each holding an active subscription; user 13 signs up with none.
    const paying = ['1', '5', '9', '11'];
    for (const user of paying)
      assert.ok(
        held.some((row) => row.userKey === user && row.status === 'active'),
        `user ${user} pays`,
      );
    await appPython(
      venv,
      root,
      [
        appDbScript,
        'seed',
        JSON.stringify({ ...stripeSaas.seed, users: [{ id: 13, email: 'free@example.com', hashed_password: 'x' }] }),
      ],
      { DATABASE_URL: 'sqlite:///./app-test.db' },
    );
    const calls = async (): Promise<Record<string, number[]>> =>
      JSON.parse(
        await appPython(
          venv,
          root,
          [gateCallsScript, JSON.stringify({ users: [...paying.map(Number), 13], calls: 4 })],
          {
            // No Stripe key: the runtime cannot look the customer up before a 402, so only sync's rows free them.
            DATABASE_URL: 'sqlite:///./app-test.db',
            SKENE_STRIPE_API_BASE: stripe.url,
          },
        ),
      ) as Record<string, number[]>;
    const before = await calls();
    for (const user of [...paying, '13'])
      assert.deepEqual(before[user], [201, 201, 201, 402], `user ${user} before sync`);

    const run = await runBuiltSkene(['sync', root], { env });
    assert.equal(run.code, 0, run.stderr);
    const after = await calls();
    for (const user of paying) assert.deepEqual(after[user], [201, 201, 201, 201], `user ${user} after sync`);
    assert.deepEqual(after['13'], [402, 402, 402, 402], 'a free user is still blocked');
  });

  test('--json failures are one document: a key Stripe rejects, a project never initialized', async () => {
    const { root, env } = await setUp({ fixture: stripeSaas, database: 'sqlite', lane: lane! });
    const rejected = await runBuiltSkene(['sync', root, '--json'], {
      env: { ...env, STRIPE_SECRET_KEY: fakeStripeKeys.invalid },
    });
    assert.equal(rejected.code, 1);
    const document = JSON.parse(rejected.stdout) as { ok: boolean; error: { message: string; exitCode: number } };
    assert.equal(document.ok, false);
    assert.match(document.error.message, /Stripe rejected the key: Invalid API Key provided/);
    assert.equal(document.error.exitCode, 1);

    const bare = await copyFixture('stripe-saas');
    const uninitialized = await runBuiltSkene(['sync', bare, '--json'], { env });
    assert.equal(uninitialized.code, 1);
    const missing = JSON.parse(uninitialized.stdout) as { ok: boolean; error: { message: string; hint: string } };
    assert.equal(missing.ok, false);
    assert.match(missing.error.message, /No generated runtime/);
    assert.match(missing.error.hint, /skene init/);

    const usage = await runBuiltSkene(['sync', join(root, 'no-such-folder'), '--json'], { env });
    assert.equal(usage.code, 2);
    assert.equal((JSON.parse(usage.stdout) as { ok: boolean }).ok, false);
  });
});
