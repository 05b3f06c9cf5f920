import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

const HELP = `
For an app that already has paying customers: Stripe keeps events for about a week, so skene's webhook
never saw their subscriptions. sync lists every subscription of the account from the Stripe API (the key
from STRIPE_SECRET_KEY, the app's .env, or skene login) and hands them to the generated runtime
(python -m <runtime> sync, with the app's Python, from the folder the app starts in: it imports the app's
database and user modules, as the app does when it starts). The runtime links each to a user by the
webhook's rules (metadata.user_id, a link skene recorded, the app's customer-id column, the email) and
writes skene's subscription rows in the app's database. It never writes the app's own tables. A second
run changes nothing.

Examples:
  $ skene sync                          the project in the current folder
  $ skene sync backend/ --dry-run       what would be written, writing nothing
  $ skene sync --json | jq '.unlinkedCustomers'

Exit codes:
  0    synced (customers with no matching user are listed, not an error)
  1    failure (Stripe refused or could not be reached, the runtime could not write)
  2    usage error (bad flag, no such folder)`;

export function syncCommand(ctx: CliContext): Command {
  return new Command('sync')
    .description(
      "Bring the account's existing Stripe subscriptions into skene: link each to an app user and write skene's rows.",
    )
    .argument('[dir]', 'project folder', '.')
    .option('--dry-run', 'link and compare, but write nothing')
    .option(
      '--json',
      'print one JSON document on stdout: {"ok", "dryRun", "stripe", "runtime", "database", "subscriptions": [{"subscriptionId", "customerId", "email", "status", "userKey", "link", "change"}], "unlinkedCustomers", "rejected", "summary"}',
    )
    .addHelpText('after', HELP)
    .action(async (dir: string, options: { dryRun?: boolean; json?: boolean }) => {
      const { runSyncCommand } = await import('../workflows/sync.js');
      ctx.exitCode = await runSyncCommand({ dir, dryRun: options.dryRun === true, json: options.json === true }, ctx);
    });
}
