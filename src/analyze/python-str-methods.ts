import { type StrVal, str, unknown, type Value } from './interpreter-values.js';
import type { Expr } from './python-ir.js';

/**
 * Python's `str` methods on strings the interpreter knows (`"/api".rstrip("/")`, `"{}/v1".format(base)`):
 * a known result, or unknown when the string or an argument is not fully known.
 */
export function callStrMethod(
  self: StrVal,
  name: string,
  call: Extract<Expr, { kind: 'call' }>,
  evaluate: (expr: Expr) => Value,
  iterate: (value: Value) => Value[] | undefined,
): Value {
  const arg = (i: number): string | undefined => {
    const expr = call.args[i];
    const value = expr ? evaluate(expr) : undefined;
    return value?.type === 'str' && value.value.unresolved.length === 0 ? value.value.text : undefined;
  };
  const known = self.unresolved.length === 0;
  const result = (v: string | undefined): Value =>
    known && v !== undefined
      ? { type: 'str', value: { ...str(v), ...(self.fromEnv ? { fromEnv: self.fromEnv } : {}) } }
      : unknown(call.text);
  const v = self.text;
  switch (name) {
    case 'lower':
      return result(v.toLowerCase());
    case 'upper':
      return result(v.toUpperCase());
    case 'strip':
    case 'lstrip':
    case 'rstrip': {
      const chars = call.args[0] ? arg(0) : ' \t\n\r';
      if (chars === undefined) return unknown(call.text);
      let start = 0;
      let end = v.length;
      if (name !== 'rstrip') while (start < end && chars.includes(v[start]!)) start++;
      if (name !== 'lstrip') while (end > start && chars.includes(v[end - 1]!)) end--;
      return result(v.slice(start, end));
    }
    case 'removeprefix': {
      const prefix = arg(0);
      return result(prefix === undefined ? undefined : v.startsWith(prefix) ? v.slice(prefix.length) : v);
    }
    case 'removesuffix': {
      const suffix = arg(0);
      return result(
        suffix === undefined ? undefined : suffix !== '' && v.endsWith(suffix) ? v.slice(0, -suffix.length) : v,
      );
    }
    case 'replace': {
      const [from, to] = [arg(0), arg(1)];
      return result(from === undefined || to === undefined ? undefined : v.split(from).join(to));
    }
    case 'join': {
      const items = call.args[0] ? iterate(evaluate(call.args[0])) : undefined;
      const parts = items?.map((i) => (i.type === 'str' && i.value.unresolved.length === 0 ? i.value.text : undefined));
      return result(parts?.every((p) => p !== undefined) ? parts.join(v) : undefined);
    }
    case 'format': {
      let auto = 0;
      let failed = false;
      const formatted = v.replace(/\{\{|\}\}|\{([^{}!:]*)\}/g, (match, field: string | undefined) => {
        if (match === '{{') return '{';
        if (match === '}}') return '}';
        const key = field ?? '';
        const expr = key === '' ? call.args[auto++] : /^\d+$/.test(key) ? call.args[Number(key)] : call.keywords[key];
        const value = expr ? evaluate(expr) : undefined;
        if (value?.type !== 'str' || value.value.unresolved.length > 0) {
          failed = true;
          return match;
        }
        return value.value.text;
      });
      return result(failed ? undefined : formatted);
    }
    default:
      return unknown(call.text);
  }
}
