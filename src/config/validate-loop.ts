import type { Node } from 'ts-morph';
import type { RefundPolicy } from '../sdk/loop-types.js';
import { deriveStepId, uniqueStepId } from './derive-step-id.js';
import { HTTP_METHODS, type MethodSelector, parseMethodSelector, validateEndpointGlob } from './endpoint-glob.js';
import type { StaticEntry, StaticValue } from './evaluate-static.js';
import {
  EMAIL_PROVIDERS,
  limitProblem,
  messageProblem,
  normalizeEndpoint,
  PYTHON_IDENTIFIER,
  periodProblem,
  planSourcePlanProblem,
  type RuleProblem,
  stepIdProblem,
  templateNameProblem,
  upgradeUrlProblem,
  WARN_AT_NEEDS_PROMPT,
  warnAtProblem,
} from './loop-rules.js';
import { parsePeriod } from './period.js';
import { suggestName, typoDistance } from './suggest-name.js';
import type { ConfigDiagnostic, NormalizedLoop, NormalizedPlanSource, NormalizedStep } from './types.js';

/** A problem found in the loop's values, located at a node; the reader turns it into a ConfigDiagnostic. */
export interface LoopIssue {
  node: Node;
  code: ConfigDiagnostic['code'];
  message: string;
  hint?: string;
}

const TOP_KEYS = ['type', 'opinion', 'steps', 'plans', 'planSource', 'recovery'];
const PLAN_SOURCE_KEYS = ['type', 'field', 'plans'];
const STEP_KEYS = ['id', 'trigger', 'condition', 'action', 'mode', 'failOpen'];
const TRIGGER_KEYS = ['type', 'endpoint', 'method'];
const CONDITION_KEYS = ['type', 'limit', 'period', 'refund'];
const REFUND_POLICIES = ['errors', 'server-errors', 'never'];
const ACTION_KEYS = ['type', 'message', 'upgradeUrl', 'upgradePrompt', 'warnAt'];
const PROMPT_KEYS = ['type', 'provider', 'template'];
const PLAN_KEYS = ['prices'];
const RECOVERY_KEYS = ['retries'];
const BUILT_IN_PLANS = ['free', 'paid'];

type ObjectValue = Extract<StaticValue, { kind: 'object' }>;

/** Checks the statically read loop value and builds the normalized loop when nothing is wrong. */
export function validateLoop(value: StaticValue): { loop?: NormalizedLoop; issues: LoopIssue[] } {
  const validator = new LoopValidator();
  const loop = validator.loop(value);
  return validator.issues.length === 0 && loop ? { loop, issues: [] } : { issues: validator.issues };
}

class LoopValidator {
  readonly issues: LoopIssue[] = [];
  /** Per object, the known keys already offered as "did you mean" for a misspelt one. */
  private readonly suggestedKeys = new Map<ObjectValue, Set<string>>();

  loop(value: StaticValue): NormalizedLoop | undefined {
    const top = this.object(value, 'the loop', TOP_KEYS);
    if (!top) return undefined;
    this.literal(top, 'type', 'the loop', ['freemium'], "skene implements the freemium loop: type: 'freemium'.");
    const opinion = this.optionalString(top, 'opinion');
    const plans = this.plans(top);
    const recovery = this.recovery(top);
    const steps = this.steps(top, declaredPlanNames(top));
    const planSource = this.planSource(top, declaredPlanNames(top));
    if (!steps || !plans || !recovery || planSource === null) return undefined;
    return {
      type: 'freemium',
      ...(opinion === undefined ? {} : { opinion }),
      steps,
      plans,
      ...(planSource === undefined ? {} : { planSource }),
      recovery,
    };
  }

  private steps(top: ObjectValue, planNames: string[] | undefined): NormalizedStep[] | undefined {
    const entry = this.required(top, 'steps', 'the loop', 'Add steps: [{ trigger, condition, action }].');
    if (!entry) return undefined;
    const list = entry.value;
    if (list.kind !== 'array') {
      this.wrongType(list, 'steps', 'a list of steps');
      return undefined;
    }
    if (list.items.length === 0) {
      this.report(
        list.node,
        'invalid-value',
        'steps is empty: a loop gates at least one endpoint',
        'Add a step: { trigger, condition, action }.',
      );
      return undefined;
    }
    const parsed = list.items.map((item, index) => this.step(item, `steps[${index}]`, planNames));
    if (parsed.some((s) => s === undefined)) return undefined;
    const steps = parsed as Array<Omit<NormalizedStep, 'id'> & { id?: string; idNode?: Node }>;

    const explicit = new Map<string, Node>();
    for (const step of steps) {
      if (step.id === undefined || !step.idNode) continue;
      const first = explicit.get(step.id);
      if (first) {
        this.report(
          step.idNode,
          'duplicate-id',
          `Duplicate step id "${step.id}"`,
          `Step ids are unique; "${step.id}" is first used on line ${first.getStartLineNumber()}.`,
        );
      } else {
        explicit.set(step.id, step.idNode);
      }
    }
    const taken = new Set(explicit.keys());
    return steps.map(({ idNode: _idNode, ...step }) => {
      const id = step.id ?? uniqueStepId(deriveStepId(step.trigger.endpoint, step.trigger.methods), taken);
      taken.add(id);
      return { id, ...step };
    });
  }

  private step(
    value: StaticValue,
    path: string,
    planNames: string[] | undefined,
  ): (Omit<NormalizedStep, 'id'> & { id?: string; idNode?: Node }) | undefined {
    const step = this.object(value, path, STEP_KEYS);
    if (!step) return undefined;
    let id: string | undefined;
    const idEntry = step.entries.get('id');
    if (idEntry && idEntry.value.kind !== 'undefined') {
      id = this.string(idEntry.value, 'id');
      if (id !== undefined && this.broken(idEntry.value.node, stepIdProblem(id))) id = undefined;
    }
    const trigger = this.trigger(step, path);
    const condition = this.condition(step, path, planNames);
    const action = this.action(step, path);
    const modeEntry = step.entries.get('mode');
    let mode: NormalizedStep['mode'] | undefined = 'enforce';
    if (modeEntry && modeEntry.value.kind !== 'undefined') {
      mode = this.oneOf(
        modeEntry.value,
        'mode',
        ['enforce', 'shadow'],
        "mode is 'enforce' (block over the limit) or 'shadow' (count and record, never block).",
      ) as NormalizedStep['mode'] | undefined;
    }
    const failOpenEntry = step.entries.get('failOpen');
    let failOpen: boolean | undefined = true;
    if (failOpenEntry && failOpenEntry.value.kind !== 'undefined') {
      failOpen = this.boolean(failOpenEntry.value, 'failOpen');
    }
    if (!trigger || !condition || !action || mode === undefined || failOpen === undefined) return undefined;
    return {
      ...(id === undefined ? {} : { id, idNode: idEntry!.value.node }),
      trigger,
      condition,
      action,
      mode,
      failOpen,
    };
  }

  private trigger(step: ObjectValue, path: string): NormalizedStep['trigger'] | undefined {
    const entry = this.required(
      step,
      'trigger',
      path,
      "Add trigger: { type: 'api', endpoint: '/api/...', method: 'POST' }.",
    );
    if (!entry) return undefined;
    const trigger = this.object(entry.value, 'trigger', TRIGGER_KEYS);
    if (!trigger) return undefined;
    const type = this.literal(
      trigger,
      'type',
      'trigger',
      ['api'],
      "The trigger type is 'api': requests to the app's routes.",
    );
    let endpoint: string | undefined;
    const endpointEntry = this.required(trigger, 'endpoint', 'trigger', "Add endpoint: '/api/features/*'.");
    if (endpointEntry) {
      endpoint = this.string(endpointEntry.value, 'endpoint');
      const problem = endpoint === undefined ? undefined : validateEndpointGlob(endpoint);
      if (problem) {
        this.report(
          endpointEntry.value.node,
          'invalid-value',
          `Invalid endpoint glob "${endpoint}": ${problem}`,
          "Use a path with whole-segment wildcards: '/api/features/*' (one segment) or '/api/**' (any depth).",
        );
        endpoint = undefined;
      }
    }
    const methods = this.methods(trigger);
    if (!type || endpoint === undefined || !methods) return undefined;
    return { type: 'api', endpoint: normalizeEndpoint(endpoint), methods: methods === '*' ? '*' : [...methods] };
  }

  private methods(trigger: ObjectValue): MethodSelector | undefined {
    const entry = this.required(trigger, 'method', 'trigger', "Add method: 'POST' (one method, a list, or '*').");
    if (!entry) return undefined;
    const value = entry.value;
    const hint = `A method is one of ${HTTP_METHODS.join(', ')}; write one, a list (['POST', 'PUT']), or '*' for all.`;
    const names: Array<{ name: string; node: Node }> = [];
    if (value.kind === 'string') {
      if (value.value === '*') return '*';
      names.push({ name: value.value, node: value.node });
    } else if (value.kind === 'array') {
      if (value.items.length === 0) {
        this.report(value.node, 'invalid-value', 'method is an empty list', hint);
        return undefined;
      }
      for (const item of value.items) {
        if (item.kind === 'string' && item.value === '*') {
          this.report(item.node, 'invalid-value', "'*' stands alone: method: '*' gates every method", hint);
          return undefined;
        }
        const name = this.string(item, 'method');
        if (name === undefined) return undefined;
        names.push({ name, node: item.node });
      }
    } else {
      this.wrongType(value, 'method', "a method, a list of methods, or '*'");
      return undefined;
    }
    let ok = true;
    for (const { name, node } of names) {
      if (parseMethodSelector(name) === undefined) {
        const suggestion = suggestName(name.toUpperCase(), HTTP_METHODS);
        this.report(
          node,
          'invalid-value',
          `Unknown HTTP method "${name}"`,
          suggestion ? `Did you mean "${suggestion}"? ${hint}` : hint,
        );
        ok = false;
      }
    }
    return ok ? parseMethodSelector(names.map((n) => n.name)) : undefined;
  }

  private condition(
    step: ObjectValue,
    path: string,
    planNames: string[] | undefined,
  ): NormalizedStep['condition'] | undefined {
    const entry = this.required(
      step,
      'condition',
      path,
      "Add condition: { type: 'usage', limit: { free: 100 }, period: '30d' }.",
    );
    if (!entry) return undefined;
    const condition = this.object(entry.value, 'condition', CONDITION_KEYS);
    if (!condition) return undefined;
    const type = this.literal(
      condition,
      'type',
      'condition',
      ['usage'],
      "The condition type is 'usage': a count of requests per period.",
    );
    const limit = this.limits(condition, planNames);
    let period: string | undefined;
    let periodSeconds: number | undefined;
    const periodEntry = this.required(
      condition,
      'period',
      'condition',
      "Add period: '30d' (<n>m, <n>h, <n>d or <n>w).",
    );
    if (periodEntry) {
      period = this.string(periodEntry.value, 'period');
      if (period !== undefined && !this.broken(periodEntry.value.node, periodProblem(period)))
        periodSeconds = parsePeriod(period);
    }
    const refundEntry = condition.entries.get('refund');
    let refund: RefundPolicy | undefined;
    let refundOk = true;
    if (refundEntry && refundEntry.value.kind !== 'undefined') {
      refund = this.oneOf(
        refundEntry.value,
        'refund',
        REFUND_POLICIES,
        "refund is 'errors' (every status >= 400 gives the unit back), 'server-errors' (>= 500 and errors raised before the handler runs) or 'never'.",
      ) as RefundPolicy | undefined;
      refundOk = refund !== undefined;
    }
    if (!type || !limit || period === undefined || periodSeconds === undefined || !refundOk) return undefined;
    return { type: 'usage', limit, period, periodSeconds, ...(refund === undefined ? {} : { refund }) };
  }

  private limits(condition: ObjectValue, planNames: string[] | undefined): Record<string, number | null> | undefined {
    const entry = this.required(condition, 'limit', 'condition', 'Add limit: { free: 100, paid: Infinity }.');
    if (!entry) return undefined;
    const limit = this.object(entry.value, 'limit', undefined);
    if (!limit) return undefined;
    const known = [...BUILT_IN_PLANS, ...(planNames ?? [])];
    const result: Record<string, number | null> = {};
    let ok = true;
    for (const [name, { key, value }] of limit.entries) {
      if (value.kind === 'undefined') continue;
      if (!known.includes(name)) {
        if (planNames !== undefined) {
          const suggestion = suggestName(name, known);
          this.report(
            key,
            'unknown-key',
            `Unknown plan "${name}" in limit`,
            suggestion
              ? `Did you mean "${suggestion}"?`
              : `Limits are per plan: free, paid, or a plan listed in plans: { ${name}: { prices: ['price_...'] } }.`,
          );
        }
        ok = false;
        continue;
      }
      const n = this.number(value, `limit.${name}`);
      if (n === undefined) {
        ok = false;
      } else if (this.broken(value.node, limitProblem(name, n))) {
        ok = false;
      } else if (n === Infinity) {
        result[name] = null;
      } else {
        result[name] = n;
      }
    }
    if (!limit.entries.has('free') || limit.entries.get('free')!.value.kind === 'undefined') {
      const near = [...limit.entries.keys()].find(
        (k) => !known.includes(k) && typoDistance(k.toLowerCase(), 'free') <= 2,
      );
      this.report(
        limit.node,
        'missing',
        'limit has no free limit',
        near
          ? `Did you mean "free" instead of "${near}"?`
          : 'Add free: <n>, the requests a user without a subscription may make per period.',
      );
      ok = false;
    }
    return ok ? result : undefined;
  }

  private action(step: ObjectValue, path: string): NormalizedStep['action'] | undefined {
    const entry = this.required(
      step,
      'action',
      path,
      "Add action: { type: 'block', message: \"You've reached your free tier limit.\" }.",
    );
    if (!entry) return undefined;
    const action = this.object(entry.value, 'action', ACTION_KEYS);
    if (!action) return undefined;
    const type = this.literal(
      action,
      'type',
      'action',
      ['block'],
      "The action type is 'block': over the limit the request gets HTTP 402.",
    );
    let message: string | undefined;
    const messageEntry = this.required(
      action,
      'message',
      'action',
      'Add message: the text the user sees when blocked.',
    );
    if (messageEntry) {
      message = this.string(messageEntry.value, 'message');
      if (message !== undefined && this.broken(messageEntry.value.node, messageProblem(message))) message = undefined;
    }
    let ok = true;
    const upgradeUrl = this.optionalString(action, 'upgradeUrl');
    if (
      upgradeUrl !== undefined &&
      this.broken(action.entries.get('upgradeUrl')!.value.node, upgradeUrlProblem(upgradeUrl))
    )
      ok = false;
    let upgradePrompt: NormalizedStep['action']['upgradePrompt'];
    const promptEntry = action.entries.get('upgradePrompt');
    if (promptEntry && promptEntry.value.kind !== 'undefined') {
      upgradePrompt = this.upgradePrompt(promptEntry.value);
      if (!upgradePrompt) ok = false;
    }
    const warnAt = this.warnAt(action, promptEntry !== undefined && promptEntry.value.kind !== 'undefined');
    if (warnAt === null) ok = false;
    if (!type || message === undefined || !ok) return undefined;
    return {
      type: 'block',
      message,
      ...(upgradeUrl === undefined ? {} : { upgradeUrl }),
      ...(upgradePrompt === undefined ? {} : { upgradePrompt }),
      ...(warnAt == null ? {} : { warnAt }),
    };
  }

  /** `action.warnAt`: a share strictly between 0 and 1; null when it is set but wrong. */
  private warnAt(action: ObjectValue, hasPrompt: boolean): number | undefined | null {
    const entry = action.entries.get('warnAt');
    if (!entry || entry.value.kind === 'undefined') return undefined;
    const share = this.number(entry.value, 'warnAt');
    if (share === undefined) return null;
    if (this.broken(entry.value.node, warnAtProblem(share) ?? (hasPrompt ? undefined : WARN_AT_NEEDS_PROMPT)))
      return null;
    return share;
  }

  private upgradePrompt(value: StaticValue): NormalizedStep['action']['upgradePrompt'] {
    const prompt = this.object(value, 'upgradePrompt', PROMPT_KEYS);
    if (!prompt) return undefined;
    const type = this.literal(
      prompt,
      'type',
      'upgradePrompt',
      ['email'],
      "The upgrade prompt is an email: type: 'email'.",
    );
    const provider = this.literal(
      prompt,
      'provider',
      'upgradePrompt',
      [...EMAIL_PROVIDERS],
      "skene sends the upgrade email through Resend's HTTP API: provider: 'resend' (RESEND_API_KEY, SKENE_EMAIL_FROM).",
      (got) => `Unsupported email provider "${got}"`,
    );
    let template: string | undefined;
    const templateEntry = this.required(
      prompt,
      'template',
      'upgradePrompt',
      "Add template: 'upgrade_prompt' (the file emails/upgrade_prompt.html).",
    );
    if (templateEntry) {
      template = this.string(templateEntry.value, 'template');
      if (template !== undefined && this.broken(templateEntry.value.node, templateNameProblem(template)))
        template = undefined;
    }
    if (!type || !provider || template === undefined) return undefined;
    return { type: 'email', provider: 'resend', template };
  }

  private plans(top: ObjectValue): NormalizedLoop['plans'] | undefined {
    const entry = top.entries.get('plans');
    if (!entry || entry.value.kind === 'undefined') return {};
    const plans = this.object(entry.value, 'plans', undefined);
    if (!plans) return undefined;
    const result: NormalizedLoop['plans'] = {};
    let ok = true;
    for (const [name, { key, value }] of plans.entries) {
      if (BUILT_IN_PLANS.includes(name)) {
        this.report(
          key,
          'invalid-value',
          `"${name}" is a built-in plan and cannot be redefined in plans`,
          "free means no active subscription and paid any active or trialing one; give a price-specific plan its own name (e.g. 'pro').",
        );
        ok = false;
        continue;
      }
      const plan = this.object(value, `plan "${name}"`, PLAN_KEYS);
      const pricesEntry =
        plan &&
        this.required(plan, 'prices', `plan "${name}"`, "Add prices: ['price_...'] (Stripe price IDs or lookup keys).");
      if (!pricesEntry) {
        ok = false;
        continue;
      }
      const prices = pricesEntry.value;
      if (prices.kind !== 'array' || prices.items.length === 0) {
        this.report(
          prices.node,
          'invalid-value',
          `plan "${name}" needs a non-empty list of prices`,
          "Write prices: ['price_...'] (Stripe price IDs or lookup keys).",
        );
        ok = false;
        continue;
      }
      const list: string[] = [];
      for (const item of prices.items) {
        const price = this.string(item, 'price');
        if (price === undefined || price.trim() === '') {
          if (price !== undefined)
            this.report(
              item.node,
              'invalid-value',
              'A price is empty',
              'Write a Stripe price ID (price_...) or lookup key.',
            );
          ok = false;
        } else {
          list.push(price);
        }
      }
      result[name] = { prices: list };
    }
    return ok ? result : undefined;
  }

  /** `planSource`: undefined when absent, null when invalid (reported). */
  private planSource(top: ObjectValue, planNames: string[] | undefined): NormalizedPlanSource | undefined | null {
    const entry = top.entries.get('planSource');
    if (!entry || entry.value.kind === 'undefined') return undefined;
    const source = this.object(entry.value, 'planSource', PLAN_SOURCE_KEYS);
    if (!source) return null;
    const example = "planSource: { type: 'user-field', field: 'is_pro', plans: { paid: [true] } }";
    const type = this.literal(source, 'type', 'planSource', ['user-field'], `Write ${example}.`);
    const fieldEntry = this.required(source, 'field', 'planSource', `Name the user's attribute: ${example}.`);
    const field = fieldEntry && this.string(fieldEntry.value, 'planSource.field');
    let ok = type !== undefined && field !== undefined;
    if (fieldEntry && field !== undefined && !PYTHON_IDENTIFIER.test(field)) {
      this.report(
        fieldEntry.value.node,
        'invalid-value',
        `planSource.field "${field}" is not a Python attribute name`,
        "Name one attribute (or dict key) of the user the auth dependency returns, e.g. 'is_pro' or 'subscription_status'.",
      );
      ok = false;
    }
    const plansEntry = this.required(
      source,
      'plans',
      'planSource',
      "Map plan names to the field's values: plans: { paid: [true] }.",
    );
    const plans = plansEntry && this.object(plansEntry.value, 'planSource.plans', undefined);
    if (!plans) return null;
    const known = ['paid', ...(planNames ?? [])];
    const result: Record<string, Array<string | number | boolean>> = {};
    const planOfValue = new Map<string, string>();
    for (const [name, { key, value }] of plans.entries) {
      const unknown = planNames === undefined ? undefined : planSourcePlanProblem(name, planNames);
      if (unknown) {
        const suggestion = name === 'free' ? undefined : suggestName(name, known);
        this.report(key, 'invalid-value', unknown.message, suggestion ? `Did you mean "${suggestion}"?` : unknown.hint);
        ok = false;
        continue;
      }
      if (value.kind !== 'array' || value.items.length === 0) {
        this.report(
          value.node,
          'invalid-value',
          `planSource.plans.${name} needs a non-empty list of the field's values`,
          `Write ${name}: [true] or ${name}: ['active', 'trialing'].`,
        );
        ok = false;
        continue;
      }
      const values: Array<string | number | boolean> = [];
      for (const item of value.items) {
        if (item.kind !== 'string' && item.kind !== 'number' && item.kind !== 'boolean') {
          this.wrongType(item, `a value of planSource.plans.${name}`, 'a string, number or boolean');
          ok = false;
          continue;
        }
        const seenKey = `${typeof item.value}:${String(item.value)}`;
        const other = planOfValue.get(seenKey);
        if (other !== undefined && other !== name) {
          this.report(
            item.node,
            'invalid-value',
            `${JSON.stringify(item.value)} is listed for both ${other} and ${name} in planSource.plans`,
            'A value of the field means one plan: keep it under one of them.',
          );
          ok = false;
          continue;
        }
        planOfValue.set(seenKey, name);
        if (!values.includes(item.value)) values.push(item.value);
      }
      result[name] = values;
    }
    if (plans.entries.size === 0) {
      this.report(
        plans.node,
        'invalid-value',
        'planSource.plans is empty',
        "Map at least one plan to the field's values: plans: { paid: [true] }.",
      );
      ok = false;
    }
    return ok ? { type: 'user-field', field: field!, plans: result } : null;
  }

  private recovery(top: ObjectValue): NormalizedLoop['recovery'] | undefined {
    const entry = top.entries.get('recovery');
    if (!entry || entry.value.kind === 'undefined') return { retries: 0 };
    const recovery = this.object(entry.value, 'recovery', RECOVERY_KEYS);
    if (!recovery) return undefined;
    const retriesEntry = this.required(
      recovery,
      'retries',
      'recovery',
      'Add retries: 0 (how many times a failed email is retried).',
    );
    if (!retriesEntry) return undefined;
    const retries = this.number(retriesEntry.value, 'retries');
    if (retries === undefined) return undefined;
    if (!Number.isInteger(retries) || retries < 0) {
      this.report(
        retriesEntry.value.node,
        'invalid-value',
        `Invalid retries: ${retries}`,
        'retries is a whole number >= 0 (0: never retry a failed email).',
      );
      return undefined;
    }
    return { retries };
  }

  // --- building blocks -------------------------------------------------------------------------

  /** An object value; reports unknown keys against `known` (when given). */
  private object(value: StaticValue, what: string, known: string[] | undefined): ObjectValue | undefined {
    if (value.kind !== 'object') {
      this.wrongType(value, what, 'an object');
      return undefined;
    }
    if (known) {
      for (const [name, entry] of value.entries) {
        if (!known.includes(name)) {
          const suggestion = suggestName(name, known);
          if (suggestion) this.suggestedKeys.set(value, (this.suggestedKeys.get(value) ?? new Set()).add(suggestion));
          this.report(
            entry.key,
            'unknown-key',
            `Unknown key "${name}" in ${what}`,
            suggestion ? `Did you mean "${suggestion}"?` : `Known keys: ${known.join(', ')}.`,
          );
        }
      }
    }
    return value;
  }

  private required(object: ObjectValue, key: string, where: string, hint: string): StaticEntry | undefined {
    const entry = object.entries.get(key);
    if (!entry || entry.value.kind === 'undefined') {
      // A misspelt key is already reported as unknown with a "did you mean"; one report is enough.
      if (!this.suggestedKeys.get(object)?.has(key))
        this.report(object.node, 'missing', `${where} is missing "${key}"`, hint);
      return undefined;
    }
    return entry;
  }

  private literal(
    object: ObjectValue,
    key: string,
    where: string,
    allowed: string[],
    hint: string,
    message: (got: string) => string = (got) =>
      `${key} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, not '${got}'`,
  ): string | undefined {
    const entry = this.required(object, key, where, hint);
    if (!entry) return undefined;
    const value = this.string(entry.value, key);
    if (value === undefined) return undefined;
    if (!allowed.includes(value)) {
      const suggestion = suggestName(value, allowed);
      this.report(
        entry.value.node,
        'invalid-value',
        message(value),
        suggestion && suggestion !== allowed[0] ? `Did you mean '${suggestion}'? ${hint}` : hint,
      );
      return undefined;
    }
    return value;
  }

  private oneOf(value: StaticValue, key: string, allowed: string[], hint: string): string | undefined {
    const text = this.string(value, key);
    if (text === undefined) return undefined;
    if (!allowed.includes(text)) {
      this.report(
        value.node,
        'invalid-value',
        `${key} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, not '${text}'`,
        hint,
      );
      return undefined;
    }
    return text;
  }

  private optionalString(object: ObjectValue, key: string): string | undefined {
    const entry = object.entries.get(key);
    if (!entry || entry.value.kind === 'undefined') return undefined;
    return this.string(entry.value, key);
  }

  private string(value: StaticValue, what: string): string | undefined {
    if (value.kind === 'string') return value.value;
    this.wrongType(value, what, 'a string');
    return undefined;
  }

  private number(value: StaticValue, what: string): number | undefined {
    if (value.kind === 'number') return value.value;
    this.wrongType(value, what, 'a number');
    return undefined;
  }

  private boolean(value: StaticValue, what: string): boolean | undefined {
    if (value.kind === 'boolean') return value.value;
    this.wrongType(value, what, 'true or false');
    return undefined;
  }

  private wrongType(value: StaticValue, what: string, expected: string): void {
    if (value.kind === 'dynamic') {
      this.report(value.node, 'not-static', `${what}: ${value.reason}`, value.hint);
    } else {
      this.report(value.node, 'type', `${what} must be ${expected}, not ${describe(value)}`);
    }
  }

  /** Reports a broken rule as an invalid value; true when there was one. */
  private broken(node: Node, problem: RuleProblem | undefined): boolean {
    if (problem) this.report(node, 'invalid-value', problem.message, problem.hint);
    return problem !== undefined;
  }

  private report(node: Node, code: LoopIssue['code'], message: string, hint?: string): void {
    this.issues.push({ node, code, message, ...(hint === undefined ? {} : { hint }) });
  }
}

/** The plan names the loop declares in `plans` (even when a plan itself is invalid); undefined when `plans` is unreadable. */
function declaredPlanNames(top: ObjectValue): string[] | undefined {
  const plans = top.entries.get('plans')?.value;
  if (plans === undefined || plans.kind === 'undefined') return [];
  return plans.kind === 'object'
    ? [...plans.entries.keys()].filter((name) => !BUILT_IN_PLANS.includes(name))
    : undefined;
}

function describe(value: StaticValue): string {
  switch (value.kind) {
    case 'string':
      return `the string "${value.value}"`;
    case 'number':
      return `the number ${value.value}`;
    case 'boolean':
      return String(value.value);
    case 'null':
      return 'null';
    case 'undefined':
      return 'undefined';
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'dynamic':
      return 'a value known only at run time';
  }
}
