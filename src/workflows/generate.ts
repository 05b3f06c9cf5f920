import type { CliContext } from '../cli-context.js';
import { SkeneError } from '../errors.js';
import { createLogger } from '../ui/logger.js';
import {
  analyzeFastapiProject,
  CONFIG_FILE,
  describeConfigProblems,
  planLoopChanges,
  readLoopFile,
  resolveProjectFolder,
} from './plan-loop-changes.js';
import { describeIdentifyGates, renderGatedRoutes, reviewAndApplyPlan } from './report-loop-changes.js';

export interface GenerateOptions {
  dir: string;
  dryRun?: boolean;
}

/**
 * After the user edited skene.config.ts: regenerates the runtime and its compiled loop, and gates the
 * routes that now match a trigger, with the same plan init uses. Asks nothing.
 */
export async function runGenerateCommand(options: GenerateOptions, ctx: CliContext): Promise<number> {
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const root = await resolveProjectFolder(options.dir, ctx, 'generate');
  const config = await readLoopFile(root);
  if (config.source === undefined) {
    throw new SkeneError(`No ${CONFIG_FILE} in ${options.dir}.`, { hint: 'Run `skene init` first: it writes the loop file.' });
  }
  if (!config.loop) {
    throw new SkeneError(describeConfigProblems(config.diagnostics), { hint: `Fix ${CONFIG_FILE}, then run skene generate again.` });
  }
  const analysis = await analyzeFastapiProject(root, options.dir, logger);
  const plan = await planLoopChanges(root, analysis, config.loop);
  const result = await reviewAndApplyPlan(root, plan, {
    dryRun: options.dryRun === true,
    logger,
    done: `Runtime regenerated from ${CONFIG_FILE}.`,
  });
  logger.out('');
  logger.out(renderGatedRoutes(plan, logger, { dryRun: !result.applied }));
  const identifyNote = describeIdentifyGates(plan, logger);
  if (identifyNote) logger.out(`\n${identifyNote}`);
  return result.exitCode;
}
