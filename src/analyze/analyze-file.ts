import { join } from 'node:path';
import { findSyntaxProblem, withPythonTree } from '../python/parse-python.js';
import { readPythonSource } from '../python/read-python-source.js';
import { extractModuleStatements } from './extract-module-ir.js';
import { extractStripeFacts, type FileStripeFacts, mentionsStripe } from './extract-stripe-facts.js';
import type { ModuleIR } from './python-ir.js';

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
  return withPythonTree(source, (tree) => {
    const errorLine = findSyntaxProblem(tree)?.line;
    const result: FileAnalysis = { file, bytes: reading.bytes };
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
  });
}
