import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function generateCommand(ctx: CliContext): Command {
  return new Command('generate')
    .description('(generate arrives with its issue)')
    .action(async () => {
      const { runGenerateCommand } = await import('../workflows/generate.js');
      ctx.exitCode = await runGenerateCommand({}, ctx);
    });
}
