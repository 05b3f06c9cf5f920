import { analyzePythonFiles } from './analyze-files.js';
import { collectServedRoutes } from './collect-served-routes.js';
import { detectAuth } from './detect-auth.js';
import { detectDatabase } from './detect-database.js';
import { detectFastapiVersion } from './detect-fastapi-version.js';
import { absoluteImportsOf, detectSourceRoots, refineSourceRoots } from './detect-source-roots.js';
import { detectUserModel } from './detect-user-model.js';
import { discoverPythonFiles } from './discover-python-files.js';
import type { FileStripeFacts } from './extract-stripe-facts.js';
import { ModuleInterpreter } from './interpret-modules.js';
import type { ModuleIR } from './python-ir.js';
import type { AnalysisResult, AnalyzeOptions, Diagnostic, StripeFacts } from './types.js';

export { MAX_FILE_BYTES } from '../python/read-python-source.js';

export interface AnalyzeProjectOptions extends AnalyzeOptions {
  /** Worker threads that parse beside the main one (0: parse on the main thread only); default by project size. */
  workers?: number;
  /** false: only the workers parse (the tests use it to compare the two paths). */
  mainThread?: boolean;
}

function mergeStripeFacts(perFile: FileStripeFacts[]): StripeFacts {
  const facts: StripeFacts = {
    used: false,
    imports: [],
    calls: [],
    webhooks: [],
    prices: [],
    checkoutUserLinks: [],
    checkoutSuccessPaths: [],
    apiKeyEnv: [],
    webhookSecretEnv: [],
  };
  for (const file of perFile) {
    facts.imports.push(...file.imports);
    facts.calls.push(...file.calls);
    facts.webhooks.push(...file.webhooks);
    facts.prices.push(...file.prices);
    facts.checkoutUserLinks.push(...file.checkoutUserLinks);
    facts.checkoutSuccessPaths.push(...file.checkoutSuccessPaths);
    facts.apiKeyEnv.push(...file.apiKeyEnv);
    facts.webhookSecretEnv.push(...file.webhookSecretEnv);
  }
  facts.apiKeyEnv = [...new Set(facts.apiKeyEnv)];
  facts.webhookSecretEnv = [...new Set(facts.webhookSecretEnv)];
  const seenPrices = new Set<string>();
  facts.prices = facts.prices.filter((p) => {
    if (seenPrices.has(p.id)) return false;
    seenPrices.add(p.id);
    return true;
  });
  facts.used = facts.imports.length > 0 || facts.calls.length > 0;
  return facts;
}

/**
 * Analyzes the FastAPI project under `root` without running it: every Python file is parsed once with
 * tree-sitter and reduced to a small statement form, then the modules are interpreted in import order to
 * resolve apps, routers, prefixes and mounts into the route table FastAPI would serve.
 */
export async function analyzeProject(root: string, options: AnalyzeProjectOptions = {}): Promise<AnalysisResult> {
  const discovered = await discoverPythonFiles(root);
  const layout = detectSourceRoots(discovered.python, discovered.markers);
  const diagnostics: Diagnostic[] = [];
  const irs: ModuleIR[] = [];
  const stripePerFile: FileStripeFacts[] = [];
  const stats = { files: discovered.python.length, bytes: 0, parsedFiles: 0, skippedFiles: 0 };

  const perFile = await analyzePythonFiles(root, discovered.python, layout.moduleOf, {
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.mainThread !== undefined ? { mainThread: options.mainThread } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  for (const result of perFile) {
    stats.bytes += result.bytes;
    if ('skipped' in result) {
      stats.skippedFiles++;
      diagnostics.push({ file: result.file, line: 1, severity: 'warning', message: result.skipped });
      continue;
    }
    stats.parsedFiles++;
    if (result.errorLine !== undefined) {
      diagnostics.push({
        file: result.file,
        line: result.errorLine,
        severity: 'warning',
        message: 'syntax error; analyzed as far as the parser could recover',
      });
    }
    if (result.ir) irs.push(result.ir);
    if (result.stripe) stripePerFile.push(result.stripe);
  }

  // The imports settle what the file layout leaves open (namespace packages, apps run from inside a folder).
  const modules = refineSourceRoots(
    layout,
    discovered.python,
    discovered.markers,
    irs.map((ir) => ({ file: ir.file, imports: absoluteImportsOf(ir.body) })),
  );
  if (modules !== layout) {
    for (const ir of irs) ir.module = modules.moduleOf.get(ir.file)?.module ?? ir.module;
  }
  const interpreter = new ModuleInterpreter(irs, modules.resolve);
  const interpreted = interpreter.run();
  const fastapi = detectFastapiVersion(
    root,
    discovered.markers,
    interpreted.apps.map((app) => app.file),
    options.fastapiVersion,
  );
  interpreter.runStartup(fastapi.facts.semantics);
  const served = collectServedRoutes(interpreted.apps, interpreted.routers, fastapi.facts.semantics);
  const stripe = mergeStripeFacts(stripePerFile);
  for (const webhook of stripe.webhooks) {
    const route = served.routes.find((r) => r.function === webhook.function && r.file === webhook.file);
    if (route) webhook.route = { method: route.method, path: route.path };
  }
  const auth = detectAuth(interpreted, served.routes, interpreter);
  const database = detectDatabase(root, irs, interpreted, discovered.python, discovered.markers);
  const userModel = detectUserModel(interpreter, interpreted, auth, stripe);

  for (const link of discovered.outsideLinks) {
    diagnostics.push({
      file: link.path,
      line: 1,
      severity: 'warning',
      message: `links to ${link.target}, outside the project: Python imports it, skene does not analyze it`,
    });
  }
  const allDiagnostics = [
    ...diagnostics,
    ...fastapi.diagnostics,
    ...interpreted.diagnostics,
    ...served.diagnostics,
  ].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return {
    root,
    sourceRoots: modules.roots,
    apps: served.apps,
    routes: served.routes,
    stripe,
    auth,
    database,
    ...(userModel ? { userModel } : {}),
    fastapi: fastapi.facts,
    diagnostics: allDiagnostics,
    stats,
  };
}
