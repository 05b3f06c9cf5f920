import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

const HELP = `
Each check prints ✓ (pass), ⚠ (warning) or ✗ (failure), with the file:line and a one-line fix.

Examples:
  $ skene doctor                        the project in the current folder
  $ skene doctor backend/ --offline     no Stripe calls (CI without a key)
  $ skene doctor --json | jq '.checks[] | select(.status == "fail")'

Exit codes:
  0    every check passed or warned
  1    a check failed
  2    usage error (bad flag, no such folder)`;

export function doctorCommand(ctx: CliContext): Command {
  return new Command('doctor')
    .description(
      'Check the loop file, the generated runtime, the wiring, Stripe and email set-up; exit 1 when a check fails.',
    )
    .argument('[dir]', 'project folder', '.')
    .option(
      '--json',
      'print one JSON document on stdout: {"ok", "checks": [{"id", "status", "message", "file"?, "line"?, "fix"?}]}',
    )
    .option('--offline', 'skip the checks that call Stripe')
    .addHelpText('after', HELP)
    .action(async (dir: string, options: { json?: boolean; offline?: boolean }) => {
      const { runDoctorCommand } = await import('../workflows/doctor.js');
      ctx.exitCode = await runDoctorCommand(
        { dir, json: options.json === true, offline: options.offline === true },
        ctx,
      );
    });
}
