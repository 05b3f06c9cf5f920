import type { CliContext } from '../cli-context.js';
import { SkeneError } from '../errors.js';

export async function runAnalyzeCommand(_options: { dir: string; json: boolean }, _ctx: CliContext): Promise<number> {
  throw new SkeneError('skene analyze is not available in this build yet.');
}
