import type { HttpMethod } from '../analyze/types.js';
import type { RefundPolicy } from '../sdk/loop-types.js';

/**
 * Normalized loop: what the static reader returns after validation, and what compile and
 * the wiring use. (The user-facing authoring types live in `src/sdk/`.)
 */
export interface NormalizedStep {
  /** Explicit or derived from the endpoint (`/api/features/*` POST → `api-features-post`). */
  id: string;
  trigger: { type: 'api'; endpoint: string; methods: HttpMethod[] | '*' };
  condition: {
    type: 'usage';
    /** Plan name → limit; `null` is unlimited (Infinity). Always has `free`. */
    limit: Record<string, number | null>;
    period: string;
    periodSeconds: number;
    /** Absent when the config does not say: the runtime then refunds every error (`'errors'`). */
    refund?: RefundPolicy;
  };
  action: {
    type: 'block';
    message: string;
    upgradeUrl?: string;
    upgradePrompt?: { type: 'email'; provider: 'resend'; template: string };
    /** A share in (0, 1) of the limit at which one warning email is sent per window. */
    warnAt?: number;
  };
  mode: 'enforce' | 'shadow';
  failOpen: boolean;
}

/** The app's own record of who is paid, read from the user the gate gets (docs/CUSTOMER-LINKS.md). */
export interface NormalizedPlanSource {
  type: 'user-field';
  /** The attribute (or dict key) of the app's user. */
  field: string;
  /** Plan name (`paid` or one of `plans`) → the field's values that mean it. */
  plans: Record<string, Array<string | number | boolean>>;
}

export interface NormalizedLoop {
  type: 'freemium';
  opinion?: string;
  steps: NormalizedStep[];
  plans: Record<string, { prices: string[] }>;
  planSource?: NormalizedPlanSource;
  recovery: { retries: number };
}

/**
 * The data file the generated Python reads at start-up (`loop.json` beside the runtime).
 * snake_case, JSON-only values. `hash` is sha256 over the canonical JSON of everything else
 * except `skene_version` and `hash`; doctor compares it with the config's to spot a stale runtime.
 */
export interface CompiledLoop {
  format: 1;
  skene_version: string;
  hash: string;
  type: 'freemium';
  steps: Array<{
    id: string;
    endpoint: string;
    methods: string[] | '*';
    limits: Record<string, number | null>;
    period: string;
    period_seconds: number;
    /** Left out when the config does not set it (the runtime's default is `'errors'`), so older hashes hold. */
    refund?: RefundPolicy;
    mode: 'enforce' | 'shadow';
    fail_open: boolean;
    message: string;
    upgrade_url: string | null;
    upgrade_prompt: { type: 'email'; provider: 'resend'; template: string } | null;
    /** Left out when the config does not set it, so older hashes hold. */
    warn_at?: number;
  }>;
  plans: Record<string, { prices: string[] }>;
  /** Left out when the config has no `planSource`, so older hashes hold. `values`: [value, plan] pairs. */
  plan_source?: { field: string; values: Array<[string | number | boolean, string]> };
  recovery: { retries: number };
  past_due_grace_seconds: number;
}

/** A located problem in skene.config.ts. line is 1-based, col is 1-based. */
export interface ConfigDiagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
  hint?: string;
  /** A code frame around the location, ready to print (no colour). */
  frame?: string;
  code:
    | 'syntax'
    | 'type'
    | 'unknown-key'
    | 'invalid-value'
    | 'not-static'
    | 'missing'
    | 'duplicate-id'
    | 'no-default-export';
}
