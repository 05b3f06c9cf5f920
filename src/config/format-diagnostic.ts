import { codeFrameColumns } from '@babel/code-frame';

/** A plain-text code frame (two lines of context, a caret under the column). */
export function buildCodeFrame(source: string, line: number, col: number): string {
  return codeFrameColumns(
    source,
    { start: { line, column: col } },
    { highlightCode: false, linesAbove: 2, linesBelow: 2 },
  );
}
