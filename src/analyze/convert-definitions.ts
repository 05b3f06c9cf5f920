/**
 * Function and class definitions to IR: a function's name, parameters (with their annotations and defaults),
 * decorators and return annotation, and its body — converted statement by statement only when it may run
 * router code, else only its plain top-level returns; a class's bases, the fields the resolver and the model
 * readers use, and its decorated methods.
 */
import { gotoFirstChildForIndex } from '../python/parse-python.js';
import { convertAnnotation, convertExpr } from './convert-expression.js';
import { convertBlock, convertStatement } from './convert-statements.js';
import { HTTP_METHOD_DECORATORS, mayHoldRouter, mayRunRouterCode } from './fastapi-router-api.js';
import { exprText } from './ir-expression-text.js';
import {
  fieldAt,
  forEachFieldChild,
  forEachNamedChild,
  gotoFirstNamedChild,
  lineOf,
  namedTypeAt,
  textAt,
  typeAt,
  type Walk,
} from './ir-tree-cursor.js';
import type { ClassIR, Expr, FunctionIR, Param, Stmt } from './python-ir.js';
import { needsBodyFacts, summarizeBody } from './summarize-function-body.js';

/** Enough of a class attribute's call (`Column(String(255), unique=True, index=True)`) to read what it declares. */
const MAX_FIELD_CALL_TEXT = 400;

// A function body is converted statement by statement only when it may register routes, build apps or
// routers, or pass one along (fastapi-router-api.ts says which calls count). Handler bodies, the bulk of
// a real codebase, are skipped: walking them node by node would cost more than parsing them.
export function convertFunction(w: Walk, decorators: Expr[]): FunctionIR {
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
        // A route handler runs per request, never at import or start-up: its body cannot register routes.
        const isHandler = decorators.some(isRouteDecorator);
        if (!isHandler && mayRunRouterCode(bodyText, routerCandidates(params, w.moduleRouters), returns))
          body = convertBlock(w);
        else body = convertPlainReturns(w, bodyText, bodyStart);
        if (needsBodyFacts(paramsText ?? '', name ?? '', bodyText)) bodyFacts = summarizeBody(bodyText);
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
  return (
    decorator.kind === 'call' &&
    decorator.function.kind === 'attribute' &&
    ROUTE_DECORATORS.has(decorator.function.name)
  );
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
          out.push({ kind: 'return', value: convertExpr(w, valueType), line: lineOf(w, at) });
        cursor.gotoParent();
      }
    }
    cursor.gotoParent();
  }
  return out.length > 0 ? out : null;
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

export function convertClass(w: Walk): ClassIR {
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
          const method = converted.find((s) => s.kind === 'def');
          if (method?.kind === 'def') decoratedMethods.push(method.function);
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
