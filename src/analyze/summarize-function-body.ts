/**
 * Facts about a function body read from its text, without converting its statements: what a dependency
 * returns or yields, the keys and attributes it reads, whether it puts the user on the request or rejects
 * free users, and its `create_engine(...)` call (for the database reader).
 */
import type { FunctionIR } from './python-ir.js';

/** Enough of `create_engine(settings.DATABASE_URL, pool_pre_ping=True)` to read its URL argument. */
const MAX_ENGINE_CALL_TEXT = 400;

/**
 * Dependencies (auth, sessions) are recognised later, by the interpreter; what they return is read from the
 * text here, for the functions that may be one: by their parameters, their name, or a body that puts the
 * user on the request.
 */
export function needsBodyFacts(paramsText: string, name: string, bodyText: string): boolean {
  return (
    /\b(?:Depends|Security)\b|current_user|_user\b|get_db|session/i.test(paramsText) ||
    /current_user|get_user|authenticate|get_db|get_session|engine/i.test(name) ||
    (/\bRequest\b/.test(paramsText) && /\.state\.(?:user|current_user)\s*=/.test(bodyText))
  );
}

export function summarizeBody(text: string): NonNullable<FunctionIR['bodyFacts']> {
  const engineAt = text.search(/\bcreate(?:_async)?_engine\(/);
  const returnNames = [...text.matchAll(/\breturn\s+([A-Za-z_]\w*)\s*$/gm)].map((m) => m[1]!);
  const subscriptKeys = [...text.matchAll(/\[\s*["'](\w+)["']\s*\]|\.get\(\s*["'](\w+)["']/g)].map(
    (m) => (m[1] ?? m[2])!,
  );
  const attributeNames = [...text.matchAll(/\b(?:user|current_user|db_user)\.(\w+)/g)].map((m) => m[1]!);
  const setsStateUser = /\.state\.(?:user|current_user)\s*=(?!=)/.test(text);
  const rejectsFree =
    /\bHTTP_402_PAYMENT_REQUIRED\b|status_code\s*=\s*402\b|HTTPException\(\s*402\b/.test(text) ||
    (/\bHTTP_403_FORBIDDEN\b|status_code\s*=\s*403\b|HTTPException\(\s*403\b/.test(text) &&
      /\.(?:is_pro|is_premium|is_paid|is_subscribed|has_active_subscription|subscription_status|plan|tier)\b/.test(
        text,
      ));
  return {
    ...(setsStateUser ? { setsStateUser } : {}),
    ...(rejectsFree ? { rejectsFree } : {}),
    returnsDict: /\breturn\s*(?:\{|dict\()/.test(text),
    subscriptKeys: [...new Set(subscriptKeys)],
    attributeNames: [...new Set(attributeNames)],
    returnNames: [...new Set(returnNames)],
    yields: /\byield\b/.test(text),
    givesValue: /\byield\b|\breturn\b/.test(text),
    ...(engineAt === -1 ? {} : { engineCall: text.slice(engineAt, engineAt + MAX_ENGINE_CALL_TEXT) }),
  };
}
