import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function doctorCommand(ctx: CliContext): Command {
  return new Command('doctor')
    .description('Check the loop file, the generated runtime, the wiring, Stripe and email set-up; exit 1 when a check fails.')
    .argument('[dir]', 'project folder', '.')
    .option('--json', 'print one JSON document on stdout: {"ok", "checks": [{"id", "status", "message", "file"?, "line"?, "fix"?}]}')
    .option('--offline', 'skip the checks that call Stripe')
    .action(async (dir: string, options: { json?: boolean; offline?: boolean }) => {
      const { runDoctorCommand } = await import('../workflows/doctor.js');
      ctx.exitCode = await runDoctorCommand({ dir, json: options.json === true, offline: options.offline === true }, ctx);
    });
}
