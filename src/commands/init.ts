import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function initCommand(ctx: CliContext): Command {
  return new Command('init')
    .description('Analyze a FastAPI + Stripe project, choose what to gate, write skene.config.ts, generate and wire the runtime.')
    .argument('[dir]', 'project folder', '.')
    .option('-y, --yes', 'answer every question with its flag or default, and write without asking')
    .option('--dry-run', 'show the changes as a diff and write nothing')
    .option('--endpoint <glob>', 'endpoints to gate (* is one path segment, ** any number), e.g. "/api/v1/reports/**"')
    .option('--method <method>', 'HTTP method the limit counts: POST, a comma-separated list, or "*"')
    .option('--limit <n>', 'free requests per period (default 100)')
    .option('--period <period>', 'window length: <n>m, <n>h, <n>d or <n>w (default 30d)')
    .option('--message <text>', 'message in the 402 answer at the limit')
    .option('--upgrade-url <url>', 'upgrade link in the 402 answer and the email (else SKENE_UPGRADE_URL)')
    .option('--provider <provider>', 'upgrade email provider: resend, or none (default resend)')
    .option('--template <name>', 'upgrade email template name (default upgrade_prompt)')
    .action(async (dir: string, options: Record<string, string | boolean | undefined>) => {
      const { runInitCommand } = await import('../workflows/init.js');
      const text = (key: string): string | undefined => (typeof options[key] === 'string' ? (options[key] as string) : undefined);
      ctx.exitCode = await runInitCommand(
        {
          dir,
          yes: options.yes === true,
          dryRun: options.dryRun === true,
          endpoint: text('endpoint'),
          method: text('method'),
          limit: text('limit'),
          period: text('period'),
          message: text('message'),
          upgradeUrl: text('upgradeUrl'),
          provider: text('provider'),
          template: text('template'),
        },
        ctx,
      );
    });
}
