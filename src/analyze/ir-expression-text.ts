/** Reading IR expressions back as text: for messages, dependency names and dotted names (`deps.get_db`). */
import type { Expr } from './python-ir.js';

/** Source text of an expression for messages and dependency names (`deps.get_db`). */
export function exprText(expr: Expr): string {
  switch (expr.k) {
    case 'str':
      return JSON.stringify(expr.v);
    case 'fstr':
      return `f"${expr.parts.map((p) => (typeof p === 'string' ? p : `{${exprText(p)}}`)).join('')}"`;
    case 'name':
      return expr.id;
    case 'attr':
      return `${exprText(expr.obj)}.${expr.name}`;
    case 'call':
      return expr.text;
    case 'bin':
      return `${exprText(expr.l)} + ${exprText(expr.r)}`;
    case 'seq':
      return `(${expr.items.map(exprText).join(', ')})`;
    case 'dict':
      return '{...}';
    case 'sub':
      return `${exprText(expr.obj)}[${expr.index.map(exprText).join(', ')}]`;
    case 'lit':
      return expr.v;
    case 'other':
      return expr.text;
  }
}

/** `a.b.c` for a chain of names and attributes, else undefined. */
export function dottedName(expr: Expr): string | undefined {
  if (expr.k === 'name') return expr.id;
  if (expr.k === 'attr') {
    const head = dottedName(expr.obj);
    return head === undefined ? undefined : `${head}.${expr.name}`;
  }
  return undefined;
}
