import { delimiter, join } from 'node:path';
import type { AnalysisResult } from '../analyze/types.js';
import type { CliContext } from '../cli-context.js';
import { findRuntimePlace } from '../doctor/find-runtime.js';
import { isProjectFile, joinPosix } from '../doctor/read-project-file.js';
import { ExitCode, SkeneError } from '../errors.js';
import { appSourceRoot } from '../generate/build-gate-tests.js';
import { LOOP_FILE } from '../generate/runtime-contract.js';
import { planRuntimeLocation, type RuntimeLocation } from '../generate/runtime-location.js';
import { maskStripeKey } from '../stripe/stripe-key-format.js';
import { customerOf, listStripeSubscriptions } from '../sync/list-stripe-subscriptions.js';
import { resolveSyncStripeKey } from '../sync/resolve-sync-stripe-key.js';
import { runRuntimeSync } from '../sync/run-runtime-sync.js';
import { buildAppEnvironment, readDotenvChain } from '../sync/sync-environment.js';
import { createLogger, type Logger } from '../ui/logger.js';
import { buildSyncReport, renderSyncReport, type SyncReport } from '../ui/render-sync-report.js';
import { findAppPython } from '../verify/find-python.js';
import { analyzeFastapiProject, resolveProjectFolder } from './plan-loop-changes.js';

export interface SyncOptions {
  dir: string;
  dryRun: boolean;
  json: boolean;
}

/** The runtime files `python -m <runtime> sync` needs; a runtime generated before skene sync lacks them. */
const SYNC_FILES = ['__main__.py', '_sync.py'] as const;

/**
 * The folder the app starts from: the source root holding the runtime's top package (`backend` for
 * `backend/app/skene`, module `app.skene`), where `python -m app.skene` imports as the app does.
 */
export function startFolderOf(runtime: RuntimeLocation, analysis: AnalysisResult): string {
  const modulePath = runtime.module.split('.').join('/');
  if (runtime.dir === modulePath) return '';
  if (runtime.dir.endsWith(`/${modulePath}`)) return runtime.dir.slice(0, -modulePath.length - 1);
  return appSourceRoot(analysis);
}

function foldersUp(root: string, start: string): string[] {
  const folders: string[] = [];
  for (let folder = start; ; folder = folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : '') {
    folders.push(folder === '' ? root : join(root, ...folder.split('/')));
    if (folder === '') return folders;
  }
}

function requireSyncRuntime(root: string, runtime: RuntimeLocation | undefined): RuntimeLocation {
  if (!runtime || !isProjectFile(root, joinPosix(runtime.dir, LOOP_FILE))) {
    throw new SkeneError('No generated runtime in this project: skene sync writes through it.', {
      hint: 'Run `npx skene init` first.',
    });
  }
  const missing = SYNC_FILES.filter((file) => !isProjectFile(root, joinPosix(runtime.dir, file)));
  if (missing.length > 0) {
    throw new SkeneError(
      `The runtime in ${runtime.dir}/ was generated before skene sync (${missing.join(', ')} missing).`,
      { hint: 'Run `npx skene generate` to update it, then skene sync again.' },
    );
  }
  return runtime;
}

/**
 * Lists the account's subscriptions from Stripe and has the generated runtime link each to an app user and
 * write skene's rows (or, with `dryRun`, say what it would write). Reads the app's code, never runs it
 * except through `python -m <runtime> sync`.
 */
export async function runSync(
  root: string,
  options: { dir: string; dryRun: boolean },
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<SyncReport> {
  const analysis = await analyzeFastapiProject(root, options.dir, logger);
  const runtime = requireSyncRuntime(root, findRuntimePlace(root, analysis, planRuntimeLocation));
  const start = startFolderOf(runtime, analysis);
  const startPath = start === '' ? root : join(root, ...start.split('/'));
  const dotenv = readDotenvChain(root, start);
  const appEnv = buildAppEnvironment(env, dotenv);
  // The start folder first on the import path too: `uv run --directory` starts Python elsewhere.
  appEnv.PYTHONPATH = [startPath, ...(appEnv.PYTHONPATH ? [appEnv.PYTHONPATH] : [])].join(delimiter);

  const python = await findAppPython({ root, folders: foldersUp(root, start), env: appEnv });
  if (!python) {
    throw new SkeneError('No Python found to run the runtime with.', {
      hint: "Activate the app's virtualenv (VIRTUAL_ENV), or create .venv/, or put python3 on PATH.",
    });
  }
  const key = await resolveSyncStripeKey(env, dotenv, analysis.stripe.apiKeyEnv);
  logger.info(`Listing the account's subscriptions with ${maskStripeKey(key.key)} from ${key.source}…`);
  const subscriptions = await listStripeSubscriptions(key.key, env, (listed) =>
    logger.progress(`Listed ${listed} subscriptions…`),
  );
  logger.progress('');
  logger.info(
    `${options.dryRun ? 'Checking' : 'Writing'} ${subscriptions.length} subscription${subscriptions.length === 1 ? '' : 's'} through ${runtime.module} with ${python.command.join(' ')}…`,
  );
  const output = await runRuntimeSync({
    python,
    module: runtime.module,
    cwd: startPath,
    env: appEnv,
    subscriptions,
    dryRun: options.dryRun,
  });
  const emails = new Map(subscriptions.map((subscription) => [subscription.id, customerOf(subscription).email]));
  return buildSyncReport({
    output,
    emails,
    ids: subscriptions.map((subscription) => subscription.id),
    listed: subscriptions.length,
    stripe: { key: maskStripeKey(key.key), keySource: key.source },
    runtime: { module: runtime.module, dir: runtime.dir, startFolder: start === '' ? '.' : start, python },
  });
}

/** `skene sync [DIR] [--dry-run] [--json]`. */
export async function runSyncCommand(options: SyncOptions, ctx: CliContext): Promise<number> {
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env, quiet: options.json });
  const root = await resolveProjectFolder(options.dir, ctx, 'sync');
  const report = await runSync(root, options, ctx.env, logger);
  if (options.json) logger.json(report);
  else ctx.stdout.write(renderSyncReport(report, logger.palette));
  return ExitCode.ok;
}
