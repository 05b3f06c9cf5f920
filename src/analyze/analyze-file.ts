import { join } from 'node:path';
import { findSyntaxProblem, type Tree, withPythonTree } from '../python/parse-python.js';
import { readPythonSource } from '../python/read-python-source.js';
import { extractModuleStatements } from './extract-module-ir.js';
import { extractStripeFacts, type FileStripeFacts, mentionsStripe } from './extract-stripe-facts.js';
import type { ModuleIR } from './python-ir.js';
import { skimFunctionBodies } from './skim-function-bodies.js';

/** Where a file sits in the import system (from detectSourceRoots); files outside every source root have none. */
export interface FileModule {
  module: string;
  isPackage: boolean;
}

/**
 * What one Python file contributes to an analysis. A plain JSON value (objects, arrays, strings, finite numbers,
 * booleans, null; a key may hold undefined, which JSON drops), so a worker thread can compute it and post it as
 * JSON to the thread that interprets the modules: readers must treat an absent key and an undefined one alike.
 */
export type FileAnalysis =
  | { file: string; bytes: number; skipped: string }
  | { file: string; bytes: number; errorLine?: number; ir?: ModuleIR; stripe?: FileStripeFacts };

/** Reads, parses and converts one file: its module IR (when it has a module), Stripe facts, first syntax error. */
export function analyzePythonFile(root: string, file: string, module: FileModule | undefined): FileAnalysis {
  let reading: ReturnType<typeof readPythonSource>;
  try {
    reading = readPythonSource(join(root, file));
  } catch (error) {
    return { file, bytes: 0, skipped: `skipped: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if ('skipped' in reading) return { file, bytes: reading.bytes, skipped: reading.skipped };
  const source = reading.text;
  // The Stripe reader walks handler bodies, so a file that mentions Stripe is parsed whole. A skimmed text
  // that does not parse cleanly is parsed whole too: its syntax error is reported where the file has it.
  const skimmed = module && !mentionsStripe(source) ? skimFunctionBodies(source) : undefined;
  if (skimmed !== undefined) {
    const analysis = withPythonTree(skimmed, (tree) =>
      tree.rootNode.hasError ? undefined : analyzeTree(file, reading.bytes, source, tree, module!),
    );
    if (analysis) return analysis;
  }
  return withPythonTree(source, (tree) => analyzeTree(file, reading.bytes, source, tree, module));
}

/** A file's analysis from its tree; `source` is the file's own text (the tree may be of its skimmed text). */
function analyzeTree(
  file: string,
  bytes: number,
  source: string,
  tree: Tree,
  module: FileModule | undefined,
): FileAnalysis {
  const errorLine = findSyntaxProblem(tree)?.line;
  const result: FileAnalysis = { file, bytes };
  if (errorLine !== undefined) result.errorLine = errorLine;
  if (module) {
    result.ir = {
      file,
      module: module.module,
      isPackage: module.isPackage,
      body: extractModuleStatements(tree, source),
      hasSyntaxError: errorLine !== undefined,
      ...(errorLine !== undefined ? { errorLine } : {}),
    };
  }
  if (mentionsStripe(source)) result.stripe = extractStripeFacts(tree, source, file);
  return result;
}
