import { readFileSync, statSync } from 'node:fs';
import { TextDecoder } from 'node:util';

/** Larger files are generated code or data, not an app's routing; they are skipped and named. */
export const MAX_FILE_BYTES = 1024 * 1024;

export type PythonSource = { text: string; bytes: number } | { skipped: string; bytes: number };

// PEP 263: `# -*- coding: latin-1 -*-` / `# vim: set fileencoding=cp1252 :` on line 1, or on line 2 when
// line 1 is blank or a comment (Python reads no further).
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
const BLANK_OR_COMMENT = /^[ \t\f]*(?:#.*)?$/;

/** Python's names for ISO-8859-1, which WHATWG's TextDecoder would read as windows-1252. */
const LATIN_1 = new Set(['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1', 'iso-latin-1', 'latin', 'cp819']);
const UTF_8 = new Set(['utf-8', 'utf8', 'utf-8-sig', 'u8', 'utf', 'cp65001']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The encoding a PEP 263 declaration in the first two lines names, normalized (`Latin_1` → `latin-1`); undefined if none. */
export function declaredEncoding(head: string): string | undefined {
  const lines = head.split(/\r\n|\r|\n/, 2);
  const first = lines[0] ?? '';
  const match = CODING.exec(first) ?? (BLANK_OR_COMMENT.test(first) ? CODING.exec(lines[1] ?? '') : null);
  return match?.[1]?.toLowerCase().replace(/_/g, '-');
}

/** The first two lines of a text (or of bytes read as Latin-1, which keeps an ASCII declaration readable). */
function headOf(text: string): string {
  const first = text.indexOf('\n');
  const second = first === -1 ? -1 : text.indexOf('\n', first + 1);
  return second === -1 ? text.slice(0, 512) : text.slice(0, second);
}

/**
 * A Python file's text, decoded as Python would: UTF-8 (a BOM dropped) unless a PEP 263 line names another
 * codec. Reads the cheap way first (one stat, Node's own UTF-8 decoding straight to a string); only a file
 * whose text shows a NUL, a replacement character, a BOM or a non-UTF-8 declaration is read again as bytes.
 */
export function readPythonSource(path: string): PythonSource {
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) return { skipped: `skipped: larger than 1 MiB (${size} bytes)`, bytes: size };
  const text = readFileSync(path, 'utf8');
  const clean = !text.includes('\0') && !text.includes('\uFFFD') && text.charCodeAt(0) !== 0xfeff;
  if (clean) {
    const encoding = declaredEncoding(headOf(text));
    if (encoding === undefined || UTF_8.has(encoding)) return { text, bytes: size };
  }
  return decodePythonSource(readFileSync(path));
}

/** WHATWG spells some labels with `_` (`shift_jis`), others with `-` (`iso-8859-15`); Python accepts both. */
function textDecoderFor(encoding: string): TextDecoder | undefined {
  for (const label of new Set([encoding, encoding.replace(/-/g, '_')])) {
    try {
      return new TextDecoder(label, { fatal: true });
    } catch {
      // not a label the runtime knows; try the other spelling
    }
  }
  return undefined;
}

/** Decodes a file's bytes as Python would (see readPythonSource); a reason to skip it when Python could not read it. */
export function decodePythonSource(buffer: Buffer): PythonSource {
  const bytes = buffer.length;
  if (buffer.includes(0)) return { skipped: 'skipped: binary file (NUL bytes)', bytes };
  const bom = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf;
  const encoding = declaredEncoding(headOf(buffer.subarray(bom ? 3 : 0, 1024).toString('latin1')));
  if (encoding !== undefined && !UTF_8.has(encoding)) {
    if (bom) return { skipped: `skipped: a UTF-8 byte order mark and a "${encoding}" coding declaration`, bytes };
    if (LATIN_1.has(encoding)) return { text: buffer.toString('latin1'), bytes };
    const decoder = textDecoderFor(encoding);
    if (!decoder) return { skipped: `skipped: unknown source encoding "${encoding}" (PEP 263 declaration)`, bytes };
    try {
      return { text: decoder.decode(buffer), bytes };
    } catch {
      return { skipped: `skipped: not valid ${encoding} (its PEP 263 declaration)`, bytes };
    }
  }
  try {
    const text = utf8.decode(buffer);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, bytes };
  } catch {
    return { skipped: 'skipped: not valid UTF-8', bytes };
  }
}
