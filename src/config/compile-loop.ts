import { createHash } from 'node:crypto';
import type { CompiledLoop, NormalizedLoop } from './types.js';

/** `past_due` subscriptions stay paid this long after the first event that showed the status. */
export const DEFAULT_PAST_DUE_GRACE_SECONDS = 3 * 86_400;

export interface CompileLoopOptions {
  pastDueGraceSeconds?: number;
}

/**
 * The loop as the generated Python reads it (`loop.json`): snake_case, JSON-only values (`null` for
 * Infinity), stamped with a hash of its content so doctor can tell a stale runtime from a current one.
 * The hash leaves out `skene_version`: upgrading skene alone does not make a runtime stale.
 */
export function compileLoop(
  loop: NormalizedLoop,
  skeneVersion: string,
  options: CompileLoopOptions = {},
): CompiledLoop {
  const body: Omit<CompiledLoop, 'skene_version' | 'hash'> = {
    format: 1,
    type: loop.type,
    steps: loop.steps.map((step) => ({
      id: step.id,
      endpoint: step.trigger.endpoint,
      methods: step.trigger.methods === '*' ? '*' : step.trigger.methods.map((m) => m.toUpperCase()),
      limits: { ...step.condition.limit },
      period: step.condition.period,
      period_seconds: step.condition.periodSeconds,
      ...(step.condition.refund === undefined ? {} : { refund: step.condition.refund }),
      mode: step.mode,
      fail_open: step.failOpen,
      message: step.action.message,
      upgrade_url: step.action.upgradeUrl ?? null,
      upgrade_prompt: step.action.upgradePrompt ? { ...step.action.upgradePrompt } : null,
      ...(step.action.warnAt === undefined ? {} : { warn_at: step.action.warnAt }),
    })),
    plans: Object.fromEntries(Object.entries(loop.plans).map(([name, plan]) => [name, { prices: [...plan.prices] }])),
    // Left out when absent: a loop without it keeps the hash it had before planSource existed.
    ...(loop.planSource === undefined
      ? {}
      : {
          plan_source: {
            field: loop.planSource.field,
            values: Object.entries(loop.planSource.plans).flatMap(([plan, values]) =>
              values.map((value): [string | number | boolean, string] => [value, plan]),
            ),
          },
        }),
    recovery: { retries: loop.recovery.retries },
    past_due_grace_seconds: options.pastDueGraceSeconds ?? DEFAULT_PAST_DUE_GRACE_SECONDS,
  };
  const hash = hashCompiledBody(body);
  const { format, ...rest } = body;
  return { format, skene_version: skeneVersion, hash, ...rest };
}

/** The sha256 (hex) of the canonical JSON of a compiled loop without `skene_version` and `hash`. */
export function hashCompiledLoop(compiled: CompiledLoop): string {
  const { skene_version: _version, hash: _hash, ...body } = compiled;
  return hashCompiledBody(body);
}

/** `loop.json`'s text: 2-space JSON and a final newline; the same loop always gives the same bytes. */
export function serializeCompiledLoop(compiled: CompiledLoop): string {
  return `${JSON.stringify(compiled, null, 2)}\n`;
}

function hashCompiledBody(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** JSON with object keys sorted at every level, so key order in the config never changes the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
