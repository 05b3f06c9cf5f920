/**
 * A small Stripe-shaped HTTP server for tests: the real `stripe` SDK (or the generated Python runtime)
 * talks to it through `SKENE_STRIPE_API_BASE=<url>`. It answers the few read endpoints skene uses, with
 * Stripe's response and error shapes, per API key, and records every request.
 *
 *   const stripe = await startStripeServer({ prices: [fakePrice({ id: 'price_pro' })] });
 *   env.SKENE_STRIPE_API_BASE = stripe.url;
 *   stripe.state.behavior = 'hang';          // state is live: change it between requests
 *   assert.equal(stripe.requests.length, 1);
 *   await stripe.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Ready-made keys the default server knows; `invalid` is a well-formed key it answers 401 to. */
export const fakeStripeKeys = {
  secret: 'sk_test_51SkeneFakeSecretKey0000000000abcd',
  live: 'sk_live_51SkeneFakeLiveKey00000000000000wxyz',
  restricted: 'rk_test_51SkeneFakeRestrictedKey00000000rstu',
  /** A restricted key that may not even list prices: every endpoint answers 403. */
  restrictedNoPrices: 'rk_test_51SkeneFakeNoPermissionKey0000000nope',
  invalid: 'sk_test_51SkeneFakeUnknownKey000000000000dead',
} as const;

export const fakeAccountId = 'acct_1SkeneTestAccount';
export const fakeAccountName = 'Skene Test Co';

export type FakeResource = 'account' | 'prices' | 'products' | 'webhook_endpoints' | 'subscriptions' | 'customers';

export interface FakeKey {
  /** The account (an id in `accounts`) the key belongs to. */
  account: string;
  /** A restricted key: `/v1/account` answers 403 unless `permissions` includes 'account'. */
  restricted?: boolean;
  /** For a restricted key, what it may read; default: everything except the account. */
  permissions?: FakeResource[];
}

export interface FakeAccount {
  id: string;
  /** Shown as `settings.dashboard.display_name` and `business_profile.name`. */
  name?: string | null;
  email?: string | null;
  country?: string;
}

export type JsonObject = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/prices`. */
  path: string;
  /** Query parameters; a repeated or `[]`/`[0]`-indexed parameter becomes an array. */
  query: Record<string, string | string[]>;
  headers: IncomingMessage['headers'];
  /** The key from `Authorization: Bearer …` (or Basic), if any. */
  apiKey: string | undefined;
  body: string;
}

export interface StripeServerState {
  /** 'server-error' answers every request with `serverErrorStatus`; 'hang' never answers. */
  behavior: 'normal' | 'server-error' | 'hang';
  serverErrorStatus: number;
  keys: Record<string, FakeKey>;
  accounts: FakeAccount[];
  prices: JsonObject[];
  products: JsonObject[];
  webhookEndpoints: JsonObject[];
  subscriptions: JsonObject[];
  customers: JsonObject[];
  /**
   * Checked before the built-in routes: return a response to override one request (e.g. a 429 on
   * `/v1/prices` only), 'hang' to never answer it, or undefined to let the server answer as usual.
   */
  respond?: (request: RecordedRequest) => { status: number; body: unknown } | 'hang' | undefined;
}

export interface StripeServerOptions extends Partial<Omit<StripeServerState, 'keys' | 'accounts'>> {
  /** Replaces the default keys (`fakeStripeKeys`). */
  keys?: Record<string, FakeKey>;
  /** Replaces the default account (`fakeAccountId`, `fakeAccountName`). */
  accounts?: FakeAccount[];
}

export interface StripeServer {
  /** `http://127.0.0.1:<port>`: the value for `SKENE_STRIPE_API_BASE`. */
  url: string;
  port: number;
  /** Every request received, in order (also those answered with an error or never answered). */
  requests: RecordedRequest[];
  state: StripeServerState;
  close(): Promise<void>;
}

export function defaultFakeKeys(): Record<string, FakeKey> {
  return {
    [fakeStripeKeys.secret]: { account: fakeAccountId },
    [fakeStripeKeys.live]: { account: fakeAccountId },
    [fakeStripeKeys.restricted]: { account: fakeAccountId, restricted: true },
    [fakeStripeKeys.restrictedNoPrices]: { account: fakeAccountId, restricted: true, permissions: [] },
  };
}

let sequence = 0;
const nextId = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36)}${(sequence++).toString(36).padStart(4, '0')}`;

/** A Stripe price object; pass only what the test cares about. */
export function fakePrice(fields: JsonObject = {}): JsonObject {
  return {
    id: nextId('price'),
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: 1_700_000_000,
    currency: 'usd',
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: 'prod_SkeneTest',
    recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
    type: 'recurring',
    unit_amount: 2000,
    ...fields,
  };
}

/** A Stripe webhook endpoint object. */
export function fakeWebhookEndpoint(fields: JsonObject = {}): JsonObject {
  return {
    id: nextId('we'),
    object: 'webhook_endpoint',
    api_version: null,
    created: 1_700_000_000,
    description: null,
    enabled_events: ['checkout.session.completed'],
    livemode: false,
    metadata: {},
    status: 'enabled',
    url: 'https://example.com/webhooks/stripe',
    ...fields,
  };
}

/** A Stripe subscription object (`customer` and `status` are what filters look at). */
export function fakeSubscription(fields: JsonObject = {}): JsonObject {
  return {
    id: nextId('sub'),
    object: 'subscription',
    created: 1_700_000_000,
    customer: 'cus_SkeneTest',
    livemode: false,
    metadata: {},
    status: 'active',
    items: { object: 'list', data: [], has_more: false, url: '/v1/subscription_items' },
    ...fields,
  };
}

export function fakeCustomer(fields: JsonObject = {}): JsonObject {
  return {
    id: nextId('cus'),
    object: 'customer',
    created: 1_700_000_000,
    email: null,
    livemode: false,
    metadata: {},
    ...fields,
  };
}

export function fakeProduct(fields: JsonObject = {}): JsonObject {
  return {
    id: nextId('prod'),
    object: 'product',
    active: true,
    created: 1_700_000_000,
    livemode: false,
    metadata: {},
    name: 'Pro',
    ...fields,
  };
}

export function stripeError(
  status: number,
  message: string,
  extra: { type?: string; code?: string; param?: string } = {},
): { status: number; body: unknown } {
  const type = extra.type ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return {
    status,
    body: {
      error: {
        message,
        type,
        ...(extra.code ? { code: extra.code } : {}),
        ...(extra.param ? { param: extra.param } : {}),
      },
    },
  };
}

function maskLikeStripe(key: string): string {
  const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

function apiKeyOf(headers: IncomingMessage['headers']): string | undefined {
  const auth = headers.authorization;
  if (!auth) return undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(auth);
  if (bearer) return bearer[1]!.trim();
  const basic = /^Basic\s+(.+)$/i.exec(auth);
  if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0];
  return undefined;
}

function parseQuery(search: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [rawName, value] of search) {
    const indexed = /^(.+)\[\d*\]$/.exec(rawName);
    const name = indexed ? indexed[1]! : rawName;
    const existing = query[name];
    if (existing === undefined) query[name] = indexed ? [value] : value;
    else query[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function listOf(
  path: string,
  items: JsonObject[],
  query: Record<string, string | string[]>,
  livemode: boolean,
): JsonObject {
  const limit = Math.min(100, Math.max(1, Number(single(query.limit) ?? 10) || 10));
  let start = 0;
  const after = single(query.starting_after);
  if (after) start = items.findIndex((item) => item.id === after) + 1;
  const page = items.slice(start, start + limit).map((item) => ({ ...item, livemode }));
  return { object: 'list', data: page, has_more: start + limit < items.length, url: path };
}

function accountObject(account: FakeAccount, livemode: boolean): JsonObject {
  return {
    id: account.id,
    object: 'account',
    business_profile: { name: account.name ?? null, url: null },
    charges_enabled: true,
    country: account.country ?? 'US',
    default_currency: 'usd',
    details_submitted: true,
    email: account.email ?? null,
    livemode,
    payouts_enabled: true,
    settings: { dashboard: { display_name: account.name ?? null, timezone: 'Etc/UTC' } },
    type: 'standard',
  };
}

const resourceOfPath: Array<[RegExp, FakeResource]> = [
  [/^\/v1\/account$/, 'account'],
  [/^\/v1\/prices(\/|$)/, 'prices'],
  [/^\/v1\/products(\/|$)/, 'products'],
  [/^\/v1\/webhook_endpoints(\/|$)/, 'webhook_endpoints'],
  [/^\/v1\/subscriptions(\/|$)/, 'subscriptions'],
  [/^\/v1\/customers(\/|$)/, 'customers'],
];

function answer(state: StripeServerState, request: RecordedRequest): { status: number; body: unknown } {
  const key = request.apiKey;
  if (!key) {
    return stripeError(
      401,
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  const keyConfig = state.keys[key];
  if (!keyConfig)
    return stripeError(401, `Invalid API Key provided: ${maskLikeStripe(key)}`, { code: 'api_key_invalid' });
  const account = state.accounts.find((candidate) => candidate.id === keyConfig.account) ?? { id: keyConfig.account };
  const livemode = key.includes('_live_');

  const resource = resourceOfPath.find(([pattern]) => pattern.test(request.path))?.[1];
  if (resource && keyConfig.restricted) {
    const allowed =
      keyConfig.permissions ??
      (['prices', 'products', 'webhook_endpoints', 'subscriptions', 'customers'] as FakeResource[]);
    if (!allowed.includes(resource)) {
      const permission =
        resource === 'account' ? 'rak_accounts_kyc_basic_read' : `rak_${resource.replace(/s$/, '')}_read`;
      return stripeError(
        403,
        `The provided key '${maskLikeStripe(key)}' does not have the required permissions for this endpoint on account '${account.id}'. Having the '${permission}' permission would allow this request to continue.`,
      );
    }
  }
  if (request.method !== 'GET') {
    return stripeError(
      404,
      `Unrecognized request URL (${request.method}: ${request.path}). This test server answers GET requests only.`,
    );
  }

  const query = request.query;
  const path = request.path;
  if (path === '/v1/account') return { status: 200, body: accountObject(account, livemode) };

  const collections: Array<[string, JsonObject[], string]> = [
    ['/v1/prices', state.prices, 'price'],
    ['/v1/products', state.products, 'product'],
    ['/v1/webhook_endpoints', state.webhookEndpoints, 'webhook_endpoint'],
    ['/v1/subscriptions', state.subscriptions, 'subscription'],
    ['/v1/customers', state.customers, 'customer'],
  ];
  for (const [base, items, noun] of collections) {
    if (path === base) {
      let matching = items;
      if (base === '/v1/prices') {
        const lookupKeys = asList(query.lookup_keys);
        if (lookupKeys.length > 0) matching = matching.filter((price) => lookupKeys.includes(String(price.lookup_key)));
        const active = single(query.active);
        if (active !== undefined) matching = matching.filter((price) => String(price.active) === active);
        const product = single(query.product);
        if (product !== undefined) matching = matching.filter((price) => price.product === product);
      }
      if (base === '/v1/subscriptions') {
        const customer = single(query.customer);
        if (customer !== undefined) matching = matching.filter((sub) => sub.customer === customer);
        const price = single(query.price);
        if (price !== undefined) {
          matching = matching.filter((sub) =>
            JSON.stringify((sub.items as { data?: unknown } | undefined)?.data ?? []).includes(`"${price}"`),
          );
        }
        const status = single(query.status);
        // Like Stripe: without a status filter, canceled subscriptions are left out.
        if (status === undefined) matching = matching.filter((sub) => sub.status !== 'canceled');
        else if (status !== 'all') matching = matching.filter((sub) => sub.status === status);
      }
      if (base === '/v1/customers') {
        const email = single(query.email);
        if (email !== undefined) matching = matching.filter((customer) => customer.email === email);
      }
      return { status: 200, body: listOf(base, matching, query, livemode) };
    }
    if (path.startsWith(`${base}/`)) {
      const id = decodeURIComponent(path.slice(base.length + 1));
      const found = items.find((item) => item.id === id);
      if (found) return { status: 200, body: { ...found, livemode } };
      return stripeError(404, `No such ${noun}: '${id}'`, { code: 'resource_missing', param: 'id' });
    }
  }
  return stripeError(
    404,
    `Unrecognized request URL (GET: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  );
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'request-id': `req_${nextId('test')}`,
  });
  response.end(text);
}

export async function startStripeServer(options: StripeServerOptions = {}): Promise<StripeServer> {
  const state: StripeServerState = {
    behavior: options.behavior ?? 'normal',
    serverErrorStatus: options.serverErrorStatus ?? 500,
    keys: options.keys ?? defaultFakeKeys(),
    accounts: options.accounts ?? [{ id: fakeAccountId, name: fakeAccountName, email: 'owner@example.com' }],
    prices: options.prices ?? [],
    products: options.products ?? [],
    webhookEndpoints: options.webhookEndpoints ?? [],
    subscriptions: options.subscriptions ?? [],
    customers: options.customers ?? [],
    respond: options.respond,
  };
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: parseQuery(url.searchParams),
        headers: req.headers,
        apiKey: apiKeyOf(req.headers),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      if (state.behavior === 'hang') return;
      if (state.behavior === 'server-error') {
        const { status, body } = stripeError(state.serverErrorStatus, 'An unknown error occurred', {
          type: 'api_error',
        });
        send(res, status, body);
        return;
      }
      let result: { status: number; body: unknown } | 'hang';
      try {
        result = state.respond?.(request) ?? answer(state, request);
      } catch (error) {
        result = stripeError(500, `Test server failure: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (result !== 'hang') send(res, result.status, result.body);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging requests keep their sockets open; drop them so close() returns.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
