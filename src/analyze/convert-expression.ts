/**
 * Expressions to IR: names, attributes, calls (arguments and keywords), `+`, sequences, dicts, subscripts,
 * literals, strings and f-strings (escapes decoded, `{{` kept literal), and annotations (the common one-line
 * forms read from their text, the rest from the tree). Anything else is `other` with its text, capped.
 */
import {
  forEachFieldChild,
  forEachNamedChild,
  gotoFirstNamedChild,
  lineOf,
  namedTypeAt,
  spanAt,
  textAt,
  typeAt,
  type Walk,
} from './ir-tree-cursor.js';
import type { Expr } from './python-ir.js';

const MAX_EXPR_TEXT = 4000;

export function convertExpr(w: Walk, type = typeAt(w.cursor)): Expr {
  const cursor = w.cursor;
  const start = cursor.startIndex;
  const line = lineOf(w, start);
  switch (type) {
    case 'string':
      return convertStringAt(w, line);
    case 'concatenated_string': {
      const parts: Expr[] = [];
      forEachNamedChild(cursor, (partType) => parts.push(convertString(w, partType)));
      return parts.reduce<Expr>((left, right) => ({ kind: 'binary', left, right, line }), {
        kind: 'string',
        value: '',
        line,
      });
    }
    case 'identifier':
      return { kind: 'name', id: w.source.slice(start, cursor.endIndex), line };
    case 'attribute': {
      let obj: Expr | undefined;
      let name: string | undefined;
      forEachFieldChild(cursor, (field) => {
        if (field === 'object' && obj === undefined) obj = convertExpr(w);
        else if (field === 'attribute' && name === undefined) name = textAt(w);
      });
      if (!obj || name === undefined) break;
      return { kind: 'attribute', obj, name, line };
    }
    case 'call': {
      let callee: Expr | undefined;
      let seenArguments = false;
      const args: Expr[] = [];
      const keywords: Record<string, Expr> = {};
      forEachFieldChild(cursor, (field) => {
        if (field === 'function' && callee === undefined) {
          callee = convertExpr(w);
        } else if (field === 'arguments' && !seenArguments) {
          seenArguments = true;
          if (typeAt(cursor) !== 'argument_list') return;
          forEachNamedChild(cursor, (argType) => {
            if (argType === 'keyword_argument') {
              let name: string | undefined;
              let value: Expr | undefined;
              forEachFieldChild(cursor, (argField) => {
                if (argField === 'name' && name === undefined) name = textAt(w);
                else if (argField === 'value' && value === undefined) value = convertExpr(w);
              });
              if (name !== undefined && value) keywords[name] = value;
            } else if (argType !== 'comment') {
              args.push(convertExpr(w, argType));
            }
          });
        }
      });
      if (!callee) break;
      const end = cursor.endIndex;
      const text = w.source.slice(start, Math.min(end, start + 200));
      return { kind: 'call', function: callee, args, keywords, span: spanAt(w, start, end), text };
    }
    case 'binary_operator': {
      let operator: string | undefined;
      let left: Expr | undefined;
      let right: Expr | undefined;
      forEachFieldChild(cursor, (field) => {
        if (field === 'operator' && operator === undefined) operator = typeAt(cursor);
        else if (field === 'left' && left === undefined) left = convertExpr(w);
        else if (field === 'right' && right === undefined) right = convertExpr(w);
      });
      if (operator === '+' && left && right) return { kind: 'binary', left, right, line };
      break;
    }
    case 'tuple':
    case 'list':
    case 'set':
    case 'expression_list': {
      const items: Expr[] = [];
      forEachNamedChild(cursor, (itemType) => {
        if (itemType !== 'comment') items.push(convertExpr(w, itemType));
      });
      return { kind: 'sequence', items, line };
    }
    case 'parenthesized_expression': {
      const innerType = gotoFirstNamedChild(cursor);
      if (innerType === undefined) break;
      const inner = convertExpr(w, innerType);
      cursor.gotoParent();
      return inner;
    }
    case 'dictionary': {
      const entries: Array<[Expr, Expr]> = [];
      forEachNamedChild(cursor, (pairType) => {
        if (pairType !== 'pair') return;
        let key: Expr | undefined;
        let value: Expr | undefined;
        forEachFieldChild(cursor, (field) => {
          if (field === 'key' && key === undefined) key = convertExpr(w);
          else if (field === 'value' && value === undefined) value = convertExpr(w);
        });
        if (key && value) entries.push([key, value]);
      });
      return { kind: 'dict', entries, line };
    }
    case 'subscript': {
      let obj: Expr | undefined;
      const index: Expr[] = [];
      forEachFieldChild(cursor, (field) => {
        if (field === 'value' && obj === undefined) obj = convertExpr(w);
        else if (field === 'subscript') index.push(convertExpr(w));
      });
      if (!obj) break;
      return { kind: 'subscript', obj, index, line };
    }
    case 'integer':
      return { kind: 'literal', value: 'int', line };
    case 'float':
      return { kind: 'literal', value: 'float', line };
    case 'true':
    case 'false':
      return { kind: 'literal', value: 'bool', line };
    case 'none':
      return { kind: 'literal', value: 'none', line };
    default:
      break;
  }
  const text = w.source.slice(start, cursor.endIndex);
  return { kind: 'other', text: text.length > MAX_EXPR_TEXT ? text.slice(0, MAX_EXPR_TEXT) : text, line };
}

function convertString(w: Walk, type: string): Expr {
  if (type !== 'string') return convertExpr(w, type);
  return convertStringAt(w, lineOf(w, w.cursor.startIndex));
}

function convertStringAt(w: Walk, line: number): Expr {
  const cursor = w.cursor;
  let prefix = '';
  const parts: Array<string | Expr> = [];
  let interpolated = false;
  if (cursor.gotoFirstChild()) {
    if (typeAt(cursor) === 'string_start')
      prefix = textAt(w)
        .replace(/["']+$/, '')
        .toLowerCase();
    const raw = prefix.includes('r');
    do {
      const type = namedTypeAt(cursor);
      if (type === 'string_content' || type === 'escape_sequence') {
        const text = textAt(w);
        parts.push(raw ? text : decodeEscapes(text));
      } else if (type === 'interpolation') {
        interpolated = true;
        parts.push(convertInterpolation(w, line));
      }
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  if (!interpolated || !prefix.includes('f')) {
    return { kind: 'string', value: parts.map((p) => (typeof p === 'string' ? p : '')).join(''), line };
  }
  // `{{` in an f-string is a literal brace.
  return {
    kind: 'fstring',
    parts: parts.map((p) => (typeof p === 'string' ? p.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : p)),
    line,
  };
}

/** `{expr}` in an f-string: its `expression` field, else its first named child. */
function convertInterpolation(w: Walk, line: number): Expr {
  const cursor = w.cursor;
  let expression: Expr | undefined;
  forEachFieldChild(cursor, (field) => {
    if (field === 'expression' && expression === undefined) expression = convertExpr(w);
  });
  if (expression) return expression;
  const firstType = gotoFirstNamedChild(cursor);
  if (firstType !== undefined) {
    const first = convertExpr(w, firstType);
    cursor.gotoParent();
    return first;
  }
  return { kind: 'other', text: textAt(w), line };
}

function decodeEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(["'\\nt/])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** A parameter's annotation (a `type` node): the common one-line forms from their text, the rest from the tree. */
export function convertAnnotation(w: Walk): Expr {
  const start = w.cursor.startIndex;
  return convertSimpleAnnotation(w.source.slice(start, w.cursor.endIndex), lineOf(w, start)) ?? convertType(w);
}

const ANNOTATION_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
/** Names the grammar gives a node of their own (`None`) or that might parse as something else: left to the tree. */
const ANNOTATION_KEYWORDS = new Set(
  'False None True and as assert async await break case class continue def del elif else except exec finally for from global if import in is lambda match nonlocal not or pass print raise return try type while with yield'.split(
    ' ',
  ),
);

/**
 * `Session`, `models.User`, `Optional[Dict[str, Any]]`: names, dotted names and `Name[T, ...]` on one line
 * give the Expr the tree walk would (tree-sitter parses `Name[...]` in an annotation as a `generic_type`),
 * at a fraction of the cost, as most annotations are of this form. Anything else gives undefined.
 */
function convertSimpleAnnotation(text: string, line: number): Expr | undefined {
  let at = 0;
  const readName = (): string | undefined => {
    ANNOTATION_NAME.lastIndex = at;
    const match = ANNOTATION_NAME.exec(text);
    if (!match || ANNOTATION_KEYWORDS.has(match[0])) return undefined;
    at = ANNOTATION_NAME.lastIndex;
    return match[0];
  };
  const readType = (): Expr | undefined => {
    const head = readName();
    if (head === undefined) return undefined;
    let expr: Expr = { kind: 'name', id: head, line };
    if (text[at] === '.') {
      while (text[at] === '.') {
        at++;
        const name = readName();
        if (name === undefined) return undefined;
        expr = { kind: 'attribute', obj: expr, name, line };
      }
      return text[at] === '[' ? undefined : expr;
    }
    if (text[at] !== '[') return expr;
    at++;
    const index: Expr[] = [];
    for (;;) {
      const item = readType();
      if (!item) return undefined;
      index.push(item);
      if (text[at] !== ',') break;
      at++;
      while (text[at] === ' ') at++;
    }
    if (text[at] !== ']') return undefined;
    at++;
    return { kind: 'subscript', obj: expr, index, line };
  };
  const expr = readType();
  return expr && at === text.length ? expr : undefined;
}

/** Annotations parse as `type` nodes; `Annotated[User, Depends(x)]` is a `generic_type` there. */
function convertType(w: Walk, type = typeAt(w.cursor)): Expr {
  const cursor = w.cursor;
  if (type !== 'type') return convertTypeExpr(w, type);
  const innerType = gotoFirstNamedChild(cursor);
  if (innerType === undefined) return { kind: 'other', text: textAt(w), line: lineOf(w, cursor.startIndex) };
  const inner = convertTypeExpr(w, innerType);
  cursor.gotoParent();
  return inner;
}

function convertTypeExpr(w: Walk, type: string): Expr {
  const cursor = w.cursor;
  if (type !== 'generic_type') return convertExpr(w, type);
  const line = lineOf(w, cursor.startIndex);
  let head: Expr | undefined;
  let index: Expr[] | undefined;
  let seenFirstNamed = false;
  forEachNamedChild(cursor, (childType) => {
    if (!seenFirstNamed) {
      seenFirstNamed = true;
      head = convertExpr(w, childType);
    }
    if (childType === 'type_parameter' && index === undefined) {
      const items: Expr[] = [];
      forEachNamedChild(cursor, (itemType) => items.push(convertType(w, itemType)));
      index = items;
    }
  });
  return { kind: 'subscript', obj: head ?? { kind: 'other', text: '', line }, index: index ?? [], line };
}
