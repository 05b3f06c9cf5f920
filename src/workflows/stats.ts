import { writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliContext } from '../cli-context.js';
import { parsePeriod } from '../config/period.js';
import {
  parseDatabaseUrl,
  type RuntimeIntegration,
  readRuntimeIntegration,
  redactDatabaseUrl,
  resolveDatabaseUrl,
} from '../database/database-url.js';
import { openDatabase } from '../database/open-database.js';
import { findRuntimePlace } from '../doctor/find-runtime.js';
import { readDotenvFiles } from '../doctor/read-dotenv.js';
import { joinPosix, readProjectFile } from '../doctor/read-project-file.js';
import { ExitCode, SkeneError, UsageError } from '../errors.js';
import { INTEGRATION_FILE, LOOP_FILE, RUNTIME_ENV } from '../generate/runtime-contract.js';
import { readTemplate } from '../io/read-template.js';
import { buildStatsReport } from '../stats/build-funnel.js';
import { EVENTS_TABLE, readEventStepIds, readFunnelEvents } from '../stats/read-events.js';
import { HTML_TEMPLATE, renderStatsHtml } from '../stats/render-html.js';
import { buildStatsDocument, type StatsDocument, type StatsReport, type StatsSource } from '../stats/types.js';
import { createLogger } from '../ui/logger.js';
import { renderStats } from '../ui/render-stats.js';

export interface StatsOptions {
  dir: string;
  since: string | undefined;
  step: string | undefined;
  json: boolean;
  html: string | undefined;
}

export interface StatsResult {
  document: StatsDocument;
  report: StatsReport;
}

/** The generated runtime of the project: its `_integration.py` and the step ids of its `loop.json`. */
function readRuntime(root: string): { integration: RuntimeIntegration; stepIds: string[] } | undefined {
  const place = findRuntimePlace(root, undefined, () => {
    throw new Error('no analysis');
  });
  if (!place) return undefined;
  const file = joinPosix(place.dir, INTEGRATION_FILE);
  const source = readProjectFile(root, file);
  if (source === undefined) return undefined;
  let stepIds: string[] = [];
  try {
    const loop = JSON.parse(readProjectFile(root, joinPosix(place.dir, LOOP_FILE)) ?? '{}') as {
      steps?: Array<{ id?: unknown }>;
    };
    stepIds = (loop.steps ?? []).map((step) => step.id).filter((id): id is string => typeof id === 'string');
  } catch {
    stepIds = [];
  }
  return { integration: readRuntimeIntegration(file, source), stepIds };
}

/** The database URL the runtime of `root` uses, as `resolveDatabaseUrl` finds it; throws when it cannot. */
async function locateDatabase(root: string, env: NodeJS.ProcessEnv) {
  const runtime = readRuntime(root);
  const topFolder = runtime?.integration.file.split('/').slice(0, -2).join('/') ?? '';
  const dotenv = readDotenvFiles(root, topFolder === '' ? [] : [topFolder.split('/')[0] ?? '', topFolder]);
  const override =
    env[RUNTIME_ENV.databaseUrl] || dotenv.find((e) => e.name === RUNTIME_ENV.databaseUrl && e.value)?.value;
  if (!runtime && !override) {
    throw new SkeneError(`No skene runtime in ${root}: nothing records events there yet.`, {
      hint: 'Run `skene init` first, or set SKENE_DATABASE_URL to the database the app uses.',
    });
  }
  const integration: RuntimeIntegration = runtime?.integration ?? { file: '', defaultUrl: undefined, engine: null };
  let database: Parameters<typeof resolveDatabaseUrl>[0]['database'];
  if (!override && integration.engine) {
    // Only the engine's URL source needs the analysis (the parser is loaded for it alone).
    const { analyzeProject } = await import('../analyze/analyze-project.js');
    database = (await analyzeProject(root)).database;
  }
  const resolved = resolveDatabaseUrl({ env, dotenv, integration, database });
  if ('problem' in resolved) throw new SkeneError(resolved.problem, { hint: resolved.hint });
  const target = parseDatabaseUrl(resolved.url, resolved.source);
  if (!target) {
    throw new SkeneError(
      `The runtime's database URL ${redactDatabaseUrl(resolved.url)} (${resolved.source}) is neither SQLite nor PostgreSQL.`,
      { hint: 'skene keeps its tables in SQLite or PostgreSQL; set SKENE_DATABASE_URL to one of them.' },
    );
  }
  return { target, stepIds: runtime?.stepIds ?? [] };
}

/**
 * Reads skene's events from the app's database (one read-only connection; none of the app's Python runs) and
 * builds the funnel of every step, or of `--step` alone, over `--since` (all time without it).
 */
export async function collectStats(
  root: string,
  options: { since: string | undefined; step: string | undefined; env: NodeJS.ProcessEnv; now?: number },
): Promise<StatsResult> {
  const now = options.now ?? Date.now() / 1000;
  let from: number | null = null;
  if (options.since !== undefined) {
    const seconds = parsePeriod(options.since);
    if (seconds === undefined) {
      throw new UsageError(
        `--since ${options.since} is not a period.`,
        'Pass a whole number and a unit: 30m, 12h, 30d or 8w.',
      );
    }
    from = now - seconds;
  }
  const { target, stepIds } = await locateDatabase(root, options.env);
  const db = await openDatabase(target, root);
  try {
    const source: StatsSource = {
      dialect: target.dialect,
      driver: db.driver,
      url: redactDatabaseUrl(target.url),
      source: target.source,
    };
    if ((await db.tablesPresent([EVENTS_TABLE])).length === 0) {
      throw new SkeneError(`skene's table ${EVENTS_TABLE} is not in ${source.url} (${source.source}).`, {
        hint: 'The app creates it when it first gates a request; check that this is the database the app uses.',
      });
    }
    const known = [...new Set([...stepIds, ...(await readEventStepIds(db))])].sort();
    const step = options.step ?? null;
    if (step !== null && !known.includes(step)) {
      throw new UsageError(
        `No step ${step} in this app.`,
        known.length > 0 ? `Steps: ${known.join(', ')}.` : 'No step has events yet.',
      );
    }
    const rows = await readFunnelEvents(db, { from, stepId: step });
    const report = buildStatsReport({
      rows,
      from,
      to: now,
      since: options.since ?? null,
      stepIds: step === null ? stepIds : [step],
    });
    return { document: buildStatsDocument(report, source), report };
  } finally {
    await db.close();
  }
}

/** `skene stats [DIR] [--since P] [--step ID] [--json] [--html FILE]`. */
export async function runStatsCommand(options: StatsOptions, ctx: CliContext): Promise<number> {
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env, quiet: options.json });
  const root = resolve(ctx.cwd, options.dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UsageError(`${options.dir} is not a folder.`, 'Pass the project folder: skene stats [DIR].');
  }
  const { document, report } = await collectStats(root, { since: options.since, step: options.step, env: ctx.env });
  if (options.html !== undefined) {
    const file = resolve(ctx.cwd, options.html);
    try {
      writeFileSync(file, renderStatsHtml(document, report, readTemplate(HTML_TEMPLATE)));
    } catch (error) {
      throw new SkeneError(`Cannot write the report to ${options.html}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    logger.success(`Wrote the report to ${options.html}`);
  }
  if (options.json) logger.json(document);
  else if (options.html === undefined) ctx.stdout.write(renderStats(document, report, logger.palette));
  return ExitCode.ok;
}
