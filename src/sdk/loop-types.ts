// The authoring types of skene.config.ts. This folder is self-contained (no imports from the rest of
// skene): the config reader loads these same files as the declarations it type-checks a config against.

/** An HTTP method, in upper or lower case. */
export type LoopHttpMethod =
  | 'GET'
  | 'POST'
  | 'PUT'
  | 'PATCH'
  | 'DELETE'
  | 'OPTIONS'
  | 'HEAD'
  | 'TRACE'
  | 'get'
  | 'post'
  | 'put'
  | 'patch'
  | 'delete'
  | 'options'
  | 'head'
  | 'trace';

/**
 * A window length: a whole number followed by `m` (minutes), `h` (hours), `d` (days) or `w` (weeks),
 * e.g. `'30d'`. A user's window starts at their first counted request and resets one period later.
 */
export type LoopPeriod = `${number}${'m' | 'h' | 'd' | 'w'}`;

/** Which requests a step counts. */
export interface ApiTrigger {
  /** Requests to the app's HTTP routes. */
  type: 'api';
  /**
   * Route path glob, matched against the full paths FastAPI serves: `*` matches exactly one path segment
   * (a `{param}` segment included), `**` zero or more segments; a trailing slash is ignored.
   * @example '/api/features/*'
   */
  endpoint: string;
  /**
   * The method(s) gated: one method, a list, or `'*'` for every HTTP method. Other methods of a matching
   * route pass through untouched.
   * @example 'POST'
   */
  method: LoopHttpMethod | readonly LoopHttpMethod[] | '*';
}

/**
 * Requests allowed per period, by plan name. `free`: users without an active subscription (required).
 * `paid`: any `active` or `trialing` Stripe subscription. Other names (e.g. `pro`) must be listed in the
 * top-level `plans`. A value is a whole number >= 0, or `Infinity` for no limit.
 * @example { free: 100, paid: Infinity }
 */
export interface UsageLimits {
  /** Requests a user without an active subscription may make per period. */
  free: number;
  /**
   * Requests a user with any `active` or `trialing` subscription may make per period (default: unlimited).
   * A `past_due` subscription stays paid for a grace period (3 days); `canceled`, `unpaid`, `paused` and
   * `incomplete` ones count as free.
   */
  paid?: number;
  /** A plan named in the top-level `plans` (e.g. `pro`): requests its subscribers may make per period. */
  [plan: string]: number | undefined;
}

/** When a request is over the limit. */
export interface UsageCondition {
  /** Count the user's requests that the app answers successfully (status < 400). */
  type: 'usage';
  /** Requests allowed per period, by plan. */
  limit: UsageLimits;
  /** The window length, e.g. `'30d'`, `'12h'`, `'1w'`. */
  period: LoopPeriod;
  /**
   * Which error answers give the counted request back: `'errors'` (every status >= 400, the default),
   * `'server-errors'` (>= 500, and errors raised before the handler runs: validation, auth, the app's
   * dependencies; a handler that does the work and then answers 4xx still counts) or `'never'`.
   */
  refund?: RefundPolicy;
}

/** Which error answers give a counted request's quota back (see `UsageCondition.refund`). */
export type RefundPolicy = 'errors' | 'server-errors' | 'never';

/** The one upgrade email sent when a user is first blocked in a window. */
export interface EmailUpgradePrompt {
  /** The prompt is an email to the user's address (from the app's user, found by `skene init`). */
  type: 'email';
  /** The email API used to send it; skene sends through Resend (`RESEND_API_KEY`, `SKENE_EMAIL_FROM`). */
  provider: 'resend';
  /** The template's name: the file `emails/<template>.html` beside the generated runtime. */
  template: string;
}

/** What happens to a request over the limit. */
export interface BlockAction {
  /** Answer HTTP 402 with `{"error": "upgrade_required", "message": ..., "upgrade_url": ...}`. */
  type: 'block';
  /** Shown to the user in the 402 body. */
  message: string;
  /** Where the user upgrades; when absent, the runtime uses the `SKENE_UPGRADE_URL` environment variable. */
  upgradeUrl?: string;
  /** An upgrade email sent once per user, step and window when the user is first blocked. */
  upgradePrompt?: EmailUpgradePrompt;
  /**
   * A share of the free limit, strictly between 0 and 1 (e.g. `0.8`): when a user's usage first reaches it
   * in a window, one "approaching the limit" email is sent (template `emails/<template>_warning.html`, beside
   * the upgrade prompt's) and a `limit_warning` event recorded. Needs `upgradePrompt` for the template name.
   * @example 0.8
   */
  warnAt?: number;
}

/** One gated feature: which requests are counted, the limit, and what happens past it. */
export interface LoopStep {
  /**
   * A stable name used in the generated code and in recorded events. Optional: derived from the endpoint
   * and method when absent (`/api/features/*` POST → `api-features-post`).
   */
  id?: string;
  /** Which requests this step counts. */
  trigger: ApiTrigger;
  /** The usage limit per plan and period. */
  condition: UsageCondition;
  /** What a request over the limit gets. */
  action: BlockAction;
  /**
   * `'enforce'` (default) blocks over the limit; `'shadow'` counts and records `limit_reached` but never
   * blocks, for a safe roll-out.
   */
  mode?: 'enforce' | 'shadow';
  /**
   * When the usage store is unreachable: `true` (default) lets the request pass and logs the outage;
   * `false` answers 503.
   */
  failOpen?: boolean;
}

/** A plan name used in `limit`, mapped to the Stripe prices that put a user on it. */
export interface LoopPlan {
  /** Stripe price IDs (`price_…`) or price lookup keys. */
  prices: readonly string[];
}

/**
 * The app's own record of who is paid: an attribute (or dict key) of the user the auth dependency
 * returns. A listed value gives its plan; a user's plan is the best of this and of their Stripe
 * subscriptions, and a user without the attribute is decided by the subscriptions alone.
 * @example { type: 'user-field', field: 'is_pro', plans: { paid: [true] } }
 * @example { type: 'user-field', field: 'subscription_status', plans: { paid: ['active', 'trialing'] } }
 */
export interface LoopPlanSource {
  /** Read from the user object skene's gate gets. */
  type: 'user-field';
  /** The attribute or dict key, a Python identifier (`is_pro`, `subscription_status`, `plan`). */
  field: string;
  /**
   * Plan name (`paid`, or a name in the top-level `plans`) → the field's values that mean it (at least one
   * each: strings, numbers or booleans, compared exactly).
   * @example { paid: [true] }
   * @example { pro: ['pro'], team: ['team', 'enterprise'] }
   */
  plans: Record<string, readonly (string | number | boolean)[]>;
}

/** How failed side effects (the upgrade email) are retried. The block itself is never retried. */
export interface LoopRecovery {
  /** How many times a failed email is retried (whole number >= 0). */
  retries: number;
}

/** The loop: skene.config.ts's default export. */
export interface LoopConfig {
  /** The loop pattern; skene implements freemium gating. */
  type: 'freemium';
  /** Why this loop exists, in a sentence; kept for people reading the config. */
  opinion?: string;
  /** The gated features, at least one. */
  steps: readonly LoopStep[];
  /** Plans other than `free` and `paid` used in limits, by name. */
  plans?: Record<string, LoopPlan>;
  /** Where the app itself says a user is paid (`user.is_pro`), besides their Stripe subscriptions. */
  planSource?: LoopPlanSource;
  /** Retries for failed side effects (default `{ retries: 0 }`). */
  recovery?: LoopRecovery;
}
