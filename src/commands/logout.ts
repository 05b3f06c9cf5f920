import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function logoutCommand(ctx: CliContext): Command {
  return new Command('logout')
    .description('(logout arrives with its issue)')
    .action(async () => {
      const { runLogoutCommand } = await import('../workflows/logout.js');
      ctx.exitCode = await runLogoutCommand({}, ctx);
    });
}
