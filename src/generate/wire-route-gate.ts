import type { RouteFact } from '../analyze/types.js';
import type { GateAuth, GateIdentity } from './gating-policy.js';
import { RUNTIME_ALIASES } from './runtime-contract.js';
import {
  applyTextEdits,
  detectEol,
  findCallsTo,
  findNodeAt,
  indentationAt,
  insertLinesAfter,
  namedArguments,
  offsetOfPosition,
  type PythonTree,
  pythonString,
  type SyntaxNode,
  stringLiteralValue,
  type TextEdit,
  type WireOutcome,
} from './wire-python-source.js';

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
  /** The handler declares the gate's user dependency itself: `handler_user=True`. */
  handlerUser?: boolean;
  /**
   * The loop's step ids. A `skene_gate("<id>")` already on the route with an id not among them is a
   * gate of a renamed step: it is re-pointed at `stepId` instead of a second gate being added.
   */
  knownStepIds?: ReadonlySet<string>;
}

/**
 * Every gate one registration should carry: one per step whose trigger matches a route it registers. A
 * `skene_gate("<id>")` on it for any other step is stale (the step is gone, or no longer matches this
 * route): it is re-pointed at a missing step when there is one, else removed.
 */
export interface RouteGatesTarget {
  line: number;
  column: number;
  /** The steps matching the route, in the loop's order; empty when no step matches it any more. */
  stepIds: readonly string[];
  auth?: GateAuth;
  identify?: boolean;
  handlerUser?: boolean;
  /** How the analysis saw the route registered; it names the form in a refusal. */
  registration?: RouteFact['registration']['kind'];
  /** Which gates of other steps count as stale; default: all of them. */
  isStale?: (stepId: string) => boolean;
}

/** What `planRouteGates` found and does: the stale gates it re-points or removes, the gates it adds. */
export interface RouteGatesPlan {
  outcome: WireOutcome;
  /** Step ids of the gates taken off (re-pointed or removed). */
  removed: string[];
  /** Step ids of the gates put on (new, or re-pointed from a stale one). */
  added: string[];
  /** Step ids of present gates whose `handler_user=True` was added or taken off to match the handler. */
  rewired?: string[];
}

/**
 * `skene_gate("reports", auth=get_current_active_user, scopes=["items"])`, `skene_gate("reports",
 * handler_user=True)` when the handler declares that user dependency itself, or for a route without a user
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
  if (identity.handlerUser && !identity.identify) args.push('handler_user=True');
  return `${RUNTIME_ALIASES.gate}(${args.join(', ')})`;
}

export function buildGateDependency(stepId: string, identity: GateIdentity = {}): string {
  return `Depends(${buildGateCall(stepId, identity)})`;
}

function findRegistrationCall(
  source: string,
  tree: PythonTree,
  target: { line: number; column: number },
): SyntaxNode | undefined {
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

/**
 * Inserts `item` as the last element of a bracketed sequence (`[...]` or `(...)`), keeping its layout:
 * one per line when the sequence already spans lines, inline otherwise.
 */
function appendToSequence(
  source: string,
  open: SyntaxNode,
  close: SyntaxNode,
  items: SyntaxNode[],
  item: string,
): TextEdit[] {
  const last = items.at(-1);
  if (!last) return [{ start: open.endIndex, end: open.endIndex, text: item }];
  const afterLast = last.nextSibling;
  const trailingComma = afterLast?.type === ',' ? afterLast : undefined;
  const multiline = close.startPosition.row !== last.endPosition.row;
  if (multiline) {
    // A new line after the last element's line, so a trailing comment stays where it was.
    const indent = indentationAt(source, last.startIndex);
    const line = insertLinesAfter(
      source,
      last.endIndex,
      [`${indent}${item}${trailingComma ? ',' : ''}`],
      detectEol(source),
    );
    return trailingComma ? [line] : [{ start: last.endIndex, end: last.endIndex, text: ',' }, line];
  }
  return [{ start: last.endIndex, end: last.endIndex, text: `, ${item}` }];
}

/** A `skene_gate("<id>")` in a registration call, with the element of the `dependencies=[...]` list holding it. */
interface PresentGate {
  call: SyntaxNode;
  id: string | undefined;
  /** The list element (`Depends(skene_gate(...))`) and its list, when the gate sits in a `dependencies=[...]` literal. */
  element?: SyntaxNode;
  list?: SyntaxNode;
  keyword?: SyntaxNode;
}

function findPresentGates(call: SyntaxNode): PresentGate[] {
  return findCallsTo(call, RUNTIME_ALIASES.gate).map((gate) => {
    const id = stringLiteralValue(gate.childForFieldName('arguments')?.namedChildren[0]);
    let element: SyntaxNode = gate;
    while (element.parent && element.parent.type !== 'list' && element.parent.id !== call.id) element = element.parent;
    const list = element.parent?.type === 'list' ? element.parent : undefined;
    const keyword =
      list?.parent?.type === 'keyword_argument' && list.parent.childForFieldName('name')?.text === 'dependencies'
        ? list.parent
        : undefined;
    return { call: gate, id, ...(list && keyword ? { element, list, keyword } : {}) };
  });
}

/**
 * The edits taking stale gates out of their `dependencies=[...]` list: each element with the comma after
 * it, a trailing run with the comma before it, and the whole `dependencies=` argument when nothing else
 * is left in it. Undefined when a gate is not a plain list element (the user's own construction).
 *
 * Before: `@router.post("/r", dependencies=[Depends(verify), Depends(skene_gate("old"))])`
 * After:  `@router.post("/r", dependencies=[Depends(verify)])`
 */
function planGateRemoval(_source: string, gates: PresentGate[]): TextEdit[] | undefined {
  if (gates.some((gate) => !gate.element || !gate.list || !gate.keyword)) return undefined;
  const byList = new Map<number, PresentGate[]>();
  for (const gate of gates) byList.set(gate.list!.id, [...(byList.get(gate.list!.id) ?? []), gate]);
  const edits: TextEdit[] = [];
  for (const group of byList.values()) {
    const list = group[0]!.list!;
    const keyword = group[0]!.keyword!;
    const elements = namedArguments(list);
    const removed = new Set(group.map((gate) => gate.element!.id));
    if (elements.every((element) => removed.has(element.id))) {
      // Nothing else in the list: the whole `dependencies=[...]` argument goes, with one comma.
      const args = namedArguments(keyword.parent!);
      const index = args.findIndex((arg) => arg.id === keyword.id);
      const previous = args[index - 1];
      const next = args[index + 1];
      if (previous) edits.push({ start: previous.endIndex, end: keyword.endIndex, text: '' });
      else if (next) edits.push({ start: keyword.startIndex, end: next.startIndex, text: '' });
      else edits.push({ start: keyword.startIndex, end: keyword.endIndex, text: '' });
      continue;
    }
    const lastKept = [...elements].reverse().find((element) => !removed.has(element.id))!;
    const lastKeptIndex = elements.indexOf(lastKept);
    elements.forEach((element, index) => {
      if (!removed.has(element.id) || index > lastKeptIndex) return;
      edits.push({ start: element.startIndex, end: elements[index + 1]!.startIndex, text: '' });
    });
    const trailing = elements.slice(lastKeptIndex + 1);
    if (trailing.length > 0) edits.push({ start: lastKept.endIndex, end: trailing.at(-1)!.endIndex, text: '' });
  }
  return edits;
}

/** The edits adding gates (one or more `Depends(...)` items) to a registration call's arguments, decorator or not. */
function planGateArguments(source: string, call: SyntaxNode, dependency: string, manual = false): WireOutcome {
  const argumentList = call.childForFieldName('arguments');
  if (argumentList?.type !== 'argument_list') {
    return { kind: 'refused', reason: 'the registration call has no argument list' };
  }
  const args = namedArguments(argumentList);
  const splat = args.find((a) => a.type === 'dictionary_splat' || a.type === 'list_splat');
  if (splat) {
    // For the user only: the splat may hold dependencies= already, which only they can tell.
    if (manual && splat.type === 'dictionary_splat')
      return {
        kind: 'edit',
        edits: [{ start: splat.startIndex, end: splat.startIndex, text: `dependencies=[${dependency}], ` }],
      };
    return { kind: 'refused', reason: 'the call passes *args/**kwargs, which may already hold dependencies=' };
  }
  const existing = args.find(
    (a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'dependencies',
  );
  if (existing) {
    const value = existing.childForFieldName('value');
    const open = value?.child(0);
    const close = value?.child(value.childCount - 1);
    if (value?.type !== 'list' || !open || !close || open.type !== '[' || close.type !== ']') {
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
 * The edit giving a present gate `handler_user=True`, or taking it off, when that no longer matches the
 * handler (docs/ARCHITECTURE.md, "where the gate runs"): a handler that declares the gate's user dependency
 * lets the gate read it; one that dropped it needs the gate to declare it again. Only that keyword changes.
 *
 * Before: `skene_gate("reports")` on `def create(user=Depends(get_current_user))`
 * After:  `skene_gate("reports", handler_user=True)`
 */
function planHandlerUserToggle(gate: PresentGate, wanted: boolean): TextEdit | undefined {
  const args = gate.call.childForFieldName('arguments');
  if (args?.type !== 'argument_list') return undefined;
  const named = namedArguments(args);
  if (named.some((arg) => arg.type === 'dictionary_splat' || arg.type === 'list_splat')) return undefined;
  const keywordValue = (name: string): string | undefined =>
    named
      .find((arg) => arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === name)
      ?.childForFieldName('value')?.text;
  if (keywordValue('identify') === 'True') return undefined;
  const index = named.findIndex(
    (arg) => arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'handler_user',
  );
  const has = index >= 0 && keywordValue('handler_user') === 'True';
  // `handler_user=<anything but True>` is the user's own choice.
  if ((index >= 0 && !has) || has === wanted) return undefined;
  if (wanted) {
    const last = named.at(-1);
    if (!last) return undefined;
    return { start: last.endIndex, end: last.endIndex, text: ', handler_user=True' };
  }
  if (index === 0) return undefined;
  return { start: named[index - 1]!.endIndex, end: named[index]!.endIndex, text: '' };
}

/** The gates a registration needs, as edits of its call; `manual` allows the forms only a person can check. */
function planGatesOnCall(source: string, call: SyntaxNode, target: RouteGatesTarget, manual = false): RouteGatesPlan {
  const present = findPresentGates(call);
  const isStale = target.isStale ?? (() => true);
  const stale = present.filter(
    (gate) => gate.id !== undefined && !target.stepIds.includes(gate.id) && isStale(gate.id),
  );
  const missing = target.stepIds.filter((id) => !present.some((gate) => gate.id === id));
  const handlerUser = target.handlerUser === true && target.identify !== true;
  const toggles = present.flatMap((gate) => {
    if (gate.id === undefined || !target.stepIds.includes(gate.id)) return [];
    const edit = planHandlerUserToggle(gate, handlerUser);
    return edit ? [{ id: gate.id, edit }] : [];
  });
  const rewired = toggles.map((toggle) => toggle.id);
  if (stale.length === 0 && missing.length === 0 && toggles.length === 0)
    return { outcome: { kind: 'present' }, removed: [], added: [] };
  const edits: TextEdit[] = toggles.map((toggle) => toggle.edit);
  // A stale gate is re-pointed at a missing step: the smallest edit, keeping its auth= or identify=True.
  const repointed = Math.min(stale.length, missing.length);
  for (let i = 0; i < repointed; i++) {
    const literal = stale[i]!.call.childForFieldName('arguments')!.namedChildren[0]!;
    edits.push({ start: literal.startIndex, end: literal.endIndex, text: pythonString(missing[i]!) });
  }
  const toRemove = stale.slice(repointed);
  if (toRemove.length > 0) {
    const removal = planGateRemoval(source, toRemove);
    if (!removal) {
      return {
        outcome: {
          kind: 'refused',
          reason: `the gate of step ${toRemove.map((g) => `"${g.id}"`).join(', ')} is not a plain item of a dependencies=[...] list`,
        },
        removed: stale.map((gate) => gate.id!),
        added: [],
      };
    }
    edits.push(...removal);
  }
  const toAdd = missing.slice(repointed);
  if (toAdd.length > 0) {
    const added = planGateArguments(
      source,
      call,
      toAdd.map((id) => buildGateDependency(id, target)).join(', '),
      manual,
    );
    if (added.kind !== 'edit') return { outcome: added, removed: stale.map((gate) => gate.id!), added: [] };
    edits.push(...added.edits);
  }
  return { outcome: { kind: 'edit', edits }, removed: stale.map((gate) => gate.id!), added: missing, rewired };
}

/**
 * Puts exactly the gates of the matching steps on one decorator-registered route, taking off the gates
 * of steps that no longer match it.
 *
 * Before: `@router.post("/reports")`
 * After:  `@router.post("/reports", dependencies=[Depends(skene_gate("reports"))])`
 *
 * An existing `dependencies=[...]` list gets the gate appended; any other form of `dependencies=`
 * (a variable, a concatenation) or a `**kwargs` splat is refused, as is a call that is not a decorator.
 */
export function planRouteGates(source: string, tree: PythonTree, target: RouteGatesTarget): RouteGatesPlan {
  const call = findRegistrationCall(source, tree, target);
  if (!call) {
    return target.stepIds.length === 0
      ? { outcome: { kind: 'present' }, removed: [], added: [] }
      : {
          outcome: { kind: 'refused', reason: `no route registration call found at line ${target.line}` },
          removed: [],
          added: [],
        };
  }
  const plan = planGatesOnCall(source, call, target);
  if (plan.outcome.kind !== 'present' && call.parent?.type !== 'decorator') {
    // Only handler_user=True to add: the gate works as written (it resolves the user itself), so a route
    // skene does not edit gets no hand edit for speed alone. Taking it off is a fix, and is listed.
    if (plan.removed.length === 0 && plan.added.length === 0 && target.handlerUser === true)
      return { outcome: { kind: 'present' }, removed: [], added: [] };
    return {
      outcome: { kind: 'refused', reason: notADecoratorReason(target.registration, plan) },
      removed: plan.removed,
      added: [],
      ...(plan.rewired ? { rewired: plan.rewired } : {}),
    };
  }
  return plan;
}

const REGISTRATION_FORMS = {
  add_api_route: 'add_api_route(...)',
  call: 'a call such as router.get(path)(handler)',
} as const;

function notADecoratorReason(registration: RouteGatesTarget['registration'], plan: RouteGatesPlan): string {
  const form = registration && registration !== 'decorator' ? REGISTRATION_FORMS[registration] : undefined;
  const notDecorator = form
    ? `the route is registered with ${form}, not a decorator`
    : 'the route is not registered with a decorator';
  // Nothing to take off, only handler_user=True to drop: the gate is wrong because the handler changed.
  const onlyRewired = plan.removed.length === 0 && (plan.rewired ?? []).length > 0;
  return onlyRewired
    ? `its gate reads the user from the handler (handler_user=True), which no longer declares the user dependency, and ${notDecorator}`
    : notDecorator;
}

/** One step's gate on one decorator route (see `planRouteGates`); a gate of a step not in `knownStepIds` is re-pointed. */
export function planRouteGate(source: string, tree: PythonTree, target: RouteGateTarget): WireOutcome {
  const known = target.knownStepIds;
  return planRouteGates(source, tree, {
    line: target.line,
    column: target.column,
    stepIds: [target.stepId],
    ...(target.auth ? { auth: target.auth } : {}),
    ...(target.identify ? { identify: true } : {}),
    ...(target.handlerUser ? { handlerUser: true } : {}),
    isStale: (id) => (known ? !known.has(id) : false),
  }).outcome;
}

/**
 * For a route skene leaves to the user (registered with `add_api_route(...)` or `router.get(p)(fn)`):
 * the registration's lines as they should read with the gate, or undefined when that cannot be computed.
 *
 * Before: `app.add_api_route("/stats", stats, methods=["GET"])`
 * After:  `app.add_api_route("/stats", stats, methods=["GET"], dependencies=[Depends(skene_gate("stats"))])`
 */
export function buildGatedRegistrationLines(
  source: string,
  tree: PythonTree,
  target: RouteGatesTarget,
): { line: number; before: string; after: string } | undefined {
  const call = findRegistrationCall(source, tree, target);
  if (!call) return undefined;
  const outcome = planGatesOnCall(source, call, target, true).outcome;
  if (outcome.kind !== 'edit') return undefined;
  let statement: SyntaxNode = call;
  // A decorator's own line(s), or the whole statement of a call registration.
  while (
    statement.type !== 'decorator' &&
    statement.parent &&
    statement.parent.type !== 'module' &&
    statement.parent.type !== 'block'
  ) {
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
