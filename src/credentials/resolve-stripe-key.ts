import { readStoredCredentials, type StoredStripeCredentials } from './credentials-file.js';

/** Environment variables holding a Stripe key, in the order skene reads them. */
export const STRIPE_KEY_ENV_VARS = ['STRIPE_SECRET_KEY', 'STRIPE_API_KEY'] as const;
export type StripeKeyEnvVar = (typeof STRIPE_KEY_ENV_VARS)[number];

export type StripeKeySource = { kind: 'env'; name: StripeKeyEnvVar } | { kind: 'file'; path: string };

export interface ResolvedStripeKey {
  key: string;
  source: StripeKeySource;
  /** For a key from the file: what Stripe said about it at login. */
  stored?: StoredStripeCredentials;
}

/** The key from the environment, if one of the variables is set (an empty value counts as unset). */
export function readStripeKeyFromEnv(env: NodeJS.ProcessEnv): { key: string; name: StripeKeyEnvVar } | undefined {
  for (const name of STRIPE_KEY_ENV_VARS) {
    const value = env[name]?.trim();
    if (value) return { key: value, name };
  }
  return undefined;
}

/**
 * The Stripe key skene should use: the environment wins over the file `skene login` writes.
 * Undefined when there is neither. Makes no network call.
 */
export async function resolveStripeKey(env: NodeJS.ProcessEnv): Promise<ResolvedStripeKey | undefined> {
  const fromEnv = readStripeKeyFromEnv(env);
  if (fromEnv) return { key: fromEnv.key, source: { kind: 'env', name: fromEnv.name } };
  const stored = await readStoredCredentials(env);
  if (!stored) return undefined;
  return { key: stored.credentials.apiKey, source: { kind: 'file', path: stored.path }, stored: stored.credentials };
}

/** "STRIPE_SECRET_KEY" or the file's path: where a key came from, in words. */
export function describeStripeKeySource(source: StripeKeySource): string {
  return source.kind === 'env' ? `the ${source.name} environment variable` : source.path;
}
