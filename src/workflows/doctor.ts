import type { CliContext } from '../cli-context.js';
import { SkeneError } from '../errors.js';

export async function runDoctorCommand(_options: Record<string, never>, _ctx: CliContext): Promise<number> {
  throw new SkeneError('skene doctor is not available in this build yet.');
}
