/** Reading IR expressions back as text: for messages, dependency names and dotted names (`deps.get_db`). */
import type { Expr } from './python-ir.js';

/** Source text of an expression for messages and dependency names (`deps.get_db`). */
export function exprText(expr: Expr): string {
  switch (expr.kind) {
    case 'string':
      return JSON.stringify(expr.value);
    case 'fstring':
      return `f"${expr.parts.map((p) => (typeof p === 'string' ? p : `{${exprText(p)}}`)).join('')}"`;
    case 'name':
      return expr.id;
    case 'attribute':
      return `${exprText(expr.obj)}.${expr.name}`;
    case 'call':
      return expr.text;
    case 'binary':
      return `${exprText(expr.left)} + ${exprText(expr.right)}`;
    case 'sequence':
      return `(${expr.items.map(exprText).join(', ')})`;
    case 'dict':
      return '{...}';
    case 'subscript':
      return `${exprText(expr.obj)}[${expr.index.map(exprText).join(', ')}]`;
    case 'literal':
      return expr.value;
    case 'other':
      return expr.text;
  }
}

/** `a.b.c` for a chain of names and attributes, else undefined. */
export function dottedName(expr: Expr): string | undefined {
  if (expr.kind === 'name') return expr.id;
  if (expr.kind === 'attribute') {
    const head = dottedName(expr.obj);
    return head === undefined ? undefined : `${head}.${expr.name}`;
  }
  return undefined;
}
