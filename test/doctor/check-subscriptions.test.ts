/**
 * doctor's check that skene holds every subscription Stripe bills (docs/CUSTOMER-LINKS.md): the real stripe SDK
 * against a Stripe-shaped server on 127.0.0.1, skene's rows in a real SQLite file written by Python's sqlite3.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkSubscriptions } from '../../src/doctor/check-subscriptions.js';
import { fakeStripeKeys, fakeSubscription, type StripeServer, startStripeServer } from '../helpers/stripe-server.js';

const INTEGRATION = `DEFAULT_DATABASE_URL = "sqlite:///skene.db"


def app_engine():
    return None
`;

let stripe: StripeServer;

before(async () => {
  stripe = await startStripeServer({
    subscriptions: [
      fakeSubscription({ id: 'sub_known', status: 'active', customer: 'cus_known' }),
      fakeSubscription({ id: 'sub_trial', status: 'trialing', customer: 'cus_trial' }),
      fakeSubscription({ id: 'sub_late', status: 'past_due', customer: 'cus_late' }),
      fakeSubscription({ id: 'sub_unlinked', status: 'active', customer: 'cus_nobody' }),
      fakeSubscription({ id: 'sub_over', status: 'canceled', customer: 'cus_gone' }),
    ],
  });
});
after(async () => stripe.close());

/** A project with a generated runtime folder and skene's table holding `rows` (subscription_id, user_key). */
async function project(rows: Array<[string, string | null]> | null): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'skene-doctor-subs-'));
  await mkdir(join(root, 'app', 'skene'), { recursive: true });
  await writeFile(join(root, 'app', 'skene', '_integration.py'), INTEGRATION);
  if (rows !== null) {
    const script = [
      'import json, sqlite3, sys',
      'db = sqlite3.connect(sys.argv[1])',
      'db.execute("CREATE TABLE skene_subscriptions (subscription_id VARCHAR(255) PRIMARY KEY, customer_id VARCHAR(255), user_key VARCHAR(255), status VARCHAR(64))")',
      'db.executemany("INSERT INTO skene_subscriptions (subscription_id, user_key, status) VALUES (?, ?, \'active\')", json.loads(sys.argv[2]))',
      'db.commit()',
    ].join('\n');
    execFileSync('python3', ['-c', script, join(root, 'skene.db'), JSON.stringify(rows)]);
  }
  return root;
}

const env = () => ({ STRIPE_SECRET_KEY: fakeStripeKeys.secret, SKENE_STRIPE_API_BASE: stripe.url, HOME: tmpdir() });

const run = (root: string, extraEnv: Record<string, string> = {}) =>
  checkSubscriptions({
    root,
    env: { ...env(), ...extraEnv },
    dotenv: [],
    analysis: undefined,
    runtime: { dir: 'app/skene', module: 'app.skene' },
  });

test('paying subscriptions skene holds no row of fail and point to skene sync; canceled ones do not count', async () => {
  const root = await project([
    ['sub_known', '7'],
    ['sub_unlinked', null],
  ]);
  const checks = await run(root);
  assert.deepEqual(
    checks.map((check) => [check.id, check.status]),
    [
      ['stripe.subscriptions', 'fail'],
      ['stripe.subscriptions.linked', 'fail'],
    ],
  );
  assert.match(
    checks[0]!.message,
    /^2 of 4 paying subscriptions in Stripe are unknown to skene, .*: sub_trial, sub_late$/,
  );
  assert.match(checks[0]!.fix!, /skene sync/);
  assert.match(checks[1]!.message, /^1 paying subscriptions skene holds are tied to no user .*customers cus_nobody$/);
  assert.match(checks[1]!.fix!, /link_customer\(customer_id, user_id\)/);
});

test('every paying subscription held and tied to a user passes, naming the database read', async () => {
  const root = await project([
    ['sub_known', '7'],
    ['sub_trial', '8'],
    ['sub_late', '9'],
    ['sub_unlinked', '10'],
  ]);
  const checks = await run(root);
  assert.deepEqual(
    checks.map((check) => [check.id, check.status, check.message]),
    [
      [
        'stripe.subscriptions',
        'pass',
        'all 4 paying subscriptions in Stripe are in sqlite:///skene.db (DEFAULT_DATABASE_URL of app/skene/_integration.py), each tied to a user',
      ],
    ],
  );
});

test('a database that cannot be read is a warning that says what is unknown, never a pass', async () => {
  const root = await project(null);
  const checks = await run(root, { SKENE_DATABASE_URL: 'sqlite:///missing/skene.db' });
  assert.equal(checks.length, 1);
  assert.equal(checks[0]!.status, 'warn');
  assert.match(
    checks[0]!.message,
    /^4 paying subscriptions in Stripe; skene's rows in sqlite:\/\/\/missing\/skene\.db/,
  );
});

test('no skene table yet with paying subscriptions in Stripe fails', async () => {
  const root = await project([]);
  execFileSync('python3', [
    '-c',
    'import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute("DROP TABLE skene_subscriptions"); db.commit()',
    join(root, 'skene.db'),
  ]);
  const checks = await run(root);
  assert.equal(checks[0]!.status, 'fail');
  assert.match(checks[0]!.message, /^4 of 4 paying subscriptions in Stripe are unknown to skene/);
});

test('an account with no paying subscription passes without reading the database', async () => {
  const empty = await startStripeServer({ subscriptions: [fakeSubscription({ id: 'sub_old', status: 'canceled' })] });
  try {
    const root = await project(null);
    const checks = await checkSubscriptions({
      root,
      env: { ...env(), SKENE_STRIPE_API_BASE: empty.url, SKENE_DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' },
      dotenv: [],
      analysis: undefined,
      runtime: { dir: 'app/skene', module: 'app.skene' },
    });
    assert.deepEqual(
      checks.map((check) => [check.status, check.message]),
      [['pass', 'no subscription in Stripe is active, trialing or past due']],
    );
  } finally {
    await empty.close();
  }
});
