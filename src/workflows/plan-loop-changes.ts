import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AnalysisResult, RouteFact } from '../analyze/types.js';
import type { CliContext } from '../cli-context.js';
import { compileLoop } from '../config/compile-loop.js';
import { type MethodSelector, matchRoutes } from '../config/endpoint-glob.js';
import { readLoopConfig } from '../config/read-config.js';
import type { ConfigDiagnostic, NormalizedLoop } from '../config/types.js';
import { SkeneError, UsageError } from '../errors.js';
import { buildRuntimeFiles } from '../generate/build-runtime-files.js';
import { findAlembicHead, planRuntimeChanges } from '../generate/plan-runtime-changes.js';
import { INTEGRATION_FILE, isGeneratedText, MIGRATION_FILE, RUNTIME_ALIASES } from '../generate/runtime-contract.js';
import { planRuntimeLocation, type RuntimeLocation } from '../generate/runtime-location.js';
import { buildProjectWiring, type WiringResult } from '../generate/wire-project.js';
import type { ChangePlan, FileChange } from '../io/file-change.js';
import { buildFileChange, listProjectFiles, readProjectFile } from '../io/read-project-file.js';
import { readTemplate } from '../io/read-template.js';
import type { Logger } from '../ui/logger.js';
import { formatConfigDiagnostic } from '../ui/render-config-diagnostic.js';
import { skeneVersion } from '../version.js';
import { planGateTests } from './plan-gate-tests.js';

export const CONFIG_FILE = 'skene.config.ts';

/** Everything a command will write for a loop: the runtime, its compiled loop, the email template, the wiring. */
export interface LoopPlan extends ChangePlan {
  loop: NormalizedLoop;
  wiring: WiringResult;
  location: RuntimeLocation;
}

export function httpRoutes(analysis: AnalysisResult): RouteFact[] {
  return analysis.routes.filter((r) => r.method !== 'WEBSOCKET');
}

export function describeMethods(methods: MethodSelector): string {
  return methods === '*' ? 'any method' : methods.join(', ');
}

/** The folder as a sentence names it: `.` is "the current folder" (no doubled dot at a sentence's end). */
export function describeFolder(dir: string): string {
  return dir === '.' || dir === './' || dir === '' ? 'the current folder' : dir;
}

/** The project folder the command was given, or a usage error when it is not a folder. */
export async function resolveProjectFolder(dir: string, ctx: CliContext, command: string): Promise<string> {
  const root = resolve(ctx.cwd, dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory())
    throw new UsageError(`${dir} is not a folder.`, `Pass the project folder: skene ${command} [DIR].`);
  return root;
}

/** Analyzes the project (progress on a terminal), leaving out skene's own runtime; refuses a folder with no route to gate. */
export async function analyzeFastapiProject(root: string, dir: string, logger: Logger): Promise<AnalysisResult> {
  const { analyzeProject } = await import('../analyze/analyze-project.js');
  const analysis = await analyzeProject(root, {
    onProgress: (done, total) => logger.progress(`Analyzing Python files… ${done}/${total}`),
  });
  logger.progress('');
  const project = excludeGeneratedRuntime(analysis);
  requireGateableRoutes(project, dir);
  return project;
}

/**
 * The analysis without the facts found in skene's own generated runtime. After a first run the runtime
 * is part of the project, and its webhook handler would otherwise count as the app's Stripe webhook
 * (turning skene's own webhook route off on the next run, and asking to wire skene into itself).
 */
export function excludeGeneratedRuntime(analysis: AnalysisResult): AnalysisResult {
  const runtimeDir = `${planRuntimeLocation(analysis).dir}/`;
  const outside = <T extends { file: string }>(facts: T[]): T[] =>
    facts.filter((fact) => !fact.file.startsWith(runtimeDir));
  const stripe = analysis.stripe;
  const imports = outside(stripe.imports);
  const calls = outside(stripe.calls);
  const webhooks = outside(stripe.webhooks);
  const primary =
    analysis.auth.primary && !analysis.auth.primary.file.startsWith(runtimeDir) ? analysis.auth.primary : undefined;
  return {
    ...analysis,
    apps: outside(analysis.apps),
    routes: outside(analysis.routes),
    stripe: {
      ...stripe,
      used: stripe.used && imports.length + calls.length + webhooks.length > 0,
      imports,
      calls,
      webhooks,
      prices: outside(stripe.prices),
      checkoutUserLinks: outside(stripe.checkoutUserLinks),
    },
    auth: { ...(primary ? { primary } : {}), candidates: outside(analysis.auth.candidates) },
  };
}

/** Refuses a folder with no FastAPI route to gate. */
export function requireGateableRoutes(analysis: AnalysisResult, dir: string): void {
  if (analysis.apps.length === 0 || httpRoutes(analysis).length === 0) {
    throw new SkeneError(`No FastAPI app with routes found in ${describeFolder(dir)}.`, {
      hint: 'Pass the folder of a FastAPI project; `skene analyze` shows what skene sees.',
    });
  }
}

export function describeConfigProblems(diagnostics: readonly ConfigDiagnostic[]): string {
  return `${CONFIG_FILE} has ${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'}:\n${diagnostics.map((d) => formatConfigDiagnostic(d)).join('\n\n')}`;
}

/** skene.config.ts as it is on disk: its text and loop, or its located diagnostics. */
export async function readLoopFile(
  root: string,
): Promise<{ source?: string; loop?: NormalizedLoop; diagnostics: ConfigDiagnostic[] }> {
  const source = await readProjectFile(root, CONFIG_FILE);
  if (source === undefined) return { diagnostics: [] };
  const result = await readLoopConfig(CONFIG_FILE, source);
  return { source, ...(result.loop ? { loop: result.loop } : {}), diagnostics: result.diagnostics };
}

/**
 * The revision skene's migration follows: the head of the app's own migrations. skene's migration is
 * left out, or a second run would make it follow itself.
 */
async function findAppAlembicHead(root: string, analysis: AnalysisResult): Promise<string | null | undefined> {
  const alembic = analysis.database.alembic;
  if (!alembic) return undefined;
  const versionsDir = alembic.versionsDir.replace(/\/+$/, '');
  const files = (await listProjectFiles(root, versionsDir, '.py')).filter(
    (path) => !path.endsWith(`/${MIGRATION_FILE}`),
  );
  const sources = await Promise.all(files.map(async (path) => (await readProjectFile(root, path)) ?? ''));
  return findAlembicHead(sources);
}

/** True when the file's text is one skene generated (any version): its marker line, or loop.json's stamp. */
function isGeneratedBySkene(path: string, text: string): boolean {
  if (path.endsWith('.json')) return text.includes('"skene_version"');
  return isGeneratedText(text);
}

/**
 * Regeneration rewrites skene's own files only: a file at a runtime path that skene did not write (a
 * package of the app that happens to be called `skene`, say) stops the run before anything is written.
 */
function refuseToOverwriteForeignFiles(changes: readonly FileChange[]): void {
  const foreign = changes.filter(
    (c) =>
      c.kind === 'runtime' && c.action === 'update' && c.before !== undefined && !isGeneratedBySkene(c.path, c.before),
  );
  if (foreign.length === 0) return;
  throw new SkeneError(
    `skene would overwrite ${foreign.length === 1 ? 'a file' : 'files'} it did not generate: ${foreign.map((c) => c.path).join(', ')}.`,
    {
      hint: 'Move them away (or rename the folder), then run the command again.',
    },
  );
}

/**
 * The runtime, its compiled loop and the wiring for `loop`, against what is on disk now. Shared by
 * init (after it wrote the step into the config) and generate (after the user edited the config), so
 * both regenerate and wire the same way.
 */
export async function planLoopChanges(root: string, analysis: AnalysisResult, loop: NormalizedLoop): Promise<LoopPlan> {
  const location = planRuntimeLocation(analysis);
  const at = (name: string): string => (location.dir === '' ? name : `${location.dir}/${name}`);
  const alembicDownRevision = await findAppAlembicHead(root, analysis);
  const runtimeFiles = buildRuntimeFiles({
    analysis,
    compiled: compileLoop(loop, skeneVersion()),
    version: skeneVersion(),
    location,
    templates: readTemplate,
    existingIntegration: await readProjectFile(root, at(INTEGRATION_FILE)),
    ...(alembicDownRevision === undefined ? {} : { alembicDownRevision }),
  });
  const current = new Map<string, string | undefined>();
  for (const file of runtimeFiles) current.set(file.path, await readProjectFile(root, file.path));
  const userEditable = new Set(runtimeFiles.filter((f) => f.userEditable).map((f) => f.path));
  const changes: FileChange[] = planRuntimeChanges(runtimeFiles, current).map((change) =>
    userEditable.has(change.path)
      ? { ...change, kind: 'template', reason: change.reason ?? 'upgrade email' }
      : { ...change, kind: 'runtime' },
  );

  refuseToOverwriteForeignFiles(changes);

  const routes = httpRoutes(analysis);
  const steps = loop.steps.map((step) => ({ id: step.id, routes: matchRoutes(step.trigger, routes) }));
  const wiringFiles = new Set<string>([
    ...steps.flatMap((s) => s.routes.map((r) => r.registration.span.file)),
    ...analysis.apps.map((a) => a.creation.file),
    ...analysis.stripe.webhooks.flatMap((w) => (w.constructEvent ? [w.constructEvent.file] : [])),
  ]);
  const files = new Map<string, string>();
  for (const file of wiringFiles) {
    const text = await readProjectFile(root, file);
    if (text !== undefined) files.set(file, text);
  }
  // Route files holding a gate: a gate whose step no longer matches its route is taken off in the same plan.
  for (const file of new Set(routes.map((r) => r.registration.span.file))) {
    if (files.has(file)) continue;
    const text = await readProjectFile(root, file);
    if (text?.includes(RUNTIME_ALIASES.gate)) files.set(file, text);
  }
  const wiring = buildProjectWiring({ analysis, steps, routes, runtimeModule: location.module, files });
  for (const file of wiring.files) {
    changes.push(
      buildFileChange(file.path, file.before, file.after, {
        kind: 'wiring',
        reason: file.reasons.join('; ') || undefined,
      }),
    );
  }
  changes.push(
    await planGateTests(
      root,
      analysis,
      location,
      loop.steps.map((step) => step.id),
      wiring.gated,
    ),
  );
  return { changes, manual: wiring.manual, loop, wiring, location };
}
