import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { AnalysisResult, RouteFact } from '../analyze/types.js';
import type { CliContext } from '../cli-context.js';
import type { NormalizedLoop } from '../config/types.js';
import { checkConfig } from '../doctor/check-config.js';
import { checkDatabase } from '../doctor/check-database.js';
import { checkEmail } from '../doctor/check-email.js';
import { checkEnvironment } from '../doctor/check-environment.js';
import { checkImports } from '../doctor/check-imports.js';
import { checkInstall } from '../doctor/check-install.js';
import { checkRoutes, type MatchRoutes } from '../doctor/check-routes.js';
import { checkRuntime } from '../doctor/check-runtime.js';
import { checkWiring } from '../doctor/check-wiring.js';
import { GateDetector } from '../doctor/detect-gates.js';
import { findRuntimePlace } from '../doctor/find-runtime.js';
import { readDotenvFiles } from '../doctor/read-dotenv.js';
import { readProjectFile } from '../doctor/read-project-file.js';
import { type Check, type ConfigReading, type DoctorReport, fail, pass, warn } from '../doctor/types.js';
import { ExitCode, UsageError } from '../errors.js';
import type { RuntimeLocation } from '../generate/runtime-location.js';
import { createLogger } from '../ui/logger.js';
import { buildJsonReport, renderReport } from '../ui/render-doctor-report.js';
import { skeneVersion } from '../version.js';

export interface DoctorOptions {
  dir: string;
  json: boolean;
  offline: boolean;
}

/** The other modules doctor reads through; `loadDoctorDeps` wires the real ones. */
export interface DoctorDeps {
  analyzeProject(root: string): Promise<AnalysisResult>;
  readLoopConfig(file: string): Promise<ConfigReading>;
  compileHash(loop: NormalizedLoop): string;
  planRuntimeLocation(analysis: AnalysisResult): RuntimeLocation;
  matchRoutes: MatchRoutes;
  /** The online checks; absent with --offline. */
  checkStripe?: (input: Parameters<typeof import('../doctor/check-stripe.js').checkStripe>[0]) => Promise<Check[]>;
  /** Whether skene holds every paying subscription; absent with --offline. */
  checkSubscriptions?: (
    input: Parameters<typeof import('../doctor/check-subscriptions.js').checkSubscriptions>[0],
  ) => Promise<Check[]>;
}

export const CONFIG_FILE = 'skene.config.ts';

function relativeFile(root: string, file: string): string {
  return (isAbsolute(file) ? relative(root, file) : file).split('\\').join('/');
}

async function readConfig(root: string, deps: DoctorDeps): Promise<ConfigReading | undefined> {
  const file = resolve(root, CONFIG_FILE);
  if (!existsSync(file)) return undefined;
  const reading = await deps.readLoopConfig(file);
  return { ...reading, diagnostics: reading.diagnostics.map((d) => ({ ...d, file: relativeFile(root, d.file) })) };
}

/** `POST /signup (app/auth.py:12)` for every route whose gate passes `identify=True`, once per registration. */
async function describeIdentifyGatedRoutes(analysis: AnalysisResult, gates: GateDetector): Promise<string[]> {
  const described = new Set<string>();
  for (const route of analysis.routes) {
    if (route.method === 'WEBSOCKET') continue;
    if ((await gates.gatesOf(route)).some((gate) => gate.identify)) {
      described.add(`${route.method} ${route.path} (${route.file}:${route.registration.span.line})`);
    }
  }
  return [...described];
}

/** Runs every check on the project at `root` (absolute) and returns the report; never prompts, never writes. */
export async function runDoctor(
  root: string,
  options: { env: NodeJS.ProcessEnv; offline: boolean },
  deps: DoctorDeps,
): Promise<DoctorReport> {
  const checks: Check[] = [];
  const config = await readConfig(root, deps);
  checks.push(...checkConfig(CONFIG_FILE, config));
  const loop = config?.loop && config.diagnostics.length === 0 ? config.loop : undefined;
  const configSource = loop ? readProjectFile(root, CONFIG_FILE) : undefined;

  let analysis: AnalysisResult | undefined;
  try {
    analysis = await deps.analyzeProject(root);
  } catch (error) {
    checks.push(
      fail(
        'project.analyze',
        `could not analyze the project: ${error instanceof Error ? error.message : String(error)}`,
        'Run `skene analyze` to see what fails.',
      ),
    );
  }
  if (analysis && analysis.apps.length === 0) {
    checks.push(
      fail(
        'project.app',
        'no FastAPI app found',
        'Run `skene doctor` in the folder that holds the FastAPI project (or pass it as DIR).',
      ),
    );
  } else if (analysis) {
    const apps = analysis.apps.map((app) => `${app.file}:${app.line}`).join(', ');
    checks.push(pass('project.app', `FastAPI app${analysis.apps.length === 1 ? '' : 's'} at ${apps}`));
  }

  let imports: { at: number; checks: Promise<Check[]> } | undefined;
  // Without an app there is no place the runtime belongs to (a failed analysis still finds a generated one).
  const runtime =
    analysis && analysis.apps.length === 0 ? undefined : findRuntimePlace(root, analysis, deps.planRuntimeLocation);
  const gates = new GateDetector((file) => readProjectFile(root, file), runtime?.module);
  if (loop && analysis) {
    checks.push(
      ...(await checkRoutes({
        configFile: CONFIG_FILE,
        configSource,
        loop,
        analysis,
        matchRoutes: deps.matchRoutes,
        gates,
      })),
    );
  }
  if (runtime) {
    const identifyRoutes = analysis ? await describeIdentifyGatedRoutes(analysis, gates) : [];
    const runtimeChecks = checkRuntime({
      root,
      runtime,
      analysis,
      loop,
      compileHash: deps.compileHash,
      skeneVersion: skeneVersion(),
      identifyRoutes,
    });
    checks.push(...runtimeChecks);
    const present = runtimeChecks.some((check) => check.id === 'runtime.present' && check.status === 'pass');
    // Started now, put in place at the end: its Python runs while the other checks read the project.
    if (present && analysis) {
      const pending = checkImports({ root, analysis, runtime, gates, env: options.env }).catch((error: unknown) => [
        warn(
          'runtime.importable',
          `could not check whether the imports resolve: ${error instanceof Error ? error.message : String(error)}`,
          'Run `skene doctor` again; if it persists, report it.',
        ),
      ]);
      imports = { at: checks.length, checks: pending };
    }
    if (present && analysis) {
      const httpRoutes = analysis.routes.filter((route) => route.method !== 'WEBSOCKET');
      const matched = loop ? loop.steps.flatMap((step) => deps.matchRoutes(step.trigger, httpRoutes)) : [];
      const gatedRoutes: RouteFact[] = [];
      for (const route of matched) if ((await gates.gatesOf(route)).length > 0) gatedRoutes.push(route);
      checks.push(
        ...(await checkWiring({
          analysis,
          runtime,
          gatedRoutes,
          gates,
          readFile: (file) => readProjectFile(root, file),
        })),
      );
    }
  } else {
    checks.push(
      warn(
        'runtime.present',
        'the runtime location is unknown without a FastAPI app',
        'Fix the project problem above, then run `skene doctor` again.',
      ),
    );
  }
  if (loop) checks.push(...checkEmail({ root, configFile: CONFIG_FILE, loop, runtime }));

  const folders = [
    ...new Set([
      ...(analysis?.sourceRoots.map((r) => r.path) ?? []),
      ...(analysis?.apps.map((app) => app.file.split('/').slice(0, -1).join('/')) ?? []),
    ]),
  ];
  const dotenv = readDotenvFiles(root, folders);
  checks.push(...checkEnvironment({ root, env: options.env, dotenv, loop, analysis }));
  checks.push(...checkDatabase({ root, env: options.env, dotenv, analysis, runtime }));

  if (options.offline || !deps.checkStripe) {
    checks.push(pass('stripe.skipped', 'Stripe checks skipped (--offline)'));
  } else {
    const stripeChecks = await deps.checkStripe({
      env: options.env,
      dotenv,
      configFile: CONFIG_FILE,
      configSource,
      loop,
      analysis,
    });
    checks.push(...stripeChecks);
    const keyWorks = stripeChecks.some((check) => check.id === 'stripe.key' && check.status !== 'fail');
    if (keyWorks && deps.checkSubscriptions) {
      checks.push(...(await deps.checkSubscriptions({ root, env: options.env, dotenv, analysis, runtime })));
    }
  }
  checks.push(...checkInstall({ env: options.env }));
  if (imports) checks.splice(imports.at, 0, ...(await imports.checks));
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}

export async function loadDoctorDeps(options: { offline: boolean }): Promise<DoctorDeps> {
  const [
    { analyzeProject },
    { readLoopConfig },
    { compileLoop },
    { excludeGeneratedRuntime },
    { planRuntimeLocation },
    { matchRoutes },
  ] = await Promise.all([
    import('../analyze/analyze-project.js'),
    import('../config/read-config.js'),
    import('../config/compile-loop.js'),
    import('./plan-loop-changes.js'),
    import('../generate/runtime-location.js'),
    import('../config/endpoint-glob.js'),
  ]);
  // The same view of the project init and generate plan from: the runtime where they put it, and the
  // runtime's own modules (its webhook handler) not taken for the app's.
  const deps: DoctorDeps = {
    analyzeProject: async (root) => excludeGeneratedRuntime(await analyzeProject(root)),
    readLoopConfig: (file) => readLoopConfig(file),
    compileHash: (loop) => compileLoop(loop, skeneVersion()).hash,
    planRuntimeLocation: (analysis) => {
      const location = planRuntimeLocation(analysis);
      return { dir: location.dir, module: location.module };
    },
    matchRoutes,
  };
  if (!options.offline) {
    deps.checkStripe = (await import('../doctor/check-stripe.js')).checkStripe;
    deps.checkSubscriptions = (await import('../doctor/check-subscriptions.js')).checkSubscriptions;
  }
  return deps;
}

export async function runDoctorCommand(options: DoctorOptions, ctx: CliContext, deps?: DoctorDeps): Promise<number> {
  const root = resolve(ctx.cwd, options.dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UsageError(`No folder at ${options.dir}.`, 'Pass the project folder: `skene doctor DIR`.');
  }
  const report = await runDoctor(
    root,
    { env: ctx.env, offline: options.offline },
    deps ?? (await loadDoctorDeps(options)),
  );
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env, quiet: options.json });
  if (options.json) logger.json(buildJsonReport(report));
  else {
    ctx.stdout.write(renderReport(report, logger.palette));
    // doctor reads code; only verify runs it (PRODUCT.md §1).
    ctx.stdout.write(
      `${logger.palette.dim('doctor reads your code; to prove the gate in your running app, run')} ${logger.palette.accent('npx skene verify')}\n`,
    );
  }
  return report.ok ? ExitCode.ok : ExitCode.failure;
}
