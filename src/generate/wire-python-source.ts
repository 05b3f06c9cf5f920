import { findSyntaxProblem, type Tree as PythonTree, parsePython, type SyntaxNode } from '../python/parse-python.js';

export { findSyntaxProblem, type PythonTree, parsePython, type SyntaxNode };

/** A replacement of `text.slice(start, end)`; indices are JS string (UTF-16) offsets, as tree-sitter reports them. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** What one wiring transform decided for one target. */
export type WireOutcome =
  | { kind: 'edit'; edits: TextEdit[] }
  /** The edit is already in the file: nothing to do. */
  | { kind: 'present' }
  /** The edit cannot be made safely; `reason` says why, for the manual step. */
  | { kind: 'refused'; reason: string };

/** Applies non-overlapping edits (any order) computed against the same original text. */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const edit of sorted) {
    if (edit.end > limit) throw new Error(`overlapping Python edits at offset ${edit.start}`);
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
    limit = edit.start;
  }
  return result;
}

/** The line break the file already uses. */
export function detectEol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

export function lineStartOf(text: string, index: number): number {
  return text.lastIndexOf('\n', index - 1) + 1;
}

/** Offset just past the line break ending the line that contains `index` (or the text's end). */
export function lineEndAfter(text: string, index: number): number {
  const newline = text.indexOf('\n', index);
  return newline === -1 ? text.length : newline + 1;
}

/** Leading whitespace of the line containing `index`. */
export function indentationAt(text: string, index: number): string {
  const start = lineStartOf(text, index);
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** True when only whitespace precedes `index` on its line. */
export function startsItsLine(text: string, index: number): boolean {
  return text.slice(lineStartOf(text, index), index).trim() === '';
}

/** Offset of a 1-based line and a column in UTF-16 code units (the analyzer's span convention). */
export function offsetOfPosition(text: string, line: number, column: number): number | undefined {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const newline = text.indexOf('\n', start);
    if (newline === -1) return undefined;
    start = newline + 1;
  }
  return start + column;
}

/** Inserts `lines` as whole lines after the line containing `index`. */
export function insertLinesAfter(text: string, index: number, lines: string[], eol: string): TextEdit {
  const at = lineEndAfter(text, index);
  const needsBreak = at === text.length && text.length > 0 && !text.endsWith('\n');
  return { start: at, end: at, text: `${needsBreak ? eol : ''}${lines.map((l) => `${l}${eol}`).join('')}` };
}

export function namedArguments(list: SyntaxNode): SyntaxNode[] {
  return list.namedChildren.filter((n) => n.type !== 'comment');
}

/** The innermost node of one of `types` that starts exactly at `index`, or contains it when none starts there. */
export function findNodeAt(tree: PythonTree, index: number, types: string[]): SyntaxNode | undefined {
  let node: SyntaxNode | null = tree.rootNode.descendantForIndex(index);
  let containing: SyntaxNode | undefined;
  while (node) {
    if (types.includes(node.type)) {
      if (node.startIndex === index) return node;
      containing ??= node;
    }
    node = node.parent;
  }
  return containing;
}

/** Calls `name(...)` anywhere under `node`. */
export function findCallsTo(node: SyntaxNode, name: string): SyntaxNode[] {
  return node.descendantsOfType('call').filter((call) => call.childForFieldName('function')?.text === name);
}

/** The string literal's value when it is a plain (non-f) string without escapes worth decoding. */
export function stringLiteralValue(node: SyntaxNode | undefined | null): string | undefined {
  if (node?.type !== 'string') return undefined;
  const content = node.namedChildren.filter((c) => c.type === 'string_content');
  const start = node.namedChildren.find((c) => c.type === 'string_start');
  if (start && /[fF]/.test(start.text)) return undefined;
  return content.map((c) => c.text).join('');
}

/** A Python string literal for `value`, double-quoted. */
export function pythonString(value: string): string {
  return JSON.stringify(value);
}
