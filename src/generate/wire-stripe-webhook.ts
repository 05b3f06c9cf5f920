import { findStatementAt } from './wire-app-install.js';
import {
  detectEol,
  findCallsTo,
  indentationAt,
  insertLinesAfter,
  startsItsLine,
  type PythonTree,
  type SyntaxNode,
  type WireOutcome,
} from './wire-python-source.js';

export interface WebhookTarget {
  /** Start of the `event = stripe.Webhook.construct_event(...)` statement, 1-based line, UTF-16 column. */
  line: number;
  column: number;
  eventVariable: string;
}

export function buildHandlerCall(eventVariable: string): string {
  return `skene_handle_stripe_event(${eventVariable})`;
}

function exitsBlock(block: SyntaxNode | null | undefined): boolean {
  const last = block?.namedChildren.filter((n) => n.type !== 'comment').at(-1);
  return last?.type === 'raise_statement' || last?.type === 'return_statement';
}

/**
 * Where the handler call goes. `construct_event` usually sits in a `try:` whose handlers answer 400;
 * the call goes after the whole `try` statement then, so a failure in skene's handler is never
 * reported as a bad signature. When a handler falls through (the event may be unbound), it goes right
 * after the statement instead.
 */
function findInsertionStatement(statement: SyntaxNode): SyntaxNode {
  const block = statement.parent;
  const tryStatement = block?.parent;
  if (block?.type !== 'block' || tryStatement?.type !== 'try_statement' || tryStatement.childForFieldName('body')?.id !== block.id) {
    return statement;
  }
  const clauses = tryStatement.namedChildren.filter((n) => n.type === 'except_clause' || n.type === 'except_group_clause');
  const handlersExit = clauses.every((clause) => exitsBlock(clause.namedChildren.find((n) => n.type === 'block')));
  const hasOtherClauses = tryStatement.namedChildren.some((n) => n.type === 'else_clause' || n.type === 'finally_clause');
  return handlersExit && !hasOtherClauses ? tryStatement : statement;
}

/**
 * Hands every verified event of the app's own Stripe webhook to skene.
 *
 * Before:                                           After:
 *   try:                                              try:
 *       event = stripe.Webhook.construct_event(...)       event = stripe.Webhook.construct_event(...)
 *   except ValueError:                                except ValueError:
 *       raise HTTPException(400)                          raise HTTPException(400)
 *                                                     skene_handle_stripe_event(event)
 */
export function planWebhookHandlerCall(source: string, tree: PythonTree, target: WebhookTarget): WireOutcome {
  const statement = findStatementAt(source, tree, target.line, target.column);
  const assignment = statement?.namedChildren[0];
  const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
  if (!statement || left?.text !== target.eventVariable) {
    return { kind: 'refused', reason: `no "${target.eventVariable} = ...construct_event(...)" statement found at line ${target.line}` };
  }
  let fn: SyntaxNode | null = statement;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  if (findCallsTo(fn ?? tree.rootNode, 'skene_handle_stripe_event').length > 0) return { kind: 'present' };
  const anchor = findInsertionStatement(statement);
  if (!startsItsLine(source, anchor.startIndex)) {
    return { kind: 'refused', reason: 'the event is constructed on a line shared with other code' };
  }
  const indent = indentationAt(source, anchor.startIndex);
  return {
    kind: 'edit',
    edits: [insertLinesAfter(source, anchor.endIndex, [`${indent}${buildHandlerCall(target.eventVariable)}`], detectEol(source))],
  };
}
