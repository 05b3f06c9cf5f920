import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

const HELP = `
init shows what it found (and what it could not see), asks what to gate — or takes the flags, and the
defaults with --yes — then shows every change as a diff and asks before writing. The change set is
written all or nothing: on a failure or Ctrl-C every file already written is put back, so running
init again finishes an interrupted one.

Examples:
  $ skene init                                        asks each question in a terminal
  $ skene init --dry-run                              show the diff, write nothing
  $ skene init backend/ --endpoint "/api/v1/reports/**" --method POST --limit 50 --yes
  $ CI=1 skene init --yes                             the suggested endpoint and the defaults
  $ skene init --yes --plan-source is_pro             users the app marks is_pro count as paid too

--plan-source names the user attribute where the app keeps who is paid (analysis lists the ones it
found; init asks in a terminal, and never turns it on by itself with --yes):
  is_pro                                  a boolean or status column found: true / active,trialing mean paid
  subscription_status=active,trialing     these values mean paid
  plan=pro:pro;team:team,enterprise       values per plan (plans other than paid are declared in plans)
  none                                    Stripe subscriptions only (takes an existing planSource out)

Exit codes:
  0    written (or already up to date, or --dry-run)
  1    failure (a broken skene.config.ts, a folder skene cannot write; nothing is left half-written)
  2    usage error (bad flag, no such folder, a missing answer without a terminal: the error names the flag)
  130  cancelled (answered no, or Ctrl-C: files already written are put back)`;

export function initCommand(ctx: CliContext): Command {
  return new Command('init')
    .description(
      'Analyze a FastAPI + Stripe project, choose what to gate, write skene.config.ts, generate and wire the runtime.',
    )
    .argument('[dir]', 'project folder', '.')
    .option('-y, --yes', 'answer every question with its flag or default, and write without asking')
    .option('--dry-run', 'show the changes as a diff and write nothing')
    .option('--endpoint <glob>', 'endpoints to gate (* is one path segment, ** any number), e.g. "/api/v1/reports/**"')
    .option('--method <method>', 'HTTP method the limit counts: POST, a comma-separated list, or "*"')
    .option('--limit <n>', 'free requests per period (default 100)')
    .option('--period <period>', 'window length: <n>m, <n>h, <n>d or <n>w (default 30d)')
    .option('--message <text>', 'message in the 402 answer at the limit')
    .option(
      '--upgrade-url <url>',
      'upgrade link in the 402 answer and the email: an http(s) URL or a path on the app such as /pricing (else SKENE_UPGRADE_URL)',
    )
    .option('--provider <provider>', 'upgrade email provider: resend, or none (default resend)')
    .option(
      '--template <name>',
      'upgrade email template, emails/<name>.html: letters, digits, "_" and "-", first a letter or digit (default upgrade_prompt)',
    )
    .option('--warn-at <share>', 'also email once when usage first reaches this share of the limit, e.g. 0.8')
    .option(
      '--plan-source <field[=values]>',
      'the user attribute the app marks paid users with, e.g. is_pro (see below)',
    )
    .addHelpText('after', HELP)
    .action(async (dir: string, options: Record<string, string | boolean | undefined>) => {
      const { runInitCommand } = await import('../workflows/init.js');
      const text = (key: string): string | undefined =>
        typeof options[key] === 'string' ? (options[key] as string) : undefined;
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
          warnAt: text('warnAt'),
          planSource: text('planSource'),
        },
        ctx,
      );
    });
}
