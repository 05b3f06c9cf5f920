import {
  applyTextEdits,
  detectEol,
  findCallsTo,
  findNodeAt,
  indentationAt,
  insertLinesAfter,
  namedArguments,
  offsetOfPosition,
  pythonString,
  stringLiteralValue,
  type PythonTree,
  type SyntaxNode,
  type TextEdit,
  type WireOutcome,
} from './wire-python-source.js';

/** The route's own user dependency, passed to the gate when it is not the project's primary one. */
export interface GateAuth {
  /** As written in the route's file: `get_current_active_user`, `deps.get_current_user`, `CurrentUser`. */
  name: string;
  /** For `Security(..., scopes=[...])`. */
  scopes?: string[];
}

export interface RouteGateTarget {
  /** The registration call's position (1-based line, UTF-16 column), from `RouteFact.registration.span`. */
  line: number;
  column: number;
  stepId: string;
  auth?: GateAuth;
  /**
   * True for a route without a user dependency in a project that has one: the gate must not add the
   * project's auth dependency (a sign-up would answer 401), so it counts whoever `identify(request)` returns.
   */
  identify?: boolean;
  /**
   * The loop's step ids. A `skene_gate("<id>")` already on the route with an id not among them is a
   * gate of a renamed step: it is re-pointed at `stepId` instead of a second gate being added.
   */
  knownStepIds?: ReadonlySet<string>;
}

/** How a gate finds the user: the route's own dependency (`auth`), or `identify(request)` (`identify`). */
export type GateIdentity = Pick<RouteGateTarget, 'auth' | 'identify'>;

/**
 * `skene_gate("reports", auth=get_current_active_user, scopes=["items"])`, or for a route without a user
 * dependency `skene_gate("signup", identify=True)`.
 */
export function buildGateCall(stepId: string, identity: GateIdentity = {}): string {
  const args = [pythonString(stepId)];
  const { auth } = identity;
  if (identity.identify) args.push('identify=True');
  else if (auth) {
    args.push(`auth=${auth.name}`);
    if (auth.scopes && auth.scopes.length > 0) args.push(`scopes=[${auth.scopes.map(pythonString).join(', ')}]`);
  }
  return `skene_gate(${args.join(', ')})`;
}

export function buildGateDependency(stepId: string, identity: GateIdentity = {}): string {
  return `Depends(${buildGateCall(stepId, identity)})`;
}

function findRegistrationCall(source: string, tree: PythonTree, target: RouteGateTarget): SyntaxNode | undefined {
  const offset = offsetOfPosition(source, target.line, target.column);
  if (offset === undefined) return undefined;
  const call = findNodeAt(tree, offset, ['call']);
  if (call?.startIndex === offset) return call;
  // A column counted differently (tabs, wide characters): fall back to the one decorator call on that line.
  const onLine = tree.rootNode
    .descendantsOfType('decorator')
    .map((d) => d.namedChildren.find((c) => c.type === 'call'))
    .filter((c): c is SyntaxNode => c !== undefined && c.startPosition.row === target.line - 1);
  return onLine.length === 1 ? onLine[0] : undefined;
}

function hasGateFor(node: SyntaxNode, stepId: string): boolean {
  return findCallsTo(node, 'skene_gate').some((call) => {
    const first = call.childForFieldName('arguments')?.namedChildren[0];
    return stringLiteralValue(first) === stepId;
  });
}

/**
 * Inserts `item` as the last element of a bracketed sequence (`[...]` or `(...)`), keeping its layout:
 * one per line when the sequence already spans lines, inline otherwise.
 */
function appendToSequence(source: string, open: SyntaxNode, close: SyntaxNode, items: SyntaxNode[], item: string): TextEdit[] {
  const last = items.at(-1);
  if (!last) return [{ start: open.endIndex, end: open.endIndex, text: item }];
  const afterLast = last.nextSibling;
  const trailingComma = afterLast?.type === ',' ? afterLast : undefined;
  const multiline = close.startPosition.row !== last.endPosition.row;
  if (multiline) {
    // A new line after the last element's line, so a trailing comment stays where it was.
    const indent = indentationAt(source, last.startIndex);
    const line = insertLinesAfter(source, last.endIndex, [`${indent}${item}${trailingComma ? ',' : ''}`], detectEol(source));
    return trailingComma ? [line] : [{ start: last.endIndex, end: last.endIndex, text: ',' }, line];
  }
  return [{ start: last.endIndex, end: last.endIndex, text: `, ${item}` }];
}

/** The first argument of a `skene_gate("<id>")` on the call whose id is no step of the loop. */
function findStaleGateArgument(call: SyntaxNode, target: RouteGateTarget): SyntaxNode | undefined {
  const known = target.knownStepIds;
  if (!known) return undefined;
  for (const gate of findCallsTo(call, 'skene_gate')) {
    const first = gate.childForFieldName('arguments')?.namedChildren[0];
    const id = stringLiteralValue(first);
    if (first && id !== undefined && !known.has(id)) return first;
  }
  return undefined;
}

/** The step id of a stale gate on the route registered at `target` (see `knownStepIds`). */
export function findStaleGateId(source: string, tree: PythonTree, target: RouteGateTarget): string | undefined {
  const call = findRegistrationCall(source, tree, target);
  return call ? stringLiteralValue(findStaleGateArgument(call, target)) : undefined;
}

/** The edits adding the gate to a registration call's arguments, whatever the call is (decorator or not). */
function planGateArgument(source: string, call: SyntaxNode, target: RouteGateTarget, manual = false): WireOutcome {
  if (hasGateFor(call, target.stepId)) return { kind: 'present' };
  const stale = findStaleGateArgument(call, target);
  if (stale) return { kind: 'edit', edits: [{ start: stale.startIndex, end: stale.endIndex, text: pythonString(target.stepId) }] };
  const argumentList = call.childForFieldName('arguments');
  if (!argumentList || argumentList.type !== 'argument_list') {
    return { kind: 'refused', reason: 'the registration call has no argument list' };
  }
  const args = namedArguments(argumentList);
  const dependency = buildGateDependency(target.stepId, target);
  const splat = args.find((a) => a.type === 'dictionary_splat' || a.type === 'list_splat');
  if (splat) {
    // For the user only: the splat may hold dependencies= already, which only they can tell.
    if (manual && splat.type === 'dictionary_splat') return { kind: 'edit', edits: [{ start: splat.startIndex, end: splat.startIndex, text: `dependencies=[${dependency}], ` }] };
    return { kind: 'refused', reason: 'the call passes *args/**kwargs, which may already hold dependencies=' };
  }
  const existing = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'dependencies');
  if (existing) {
    const value = existing.childForFieldName('value');
    const open = value?.child(0);
    const close = value?.child(value.childCount - 1);
    if (!value || value.type !== 'list' || !open || !close || open.type !== '[' || close.type !== ']') {
      if (manual && value) {
        // `dependencies=AUDITED` → `dependencies=AUDITED + [Depends(skene_gate("x"))]`, for the user to check it is a list.
        const simple = ['identifier', 'attribute', 'call', 'subscript'].includes(value.type);
        const text = `${simple ? value.text : `(${value.text})`} + [${dependency}]`;
        return { kind: 'edit', edits: [{ start: value.startIndex, end: value.endIndex, text }] };
      }
      return { kind: 'refused', reason: 'dependencies= is not a list literal' };
    }
    return { kind: 'edit', edits: appendToSequence(source, open, close, namedArguments(value), dependency) };
  }
  const open = argumentList.child(0);
  const close = argumentList.child(argumentList.childCount - 1);
  if (!open || !close || open.type !== '(' || close.type !== ')') {
    return { kind: 'refused', reason: 'the registration call has no argument list' };
  }
  return { kind: 'edit', edits: appendToSequence(source, open, close, args, `dependencies=[${dependency}]`) };
}

/**
 * Gates one decorator-registered route.
 *
 * Before: `@router.post("/reports")`
 * After:  `@router.post("/reports", dependencies=[Depends(skene_gate("reports"))])`
 *
 * An existing `dependencies=[...]` list gets the gate appended; any other form of `dependencies=`
 * (a variable, a concatenation) or a `**kwargs` splat is refused, as is a call that is not a decorator.
 */
export function planRouteGate(source: string, tree: PythonTree, target: RouteGateTarget): WireOutcome {
  const call = findRegistrationCall(source, tree, target);
  if (!call) return { kind: 'refused', reason: `no route registration call found at line ${target.line}` };
  if (call.parent?.type !== 'decorator') {
    return hasGateFor(call, target.stepId) ? { kind: 'present' } : { kind: 'refused', reason: 'the route is not registered with a decorator' };
  }
  return planGateArgument(source, call, target);
}

/**
 * For a route skene leaves to the user (registered with `add_api_route(...)` or `router.get(p)(fn)`):
 * the registration's lines as they should read with the gate, or undefined when that cannot be computed.
 *
 * Before: `app.add_api_route("/stats", stats, methods=["GET"])`
 * After:  `app.add_api_route("/stats", stats, methods=["GET"], dependencies=[Depends(skene_gate("stats"))])`
 */
export function buildGatedRegistrationLines(source: string, tree: PythonTree, target: RouteGateTarget): { line: number; before: string; after: string } | undefined {
  const call = findRegistrationCall(source, tree, target);
  if (!call) return undefined;
  const outcome = planGateArgument(source, call, target, true);
  if (outcome.kind !== 'edit') return undefined;
  let statement: SyntaxNode = call;
  // A decorator's own line(s), or the whole statement of a call registration.
  while (statement.type !== 'decorator' && statement.parent && statement.parent.type !== 'module' && statement.parent.type !== 'block') {
    statement = statement.parent;
  }
  const start = source.lastIndexOf('\n', statement.startIndex - 1) + 1;
  const endBreak = source.indexOf('\n', statement.endIndex);
  const end = endBreak === -1 ? source.length : endBreak;
  const shifted = outcome.edits.map((edit) => ({ start: edit.start - start, end: edit.end - start, text: edit.text }));
  const before = source.slice(start, end);
  const after = applyTextEdits(before, shifted).replace(/\r?\n$/, '');
  return { line: statement.startPosition.row + 1, before: before.replace(/\r$/, ''), after };
}
