/**
 * Statements to IR: blocks, assignments and their targets, imports, `for` loops, the branches of
 * `if`/`try`/`with`/`while` (all taken), returns. Definitions go to convert-definitions.ts, expressions to
 * convert-expression.ts.
 */
import { convertClass, convertFunction } from './convert-definitions.js';
import { convertExpr } from './convert-expression.js';
import {
  fieldAt,
  forEachChildWithField,
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
import type { Expr, Stmt, Target } from './python-ir.js';

export function convertBlock(w: Walk): Stmt[] {
  const out: Stmt[] = [];
  forEachNamedChild(w.cursor, (type) => convertStatement(w, type, out));
  return out;
}

export function convertStatement(w: Walk, type: string, out: Stmt[]): void {
  const cursor = w.cursor;
  switch (type) {
    case 'expression_statement': {
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      const inner = gotoFirstNamedChild(cursor);
      if (inner === 'assignment') {
        const assign = convertAssignment(w, start, end);
        if (assign) out.push(assign);
      } else if (inner === 'call') {
        const line = lineOf(w, cursor.startIndex);
        out.push({ kind: 'expr', value: convertExpr(w, inner), line, span: spanAt(w, start, end) });
      }
      if (inner !== undefined) cursor.gotoParent();
      return;
    }
    case 'import_statement': {
      const line = lineOf(w, cursor.startIndex);
      forEachChildWithField(cursor, 'name', () => {
        const item = importedName(w);
        if (item)
          out.push(
            'alias' in item
              ? { kind: 'import', module: item.name, alias: item.alias, line }
              : { kind: 'import', module: item.name, line },
          );
      });
      return;
    }
    case 'import_from_statement': {
      const line = lineOf(w, cursor.startIndex);
      let moduleText: string | undefined;
      let level = 0;
      const names: Array<{ name: string; alias?: string }> = [];
      let star = false;
      if (cursor.gotoFirstChild()) {
        do {
          const field = fieldAt(cursor);
          if (field === 'module_name' && moduleText === undefined) {
            moduleText = textAt(w);
            if (typeAt(cursor) === 'relative_import') {
              const dots = moduleText.match(/^\.+/);
              level = dots ? dots[0].length : 0;
            }
          } else if (field === 'name') {
            const item = importedName(w);
            if (item) names.push(item);
          } else if (namedTypeAt(cursor) === 'wildcard_import') {
            star = true;
          }
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      if (moduleText === undefined) return;
      out.push({ kind: 'from', module: moduleText.slice(level), level, names, star, line });
      return;
    }
    case 'function_definition':
      out.push({ kind: 'def', function: convertFunction(w, []) });
      return;
    case 'decorated_definition': {
      const decorators: Expr[] = [];
      let definition: Stmt | undefined;
      let seenDefinition = false;
      if (cursor.gotoFirstChild()) {
        do {
          if (!seenDefinition && fieldAt(cursor) === 'definition') {
            seenDefinition = true;
            const definitionType = typeAt(cursor);
            if (definitionType === 'function_definition')
              definition = { kind: 'def', function: convertFunction(w, decorators) };
            else if (definitionType === 'class_definition') definition = { kind: 'class', class: convertClass(w) };
          } else if (namedTypeAt(cursor) === 'decorator') {
            const expressionType = gotoFirstNamedChild(cursor);
            if (expressionType !== undefined) {
              decorators.push(convertExpr(w, expressionType));
              cursor.gotoParent();
            }
          }
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      if (definition) out.push(definition);
      return;
    }
    case 'class_definition':
      out.push({ kind: 'class', class: convertClass(w) });
      return;
    case 'for_statement': {
      const line = lineOf(w, cursor.startIndex);
      let target: Target | undefined;
      let iter: Expr | undefined;
      let body: Stmt[] | undefined;
      let seenAlternative = false;
      const afterLoop: Stmt[] = [];
      if (cursor.gotoFirstChild()) {
        do {
          const field = fieldAt(cursor);
          if (field === 'left' && !target) target = convertTarget(w);
          else if (field === 'right' && !iter) iter = convertExpr(w);
          else if (field === 'body' && !body) body = convertBlock(w);
          else if (field === 'alternative' && !seenAlternative) {
            seenAlternative = true;
            collectNestedBlocks(w, afterLoop);
          }
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      if (!target || !iter || !body) return;
      out.push({ kind: 'for', target, iter, body, line }, ...afterLoop);
      return;
    }
    case 'if_statement':
    case 'try_statement':
    case 'with_statement':
    case 'while_statement':
      // Every branch is taken: the analyzer cannot know which one runs, and routes are usually registered
      // unconditionally.
      collectNestedBlocks(w, out);
      return;
    case 'return_statement': {
      const line = lineOf(w, cursor.startIndex);
      let value: Expr | undefined;
      const valueType = gotoFirstNamedChild(cursor);
      if (valueType !== undefined) {
        value = convertExpr(w, valueType);
        cursor.gotoParent();
      }
      out.push({ kind: 'return', value, line });
      return;
    }
    default:
      return;
  }
}

/** `a.b` or `a.b as c` in an import. */
function importedName(w: Walk): { name: string; alias?: string } | undefined {
  const cursor = w.cursor;
  if (typeAt(cursor) !== 'aliased_import') return { name: textAt(w) };
  let name: string | undefined;
  let alias: string | undefined;
  forEachFieldChild(cursor, (field) => {
    if (field === 'name' && name === undefined) name = textAt(w);
    else if (field === 'alias' && alias === undefined) alias = textAt(w);
  });
  return name === undefined ? undefined : { name, alias };
}

function collectNestedBlocks(w: Walk, out: Stmt[]): void {
  forEachNamedChild(w.cursor, (type) => {
    if (type === 'block') out.push({ kind: 'block', body: convertBlock(w) });
    else if (
      type === 'elif_clause' ||
      type === 'else_clause' ||
      type === 'except_clause' ||
      type === 'except_group_clause' ||
      type === 'finally_clause'
    ) {
      collectNestedBlocks(w, out);
    }
  });
}

/** `a = b = value`; the cursor is on the outer assignment, `start`/`end` are its statement's. */
function convertAssignment(w: Walk, statementStart: number, statementEnd: number): Stmt | undefined {
  const cursor = w.cursor;
  const line = lineOf(w, cursor.startIndex);
  const targets: Target[] = [];
  let value: Expr | undefined;
  let depth = 0;
  for (;;) {
    if (!cursor.gotoFirstChild()) break;
    depth++;
    let seenLeft = false;
    let rightType: string | undefined;
    do {
      const field = fieldAt(cursor);
      if (field === 'left' && !seenLeft) {
        seenLeft = true;
        targets.push(convertTarget(w));
      } else if (field === 'right') {
        rightType = typeAt(cursor);
        break;
      }
    } while (cursor.gotoNextSibling());
    if (rightType === undefined) break;
    if (rightType !== 'assignment') {
      value = convertExpr(w, rightType);
      break;
    }
  }
  for (; depth > 0; depth--) cursor.gotoParent();
  // An annotation without a value (`x: int`) binds nothing.
  if (!value) return undefined;
  return { kind: 'assign', targets, value, line, span: spanAt(w, statementStart, statementEnd) };
}

function convertTarget(w: Walk, type = typeAt(w.cursor)): Target {
  const cursor = w.cursor;
  if (type === 'identifier') return { kind: 'name', id: textAt(w) };
  if (
    type === 'pattern_list' ||
    type === 'tuple_pattern' ||
    type === 'list_pattern' ||
    type === 'tuple' ||
    type === 'list'
  ) {
    const items: Target[] = [];
    forEachNamedChild(cursor, (itemType) => items.push(convertTarget(w, itemType)));
    return { kind: 'sequence', items };
  }
  if (type === 'parenthesized_expression') {
    const innerType = gotoFirstNamedChild(cursor);
    if (innerType !== undefined) {
      const inner = convertTarget(w, innerType);
      cursor.gotoParent();
      return inner;
    }
  }
  return { kind: 'other' };
}
