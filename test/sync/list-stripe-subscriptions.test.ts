/**
 * listStripeSubscriptions through the real `stripe` SDK against a Stripe-shaped server on 127.0.0.1: every
 * page (250 subscriptions are three requests of 100, each after the last id), every status, each customer
 * expanded; Stripe's refusals come back as skene's errors with Stripe's message.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { StripeRequestError } from '../../src/stripe/explain-stripe-failure.js';
import { customerOf, listStripeSubscriptions } from '../../src/sync/list-stripe-subscriptions.js';
import {
  fakeCustomer,
  fakeStripeKeys,
  fakeSubscription,
  type StripeServer,
  stripeError,
} from '../helpers/stripe-server.js';
import { startSubscriptionServer } from './subscription-server.js';

const STATUSES = ['active', 'trialing', 'past_due', 'unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'paused'];

let server: StripeServer;
const env = (): NodeJS.ProcessEnv => ({ SKENE_STRIPE_API_BASE: server.url, SKENE_STRIPE_TIMEOUT_MS: '5000' });

before(async () => {
  const customers = Array.from({ length: 50 }, (_, i) =>
    fakeCustomer({ id: `cus_${i}`, email: i % 5 === 0 ? null : `user${i}@example.com` }),
  );
  const subscriptions = Array.from({ length: 250 }, (_, i) =>
    fakeSubscription({ id: `sub_${String(i).padStart(3, '0')}`, customer: `cus_${i % 50}`, status: STATUSES[i % 8] }),
  );
  server = await startSubscriptionServer({ customers, subscriptions });
});
after(() => server.close());

test('lists every page, in every status, with the customer expanded', async () => {
  server.requests.length = 0;
  const listed = await listStripeSubscriptions(fakeStripeKeys.secret, env());
  assert.equal(listed.length, 250);
  assert.deepEqual(
    listed.map((sub) => sub.id),
    Array.from({ length: 250 }, (_, i) => `sub_${String(i).padStart(3, '0')}`),
  );
  assert.deepEqual(
    [...new Set(listed.map((sub) => sub.status))].sort(),
    [...STATUSES].sort(),
    'canceled and every other status are listed',
  );
  assert.deepEqual(customerOf(listed[1]!), { id: 'cus_1', email: 'user1@example.com' });
  assert.deepEqual(customerOf(listed[5]!), { id: 'cus_5', email: null });
  assert.equal((listed[7]!.customer as { object?: string }).object, 'customer');

  const pages = server.requests.filter((request) => request.path === '/v1/subscriptions');
  assert.equal(pages.length, 3, 'three pages of 100');
  for (const page of pages) {
    assert.equal(page.method, 'GET');
    assert.equal(page.query.status, 'all');
    assert.equal(page.query.limit, '100');
    assert.deepEqual(page.query.expand, ['data.customer']);
    assert.equal(page.apiKey, fakeStripeKeys.secret);
  }
  assert.deepEqual(
    pages.map((page) => page.query.starting_after),
    [undefined, 'sub_099', 'sub_199'],
  );
});

test('reports progress per full page', async () => {
  const seen: number[] = [];
  await listStripeSubscriptions(fakeStripeKeys.secret, env(), (listed) => seen.push(listed));
  assert.deepEqual(seen, [100, 200]);
});

test('an account with no subscriptions is one request and an empty list', async () => {
  const saved = server.state.subscriptions;
  server.state.subscriptions = [];
  try {
    server.requests.length = 0;
    assert.deepEqual(await listStripeSubscriptions(fakeStripeKeys.secret, env()), []);
    assert.equal(server.requests.length, 1);
  } finally {
    server.state.subscriptions = saved;
  }
});

test("a rejected key is Stripe's message with a hint", async () => {
  const error = await listStripeSubscriptions(fakeStripeKeys.invalid, env()).then(
    () => assert.fail('listing with an unknown key succeeded'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof StripeRequestError, String(error));
  assert.equal(error.reason, 'invalid');
  assert.match(error.message, /Invalid API Key provided/);
  assert.match(error.hint ?? '', /skene login/);
});

test('a failure on a later page fails the listing (no partial sync)', async () => {
  server.state.respond = (request) =>
    request.query.starting_after === 'sub_099' ? stripeError(500, 'An unknown error occurred') : undefined;
  try {
    const error = await listStripeSubscriptions(fakeStripeKeys.secret, env()).then(
      () => assert.fail('a failed page went unnoticed'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof StripeRequestError, String(error));
    assert.equal(error.reason, 'server');
    assert.match(error.message, /HTTP 500/);
  } finally {
    server.state.respond = undefined;
  }
});

test('a restricted key without the subscription permission says which permission', async () => {
  const error = await listStripeSubscriptions(fakeStripeKeys.restrictedNoPrices, env()).then(
    () => assert.fail('listing without permission succeeded'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof StripeRequestError, String(error));
  assert.equal(error.reason, 'permission');
  assert.match(error.message, /rak_subscription_read/);
});
