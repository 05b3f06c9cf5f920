/**
 * Python's logical lines (the language reference, "Line structure"), read from the text alone: where each
 * statement line starts and ends and how far it is indented, with strings (every prefix, triple quotes,
 * f- and t-strings with nested fields as PEP 701 reads them), comments, brackets and backslash
 * continuations taken into account. A much cheaper pass than a parse, for callers that only need the block
 * structure (docs/ARCHITECTURE.md, "Skimming function bodies").
 *
 * It answers only when it is sure: text it does not read exactly as Python would (a tab or form feed in
 * indentation, an unterminated string, an unbalanced bracket, a stray backslash, a comment inside an
 * f-string field) gives undefined, and the caller falls back to a full parse.
 */

export interface LogicalLine {
  /** Offset of the line's first character after its indentation. */
  start: number;
  /** Offset just past its last character that is not whitespace or part of a trailing comment. */
  end: number;
  /** Spaces before `start` on its first physical line. */
  indent: number;
}

const NEWLINE = 10;
const RETURN = 13;
const SPACE = 32;
const TAB = 9;
const FORM_FEED = 12;
const HASH = 35;
const BACKSLASH = 92;
const SINGLE = 39;
const DOUBLE = 34;

/** Characters the line scanner must look at; everything between them only moves a line's end. */
const SPECIAL = /[\n\r#\\'"()[\]{}]/g;

class Unreadable extends Error {}

function isIdentifierChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code > 127
  );
}

/** The string prefix letters just before a quote at `quote` (`rb`, `f`, `T`…), lower-cased; '' when none. */
function prefixBefore(source: string, quote: number): string {
  let start = quote;
  while (start > 0 && quote - start < 3 && isIdentifierChar(source.charCodeAt(start - 1))) start--;
  if (start > 0 && isIdentifierChar(source.charCodeAt(start - 1))) return '';
  const prefix = source.slice(start, quote).toLowerCase();
  return /^(?:[rubft]|br|rb|fr|rf|tr|rt)$/.test(prefix) ? prefix : '';
}

/** Offset just past the string literal whose opening quote is at `at`. */
function skipString(source: string, at: number): number {
  const prefix = prefixBefore(source, at);
  const quote = source.charCodeAt(at);
  const triple = source.charCodeAt(at + 1) === quote && source.charCodeAt(at + 2) === quote;
  const interpolated = prefix.includes('f') || prefix.includes('t');
  return skipStringBody(source, triple ? at + 3 : at + 1, quote, triple, interpolated, false);
}

/**
 * Scans a string's characters from `from`: returns the offset past its closing quote, or, inside a format
 * spec (`inSpec`), the offset of the `}` that closes the replacement field.
 */
function skipStringBody(
  source: string,
  from: number,
  quote: number,
  triple: boolean,
  interpolated: boolean,
  inSpec: boolean,
): number {
  const length = source.length;
  let i = from;
  while (i < length) {
    const code = source.charCodeAt(i);
    if (code === BACKSLASH) {
      const next = source.charCodeAt(i + 1);
      if (interpolated && (next === 123 || next === 125)) throw new Unreadable();
      i += next === RETURN && source.charCodeAt(i + 2) === NEWLINE ? 3 : 2;
      continue;
    }
    if (code === quote) {
      if (!triple) return i + 1;
      if (source.charCodeAt(i + 1) === quote && source.charCodeAt(i + 2) === quote) return i + 3;
      i++;
      continue;
    }
    if ((code === NEWLINE || code === RETURN) && !triple) throw new Unreadable();
    if (interpolated && code === 123 /* { */) {
      if (source.charCodeAt(i + 1) === 123 && !inSpec) {
        i += 2;
        continue;
      }
      i = skipReplacementField(source, i + 1, quote, triple);
      continue;
    }
    if (interpolated && code === 125 /* } */) {
      if (inSpec) return i;
      if (source.charCodeAt(i + 1) === 125) {
        i += 2;
        continue;
      }
      throw new Unreadable();
    }
    i++;
  }
  throw new Unreadable();
}

/** The expression of an f-string field from `from` (past its `{`): returns the offset past the closing `}`. */
function skipReplacementField(source: string, from: number, quote: number, triple: boolean): number {
  const length = source.length;
  let depth = 0;
  let i = from;
  while (i < length) {
    const code = source.charCodeAt(i);
    switch (code) {
      case SINGLE:
      case DOUBLE:
        i = skipString(source, i);
        continue;
      case 40:
      case 91:
      case 123:
        depth++;
        break;
      case 41:
      case 93:
        if (depth === 0) throw new Unreadable();
        depth--;
        break;
      case 125:
        if (depth === 0) return i + 1;
        depth--;
        break;
      case 58 /* : */:
        // `!=`/`:=`/a slice sit inside brackets or are followed by `=`; a bare `:` starts the format spec.
        if (depth === 0 && source.charCodeAt(i + 1) !== 61) {
          const close = skipStringBody(source, i + 1, quote, triple, true, true);
          return close + 1;
        }
        break;
      case HASH:
      case BACKSLASH:
        throw new Unreadable();
      case NEWLINE:
      case RETURN:
        if (!triple) throw new Unreadable();
        break;
    }
    i++;
  }
  throw new Unreadable();
}

/** The logical lines of `source`, or undefined when it holds something this reader does not read exactly. */
export function logicalLinesOf(source: string): LogicalLine[] | undefined {
  try {
    return readLogicalLines(source);
  } catch (error) {
    if (error instanceof Unreadable) return undefined;
    throw error;
  }
}

function readLogicalLines(source: string): LogicalLine[] {
  const length = source.length;
  const lines: LogicalLine[] = [];
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < length) {
    // The start of a physical line outside any logical line: indentation, then a blank line, a comment or a statement.
    let indent = 0;
    let code = source.charCodeAt(i);
    while (code === SPACE) {
      indent++;
      code = source.charCodeAt(++i);
    }
    if (i >= length) break;
    if (code === TAB || code === FORM_FEED || code === BACKSLASH) throw new Unreadable();
    if (code === NEWLINE || code === RETURN) {
      i += code === RETURN && source.charCodeAt(i + 1) === NEWLINE ? 2 : 1;
      continue;
    }
    if (code === HASH) {
      const newline = nextLineBreak(source, i);
      i = newline === -1 ? length : newline;
      continue;
    }
    const start = i;
    let end = i;
    let depth = 0;
    let scanned = i;
    for (;;) {
      SPECIAL.lastIndex = scanned;
      const match = SPECIAL.exec(source);
      const at = match ? match.index : length;
      // What lies between the last special character and this one is code or whitespace: it may end the line.
      let last = at;
      while (last > scanned && isBlank(source.charCodeAt(last - 1))) last--;
      if (last > scanned) end = last;
      if (!match) {
        if (depth > 0) throw new Unreadable();
        i = length;
        break;
      }
      const special = source.charCodeAt(at);
      if (special === NEWLINE || special === RETURN) {
        const after = special === RETURN && source.charCodeAt(at + 1) === NEWLINE ? at + 2 : at + 1;
        scanned = after;
        if (depth === 0) {
          i = after;
          break;
        }
        continue;
      }
      if (special === HASH) {
        const newline = nextLineBreak(source, at);
        scanned = newline === -1 ? length : newline;
        if (newline === -1) {
          if (depth > 0) throw new Unreadable();
          i = length;
          break;
        }
        continue;
      }
      if (special === BACKSLASH) {
        const next = source.charCodeAt(at + 1);
        if (next === NEWLINE) scanned = at + 2;
        else if (next === RETURN) scanned = source.charCodeAt(at + 2) === NEWLINE ? at + 3 : at + 2;
        else throw new Unreadable();
        continue;
      }
      if (special === SINGLE || special === DOUBLE) {
        scanned = skipString(source, at);
        end = scanned;
        continue;
      }
      if (special === 40 || special === 91 || special === 123) depth++;
      else if (depth === 0) throw new Unreadable();
      else depth--;
      scanned = at + 1;
      end = scanned;
    }
    lines.push({ start, end, indent });
  }
  return lines;
}

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB || code === FORM_FEED;
}

function nextLineBreak(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code === NEWLINE || code === RETURN) return i;
  }
  return -1;
}
