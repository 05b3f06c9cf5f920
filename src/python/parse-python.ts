import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Language, type Node, Parser, type Tree, type TreeCursor } from 'web-tree-sitter';

/**
 * skene's one Python parser: tree-sitter's WebAssembly runtime (web-tree-sitter) with tree-sitter-python's
 * WebAssembly grammar, so installing skene needs no native binary and no compiler on any platform
 * (docs/ARCHITECTURE.md, "Parsing"). Importing this module loads both (top-level await, ~40 ms);
 * after that every function here is synchronous. Each worker thread that imports it gets its own copy.
 */
export type { Language, Node as SyntaxNode, Tree, TreeCursor };

/**
 * The grammar file: the copy `npm run build` puts next to the built code (what the published package
 * ships; tree-sitter-python itself is a build-time dependency), or the installed tree-sitter-python's
 * when skene runs from its sources.
 */
function grammarPath(): string {
  if (import.meta.url.endsWith('.ts'))
    return createRequire(import.meta.url).resolve('tree-sitter-python/tree-sitter-python.wasm');
  return fileURLToPath(new URL('./tree-sitter-python.wasm', import.meta.url));
}

/** The `.wasm` grammar this process loaded. */
export const pythonGrammarPath = grammarPath();
await Parser.init();
export const pythonLanguage: Language = await Language.load(readFileSync(pythonGrammarPath));
const parser = new Parser();
parser.setLanguage(pythonLanguage);

/**
 * Parses Python source. The tree lives in WebAssembly memory until `tree.delete()`: a caller that parses
 * many files deletes each tree when done (see `withPythonTree`); a few kept trees cost little.
 */
export function parsePython(source: string): Tree {
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree (no language set)');
  return tree;
}

/** Parses `source`, hands the tree to `use`, and frees it afterwards, so `use` must not keep nodes. */
export function withPythonTree<T>(source: string, use: (tree: Tree) => T): T {
  const tree = parsePython(source);
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
}

export interface SyntaxProblem {
  /** 1-based. */
  line: number;
  /** 0-based, in UTF-16 code units. */
  column: number;
  kind: 'ERROR' | 'MISSING';
}

/**
 * The first place tree-sitter had to recover: an ERROR node, or a MISSING token it inserted; undefined when
 * the tree is clean. A pre-order walk that enters only subtrees containing an error meets the earliest one
 * first.
 */
export function findSyntaxProblem(tree: Tree): SyntaxProblem | undefined {
  if (!tree.rootNode.hasError) return undefined;
  const cursor = tree.walk();
  try {
    for (;;) {
      if (cursor.nodeIsMissing || cursor.nodeType === 'ERROR') {
        const at = cursor.startPosition;
        return { line: at.row + 1, column: at.column, kind: cursor.nodeIsMissing ? 'MISSING' : 'ERROR' };
      }
      if (cursor.currentNode.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return { line: 1, column: 0, kind: 'ERROR' };
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * Moves the cursor to the first child of its node that ends after `index` (a UTF-16 offset, as the cursor's
 * indices are) and returns true; returns false with the cursor unmoved when there is none. Stands in for
 * `TreeCursor.gotoFirstChildForIndex`, which in web-tree-sitter 0.26 reads its argument from the wrong slot.
 */
export function gotoFirstChildForIndex(cursor: TreeCursor, index: number): boolean {
  if (!cursor.gotoFirstChild()) return false;
  while (cursor.endIndex <= index) {
    if (!cursor.gotoNextSibling()) {
      cursor.gotoParent();
      return false;
    }
  }
  return true;
}
