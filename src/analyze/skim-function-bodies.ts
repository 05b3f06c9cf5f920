import { type LogicalLine, logicalLinesOf } from '../python/python-logical-lines.js';
import { mayHoldRouter, mayRunRouterCode, moduleRouterNames } from './fastapi-router-api.js';

/**
 * The text the analyzer parses in place of a file's own: the same length, lines and columns, with the body
 * of every function it would not convert (extract-module-ir.ts converts a body only when it may run router
 * code, fastapi-router-api.ts) blanked to one parenthesized expression, so tree-sitter spends nothing on
 * the handler and helper bodies that are most of a codebase. The body's own top-level `return` statements
 * are kept, as the extractor reads them (`def get_settings(): return Settings()`). The extractor is handed
 * the original text beside the tree, so the facts it reads from a body's text are unchanged.
 *
 * Undefined when there is nothing to blank or the text is not read with certainty (python-logical-lines.ts):
 * the file is then parsed as it is. See docs/ARCHITECTURE.md, "Skimming function bodies".
 */
export function skimFunctionBodies(source: string): string | undefined {
  if (!/\bdef\b/.test(source)) return undefined;
  const lines = logicalLinesOf(source);
  if (!lines) return undefined;
  const moduleRouters = moduleRouterNames(source);
  const blanks: number[] = [];
  for (let index = 0; index < lines.length; index++) {
    const header = lines[index]!;
    if (!isFunctionHeader(source, header)) continue;
    const stop = bodyEnd(lines, index);
    if (stop === undefined) return undefined;
    const first = lines[index + 1]!;
    // Up to the next statement, so a trailing comment the tree puts in the body is weighed too.
    const bodyText = source.slice(first.start, lines[stop]?.start ?? source.length);
    const headerText = source.slice(header.start, header.end);
    const candidates = new Set([...moduleRouters, ...routerParameters(headerText)]);
    if (mayRunRouterCode(bodyText, candidates, headerText)) continue;
    let segmentStart = -1;
    let segmentEnd = -1;
    for (let i = index + 1; i < stop; i++) {
      const line = lines[i]!;
      if (line.indent === first.indent && holdsReturn(source, line)) {
        if (segmentStart !== -1) blanks.push(segmentStart, segmentEnd);
        segmentStart = -1;
      } else {
        if (segmentStart === -1) segmentStart = line.start;
        segmentEnd = line.end;
      }
    }
    if (segmentStart !== -1) blanks.push(segmentStart, segmentEnd);
    index = stop - 1;
  }
  if (blanks.length === 0) return undefined;
  const parts: string[] = [];
  let copied = 0;
  for (let b = 0; b < blanks.length; b += 2) {
    const start = blanks[b]!;
    const end = blanks[b + 1]!;
    parts.push(source.slice(copied, start));
    if (end - start === 1) parts.push('0');
    else parts.push('(', blank(source, start + 1, end - 1), ')');
    copied = end;
  }
  parts.push(source.slice(copied));
  return parts.join('');
}

/** Spaces in place of `source[from, to)`, its line breaks kept. */
function blank(source: string, from: number, to: number): string {
  let out = '';
  let at = from;
  while (at < to) {
    let next = at;
    while (next < to) {
      const code = source.charCodeAt(next);
      if (code === 10 || code === 13) break;
      next++;
    }
    if (next > at) out += ' '.repeat(next - at);
    if (next < to) out += source[next];
    at = next + 1;
  }
  return out;
}

/** `def f(...):` or `async def f(...):` with its body on the lines below. */
function isFunctionHeader(source: string, line: LogicalLine): boolean {
  if (source.charCodeAt(line.end - 1) !== 58 /* : */) return false;
  const head = source.slice(line.start, line.start + 12);
  return /^(?:async\s+)?def\s/.test(head);
}

/**
 * The index of the first logical line after the body of the `def` at `lines[index]` (the lines indented
 * further); undefined when the indentation is one Python rejects (no indented block, or a dedent to no
 * outer level), so the file is parsed as it is.
 */
function bodyEnd(lines: LogicalLine[], index: number): number | undefined {
  const headerIndent = lines[index]!.indent;
  const first = lines[index + 1];
  if (!first || first.indent <= headerIndent) return undefined;
  let i = index + 1;
  for (; i < lines.length; i++) {
    const indent = lines[i]!.indent;
    if (indent <= headerIndent) break;
    if (indent < first.indent) return undefined;
  }
  return i;
}

/** A line of the body that is, or may hold after a `;`, one of its own `return` statements. */
function holdsReturn(source: string, line: LogicalLine): boolean {
  if (source.startsWith('return', line.start) && !/[\w\u0080-\uffff]/.test(source.charAt(line.start + 6))) return true;
  const text = source.slice(line.start, line.end);
  return text.includes(';') && /\breturn\b/.test(text);
}

/**
 * The parameters of a `def` header that may hold an app or router, as the extractor's routerCandidates picks
 * them from the parsed parameters (unannotated, or annotated so that mayHoldRouter says yes; never self or
 * cls). When the header is not read with certainty, every name in it, which only blanks fewer bodies.
 */
function routerParameters(headerText: string): string[] {
  const everyName = (): string[] => headerText.match(/[A-Za-z_]\w*/g) ?? [];
  const text = headerText.replace(/(["'])(?:\\.|(?!\1)[^\\\n])*\1/g, '""');
  if (/["'#\\]|[^ -~]/.test(text.replace(/""/g, '').replace(/\s/g, ' '))) return everyName();
  const open = /^(?:async\s+)?def\s+[A-Za-z_]\w*\s*\(/.exec(text)?.[0].length;
  if (open === undefined) return everyName();
  const names: string[] = [];
  let depth = 0;
  let from = open;
  for (let i = from; i < text.length; i++) {
    const char = text[i]!;
    if (char === '(' || char === '[' || char === '{') depth++;
    else if ((char === ')' || char === ']' || char === '}') && depth > 0) depth--;
    else if ((char === ',' || char === ')') && depth === 0) {
      const parameter = /^\s*\*{0,2}\s*([A-Za-z_]\w*)\s*(?::([^=]*))?(?:=|$)/s.exec(text.slice(from, i));
      if (parameter) {
        const [, name, annotation] = parameter;
        // A string annotation (`'Any'`) was blanked above: it may name anything.
        const holds = annotation?.includes('""') || mayHoldRouter(annotation?.trim() || undefined);
        if (name !== 'self' && name !== 'cls' && holds) names.push(name!);
      }
      from = i + 1;
      if (char === ')') return names;
    }
  }
  return everyName();
}
