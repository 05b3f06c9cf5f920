import { createStripeClient } from '../stripe/create-stripe-client.js';
import { explainStripeFailure } from '../stripe/explain-stripe-failure.js';

/** A Stripe subscription as the API sent it, its `customer` expanded (an object, or an id when Stripe gave one). */
export type StripeSubscriptionJson = Record<string, unknown> & { id: string };

/** Stripe's largest page: the fewest requests for a large account. */
export const SUBSCRIPTION_PAGE_SIZE = 100;

/**
 * Every subscription of the account, in every status (`status: 'all'`: a canceled one must reach the
 * runtime too, so a row skene holds as paid is ended), each with its customer expanded so the runtime can
 * link by the customer's metadata and email without calling Stripe itself. The SDK pages through
 * `starting_after` until `has_more` is false. A failure is a StripeRequestError with Stripe's message.
 */
export async function listStripeSubscriptions(
  key: string,
  env: NodeJS.ProcessEnv,
  onProgress?: (listed: number) => void,
): Promise<StripeSubscriptionJson[]> {
  const stripe = await createStripeClient(key, env);
  const subscriptions: StripeSubscriptionJson[] = [];
  try {
    for await (const subscription of stripe.subscriptions.list({
      status: 'all',
      expand: ['data.customer'],
      limit: SUBSCRIPTION_PAGE_SIZE,
    })) {
      // Plain data: what JSON.stringify gives is what the runtime reads.
      subscriptions.push(JSON.parse(JSON.stringify(subscription)) as StripeSubscriptionJson);
      if (subscriptions.length % SUBSCRIPTION_PAGE_SIZE === 0) onProgress?.(subscriptions.length);
    }
  } catch (error) {
    throw explainStripeFailure(error, env, {
      keyHint: 'Use the secret key of the account the app bills with (STRIPE_SECRET_KEY), or run `skene login`.',
    });
  }
  return subscriptions;
}

/** The customer's id and email of a listed subscription, expanded or not. */
export function customerOf(subscription: StripeSubscriptionJson): { id: string | null; email: string | null } {
  const customer = subscription.customer;
  if (typeof customer === 'string') return { id: customer, email: null };
  if (customer && typeof customer === 'object') {
    const { id, email } = customer as { id?: unknown; email?: unknown };
    return { id: typeof id === 'string' ? id : null, email: typeof email === 'string' && email !== '' ? email : null };
  }
  return { id: null, email: null };
}
