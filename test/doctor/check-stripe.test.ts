import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AnalysisResult } from '../../src/analyze/types.js';
import type { NormalizedLoop } from '../../src/config/types.js';
import { checkStripe } from '../../src/doctor/check-stripe.js';
import type { Check, DotenvEntry } from '../../src/doctor/types.js';
import {
  fakePrice,
  fakeStripeKeys,
  fakeWebhookEndpoint,
  type StripeServer,
  startStripeServer,
  stripeError,
} from '../helpers/stripe-server.js';

const loop: NormalizedLoop = {
  type: 'freemium',
  steps: [],
  plans: { pro: { prices: ['price_pro', 'pro_monthly'] } },
  recovery: { retries: 0 },
};

const allEvents = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
];

let server: StripeServer;
const configHome = mkdtempSync(join(tmpdir(), 'skene-doctor-stripe-'));

before(async () => {
  server = await startStripeServer();
});
after(async () => {
  await server.close();
});

function reset(): void {
  server.state.prices = [fakePrice({ id: 'price_pro' }), fakePrice({ id: 'price_monthly', lookup_key: 'pro_monthly' })];
  server.state.webhookEndpoints = [
    fakeWebhookEndpoint({ url: 'https://app.example.com/skene/webhooks/stripe', enabled_events: allEvents }),
  ];
  server.state.respond = undefined;
}

async function run(
  options: { key?: string; dotenv?: DotenvEntry[]; analysis?: AnalysisResult } = {},
): Promise<Check[]> {
  const env: NodeJS.ProcessEnv = {
    SKENE_STRIPE_API_BASE: server.url,
    XDG_CONFIG_HOME: configHome,
    SKENE_STRIPE_TIMEOUT_MS: '5000',
  };
  if (options.key) env.STRIPE_SECRET_KEY = options.key;
  return checkStripe({
    env,
    dotenv: options.dotenv ?? [],
    configFile: 'skene.config.ts',
    loop,
    analysis: options.analysis,
  });
}

const only = (checks: Check[], id: string): Check[] => checks.filter((check) => check.id === id);
const statuses = (checks: Check[]): Array<[string, string]> => checks.map((check) => [check.id, check.status]);

test('stripe: a complete set-up passes, naming the mode and the account', async () => {
  reset();
  const checks = await run({ key: fakeStripeKeys.secret });
  assert.deepEqual(statuses(checks), [
    ['stripe.key', 'pass'],
    ['stripe.prices', 'pass'],
    ['stripe.prices', 'pass'],
    ['stripe.webhook', 'pass'],
  ]);
  assert.match(checks[0]!.message, /test mode, account Skene Test Co, acct_1SkeneTestAccount/);
  assert.doesNotMatch(JSON.stringify(checks), new RegExp(fakeStripeKeys.secret), 'the key is never printed whole');
  assert.match(checks[2]!.message, /lookup key "pro_monthly" \(price_monthly\) exists and is active/);
});

test('stripe: a missing webhook endpoint warns in test mode and fails in live mode', async () => {
  reset();
  server.state.webhookEndpoints = [
    fakeWebhookEndpoint({ url: 'https://app.example.com/other/hook', enabled_events: ['*'] }),
  ];
  const testMode = only(await run({ key: fakeStripeKeys.secret }), 'stripe.webhook');
  assert.deepEqual(statuses(testMode), [['stripe.webhook', 'warn']]);
  assert.match(testMode[0]!.message, /no test-mode webhook endpoint points at \/skene\/webhooks\/stripe/);
  assert.match(testMode[0]!.fix ?? '', /stripe listen --forward-to localhost:8000\/skene\/webhooks\/stripe/);
  const liveMode = only(await run({ key: fakeStripeKeys.live }), 'stripe.webhook');
  assert.deepEqual(statuses(liveMode), [['stripe.webhook', 'fail']]);
  assert.match(liveMode[0]!.fix ?? '', /dashboard\.stripe\.com\/webhooks/);
});

test("stripe: an endpoint missing needed events fails and lists them; the app's own webhook path is used", async () => {
  reset();
  server.state.webhookEndpoints = [
    fakeWebhookEndpoint({
      id: 'we_app',
      url: 'https://app.example.com/webhooks/stripe/',
      enabled_events: ['checkout.session.completed', 'invoice.paid'],
    }),
  ];
  const analysis = {
    stripe: {
      webhooks: [
        {
          file: 'app/billing.py',
          line: 10,
          function: 'hook',
          route: { method: 'POST', path: '/webhooks/stripe' },
          events: [],
        },
      ],
      apiKeyEnv: [],
    },
  } as unknown as AnalysisResult;
  const [check] = only(await run({ key: fakeStripeKeys.secret, analysis }), 'stripe.webhook');
  assert.equal(check?.status, 'fail');
  assert.match(
    check?.message ?? '',
    /we_app .* does not receive customer\.subscription\.created, customer\.subscription\.updated, customer\.subscription\.deleted/,
  );
  server.state.webhookEndpoints = [
    fakeWebhookEndpoint({ url: 'https://app.example.com/webhooks/stripe', enabled_events: ['*'] }),
  ];
  assert.equal(only(await run({ key: fakeStripeKeys.secret, analysis }), 'stripe.webhook')[0]?.status, 'pass');
});

test('stripe: an inactive price and an unknown lookup key fail', async () => {
  reset();
  server.state.prices = [fakePrice({ id: 'price_pro', active: false })];
  const prices = only(await run({ key: fakeStripeKeys.secret }), 'stripe.prices');
  assert.deepEqual(statuses(prices), [
    ['stripe.prices', 'fail'],
    ['stripe.prices', 'fail'],
  ]);
  assert.match(prices[0]!.message, /price price_pro .*archived \(inactive\)/);
  assert.match(prices[1]!.message, /no price has the lookup key "pro_monthly" in test mode/);
  assert.equal(prices[0]!.file, 'skene.config.ts');
});

test("stripe: live/test mismatches fail — a price of the other mode, and the app's own key of the other mode", async () => {
  reset();
  server.state.respond = (request) =>
    request.path === '/v1/prices/price_pro'
      ? stripeError(
          404,
          "No such price: 'price_pro'; a similar object exists in live mode, but a test mode key was used to make this request.",
          {
            code: 'resource_missing',
            param: 'id',
          },
        )
      : undefined;
  const dotenv: DotenvEntry[] = [
    { file: '.env', line: 3, name: 'STRIPE_SECRET_KEY', hasValue: true, value: fakeStripeKeys.live },
  ];
  const checks = await run({ key: fakeStripeKeys.secret, dotenv });
  const price = only(checks, 'stripe.prices')[0];
  assert.equal(price?.status, 'fail');
  assert.match(price?.message ?? '', /price price_pro exists in live mode, but the key is a test key/);
  const mode = only(checks, 'stripe.mode')[0];
  assert.equal(mode?.status, 'fail');
  assert.deepEqual([mode?.file, mode?.line], ['.env', 3]);
  assert.match(
    mode?.message ?? '',
    /STRIPE_SECRET_KEY in \.env is a live key, but skene checked Stripe with a test key/,
  );
  assert.doesNotMatch(JSON.stringify(checks), new RegExp(fakeStripeKeys.live), 'the app key is never printed');
});

test('stripe: no key and a rejected key fail stripe.key and stop there', async () => {
  reset();
  const none = await run();
  assert.deepEqual(statuses(none), [['stripe.key', 'fail']]);
  assert.match(none[0]!.fix ?? '', /skene login.*--offline/);
  const rejected = await run({ key: fakeStripeKeys.invalid });
  assert.deepEqual(statuses(rejected), [['stripe.key', 'fail']]);
  assert.match(rejected[0]!.message, /Stripe rejected the key/);
});
