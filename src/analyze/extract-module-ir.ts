import type Parser from 'tree-sitter';
import type { ClassIR, Expr, FunctionIR, Param, Span, Stmt, Target } from './python-ir.js';

type Node = Parser.SyntaxNode;

/**
 * A function body is converted statement by statement only when it may register routes, build apps or
 * routers, or pass one along to a helper. Handler bodies, the bulk of a real codebase, are skipped:
 * walking them node by node would cost more than parsing them.
 */
const RELEVANT_BODY =
  /\b(?:include_router|FastAPI|APIRouter|mount|add_api_route|add_api_websocket_route|api_route|websocket|websocket_route)\b|@\s*[\w.]+\.(?:get|post|put|patch|delete|options|head|trace)\s*\(|\breturn\s+(?:app|router|application|api_router)\b|\b(?:app|router|application|api_router)\s*[,)]/;
const RELEVANT_PARAMS = /\b(?:app|application|router|api_router|api|parent|FastAPI|APIRouter)\b/;
const MAX_EXPR_TEXT = 4000;

export function spanOf(node: Node): Span {
  const start = node.startPosition;
  const end = node.endPosition;
  return { line: start.row + 1, column: start.column, endLine: end.row + 1, endColumn: end.column };
}

/** Converts a module's statements; `source` is the text the tree was parsed from (node indices index it). */
export function extractModuleStatements(root: Node, source: string): Stmt[] {
  return convertBlock(root, source);
}

function convertBlock(block: Node, source: string): Stmt[] {
  const out: Stmt[] = [];
  for (const child of block.namedChildren) convertStatement(child, source, out);
  return out;
}

function convertStatement(node: Node, source: string, out: Stmt[]): void {
  switch (node.type) {
    case 'expression_statement': {
      const inner = node.firstNamedChild;
      if (!inner) return;
      if (inner.type === 'assignment') {
        const assign = convertAssignment(inner, source);
        if (assign) out.push(assign);
      } else if (inner.type === 'call') {
        out.push({ k: 'expr', value: convertExpr(inner, source), line: inner.startPosition.row + 1, span: spanOf(node) });
      }
      return;
    }
    case 'import_statement': {
      const line = node.startPosition.row + 1;
      for (const item of node.childrenForFieldName('name')) {
        if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name');
          const alias = item.childForFieldName('alias');
          if (name) out.push({ k: 'import', module: name.text, alias: alias?.text, line });
        } else {
          out.push({ k: 'import', module: item.text, line });
        }
      }
      return;
    }
    case 'import_from_statement': {
      const moduleNode = node.childForFieldName('module_name');
      if (!moduleNode) return;
      let level = 0;
      let module = moduleNode.text;
      if (moduleNode.type === 'relative_import') {
        const dots = moduleNode.text.match(/^\.+/);
        level = dots ? dots[0].length : 0;
        module = moduleNode.text.slice(level);
      }
      const names: Array<{ name: string; alias?: string }> = [];
      for (const item of node.childrenForFieldName('name')) {
        if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name');
          const alias = item.childForFieldName('alias');
          if (name) names.push({ name: name.text, alias: alias?.text });
        } else {
          names.push({ name: item.text });
        }
      }
      const star = node.namedChildren.some((c) => c.type === 'wildcard_import');
      out.push({ k: 'from', module, level, names, star, line: node.startPosition.row + 1 });
      return;
    }
    case 'function_definition':
      out.push({ k: 'def', fn: convertFunction(node, [], source) });
      return;
    case 'decorated_definition': {
      const definition = node.childForFieldName('definition');
      if (!definition) return;
      const decorators: Expr[] = [];
      for (const child of node.namedChildren) {
        if (child.type === 'decorator' && child.firstNamedChild) decorators.push(convertExpr(child.firstNamedChild, source));
      }
      if (definition.type === 'function_definition') out.push({ k: 'def', fn: convertFunction(definition, decorators, source) });
      else if (definition.type === 'class_definition') out.push({ k: 'class', cls: convertClass(definition, source) });
      return;
    }
    case 'class_definition':
      out.push({ k: 'class', cls: convertClass(node, source) });
      return;
    case 'for_statement': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const body = node.childForFieldName('body');
      if (!left || !right || !body) return;
      out.push({ k: 'for', target: convertTarget(left), iter: convertExpr(right, source), body: convertBlock(body, source), line: node.startPosition.row + 1 });
      const alternative = node.childForFieldName('alternative');
      if (alternative) collectNestedBlocks(alternative, source, out);
      return;
    }
    case 'if_statement':
    case 'try_statement':
    case 'with_statement':
    case 'while_statement':
      // Every branch is taken: the analyzer cannot know which one runs, and routes are usually registered
      // unconditionally.
      collectNestedBlocks(node, source, out);
      return;
    case 'return_statement': {
      const value = node.firstNamedChild;
      out.push({ k: 'return', value: value ? convertExpr(value, source) : undefined, line: node.startPosition.row + 1 });
      return;
    }
    default:
      return;
  }
}

function collectNestedBlocks(node: Node, source: string, out: Stmt[]): void {
  for (const child of node.namedChildren) {
    if (child.type === 'block') out.push({ k: 'block', body: convertBlock(child, source) });
    else if (
      child.type === 'elif_clause' ||
      child.type === 'else_clause' ||
      child.type === 'except_clause' ||
      child.type === 'except_group_clause' ||
      child.type === 'finally_clause'
    ) {
      collectNestedBlocks(child, source, out);
    }
  }
}

function convertAssignment(node: Node, source: string): Stmt | undefined {
  const targets: Target[] = [];
  let current: Node | null = node;
  let value: Node | null = null;
  while (current && current.type === 'assignment') {
    const left = current.childForFieldName('left');
    if (left) targets.push(convertTarget(left));
    value = current.childForFieldName('right');
    current = value;
  }
  if (!value) {
    // An annotation without a value (`x: int`).
    return undefined;
  }
  const statement = node.parent ?? node;
  return { k: 'assign', targets, value: convertExpr(value, source), line: node.startPosition.row + 1, span: spanOf(statement) };
}

function convertTarget(node: Node): Target {
  if (node.type === 'identifier') return { k: 'name', id: node.text };
  if (node.type === 'pattern_list' || node.type === 'tuple_pattern' || node.type === 'list_pattern' || node.type === 'tuple' || node.type === 'list') {
    return { k: 'seq', items: node.namedChildren.map(convertTarget) };
  }
  if (node.type === 'parenthesized_expression' && node.firstNamedChild) return convertTarget(node.firstNamedChild);
  return { k: 'other' };
}

function convertFunction(node: Node, decorators: Expr[], source: string): FunctionIR {
  const nameNode = node.childForFieldName('name');
  const paramsNode = node.childForFieldName('parameters');
  const bodyNode = node.childForFieldName('body');
  const returnType = node.childForFieldName('return_type');
  const isAsync = node.firstChild?.type === 'async';
  const params: Param[] = paramsNode ? convertParams(paramsNode, source) : [];
  let body: Stmt[] | null = null;
  let bodyFacts: FunctionIR['bodyFacts'];
  if (bodyNode) {
    const bodyText = source.slice(bodyNode.startIndex, bodyNode.endIndex);
    const paramsText = paramsNode ? source.slice(paramsNode.startIndex, paramsNode.endIndex) : '';
    const returnsRouter = returnType !== null && /\b(?:APIRouter|FastAPI|Starlette)\b/.test(returnType.text);
    if (RELEVANT_BODY.test(bodyText) || RELEVANT_PARAMS.test(paramsText) || returnsRouter) body = convertBlock(bodyNode, source);
    else body = convertPlainReturns(bodyNode, source);
    // Dependencies (auth, sessions) are recognised later; what they return is read from the text here.
    if (/\b(?:Depends|Security)\b|current_user|_user\b|get_db|session/i.test(paramsText) || /current_user|get_user|authenticate|get_db|get_session/i.test(nameNode?.text ?? '')) {
      bodyFacts = summarizeBody(bodyText);
    }
  }
  return {
    name: nameNode?.text ?? '<anonymous>',
    line: node.startPosition.row + 1,
    isAsync,
    decorators,
    params,
    returns: returnType ? source.slice(returnType.startIndex, returnType.endIndex) : undefined,
    body,
    bodyFacts,
  };
}

/**
 * For a skipped body, its top-level `return name` / `return call(...)` / `return a.b` statements only, so
 * small helpers still give their value (`def get_settings(): return Settings()`) without a walk of the body.
 */
function convertPlainReturns(body: Node, source: string): Stmt[] | null {
  const out: Stmt[] = [];
  for (const statement of body.namedChildren) {
    if (statement.type !== 'return_statement') continue;
    const value = statement.firstNamedChild;
    if (value && (value.type === 'identifier' || value.type === 'attribute' || value.type === 'call')) {
      out.push({ k: 'return', value: convertExpr(value, source), line: statement.startPosition.row + 1 });
    }
  }
  return out.length > 0 ? out : null;
}

function summarizeBody(text: string): NonNullable<FunctionIR['bodyFacts']> {
  const returnNames = [...text.matchAll(/\breturn\s+([A-Za-z_]\w*)\s*$/gm)].map((m) => m[1]!);
  const subscriptKeys = [...text.matchAll(/\[\s*["'](\w+)["']\s*\]|\.get\(\s*["'](\w+)["']/g)].map((m) => (m[1] ?? m[2])!);
  const attributeNames = [...text.matchAll(/\b(?:user|current_user|db_user)\.(\w+)/g)].map((m) => m[1]!);
  return {
    returnsDict: /\breturn\s*(?:\{|dict\()/.test(text),
    subscriptKeys: [...new Set(subscriptKeys)],
    attributeNames: [...new Set(attributeNames)],
    returnNames: [...new Set(returnNames)],
    text: text.length > 4000 ? text.slice(0, 4000) : text,
  };
}

function convertParams(node: Node, source: string): Param[] {
  const params: Param[] = [];
  for (const child of node.namedChildren) {
    switch (child.type) {
      case 'identifier':
        params.push({ name: child.text });
        break;
      case 'typed_parameter': {
        const name = child.firstNamedChild;
        const type = child.childForFieldName('type');
        if (name && name.type === 'identifier') params.push({ name: name.text, annotation: type ? convertType(type, source) : undefined });
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter': {
        const name = child.childForFieldName('name');
        const type = child.childForFieldName('type');
        const value = child.childForFieldName('value');
        if (name) {
          params.push({
            name: name.text,
            annotation: type ? convertType(type, source) : undefined,
            default: value ? convertExpr(value, source) : undefined,
          });
        }
        break;
      }
      default:
        break;
    }
  }
  return params;
}

/** Annotations parse as `type` nodes; `Annotated[User, Depends(x)]` is a `generic_type` there. */
function convertType(node: Node, source: string): Expr {
  const inner = node.type === 'type' ? node.firstNamedChild : node;
  if (!inner) return { k: 'other', text: node.text, line: node.startPosition.row + 1 };
  if (inner.type === 'generic_type') {
    const head = inner.firstNamedChild;
    const params = inner.namedChildren.find((c) => c.type === 'type_parameter');
    return {
      k: 'sub',
      obj: head ? convertExpr(head, source) : { k: 'other', text: '', line: inner.startPosition.row + 1 },
      index: params ? params.namedChildren.map((c) => convertType(c, source)) : [],
      line: inner.startPosition.row + 1,
    };
  }
  return convertExpr(inner, source);
}

function convertClass(node: Node, source: string): ClassIR {
  const nameNode = node.childForFieldName('name');
  const superclasses = node.childForFieldName('superclasses');
  const body = node.childForFieldName('body');
  const fields: ClassIR['fields'] = [];
  const decoratedMethods: FunctionIR[] = [];
  if (body) {
    for (const statement of body.namedChildren) {
      if (statement.type === 'decorated_definition') {
        const method = convertStatementList(statement, source).find((s) => s.k === 'def');
        if (method?.k === 'def') decoratedMethods.push(method.fn);
        continue;
      }
      if (statement.type !== 'expression_statement') continue;
      const assignment = statement.firstNamedChild;
      if (!assignment || assignment.type !== 'assignment') continue;
      // `A = B = "/x"` binds both names; the value is the innermost right-hand side.
      const names: Array<{ name: string; annotation?: string }> = [];
      let current: Node | null = assignment;
      let right: Node | null = null;
      while (current && current.type === 'assignment') {
        const left = current.childForFieldName('left');
        const type = current.childForFieldName('type');
        if (left?.type === 'identifier') names.push({ name: left.text, annotation: type ? source.slice(type.startIndex, type.endIndex) : undefined });
        right = current.childForFieldName('right');
        current = right;
      }
      const value = right && isCheapValue(right) ? convertExpr(right, source) : undefined;
      for (const { name, annotation } of names) fields.push({ name, value, annotation });
    }
  }
  return {
    name: nameNode?.text ?? '<anonymous>',
    line: node.startPosition.row + 1,
    bases: superclasses ? superclasses.namedChildren.map((c) => convertExpr(c, source)) : [],
    fields,
    decoratedMethods,
  };
}

function convertStatementList(node: Node, source: string): Stmt[] {
  const out: Stmt[] = [];
  convertStatement(node, source, out);
  return out;
}

/** Class attribute values the resolver can use as path parts; anything else is recorded without a value. */
function isCheapValue(node: Node): boolean {
  const type = node.type;
  if (type === 'call') {
    // pydantic's `Field("/api/v1", ...)` / `Field(default=...)` holds the default; model columns are not needed.
    const fn = node.childForFieldName('function');
    return fn !== null && /(?:^|\.)Field$/.test(fn.text);
  }
  return type === 'string' || type === 'concatenated_string' || type === 'binary_operator' || type === 'identifier' || type === 'attribute';
}

export function convertExpr(node: Node, source: string): Expr {
  const line = node.startPosition.row + 1;
  switch (node.type) {
    case 'string':
      return convertString(node, source);
    case 'concatenated_string': {
      const parts = node.namedChildren.map((c) => convertString(c, source));
      return parts.reduce<Expr>((l, r) => ({ k: 'bin', l, r, line }), { k: 'str', v: '', line });
    }
    case 'identifier':
      return { k: 'name', id: node.text, line };
    case 'attribute': {
      const obj = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute');
      if (!obj || !attr) break;
      return { k: 'attr', obj: convertExpr(obj, source), name: attr.text, line };
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      const argsNode = node.childForFieldName('arguments');
      if (!fn) break;
      const args: Expr[] = [];
      const kw: Record<string, Expr> = {};
      if (argsNode && argsNode.type === 'argument_list') {
        for (const arg of argsNode.namedChildren) {
          if (arg.type === 'keyword_argument') {
            const name = arg.childForFieldName('name');
            const value = arg.childForFieldName('value');
            if (name && value) kw[name.text] = convertExpr(value, source);
          } else if (arg.type !== 'comment') {
            args.push(convertExpr(arg, source));
          }
        }
      }
      const text = source.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 200));
      return { k: 'call', fn: convertExpr(fn, source), args, kw, span: spanOf(node), text };
    }
    case 'binary_operator': {
      const operator = node.childForFieldName('operator');
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      if (operator?.type === '+' && l && r) return { k: 'bin', l: convertExpr(l, source), r: convertExpr(r, source), line };
      break;
    }
    case 'tuple':
    case 'list':
    case 'set':
    case 'expression_list':
      return { k: 'seq', items: node.namedChildren.filter((c) => c.type !== 'comment').map((c) => convertExpr(c, source)), line };
    case 'parenthesized_expression': {
      const inner = node.firstNamedChild;
      if (inner) return convertExpr(inner, source);
      break;
    }
    case 'dictionary': {
      const entries: Array<[Expr, Expr]> = [];
      for (const pair of node.namedChildren) {
        if (pair.type !== 'pair') continue;
        const key = pair.childForFieldName('key');
        const value = pair.childForFieldName('value');
        if (key && value) entries.push([convertExpr(key, source), convertExpr(value, source)]);
      }
      return { k: 'dict', entries, line };
    }
    case 'subscript': {
      const value = node.childForFieldName('value');
      if (!value) break;
      return { k: 'sub', obj: convertExpr(value, source), index: node.childrenForFieldName('subscript').map((c) => convertExpr(c, source)), line };
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
  const text = source.slice(node.startIndex, node.endIndex);
  return { k: 'other', text: text.length > MAX_EXPR_TEXT ? text.slice(0, MAX_EXPR_TEXT) : text, line };
}

function convertString(node: Node, source: string): Expr {
  const line = node.startPosition.row + 1;
  if (node.type !== 'string') return convertExpr(node, source);
  const start = node.firstChild;
  const prefix = start && start.type === 'string_start' ? start.text.replace(/["']+$/, '').toLowerCase() : '';
  const raw = prefix.includes('r');
  const parts: Array<string | Expr> = [];
  let interpolated = false;
  for (const child of node.namedChildren) {
    if (child.type === 'string_content') parts.push(raw ? child.text : decodeEscapes(child.text));
    else if (child.type === 'escape_sequence') parts.push(raw ? child.text : decodeEscapes(child.text));
    else if (child.type === 'interpolation') {
      interpolated = true;
      const expression = child.childForFieldName('expression') ?? child.firstNamedChild;
      parts.push(expression ? convertExpr(expression, source) : { k: 'other', text: child.text, line });
    }
  }
  if (!interpolated || !prefix.includes('f')) {
    return { k: 'str', v: parts.map((p) => (typeof p === 'string' ? p : '')).join(''), line };
  }
  // `{{` in an f-string is a literal brace.
  return { k: 'fstr', parts: parts.map((p) => (typeof p === 'string' ? p.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : p)), line };
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
