import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function initCommand(ctx: CliContext): Command {
  return new Command('init')
    .description('(init arrives with its issue)')
    .action(async () => {
      const { runInitCommand } = await import('../workflows/init.js');
      ctx.exitCode = await runInitCommand({}, ctx);
    });
}
