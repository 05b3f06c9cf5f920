import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { StripeRequestError } from '../../src/stripe/explain-stripe-failure.js';
import { validateStripeKey } from '../../src/stripe/validate-stripe-key.js';
import {
  fakeAccountId,
  fakeAccountName,
  fakeStripeKeys,
  type StripeServer,
  startStripeServer,
} from '../helpers/stripe-server.js';

let server: StripeServer;
let env: NodeJS.ProcessEnv;

before(async () => {
  server = await startStripeServer();
  env = { SKENE_STRIPE_API_BASE: server.url, SKENE_STRIPE_TIMEOUT_MS: '3000' };
});
after(() => server.close());

function resetServer(): void {
  server.requests.length = 0;
  server.state.behavior = 'normal';
}

async function failureOf(promise: Promise<unknown>): Promise<StripeRequestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StripeRequestError, `expected a StripeRequestError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the validation to fail');
}

test('a secret key is checked by retrieving the account, through the real SDK', async () => {
  resetServer();
  const info = await validateStripeKey(fakeStripeKeys.secret, env);
  assert.deepEqual(info, {
    accountId: fakeAccountId,
    accountName: fakeAccountName,
    mode: 'test',
    keyType: 'secret',
    checkedWith: 'account',
  });
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path}`),
    ['GET /v1/account'],
  );
  assert.equal(server.requests[0]?.apiKey, fakeStripeKeys.secret);
});

test('a live key reports live mode', async () => {
  resetServer();
  const info = await validateStripeKey(fakeStripeKeys.live, env);
  assert.equal(info.mode, 'live');
  assert.equal(info.accountId, fakeAccountId);
});

test('the account name falls back to the business name, then the email', async () => {
  resetServer();
  const key = 'sk_test_51OtherAccountKey000000000000zzzz';
  server.state.keys[key] = { account: 'acct_noname' };
  server.state.accounts.push({ id: 'acct_noname', name: null, email: 'billing@example.com' });
  try {
    const info = await validateStripeKey(key, env);
    assert.equal(info.accountName, 'billing@example.com');
  } finally {
    delete server.state.keys[key];
    server.state.accounts.pop();
  }
});

test('a restricted key that may not read the account is checked by listing prices', async () => {
  resetServer();
  const info = await validateStripeKey(fakeStripeKeys.restricted, env);
  assert.deepEqual(info, {
    accountId: fakeAccountId,
    accountName: null,
    mode: 'test',
    keyType: 'restricted',
    checkedWith: 'prices',
  });
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ['/v1/account', '/v1/prices'],
  );
  assert.equal(server.requests[1]?.query.limit, '1');
});

test("a restricted key that may read nothing skene needs is a permission error with Stripe's message", async () => {
  resetServer();
  const error = await failureOf(validateStripeKey(fakeStripeKeys.restrictedNoPrices, env));
  assert.equal(error.reason, 'permission');
  assert.equal(error.exitCode, 1);
  assert.match(error.message, /does not have the required permissions/);
  assert.match(error.hint ?? '', /read access to Prices/);
});

test("an invalid key fails with Stripe's own message", async () => {
  resetServer();
  const error = await failureOf(validateStripeKey(fakeStripeKeys.invalid, env));
  assert.equal(error.reason, 'invalid');
  assert.equal(error.statusCode, 401);
  assert.match(error.message, /^Stripe rejected the key: Invalid API Key provided: sk_test_\*+dead$/);
  assert.match(error.hint ?? '', /dashboard\.stripe\.com\/test\/apikeys/);
});

test('a 5xx from Stripe is a server error, with no retry', async () => {
  resetServer();
  server.state.behavior = 'server-error';
  server.state.serverErrorStatus = 503;
  const error = await failureOf(validateStripeKey(fakeStripeKeys.secret, env));
  assert.equal(error.reason, 'server');
  assert.match(error.message, /HTTP 503/);
  assert.equal(server.requests.length, 1);
});

test('a server that never answers is given up on after the timeout', async () => {
  resetServer();
  server.state.behavior = 'hang';
  const started = Date.now();
  const error = await failureOf(validateStripeKey(fakeStripeKeys.secret, { ...env, SKENE_STRIPE_TIMEOUT_MS: '300' }));
  const elapsed = Date.now() - started;
  assert.equal(error.reason, 'timeout');
  assert.match(error.message, /did not answer within 0\.3 s/);
  assert.ok(elapsed >= 250 && elapsed < 2500, `gave up after ${elapsed} ms`);
});

test('a restricted-key fallback request that never answers is given up on too', async () => {
  resetServer();
  // The account answers 403 at once; the price list then never answers.
  server.state.respond = (request) => (request.path === '/v1/prices' ? 'hang' : undefined);
  try {
    const started = Date.now();
    const error = await failureOf(
      validateStripeKey(fakeStripeKeys.restricted, { ...env, SKENE_STRIPE_TIMEOUT_MS: '400' }),
    );
    const elapsed = Date.now() - started;
    assert.equal(error.reason, 'timeout');
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ['/v1/account', '/v1/prices'],
    );
    assert.ok(elapsed < 2500, `gave up after ${elapsed} ms`);
  } finally {
    server.state.respond = undefined;
  }
});

test('an unreachable Stripe is named with the host skene tried', async () => {
  const closed = await startStripeServer();
  const url = closed.url;
  await closed.close();
  const error = await failureOf(validateStripeKey(fakeStripeKeys.secret, { SKENE_STRIPE_API_BASE: url }));
  assert.equal(error.reason, 'unreachable');
  assert.ok(error.message.includes(url), error.message);
  assert.match(error.hint ?? '', /SKENE_STRIPE_API_BASE/);
});

test('a key that is not a secret or restricted key is refused before any request', async () => {
  resetServer();
  for (const key of ['pk_test_51AbCdEfGhIjKlMn', 'nonsense', '']) {
    const error = await failureOf(validateStripeKey(key, env));
    assert.equal(error.reason, 'format');
  }
  assert.equal(server.requests.length, 0);
});
