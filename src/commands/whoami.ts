import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function whoamiCommand(ctx: CliContext): Command {
  return new Command('whoami')
    .description(
      'Show the Stripe account and mode in use and where the key comes from (no network call unless --verify).',
    )
    .option('--verify', 'check the key against Stripe now')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ skene whoami                        account, mode and where the key comes from (env or file)
  $ skene whoami --verify               and check the key against Stripe now
  $ skene whoami --json | jq .mode

Exit codes:
  0    logged in (and, with --verify, the key works)
  1    not logged in, or the key does not work
  2    usage error (bad flag)`,
    )
    .action(async (options: { json?: boolean; verify?: boolean }) => {
      const { runWhoamiCommand } = await import('../workflows/whoami.js');
      ctx.exitCode = await runWhoamiCommand({ json: options.json === true, verify: options.verify === true }, ctx);
    });
}
