import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function generateCommand(ctx: CliContext): Command {
  return new Command('generate')
    .description('After editing skene.config.ts: regenerate the Python runtime and its compiled loop, and gate the routes that now match a trigger.')
    .argument('[dir]', 'project folder', '.')
    .option('--dry-run', 'show the changes as a diff and write nothing')
    .action(async (dir: string, options: { dryRun?: boolean }) => {
      const { runGenerateCommand } = await import('../workflows/generate.js');
      ctx.exitCode = await runGenerateCommand({ dir, dryRun: options.dryRun === true }, ctx);
    });
}
