import {
  detectEol,
  findCallsTo,
  findNodeAt,
  indentationAt,
  insertLinesAfter,
  offsetOfPosition,
  startsItsLine,
  type PythonTree,
  type SyntaxNode,
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
  return `skene_install(${variable})`;
}

/** The assignment target when `statement` is `<variable> = ...` or `<variable>: T = ...`. */
function assignedName(statement: SyntaxNode): string | undefined {
  const assignment = statement.namedChildren[0];
  if (statement.namedChildren.length !== 1 || assignment?.type !== 'assignment') return undefined;
  const left = assignment.childForFieldName('left');
  return left?.type === 'identifier' ? left.text : undefined;
}

/** The simple statement that starts on the given line and sits directly in a module or block. */
export function findStatementAt(source: string, tree: PythonTree, line: number, column: number): SyntaxNode | undefined {
  const offset = offsetOfPosition(source, line, column);
  if (offset === undefined) return undefined;
  let node = findNodeAt(tree, offset, ['expression_statement']);
  while (node && node.parent && node.parent.type !== 'module' && node.parent.type !== 'block') {
    node = findNodeAt(tree, node.parent.startIndex, ['expression_statement']);
  }
  return node && node.parent && (node.parent.type === 'module' || node.parent.type === 'block') ? node : undefined;
}

/** The scope a statement lives in: its function body or the module. */
function enclosingScope(node: SyntaxNode): SyntaxNode {
  let scope: SyntaxNode = node;
  while (scope.parent && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  return scope;
}

/**
 * Installs skene on an app, on the line after the statement that creates it, at its indentation
 * (inside a factory function too).
 *
 * Before: `app = FastAPI(title="Reports")`
 * After:  `app = FastAPI(title="Reports")`
 *         `skene_install(app)`
 */
export function planAppInstall(source: string, tree: PythonTree, target: AppInstallTarget): WireOutcome {
  const statement = findStatementAt(source, tree, target.line, target.column);
  if (!statement || assignedName(statement) !== target.variable) {
    return { kind: 'refused', reason: `no "${target.variable} = FastAPI(...)" statement found at line ${target.line}` };
  }
  const scope = enclosingScope(statement);
  const installed = findCallsTo(scope, 'skene_install').some(
    (call) => call.childForFieldName('arguments')?.namedChildren[0]?.text === target.variable,
  );
  if (installed) return { kind: 'present' };
  const next = statement.nextSibling;
  if (!startsItsLine(source, statement.startIndex) || (next && next.type !== 'comment' && next.startPosition.row === statement.endPosition.row)) {
    return { kind: 'refused', reason: 'the app is created on a line shared with other code' };
  }
  const indent = indentationAt(source, statement.startIndex);
  return {
    kind: 'edit',
    edits: [insertLinesAfter(source, statement.endIndex, [`${indent}${buildInstallCall(target.variable)}`], detectEol(source))],
  };
}
