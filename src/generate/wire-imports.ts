import {
  detectEol,
  insertLinesAfter,
  type PythonTree,
  type SyntaxNode,
  type WireOutcome,
} from './wire-python-source.js';

export interface ImportRequest {
  /** `app.skene`, `fastapi`. */
  module: string;
  /** The imported name: `gate`, `Depends`. */
  name: string;
  /** `skene_gate`; the local name is `alias ?? name`. */
  alias?: string;
  /** Any existing top-level binding of the local name satisfies it (e.g. `Depends` from `fastapi.params`). */
  anyModule?: boolean;
}

/** `from app.skene import gate as skene_gate` */
export function buildImportLine(request: ImportRequest): string {
  const alias = request.alias && request.alias !== request.name ? ` as ${request.alias}` : '';
  return `from ${request.module} import ${request.name}${alias}`;
}

interface Binding {
  local: string;
  module: string;
  name: string;
}

const IMPORT_TYPES = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

/** Names bound at module level by `from x import a as b` (the forms the wiring adds). */
function collectFromImportBindings(tree: PythonTree): Binding[] {
  const bindings: Binding[] = [];
  for (const statement of tree.rootNode.namedChildren) {
    if (statement.type !== 'import_from_statement') continue;
    const module = statement.childForFieldName('module_name')?.text.replace(/\s+/g, '') ?? '';
    for (const child of statement.childrenForFieldName('name')) {
      if (child.type === 'dotted_name') bindings.push({ local: child.text, module, name: child.text });
      if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name')?.text ?? '';
        bindings.push({ local: child.childForFieldName('alias')?.text ?? name, module, name });
      }
    }
  }
  return bindings;
}

function isDocstring(node: SyntaxNode): boolean {
  return (
    node.type === 'expression_statement' && node.namedChildren.length === 1 && node.namedChildren[0]?.type === 'string'
  );
}

/**
 * Where new imports go: after the last statement of the file's leading import block (module
 * docstring, comments and `from __future__` allowed before it); with no imports, after the docstring.
 */
function findImportAnchor(tree: PythonTree): SyntaxNode | undefined {
  let anchor: SyntaxNode | undefined;
  let first = true;
  for (const statement of tree.rootNode.namedChildren) {
    if (statement.type === 'comment') continue;
    if (IMPORT_TYPES.has(statement.type)) {
      anchor = statement;
    } else if (first && isDocstring(statement)) {
      anchor = statement;
    } else {
      break;
    }
    first = false;
  }
  return anchor;
}

/**
 * Adds the missing `from <module> import <name> as <alias>` lines after the leading import block.
 *
 * Before:                          After:
 *   from fastapi import APIRouter    from fastapi import APIRouter
 *                                    from app.skene import gate as skene_gate
 *                                    from fastapi import Depends
 */
export function planImports(source: string, tree: PythonTree, requests: ImportRequest[]): WireOutcome {
  const bindings = collectFromImportBindings(tree);
  const missing = requests.filter((request) => {
    const local = request.alias ?? request.name;
    return !bindings.some(
      (b) =>
        b.local === local && (request.anyModule === true || (b.module === request.module && b.name === request.name)),
    );
  });
  const conflicting = missing.find((request) =>
    bindings.some((b) => b.local === (request.alias ?? request.name) && request.anyModule !== true),
  );
  if (conflicting) {
    return {
      kind: 'refused',
      reason: `${conflicting.alias ?? conflicting.name} is already imported from another module`,
    };
  }
  const unique = missing.filter(
    (request, i) => missing.findIndex((other) => buildImportLine(other) === buildImportLine(request)) === i,
  );
  if (unique.length === 0) return { kind: 'present' };
  const lines = unique.map(buildImportLine);
  const eol = detectEol(source);
  const anchor = findImportAnchor(tree);
  if (!anchor) {
    // No imports and no docstring: after any leading comments (shebang, encoding, licence header).
    const leadingComments = tree.rootNode.namedChildren.filter(
      (n, i, all) => n.type === 'comment' && all.slice(0, i).every((p) => p.type === 'comment'),
    );
    const lastComment = leadingComments.at(-1);
    if (lastComment) return { kind: 'edit', edits: [insertLinesAfter(source, lastComment.endIndex, lines, eol)] };
    return { kind: 'edit', edits: [{ start: 0, end: 0, text: lines.map((l) => `${l}${eol}`).join('') }] };
  }
  return { kind: 'edit', edits: [insertLinesAfter(source, anchor.endIndex, lines, eol)] };
}
