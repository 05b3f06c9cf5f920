/**
 * Stripe's subscription list as `skene sync` reads it: the shared Stripe-shaped server (test/helpers), its
 * `GET /v1/subscriptions` answered here with what the shared one leaves out: `expand[]=data.customer`
 * (each subscription's customer as an object from the server's customers) and a `status` of `all`.
 * Pages follow `starting_after` / `has_more` like Stripe's.
 */
import {
  type JsonObject,
  type RecordedRequest,
  type StripeServer,
  type StripeServerOptions,
  startStripeServer,
  stripeError,
} from '../helpers/stripe-server.js';

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function listSubscriptions(server: () => StripeServer, request: RecordedRequest): { status: number; body: unknown } {
  const { state } = server();
  const query = request.query;
  const status = single(query.status);
  let matching = state.subscriptions;
  if (status === undefined) matching = matching.filter((sub) => sub.status !== 'canceled');
  else if (status !== 'all') matching = matching.filter((sub) => sub.status === status);
  const limit = Math.min(100, Math.max(1, Number(single(query.limit) ?? 10) || 10));
  const after = single(query.starting_after);
  let start = 0;
  if (after) {
    start = matching.findIndex((sub) => sub.id === after) + 1;
    if (start === 0) return stripeError(400, `Invalid starting_after: no such subscription ${after}`);
  }
  const expandCustomer = list(query.expand).includes('data.customer');
  const data = matching.slice(start, start + limit).map((sub): JsonObject => {
    if (!expandCustomer || typeof sub.customer !== 'string') return sub;
    const customer = state.customers.find((candidate) => candidate.id === sub.customer);
    return { ...sub, customer: customer ?? { id: sub.customer, object: 'customer', deleted: true } };
  });
  return {
    status: 200,
    body: { object: 'list', data, has_more: start + limit < matching.length, url: '/v1/subscriptions' },
  };
}

/** The shared server with the subscription list above; every other route answers as it does. */
export async function startSubscriptionServer(options: StripeServerOptions = {}): Promise<StripeServer> {
  let server: StripeServer | undefined;
  const own = options.respond;
  server = await startStripeServer({
    ...options,
    respond: (request) => {
      const answered = own?.(request);
      if (answered !== undefined) return answered;
      if (request.method !== 'GET' || request.path !== '/v1/subscriptions') return undefined;
      // The key checks of the shared server come first: an unknown key is still a 401.
      if (!request.apiKey || !server!.state.keys[request.apiKey]) return undefined;
      return listSubscriptions(() => server!, request);
    },
  });
  return server;
}
