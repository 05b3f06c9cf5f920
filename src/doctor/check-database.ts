import { accessSync, closeSync, constants, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative } from 'node:path';
import type { AnalysisResult } from '../analyze/types.js';
import { readRuntimeIntegration } from '../database/database-url.js';
import { DEFAULT_DATABASE_URL, INTEGRATION_FILE, RUNTIME_ENV, SKENE_TABLES } from '../generate/runtime-contract.js';
import type { RuntimeLocation } from '../generate/runtime-location.js';
import { findStartPlaces } from './find-start-folder.js';
import { type AlembicTarget, readAlembicTarget, type UrlSource } from './read-alembic-target.js';
import { gitIgnoreStatus } from './read-git.js';
import { joinPosix, readProjectFile } from './read-project-file.js';
import { type Check, type DotenvEntry, fail, pass, warn } from './types.js';

const SQLITE_HEADER = 'SQLite format 3\0';
const DATABASE_URL = RUNTIME_ENV.databaseUrl;

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
function runtimeCreatesTables(root: string, runtime: RuntimeLocation | undefined): boolean {
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

/** Tables present, or created by a migration or by the runtime on start-up; a SQLite file the app can write. */
function checkStore(input: DatabaseInput, cwd: string): Check[] {
  const { root, analysis, runtime } = input;
  const createsTables = runtimeCreatesTables(root, runtime);
  const database = analysis?.database;
  const override = input.env[DATABASE_URL] || input.dotenv.some((e) => e.name === DATABASE_URL && e.hasValue);
  if (database && database.kind !== 'none' && !database.engine && !override) {
    // The runtime would keep its tables in its default SQLite file while the app's data is elsewhere.
    return [
      fail(
        'database.engine',
        `the app uses ${database.kind}, but skene cannot reach its engine (it is not bound to a name an import reaches: a module variable, a class attribute or a getter without arguments)`,
        "Bind the engine to a module-level name (`engine = create_engine(...)`) and run `skene generate`, or set SKENE_DATABASE_URL to the app's database URL.",
      ),
    ];
  }
  if (database && database.kind !== 'none') {
    const engine = database.engine ? `${database.engine.module}.${database.engine.variable}` : "the app's engine";
    if (database.alembic) {
      const migration = migrationCreatingTables(root, database.alembic.versionsDir);
      if (migration)
        return [
          pass('database.tables', `Alembic migration ${migration} creates skene's tables`, { file: migration }),
          checkMigrationTarget(input, cwd, readAlembicTarget(root, database.alembic)),
        ];
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

  const fromFile = input.dotenv.find((entry) => entry.name === DATABASE_URL && entry.hasValue);
  const url = input.env[DATABASE_URL] || fromFile?.value || DEFAULT_DATABASE_URL;
  const source = input.env[DATABASE_URL]
    ? DATABASE_URL
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
  const absolute = isAbsolute(sqlitePath) ? sqlitePath : join(root, cwd, sqlitePath);
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

interface DatabaseInput {
  root: string;
  env: NodeJS.ProcessEnv;
  dotenv: DotenvEntry[];
  analysis: AnalysisResult | undefined;
  runtime: RuntimeLocation | undefined;
}

/** What the runtime writes to, by its own rule (templates/python/runtime/_store.py, `_build_driver`). */
interface RuntimeTarget {
  source: UrlSource;
  /** `SKENE_DATABASE_URL in .env`, `the engine app.core.db.engine`, `the default`. */
  where: string;
}

const redact = (url: string): string => url.replace(/^([a-z0-9+]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');

/** SKENE_DATABASE_URL (environment, then .env); else the engine _integration.py imports; else the default file. */
function runtimeTarget(input: DatabaseInput): RuntimeTarget {
  if (input.env[DATABASE_URL]) {
    return { source: { kind: 'literal', url: input.env[DATABASE_URL] }, where: DATABASE_URL };
  }
  const fromFile = input.dotenv.find((entry) => entry.name === DATABASE_URL && entry.hasValue);
  if (fromFile) {
    return { source: { kind: 'literal', url: fromFile.value }, where: `SKENE_DATABASE_URL in ${fromFile.file}` };
  }
  const integration = input.runtime
    ? readProjectFile(input.root, joinPosix(input.runtime.dir, INTEGRATION_FILE))
    : undefined;
  // The same reading of app_engine() as stats and the subscription check (src/database/database-url.ts).
  const engine = integration ? readRuntimeIntegration(INTEGRATION_FILE, integration).engine : null;
  if (engine) {
    return {
      source: { kind: 'engine', module: engine.module, variable: engine.variable },
      where: `the app's engine ${engine.module}.${engine.variable}`,
    };
  }
  return { source: { kind: 'literal', url: DEFAULT_DATABASE_URL }, where: 'the default' };
}

/** The app's engine as the analysis saw its URL (an environment variable, a setting, a literal). */
function engineUrlSource(
  analysis: AnalysisResult | undefined,
  module: string,
  variable: string,
): UrlSource | undefined {
  const engine = analysis?.database.engine;
  if (!engine || engine.module !== module || engine.variable !== variable || !engine.urlSource) return undefined;
  const { env, setting, literal } = engine.urlSource;
  if (env) return { kind: 'env', name: env };
  if (setting) return { kind: 'setting', name: setting };
  if (literal !== undefined) return { kind: 'literal', url: literal };
  return undefined;
}

const describeSource = (source: UrlSource): string =>
  source.kind === 'engine'
    ? `the engine ${source.module}.${source.variable}`
    : source.kind === 'env'
      ? `the environment variable ${source.name}`
      : source.kind === 'setting'
        ? `the setting ${source.name}`
        : redact(source.url);

/** A URL as one database: SQLite paths resolved from `cwd` (the folder the process runs in), drivers dropped. */
function databaseKey(root: string, url: string, cwd: string): string {
  const path = sqlitePathOf(url);
  if (path === null) return `sqlite-memory:${url}`;
  if (path !== undefined) return `sqlite:${isAbsolute(path) ? path : join(root, cwd, path)}`;
  return url.replace(/^postgres(?:ql)?(?:\+\w+)?:/, 'postgresql:').replace(/\/$/, '');
}

function urlValueOf(input: DatabaseInput, source: UrlSource): { url: string; where: string } | undefined {
  if (source.kind === 'literal') return { url: source.url, where: 'a literal' };
  if (source.kind === 'env') {
    if (input.env[source.name]) return { url: input.env[source.name]!, where: source.name };
    const entry = input.dotenv.find((candidate) => candidate.name === source.name && candidate.hasValue);
    return entry ? { url: entry.value, where: `${source.name} in ${entry.file}` } : undefined;
  }
  return undefined;
}

/**
 * The database the runtime writes to is the one skene's Alembic migration creates the tables in: the same
 * engine, the same environment variable or setting, or URLs that name the same database (SQLite files
 * resolved from the folder each process runs in). Anything doctor cannot read is a warning that says so.
 */
function checkMigrationTarget(input: DatabaseInput, cwd: string, alembic: AlembicTarget): Check {
  const runtime = runtimeTarget(input);
  const at = { file: alembic.file, ...(alembic.line === undefined ? {} : { line: alembic.line }) };
  const migration = alembic.source;
  const unknown = (why: string): Check =>
    warn(
      'database.target',
      `could not tell whether the runtime's database (${runtime.where}) is the one the migration creates skene's tables in (${alembic.where}): ${why}`,
      'Make sure SKENE_DATABASE_URL, if set, names the database `alembic upgrade head` migrates; unset, the runtime uses the app\u2019s engine.',
      at,
    );
  if (!migration) return unknown('doctor cannot read the URL env.py migrates');
  // The runtime's engine, seen through the URL it is built from.
  const runtimeSource =
    runtime.source.kind === 'engine'
      ? migration.kind === 'engine'
        ? runtime.source
        : (engineUrlSource(input.analysis, runtime.source.module, runtime.source.variable) ?? runtime.source)
      : runtime.source;
  const same = `the runtime (${runtime.where}) and the migration (${alembic.where}) use the same database`;
  if (runtimeSource.kind === migration.kind) {
    const equal =
      (runtimeSource.kind === 'engine' &&
        migration.kind === 'engine' &&
        runtimeSource.module === migration.module &&
        runtimeSource.variable === migration.variable) ||
      ((runtimeSource.kind === 'env' || runtimeSource.kind === 'setting') &&
        (migration.kind === 'env' || migration.kind === 'setting') &&
        runtimeSource.name === migration.name);
    if (equal) return pass('database.target', `${same}: both come from ${describeSource(migration)}`, at);
  }
  const runtimeValue = urlValueOf(input, runtimeSource);
  const migrationValue = urlValueOf(input, migration);
  if (!runtimeValue || !migrationValue) {
    const missing = !runtimeValue ? describeSource(runtimeSource) : describeSource(migration);
    return unknown(`${missing} is not known without running the app`);
  }
  if (databaseKey(input.root, runtimeValue.url, cwd) === databaseKey(input.root, migrationValue.url, alembic.cwd)) {
    return pass('database.target', `${same}: ${redact(runtimeValue.url)}`, at);
  }
  return fail(
    'database.target',
    `the runtime writes to ${redact(runtimeValue.url)} (${runtime.where}${runtimeValue.where === 'a literal' ? '' : `, from ${runtimeValue.where}`}), but the Alembic migration creates skene's tables in ${redact(migrationValue.url)} (${alembic.where}${alembic.cwd ? `, run from ${alembic.cwd}/` : ''})`,
    runtime.where.startsWith(DATABASE_URL)
      ? 'Point SKENE_DATABASE_URL at the database Alembic migrates, or unset it so the runtime uses the app\u2019s engine.'
      : 'Make env.py migrate the database the app\u2019s engine uses.',
    at,
  );
}

/** The runtime's own SQLite file (the default skene.db, or SKENE_DATABASE_URL's) kept out of git when it is in the repo. */
function checkStoreIgnored(input: DatabaseInput, cwd: string): Check[] {
  const runtime = runtimeTarget(input);
  if (runtime.source.kind !== 'literal') return [];
  const path = sqlitePathOf(runtime.source.url);
  if (typeof path !== 'string') return [];
  const absolute = isAbsolute(path) ? path : join(input.root, cwd, path);
  const inside = relative(input.root, absolute);
  if (inside.startsWith('..') || isAbsolute(inside)) return [];
  const file = inside.split('\\').join('/');
  const status = gitIgnoreStatus(input.root, file);
  switch (status) {
    case 'ignored':
      return [pass('database.gitignored', `${file} (${runtime.where}) is ignored by git`)];
    case 'no-repository':
      return [pass('database.gitignored', `${file} (${runtime.where}) is not in a git repository`)];
    case 'no-git':
      return [
        warn(
          'database.gitignored',
          `git is not installed, so whether ${file} (${runtime.where}) is ignored by git is unknown`,
          `Add ${posix.basename(file)} to .gitignore if the project is in git.`,
        ),
      ];
    case 'tracked':
      return [
        fail(
          'database.gitignored',
          `${file} (${runtime.where}) is tracked by git: it holds users' ids, emails and usage`,
          `Run \`git rm --cached ${file}\` and add ${file} to .gitignore.`,
          { file },
        ),
      ];
    default:
      return [
        warn(
          'database.gitignored',
          `${file} (${runtime.where}) is not ignored by git: it holds users' ids, emails and usage, one \`git add .\` from a commit`,
          `Add ${file} to .gitignore.`,
          { file },
        ),
      ];
  }
}

/**
 * The store, checked statically (skene never runs the app, and doctor connects to no database server):
 * tables present, or created by a migration or by the runtime on start-up; a SQLite file the app can write;
 * skene's migration on the runtime's database; the runtime's own SQLite file ignored by git.
 */
export function checkDatabase(input: DatabaseInput): Check[] {
  // Relative SQLite paths resolve from the folder the app is started in.
  const cwd = input.analysis ? (findStartPlaces(input.root, input.analysis).places[0]?.cwd ?? '') : '';
  return [...checkStore(input, cwd), ...checkStoreIgnored(input, cwd)];
}
