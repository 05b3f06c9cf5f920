import type Stripe from 'stripe';
import { SkeneError } from '../errors.js';
import { skeneVersion } from '../version.js';

/** Stripe calls give up after this long: a CLI must not sit on a dead network. */
export const DEFAULT_STRIPE_TIMEOUT_MS = 15_000;

export interface StripeClientOptions {
  /** Overrides `SKENE_STRIPE_TIMEOUT_MS` and the 15 s default. */
  timeoutMs?: number;
}

export interface StripeApiBase {
  host: string;
  port: string;
  protocol: 'http' | 'https';
}

/** `SKENE_STRIPE_API_BASE=http://127.0.0.1:PORT` as the SDK's host/port/protocol; undefined means api.stripe.com. */
export function readStripeApiBase(env: NodeJS.ProcessEnv): StripeApiBase | undefined {
  const raw = env.SKENE_STRIPE_API_BASE?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SkeneError(`SKENE_STRIPE_API_BASE is not a URL: ${raw}`, {
      hint: 'Use a base like http://127.0.0.1:12111, or unset it.',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SkeneError(`SKENE_STRIPE_API_BASE must be an http or https URL, not ${raw}`);
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? '80' : '443'), protocol };
}

export function readStripeTimeoutMs(env: NodeJS.ProcessEnv): number {
  const raw = env.SKENE_STRIPE_TIMEOUT_MS?.trim();
  const parsed = raw ? Number(raw) : Number.NaN;
  return Number.isInteger(parsed) && parsed > 0 ? parsed : DEFAULT_STRIPE_TIMEOUT_MS;
}

/** The host skene talks to, for messages ("could not reach api.stripe.com"). */
export function describeStripeHost(env: NodeJS.ProcessEnv): string {
  const base = readStripeApiBase(env);
  return base ? `${base.protocol}://${base.host}:${base.port}` : 'api.stripe.com';
}

/**
 * A `stripe` client for `key`, with the SDK loaded only now. It honours `SKENE_STRIPE_API_BASE`
 * (tests point it at a local server), gives up after the timeout and does not retry, so a failure
 * reaches the person in seconds rather than minutes.
 */
export async function createStripeClient(
  key: string,
  env: NodeJS.ProcessEnv,
  options: StripeClientOptions = {},
): Promise<Stripe> {
  const { default: StripeSdk } = await import('stripe');
  const base = readStripeApiBase(env);
  return new StripeSdk(key, {
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? readStripeTimeoutMs(env),
    telemetry: false,
    appInfo: { name: 'skene', version: skeneVersion() },
    ...(base ?? {}),
  });
}
