import type { CliContext } from '../cli-context.js';
import { readStoredCredentials } from '../credentials/credentials-file.js';
import { resolveStripeKey, type StripeKeySource } from '../credentials/resolve-stripe-key.js';
import { SkeneError } from '../errors.js';
import {
  detectStripeKeyFormat,
  explainUnusableKey,
  maskStripeKey,
  type StripeKeyType,
  type StripeMode,
} from '../stripe/stripe-key-format.js';
import { validateStripeKey } from '../stripe/validate-stripe-key.js';
import { createLogger } from '../ui/logger.js';
import { describeAccount } from './login.js';

export interface WhoamiOptions {
  json?: boolean;
  verify?: boolean;
}

export interface WhoamiResult {
  loggedIn: true;
  accountId: string | null;
  accountName: string | null;
  mode: StripeMode;
  keyType: StripeKeyType;
  /** Masked: `sk_test_…abcd`. */
  key: string;
  source: StripeKeySource;
  /** True when `--verify` checked the key against Stripe just now. */
  verified: boolean;
}

const NOT_LOGGED_IN_HINT = 'Run `skene login`, or set STRIPE_SECRET_KEY.';

/**
 * `skene whoami`: which Stripe account and mode skene would use and where the key comes from.
 * No network call unless `--verify`.
 */
export async function runWhoamiCommand(options: WhoamiOptions, ctx: CliContext): Promise<number> {
  const json = options.json === true;
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env, quiet: json });
  const resolved = await resolveStripeKey(ctx.env);
  if (!resolved) {
    throw new SkeneError('Not logged in to Stripe.', { hint: NOT_LOGGED_IN_HINT, details: { loggedIn: false } });
  }
  const { key, source } = resolved;
  const format = detectStripeKeyFormat(key);
  if (!format) {
    const where = source.kind === 'env' ? source.name : source.path;
    throw new SkeneError(`${where} does not hold a usable Stripe key. ${explainUnusableKey(key) ?? ''}`.trim(), {
      hint: NOT_LOGGED_IN_HINT,
    });
  }

  let result: WhoamiResult = {
    loggedIn: true,
    accountId: resolved.stored?.accountId ?? null,
    accountName: resolved.stored?.accountName ?? null,
    mode: format.mode,
    keyType: format.keyType,
    key: maskStripeKey(key),
    source,
    verified: false,
  };
  if (options.verify === true) {
    logger.info('Checking the key with Stripe…');
    const info = await validateStripeKey(key, ctx.env);
    result = {
      ...result,
      accountId: info.accountId,
      accountName: info.accountName ?? result.accountName,
      verified: true,
    };
  }

  if (json) {
    logger.json(result);
    return 0;
  }
  const p = logger.palette;
  const known = result.accountId !== null || result.accountName !== null;
  logger.out(`Account: ${known ? p.bold(describeAccount(result)) : 'not known until checked (pass --verify)'}`);
  logger.out(`Mode:    ${result.mode === 'live' ? p.warn('live') : 'test'}`);
  logger.out(`Key:     ${result.key} (${result.keyType} key)`);
  logger.out(`Source:  ${source.kind === 'env' ? `${p.accent(source.name)} (environment)` : p.accent(source.path)}`);
  logger.out(`Checked: ${result.verified ? p.success('just now, the key works') : 'not checked now (pass --verify)'}`);
  if (source.kind === 'env') {
    const stored = await readStoredCredentials(ctx.env).catch(() => undefined);
    if (stored) logger.info(`The key stored in ${stored.path} is not used while ${source.name} is set.`);
  }
  return 0;
}
