import type { AnalysisResult, HttpMethod } from '../analyze/types.js';
import {
  type MethodSelector,
  matchRoutes,
  parseMethodSelector,
  validateEndpointGlob,
} from '../config/endpoint-glob.js';
import {
  EMAIL_PROVIDERS,
  limitProblem,
  messageProblem,
  PYTHON_IDENTIFIER,
  periodProblem,
  planSourcePlanProblem,
  type RuleProblem,
  sameEndpoint,
  sameMethods,
  templateNameProblem,
  upgradeUrlProblem,
  warnAtProblem,
} from '../config/loop-rules.js';
import type { NormalizedLoop, NormalizedStep } from '../config/types.js';
import { UsageError } from '../errors.js';
import { routeHasUserDependency, routesMatching, suggestEndpoint } from '../generate/gating-policy.js';
import type { LoopPlanSource } from '../sdk/loop-types.js';
import { askEndpoint } from '../ui/endpoint-prompt.js';
import type { Logger } from '../ui/logger.js';
import type { Prompter } from '../ui/prompts.js';
import { describeMethods, httpRoutes } from './plan-loop-changes.js';

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
  warnAt?: string;
  /** `--plan-source`: `is_pro`, `plan=pro,team`, `plan=pro:pro;team:team,enterprise`, or `none`. */
  planSource?: string;
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
  /** `action.warnAt`: the share of the limit at which the warning email goes (flag or existing step only). */
  warnAt?: number;
  /** The loop's `planSource` to write; undefined leaves the config's own (or none), null takes it out. */
  planSource?: LoopPlanSource | null;
}

/** `--plan-source`: `none`, a field alone (its values come from what analysis found), or a field with its values. */
export type PlanSourceFlag =
  | { none: true }
  | { none?: false; field: string; plans?: Record<string, Array<string | number | boolean>> };

export interface ParsedFlags {
  endpoint?: string;
  methods?: MethodSelector;
  limit?: number;
  period?: string;
  message?: string;
  upgradeUrl?: string;
  provider?: 'resend' | 'none';
  template?: string;
  warnAt?: number;
  planSource?: PlanSourceFlag;
}

/** A question's answer checked by a loop rule: true, or what to write instead. */
const byRule =
  (rule: (value: string) => RuleProblem | undefined) =>
  (value: string): true | string =>
    rule(value.trim())?.hint ?? true;

/** The free limit as typed: whole digits (the flag and question take no Infinity), then the loop's rule. */
function validateLimit(value: string): true | string {
  const text = value.trim();
  return /^[0-9]+$/.test(text) && Number.isSafeInteger(Number(text)) && !limitProblem('free', Number(text))
    ? true
    : 'a whole number >= 0';
}

/** A flag's value refused by a loop rule: the rule's own message and hint, exit 2. */
function refuse(flag: string, value: string, problem: RuleProblem): UsageError {
  return new UsageError(`${flag} ${value}: ${problem.message}.`, problem.hint);
}

/** Checks every flag before any work, so a typo fails fast with exit 2. */
export function parseInitFlags(options: InitOptions): ParsedFlags {
  const flags: ParsedFlags = {};
  if (options.endpoint !== undefined) {
    const problem = validateEndpointGlob(options.endpoint);
    if (problem)
      throw new UsageError(`--endpoint ${options.endpoint}: ${problem}.`, 'Example: --endpoint "/api/v1/reports/**"');
    flags.endpoint = options.endpoint;
  }
  if (options.method !== undefined) {
    const methods = parseMethodSelector(
      options.method.includes(',') ? options.method.split(',').map((m) => m.trim()) : options.method.trim(),
    );
    if (!methods)
      throw new UsageError(
        `--method ${options.method}: unknown HTTP method.`,
        'Use GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD, TRACE, a comma-separated list, or "*".',
      );
    flags.methods = methods;
  }
  if (options.limit !== undefined) {
    if (validateLimit(options.limit) !== true)
      throw new UsageError(`--limit ${options.limit}: the free limit is a whole number >= 0.`);
    flags.limit = Number(options.limit.trim());
  }
  if (options.period !== undefined) {
    if (periodProblem(options.period.trim()))
      throw new UsageError(`--period ${options.period}: use <n>m, <n>h, <n>d or <n>w, e.g. 30d.`);
    flags.period = options.period.trim();
  }
  if (options.message !== undefined) {
    if (messageProblem(options.message)) throw new UsageError('--message is empty.');
    flags.message = options.message;
  }
  if (options.upgradeUrl !== undefined) {
    const problem = upgradeUrlProblem(options.upgradeUrl.trim());
    if (problem) throw refuse('--upgrade-url', options.upgradeUrl, problem);
    flags.upgradeUrl = options.upgradeUrl.trim();
  }
  if (options.provider !== undefined) {
    if (options.provider !== 'none' && !(EMAIL_PROVIDERS as readonly string[]).includes(options.provider)) {
      throw new UsageError(
        `--provider ${options.provider}: the email provider is "resend" (or "none" for no upgrade email).`,
      );
    }
    flags.provider = options.provider as 'resend' | 'none';
  }
  if (options.template !== undefined) {
    const problem = templateNameProblem(options.template.trim());
    if (problem) throw refuse('--template', options.template, problem);
    flags.template = options.template.trim();
  }
  if (options.warnAt !== undefined) {
    const share = Number(options.warnAt.trim());
    if (options.warnAt.trim() === '' || warnAtProblem(share))
      throw new UsageError(
        `--warn-at ${options.warnAt}: a share of the limit strictly between 0 and 1.`,
        'Example: --warn-at 0.8 sends one warning email at 80 of 100.',
      );
    if (options.provider === 'none')
      throw new UsageError('--warn-at needs the upgrade email: it is sent like the prompt (drop --provider none).');
    flags.warnAt = share;
  }
  if (options.planSource !== undefined) flags.planSource = parsePlanSourceFlag(options.planSource);
  return flags;
}

const PLAN_SOURCE_EXAMPLES =
  'Examples: --plan-source is_pro, --plan-source subscription_status=active,trialing, --plan-source plan=pro:pro;team:team,enterprise, --plan-source none.';

/** `true`/`false` are booleans, whole numbers numbers, anything else a string (as the user's attribute holds it). */
function planSourceValue(text: string): string | number | boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?[0-9]+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return text;
}

/**
 * `FIELD` (values from the analysis: `true` for a boolean, `active,trialing` for a status), `FIELD=V1,V2`
 * (those values mean paid), `FIELD=PLAN:V1,V2;PLAN2:V3` (named plans, declared in the config's plans) or `none`.
 */
export function parsePlanSourceFlag(text: string): PlanSourceFlag {
  const value = text.trim();
  if (value === 'none') return { none: true };
  const at = value.indexOf('=');
  const field = (at === -1 ? value : value.slice(0, at)).trim();
  if (!PYTHON_IDENTIFIER.test(field))
    throw new UsageError(
      `--plan-source ${text}: "${field}" is not an attribute name of the user.`,
      PLAN_SOURCE_EXAMPLES,
    );
  if (at === -1) return { field };
  const plans: Record<string, Array<string | number | boolean>> = {};
  const rest = value.slice(at + 1);
  for (const group of rest.split(';')) {
    const colon = group.indexOf(':');
    const plan = colon === -1 ? 'paid' : group.slice(0, colon).trim();
    const values = (colon === -1 ? group : group.slice(colon + 1))
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (!PYTHON_IDENTIFIER.test(plan) || values.length === 0 || plans[plan] !== undefined)
      throw new UsageError(
        `--plan-source ${text}: each plan needs a name and at least one value, once.`,
        PLAN_SOURCE_EXAMPLES,
      );
    plans[plan] = values.map(planSourceValue);
  }
  return { field, plans };
}

/** What a found plan field's values usually are: a boolean's `true`, Stripe's paying statuses; a plan's names are the app's own. */
function defaultPlanValues(kind: 'boolean' | 'status' | 'plan'): Array<string | boolean> | undefined {
  if (kind === 'boolean') return [true];
  if (kind === 'status') return ['active', 'trialing'];
  return undefined;
}

/** The `--plan-source` that enables a found field: `is_pro`, or `plan=<values>` for plan names. */
export function planSourceFlagFor(field: { name: string; kind: 'boolean' | 'status' | 'plan' }): string {
  return field.kind === 'plan'
    ? `--plan-source ${field.name}=<paid values, e.g. pro,team>`
    : `--plan-source ${field.name}`;
}

/**
 * The loop's `planSource`: from `--plan-source`, else (in a terminal, when the analysis found the app's own
 * plan columns and the config has no planSource yet) from a question. With `--yes` or without a terminal it
 * is never turned on unasked: a line says what was found and the flag that enables it.
 */
async function resolvePlanSource(
  flag: PlanSourceFlag | undefined,
  options: { yes: boolean; prompter: Prompter; analysis: AnalysisResult; existing?: NormalizedLoop; logger: Logger },
): Promise<LoopPlanSource | null | undefined> {
  const { analysis, logger } = options;
  const model = analysis.userModel;
  const found = model?.planFields ?? [];
  if (flag?.none) return options.existing?.planSource ? null : undefined;
  if (flag) {
    if (flag.plans) {
      // The plans the config declares are kept; a plan it does not declare would fail its validation.
      const declared = Object.keys(options.existing?.plans ?? {});
      for (const plan of Object.keys(flag.plans)) {
        const problem = planSourcePlanProblem(plan, declared);
        if (problem) throw refuse('--plan-source', flag.field, problem);
      }
      return { type: 'user-field', field: flag.field, plans: flag.plans };
    }
    const known = found.find((f) => f.name === flag.field);
    const values = known ? defaultPlanValues(known.kind) : undefined;
    if (!values)
      throw new UsageError(
        known
          ? `--plan-source ${flag.field}: ${model!.class}.${flag.field} holds plan names; say which mean paid.`
          : `--plan-source ${flag.field}: skene did not find ${flag.field} on ${model ? `the user model ${model.class}` : 'a user model'}, so it cannot tell which values mean paid.`,
        `Name them: --plan-source ${flag.field}=${known ? 'pro,team' : 'true'}. ${PLAN_SOURCE_EXAMPLES}`,
      );
    return { type: 'user-field', field: flag.field, plans: { paid: values } };
  }
  if (!model || found.length === 0 || options.existing?.planSource) return undefined;
  const where = `${model.class} (${model.file}:${model.line})`;
  const names = found.map((f) => `${model.class}.${f.name}`).join(', ');
  if (options.yes || !options.prompter.interactive) {
    logger.info(
      `The app keeps its own subscription state on the user: ${names} in ${model.file}:${model.line}. skene decides by Stripe subscriptions alone unless told; ` +
        `to let users the app marks as paid through too, run init with ${planSourceFlagFor(found[0]!)} (or add planSource to skene.config.ts).`,
    );
    return undefined;
  }
  const choices = [
    ...found.map((f) => ({
      name:
        f.kind === 'boolean'
          ? `${f.name} = True means paid`
          : f.kind === 'status'
            ? `${f.name} is active or trialing`
            : `${f.name}: you name the values that mean paid`,
      value: f.name,
    })),
    { name: 'No: Stripe subscriptions only', value: '' },
  ];
  const picked = await options.prompter.select<string>({
    message: `${where} records who is paid. Let users it marks as paid through as well?`,
    choices,
    default: found[0]!.name,
    flag: '--plan-source',
  });
  const field = found.find((f) => f.name === picked);
  if (!field) return undefined;
  const defaults = defaultPlanValues(field.kind);
  if (defaults) return { type: 'user-field', field: field.name, plans: { paid: defaults } };
  const typed = await options.prompter.input({
    message: `Values of ${field.name} that mean paid (comma-separated)`,
    flag: '--plan-source',
    validate: (v) => (v.split(',').some((x) => x.trim() !== '') ? true : 'at least one value, e.g. pro,team'),
  });
  const values = typed
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map(planSourceValue);
  return { type: 'user-field', field: field.name, plans: { paid: values } };
}

/**
 * Answers come from the flag, then (with `--yes`) from the existing step or the page's defaults, and only
 * then from a question; the non-interactive prompter turns a question into exit 2 naming the flag.
 */
export async function resolveAnswers(
  flags: ParsedFlags,
  options: {
    yes: boolean;
    prompter: Prompter;
    liveTerminal: boolean;
    analysis: AnalysisResult;
    existing?: NormalizedLoop;
    logger: Logger;
  },
): Promise<InitAnswers> {
  const { yes, prompter, analysis, existing, logger } = options;
  const routes = httpRoutes(analysis);
  // Routes without a user would count only through identify(request): a glob of routes with one comes first.
  const suggestion = suggestEndpoint(
    routes,
    analysis.auth.primary ? (route) => routeHasUserDependency(route, analysis.auth) : undefined,
  );
  const firstExisting = existing?.steps[0];

  const endpointDefault = firstExisting?.trigger.endpoint ?? suggestion?.endpoint;
  const endpoint =
    flags.endpoint ??
    (yes && endpointDefault !== undefined
      ? endpointDefault
      : await askEndpoint({
          prompter,
          liveTerminal: options.liveTerminal,
          routes,
          default: endpointDefault,
          palette: logger.palette,
        }));
  const globRoutes = routesMatching(endpoint, routes);
  if (globRoutes.length === 0) {
    throw new UsageError(
      `--endpoint ${endpoint} matches no route of this project.`,
      'Run `skene analyze` to list the routes and their full paths.',
    );
  }

  const matchingStep = (methods: MethodSelector | undefined): NormalizedStep | undefined =>
    existing?.steps.find(
      (s) =>
        sameEndpoint(s.trigger.endpoint, endpoint) &&
        (methods === undefined || sameMethods(s.trigger.methods, methods)),
    );
  const presentMethods = [...new Set(globRoutes.map((r) => r.method as HttpMethod))];
  const methodDefault: MethodSelector =
    matchingStep(undefined)?.trigger.methods ??
    (presentMethods.includes(suggestion?.method ?? 'POST') ? [suggestion?.method ?? 'POST'] : [presentMethods[0]!]);
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
  const ask = async (
    flagValue: string | number | undefined,
    fallback: string | undefined,
    question: Parameters<Prompter['input']>[0],
  ): Promise<string> => {
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
    message: "Period (the window starts at a user's first request): e.g. 30d, 1w, 24h",
    flag: '--period',
    validate: byRule(periodProblem),
  });
  const message = await ask(flags.message, step?.action.message ?? INIT_DEFAULTS.message, {
    message: 'Message shown when a free user hits the limit',
    flag: '--message',
    validate: (v) => (messageProblem(v) ? 'a message is needed' : true),
  });
  const upgradeUrlText = await ask(flags.upgradeUrl, step?.action.upgradeUrl ?? '', {
    message: 'Upgrade URL (empty: read SKENE_UPGRADE_URL at run time)',
    flag: '--upgrade-url',
    validate: (v) => (v.trim() === '' ? true : byRule(upgradeUrlProblem)(v)),
  });
  const existingProvider = step ? (step.action.upgradePrompt ? 'resend' : 'none') : undefined;
  let provider = flags.provider ?? (yes ? (existingProvider ?? INIT_DEFAULTS.provider) : undefined);
  provider ??= await prompter.select<'resend' | 'none'>({
    message: 'Upgrade prompt email',
    choices: [
      { name: 'Resend', value: 'resend', description: "one email per user and window, through Resend's API" },
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
      validate: byRule(templateNameProblem),
    });
  }
  const warnAt = emailTemplate === undefined ? undefined : (flags.warnAt ?? step?.action.warnAt);
  const planSource = await resolvePlanSource(flags.planSource, { yes, prompter, analysis, existing, logger });
  return {
    endpoint,
    methods,
    freeLimit: Number(limitText.trim()),
    period: period.trim(),
    message,
    ...(upgradeUrlText.trim() === '' ? {} : { upgradeUrl: upgradeUrlText.trim() }),
    ...(emailTemplate === undefined ? {} : { emailTemplate: emailTemplate.trim() }),
    ...(warnAt === undefined ? {} : { warnAt }),
    ...(planSource === undefined ? {} : { planSource }),
  };
}
