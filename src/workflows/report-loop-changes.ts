import { matchSuccessRoutes } from '../analyze/match-success-routes.js';
import type { AnalysisResult } from '../analyze/types.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../errors.js';
import {
  GATE_TESTS_FILE,
  INTEGRATION_FILE,
  isGeneratedText,
  RUNTIME_ENV,
  WEBHOOK_PATH,
} from '../generate/runtime-contract.js';
import { applyPlan, requireWritablePlan } from '../io/apply-plan.js';
import type { Logger } from '../ui/logger.js';
import { renderPlanDiff } from '../ui/render-diff.js';
import { renderChangeSummary, renderManualSteps } from '../ui/render-summary.js';
import { describeFolder, describeMethods, httpRoutes, type LoopPlan } from './plan-loop-changes.js';

/** What skene found, before any question: apps, routes, Stripe, auth, database. */
export function describeFindings(analysis: AnalysisResult, dir: string, logger: Logger): void {
  const p = logger.palette;
  const routes = httpRoutes(analysis);
  const byMethod = new Map<string, number>();
  for (const r of routes) byMethod.set(r.method, (byMethod.get(r.method) ?? 0) + 1);
  const apps = analysis.apps
    .map((a) => `${p.accent(`${a.file}:${a.line}`)} (${a.factory ? `${a.factory}() → ` : ''}${a.variable})`)
    .join(', ');
  const stripe = analysis.stripe;
  const webhook = stripe.webhooks[0];
  const stripeLine = !stripe.used
    ? 'not used'
    : [
        `${stripe.calls.length} API call${stripe.calls.length === 1 ? '' : 's'}`,
        webhook
          ? `webhook ${webhook.route ? `${webhook.route.method} ${webhook.route.path}` : `${webhook.function}()`} (${webhook.file}:${webhook.line})`
          : 'no webhook endpoint',
      ].join(', ');
  const auth = analysis.auth.primary;
  const db = analysis.database;
  logger.info(p.bold(`Found in ${describeFolder(dir)}:`));
  logger.info(`  apps      ${apps || 'none'}`);
  logger.info(`  routes    ${routes.length} (${[...byMethod].map(([m, n]) => `${n} ${m}`).join(', ') || 'none'})`);
  logger.info(`  Stripe    ${stripeLine}`);
  logger.info(
    `  auth      ${auth ? `${auth.name} from ${auth.module} (${auth.scheme})` : 'no auth dependency found: gates use identify(request)'}`,
  );
  const users = analysis.userModel;
  if (users) {
    const columns = [
      users.emailField ? `email ${users.emailField}` : 'no email column',
      users.customerIdField ? `Stripe customer ${users.customerIdField}` : 'no Stripe customer column',
      ...users.planFields.map((f) => `plan ${f.name}`),
    ];
    logger.info(`  users     ${users.class} from ${users.module} (${columns.join(', ')})`);
  }
  const engineName = db.engine
    ? `${db.engine.module}.${db.engine.variable}${db.engine.access?.kind === 'attribute' ? `.${db.engine.access.attribute}` : db.engine.access?.kind === 'call' ? '()' : ''}`
    : undefined;
  logger.info(
    `  database  ${db.kind === 'none' ? `none (skene uses SKENE_DATABASE_URL, default sqlite)` : `${db.kind}${engineName ? ` (${engineName})` : ''}${db.alembic ? ', Alembic' : ''}`}`,
  );
  if (db.kind !== 'none' && !db.engine) {
    logger.warn(
      `skene cannot reach the app's ${db.kind} engine (it is built where no import reaches it), so the runtime would keep its tables in its own SQLite file: set SKENE_DATABASE_URL to the app's database URL, or bind the engine to a module-level name and run \`skene generate\`. \`skene doctor\` fails until then.`,
    );
  }
}

/** Version notes, not blind spots: they do not hide routes. */
const NOT_A_BLIND_SPOT =
  /FastAPI .*(no upper bound|version)|no FastAPI version declared|the route table follows the newest FastAPI/;

/**
 * What the analysis could not see — unreadable and skipped files, syntax errors, prefixes, routers and
 * imports it could not resolve — where routes a glob would match may hide; empty when it saw everything.
 */
export function listBlindSpots(analysis: AnalysisResult): AnalysisResult['diagnostics'] {
  return analysis.diagnostics.filter(
    (d) =>
      !NOT_A_BLIND_SPOT.test(d.message) &&
      (d.severity !== 'info' || /not (listed|analyzed)|skipped|could not/.test(d.message)),
  );
}

/** The blind spots, shown before the questions so the user chooses the endpoints knowing them. */
export function describeBlindSpots(analysis: AnalysisResult, logger: Logger, max = 10): void {
  const spots = listBlindSpots(analysis);
  if (spots.length === 0) return;
  const p = logger.palette;
  logger.warn(
    `skene could not see everything: routes in these places may be missing from what it found (and from what a glob gates):`,
  );
  for (const d of spots.slice(0, max)) logger.info(`  ${p.accent(`${d.file}:${d.line}`)} ${d.message}`);
  if (spots.length > max) logger.info(`  … ${spots.length - max} more: \`skene analyze\` lists them all.`);
}

/**
 * Handlers gated for a step that are also served under a method or path its trigger does not name (the
 * same function registered twice, an `api_route` with more methods, a router included under two
 * prefixes): those requests are not counted. One line each.
 */
export function describeUngatedServings(plan: LoopPlan, analysis: AnalysisResult): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const step of plan.loop.steps) {
    const gated = plan.wiring.gated.filter((g) => g.stepId === step.id && g.status !== 'manual');
    const gatedKeys = new Set(gated.map((g) => `${g.method} ${g.path}`));
    const handlers = new Map(gated.map((g) => [`${g.file}:${g.line}`, g]));
    for (const route of httpRoutes(analysis)) {
      const handler = handlers.get(`${route.file}:${route.line}`);
      if (!handler || gatedKeys.has(`${route.method} ${route.path}`)) continue;
      const key = `${step.id} ${route.method} ${route.path} ${route.file}:${route.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(
        `${route.function}() (${route.file}:${route.line}) is gated for step ${step.id} as ${handler.method} ${handler.path}, but is also served as ${route.method} ${route.path}, ` +
          `which the trigger ${describeMethods(step.trigger.methods)} ${step.trigger.endpoint} does not name: requests there are not counted.`,
      );
    }
  }
  return lines;
}

/** Per step: its trigger and limit, then every route it matches and whether it is gated. */
export function renderGatedRoutes(plan: LoopPlan, logger: Logger, options: { dryRun?: boolean } = {}): string {
  const p = logger.palette;
  const lines: string[] = [];
  for (const step of plan.loop.steps) {
    const gated = plan.wiring.gated.filter((g) => g.stepId === step.id);
    const limit = step.condition.limit.free;
    lines.push(
      p.bold(
        `Step ${step.id}: ${describeMethods(step.trigger.methods)} ${step.trigger.endpoint}, free ${limit === null ? 'unlimited' : limit} per ${step.condition.period}`,
      ),
    );
    if (gated.length === 0) lines.push(`  ${p.warn('matches no route of this project')}`);
    for (const g of gated) {
      const status =
        g.status === 'added'
          ? p.success(options.dryRun ? 'to be gated' : 'gated')
          : g.status === 'present'
            ? p.dim('already gated')
            : p.warn('edit by hand');
      const identify = g.identify ? `  ${p.warn('no user dependency: counted through identify(request)')}` : '';
      lines.push(`  ${g.method} ${g.path}  ${p.accent(`${g.file}:${g.line}`)}  ${status}${identify}`);
    }
  }
  const ungated = plan.wiring.ungated;
  if (ungated.length > 0) {
    lines.push(p.bold('Gates of steps that no longer match the route:'));
    for (const u of ungated) {
      const status =
        u.status === 'removed' ? p.success(options.dryRun ? 'to be removed' : 'removed') : p.warn('remove by hand');
      lines.push(`  ${u.method} ${u.path}  ${p.accent(`${u.file}:${u.line}`)}  step ${u.stepId}  ${status}`);
    }
  }
  return lines.join('\n');
}

const integrationFile = (plan: LoopPlan): string =>
  plan.location.dir === '' ? INTEGRATION_FILE : `${plan.location.dir}/${INTEGRATION_FILE}`;

/**
 * The routes gated with `identify=True` (no user dependency in a project that has one) and what the user
 * must do for them to count; undefined when there are none.
 */
export function describeIdentifyGates(plan: LoopPlan, logger: Logger): string | undefined {
  const routes = [...new Set(plan.wiring.gated.filter((g) => g.identify).map((g) => `${g.method} ${g.path}`))];
  if (routes.length === 0) return undefined;
  const one = routes.length === 1;
  return (
    `${routes.join(', ')} ${one ? 'has' : 'have'} no user dependency, so ${one ? 'its gate counts' : 'their gates count'} whoever identify(request) returns: ` +
    `edit it in ${logger.palette.accent(integrationFile(plan))} to return the caller (as generated it reads only request.user and request.state.user; ` +
    'a call it does not recognize passes uncounted).'
  );
}

/**
 * Where the checkout's success URL lands in the app (a GET route it serves), the call that unblocks a user who
 * has just paid before the webhook arrives; undefined when the success page is not one of the app's routes.
 */
export function describeRefreshCustomer(plan: LoopPlan, analysis: AnalysisResult, logger: Logger): string | undefined {
  const p = logger.palette;
  const routes = new Map<string, string>();
  for (const { route } of matchSuccessRoutes(analysis))
    routes.set(
      `${route.method} ${route.path}`,
      `${route.method} ${route.path} (${p.accent(`${route.file}:${route.line}`)})`,
    );
  if (routes.size === 0) return undefined;
  const call = `refresh_customer(user.${analysis.userModel?.idField ?? 'id'})`;
  return `Call ${p.accent(call)} (from ${plan.location.module} import refresh_customer) in ${[...routes.values()].join(', ')} so a user who has just paid is unblocked before the webhook arrives.`;
}

/** What is left to the user: the webhook, the env vars the runtime reads, doctor. */
export function renderNextSteps(plan: LoopPlan, analysis: AnalysisResult, logger: Logger): string {
  const p = logger.palette;
  const steps: string[] = [];
  const webhook = analysis.stripe.webhooks.find((w) => w.constructEvent);
  const events = 'checkout.session.completed, customer.subscription.created/updated/deleted';
  steps.push(
    plan.wiring.webhookConnected && webhook
      ? `Your Stripe webhook ${webhook.route ? `${webhook.route.method} ${webhook.route.path}` : `${webhook.function}()`} now hands events to skene: subscribe it to ${events}, and set ${p.accent(RUNTIME_ENV.webhookSecret)} (its signing secret).`
      : `Point a Stripe webhook at ${p.accent(`POST ${WEBHOOK_PATH}`)} with ${events}, and set ${p.accent(RUNTIME_ENV.webhookSecret)} (its signing secret).`,
  );
  steps.push(
    `If the app already has paying customers, run ${p.accent('npx skene sync')}: Stripe keeps events for about a week, so it reads their subscriptions from the API and writes skene's rows, linked to your users.`,
  );
  if (plan.loop.steps.some((s) => s.action.upgradePrompt)) {
    steps.push(
      `Set ${p.accent(RUNTIME_ENV.resendApiKey)} and ${p.accent(RUNTIME_ENV.emailFrom)} for the upgrade email.`,
    );
  }
  if (plan.loop.steps.some((s) => !s.action.upgradeUrl))
    steps.push(`Set ${p.accent('SKENE_UPGRADE_URL')} (the link in the 402 answer and the email).`);
  const integration = integrationFile(plan);
  if (!analysis.auth.primary) {
    steps.push(
      `No auth dependency was found: edit identify(request) in ${p.accent(integration)} so gates know the user.`,
    );
  }
  const identifyNote = describeIdentifyGates(plan, logger);
  if (identifyNote) steps.push(identifyNote);
  const refreshNote = describeRefreshCustomer(plan, analysis, logger);
  if (refreshNote) steps.push(refreshNote);
  if (plan.manual.length > 0) steps.push('Make the edits listed above by hand.');
  steps.push(`Run ${p.accent('npx skene doctor')} to check everything.`);
  steps.push(
    `Once users meet the limit, run ${p.accent('npx skene stats')} to see the funnel: limit hit, warned, prompted, clicked the upgrade link, converted.`,
  );
  const gateTests = plan.changes.find(
    (change) => change.path.endsWith(`/${GATE_TESTS_FILE}`) || change.path === GATE_TESTS_FILE,
  );
  if (
    gateTests &&
    (gateTests.action !== 'skip' || (gateTests.before !== undefined && isGeneratedText(gateTests.before)))
  ) {
    steps.push(
      `Run ${p.accent('npx skene verify')} to prove the gate in your app: it runs ${p.accent(gateTests.path)} with your app's Python (keep that file in your CI).`,
    );
  }
  return [p.bold('Next steps:'), ...steps.map((s, i) => `  ${i + 1}. ${s}`)].join('\n');
}

/** The test hook that pauses between file writes (SKENE_TEST_PAUSE_BETWEEN_WRITES_MS), when set to a number. */
function pauseBetweenWrites(env: NodeJS.ProcessEnv): number | undefined {
  const value = Number(env.SKENE_TEST_PAUSE_BETWEEN_WRITES_MS);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Shows the plan (diffs, then the edits left to the user), and unless it is a dry run, asks through
 * `confirm` (when there is something to write) and applies it as one unit: a folder skene cannot write
 * stops the run before the diff, and a failure or Ctrl-C while writing puts back every file written so
 * far. The summary comes from the same plan.
 */
export async function reviewAndApplyPlan(
  root: string,
  plan: LoopPlan,
  options: {
    dryRun: boolean;
    logger: Logger;
    confirm?: (pending: number) => Promise<boolean>;
    done: string;
    ctx: CliContext;
    /** The command line to re-run after a roll-back (`skene init`). */
    command: string;
  },
): Promise<{ exitCode: number; applied: boolean }> {
  const { logger } = options;
  const p = logger.palette;
  const pending = plan.changes.filter((c) => c.action !== 'skip');
  if (!options.dryRun) await requireWritablePlan(root, plan.changes);
  if (pending.length > 0) logger.out(renderPlanDiff(plan.changes, p));
  const manual = renderManualSteps(plan.manual, p);
  if (manual) logger.out(`${pending.length > 0 ? '\n' : ''}${manual}`);

  if (options.dryRun) {
    logger.out('');
    logger.out(renderChangeSummary(plan.changes, p, { dryRun: true }));
    logger.out(p.dim('Dry run: nothing was written.'));
    return { exitCode: ExitCode.ok, applied: false };
  }
  if (pending.length > 0 && options.confirm && !(await options.confirm(pending.length))) {
    logger.warn('Nothing was written.');
    return { exitCode: ExitCode.cancelled, applied: false };
  }
  const trap = pending.length > 0 ? options.ctx.trapInterrupt?.() : undefined;
  try {
    const pause = pauseBetweenWrites(options.ctx.env);
    await applyPlan(root, plan, {
      command: options.command,
      ...(trap ? { signal: trap.signal } : {}),
      ...(pause === undefined ? {} : { pauseBetweenWritesMs: pause }),
    });
  } finally {
    trap?.release();
  }
  logger.out('');
  logger.out(
    pending.length > 0
      ? `${p.success('✓')} ${options.done}`
      : `${p.success('✓')} Already up to date: nothing to change.`,
  );
  logger.out(renderChangeSummary(plan.changes, p));
  return { exitCode: ExitCode.ok, applied: true };
}
