import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Parser from 'tree-sitter';
import { collectServedRoutes } from './collect-served-routes.js';
import { detectAuth } from './detect-auth.js';
import { detectDatabase } from './detect-database.js';
import { detectFastapiVersion } from './detect-fastapi-version.js';
import { absoluteImportsOf, detectSourceRoots, refineSourceRoots } from './detect-source-roots.js';
import { discoverPythonFiles } from './discover-python-files.js';
import { extractModuleStatements } from './extract-module-ir.js';
import { extractStripeFacts, mentionsStripe, type FileStripeFacts } from './extract-stripe-facts.js';
import { ModuleInterpreter } from './interpret-modules.js';
import { loadQuery, pythonParser } from './load-queries.js';
import type { ModuleIR } from './python-ir.js';
import type { AnalysisResult, AnalyzeOptions, Diagnostic, StripeFacts } from './types.js';

/** Larger files are generated code or data, not an app's routing; they are skipped and named. */
export const MAX_FILE_BYTES = 1024 * 1024;

const FILES_BETWEEN_PAUSES = 1;

const utf8 = new TextDecoder('utf-8', { fatal: true });

type FileReading = { text: string; bytes: number } | { skipped: string; bytes: number };

/**
 * Reads a file the cheap way (one stat, Node's own UTF-8 decoding straight to a string); only a file whose
 * text shows a NUL, a replacement character or a BOM is read again as bytes and checked exactly.
 */
function readPythonSource(path: string): FileReading {
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) return { skipped: `skipped: larger than 1 MiB (${size} bytes)`, bytes: size };
  const text = readFileSync(path, 'utf8');
  if (!text.includes('\0') && !text.includes('\uFFFD') && text.charCodeAt(0) !== 0xfeff) return { text, bytes: size };
  return decodePythonSource(readFileSync(path));
}

function decodePythonSource(buffer: Buffer): FileReading {
  if (buffer.includes(0)) return { skipped: 'skipped: binary file (NUL bytes)', bytes: buffer.length };
  try {
    const text = utf8.decode(buffer);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, bytes: buffer.length };
  } catch {
    return { skipped: 'skipped: not valid UTF-8', bytes: buffer.length };
  }
}

/** The first place tree-sitter had to recover: an ERROR node, or a MISSING token it inserted. */
function firstSyntaxError(tree: Parser.Tree): number | undefined {
  if (!tree.rootNode.hasError) return undefined;
  const errors = loadQuery('syntax-errors').captures(tree.rootNode);
  let line = errors.length > 0 ? Math.min(...errors.map((c) => c.node.startPosition.row + 1)) : undefined;
  const cursor = tree.walk();
  // MISSING nodes are not matched by `(ERROR)`; walk only into subtrees that contain an error.
  const visit = (): void => {
    do {
      const node = cursor.currentNode;
      if (node.isMissing) {
        const at = node.startPosition.row + 1;
        line = line === undefined ? at : Math.min(line, at);
      }
      if (node.hasError && cursor.gotoFirstChild()) {
        visit();
        cursor.gotoParent();
      }
    } while (cursor.gotoNextSibling());
  };
  visit();
  return line ?? tree.rootNode.startPosition.row + 1;
}

function mergeStripeFacts(perFile: FileStripeFacts[]): StripeFacts {
  const facts: StripeFacts = {
    used: false,
    imports: [],
    calls: [],
    webhooks: [],
    prices: [],
    checkoutUserLinks: [],
    apiKeyEnv: [],
    webhookSecretEnv: [],
  };
  for (const file of perFile) {
    facts.imports.push(...file.imports);
    facts.calls.push(...file.calls);
    facts.webhooks.push(...file.webhooks);
    facts.prices.push(...file.prices);
    facts.checkoutUserLinks.push(...file.checkoutUserLinks);
    facts.apiKeyEnv.push(...file.apiKeyEnv);
    facts.webhookSecretEnv.push(...file.webhookSecretEnv);
  }
  facts.apiKeyEnv = [...new Set(facts.apiKeyEnv)];
  facts.webhookSecretEnv = [...new Set(facts.webhookSecretEnv)];
  const seenPrices = new Set<string>();
  facts.prices = facts.prices.filter((p) => (seenPrices.has(p.id) ? false : (seenPrices.add(p.id), true)));
  facts.used = facts.imports.length > 0 || facts.calls.length > 0;
  return facts;
}

/**
 * Analyzes the FastAPI project under `root` without running it: every Python file is parsed once with
 * tree-sitter and reduced to a small statement form, then the modules are interpreted in import order to
 * resolve apps, routers, prefixes and mounts into the route table FastAPI would serve.
 */
export async function analyzeProject(root: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const discovered = await discoverPythonFiles(root);
  const layout = detectSourceRoots(discovered.python, discovered.markers);
  const parser = pythonParser();
  const diagnostics: Diagnostic[] = [];
  const irs: ModuleIR[] = [];
  const stripePerFile: FileStripeFacts[] = [];
  const stats = { files: discovered.python.length, bytes: 0, parsedFiles: 0, skippedFiles: 0 };

  let done = 0;
  for (const file of discovered.python) {
    options.onProgress?.(done, discovered.python.length);
    // node-tree-sitter frees a collected tree from a deferred finalizer, which runs only when the event
    // loop turns: without this pause a large repository's trees would pile up (~1 GB on the benchmark).
    if (done % FILES_BETWEEN_PAUSES === 0) await new Promise((resume) => setImmediate(resume));
    done++;
    let reading: FileReading;
    try {
      reading = readPythonSource(join(root, file));
    } catch (error) {
      stats.skippedFiles++;
      diagnostics.push({ file, line: 1, severity: 'warning', message: `skipped: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    stats.bytes += reading.bytes;
    if ('skipped' in reading) {
      stats.skippedFiles++;
      diagnostics.push({ file, line: 1, severity: 'warning', message: reading.skipped });
      continue;
    }
    const source = reading.text;
    // The default buffer (32 KiB) makes the native binding reject longer strings.
    const tree = parser.parse(source, undefined, { bufferSize: Math.max(32 * 1024, source.length * 2 + 16) });
    stats.parsedFiles++;
    const errorLine = firstSyntaxError(tree);
    if (errorLine !== undefined) {
      diagnostics.push({ file, line: errorLine, severity: 'warning', message: 'syntax error; analyzed as far as the parser could recover' });
    }
    const module = layout.moduleOf.get(file);
    if (module) {
      irs.push({
        file,
        module: module.module,
        isPackage: module.isPackage,
        body: extractModuleStatements(tree, source),
        hasSyntaxError: errorLine !== undefined,
        ...(errorLine !== undefined ? { errorLine } : {}),
      });
    }
    if (mentionsStripe(source)) stripePerFile.push(extractStripeFacts(tree, source, file));
  }
  options.onProgress?.(done, discovered.python.length);

  // The imports settle what the file layout leaves open (namespace packages, apps run from inside a folder).
  const modules = refineSourceRoots(layout, discovered.python, discovered.markers, irs.map((ir) => ({ file: ir.file, imports: absoluteImportsOf(ir.body) })));
  if (modules !== layout) {
    for (const ir of irs) ir.module = modules.moduleOf.get(ir.file)?.module ?? ir.module;
  }
  const interpreter = new ModuleInterpreter(irs, modules.resolve);
  const interpreted = interpreter.run();
  const fastapi = detectFastapiVersion(root, discovered.markers, interpreted.apps.map((app) => app.file), options.fastapiVersion);
  interpreter.runStartup(fastapi.facts.semantics);
  const served = collectServedRoutes(interpreted.apps, interpreted.routers, fastapi.facts.semantics);
  const stripe = mergeStripeFacts(stripePerFile);
  for (const webhook of stripe.webhooks) {
    const route = served.routes.find((r) => r.function === webhook.function && r.file === webhook.file);
    if (route) webhook.route = { method: route.method, path: route.path };
  }
  const auth = detectAuth(interpreted, served.routes, interpreter);
  const database = detectDatabase(root, irs, interpreted, discovered.python, discovered.markers);

  const allDiagnostics = [...diagnostics, ...fastapi.diagnostics, ...interpreted.diagnostics, ...served.diagnostics].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line),
  );
  return {
    root,
    sourceRoots: modules.roots,
    apps: served.apps,
    routes: served.routes,
    stripe,
    auth,
    database,
    fastapi: fastapi.facts,
    diagnostics: allDiagnostics,
    stats,
  };
}
