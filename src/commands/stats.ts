import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

const HELP = `
Reads skene's events from the app's database (the URL the runtime uses: SKENE_DATABASE_URL, set or in .env;
else the app's engine; else the runtime's default) through one read-only connection; runs none of the app's code.
Per step: the users who hit the limit, got the warning, got the upgrade email, clicked the upgrade link and
converted; the conversion rate, the median time from the limit to the conversion, and weekly cohorts.

Examples:
  $ skene stats                         every step, all time
  $ skene stats --since 30d --step reports
  $ skene stats --json | jq '.overall.conversionRate'
  $ skene stats --html funnel.html      one self-contained page (no network) to open or send

Exit codes:
  0    reported
  1    failure (the database cannot be read, skene's events table is missing)
  2    usage error (bad flag, no such folder or step); with --json, {"ok": false, "error": {...}} on stdout`;

export function statsCommand(ctx: CliContext): Command {
  return new Command('stats')
    .description("Show the upgrade funnel from the app's database: limit hit, warned, prompted, clicked, converted.")
    .argument('[dir]', 'project folder', '.')
    .option('--since <period>', 'only the events of the last period (30m, 12h, 30d, 8w); all time without it')
    .option('--step <id>', 'only this step')
    .option('--json', 'print one JSON document on stdout: {"ok", "database", "period", "steps": [...], "overall"}')
    .option('--html <file>', 'write the report as one self-contained HTML file')
    .addHelpText('after', HELP)
    .action(async (dir: string, options: { since?: string; step?: string; json?: boolean; html?: string }) => {
      const { runStatsCommand } = await import('../workflows/stats.js');
      ctx.exitCode = await runStatsCommand(
        { dir, since: options.since, step: options.step, json: options.json === true, html: options.html },
        ctx,
      );
    });
}
