import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function whoamiCommand(ctx: CliContext): Command {
  return new Command('whoami')
    .description('Show the Stripe account and mode in use and where the key comes from (no network call unless --verify).')
    .option('--verify', 'check the key against Stripe now')
    .option('--json', 'print one JSON document on stdout')
    .action(async (options: { json?: boolean; verify?: boolean }) => {
      const { runWhoamiCommand } = await import('../workflows/whoami.js');
      ctx.exitCode = await runWhoamiCommand({ json: options.json === true, verify: options.verify === true }, ctx);
    });
}
