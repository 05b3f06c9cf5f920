import type * as Parser from '../python/parse-python.js';
import { gotoFirstChildForIndex } from '../python/parse-python.js';
import { HTTP_METHOD_DECORATORS, mayHoldRouter, mayRunRouterCode, moduleRouterNames } from './fastapi-router-api.js';
import type { ClassIR, Expr, FunctionIR, Param, Span, Stmt, Target } from './python-ir.js';

type Cursor = Parser.TreeCursor;

// A function body is converted statement by statement only when it may register routes, build apps or
// routers, or pass one along (fastapi-router-api.ts says which calls count). Handler bodies, the bulk of
// a real codebase, are skipped: walking them node by node would cost more than parsing them.
const MAX_EXPR_TEXT = 4000;
/** Enough of a class attribute's call (`Column(String(255), unique=True, index=True)`) to read what it declares. */
const MAX_FIELD_CALL_TEXT = 400;
/** Enough of `create_engine(settings.DATABASE_URL, pool_pre_ping=True)` to read its URL argument. */
const MAX_ENGINE_CALL_TEXT = 400;

export function spanOf(node: Parser.SyntaxNode): Span {
  const start = node.startPosition;
  const end = node.endPosition;
  return { line: start.row + 1, column: start.column, endLine: end.row + 1, endColumn: end.column };
}

/**
 * The tree is read through one `TreeCursor` rather than `SyntaxNode`s: node-tree-sitter builds a JS object
 * (with a finalizer) for every node it hands out, which cost more than the parse itself on a large codebase,
 * while a cursor step is one native call. Every reader below starts on a node and leaves the cursor on it.
 * Lines and columns come from the source text (the cursor's indices are UTF-16 offsets, as tree-sitter's
 * columns are), so no position objects are made either.
 */
interface Walk {
  cursor: Cursor;
  source: string;
  /** Offset of the first character of each line. */
  lineStarts: number[];
  /** Names the module binds to a new app or router (a function that passes one on is converted). */
  moduleRouters: string[];
}

// Names and named-ness by type id, and field names by field id, learnt from the cursor the first time an
// id is seen (the analyzer uses one grammar, so ids are stable for the whole run).
const typeNames: string[] = [];
const namedTypes: boolean[] = [];
const fieldNames: string[] = [];

/** The type of the node under the cursor. */
function typeAt(cursor: Cursor): string {
  const id = cursor.nodeTypeId;
  return typeNames[id] ?? learnType(cursor, id);
}

/** The type of the node under the cursor when it is a named node (as `namedChildren` lists them), else undefined. */
function namedTypeAt(cursor: Cursor): string | undefined {
  const id = cursor.nodeTypeId;
  const name = typeNames[id] ?? learnType(cursor, id);
  return namedTypes[id] ? name : undefined;
}

function learnType(cursor: Cursor, id: number): string {
  const name = cursor.nodeType;
  typeNames[id] = name;
  namedTypes[id] = cursor.nodeIsNamed;
  return name;
}

function fieldAt(cursor: Cursor): string | undefined {
  const id = cursor.currentFieldId;
  if (id === 0) return undefined; // web-tree-sitter's id for "no field"
  let name = fieldNames[id];
  if (name === undefined) {
    name = cursor.currentFieldName ?? '';
    fieldNames[id] = name;
  }
  return name;
}

/** Moves to the first named child and returns its type; undefined (cursor unmoved) when there is none. */
function gotoFirstNamedChild(cursor: Cursor): string | undefined {
  if (!cursor.gotoFirstChild()) return undefined;
  do {
    const type = namedTypeAt(cursor);
    if (type !== undefined) return type;
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
  return undefined;
}

/** Calls `visit` on each named child with the cursor on it. */
function forEachNamedChild(cursor: Cursor, visit: (type: string) => void): void {
  if (!cursor.gotoFirstChild()) return;
  do {
    const type = namedTypeAt(cursor);
    if (type !== undefined) visit(type);
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
}

function textAt(w: Walk): string {
  return w.source.slice(w.cursor.startIndex, w.cursor.endIndex);
}

function lineStartsOf(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 0-based line of a source offset. */
function rowOf(w: Walk, index: number): number {
  const starts = w.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const lineOf = (w: Walk, index: number): number => rowOf(w, index) + 1;

function spanAt(w: Walk, start: number, end: number): Span {
  const row = rowOf(w, start);
  const endRow = rowOf(w, end);
  return {
    line: row + 1,
    column: start - w.lineStarts[row]!,
    endLine: endRow + 1,
    endColumn: end - w.lineStarts[endRow]!,
  };
}

/** Converts a module's statements; `source` is the text the tree was parsed from (node indices index it). */
export function extractModuleStatements(tree: Parser.Tree, source: string): Stmt[] {
  return convertBlock({
    cursor: tree.walk(),
    source,
    lineStarts: lineStartsOf(source),
    moduleRouters: moduleRouterNames(source),
  });
}

function convertBlock(w: Walk): Stmt[] {
  const out: Stmt[] = [];
  forEachNamedChild(w.cursor, (type) => convertStatement(w, type, out));
  return out;
}

function convertStatement(w: Walk, type: string, out: Stmt[]): void {
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
        out.push({ k: 'expr', value: convertExpr(w, inner), line, span: spanAt(w, start, end) });
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
              ? { k: 'import', module: item.name, alias: item.alias, line }
              : { k: 'import', module: item.name, line },
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
      out.push({ k: 'from', module: moduleText.slice(level), level, names, star, line });
      return;
    }
    case 'function_definition':
      out.push({ k: 'def', fn: convertFunction(w, []) });
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
            if (definitionType === 'function_definition') definition = { k: 'def', fn: convertFunction(w, decorators) };
            else if (definitionType === 'class_definition') definition = { k: 'class', cls: convertClass(w) };
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
      out.push({ k: 'class', cls: convertClass(w) });
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
      out.push({ k: 'for', target, iter, body, line }, ...afterLoop);
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
      out.push({ k: 'return', value, line });
      return;
    }
    default:
      return;
  }
}

/** Calls `visit` on each child that fills `field`, with the cursor on it. */
function forEachChildWithField(cursor: Cursor, field: string, visit: () => void): void {
  if (!cursor.gotoFirstChild()) return;
  do {
    if (fieldAt(cursor) === field) visit();
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
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

/** Calls `visit` with the field of each child that has one, with the cursor on it, until it returns true. */
function forEachFieldChild(cursor: Cursor, visit: (field: string) => unknown): void {
  if (!cursor.gotoFirstChild()) return;
  do {
    const field = fieldAt(cursor);
    if (field !== undefined && visit(field) === true) break;
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
}

function collectNestedBlocks(w: Walk, out: Stmt[]): void {
  forEachNamedChild(w.cursor, (type) => {
    if (type === 'block') out.push({ k: 'block', body: convertBlock(w) });
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
  return { k: 'assign', targets, value, line, span: spanAt(w, statementStart, statementEnd) };
}

function convertTarget(w: Walk, type = typeAt(w.cursor)): Target {
  const cursor = w.cursor;
  if (type === 'identifier') return { k: 'name', id: textAt(w) };
  if (
    type === 'pattern_list' ||
    type === 'tuple_pattern' ||
    type === 'list_pattern' ||
    type === 'tuple' ||
    type === 'list'
  ) {
    const items: Target[] = [];
    forEachNamedChild(cursor, (itemType) => items.push(convertTarget(w, itemType)));
    return { k: 'seq', items };
  }
  if (type === 'parenthesized_expression') {
    const innerType = gotoFirstNamedChild(cursor);
    if (innerType !== undefined) {
      const inner = convertTarget(w, innerType);
      cursor.gotoParent();
      return inner;
    }
  }
  return { k: 'other' };
}

function convertFunction(w: Walk, decorators: Expr[]): FunctionIR {
  const cursor = w.cursor;
  const line = lineOf(w, cursor.startIndex);
  let name: string | undefined;
  let isAsync = false;
  let params: Param[] = [];
  let paramsText: string | undefined;
  let returns: string | undefined;
  let body: Stmt[] | null = null;
  let bodyFacts: FunctionIR['bodyFacts'];
  let seenBody = false;
  if (cursor.gotoFirstChild()) {
    isAsync = typeAt(cursor) === 'async';
    do {
      const field = fieldAt(cursor);
      if (field === 'name' && name === undefined) {
        name = textAt(w);
      } else if (field === 'parameters' && paramsText === undefined) {
        paramsText = textAt(w);
        params = convertParams(w);
      } else if (field === 'return_type' && returns === undefined) {
        returns = textAt(w);
      } else if (field === 'body' && !seenBody) {
        // The grammar puts the body last: name, parameters and return type are known here.
        seenBody = true;
        const bodyStart = cursor.startIndex;
        const bodyText = w.source.slice(bodyStart, cursor.endIndex);
        const paramsSource = paramsText ?? '';
        // A route handler runs per request, never at import or start-up: its body cannot register routes.
        const isHandler = decorators.some(isRouteDecorator);
        if (!isHandler && mayRunRouterCode(bodyText, routerCandidates(params, w.moduleRouters), returns))
          body = convertBlock(w);
        else body = convertPlainReturns(w, bodyText, bodyStart);
        // Dependencies (auth, sessions) are recognised later; what they return is read from the text here.
        if (
          /\b(?:Depends|Security)\b|current_user|_user\b|get_db|session/i.test(paramsSource) ||
          /current_user|get_user|authenticate|get_db|get_session|engine/i.test(name ?? '') ||
          (/\bRequest\b/.test(paramsSource) && /\.state\.(?:user|current_user)\s*=/.test(bodyText))
        ) {
          bodyFacts = summarizeBody(bodyText);
        }
      }
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  return { name: name ?? '<anonymous>', line, isAsync, decorators, params, returns, body, bodyFacts };
}

/** The parameters that may hold an app or router (by their annotation), and the module's own routers. */
function routerCandidates(params: Param[], moduleRouters: string[]): Set<string> {
  const names = new Set(moduleRouters);
  for (const param of params) {
    if (
      param.name !== 'self' &&
      param.name !== 'cls' &&
      mayHoldRouter(param.annotation ? exprText(param.annotation) : undefined)
    )
      names.add(param.name);
  }
  return names;
}

/** `@router.get("/x")`, `@app.websocket("/ws")`: a decorator that makes the function a route's endpoint. */
function isRouteDecorator(decorator: Expr): boolean {
  return decorator.k === 'call' && decorator.fn.k === 'attr' && ROUTE_DECORATORS.has(decorator.fn.name);
}

const ROUTE_DECORATORS: ReadonlySet<string> = new Set([
  ...HTTP_METHOD_DECORATORS,
  'api_route',
  'route',
  'websocket',
  'websocket_route',
]);

/**
 * For a skipped body, its top-level `return name` / `return call(...)` / `return a.b` statements only, so
 * small helpers still give their value (`def get_settings(): return Settings()`) without a walk of the body.
 * The cursor jumps to each `return` in the text rather than stepping over every statement.
 */
function convertPlainReturns(w: Walk, bodyText: string, bodyStart: number): Stmt[] | null {
  const cursor = w.cursor;
  const out: Stmt[] = [];
  for (const match of bodyText.matchAll(/\breturn\b/g)) {
    const at = bodyStart + match.index;
    if (!gotoFirstChildForIndex(cursor, at)) break;
    // Only a statement of the body itself that starts with this keyword: the rest is nested, a string or a comment.
    if (typeAt(cursor) === 'return_statement' && cursor.startIndex === at) {
      const valueType = gotoFirstNamedChild(cursor);
      if (valueType !== undefined) {
        if (valueType === 'identifier' || valueType === 'attribute' || valueType === 'call')
          out.push({ k: 'return', value: convertExpr(w, valueType), line: lineOf(w, at) });
        cursor.gotoParent();
      }
    }
    cursor.gotoParent();
  }
  return out.length > 0 ? out : null;
}

function summarizeBody(text: string): NonNullable<FunctionIR['bodyFacts']> {
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

function convertParams(w: Walk): Param[] {
  const cursor = w.cursor;
  const params: Param[] = [];
  forEachNamedChild(cursor, (type) => {
    switch (type) {
      case 'identifier':
        params.push({ name: textAt(w) });
        break;
      case 'typed_parameter': {
        // `x: T`; `*args: T` and `**kw: T` have a splat pattern first and are left out.
        let name: string | undefined;
        let annotation: Expr | undefined;
        let seenFirstNamed = false;
        let seenType = false;
        if (cursor.gotoFirstChild()) {
          do {
            if (!seenFirstNamed && namedTypeAt(cursor) !== undefined) {
              seenFirstNamed = true;
              if (typeAt(cursor) === 'identifier') name = textAt(w);
            }
            if (!seenType && fieldAt(cursor) === 'type') {
              seenType = true;
              if (name !== undefined) annotation = convertAnnotation(w);
            }
          } while (cursor.gotoNextSibling());
          cursor.gotoParent();
        }
        if (name !== undefined) params.push({ name, annotation });
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter': {
        let name: string | undefined;
        let annotation: Expr | undefined;
        let value: Expr | undefined;
        let seenType = false;
        forEachFieldChild(cursor, (field) => {
          if (field === 'name' && name === undefined) name = textAt(w);
          else if (field === 'type' && !seenType) {
            seenType = true;
            annotation = convertAnnotation(w);
          } else if (field === 'value' && value === undefined) value = convertExpr(w);
        });
        if (name !== undefined) params.push({ name, annotation, default: value });
        break;
      }
      default:
        break;
    }
  });
  return params;
}

/** A parameter's annotation (a `type` node): the common one-line forms from their text, the rest from the tree. */
function convertAnnotation(w: Walk): Expr {
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
    let expr: Expr = { k: 'name', id: head, line };
    if (text[at] === '.') {
      while (text[at] === '.') {
        at++;
        const name = readName();
        if (name === undefined) return undefined;
        expr = { k: 'attr', obj: expr, name, line };
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
    return { k: 'sub', obj: expr, index, line };
  };
  const expr = readType();
  return expr && at === text.length ? expr : undefined;
}

/** Annotations parse as `type` nodes; `Annotated[User, Depends(x)]` is a `generic_type` there. */
function convertType(w: Walk, type = typeAt(w.cursor)): Expr {
  const cursor = w.cursor;
  if (type !== 'type') return convertTypeExpr(w, type);
  const innerType = gotoFirstNamedChild(cursor);
  if (innerType === undefined) return { k: 'other', text: textAt(w), line: lineOf(w, cursor.startIndex) };
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
  return { k: 'sub', obj: head ?? { k: 'other', text: '', line }, index: index ?? [], line };
}

function convertClass(w: Walk): ClassIR {
  const cursor = w.cursor;
  const line = lineOf(w, cursor.startIndex);
  let name: string | undefined;
  let bases: Expr[] | undefined;
  let seenBody = false;
  const fields: ClassIR['fields'] = [];
  const decoratedMethods: FunctionIR[] = [];
  forEachFieldChild(cursor, (field) => {
    if (field === 'name' && name === undefined) {
      name = textAt(w);
    } else if (field === 'superclasses' && bases === undefined) {
      const exprs: Expr[] = [];
      forEachNamedChild(cursor, (baseType) => exprs.push(convertExpr(w, baseType)));
      bases = exprs;
    } else if (field === 'body' && !seenBody) {
      seenBody = true;
      forEachNamedChild(cursor, (type) => {
        if (type === 'decorated_definition') {
          const converted: Stmt[] = [];
          convertStatement(w, type, converted);
          const method = converted.find((s) => s.k === 'def');
          if (method?.k === 'def') decoratedMethods.push(method.fn);
        } else if (type === 'expression_statement') {
          const innerType = gotoFirstNamedChild(cursor);
          if (innerType === undefined) return;
          if (innerType === 'assignment') collectClassFields(w, fields);
          cursor.gotoParent();
        }
      });
    }
  });
  return { name: name ?? '<anonymous>', line, bases: bases ?? [], fields, decoratedMethods };
}

/** `A = B = "/x"` binds both names; the value is the innermost right-hand side. The cursor is on the assignment. */
function collectClassFields(w: Walk, fields: ClassIR['fields']): void {
  const cursor = w.cursor;
  const names: string[] = [];
  let value: Expr | undefined;
  let annotation: string | undefined;
  let call: string | undefined;
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
        if (typeAt(cursor) === 'identifier') names.push(textAt(w));
      } else if (field === 'type' && annotation === undefined) {
        annotation = textAt(w);
      } else if (field === 'right') {
        rightType = typeAt(cursor);
        break;
      }
    } while (cursor.gotoNextSibling());
    if (rightType === undefined) break;
    if (rightType !== 'assignment') {
      if (rightType === 'call') call = textAt(w).slice(0, MAX_FIELD_CALL_TEXT);
      if (isCheapValue(w, rightType)) value = convertExpr(w, rightType);
      break;
    }
  }
  for (; depth > 0; depth--) cursor.gotoParent();
  for (const name of names)
    fields.push({
      name,
      value,
      ...(annotation === undefined ? {} : { annotation }),
      ...(call === undefined ? {} : { call }),
    });
}

/** Class attribute values the resolver can use as path parts; anything else is recorded without a value. */
function isCheapValue(w: Walk, type: string): boolean {
  if (type === 'call') {
    // pydantic's `Field("/api/v1", ...)` / `Field(default=...)` holds the default; model columns are not needed.
    // Most calls are model columns (`Column(Integer)`): no `Field` in the text, no need to look inside.
    const at = w.source.indexOf('Field', w.cursor.startIndex);
    if (at === -1 || at >= w.cursor.endIndex) return false;
    let cheap = false;
    forEachFieldChild(w.cursor, (field) => {
      if (field !== 'function') return false;
      cheap = /(?:^|\.)Field$/.test(textAt(w));
      return true;
    });
    return cheap;
  }
  return (
    type === 'string' ||
    type === 'concatenated_string' ||
    type === 'binary_operator' ||
    type === 'identifier' ||
    type === 'attribute'
  );
}

function convertExpr(w: Walk, type = typeAt(w.cursor)): Expr {
  const cursor = w.cursor;
  const start = cursor.startIndex;
  const line = lineOf(w, start);
  switch (type) {
    case 'string':
      return convertStringAt(w, line);
    case 'concatenated_string': {
      const parts: Expr[] = [];
      forEachNamedChild(cursor, (partType) => parts.push(convertString(w, partType)));
      return parts.reduce<Expr>((l, r) => ({ k: 'bin', l, r, line }), { k: 'str', v: '', line });
    }
    case 'identifier':
      return { k: 'name', id: w.source.slice(start, cursor.endIndex), line };
    case 'attribute': {
      let obj: Expr | undefined;
      let name: string | undefined;
      forEachFieldChild(cursor, (field) => {
        if (field === 'object' && obj === undefined) obj = convertExpr(w);
        else if (field === 'attribute' && name === undefined) name = textAt(w);
      });
      if (!obj || name === undefined) break;
      return { k: 'attr', obj, name, line };
    }
    case 'call': {
      let fn: Expr | undefined;
      let seenArguments = false;
      const args: Expr[] = [];
      const kw: Record<string, Expr> = {};
      forEachFieldChild(cursor, (field) => {
        if (field === 'function' && fn === undefined) {
          fn = convertExpr(w);
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
              if (name !== undefined && value) kw[name] = value;
            } else if (argType !== 'comment') {
              args.push(convertExpr(w, argType));
            }
          });
        }
      });
      if (!fn) break;
      const end = cursor.endIndex;
      const text = w.source.slice(start, Math.min(end, start + 200));
      return { k: 'call', fn, args, kw, span: spanAt(w, start, end), text };
    }
    case 'binary_operator': {
      let operator: string | undefined;
      let l: Expr | undefined;
      let r: Expr | undefined;
      forEachFieldChild(cursor, (field) => {
        if (field === 'operator' && operator === undefined) operator = typeAt(cursor);
        else if (field === 'left' && l === undefined) l = convertExpr(w);
        else if (field === 'right' && r === undefined) r = convertExpr(w);
      });
      if (operator === '+' && l && r) return { k: 'bin', l, r, line };
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
      return { k: 'seq', items, line };
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
      return { k: 'dict', entries, line };
    }
    case 'subscript': {
      let obj: Expr | undefined;
      const index: Expr[] = [];
      forEachFieldChild(cursor, (field) => {
        if (field === 'value' && obj === undefined) obj = convertExpr(w);
        else if (field === 'subscript') index.push(convertExpr(w));
      });
      if (!obj) break;
      return { k: 'sub', obj, index, line };
    }
    case 'integer':
      return { k: 'lit', v: 'int', line };
    case 'float':
      return { k: 'lit', v: 'float', line };
    case 'true':
    case 'false':
      return { k: 'lit', v: 'bool', line };
    case 'none':
      return { k: 'lit', v: 'none', line };
    default:
      break;
  }
  const text = w.source.slice(start, cursor.endIndex);
  return { k: 'other', text: text.length > MAX_EXPR_TEXT ? text.slice(0, MAX_EXPR_TEXT) : text, line };
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
    return { k: 'str', v: parts.map((p) => (typeof p === 'string' ? p : '')).join(''), line };
  }
  // `{{` in an f-string is a literal brace.
  return {
    k: 'fstr',
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
  return { k: 'other', text: textAt(w), line };
}

function decodeEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(["'\\nt/])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

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
