import type Stripe from 'stripe';
import type { AnalysisResult } from '../analyze/types.js';
import type { NormalizedLoop } from '../config/types.js';
import { describeStripeKeySource, resolveStripeKey } from '../credentials/resolve-stripe-key.js';
import { WEBHOOK_PATH } from '../generate/runtime-contract.js';
import { createStripeClient } from '../stripe/create-stripe-client.js';
import { explainStripeFailure, StripeRequestError } from '../stripe/explain-stripe-failure.js';
import { detectStripeKeyFormat, maskStripeKey, type StripeMode } from '../stripe/stripe-key-format.js';
import { validateStripeKey } from '../stripe/validate-stripe-key.js';
import { escapeRegExp, lineOf } from './read-project-file.js';
import { type Check, type DotenvEntry, fail, pass, warn } from './types.js';

/** The events the runtime applies: checkout for the customer-to-user link, subscriptions for the state. */
export const REQUIRED_WEBHOOK_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
] as const;

const dashboard = (mode: StripeMode, page: string): string =>
  `https://dashboard.stripe.com/${mode === 'test' ? 'test/' : ''}${page}`;

const otherMode = (mode: StripeMode): StripeMode => (mode === 'test' ? 'live' : 'test');

/** The path Stripe must post to: the app's own webhook route when it has one, else skene's. */
export function webhookPathsOf(analysis: AnalysisResult | undefined): string[] {
  const own = (analysis?.stripe.webhooks ?? []).flatMap((webhook) => (webhook.route ? [webhook.route.path] : []));
  return own.length > 0 ? [...new Set(own)] : [WEBHOOK_PATH];
}

function failureText(error: unknown, env: NodeJS.ProcessEnv): { message: string; hint?: string; reason?: string } {
  const explained = explainStripeFailure(error, env);
  if (explained instanceof StripeRequestError)
    return { message: explained.message, hint: explained.hint, reason: explained.reason };
  return { message: explained instanceof Error ? explained.message : String(explained) };
}

/** Stripe says "a similar object exists in live mode" when a key of the other mode asks for it. */
function existsInOtherMode(error: unknown, mode: StripeMode): boolean {
  const message = error instanceof Error ? error.message : '';
  return new RegExp(`exists in ${otherMode(mode)} mode`, 'i').test(message);
}

const isMissing = (error: unknown): boolean =>
  error instanceof Error &&
  ((error as { statusCode?: number }).statusCode === 404 || (error as { code?: string }).code === 'resource_missing');

/**
 * Online checks against the Stripe account: the key (valid, mode, and the same mode as the app's own key),
 * the prices and lookup keys named in `plans`, and a webhook endpoint that reaches the app with the events
 * the runtime needs.
 */
export async function checkStripe(input: {
  env: NodeJS.ProcessEnv;
  dotenv: DotenvEntry[];
  configFile: string;
  /** The config's text, to point at the line naming each price. */
  configSource?: string;
  loop: NormalizedLoop | undefined;
  analysis: AnalysisResult | undefined;
}): Promise<Check[]> {
  const { env } = input;
  const resolved = await resolveStripeKey(env);
  if (!resolved) {
    return [
      fail(
        'stripe.key',
        'no Stripe key: not logged in, and STRIPE_SECRET_KEY is not set',
        'Run `skene login` (or set STRIPE_SECRET_KEY), or pass --offline to skip the Stripe checks.',
      ),
    ];
  }
  const masked = maskStripeKey(resolved.key);
  const from = describeStripeKeySource(resolved.source);
  let mode: StripeMode;
  try {
    const account = await validateStripeKey(resolved.key, env);
    mode = account.mode;
    const who = [account.accountName, account.accountId].filter(Boolean).join(', ');
    const restricted = account.keyType === 'restricted' ? 'restricted key, ' : '';
    return [
      pass(
        'stripe.key',
        `key ${masked} from ${from} is valid: ${restricted}${mode} mode${who ? `, account ${who}` : ''}`,
      ),
      ...checkAppKeyMode(input, mode),
      ...(await checkAccount(input, resolved.key, mode)),
    ];
  } catch (error) {
    const { message, hint } = failureText(error, env);
    return [
      fail(
        'stripe.key',
        `key ${masked} from ${from}: ${message}`,
        hint ?? 'Run `skene login` again, or pass --offline.',
      ),
    ];
  }
}

/** The app's own key (from its .env or environment) in the other mode means doctor checked another account view. */
function checkAppKeyMode(
  input: { env: NodeJS.ProcessEnv; dotenv: DotenvEntry[]; analysis: AnalysisResult | undefined },
  mode: StripeMode,
): Check[] {
  const names = new Set(['STRIPE_SECRET_KEY', 'STRIPE_API_KEY', ...(input.analysis?.stripe.apiKeyEnv ?? [])]);
  const entry = input.dotenv.find((candidate) => names.has(candidate.name) && candidate.hasValue);
  if (!entry) return [];
  const appMode = detectStripeKeyFormat(entry.value)?.mode;
  if (!appMode || appMode === mode) return [];
  return [
    fail(
      'stripe.mode',
      `the app's ${entry.name} in ${entry.file} is a ${appMode} key, but skene checked Stripe with a ${mode} key`,
      `Use keys of one mode: run \`skene login${appMode === 'live' ? ' --live' : ''}\` with a ${appMode} key, or put a ${mode} key in ${entry.file}.`,
      { file: entry.file, line: entry.line },
    ),
  ];
}

async function checkAccount(
  input: {
    env: NodeJS.ProcessEnv;
    configFile: string;
    configSource?: string;
    loop: NormalizedLoop | undefined;
    analysis: AnalysisResult | undefined;
  },
  key: string,
  mode: StripeMode,
): Promise<Check[]> {
  const stripe = await createStripeClient(key, input.env);
  const checks: Check[] = [];
  if (input.loop) checks.push(...(await checkPrices(stripe, input, mode)));
  checks.push(...(await checkWebhook(stripe, input, mode)));
  return checks;
}

async function checkPrices(
  stripe: Stripe,
  input: { env: NodeJS.ProcessEnv; configFile: string; configSource?: string; loop?: NormalizedLoop },
  mode: StripeMode,
): Promise<Check[]> {
  const plans = Object.entries(input.loop?.plans ?? {});
  if (plans.length === 0) return [pass('stripe.prices', 'no plans name Stripe prices (free and paid need none)')];
  const checks: Check[] = [];
  for (const [plan, { prices }] of plans) {
    for (const reference of prices) {
      const at = { file: input.configFile, line: referenceLine(input.configSource, reference) };
      const isId = reference.startsWith('price_');
      const label = isId ? `price ${reference}` : `lookup key "${reference}"`;
      let price: Stripe.Price | undefined;
      try {
        if (isId) price = await stripe.prices.retrieve(reference);
        else price = (await stripe.prices.list({ lookup_keys: [reference], limit: 1 })).data[0];
      } catch (error) {
        if (isMissing(error) && existsInOtherMode(error, mode)) {
          checks.push(
            fail(
              'stripe.prices',
              `plan "${plan}": ${label} exists in ${otherMode(mode)} mode, but the key is a ${mode} key`,
              `Use the ${mode}-mode price in plans.${plan}, or check with a ${otherMode(mode)} key.`,
              at,
            ),
          );
        } else if (isMissing(error)) {
          checks.push(
            fail(
              'stripe.prices',
              `plan "${plan}": ${label} does not exist in ${mode} mode`,
              `Create it or fix plans.${plan} in ${input.configFile} (${dashboard(mode, 'prices')}).`,
              at,
            ),
          );
        } else {
          const { message, hint } = failureText(error, input.env);
          checks.push(
            fail(
              'stripe.prices',
              `plan "${plan}": could not read ${label}: ${message}`,
              hint ?? 'Try again, or pass --offline.',
              at,
            ),
          );
        }
        continue;
      }
      if (!price) {
        checks.push(
          fail(
            'stripe.prices',
            `plan "${plan}": no price has the ${label} in ${mode} mode`,
            `Set that lookup key on a price (${dashboard(mode, 'prices')}) or fix plans.${plan} in ${input.configFile}.`,
            at,
          ),
        );
      } else if (price.livemode !== (mode === 'live')) {
        checks.push(
          fail(
            'stripe.prices',
            `plan "${plan}": ${label} is a ${price.livemode ? 'live' : 'test'}-mode price, but the key is a ${mode} key`,
            `Use keys and prices of one mode in plans.${plan}.`,
            at,
          ),
        );
      } else if (!price.active) {
        checks.push(
          fail(
            'stripe.prices',
            `plan "${plan}": ${label} (${price.id}) is archived (inactive)`,
            `Reactivate it in the Stripe dashboard or point plans.${plan} at an active price.`,
            at,
          ),
        );
      } else {
        checks.push(
          pass('stripe.prices', `plan "${plan}": ${label}${isId ? '' : ` (${price.id})`} exists and is active`, at),
        );
      }
    }
  }
  return checks;
}

/** The line of the config naming a price id or lookup key as a string literal (the reader keeps no positions). */
function referenceLine(configSource: string | undefined, reference: string): number | undefined {
  if (configSource === undefined) return undefined;
  return lineOf(configSource, new RegExp(`['"\`]${escapeRegExp(reference)}['"\`]`));
}

function endpointPath(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return url;
  }
}

async function checkWebhook(
  stripe: Stripe,
  input: { env: NodeJS.ProcessEnv; analysis: AnalysisResult | undefined },
  mode: StripeMode,
): Promise<Check[]> {
  const paths = webhookPathsOf(input.analysis);
  const shownPath = paths.join(' or ');
  let endpoints: Stripe.WebhookEndpoint[] = [];
  try {
    for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) {
      endpoints.push(endpoint);
      if (endpoints.length >= 1000) break;
    }
  } catch (error) {
    const { message, hint, reason } = failureText(error, input.env);
    if (reason === 'permission')
      return [
        warn(
          'stripe.webhook',
          `could not list webhook endpoints: ${message}`,
          hint ?? 'Give the key read access to webhook endpoints.',
        ),
      ];
    return [
      fail('stripe.webhook', `could not list webhook endpoints: ${message}`, hint ?? 'Try again, or pass --offline.'),
    ];
  }
  endpoints = endpoints.filter((endpoint) =>
    paths.some((path) => endpointPath(endpoint.url).endsWith(path.replace(/\/+$/, ''))),
  );
  const events = REQUIRED_WEBHOOK_EVENTS.join(', ');
  if (endpoints.length === 0) {
    const fix =
      `Add an endpoint for https://<your-host>${paths[0]} with ${events} (${dashboard(mode, 'webhooks')})` +
      (mode === 'test'
        ? `, or forward events locally with \`stripe listen --forward-to localhost:8000${paths[0]}\`.`
        : '.');
    // In test mode `stripe listen` is a normal way to receive events, so a missing endpoint only warns.
    const make = mode === 'live' ? fail : warn;
    return [make('stripe.webhook', `no ${mode}-mode webhook endpoint points at ${shownPath}`, fix)];
  }
  const uncovered = (endpoint: Stripe.WebhookEndpoint): string[] =>
    endpoint.enabled_events.includes('*')
      ? []
      : REQUIRED_WEBHOOK_EVENTS.filter((event) => !endpoint.enabled_events.includes(event));
  const good = endpoints.find((endpoint) => endpoint.status === 'enabled' && uncovered(endpoint).length === 0);
  if (good) return [pass('stripe.webhook', `webhook endpoint ${good.id} (${good.url}) receives ${events}`)];
  const enabled = endpoints.find((endpoint) => endpoint.status === 'enabled');
  if (!enabled) {
    const first = endpoints[0]!;
    return [
      fail(
        'stripe.webhook',
        `webhook endpoint ${first.id} (${first.url}) is disabled`,
        `Enable it in the Stripe dashboard (${dashboard(mode, 'webhooks')}).`,
      ),
    ];
  }
  const missing = uncovered(enabled);
  return [
    fail(
      'stripe.webhook',
      `webhook endpoint ${enabled.id} (${enabled.url}) does not receive ${missing.join(', ')}`,
      `Add ${missing.join(', ')} to the endpoint's events (${dashboard(mode, `webhooks/${enabled.id}`)}).`,
    ),
  ];
}
