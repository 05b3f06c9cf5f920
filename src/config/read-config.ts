import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Diagnostic, Project, SourceFile } from 'ts-morph';
import { SkeneError } from '../errors.js';
import { evaluateStatic, findDefaultExportExpression, unwrapDefineLoop } from './evaluate-static.js';
import { buildCodeFrame } from './format-diagnostic.js';
import { loadTsMorph, type TsMorph } from './load-ts-morph.js';
import { loadSdkFiles, SDK_MODULE_NAMES } from './sdk-declarations.js';
import type { ConfigDiagnostic, NormalizedLoop } from './types.js';
import { type LoopIssue, validateLoop } from './validate-loop.js';

export interface ReadLoopConfigResult {
  /** Present only when the config has no diagnostics. */
  loop?: NormalizedLoop;
  /** Sorted by position. */
  diagnostics: ConfigDiagnostic[];
}

const SDK_FOLDER = '/__skene__/sdk';
const CONFIG_FOLDER = '/__config__';

export { SDK_MODULE_NAMES } from './sdk-declarations.js';

let project: Project | undefined;

/**
 * Reads skene.config.ts statically: parses and type-checks it (against skene's own SDK declarations,
 * so the user's repo needs no node_modules), evaluates the default export without running anything,
 * and validates the values. `source` overrides reading `file` from disk; `file` is then only the name
 * used in diagnostics.
 */
export async function readLoopConfig(file: string, source?: string): Promise<ReadLoopConfigResult> {
  const text = source ?? (await readConfigText(file));
  const tsm = await loadTsMorph();
  const sourceFile = getProject(tsm).createSourceFile(`${CONFIG_FOLDER}/${virtualName(file)}`, text, {
    overwrite: true,
  });
  const program = getProject(tsm).getProgram();
  const locate = (pos: number): { line: number; col: number } => {
    const { line, column } = sourceFile.getLineAndColumnAtPos(Math.min(pos, text.length));
    return { line, col: column };
  };
  const diagnostic = (
    pos: number,
    code: ConfigDiagnostic['code'],
    message: string,
    hint?: string,
  ): ConfigDiagnostic => {
    const { line, col } = locate(pos);
    return {
      file,
      line,
      col,
      message,
      ...(hint === undefined ? {} : { hint }),
      frame: buildCodeFrame(text, line, col),
      code,
    };
  };

  const syntax = program.getSyntacticDiagnostics(sourceFile);
  if (syntax.length > 0) {
    return { diagnostics: sortDiagnostics(describeSyntaxErrors(tsm, sourceFile, syntax, diagnostic)) };
  }

  const typeDiagnostics = program.getSemanticDiagnostics(sourceFile);
  const exported = findDefaultExportExpression(tsm, sourceFile);
  if (!exported) {
    return {
      diagnostics: sortDiagnostics([
        diagnostic(
          text.length,
          'no-default-export',
          'skene.config.ts has no default export',
          "End the file with: export default defineLoop({ type: 'freemium', steps: [...] });",
        ),
        ...typeDiagnostics.map((d) => fromTypeScript(tsm, d, diagnostic)),
      ]),
    };
  }

  const { loop, issues } = validateLoop(evaluateStatic(tsm, unwrapDefineLoop(tsm, exported)));
  const diagnostics = issues.map((issue) => diagnostic(issue.node.getStart(), issue.code, issue.message, issue.hint));
  // skene's own checks say more than the compiler about the same spot; keep the compiler's only elsewhere.
  for (const d of typeDiagnostics) {
    const start = d.getStart();
    if (start !== undefined && issues.some((issue) => covers(tsm, issue, start))) continue;
    diagnostics.push(fromTypeScript(tsm, d, diagnostic));
  }
  const sorted = sortDiagnostics(dedupe(diagnostics));
  return sorted.length === 0 && loop ? { loop, diagnostics: [] } : { diagnostics: sorted };
}

async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SkeneError(`No loop file at ${file}`, {
        hint: 'Run `skene init` to create skene.config.ts.',
        cause: error,
      });
    }
    throw error;
  }
}

function getProject(tsm: TsMorph): Project {
  if (project) return project;
  const { Project: ProjectClass, ts } = tsm;
  const sdkFiles = loadSdkFiles();
  const created = new ProjectClass({
    useInMemoryFileSystem: true,
    compilerOptions: {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'],
      types: [],
      noEmit: true,
      skipLibCheck: true,
      paths: Object.fromEntries(SDK_MODULE_NAMES.map((name) => [name, [`${SDK_FOLDER}/index`]])),
    },
  });
  for (const sdkFile of sdkFiles)
    created.createSourceFile(`${SDK_FOLDER}/${sdkFile.name}`, sdkFile.text, { overwrite: true });
  project = created;
  return created;
}

function virtualName(file: string): string {
  const name = basename(file);
  return /\.[mc]?ts$/.test(name) && !name.endsWith('.d.ts') ? name : 'skene.config.ts';
}

const SYNTAX_HINTS: Record<number, string> = {
  1002: "Close the string with the quote it opens with (an apostrophe inside '...' is written \\' or the string put in double quotes).",
  1005: 'Check the line above too: properties and list items are separated by commas, and every { [ ( is closed.',
};

type MakeDiagnostic = (pos: number, code: ConfigDiagnostic['code'], message: string, hint?: string) => ConfigDiagnostic;

/**
 * TypeScript's syntax errors, with one case made plain: an apostrophe inside a single-quoted string
 * (`'You've reached...'`, as on skene's own page) ends the string early and cascades into several
 * cryptic errors; it is reported once, at the apostrophe, with the fixed string as hint. Otherwise the
 * first error only: the parser's recovery makes the ones after it unreliable.
 */
function describeSyntaxErrors(
  tsm: TsMorph,
  sourceFile: SourceFile,
  syntax: Diagnostic[],
  diagnostic: MakeDiagnostic,
): ConfigDiagnostic[] {
  const text = sourceFile.getFullText();
  const results: ConfigDiagnostic[] = [];
  for (const literal of sourceFile.getDescendantsOfKind(tsm.SyntaxKind.StringLiteral)) {
    const end = literal.getEnd();
    const quote = text[end - 1];
    if (quote !== "'" || !/[A-Za-z]/.test(text[end - 2] ?? '') || !/[A-Za-z]/.test(text[end] ?? '')) continue;
    const lineEnd = text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end);
    const closing = text.lastIndexOf("'", lineEnd);
    const intended = closing > end ? text.slice(literal.getStart() + 1, closing) : undefined;
    const hint =
      intended === undefined
        ? 'Write the string in double quotes ("You\'ve ...") or escape the apostrophe as \\\'.'
        : `Write the string in double quotes: ${JSON.stringify(intended.replace(/\\'/g, "'"))}, or escape the apostrophe as \\'.`;
    results.push(diagnostic(end - 1, 'syntax', 'Unescaped apostrophe ends this single-quoted string early', hint));
  }
  // After a string ends early the parser's recovery reports every following line; those are noise.
  if (results.length > 0) return results;
  const first = syntax[0]!;
  results.push(diagnostic(first.getStart() ?? 0, 'syntax', messageOf(tsm, first), SYNTAX_HINTS[first.getCode()]));
  return results;
}

function fromTypeScript(tsm: TsMorph, d: Diagnostic, diagnostic: MakeDiagnostic): ConfigDiagnostic {
  const hints: Record<number, string> = {
    2307: "skene.config.ts imports only from 'skene' (or '@skene/sdk'); define other values in the file itself.",
    2304: "Import what the config uses from 'skene': import { defineLoop } from 'skene';",
    2305: "'skene' exports defineLoop and the config types (LoopConfig, LoopStep, ...).",
  };
  return diagnostic(d.getStart() ?? 0, 'type', messageOf(tsm, d), hints[d.getCode()]);
}

/** TypeScript's message chain, down to its most specific line ("Type '"FETCH"' is not assignable to ..."). */
function messageOf(tsm: TsMorph, d: Diagnostic): string {
  const lines = tsm.ts
    .flattenDiagnosticMessageText(d.compilerObject.messageText, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length <= 1 ? (lines[0] ?? 'Invalid TypeScript') : `${lines[0]} ${lines[lines.length - 1]}`;
}

/**
 * Whether a compiler error at `pos` is about the same thing as skene's issue: inside the issue's node, or
 * at the key of the property holding it (the compiler reports `type: 'premium'` at `type`, skene at the value).
 */
function covers(tsm: TsMorph, issue: LoopIssue, pos: number): boolean {
  const { node } = issue;
  if (pos >= node.getStart() && pos < Math.max(node.getEnd(), node.getStart() + 1)) return true;
  const property = tsm.Node.isPropertyAssignment(node)
    ? node
    : node.getFirstAncestor((a) => tsm.Node.isPropertyAssignment(a));
  return property !== undefined && tsm.Node.isPropertyAssignment(property) && pos === property.getNameNode().getStart();
}

function dedupe(diagnostics: ConfigDiagnostic[]): ConfigDiagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.col}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortDiagnostics(diagnostics: ConfigDiagnostic[]): ConfigDiagnostic[] {
  return diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
}
