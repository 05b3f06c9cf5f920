import type { AnalysisResult } from '../analyze/types.js';
import type { CliContext } from '../cli-context.js';
import { deriveStepId, uniqueStepId } from '../config/derive-step-id.js';
import { sameEndpoint, sameMethods } from '../config/loop-rules.js';
import { readLoopConfig } from '../config/read-config.js';
import type { NormalizedLoop } from '../config/types.js';
import { buildLoopConfigSource } from '../config/write-config.js';
import { uncommittedFiles } from '../doctor/read-git.js';
import { SkeneError } from '../errors.js';
import { requireWritablePlan } from '../io/apply-plan.js';
import { buildFileChange } from '../io/read-project-file.js';
import type { LoopPeriod } from '../sdk/loop-types.js';
import { createLogger } from '../ui/logger.js';
import { createPrompter } from '../ui/prompts.js';
import { startSpinner } from '../ui/spinner.js';
import { type InitAnswers, type InitOptions, parseInitFlags, resolveAnswers } from './init-answers.js';
import {
  analyzeFastapiProject,
  CONFIG_FILE,
  describeConfigProblems,
  describeFolder,
  type LoopPlan,
  planLoopChanges,
  readLoopFile,
  resolveProjectFolder,
} from './plan-loop-changes.js';
import {
  describeBlindSpots,
  describeFindings,
  describeUngatedServings,
  renderGatedRoutes,
  renderNextSteps,
  reviewAndApplyPlan,
} from './report-loop-changes.js';

export { INIT_DEFAULTS, type InitAnswers, type InitOptions, parseInitFlags } from './init-answers.js';
export { CONFIG_FILE } from './plan-loop-changes.js';

export interface InitPlan extends LoopPlan {
  stepId: string;
}

/**
 * Everything init will write, as one plan: the answers merged into skene.config.ts (an existing step
 * with the same trigger keeps its id and every value not asked about), then the runtime and wiring
 * for the resulting loop.
 */
export async function buildInitPlan(
  root: string,
  analysis: AnalysisResult,
  answers: InitAnswers,
  existing: { source?: string; loop?: NormalizedLoop },
): Promise<InitPlan> {
  const current = existing.loop?.steps.find(
    (s) => sameEndpoint(s.trigger.endpoint, answers.endpoint) && sameMethods(s.trigger.methods, answers.methods),
  );
  // A new step gets its id written out: editing its endpoint later must not rename it under the gates in the code.
  const taken = new Set(existing.loop?.steps.map((s) => s.id) ?? []);
  const id = current?.id ?? uniqueStepId(deriveStepId(answers.endpoint, answers.methods), taken);
  const configSource = await buildLoopConfigSource(existing.source, {
    step: {
      id,
      trigger: {
        type: 'api',
        endpoint: answers.endpoint,
        method:
          answers.methods === '*' ? '*' : answers.methods.length === 1 ? answers.methods[0]! : [...answers.methods],
      },
      condition: {
        type: 'usage',
        limit: current ? { free: answers.freeLimit } : { free: answers.freeLimit, paid: Infinity },
        period: answers.period as LoopPeriod,
      },
      action: {
        type: 'block',
        message: answers.message,
        ...(answers.upgradeUrl === undefined ? {} : { upgradeUrl: answers.upgradeUrl }),
        ...(answers.emailTemplate === undefined
          ? {}
          : { upgradePrompt: { type: 'email', provider: 'resend', template: answers.emailTemplate } }),
        ...(answers.warnAt === undefined ? {} : { warnAt: answers.warnAt }),
      },
    },
    ...(answers.planSource === undefined ? {} : { planSource: answers.planSource }),
  });
  const read = await readLoopConfig(CONFIG_FILE, configSource);
  if (!read.loop)
    throw new SkeneError(
      `The ${CONFIG_FILE} skene would write does not validate. ${describeConfigProblems(read.diagnostics)}`,
    );
  const loop = read.loop;
  const stepId =
    loop.steps.find(
      (s) => sameEndpoint(s.trigger.endpoint, answers.endpoint) && sameMethods(s.trigger.methods, answers.methods),
    )?.id ?? loop.steps.at(-1)!.id;
  const loopPlan = await planLoopChanges(root, analysis, loop);
  return {
    ...loopPlan,
    changes: [
      buildFileChange(CONFIG_FILE, existing.source, configSource, { kind: 'config', reason: `step ${stepId}` }),
      ...loopPlan.changes,
    ],
    stepId,
  };
}

export async function runInitCommand(options: InitOptions, ctx: CliContext): Promise<number> {
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const flags = parseInitFlags(options);
  const root = await resolveProjectFolder(options.dir, ctx, 'init');
  const analysis = await analyzeFastapiProject(root, options.dir, logger);
  describeFindings(analysis, options.dir, logger);
  describeBlindSpots(analysis, logger);

  const existing = await readLoopFile(root);
  if (existing.source !== undefined && !existing.loop) {
    throw new SkeneError(`${describeConfigProblems(existing.diagnostics)}\ninit will not rewrite it.`, {
      hint: `Fix ${CONFIG_FILE} (or move it away), then run skene init again.`,
    });
  }
  // A read-only project fails before the questions, not after them.
  if (options.dryRun !== true) {
    await requireWritablePlan(root, [
      {
        path: CONFIG_FILE,
        action: existing.source === undefined ? 'create' : 'update',
        before: existing.source,
        after: '',
      },
    ]);
  }
  const yes = options.yes === true;
  const prompter = createPrompter({ stdinIsTTY: ctx.stdinIsTTY, yes, env: ctx.env, override: ctx.overrides?.prompter });
  const liveTerminal = prompter.interactive && ctx.overrides?.prompter === undefined;
  const answers = await resolveAnswers(flags, {
    yes,
    prompter,
    liveTerminal,
    analysis,
    existing: existing.loop,
    logger,
  });
  const spinner = startSpinner(logger, 'Planning the changes…');
  const plan = await buildInitPlan(root, analysis, answers, existing).finally(() => spinner.stop());

  // Said before the question: the user may want to widen the trigger first.
  for (const line of describeUngatedServings(plan, analysis)) logger.warn(line);
  // Said before anything is written: skene's diff is easier to review on a clean tree.
  const uncommitted = uncommittedFiles(root);
  if (uncommitted && uncommitted.length > 0) {
    const shown = uncommitted.slice(0, 8).join(', ');
    const more = uncommitted.length > 8 ? ` and ${uncommitted.length - 8} more` : '';
    logger.warn(
      `${uncommitted.length} file${uncommitted.length === 1 ? ' has' : 's have'} uncommitted changes (${shown}${more}): commit or stash them first to review skene's changes on their own with \`git diff\`.`,
    );
  }
  const result = await reviewAndApplyPlan(root, plan, {
    dryRun: options.dryRun === true,
    logger,
    ctx,
    command: `skene init${options.dir === '.' ? '' : ` ${options.dir}`}`,
    done: `skene is set up in ${describeFolder(options.dir)}.`,
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
  if (result.applied) {
    logger.out('');
    logger.out(renderNextSteps(plan, analysis, logger));
  }
  return result.exitCode;
}
