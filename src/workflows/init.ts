import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AnalysisResult, HttpMethod, RouteFact } from '../analyze/types.js';
import type { CliContext } from '../cli-context.js';
import { compileLoop } from '../config/compile-loop.js';
import { matchRoutes, parseMethodSelector, validateEndpointGlob, type MethodSelector } from '../config/endpoint-glob.js';
import { parsePeriod } from '../config/period.js';
import { formatConfigDiagnostic, readLoopConfig } from '../config/read-config.js';
import type { NormalizedLoop, NormalizedStep } from '../config/types.js';
import { buildLoopConfigSource } from '../config/write-config.js';
import { ExitCode, SkeneError, UsageError } from '../errors.js';
import { buildRuntimeFiles, INTEGRATION_FILE } from '../generate/build-runtime-files.js';
import { planRuntimeLocation, type RuntimeLocation } from '../generate/runtime-location.js';
import { buildProjectWiring, type WiringResult } from '../generate/wire-project.js';
import { applyPlan } from '../io/apply-plan.js';
import type { ChangePlan, FileChange } from '../io/file-change.js';
import { buildFileChange, readProjectFile } from '../io/read-project-file.js';
import { renderPlanDiff } from '../io/render-diff.js';
import { renderChangeSummary, renderManualSteps } from '../io/render-summary.js';
import { askEndpoint, routesMatching, suggestEndpoint } from '../ui/endpoint-prompt.js';
import { createLogger, type Logger } from '../ui/logger.js';
import { createPrompter, type Prompter } from '../ui/prompts.js';
import type { LoopPeriod } from '../sdk/loop-types.js';
import { skeneVersion } from '../version.js';

export const CONFIG_FILE = 'skene.config.ts';

/** The page's defaults, used with `--yes` (an existing step's own values win over them). */
export const INIT_DEFAULTS = {
  limit: 100,
  period: '30d',
  message: "You've reached your free tier limit. Upgrade to continue.",
  provider: 'resend',
  template: 'upgrade_prompt',
} as const;

export interface InitOptions {
  dir: string;
  yes?: boolean;
  dryRun?: boolean;
  endpoint?: string;
  method?: string;
  limit?: string;
  period?: string;
  message?: string;
  upgradeUrl?: string;
  provider?: string;
  template?: string;
}

export interface InitAnswers {
  endpoint: string;
  methods: MethodSelector;
  freeLimit: number;
  period: string;
  message: string;
  upgradeUrl?: string;
  /** The email template name; undefined when no upgrade email is sent. */
  emailTemplate?: string;
}

interface ParsedFlags {
  endpoint?: string;
  methods?: MethodSelector;
  limit?: number;
  period?: string;
  message?: string;
  upgradeUrl?: string;
  provider?: 'resend' | 'none';
  template?: string;
}

const TEMPLATE_NAME = /^[A-Za-z0-9_-]+$/;

function validateUrl(value: string): true | string {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? true : 'an upgrade URL starts with http:// or https://';
  } catch {
    return 'not a URL (e.g. https://example.com/pricing)';
  }
}

function validateLimit(value: string): true | string {
  return /^[0-9]+$/.test(value.trim()) && Number.isSafeInteger(Number(value.trim())) ? true : 'a whole number >= 0';
}

function validatePeriod(value: string): true | string {
  return parsePeriod(value.trim()) !== undefined ? true : 'a period such as 30d, 12h, 2w or 90m';
}

/** Checks every flag before any work, so a typo fails fast with exit 2. */
export function parseInitFlags(options: InitOptions): ParsedFlags {
  const flags: ParsedFlags = {};
  if (options.endpoint !== undefined) {
    const problem = validateEndpointGlob(options.endpoint);
    if (problem) throw new UsageError(`--endpoint ${options.endpoint}: ${problem}.`, 'Example: --endpoint "/api/v1/reports/**"');
    flags.endpoint = options.endpoint;
  }
  if (options.method !== undefined) {
    const methods = parseMethodSelector(options.method.includes(',') ? options.method.split(',').map((m) => m.trim()) : options.method.trim());
    if (!methods) throw new UsageError(`--method ${options.method}: unknown HTTP method.`, 'Use GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD, TRACE, a comma-separated list, or "*".');
    flags.methods = methods;
  }
  if (options.limit !== undefined) {
    if (validateLimit(options.limit) !== true) throw new UsageError(`--limit ${options.limit}: the free limit is a whole number >= 0.`);
    flags.limit = Number(options.limit.trim());
  }
  if (options.period !== undefined) {
    if (validatePeriod(options.period) !== true) throw new UsageError(`--period ${options.period}: use <n>m, <n>h, <n>d or <n>w, e.g. 30d.`);
    flags.period = options.period.trim();
  }
  if (options.message !== undefined) {
    if (options.message.trim() === '') throw new UsageError('--message is empty.');
    flags.message = options.message;
  }
  if (options.upgradeUrl !== undefined) {
    const valid = validateUrl(options.upgradeUrl);
    if (valid !== true) throw new UsageError(`--upgrade-url ${options.upgradeUrl}: ${valid}.`);
    flags.upgradeUrl = options.upgradeUrl;
  }
  if (options.provider !== undefined) {
    if (options.provider !== 'resend' && options.provider !== 'none') {
      throw new UsageError(`--provider ${options.provider}: the email provider is "resend" (or "none" for no upgrade email).`);
    }
    flags.provider = options.provider;
  }
  if (options.template !== undefined) {
    if (!TEMPLATE_NAME.test(options.template)) throw new UsageError(`--template ${options.template}: use letters, digits, "_" and "-".`);
    flags.template = options.template;
  }
  return flags;
}

const sameMethods = (a: MethodSelector, b: MethodSelector): boolean =>
  a === '*' || b === '*' ? a === b : a.length === b.length && a.every((m) => b.includes(m));

function httpRoutes(analysis: AnalysisResult): RouteFact[] {
  return analysis.routes.filter((r) => r.method !== 'WEBSOCKET');
}

function describeMethods(methods: MethodSelector): string {
  return methods === '*' ? 'any method' : methods.join(', ');
}

/**
 * Answers come from the flag, then (with `--yes`) from the existing step or the page's defaults, and only
 * then from a question; the non-interactive prompter turns a question into exit 2 naming the flag.
 */
async function resolveAnswers(
  flags: ParsedFlags,
  options: { yes: boolean; prompter: Prompter; liveTerminal: boolean; analysis: AnalysisResult; existing?: NormalizedLoop; logger: Logger },
): Promise<InitAnswers> {
  const { yes, prompter, analysis, existing, logger } = options;
  const routes = httpRoutes(analysis);
  const suggestion = suggestEndpoint(routes);
  const firstExisting = existing?.steps[0];

  const endpointDefault = firstExisting?.trigger.endpoint ?? suggestion?.endpoint;
  const endpoint =
    flags.endpoint ??
    (yes && endpointDefault !== undefined
      ? endpointDefault
      : await askEndpoint({ prompter, liveTerminal: options.liveTerminal, routes, default: endpointDefault, palette: logger.palette }));
  const globRoutes = routesMatching(endpoint, routes);
  if (globRoutes.length === 0) {
    throw new UsageError(`--endpoint ${endpoint} matches no route of this project.`, 'Run `skene analyze` to list the routes and their full paths.');
  }

  const matchingStep = (methods: MethodSelector | undefined): NormalizedStep | undefined =>
    existing?.steps.find((s) => s.trigger.endpoint === endpoint && (methods === undefined || sameMethods(s.trigger.methods, methods)));
  const presentMethods = [...new Set(globRoutes.map((r) => r.method as HttpMethod))];
  const methodDefault: MethodSelector =
    matchingStep(undefined)?.trigger.methods ?? (presentMethods.includes(suggestion?.method ?? 'POST') ? [suggestion?.method ?? 'POST'] : [presentMethods[0]!]);
  let methods = flags.methods;
  if (!methods) {
    if (yes) methods = methodDefault;
    else {
      const choices: Array<{ name: string; value: string }> = [
        ...presentMethods.map((m) => ({ name: m, value: m })),
        { name: '* (every method)', value: '*' },
      ];
      const picked = await prompter.select<string>({
        message: 'Which method counts?',
        choices,
        default: methodDefault === '*' ? '*' : methodDefault[0],
        flag: '--method',
      });
      methods = picked === '*' ? '*' : [picked as HttpMethod];
    }
  }
  const gated = matchRoutes({ endpoint, methods }, routes);
  if (gated.length === 0) {
    throw new UsageError(
      `--endpoint ${endpoint} with --method ${describeMethods(methods)} matches no route.`,
      `The endpoint matches ${[...new Set(globRoutes.map((r) => r.method))].join(', ')} routes.`,
    );
  }

  const step = matchingStep(methods);
  const ask = async (flagValue: string | number | undefined, fallback: string | undefined, question: Parameters<Prompter['input']>[0]): Promise<string> => {
    if (flagValue !== undefined) return String(flagValue);
    if (yes && fallback !== undefined) return fallback;
    return prompter.input({ ...question, default: fallback });
  };

  const stepLimit = step?.condition.limit.free;
  const limitText = await ask(flags.limit, String(stepLimit ?? INIT_DEFAULTS.limit), {
    message: 'Free requests per period',
    flag: '--limit',
    validate: validateLimit,
  });
  const period = await ask(flags.period, step?.condition.period ?? INIT_DEFAULTS.period, {
    message: 'Period (the window starts at a user\'s first request): e.g. 30d, 1w, 24h',
    flag: '--period',
    validate: validatePeriod,
  });
  const message = await ask(flags.message, step?.action.message ?? INIT_DEFAULTS.message, {
    message: 'Message shown when a free user hits the limit',
    flag: '--message',
    validate: (v) => (v.trim() === '' ? 'a message is needed' : true),
  });
  const upgradeUrlText = await ask(flags.upgradeUrl, step?.action.upgradeUrl ?? '', {
    message: 'Upgrade URL (empty: read SKENE_UPGRADE_URL at run time)',
    flag: '--upgrade-url',
    validate: (v) => (v.trim() === '' ? true : validateUrl(v.trim())),
  });
  const existingProvider = step ? (step.action.upgradePrompt ? 'resend' : 'none') : undefined;
  let provider = flags.provider ?? (yes ? (existingProvider ?? INIT_DEFAULTS.provider) : undefined);
  provider ??= await prompter.select<'resend' | 'none'>({
    message: 'Upgrade prompt email',
    choices: [
      { name: 'Resend', value: 'resend', description: 'one email per user and window, through Resend\'s API' },
      { name: 'No email', value: 'none' },
    ],
    default: existingProvider ?? 'resend',
    flag: '--provider',
  });
  let emailTemplate: string | undefined;
  if (provider === 'resend') {
    emailTemplate = await ask(flags.template, step?.action.upgradePrompt?.template ?? INIT_DEFAULTS.template, {
      message: 'Email template name',
      flag: '--template',
      validate: (v) => (TEMPLATE_NAME.test(v.trim()) ? true : 'letters, digits, "_" and "-"'),
    });
  }
  return {
    endpoint,
    methods,
    freeLimit: Number(limitText.trim()),
    period: period.trim(),
    message,
    ...(upgradeUrlText.trim() === '' ? {} : { upgradeUrl: upgradeUrlText.trim() }),
    ...(emailTemplate === undefined ? {} : { emailTemplate: emailTemplate.trim() }),
  };
}

function describeFindings(analysis: AnalysisResult, dir: string, logger: Logger): void {
  const p = logger.palette;
  const routes = httpRoutes(analysis);
  const byMethod = new Map<string, number>();
  for (const r of routes) byMethod.set(r.method, (byMethod.get(r.method) ?? 0) + 1);
  const apps = analysis.apps.map((a) => `${p.accent(`${a.file}:${a.line}`)} (${a.factory ? `${a.factory}() → ` : ''}${a.variable})`).join(', ');
  const stripe = analysis.stripe;
  const webhook = stripe.webhooks[0];
  const stripeLine = !stripe.used
    ? 'not used'
    : [
        `${stripe.calls.length} API call${stripe.calls.length === 1 ? '' : 's'}`,
        webhook ? `webhook ${webhook.route ? `${webhook.route.method} ${webhook.route.path}` : `${webhook.function}()`} (${webhook.file}:${webhook.line})` : 'no webhook endpoint',
      ].join(', ');
  const auth = analysis.auth.primary;
  const db = analysis.database;
  logger.info(p.bold(`Found in ${dir}:`));
  logger.info(`  apps      ${apps || 'none'}`);
  logger.info(`  routes    ${routes.length} (${[...byMethod].map(([m, n]) => `${n} ${m}`).join(', ') || 'none'})`);
  logger.info(`  Stripe    ${stripeLine}`);
  logger.info(`  auth      ${auth ? `${auth.name} from ${auth.module} (${auth.scheme})` : 'no auth dependency found: gates use identify(request)'}`);
  logger.info(`  database  ${db.kind === 'none' ? `none (skene uses SKENE_DATABASE_URL, default sqlite)` : `${db.kind}${db.engine ? ` (${db.engine.module}.${db.engine.variable})` : ''}${db.alembic ? ', Alembic' : ''}`}`);
}

async function readExistingConfig(root: string): Promise<{ source?: string; loop?: NormalizedLoop }> {
  const source = await readProjectFile(root, CONFIG_FILE);
  if (source === undefined) return {};
  const result = await readLoopConfig(CONFIG_FILE, source);
  if (!result.loop) {
    throw new SkeneError(
      `${CONFIG_FILE} has ${result.diagnostics.length} problem${result.diagnostics.length === 1 ? '' : 's'}; init will not rewrite it:\n${result.diagnostics.map((d) => formatConfigDiagnostic(d)).join('\n')}`,
      { hint: `Fix ${CONFIG_FILE} (or move it away), then run skene init again.` },
    );
  }
  return { source, loop: result.loop };
}

export interface InitPlan extends ChangePlan {
  loop: NormalizedLoop;
  stepId: string;
  wiring: WiringResult;
  location: RuntimeLocation;
}

/** Everything init will write, as one plan: config, runtime, email template and wiring edits. */
export async function buildInitPlan(
  root: string,
  analysis: AnalysisResult,
  answers: InitAnswers,
  existing: { source?: string; loop?: NormalizedLoop },
): Promise<InitPlan> {
  const current = existing.loop?.steps.find((s) => s.trigger.endpoint === answers.endpoint && sameMethods(s.trigger.methods, answers.methods));
  const configSource = await buildLoopConfigSource(existing.source, {
    step: {
      // An existing step keeps its id (and, through the writer's merge, every value not asked about).
      ...(current ? { id: current.id } : {}),
      trigger: {
        type: 'api',
        endpoint: answers.endpoint,
        method: answers.methods === '*' ? '*' : answers.methods.length === 1 ? answers.methods[0]! : [...answers.methods],
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
        ...(answers.emailTemplate === undefined ? {} : { upgradePrompt: { type: 'email', provider: 'resend', template: answers.emailTemplate } }),
      },
    },
  });
  const read = await readLoopConfig(CONFIG_FILE, configSource);
  if (!read.loop) {
    throw new SkeneError(`The generated ${CONFIG_FILE} does not validate:\n${read.diagnostics.map((d) => formatConfigDiagnostic(d)).join('\n')}`);
  }
  const loop = read.loop;
  const stepId =
    loop.steps.find((s) => s.trigger.endpoint === answers.endpoint && sameMethods(s.trigger.methods, answers.methods))?.id ??
    loop.steps.at(-1)!.id;
  const changes: FileChange[] = [
    buildFileChange(CONFIG_FILE, existing.source, configSource, { kind: 'config', reason: `step ${stepId}` }),
  ];

  const location = planRuntimeLocation(analysis);
  const at = (name: string): string => (location.dir === '' ? name : `${location.dir}/${name}`);
  const runtimeFiles = buildRuntimeFiles({
    analysis,
    compiled: compileLoop(loop, skeneVersion()),
    version: skeneVersion(),
    location,
    existingIntegration: await readProjectFile(root, at(INTEGRATION_FILE)),
  });
  for (const file of runtimeFiles) {
    const before = await readProjectFile(root, file.path);
    if (file.userEditable) {
      // The user's to edit: created once, never overwritten.
      changes.push(buildFileChange(file.path, before, before ?? file.content, { kind: 'template', reason: 'upgrade email' }));
    } else {
      changes.push(buildFileChange(file.path, before, file.content, { kind: 'runtime' }));
    }
  }

  const routes = httpRoutes(analysis);
  const steps = loop.steps.map((step) => ({ id: step.id, routes: matchRoutes(step.trigger, routes) }));
  const wiringFiles = new Set<string>([
    ...steps.flatMap((s) => s.routes.map((r) => r.registration.span.file)),
    ...analysis.apps.map((a) => a.creation.file),
    ...analysis.stripe.webhooks.flatMap((w) => (w.constructEvent ? [w.constructEvent.file] : [])),
  ]);
  const files = new Map<string, string>();
  for (const file of wiringFiles) {
    const text = await readProjectFile(root, file);
    if (text !== undefined) files.set(file, text);
  }
  const wiring = buildProjectWiring({ analysis, steps, runtimeModule: location.module, files });
  for (const file of wiring.files) {
    changes.push(buildFileChange(file.path, file.before, file.after, { kind: 'wiring', reason: file.reasons.join('; ') || undefined }));
  }
  return { changes, manual: wiring.manual, loop, stepId, wiring, location };
}

function renderGatedRoutes(plan: InitPlan, logger: Logger): string {
  const p = logger.palette;
  const lines: string[] = [];
  for (const step of plan.loop.steps) {
    const gated = plan.wiring.gated.filter((g) => g.stepId === step.id);
    const limit = step.condition.limit.free;
    lines.push(
      p.bold(`Step ${step.id}: ${describeMethods(step.trigger.methods)} ${step.trigger.endpoint}, free ${limit === null ? 'unlimited' : limit} per ${step.condition.period}`),
    );
    for (const g of gated) {
      const status = g.status === 'added' ? p.success('gated') : g.status === 'present' ? p.dim('already gated') : p.warn('edit by hand');
      lines.push(`  ${g.method} ${g.path}  ${p.accent(`${g.file}:${g.line}`)}  ${status}`);
    }
  }
  return lines.join('\n');
}

function renderNextSteps(plan: InitPlan, analysis: AnalysisResult, logger: Logger): string {
  const p = logger.palette;
  const steps: string[] = [];
  const webhook = analysis.stripe.webhooks.find((w) => w.constructEvent);
  const events = 'checkout.session.completed, customer.subscription.created/updated/deleted';
  steps.push(
    plan.wiring.webhookConnected && webhook
      ? `Your Stripe webhook ${webhook.route ? `${webhook.route.method} ${webhook.route.path}` : `${webhook.function}()`} now hands events to skene: subscribe it to ${events}.`
      : `Point a Stripe webhook at ${p.accent('POST /skene/webhooks/stripe')} with ${events}, and set ${p.accent('STRIPE_WEBHOOK_SECRET')}.`,
  );
  if (plan.wiring.webhookConnected) steps.push(`Set ${p.accent('STRIPE_WEBHOOK_SECRET')} (the endpoint's signing secret).`);
  if (plan.loop.steps.some((s) => s.action.upgradePrompt)) {
    steps.push(`Set ${p.accent('RESEND_API_KEY')} and ${p.accent('SKENE_EMAIL_FROM')} for the upgrade email.`);
  }
  if (plan.loop.steps.some((s) => !s.action.upgradeUrl)) steps.push(`Set ${p.accent('SKENE_UPGRADE_URL')} (the link in the 402 answer and the email).`);
  if (plan.manual.length > 0) steps.push('Make the edits listed above by hand.');
  steps.push(`Run ${p.accent('npx skene doctor')} to check everything.`);
  return [p.bold('Next steps:'), ...steps.map((s, i) => `  ${i + 1}. ${s}`)].join('\n');
}

export async function runInitCommand(options: InitOptions, ctx: CliContext): Promise<number> {
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const flags = parseInitFlags(options);
  const root = resolve(ctx.cwd, options.dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${options.dir} is not a folder.`, 'Pass the project folder: skene init [DIR].');

  const { analyzeProject } = await import('../analyze/analyze-project.js');
  const analysis = await analyzeProject(root, {
    onProgress: (done, total) => logger.progress(`Analyzing Python files… ${done}/${total}`),
  });
  logger.progress('');
  if (analysis.apps.length === 0 || httpRoutes(analysis).length === 0) {
    throw new SkeneError(`No FastAPI app with routes found in ${options.dir}.`, {
      hint: 'Run skene init in (or pass) the folder of a FastAPI project; `skene analyze` shows what skene sees.',
    });
  }
  describeFindings(analysis, options.dir, logger);

  const existing = await readExistingConfig(root);
  const yes = options.yes === true;
  const prompter = createPrompter({ stdinIsTTY: ctx.stdinIsTTY, yes, env: ctx.env, override: ctx.overrides?.prompter });
  const liveTerminal = prompter.interactive && ctx.overrides?.prompter === undefined;
  const answers = await resolveAnswers(flags, { yes, prompter, liveTerminal, analysis, existing: existing.loop, logger });
  const plan = await buildInitPlan(root, analysis, answers, existing);

  const pending = plan.changes.filter((c) => c.action !== 'skip');
  const p = logger.palette;
  if (pending.length > 0) logger.out(renderPlanDiff(plan.changes, p));
  const manual = renderManualSteps(plan.manual, p);
  if (manual) logger.out(`\n${manual}`);

  if (options.dryRun) {
    logger.out('');
    logger.out(renderChangeSummary(plan.changes, p, { dryRun: true }));
    logger.out(p.dim('Dry run: nothing was written.'));
    return ExitCode.ok;
  }
  if (pending.length > 0 && !yes) {
    const go = await prompter.confirm({ message: `Write ${pending.length} file${pending.length === 1 ? '' : 's'}?`, default: true, flag: '--yes' });
    if (!go) {
      logger.warn('Nothing was written.');
      return ExitCode.cancelled;
    }
  }
  await applyPlan(root, plan);
  logger.out('');
  logger.out(pending.length > 0 ? `${p.success('✓')} skene is set up in ${options.dir}.` : `${p.success('✓')} Already up to date: nothing to change.`);
  logger.out(renderChangeSummary(plan.changes, p));
  logger.out('');
  logger.out(renderGatedRoutes(plan, logger));
  logger.out('');
  logger.out(renderNextSteps(plan, analysis, logger));
  return ExitCode.ok;
}
