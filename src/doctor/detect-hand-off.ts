import { findStatementAt } from '../generate/wire-app-install.js';
import type { PythonTree, SyntaxNode } from '../generate/wire-python-source.js';

/** Where the webhook's hand-off call stands relative to the verified event. */
export type HandOffReach =
  /** `argument`: the text of the call's first argument (`event`), to compare with the verified event's name. */
  | { kind: 'runs'; line: number; argument?: string }
  /** The call is there but no verified event reaches it: `exit` is the `return`/`raise` in between. */
  | { kind: 'unreachable'; line: number; exit: { line: number; statement: 'return' | 'raise' } }
  /** The call sits in a branch (an `if`, an `except`) that not every verified event takes, or before the event is bound. */
  | { kind: 'not-every-event'; line: number; why: string }
  | { kind: 'missing' }
  /** The construct_event statement is not where the analysis said. */
  | { kind: 'unknown' };

const EXITS = new Set(['return_statement', 'raise_statement']);
/** Scopes whose returns and raises do not leave the webhook function. */
const NESTED_SCOPES = new Set(['function_definition', 'class_definition', 'lambda', 'decorated_definition']);

/** The statement (a direct child of a block or the module) that contains `node`. */
function statementOf(node: SyntaxNode): SyntaxNode | undefined {
  let current: SyntaxNode | null = node;
  while (current?.parent && current.parent.type !== 'block' && current.parent.type !== 'module')
    current = current.parent;
  return current?.parent ? current : undefined;
}

/** Every `return`/`raise` inside `statement` that leaves the webhook (not those of a nested def, class or lambda). */
function exitsIn(statement: SyntaxNode): SyntaxNode[] {
  if (EXITS.has(statement.type)) return [statement];
  if (NESTED_SCOPES.has(statement.type)) return [];
  return statement.namedChildren.flatMap(exitsIn);
}

const blockOf = (node: SyntaxNode | null | undefined): SyntaxNode | undefined =>
  node
    ? node.type === 'block'
      ? node
      : (node.namedChildren.find((child) => child.type === 'block') ?? undefined)
    : undefined;

/** True when a block always leaves: one of its statements always does (what follows it is dead). */
function blockAlwaysExits(block: SyntaxNode | undefined): boolean {
  return block?.namedChildren.some(alwaysExits) ?? false;
}

/** True when every path through `statement` ends in a `return` or `raise`. */
function alwaysExits(statement: SyntaxNode): boolean {
  switch (statement.type) {
    case 'return_statement':
    case 'raise_statement':
      return true;
    case 'if_statement': {
      const alternatives = statement.childrenForFieldName('alternative');
      const hasElse = alternatives.some((alternative) => alternative.type === 'else_clause');
      return (
        hasElse &&
        blockAlwaysExits(blockOf(statement.childForFieldName('consequence'))) &&
        alternatives.every((alternative) =>
          blockAlwaysExits(
            blockOf(
              alternative.childForFieldName('consequence') ?? alternative.childForFieldName('body') ?? alternative,
            ),
          ),
        )
      );
    }
    case 'with_statement':
      return blockAlwaysExits(blockOf(statement.childForFieldName('body')));
    case 'try_statement': {
      const clauses = statement.namedChildren;
      const final = clauses.find((clause) => clause.type === 'finally_clause');
      if (final && blockAlwaysExits(blockOf(final))) return true;
      const elseClause = clauses.find((clause) => clause.type === 'else_clause');
      const bodyExits =
        blockAlwaysExits(blockOf(statement.childForFieldName('body'))) ||
        (elseClause !== undefined && blockAlwaysExits(blockOf(elseClause.childForFieldName('body') ?? elseClause)));
      return (
        bodyExits &&
        clauses
          .filter((clause) => clause.type === 'except_clause' || clause.type === 'except_group_clause')
          .every((clause) => blockAlwaysExits(blockOf(clause)))
      );
    }
    default:
      return false;
  }
}

/** The statements of `block` strictly after `from` (from the start when undefined) and before `to` (to the end when undefined). */
function statementsBetween(block: SyntaxNode, from: SyntaxNode | undefined, to: SyntaxNode | undefined): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  let seen = from === undefined;
  for (const statement of block.namedChildren) {
    if (to && statement.id === to.id) break;
    if (seen) out.push(statement);
    if (from && statement.id === from.id) seen = true;
  }
  return out;
}

/** A block the hand-off's statement sits in that every path entering its statement runs: a with or try body, a try's else or finally. */
function enteredContainer(block: SyntaxNode): SyntaxNode | undefined {
  const owner = block.parent;
  if (!owner) return undefined;
  if (
    (owner.type === 'with_statement' || owner.type === 'try_statement') &&
    owner.childForFieldName('body')?.id === block.id
  )
    return owner;
  if ((owner.type === 'else_clause' || owner.type === 'finally_clause') && owner.parent?.type === 'try_statement')
    return owner.parent;
  return undefined;
}

type Verdict =
  | { kind: 'runs' }
  | { kind: 'dead'; exit: SyntaxNode }
  | { kind: 'some'; exit: SyntaxNode; inside: SyntaxNode };

/** What the statements on the way do to a verified event: nothing, always leave, or leave for some events. */
function judge(statements: SyntaxNode[]): Verdict {
  for (const statement of statements) {
    if (alwaysExits(statement)) return { kind: 'dead', exit: exitsIn(statement)[0] ?? statement };
    const exits = exitsIn(statement);
    if (exits.length > 0) return { kind: 'some', exit: exits[0]!, inside: statement };
  }
  return { kind: 'runs' };
}

const COMPOUND_NAMES: Record<string, string> = {
  if_statement: 'if',
  try_statement: 'try',
  with_statement: 'with',
  for_statement: 'for loop',
  while_statement: 'while loop',
  match_statement: 'match',
};

/**
 * Whether `skene_handle_stripe_event(...)` runs for every verified event: it must come after the
 * construct_event statement in the same function, in that statement's block, a block enclosing it, or a
 * `with`/`try` body entered on the way, with no `return` or `raise` on the way — one that always leaves makes
 * the call dead (a `try` whose body returns), one in an `if` or `except` leaves for some events only.
 * `handOffLines` are the 1-based lines of the calls (doctor finds them through the runtime's names).
 */
export function detectHandOffReach(
  source: string,
  tree: PythonTree,
  construct: { line: number; column: number },
  handOffLines: readonly number[],
): HandOffReach {
  const statement = findStatementAt(source, tree, construct.line, construct.column);
  if (!statement) return { kind: 'unknown' };
  let fn: SyntaxNode | null = statement;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  const scope = fn ?? tree.rootNode;
  const calls = scope.descendantsOfType('call').filter((call) => handOffLines.includes(call.startPosition.row + 1));
  if (calls.length === 0) return { kind: 'missing' };

  // The chain of statements from the construct_event one up to the function body: S, its try/if/with, ...
  const chain: SyntaxNode[] = [];
  for (let node: SyntaxNode | undefined = statement; node; ) {
    chain.push(node);
    const block: SyntaxNode | null = node.parent;
    if (!block || block.type === 'module' || block.id === fn?.childForFieldName('body')?.id) break;
    const owner: SyntaxNode | null = block.parent;
    node = owner ? statementOf(owner) : undefined;
    if (node && fn && node.id === fn.id) break;
  }

  let best: HandOffReach | undefined;
  for (const call of calls) {
    const line = call.startPosition.row + 1;
    const handOff = statementOf(call);
    if (!handOff || handOff.startIndex < statement.endIndex) {
      best ??= { kind: 'not-every-event', line, why: `it comes before the event is bound (line ${construct.line})` };
      continue;
    }
    // Up from the call through the with/try bodies it sits in, keeping what runs before it inside them.
    let outer = handOff;
    const inside: SyntaxNode[] = [];
    let level = chain.findIndex((link) => link.parent?.id === outer.parent?.id);
    while (level === -1 && outer.parent) {
      const container = enteredContainer(outer.parent);
      if (!container || container.id === fn?.id) break;
      inside.unshift(...statementsBetween(outer.parent, undefined, outer));
      outer = container;
      if (chain.some((link) => link.id === container.id)) {
        // The call is in an else/finally of the try that holds the event: the try's body comes first.
        level = chain.findIndex((link) => link.id === container.id);
        break;
      }
      level = chain.findIndex((link) => link.parent?.id === outer.parent?.id);
    }
    if (level === -1) {
      best ??= {
        kind: 'not-every-event',
        line,
        why: 'it sits in a branch (an if, an except, a loop) that not every verified event takes',
      };
      continue;
    }
    const onTheWay: SyntaxNode[] = [];
    for (let j = 0; j < level; j++) onTheWay.push(...statementsBetween(chain[j]!.parent!, chain[j]!, undefined));
    if (chain[level]!.id !== outer.id) onTheWay.push(...statementsBetween(chain[level]!.parent!, chain[level]!, outer));
    onTheWay.push(...inside);
    const verdict = judge(onTheWay);
    if (verdict.kind === 'runs') {
      const argument = call.childForFieldName('arguments')?.namedChildren[0]?.text;
      return { kind: 'runs', line, ...(argument === undefined ? {} : { argument }) };
    }
    const exitLine = verdict.exit.startPosition.row + 1;
    const exitName = verdict.exit.type === 'return_statement' ? 'return' : 'raise';
    best =
      verdict.kind === 'dead'
        ? { kind: 'unreachable', line, exit: { line: exitLine, statement: exitName } }
        : {
            kind: 'not-every-event',
            line,
            why: `the ${exitName} at line ${exitLine} (in the ${COMPOUND_NAMES[verdict.inside.type] ?? verdict.inside.type} at line ${verdict.inside.startPosition.row + 1}) comes first for some events`,
          };
  }
  return best ?? { kind: 'missing' };
}
