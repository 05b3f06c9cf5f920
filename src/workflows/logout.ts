import type { CliContext } from '../cli-context.js';
import { SkeneError } from '../errors.js';

export async function runLogoutCommand(_options: Record<string, never>, _ctx: CliContext): Promise<number> {
  throw new SkeneError('skene logout is not available in this build yet.');
}
