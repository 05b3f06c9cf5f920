export type StripeMode = 'test' | 'live';
export type StripeKeyType = 'secret' | 'restricted';

export interface StripeKeyFormat {
  keyType: StripeKeyType;
  mode: StripeMode;
}

const KEY_PATTERN = /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/;

/** Reads type and mode from a key's prefix (`sk_test_…`, `rk_live_…`); undefined when it is not a secret or restricted key. */
export function detectStripeKeyFormat(key: string): StripeKeyFormat | undefined {
  const match = KEY_PATTERN.exec(key);
  if (!match) return undefined;
  return { keyType: match[1] === 'rk' ? 'restricted' : 'secret', mode: match[2] === 'live' ? 'live' : 'test' };
}

/** `sk_test_…abcd`: the prefix and the last four characters, never more. */
export function maskStripeKey(key: string): string {
  const prefix = /^[a-z]{2,4}_(?:test_|live_)?/.exec(key)?.[0] ?? '';
  const rest = key.slice(prefix.length);
  if (rest.length < 12) return `${prefix}…`;
  return `${prefix}…${rest.slice(-4)}`;
}

/** The dashboard page where a person copies an API key. */
export function stripeApiKeysUrl(mode: StripeMode): string {
  return mode === 'live' ? 'https://dashboard.stripe.com/apikeys' : 'https://dashboard.stripe.com/test/apikeys';
}

/** Why a string cannot be used as a key, in words a person can act on; undefined when it can. */
export function explainUnusableKey(key: string): string | undefined {
  if (key.length === 0) return 'The key is empty.';
  if (/\s/.test(key)) return 'The key contains spaces or line breaks; paste it as one word.';
  if (/^pk_(test|live)_/.test(key))
    return 'That is a publishable key (pk_…); skene needs a secret key (sk_…) or a restricted key (rk_…).';
  if (/^whsec_/.test(key))
    return 'That is a webhook signing secret (whsec_…); skene needs a secret key (sk_…) or a restricted key (rk_…).';
  if (!detectStripeKeyFormat(key))
    return 'That does not look like a Stripe secret key (sk_test_…, sk_live_…) or restricted key (rk_test_…, rk_live_…).';
  return undefined;
}
