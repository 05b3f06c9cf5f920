/**
 * A module's syntax tree → its statement IR (python-ir.ts), the entry point the analyzer calls per file
 * (docs/ARCHITECTURE.md, "Parsing"). The conversion is split by job:
 * - ir-tree-cursor.ts: reading the tree through one cursor; lines and spans;
 * - convert-statements.ts: blocks, assignments, imports, loops, branches, returns;
 * - convert-definitions.ts: functions (parameters, decorators, which bodies are converted) and classes;
 * - convert-expression.ts: expressions, strings and f-strings, annotations;
 * - summarize-function-body.ts: a dependency's body facts, read from its text;
 * - ir-expression-text.ts: an IR expression back as text.
 */
import type * as Parser from '../python/parse-python.js';
import { convertBlock } from './convert-statements.js';
import { moduleRouterNames } from './fastapi-router-api.js';
import { lineStartsOf } from './ir-tree-cursor.js';
import type { Stmt } from './python-ir.js';

export { dottedName, exprText } from './ir-expression-text.js';
export { spanOf } from './ir-tree-cursor.js';

/** Converts a module's statements; `source` is the text the tree was parsed from (node indices index it). */
export function extractModuleStatements(tree: Parser.Tree, source: string): Stmt[] {
  return convertBlock({
    cursor: tree.walk(),
    source,
    lineStarts: lineStartsOf(source),
    moduleRouters: moduleRouterNames(source),
  });
}
