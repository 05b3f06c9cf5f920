import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function whoamiCommand(ctx: CliContext): Command {
  return new Command('whoami')
    .description('(whoami arrives with its issue)')
    .action(async () => {
      const { runWhoamiCommand } = await import('../workflows/whoami.js');
      ctx.exitCode = await runWhoamiCommand({}, ctx);
    });
}
