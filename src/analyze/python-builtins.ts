import { exprText } from './extract-module-ir.js';
import { type CallExpr, type Evaluator, type Scope, unknown, type Value } from './interpreter-values.js';
import { callStrMethod } from './python-str-methods.js';

/** Python's builtins on the values the interpreter knows: iteration, `str` and `dict` methods, `os.getenv`. */

/** What `for x in value` sees: a sequence's items, a dict's keys; undefined when unknown. */
export function iterate(value: Value): Value[] | undefined {
  if (value.type === 'sequence') return value.items;
  if (value.type === 'dict') return value.entries.map(([k]) => k);
  return undefined;
}

/** `receiver.name(...)` on a `str` or a `dict`; undefined for any other receiver. */
export function callBuiltinMethod(
  receiver: Value,
  name: string,
  call: CallExpr,
  scope: Scope,
  evaluator: Evaluator,
): Value | undefined {
  if (receiver.type === 'str')
    return callStrMethod(receiver.value, name, call, (expr) => evaluator.evaluate(expr, scope), iterate);
  if (receiver.type !== 'dict') return undefined;
  if (name === 'items')
    return { type: 'sequence', items: receiver.entries.map(([k, v]) => ({ type: 'sequence', items: [k, v] })) };
  if (name === 'keys') return { type: 'sequence', items: receiver.entries.map(([k]) => k) };
  if (name === 'values') return { type: 'sequence', items: receiver.entries.map(([, v]) => v) };
  if (name === 'get' && call.args[0]) {
    const key = evaluator.evaluate(call.args[0], scope);
    const hit =
      key.type === 'str'
        ? receiver.entries.find(([k]) => k.type === 'str' && k.value.text === key.value.text)
        : undefined;
    return hit ? hit[1] : unknown(call.text);
  }
  return unknown(call.text);
}

/** `d["key"]` on a dict whose key is a fully known string; undefined when it cannot be known. */
export function subscriptDict(receiver: Value, key: Value | undefined): Value | undefined {
  if (receiver.type !== 'dict' || key?.type !== 'str') return undefined;
  const hit = receiver.entries.find(
    ([k]) => k.type === 'str' && k.value.text === key.value.text && k.value.unresolved.length === 0,
  );
  return hit?.[1];
}

/**
 * `os.getenv("API_PREFIX", "/api")`: the default is what FastAPI serves when the variable is not set;
 * the route keeps it, and a note says the environment can change it.
 */
export function readEnvironmentDefault(call: CallExpr, scope: Scope, evaluator: Evaluator): Value {
  const fallbackExpr = call.args[1] ?? call.keywords.default;
  const nameExpr = call.args[0] ?? call.keywords.key;
  const fallback = fallbackExpr ? evaluator.evaluate(fallbackExpr, scope) : undefined;
  if (fallback?.type !== 'str') return unknown(call.text);
  const variable = nameExpr?.kind === 'string' ? nameExpr.value : nameExpr ? exprText(nameExpr) : '?';
  const note = { variable, fallback: fallback.value.text, file: scope.module.ir.file, line: call.span.line };
  return { type: 'str', value: { ...fallback.value, fromEnv: [...(fallback.value.fromEnv ?? []), note] } };
}
