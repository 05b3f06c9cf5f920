import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function logoutCommand(ctx: CliContext): Command {
  return new Command('logout')
    .description('Remove the stored Stripe key.')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      `
Removes $XDG_CONFIG_HOME/skene/credentials.json; a key in STRIPE_SECRET_KEY or STRIPE_API_KEY stays in use.

Examples:
  $ skene logout
  $ skene logout --json                 {"removed", "path", "envKeyStillSet"}

Exit codes:
  0    removed (or there was nothing to remove)
  1    failure (the file could not be removed)
  2    usage error (bad flag)`,
    )
    .action(async (options: { json?: boolean }) => {
      const { runLogoutCommand } = await import('../workflows/logout.js');
      ctx.exitCode = await runLogoutCommand({ json: options.json === true }, ctx);
    });
}
