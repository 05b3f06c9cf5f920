import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function logoutCommand(ctx: CliContext): Command {
  return new Command('logout')
    .description('Remove the stored Stripe key.')
    .option('--json', 'print one JSON document on stdout')
    .action(async (options: { json?: boolean }) => {
      const { runLogoutCommand } = await import('../workflows/logout.js');
      ctx.exitCode = await runLogoutCommand({ json: options.json === true }, ctx);
    });
}
