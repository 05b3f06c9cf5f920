import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function loginCommand(ctx: CliContext): Command {
  return new Command('login')
    .description('(login arrives with its issue)')
    .action(async () => {
      const { runLoginCommand } = await import('../workflows/login.js');
      ctx.exitCode = await runLoginCommand({}, ctx);
    });
}
