import type { CliContext } from '../cli-context.js';
import { SkeneError } from '../errors.js';
import { createLogger } from '../ui/logger.js';
import { createPrompter } from '../ui/prompts.js';
import { startSpinner } from '../ui/spinner.js';
import {
  analyzeFastapiProject,
  CONFIG_FILE,
  describeConfigProblems,
  describeFolder,
  planLoopChanges,
  readLoopFile,
  resolveProjectFolder,
} from './plan-loop-changes.js';
import {
  describeBlindSpots,
  describeIdentifyGates,
  describeUngatedServings,
  renderGatedRoutes,
  reviewAndApplyPlan,
} from './report-loop-changes.js';

export interface GenerateOptions {
  dir: string;
  dryRun?: boolean;
  /** Write without asking (the diff is still shown). */
  yes?: boolean;
}

/**
 * After the user edited skene.config.ts: regenerates the runtime and its compiled loop, and gates the
 * routes that now match a trigger (and takes skene's gate off routes no step matches any more), with the
 * same plan init uses. It edits the user's route files, so like init it shows the diff and asks; `--yes` answers.
 */
export async function runGenerateCommand(options: GenerateOptions, ctx: CliContext): Promise<number> {
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const root = await resolveProjectFolder(options.dir, ctx, 'generate');
  const config = await readLoopFile(root);
  if (config.source === undefined) {
    throw new SkeneError(`No ${CONFIG_FILE} in ${describeFolder(options.dir)}.`, {
      hint: 'Run `skene init` first: it writes the loop file.',
    });
  }
  if (!config.loop) {
    throw new SkeneError(describeConfigProblems(config.diagnostics), {
      hint: `Fix ${CONFIG_FILE}, then run skene generate again.`,
    });
  }
  const analysis = await analyzeFastapiProject(root, options.dir, logger);
  describeBlindSpots(analysis, logger);
  const spinner = startSpinner(logger, 'Planning the changes…');
  const plan = await planLoopChanges(root, analysis, config.loop).finally(() => spinner.stop());
  const yes = options.yes === true;
  const prompter = createPrompter({ stdinIsTTY: ctx.stdinIsTTY, yes, env: ctx.env, override: ctx.overrides?.prompter });
  // Said before the question: the user may want to widen the trigger first.
  for (const line of describeUngatedServings(plan, analysis)) logger.warn(line);
  const result = await reviewAndApplyPlan(root, plan, {
    dryRun: options.dryRun === true,
    logger,
    ctx,
    command: `skene generate${options.dir === '.' ? '' : ` ${options.dir}`}`,
    done: `Runtime regenerated from ${CONFIG_FILE}.`,
    ...(yes
      ? {}
      : {
          confirm: (pending: number) =>
            prompter.confirm({
              message: `Write ${pending} file${pending === 1 ? '' : 's'}?`,
              default: true,
              flag: '--yes',
            }),
        }),
  });
  if (result.exitCode !== 0) return result.exitCode;
  logger.out('');
  logger.out(renderGatedRoutes(plan, logger, { dryRun: !result.applied }));
  const identifyNote = describeIdentifyGates(plan, logger);
  if (identifyNote) logger.out(`\n${identifyNote}`);
  return result.exitCode;
}
