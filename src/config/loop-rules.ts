import type { MethodSelector } from './endpoint-glob.js';
import { parsePeriod } from './period.js';

/**
 * The loop's value rules, in one place: the config validator reports them at the value's node, init's
 * flags and questions refuse a value with the same words, so a flag never accepts what the validator
 * then rejects (or the reverse).
 */
export interface RuleProblem {
  message: string;
  hint: string;
}

/** A Python attribute name (planSource.field, a plan name of --plan-source). */
export const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** A rule: what passes, and otherwise what is said about the value and what to write instead. */
function rule<T>(
  passes: (value: T) => boolean,
  message: (value: T) => string,
  hint: string,
): (value: T) => RuleProblem | undefined {
  return (value) => (passes(value) ? undefined : { message: message(value), hint });
}

/** The providers an upgrade prompt email may go through. */
export const EMAIL_PROVIDERS = ['resend'] as const;

export const stepIdProblem = rule(
  (id: string) => STEP_ID.test(id),
  (id) => `Invalid step id "${id}"`,
  'A step id uses letters, digits, "-" and "_", and starts with a letter or digit (e.g. "reports-api").',
);

export const periodProblem = rule(
  (period: string) => parsePeriod(period) !== undefined,
  (period) => `Invalid period "${period}"`,
  "Write a whole number and a unit: <n>m (minutes), <n>h (hours), <n>d (days) or <n>w (weeks), e.g. '30d'.",
);

/** A plan's limit: a whole number >= 0, or Infinity for no limit. */
export function limitProblem(plan: string, limit: number): RuleProblem | undefined {
  return limit === Infinity || (Number.isInteger(limit) && limit >= 0)
    ? undefined
    : {
        message: `Invalid limit for ${plan}: ${limit}`,
        hint: 'A limit is a whole number >= 0, or Infinity for no limit.',
      };
}

export function messageProblem(message: string): RuleProblem | undefined {
  return message.trim() === ''
    ? { message: 'message is empty', hint: 'Write the text the user sees when blocked.' }
    : undefined;
}

/** An absolute http(s) URL, or a path on the app (`/pricing`). */
export const upgradeUrlProblem = rule(
  (url: string) => isUpgradeUrl(url),
  (url) => `Invalid upgradeUrl "${url}"`,
  "Use an absolute http(s) URL ('https://example.com/pricing') or a path on the app ('/pricing').",
);

function isUpgradeUrl(url: string): boolean {
  if (url.startsWith('/') && !url.startsWith('//')) return !/\s/.test(url);
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The email template: a file name without extension, `emails/<template>.html`. */
export const templateNameProblem = rule(
  (template: string) => TEMPLATE_NAME.test(template),
  (template) => `Invalid template name "${template}"`,
  "The template is a file name without extension, of letters, digits, '-' and '_', starting with a letter or digit (e.g. 'upgrade_prompt' for emails/upgrade_prompt.html).",
);

/** `action.warnAt`: a share of the limit strictly between 0 and 1. */
export const warnAtProblem = rule(
  (share: number) => share > 0 && share < 1,
  (share) => `Invalid warnAt ${share}`,
  'warnAt is a share of the limit strictly between 0 and 1, e.g. 0.8 warns at 80 of 100.',
);

/** The warning email is sent like the prompt: warnAt without an upgrade prompt is refused. */
export const WARN_AT_NEEDS_PROMPT: RuleProblem = {
  message: 'warnAt needs an upgradePrompt',
  hint: "The warning email is sent like the prompt, from emails/<template>_warning.html: add upgradePrompt: { type: 'email', provider: 'resend', template: 'upgrade_prompt' }.",
};

/** A plan `planSource.plans` names: paid, or a plan the loop declares in `plans` (never free). */
export function planSourcePlanProblem(plan: string, declared: readonly string[]): RuleProblem | undefined {
  if (plan === 'paid' || (plan !== 'free' && declared.includes(plan))) return undefined;
  return {
    message:
      plan === 'free'
        ? 'planSource.plans cannot name "free": a user no listed value matches is decided by their subscriptions'
        : `planSource.plans names "${plan}", which is neither paid nor a plan in plans`,
    hint: `Use paid${declared.length > 0 ? ` or one of ${declared.join(', ')}` : ''}, or declare the plan in plans.`,
  };
}

/** An endpoint glob as the config reader keeps it: a trailing slash is ignored. */
export function normalizeEndpoint(glob: string): string {
  return glob.length > 1 ? glob.replace(/\/+$/, '') || '/' : glob;
}

/** Two triggers' endpoints are the same step's when they normalize alike. */
export function sameEndpoint(a: string, b: string): boolean {
  return normalizeEndpoint(a) === normalizeEndpoint(b);
}

/** Two method selectors are the same when both are `*` or name the same methods in any order. */
export function sameMethods(a: MethodSelector, b: MethodSelector): boolean {
  return a === '*' || b === '*' ? a === b : a.every((m) => b.includes(m)) && b.every((m) => a.includes(m));
}
