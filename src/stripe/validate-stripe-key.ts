import { createStripeClient, readStripeTimeoutMs, type StripeClientOptions } from './create-stripe-client.js';
import { explainStripeFailure, isStripeSdkError, StripeRequestError } from './explain-stripe-failure.js';
import {
  detectStripeKeyFormat,
  explainUnusableKey,
  type StripeKeyType,
  type StripeMode,
  stripeApiKeysUrl,
} from './stripe-key-format.js';

export interface StripeAccountInfo {
  /** Null only for a restricted key whose account Stripe did not name. */
  accountId: string | null;
  /** The dashboard display name, else the business name or email; null when Stripe gives none (or the key may not read it). */
  accountName: string | null;
  mode: StripeMode;
  keyType: StripeKeyType;
  /** What proved the key: the account itself, or (restricted keys) a list of prices. */
  checkedWith: 'account' | 'prices';
}

function accountIdFromPermissionMessage(message: string): string | null {
  return /on account '(acct_[A-Za-z0-9]+)'/.exec(message)?.[1] ?? null;
}

/**
 * Proves `key` works against Stripe and says whose it is. A restricted key (rk_…) often may not read
 * the account, so on a 403 it falls back to listing one price, which any key skene can use must be
 * able to do. Throws StripeRequestError (exit 1) with Stripe's own message on any failure.
 */
export async function validateStripeKey(
  key: string,
  env: NodeJS.ProcessEnv,
  options: StripeClientOptions = {},
): Promise<StripeAccountInfo> {
  const unusable = explainUnusableKey(key);
  const format = detectStripeKeyFormat(key);
  if (unusable || !format) {
    throw new StripeRequestError('format', unusable ?? 'That is not a Stripe key.', {
      hint: `Copy a secret key from ${stripeApiKeysUrl('test')} (test mode) or ${stripeApiKeysUrl('live')}.`,
    });
  }
  const timeoutMs = options.timeoutMs ?? readStripeTimeoutMs(env);
  const deadline = Date.now() + timeoutMs;
  const explain = (error: unknown): unknown =>
    explainStripeFailure(error, env, { timeoutMs, keyHint: `Copy a valid key from ${stripeApiKeysUrl(format.mode)}.` });
  const stripe = await createStripeClient(key, env, { timeoutMs });

  try {
    const account = await stripe.accounts.retrieveCurrent();
    const accountName =
      account.settings?.dashboard?.display_name || account.business_profile?.name || account.email || null;
    return { accountId: account.id, accountName, mode: format.mode, keyType: format.keyType, checkedWith: 'account' };
  } catch (error) {
    const mayFallBack =
      format.keyType === 'restricted' && isStripeSdkError(error) && error.type === 'StripePermissionError';
    if (!mayFallBack) throw explain(error);
    const accountId = accountIdFromPermissionMessage(error.message);
    // The whole validation stays within one timeout, however many requests it takes.
    const remaining = Math.max(1, deadline - Date.now());
    try {
      await stripe.prices.list({ limit: 1 }, { timeout: remaining });
    } catch (fallbackError) {
      throw explain(fallbackError);
    }
    return { accountId, accountName: null, mode: format.mode, keyType: format.keyType, checkedWith: 'prices' };
  }
}
