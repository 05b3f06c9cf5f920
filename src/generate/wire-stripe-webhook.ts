import { RUNTIME_ALIASES } from './runtime-contract.js';
import { findStatementAt } from './wire-app-install.js';
import {
  detectEol,
  findCallsTo,
  indentationAt,
  insertLinesAfter,
  type PythonTree,
  type SyntaxNode,
  startsItsLine,
  type WireOutcome,
} from './wire-python-source.js';

export interface WebhookTarget {
  /** Start of the `event = stripe.Webhook.construct_event(...)` statement, 1-based line, UTF-16 column. */
  line: number;
  column: number;
  eventVariable: string;
}

export function buildHandlerCall(eventVariable: string): string {
  return `${RUNTIME_ALIASES.handle_stripe_event}(${eventVariable})`;
}

/**
 * Hands every verified event of the app's own Stripe webhook to skene, on the line right after the event
 * is bound, inside the same block: the one place every verified event passes. After a `try` whose body
 * returns (`try: event = ...; return handle(event)`) nothing runs, so the call never goes there.
 *
 * Before:                                              After:
 *   try:                                                 try:
 *       event = stripe.Webhook.construct_event(...)          event = stripe.Webhook.construct_event(...)
 *       return process(event)                                skene_handle_stripe_event(event)
 *   except ValueError:                                       return process(event)
 *       return Response(status_code=400)                 except ValueError:
 *                                                            return Response(status_code=400)
 *
 * A failure in skene's handler inside the `try` may meet the app's own `except`: its answer is an
 * error either way, which Stripe retries (docs/ARCHITECTURE.md, the webhook hand-off).
 */
export function planWebhookHandlerCall(source: string, tree: PythonTree, target: WebhookTarget): WireOutcome {
  const statement = findStatementAt(source, tree, target.line, target.column);
  const assignment = statement?.namedChildren[0];
  const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
  if (!statement || left?.text !== target.eventVariable) {
    return {
      kind: 'refused',
      reason: `no "${target.eventVariable} = ...construct_event(...)" statement found at line ${target.line}`,
    };
  }
  let fn: SyntaxNode | null = statement;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  if (findCallsTo(fn ?? tree.rootNode, RUNTIME_ALIASES.handle_stripe_event).length > 0) return { kind: 'present' };
  const anchor = statement;
  if (!startsItsLine(source, anchor.startIndex)) {
    return { kind: 'refused', reason: 'the event is constructed on a line shared with other code' };
  }
  const indent = indentationAt(source, anchor.startIndex);
  return {
    kind: 'edit',
    edits: [
      insertLinesAfter(
        source,
        anchor.endIndex,
        [`${indent}${buildHandlerCall(target.eventVariable)}`],
        detectEol(source),
      ),
    ],
  };
}
