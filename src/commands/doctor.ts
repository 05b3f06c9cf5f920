import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function doctorCommand(ctx: CliContext): Command {
  return new Command('doctor')
    .description('(doctor arrives with its issue)')
    .action(async () => {
      const { runDoctorCommand } = await import('../workflows/doctor.js');
      ctx.exitCode = await runDoctorCommand({}, ctx);
    });
}
