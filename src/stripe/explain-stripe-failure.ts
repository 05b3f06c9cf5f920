import { SkeneError } from '../errors.js';
import { describeStripeHost, readStripeTimeoutMs } from './create-stripe-client.js';

export type StripeFailureReason =
  | 'format'
  | 'invalid'
  | 'permission'
  | 'timeout'
  | 'unreachable'
  | 'server'
  | 'rate-limited'
  | 'other';

/** A Stripe call that failed, said so a person can act on it; `reason` lets callers (doctor) classify it. */
export class StripeRequestError extends SkeneError {
  readonly reason: StripeFailureReason;
  readonly statusCode: number | undefined;

  constructor(
    reason: StripeFailureReason,
    message: string,
    options: { hint?: string; statusCode?: number; cause?: unknown } = {},
  ) {
    super(message, { hint: options.hint, cause: options.cause });
    this.name = 'StripeRequestError';
    this.reason = reason;
    this.statusCode = options.statusCode;
  }
}

interface StripeSdkErrorShape {
  type: string;
  message: string;
  statusCode?: number;
  detail?: { code?: string; message?: string };
}

/** The SDK's errors carry their class name in `type` (StripeAuthenticationError, …), so no SDK import is needed to tell them apart. */
export function isStripeSdkError(error: unknown): error is Error & StripeSdkErrorShape {
  if (!(error instanceof Error)) return false;
  const type: unknown = (error as { type?: unknown }).type;
  return typeof type === 'string' && type.startsWith('Stripe');
}

const STATUS_HINT = 'Stripe status: https://status.stripe.com';

/**
 * Turns an error from the `stripe` SDK into a StripeRequestError with Stripe's own message and a fix.
 * Anything that is not a Stripe SDK error is returned unchanged.
 */
export function explainStripeFailure(
  error: unknown,
  env: NodeJS.ProcessEnv,
  options: { keyHint?: string; timeoutMs?: number } = {},
): unknown {
  if (error instanceof StripeRequestError || !isStripeSdkError(error)) return error;
  const host = describeStripeHost(env);
  const status = error.statusCode;
  switch (error.type) {
    case 'StripeAuthenticationError':
      return new StripeRequestError('invalid', `Stripe rejected the key: ${error.message}`, {
        hint: options.keyHint ?? 'Copy a secret key (sk_…) or restricted key (rk_…) from the Stripe dashboard.',
        statusCode: status,
        cause: error,
      });
    case 'StripePermissionError':
      return new StripeRequestError('permission', `The key is missing a permission: ${error.message}`, {
        hint: 'Give the restricted key read access to Prices, Products, Webhook endpoints, Subscriptions and Customers in the Stripe dashboard, or use a secret key.',
        statusCode: status,
        cause: error,
      });
    case 'StripeRateLimitError':
      return new StripeRequestError('rate-limited', `Stripe is rate-limiting this key: ${error.message}`, {
        hint: 'Wait a few seconds and try again.',
        statusCode: status,
        cause: error,
      });
    case 'StripeConnectionError': {
      const timedOut = error.detail?.code === 'ETIMEDOUT' || /timeout/i.test(error.message);
      if (timedOut) {
        const seconds = Math.round((options.timeoutMs ?? readStripeTimeoutMs(env)) / 100) / 10;
        return new StripeRequestError('timeout', `Stripe did not answer within ${seconds} s (${host}).`, {
          hint: `Check your network connection or proxy and try again. ${STATUS_HINT}`,
          cause: error,
        });
      }
      const code = error.detail?.code ? ` (${error.detail.code})` : '';
      return new StripeRequestError('unreachable', `Could not reach Stripe at ${host}${code}.`, {
        hint: env.SKENE_STRIPE_API_BASE
          ? `SKENE_STRIPE_API_BASE points skene at ${host}; unset it to use api.stripe.com.`
          : `Check your network connection or proxy and try again. ${STATUS_HINT}`,
        cause: error,
      });
    }
    default:
      if (status !== undefined && status >= 500) {
        return new StripeRequestError(
          'server',
          `Stripe answered with a server error (HTTP ${status}): ${error.message}`,
          {
            hint: `This is on Stripe's side; try again in a moment. ${STATUS_HINT}`,
            statusCode: status,
            cause: error,
          },
        );
      }
      return new StripeRequestError(
        'other',
        `Stripe refused the request${status ? ` (HTTP ${status})` : ''}: ${error.message}`,
        {
          statusCode: status,
          cause: error,
        },
      );
  }
}
