import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function loginCommand(ctx: CliContext): Command {
  return new Command('login')
    .description('Connect your Stripe account: opens the API-keys page, asks for the key, checks it and stores it.')
    .option('--api-key <key>', 'log in with this key instead of asking (sk_… or rk_…)')
    .option('--live', 'use a live-mode key (default: test mode)')
    .option('--no-browser', 'print the API-keys page URL instead of opening a browser')
    .option('--force', 'replace a stored key without asking')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      `
Without a terminal, the key comes from --api-key, STRIPE_SECRET_KEY or STRIPE_API_KEY.
The key is stored in $XDG_CONFIG_HOME/skene/credentials.json (default ~/.config/skene/),
never in your project. A key in the environment wins over the stored one.

Examples:
  $ skene login                               opens the API-keys page and asks for the key
  $ skene login --no-browser                  prints the page's URL instead
  $ STRIPE_SECRET_KEY=sk_test_… skene login --json

Exit codes:
  0    logged in (or already logged in)
  1    the key was refused, or Stripe could not be reached
  2    usage error (bad flag, no key and no terminal to ask on)
  130  cancelled (Ctrl-C at the prompt)`,
    )
    .action(
      async (options: { apiKey?: string; live?: boolean; browser?: boolean; force?: boolean; json?: boolean }) => {
        const { runLoginCommand } = await import('../workflows/login.js');
        ctx.exitCode = await runLoginCommand(options, ctx);
      },
    );
}
