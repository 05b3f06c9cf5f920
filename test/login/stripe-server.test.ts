import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createStripeClient } from '../../src/stripe/create-stripe-client.js';
import {
  fakeCustomer,
  fakePrice,
  fakeStripeKeys,
  fakeSubscription,
  fakeWebhookEndpoint,
  type StripeServer,
  startStripeServer,
} from '../helpers/stripe-server.js';

// The test server is shared with the doctor and runtime tests: prove the shapes the real SDK reads.
let server: StripeServer;
let env: NodeJS.ProcessEnv;

before(async () => {
  server = await startStripeServer({
    prices: [
      fakePrice({ id: 'price_pro_monthly', lookup_key: 'pro_monthly' }),
      fakePrice({ id: 'price_old', lookup_key: 'old', active: false }),
    ],
    webhookEndpoints: [fakeWebhookEndpoint({ id: 'we_1', enabled_events: ['customer.subscription.updated'] })],
    customers: [fakeCustomer({ id: 'cus_a', email: 'a@example.com' })],
    subscriptions: [
      fakeSubscription({ id: 'sub_active', customer: 'cus_a', status: 'active' }),
      fakeSubscription({ id: 'sub_canceled', customer: 'cus_a', status: 'canceled' }),
      fakeSubscription({ id: 'sub_other', customer: 'cus_b', status: 'trialing' }),
    ],
  });
  env = { SKENE_STRIPE_API_BASE: server.url };
});
after(() => server.close());

test("prices: retrieve by id, list by lookup key and by active, 404 in Stripe's shape", async () => {
  const stripe = await createStripeClient(fakeStripeKeys.secret, env);
  assert.equal((await stripe.prices.retrieve('price_pro_monthly')).lookup_key, 'pro_monthly');
  const byLookup = await stripe.prices.list({ lookup_keys: ['pro_monthly', 'missing'] });
  assert.deepEqual(
    byLookup.data.map((p) => p.id),
    ['price_pro_monthly'],
  );
  const active = await stripe.prices.list({ active: true });
  assert.deepEqual(
    active.data.map((p) => p.id),
    ['price_pro_monthly'],
  );
  await assert.rejects(
    stripe.prices.retrieve('price_nope'),
    (error: { type: string; statusCode: number; code: string; message: string }) => {
      assert.equal(error.type, 'StripeInvalidRequestError');
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'resource_missing');
      assert.equal(error.message, "No such price: 'price_nope'");
      return true;
    },
  );
});

test('subscriptions by customer leave canceled ones out unless status=all; webhook endpoints and customers list', async () => {
  const stripe = await createStripeClient(fakeStripeKeys.secret, env);
  assert.deepEqual(
    (await stripe.subscriptions.list({ customer: 'cus_a' })).data.map((s) => s.id),
    ['sub_active'],
  );
  assert.deepEqual(
    (await stripe.subscriptions.list({ customer: 'cus_a', status: 'all' })).data.map((s) => s.id),
    ['sub_active', 'sub_canceled'],
  );
  assert.deepEqual((await stripe.webhookEndpoints.list()).data[0]?.enabled_events, ['customer.subscription.updated']);
  assert.deepEqual(
    (await stripe.customers.list({ email: 'a@example.com' })).data.map((c) => c.id),
    ['cus_a'],
  );
});

test('lists paginate like Stripe, and state changes apply to the next request', async () => {
  const stripe = await createStripeClient(fakeStripeKeys.secret, env);
  const ids: string[] = [];
  for await (const sub of stripe.subscriptions.list({ status: 'all', limit: 1 })) ids.push(sub.id);
  assert.deepEqual(ids, ['sub_active', 'sub_canceled', 'sub_other']);
  server.state.prices.push(fakePrice({ id: 'price_added' }));
  assert.equal((await stripe.prices.retrieve('price_added')).id, 'price_added');
});

test("requests are recorded with path, query and key; a request without a key gets Stripe's 401", async () => {
  server.requests.length = 0;
  const stripe = await createStripeClient(fakeStripeKeys.restricted, env);
  await stripe.prices.list({ lookup_keys: ['pro_monthly'] });
  assert.equal(server.requests[0]?.apiKey, fakeStripeKeys.restricted);
  assert.deepEqual(server.requests[0]?.query.lookup_keys, ['pro_monthly']);
  const response = await fetch(`${server.url}/v1/account`);
  assert.equal(response.status, 401);
  const body = (await response.json()) as { error: { type: string; message: string } };
  assert.equal(body.error.type, 'invalid_request_error');
  assert.match(body.error.message, /You did not provide an API key/);
});
