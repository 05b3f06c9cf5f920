import { readStoredCredentials } from '../credentials/credentials-file.js';
import { readStripeKeyFromEnv, STRIPE_KEY_ENV_VARS } from '../credentials/resolve-stripe-key.js';
import type { DotenvEntry } from '../doctor/types.js';
import { SkeneError } from '../errors.js';
import { explainUnusableKey } from '../stripe/stripe-key-format.js';

export interface SyncStripeKey {
  key: string;
  /** In words: `the STRIPE_SECRET_KEY environment variable`, `STRIPE_SECRET_KEY in .env`, the login file's path. */
  source: string;
}

/**
 * The key whose account's subscriptions are synced: the environment's, else the app's own (its `.env`,
 * under the variable names the app reads), else the one `skene login` stored. The app's key comes before
 * the login's because the rows belong to the account the app bills with. A `.env` value that is no key at
 * all (`sk_test_replace_me`) is passed over.
 */
export async function resolveSyncStripeKey(
  env: NodeJS.ProcessEnv,
  dotenv: DotenvEntry[],
  appKeyNames: readonly string[] = [],
): Promise<SyncStripeKey> {
  const fromEnv = readStripeKeyFromEnv(env);
  if (fromEnv) return { key: fromEnv.key, source: `the ${fromEnv.name} environment variable` };
  const names = [...new Set([...STRIPE_KEY_ENV_VARS, ...appKeyNames])];
  const skipped: string[] = [];
  // The nearest .env's value wins, as buildAppEnvironment does.
  const entries = dotenv.filter((entry) => names.includes(entry.name) && entry.hasValue).reverse();
  for (const name of names) {
    const entry = entries.find((candidate) => candidate.name === name);
    if (!entry) continue;
    if (explainUnusableKey(entry.value) === undefined) return { key: entry.value, source: `${name} in ${entry.file}` };
    skipped.push(`${name} in ${entry.file}`);
  }
  const stored = await readStoredCredentials(env);
  if (stored) return { key: stored.credentials.apiKey, source: stored.path };
  throw new SkeneError(
    skipped.length > 0
      ? `No usable Stripe key: ${skipped.join(', ')} is not a Stripe secret key, and skene is not logged in.`
      : 'No Stripe key: STRIPE_SECRET_KEY is not set (nor in .env), and skene is not logged in.',
    { hint: 'Set STRIPE_SECRET_KEY to the secret key the app bills with, or run `npx skene login`.' },
  );
}
