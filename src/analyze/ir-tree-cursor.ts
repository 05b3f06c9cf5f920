/**
 * Reading a tree-sitter tree for the statement IR (docs/ARCHITECTURE.md, "Parsing"): the cursor readers
 * (node types and fields, named children), the source text under the cursor, and lines and spans from
 * offsets. Every converter (convert-statements.ts, convert-definitions.ts, convert-expression.ts) reads the
 * tree only through these.
 */
import type * as Parser from '../python/parse-python.js';
import type { Span } from './python-ir.js';

export type Cursor = Parser.TreeCursor;

export function spanOf(node: Parser.SyntaxNode): Span {
  const start = node.startPosition;
  const end = node.endPosition;
  return { line: start.row + 1, column: start.column, endLine: end.row + 1, endColumn: end.column };
}

/**
 * The tree is read through one `TreeCursor` rather than `SyntaxNode`s: node-tree-sitter builds a JS object
 * (with a finalizer) for every node it hands out, which cost more than the parse itself on a large codebase,
 * while a cursor step is one native call. Every reader below starts on a node and leaves the cursor on it.
 * Lines and columns come from the source text (the cursor's indices are UTF-16 offsets, as tree-sitter's
 * columns are), so no position objects are made either.
 */
export interface Walk {
  cursor: Cursor;
  source: string;
  /** Offset of the first character of each line. */
  lineStarts: number[];
  /** Names the module binds to a new app or router (a function that passes one on is converted). */
  moduleRouters: string[];
}

// Names and named-ness by type id, and field names by field id, learnt from the cursor the first time an
// id is seen (the analyzer uses one grammar, so ids are stable for the whole run).
const typeNames: string[] = [];
const namedTypes: boolean[] = [];
const fieldNames: string[] = [];

/** The type of the node under the cursor. */
export function typeAt(cursor: Cursor): string {
  const id = cursor.nodeTypeId;
  return typeNames[id] ?? learnType(cursor, id);
}

/** The type of the node under the cursor when it is a named node (as `namedChildren` lists them), else undefined. */
export function namedTypeAt(cursor: Cursor): string | undefined {
  const id = cursor.nodeTypeId;
  const name = typeNames[id] ?? learnType(cursor, id);
  return namedTypes[id] ? name : undefined;
}

function learnType(cursor: Cursor, id: number): string {
  const name = cursor.nodeType;
  typeNames[id] = name;
  namedTypes[id] = cursor.nodeIsNamed;
  return name;
}

export function fieldAt(cursor: Cursor): string | undefined {
  const id = cursor.currentFieldId;
  if (id === 0) return undefined; // web-tree-sitter's id for "no field"
  let name = fieldNames[id];
  if (name === undefined) {
    name = cursor.currentFieldName ?? '';
    fieldNames[id] = name;
  }
  return name;
}

/** Moves to the first named child and returns its type; undefined (cursor unmoved) when there is none. */
export function gotoFirstNamedChild(cursor: Cursor): string | undefined {
  if (!cursor.gotoFirstChild()) return undefined;
  do {
    const type = namedTypeAt(cursor);
    if (type !== undefined) return type;
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
  return undefined;
}

/** Calls `visit` on each named child with the cursor on it. */
export function forEachNamedChild(cursor: Cursor, visit: (type: string) => void): void {
  if (!cursor.gotoFirstChild()) return;
  do {
    const type = namedTypeAt(cursor);
    if (type !== undefined) visit(type);
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
}

export function textAt(w: Walk): string {
  return w.source.slice(w.cursor.startIndex, w.cursor.endIndex);
}

export function lineStartsOf(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 0-based line of a source offset. */
function rowOf(w: Walk, index: number): number {
  const starts = w.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export const lineOf = (w: Walk, index: number): number => rowOf(w, index) + 1;

export function spanAt(w: Walk, start: number, end: number): Span {
  const row = rowOf(w, start);
  const endRow = rowOf(w, end);
  return {
    line: row + 1,
    column: start - w.lineStarts[row]!,
    endLine: endRow + 1,
    endColumn: end - w.lineStarts[endRow]!,
  };
}

/** Calls `visit` on each child that fills `field`, with the cursor on it. */
export function forEachChildWithField(cursor: Cursor, field: string, visit: () => void): void {
  if (!cursor.gotoFirstChild()) return;
  do {
    if (fieldAt(cursor) === field) visit();
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
}

/** Calls `visit` with the field of each child that has one, with the cursor on it, until it returns true. */
export function forEachFieldChild(cursor: Cursor, visit: (field: string) => unknown): void {
  if (!cursor.gotoFirstChild()) return;
  do {
    const field = fieldAt(cursor);
    if (field !== undefined && visit(field) === true) break;
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
}
