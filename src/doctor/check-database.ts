import { accessSync, closeSync, constants, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { AnalysisResult } from '../analyze/types.js';
import { joinPosix, readProjectFile } from './read-project-file.js';
import { type Check, type DotenvEntry, fail, pass, type RuntimePlace, warn } from './types.js';

export const SKENE_TABLES = ['skene_usage', 'skene_subscriptions', 'skene_events', 'skene_stripe_events'] as const;
const SQLITE_HEADER = 'SQLite format 3\0';
const DEFAULT_DATABASE_URL = 'sqlite:///skene.db';

function listFiles(root: string, folder: string, suffix: string): string[] {
  try {
    return readdirSync(join(root, folder), { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
      .map((entry) => joinPosix(folder, entry.name));
  } catch {
    return [];
  }
}

/** True when the generated runtime creates its tables when they are missing (it names every table). */
function runtimeCreatesTables(root: string, runtime: RuntimePlace | undefined): boolean {
  if (!runtime) return false;
  const source = listFiles(root, runtime.dir, '.py')
    .map((file) => readProjectFile(root, file) ?? '')
    .join('\n');
  return /create_all|CREATE TABLE IF NOT EXISTS/i.test(source) && SKENE_TABLES.every((table) => source.includes(table));
}

function migrationCreatingTables(root: string, versionsDir: string): string | undefined {
  return listFiles(root, versionsDir, '.py').find((file) => {
    const text = readProjectFile(root, file) ?? '';
    return SKENE_TABLES.every((table) => text.includes(table));
  });
}

/** `sqlite:///rel.db` → relative to the app's working folder (taken to be the project); `sqlite:////abs.db` → absolute. */
function sqlitePathOf(url: string): string | undefined | null {
  const match = /^sqlite(?:\+\w+)?:\/\/\/?(.*)$/.exec(url);
  if (!match) return undefined;
  const path = (match[1] ?? '').split('?')[0] ?? '';
  if (path === '' || path === ':memory:') return null;
  return url.startsWith('sqlite:////') || /^sqlite(?:\+\w+)?:\/\/\/\//.test(url)
    ? `/${path.replace(/^\/+/, '')}`
    : path;
}

function readHead(file: string, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The store, checked statically (skene never runs the app, and doctor connects to no database server):
 * tables present, or created by a migration or by the runtime on start-up; a SQLite file the app can write.
 */
export function checkDatabase(input: {
  root: string;
  env: NodeJS.ProcessEnv;
  dotenv: DotenvEntry[];
  analysis: AnalysisResult | undefined;
  runtime: RuntimePlace | undefined;
}): Check[] {
  const { root, analysis, runtime } = input;
  const createsTables = runtimeCreatesTables(root, runtime);
  const database = analysis?.database;
  if (database && database.kind !== 'none') {
    const engine = database.engine ? `${database.engine.module}.${database.engine.variable}` : "the app's engine";
    if (database.alembic) {
      const migration = migrationCreatingTables(root, database.alembic.versionsDir);
      if (migration)
        return [pass('database.tables', `Alembic migration ${migration} creates skene's tables`, { file: migration })];
      return [
        warn(
          'database.tables',
          `the app uses Alembic (${database.alembic.versionsDir}) but no migration creates skene's tables`,
          'Run `skene generate` to write the migration, then `alembic upgrade head`.',
        ),
      ];
    }
    if (createsTables)
      return [pass('database.tables', `skene's tables are created if missing on ${engine} when the app starts`)];
    return [
      warn(
        'database.tables',
        `nothing creates skene's tables on ${engine}`,
        'Run `skene generate` to write the runtime again.',
      ),
    ];
  }

  const fromFile = input.dotenv.find((entry) => entry.name === 'SKENE_DATABASE_URL' && entry.hasValue);
  const url = input.env.SKENE_DATABASE_URL || fromFile?.value || DEFAULT_DATABASE_URL;
  const source = input.env.SKENE_DATABASE_URL
    ? 'SKENE_DATABASE_URL'
    : fromFile
      ? `SKENE_DATABASE_URL in ${fromFile.file}`
      : 'the default';
  const sqlitePath = sqlitePathOf(url);
  if (sqlitePath === undefined) {
    const scheme = url.split(':')[0] ?? '';
    if (!/^postgres(ql)?(\+\w+)?$/.test(scheme)) {
      return [
        fail(
          'database.url',
          `SKENE_DATABASE_URL (${source}) has the unsupported scheme "${scheme}"`,
          'Use a sqlite:/// or postgresql:// URL.',
        ),
      ];
    }
    const checks = [pass('database.url', `PostgreSQL from ${source} (doctor does not connect to it)`)];
    checks.push(
      createsTables
        ? pass('database.tables', "skene's tables are created if missing when the app starts")
        : warn(
            'database.tables',
            "nothing creates skene's tables in PostgreSQL",
            'Run `skene generate` to write the runtime again.',
          ),
    );
    return checks;
  }
  if (sqlitePath === null) {
    return [
      warn(
        'database.url',
        `SQLite in memory (${source}): counts are lost on restart and not shared between processes`,
        'Set SKENE_DATABASE_URL to a sqlite file or a postgresql:// URL.',
      ),
    ];
  }
  const absolute = isAbsolute(sqlitePath) ? sqlitePath : join(root, sqlitePath);
  const shown = isAbsolute(sqlitePath) ? sqlitePath : relative(root, absolute).split('\\').join('/');
  const checks: Check[] = [];
  let exists = false;
  try {
    exists = statSync(absolute).isFile();
  } catch {
    exists = false;
  }
  if (exists) {
    const head = readHead(absolute, 100);
    if (head.length > 0 && head.subarray(0, SQLITE_HEADER.length).toString('latin1') !== SQLITE_HEADER) {
      return [
        fail(
          'database.sqlite',
          `${shown} (${source}) is not a SQLite database`,
          'Point SKENE_DATABASE_URL at a new file, or remove this one.',
          { file: shown },
        ),
      ];
    }
    if (!isWritable(absolute) || !isWritable(dirname(absolute))) {
      checks.push(
        fail(
          'database.sqlite',
          `${shown} (${source}) is not writable`,
          `Let the app's user write ${shown} and its folder.`,
          { file: shown },
        ),
      );
    } else {
      checks.push(pass('database.sqlite', `SQLite file ${shown} (${source}) is writable`));
    }
    // sqlite_master keeps each table's CREATE statement as text, so the names are in the file's bytes.
    const content = readHead(absolute, 4 * 1024 * 1024).toString('latin1');
    const missing = SKENE_TABLES.filter((table) => !content.includes(table));
    if (missing.length === 0) checks.push(pass('database.tables', `skene's tables are present in ${shown}`));
    else if (createsTables)
      checks.push(pass('database.tables', `${missing.join(', ')} will be created in ${shown} when the app starts`));
    else
      checks.push(
        warn(
          'database.tables',
          `${shown} lacks ${missing.join(', ')} and nothing creates them`,
          'Run `skene generate` to write the runtime again.',
        ),
      );
    return checks;
  }
  const folder = dirname(absolute);
  let folderExists = false;
  try {
    folderExists = statSync(folder).isDirectory();
  } catch {
    folderExists = false;
  }
  if (!folderExists) {
    return [
      fail(
        'database.sqlite',
        `the folder of ${shown} (${source}) does not exist`,
        `Create ${dirname(shown)}/ or point SKENE_DATABASE_URL elsewhere.`,
      ),
    ];
  }
  if (!isWritable(folder)) {
    return [
      fail(
        'database.sqlite',
        `the app cannot create ${shown} (${source}): its folder is not writable`,
        `Let the app's user write ${dirname(shown)}/.`,
      ),
    ];
  }
  checks.push(pass('database.sqlite', `SQLite file ${shown} (${source}) will be created on first use`));
  checks.push(
    createsTables
      ? pass('database.tables', `skene's tables are created in ${shown} when the app starts`)
      : warn(
          'database.tables',
          `nothing creates skene's tables in ${shown}`,
          'Run `skene generate` to write the runtime again.',
        ),
  );
  return checks;
}
