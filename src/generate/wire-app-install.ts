import { RUNTIME_ALIASES } from './runtime-contract.js';
import {
  detectEol,
  findCallsTo,
  findNodeAt,
  indentationAt,
  insertLinesAfter,
  offsetOfPosition,
  type PythonTree,
  type SyntaxNode,
  startsItsLine,
  type WireOutcome,
} from './wire-python-source.js';

export interface AppInstallTarget {
  /** Start of the statement creating the app (`AppFact.creation`), 1-based line, UTF-16 column. */
  line: number;
  column: number;
  /** The variable the app is bound to. */
  variable: string;
}

export function buildInstallCall(variable: string): string {
  return `${RUNTIME_ALIASES.install}(${variable})`;
}

/** The assignment target when `statement` is `<variable> = ...` or `<variable>: T = ...`. */
function assignedName(statement: SyntaxNode): string | undefined {
  const assignment = statement.namedChildren[0];
  if (statement.namedChildren.length !== 1 || assignment?.type !== 'assignment') return undefined;
  const left = assignment.childForFieldName('left');
  return left?.type === 'identifier' ? left.text : undefined;
}

/** The simple statement that starts on the given line and sits directly in a module or block. */
export function findStatementAt(
  source: string,
  tree: PythonTree,
  line: number,
  column: number,
): SyntaxNode | undefined {
  const offset = offsetOfPosition(source, line, column);
  if (offset === undefined) return undefined;
  let node = findNodeAt(tree, offset, ['expression_statement']);
  while (node?.parent && node.parent.type !== 'module' && node.parent.type !== 'block') {
    node = findNodeAt(tree, node.parent.startIndex, ['expression_statement']);
  }
  return node?.parent && (node.parent.type === 'module' || node.parent.type === 'block') ? node : undefined;
}

/** The scope a statement lives in: its function body or the module. */
function enclosingScope(node: SyntaxNode): SyntaxNode {
  let scope: SyntaxNode = node;
  while (scope.parent && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  return scope;
}

const EXITS = new Set(['return_statement', 'raise_statement']);

/** True when a statement directly in `block` assigns `variable`, or the block ends by leaving (return/raise). */
function blockCovers(block: SyntaxNode | null | undefined, variable: string): boolean {
  if (!block) return false;
  const statements = block.namedChildren.filter((n) => n.type !== 'comment');
  return (
    statements.some((statement) => assignedName(statement) === variable) || EXITS.has(statements.at(-1)?.type ?? '')
  );
}

/** True when a statement before `statement` in its block assigns `variable`. */
function assignedBefore(statement: SyntaxNode, variable: string): boolean {
  for (let previous = statement.previousNamedSibling; previous; previous = previous.previousNamedSibling) {
    if (assignedName(previous) === variable) return true;
  }
  return false;
}

/**
 * The compound statement (`if`, `try`, `with`) that the statement creating the app is in, when every path
 * through it leaves the app bound: each branch assigns it (or leaves), or it was bound before.
 */
function coveringCompound(statement: SyntaxNode, variable: string): SyntaxNode | undefined {
  const block = statement.parent;
  if (block?.type !== 'block') return undefined;
  let owner: SyntaxNode | null = block.parent;
  // `elif`/`else`/`except` clauses belong to their if/try statement.
  if (
    owner &&
    ['elif_clause', 'else_clause', 'except_clause', 'except_group_clause', 'finally_clause'].includes(owner.type)
  )
    owner = owner.parent;
  if (!owner) return undefined;
  if (owner.type === 'with_statement') return owner;
  if (owner.type === 'if_statement') {
    const branches = [
      owner.childForFieldName('consequence'),
      ...owner.namedChildren.filter((n) => n.type === 'elif_clause').map((n) => n.childForFieldName('consequence')),
    ];
    const elseClause = owner.namedChildren.find((n) => n.type === 'else_clause');
    const covered =
      branches.every((b) => blockCovers(b, variable)) &&
      (elseClause ? blockCovers(elseClause.childForFieldName('body'), variable) : false);
    return covered || assignedBefore(owner, variable) ? owner : undefined;
  }
  if (owner.type === 'try_statement') {
    const body = owner.childForFieldName('body');
    const handlers = owner.namedChildren.filter((n) => n.type === 'except_clause' || n.type === 'except_group_clause');
    const handled = handlers.every((h) =>
      blockCovers(
        h.namedChildren.find((n) => n.type === 'block'),
        variable,
      ),
    );
    return (blockCovers(body, variable) && handled) || assignedBefore(owner, variable) ? owner : undefined;
  }
  return undefined;
}

/**
 * The statement after which `skene_install(<app>)` runs on every path that creates the app: the creating
 * statement itself, or the `if`/`try`/`with` around it when the app is created in each of its branches.
 */
export function findInstallAnchor(source: string, tree: PythonTree, target: AppInstallTarget): SyntaxNode | undefined {
  const statement = findStatementAt(source, tree, target.line, target.column);
  if (!statement || assignedName(statement) !== target.variable) return undefined;
  let anchor = statement;
  for (let outer = coveringCompound(anchor, target.variable); outer; outer = coveringCompound(anchor, target.variable))
    anchor = outer;
  return anchor;
}

/**
 * Installs skene on an app, on the line after the statement that creates it, at its indentation
 * (inside a factory function too). An app created in each branch of an `if` is installed after the `if`.
 *
 * Before: `app = FastAPI(title="Reports")`      `if DEBUG:` / `    app = FastAPI(debug=True)` / `else:` / `    app = FastAPI()`
 * After:  `app = FastAPI(title="Reports")`      ... the same, then `skene_install(app)` after the `if`
 *         `skene_install(app)`
 */
export function planAppInstall(source: string, tree: PythonTree, target: AppInstallTarget): WireOutcome {
  const statement = findStatementAt(source, tree, target.line, target.column);
  const anchor = findInstallAnchor(source, tree, target);
  if (!statement || !anchor) {
    return { kind: 'refused', reason: `no "${target.variable} = FastAPI(...)" statement found at line ${target.line}` };
  }
  const scope = enclosingScope(statement);
  const installed = findCallsTo(scope, RUNTIME_ALIASES.install).some(
    (call) => call.childForFieldName('arguments')?.namedChildren[0]?.text === target.variable,
  );
  if (installed) return { kind: 'present' };
  const next = anchor.nextSibling;
  if (
    !startsItsLine(source, anchor.startIndex) ||
    (next && next.type !== 'comment' && next.startPosition.row === anchor.endPosition.row)
  ) {
    return { kind: 'refused', reason: 'the app is created on a line shared with other code' };
  }
  const indent = indentationAt(source, anchor.startIndex);
  return {
    kind: 'edit',
    edits: [
      insertLinesAfter(source, anchor.endIndex, [`${indent}${buildInstallCall(target.variable)}`], detectEol(source)),
    ],
  };
}
