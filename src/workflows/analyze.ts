import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { analyzeProject } from '../analyze/analyze-project.js';
import { buildAnalysisDocument } from '../analyze/build-analysis-document.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode, UsageError } from '../errors.js';
import { createLogger } from '../ui/logger.js';
import { renderAnalysis, renderDiagnostic } from '../ui/render-analysis.js';

export interface AnalyzeCommandOptions {
  dir: string;
  json: boolean;
}

/** A progress line per file would flood a slow terminal on a large repository. */
const PROGRESS_INTERVAL_MS = 80;

/**
 * `skene analyze [DIR] [--json]`: the route table, Stripe, auth and database facts. With `--json`, stdout
 * holds the one document of PRODUCT.md §2 and nothing else; diagnostics are inside it. Without, the table
 * goes to stdout and every diagnostic to stderr as `file:line message`.
 */
export async function runAnalyzeCommand(options: AnalyzeCommandOptions, ctx: CliContext): Promise<number> {
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env, quiet: options.json });
  const root = resolve(ctx.cwd, options.dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UsageError(`${options.dir} is not a folder.`, 'Pass the project folder: skene analyze [DIR].');
  }

  let lastProgress = 0;
  const result = await analyzeProject(root, {
    onProgress: (done, total) => {
      const now = Date.now();
      if (now - lastProgress < PROGRESS_INTERVAL_MS && done < total) return;
      lastProgress = now;
      logger.progress(`Analyzing Python files… ${done}/${total}`);
    },
  });
  // Clears the progress line (only ever written on a TTY).
  logger.progress('');

  if (options.json) {
    logger.json(buildAnalysisDocument(result));
    return ExitCode.ok;
  }
  ctx.stdout.write(renderAnalysis(result, logger.palette, options.dir));
  for (const diagnostic of result.diagnostics) {
    if (diagnostic.severity === 'info') logger.info(renderDiagnostic(diagnostic));
    else logger.warn(renderDiagnostic(diagnostic));
  }
  return ExitCode.ok;
}
