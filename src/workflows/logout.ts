import type { CliContext } from '../cli-context.js';
import { deleteStoredCredentials } from '../credentials/credentials-file.js';
import { readStripeKeyFromEnv } from '../credentials/resolve-stripe-key.js';
import { createLogger } from '../ui/logger.js';

export interface LogoutOptions {
  json?: boolean;
}

/** `skene logout`: removes the stored key. Running it twice is fine; it says what it found. */
export async function runLogoutCommand(options: LogoutOptions, ctx: CliContext): Promise<number> {
  const json = options.json === true;
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env, quiet: json });
  const { path, removed } = await deleteStoredCredentials(ctx.env);
  const fromEnv = readStripeKeyFromEnv(ctx.env);
  if (json) {
    logger.json({ removed, path, envKeyStillSet: fromEnv?.name ?? null });
  } else if (removed) {
    logger.out(
      `${logger.palette.success('✓')} Logged out: removed the Stripe key stored in ${logger.palette.accent(path)}.`,
    );
  } else {
    logger.out(`Not logged in: no Stripe key is stored in ${logger.palette.accent(path)}.`);
  }
  if (fromEnv) logger.warn(`${fromEnv.name} is still set in this environment; skene keeps using that key.`);
  return 0;
}
