import type { CliContext } from '../cli-context.js';
import {
  readStoredCredentials,
  type StoredStripeCredentials,
  writeStoredCredentials,
} from '../credentials/credentials-file.js';
import { readStripeKeyFromEnv, type StripeKeyEnvVar } from '../credentials/resolve-stripe-key.js';
import { SkeneError, UsageError } from '../errors.js';
import { StripeRequestError } from '../stripe/explain-stripe-failure.js';
import {
  detectStripeKeyFormat,
  explainUnusableKey,
  maskStripeKey,
  type StripeMode,
  stripeApiKeysUrl,
} from '../stripe/stripe-key-format.js';
import { type StripeAccountInfo, validateStripeKey } from '../stripe/validate-stripe-key.js';
import { createLogger, type Logger } from '../ui/logger.js';
import { createPrompter } from '../ui/prompts.js';

export interface LoginOptions {
  apiKey?: string;
  live?: boolean;
  /** False with `--no-browser`. */
  browser?: boolean;
  force?: boolean;
  json?: boolean;
}

export type LoginKeySource = { kind: 'flag' } | { kind: 'env'; name: StripeKeyEnvVar } | { kind: 'prompt' };

export interface LoginResult {
  accountId: string | null;
  accountName: string | null;
  mode: StripeMode;
  keyType: 'secret' | 'restricted';
  /** Masked: `sk_test_…abcd`. */
  key: string;
  source: LoginKeySource | { kind: 'file'; path: string };
  /** Where the key is stored; null when the stored key was kept as it was. */
  savedTo: string | null;
}

const ENV_HINT = 'Pass --api-key sk_test_…, or set STRIPE_SECRET_KEY or STRIPE_API_KEY.';

/** Who a stored or checked key belongs to, in one phrase: "Acme (acct_123)". */
export function describeAccount(info: { accountId: string | null; accountName: string | null }): string {
  if (info.accountName && info.accountId) return `${info.accountName} (${info.accountId})`;
  if (info.accountId) return info.accountId;
  if (info.accountName) return info.accountName;
  return 'an account this restricted key may not name';
}

/** Refuses a key whose mode is not the one asked for, before any network call. */
function explainModeMismatch(
  key: string,
  wanted: StripeMode,
): { message: string; hint: string; usage: boolean } | undefined {
  const format = detectStripeKeyFormat(key);
  if (!format || format.mode === wanted) return undefined;
  if (wanted === 'live') {
    return {
      message: `${maskStripeKey(key)} is a test-mode key, but --live asks for a live-mode key.`,
      hint: `Copy a live key from ${stripeApiKeysUrl('live')}, or drop --live to log in in test mode.`,
      usage: false,
    };
  }
  return {
    message: `${maskStripeKey(key)} is a live-mode key; skene logs in in test mode unless told otherwise.`,
    hint: `Pass --live to use a live key, or copy a test key from ${stripeApiKeysUrl('test')}.`,
    usage: true,
  };
}

function checkKeyBeforeNetwork(key: string, wanted: StripeMode, origin: string): void {
  const unusable = explainUnusableKey(key);
  if (unusable) {
    throw new SkeneError(`${origin} is not a usable Stripe key. ${unusable}`, {
      hint: `Copy a secret key (sk_…) or restricted key (rk_…) from ${stripeApiKeysUrl(wanted)}.`,
    });
  }
  const mismatch = explainModeMismatch(key, wanted);
  if (mismatch) {
    if (mismatch.usage) throw new UsageError(mismatch.message, mismatch.hint);
    throw new SkeneError(mismatch.message, { hint: mismatch.hint });
  }
}

/**
 * A browser can open only where there is a display; on a headless Linux box (SSH, containers) `open`
 * would spawn xdg-open "successfully" and nothing would appear, so skene prints the URL instead.
 */
async function openInBrowser(url: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY && !env.WSL_DISTRO_NAME) {
    throw new Error('no display');
  }
  const { default: open } = await import('open');
  await open(url);
}

async function askForKey(options: LoginOptions, ctx: CliContext, wanted: StripeMode): Promise<string> {
  const prompter = createPrompter({ stdinIsTTY: ctx.stdinIsTTY, env: ctx.env, override: ctx.overrides?.prompter });
  if (!prompter.interactive) {
    throw new UsageError('No Stripe key to log in with, and no terminal to ask for one.', ENV_HINT);
  }
  const url = stripeApiKeysUrl(wanted);
  // Written straight to stderr: even with --json the person at the prompt needs the URL.
  const say = (line: string): void => void ctx.stderr.write(`${line}\n`);
  if (options.browser === false) {
    say(`Open ${url} and copy a secret key (sk_${wanted}_…) or a restricted key (rk_${wanted}_…).`);
  } else {
    try {
      await (ctx.overrides?.openUrl ?? ((target: string) => openInBrowser(target, ctx.env)))(url);
      say(`Opened ${url} in your browser. Copy a secret key (sk_${wanted}_…) or a restricted key (rk_${wanted}_…).`);
    } catch {
      say(
        `Could not open a browser. Open ${url} and copy a secret key (sk_${wanted}_…) or a restricted key (rk_${wanted}_…).`,
      );
    }
  }
  const answer = await prompter.password({
    message: `Stripe ${wanted}-mode key`,
    flag: '--api-key',
    validate: (value) => explainUnusableKey(value.trim()) ?? explainModeMismatch(value.trim(), wanted)?.message ?? true,
  });
  return answer.trim();
}

/** Asks before replacing a stored key; true when the new key may be stored. */
async function confirmReplace(stored: StoredStripeCredentials, ctx: CliContext, logger: Logger): Promise<boolean> {
  const whom = `${describeAccount(stored)}, ${stored.mode} mode, key ${maskStripeKey(stored.apiKey)}`;
  const prompter = createPrompter({ stdinIsTTY: ctx.stdinIsTTY, env: ctx.env, override: ctx.overrides?.prompter });
  if (!prompter.interactive) {
    throw new UsageError(
      `Already logged in as ${whom}; not replacing the stored key without asking.`,
      'Pass --force to replace it, or run `skene logout` first.',
    );
  }
  ctx.stderr.write(`Already logged in as ${whom}.\n`);
  const replace = await prompter.confirm({
    message: 'Replace the stored key with a new one?',
    default: false,
    flag: '--force',
  });
  if (!replace) logger.info('Kept the stored key.');
  return replace;
}

function renderResult(result: LoginResult, logger: Logger, headline: string): void {
  const p = logger.palette;
  logger.out(`${p.success('✓')} ${headline} ${p.bold(describeAccount(result))}`);
  logger.out(`  Mode:  ${result.mode === 'live' ? p.warn('live') : 'test'}`);
  logger.out(`  Key:   ${result.key} (${result.keyType} key)`);
  if (result.savedTo) logger.out(`  Saved: ${p.accent(result.savedTo)}`);
}

/** How many keys the prompt asks for before a refusal by Stripe ends the login. */
const MAX_PROMPT_ATTEMPTS = 3;

/**
 * `skene login`: takes a key from --api-key, the environment, or a masked prompt (after opening the
 * dashboard's API-keys page), proves it against Stripe, and only then stores it. A refused key never
 * touches the stored one.
 */
export async function runLoginCommand(options: LoginOptions, ctx: CliContext): Promise<number> {
  const json = options.json === true;
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env, quiet: json });
  const wanted: StripeMode = options.live === true ? 'live' : 'test';

  let given: { key: string; source: LoginKeySource; origin: string } | undefined;
  if (options.apiKey !== undefined) {
    const key = options.apiKey.trim();
    if (!key) throw new UsageError('--api-key needs a key.', ENV_HINT);
    given = { key, source: { kind: 'flag' }, origin: 'The key given with --api-key' };
  } else {
    const fromEnv = readStripeKeyFromEnv(ctx.env);
    if (fromEnv) {
      given = { key: fromEnv.key, source: { kind: 'env', name: fromEnv.name }, origin: `The key in ${fromEnv.name}` };
      logger.info(`Using the key from ${fromEnv.name}.`);
    }
  }
  if (given) checkKeyBeforeNetwork(given.key, wanted, given.origin);

  let storedFile: { path: string; credentials: StoredStripeCredentials } | undefined;
  try {
    storedFile = await readStoredCredentials(ctx.env);
  } catch (error) {
    if (!(error instanceof SkeneError)) throw error;
    logger.warn(`${error.message} A successful login replaces it.`);
  }
  const sameAsStored = storedFile !== undefined && given !== undefined && given.key === storedFile.credentials.apiKey;
  if (storedFile && !sameAsStored && options.force !== true) {
    const stored = storedFile.credentials;
    if (!(await confirmReplace(stored, ctx, logger))) {
      const kept: LoginResult = {
        accountId: stored.accountId,
        accountName: stored.accountName,
        mode: stored.mode,
        keyType: stored.keyType,
        key: maskStripeKey(stored.apiKey),
        source: { kind: 'file', path: storedFile.path },
        savedTo: null,
      };
      if (json) logger.json(kept);
      else renderResult(kept, logger, 'Still logged in as');
      return 0;
    }
  }

  const source: LoginKeySource = given?.source ?? { kind: 'prompt' };
  let key = given?.key ?? (await askForKey(options, ctx, wanted));
  let info: StripeAccountInfo;
  // A key typed at the prompt that Stripe refuses is asked for again (a typo, a revoked key), up to three times.
  for (let attempt = 1; ; attempt++) {
    if (!given) checkKeyBeforeNetwork(key, wanted, 'The key entered');
    logger.info('Checking the key with Stripe…');
    try {
      info = await validateStripeKey(key, ctx.env);
      break;
    } catch (error) {
      const refused =
        error instanceof StripeRequestError && (error.reason === 'invalid' || error.reason === 'permission');
      if (given || attempt >= MAX_PROMPT_ATTEMPTS || !refused) throw error;
      logger.warn(`${error.message}${error.hint ? ` ${error.hint}` : ''}`);
      ctx.stderr.write('Try another key.\n');
      key = await askForKey({ ...options, browser: false }, ctx, wanted);
    }
  }
  const savedTo = await writeStoredCredentials(ctx.env, {
    apiKey: key,
    accountId: info.accountId,
    accountName: info.accountName,
    mode: info.mode,
    keyType: info.keyType,
    savedAt: new Date().toISOString(),
  });

  const result: LoginResult = {
    accountId: info.accountId,
    accountName: info.accountName,
    mode: info.mode,
    keyType: info.keyType,
    key: maskStripeKey(key),
    source,
    savedTo,
  };
  if (json) {
    logger.json(result);
  } else {
    renderResult(
      result,
      logger,
      sameAsStored ? 'Already logged in; the key still works for' : 'Logged in to Stripe as',
    );
    if (info.checkedWith === 'prices') {
      logger.info('This restricted key may not read the account, so skene checked it by listing prices.');
    }
  }
  const fromEnv = readStripeKeyFromEnv(ctx.env);
  if (fromEnv && fromEnv.key !== key) {
    logger.warn(`${fromEnv.name} is set in this environment and wins over the stored key.`);
  }
  return 0;
}
