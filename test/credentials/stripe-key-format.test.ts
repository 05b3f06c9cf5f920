import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  detectStripeKeyFormat,
  explainUnusableKey,
  maskStripeKey,
  stripeApiKeysUrl,
} from '../../src/stripe/stripe-key-format.js';

test('maskStripeKey keeps the prefix and the last four characters only', () => {
  assert.equal(maskStripeKey('sk_test_51AbCdEfGhIjKlMnOpabcd'), 'sk_test_…abcd');
  assert.equal(maskStripeKey('rk_live_51AbCdEfGhIjKlMnOpwxyz'), 'rk_live_…wxyz');
  // Too short to show anything of the secret part without giving most of it away.
  assert.equal(maskStripeKey('sk_test_short'), 'sk_test_…');
  assert.equal(maskStripeKey('whatever-this-is-1234567890'), '…7890');
});

test('detectStripeKeyFormat reads type and mode from the prefix', () => {
  assert.deepEqual(detectStripeKeyFormat('sk_test_51AbCdEfGh'), { keyType: 'secret', mode: 'test' });
  assert.deepEqual(detectStripeKeyFormat('sk_live_51AbCdEfGh'), { keyType: 'secret', mode: 'live' });
  assert.deepEqual(detectStripeKeyFormat('rk_test_51AbCdEfGh'), { keyType: 'restricted', mode: 'test' });
  assert.equal(detectStripeKeyFormat('pk_test_51AbCdEfGh'), undefined);
  assert.equal(detectStripeKeyFormat('sk_test_'), undefined);
});

test('explainUnusableKey names what was pasted instead of a secret key', () => {
  assert.match(explainUnusableKey('pk_test_51AbCdEfGhIj') ?? '', /publishable key/);
  assert.match(explainUnusableKey('whsec_51AbCdEfGhIj') ?? '', /webhook signing secret/);
  assert.match(explainUnusableKey('sk_test_51Ab CdEf') ?? '', /spaces/);
  assert.match(explainUnusableKey('hello') ?? '', /does not look like/);
  assert.equal(explainUnusableKey('sk_test_51AbCdEfGhIj'), undefined);
});

test('the dashboard page is the test-mode one unless live', () => {
  assert.equal(stripeApiKeysUrl('test'), 'https://dashboard.stripe.com/test/apikeys');
  assert.equal(stripeApiKeysUrl('live'), 'https://dashboard.stripe.com/apikeys');
});
