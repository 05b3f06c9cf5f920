import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

const HELP = `
generate shows the changes as a diff and asks before writing (--yes answers); the change set is
written all or nothing: on a failure or Ctrl-C every file already written is put back.

Examples:
  $ skene generate                      after editing skene.config.ts in the current folder
  $ skene generate backend/ --dry-run   show what would change, write nothing
  $ skene generate --yes                in CI or a script: write without asking

Exit codes:
  0    written (or already up to date)
  1    failure (a broken skene.config.ts, a file skene cannot write; nothing is left half-written)
  2    usage error (bad flag, no such folder, no terminal to ask on without --yes)
  130  cancelled (answered no, or Ctrl-C: files already written are put back)`;

export function generateCommand(ctx: CliContext): Command {
  return new Command('generate')
    .description(
      'After editing skene.config.ts: regenerate the Python runtime and its compiled loop, gate the routes that now match a trigger, and ungate those no step matches.',
    )
    .argument('[dir]', 'project folder', '.')
    .option('-y, --yes', 'write without asking (the diff is still shown)')
    .option('--dry-run', 'show the changes as a diff and write nothing')
    .addHelpText('after', HELP)
    .action(async (dir: string, options: { dryRun?: boolean; yes?: boolean }) => {
      const { runGenerateCommand } = await import('../workflows/generate.js');
      ctx.exitCode = await runGenerateCommand({ dir, dryRun: options.dryRun === true, yes: options.yes === true }, ctx);
    });
}
