import { findStatementAt } from '../generate/wire-app-install.js';
import type { PythonTree, SyntaxNode } from '../generate/wire-python-source.js';

/** Where the webhook's hand-off call stands relative to the verified event. */
export type HandOffReach =
  | { kind: 'runs'; line: number }
  /** The call is there but no verified event reaches it: `exit` is the `return`/`raise` in between. */
  | { kind: 'unreachable'; line: number; exit: { line: number; statement: 'return' | 'raise' } }
  /** The call sits in a branch (an `if`, an `except`) that not every verified event takes, or before the event is bound. */
  | { kind: 'not-every-event'; line: number; why: string }
  | { kind: 'missing' }
  /** The construct_event statement is not where the analysis said. */
  | { kind: 'unknown' };

const EXITS = new Set(['return_statement', 'raise_statement']);

/** The statement (a direct child of a block or the module) that contains `node`. */
function statementOf(node: SyntaxNode): SyntaxNode | undefined {
  let current: SyntaxNode | null = node;
  while (current?.parent && current.parent.type !== 'block' && current.parent.type !== 'module')
    current = current.parent;
  return current?.parent ? current : undefined;
}

/** The first `return`/`raise` directly in `block` strictly between `from` and `to` (exclusive; `to` undefined: to the block's end). */
function exitBetween(block: SyntaxNode, from: SyntaxNode, to: SyntaxNode | undefined): SyntaxNode | undefined {
  let seen = false;
  for (const statement of block.namedChildren) {
    if (statement.id === from.id) {
      seen = true;
      continue;
    }
    if (to && statement.id === to.id) return undefined;
    if (seen && EXITS.has(statement.type)) return statement;
  }
  return undefined;
}

/**
 * Whether `skene_handle_stripe_event(...)` runs for every verified event: it must come after the
 * construct_event statement in the same function, in that statement's block or a block enclosing it,
 * with no `return` or `raise` on the way (a `try` whose body returns makes the line after it dead).
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
    const level = chain.findIndex((link) => link.parent?.id === handOff.parent?.id);
    if (level === -1) {
      best ??= {
        kind: 'not-every-event',
        line,
        why: 'it sits in a branch (an if, an except, a loop) that not every verified event takes',
      };
      continue;
    }
    let exit: SyntaxNode | undefined;
    for (let j = 0; j < level && !exit; j++) exit = exitBetween(chain[j]!.parent!, chain[j]!, undefined);
    exit ??= exitBetween(chain[level]!.parent!, chain[level]!, handOff);
    if (!exit) return { kind: 'runs', line };
    best = {
      kind: 'unreachable',
      line,
      exit: { line: exit.startPosition.row + 1, statement: exit.type === 'return_statement' ? 'return' : 'raise' },
    };
  }
  return best ?? { kind: 'missing' };
}
