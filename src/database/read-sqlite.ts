import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SkeneError } from '../errors.js';
import { applySqliteWal, walIdentity } from './apply-sqlite-wal.js';
import type { ReadOnlyDatabase } from './read-only-database.js';

type Row = Record<string, unknown>;

interface NodeSqliteModule {
  DatabaseSync: new (
    path: string,
    options?: { readOnly?: boolean },
  ) => {
    prepare(sql: string): { all(...params: unknown[]): Row[] };
    close(): void;
  };
}

/** Node's own SQLite (Node 22.5+, unflagged from 22.13), when this Node has it: it reads the WAL itself. */
function nodeSqlite(): NodeSqliteModule | undefined {
  const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  try {
    return (builtin?.('node:sqlite') as NodeSqliteModule | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

/** sql.js's WebAssembly file: the copy `npm run build` puts beside the bundle, or the installed package's. */
function sqlJsWasmPath(): string {
  if (import.meta.url.endsWith('.ts')) return createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
  return fileURLToPath(new URL('./sql-wasm.wasm', import.meta.url));
}

function readOptional(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The main file and its WAL as of one moment: the WAL's header is read before the main file and again with the
 * WAL, and a WAL restarted in between (a checkpoint finished and a writer began anew) is read again.
 */
function readSnapshot(path: string): { main: Buffer; wal: Buffer | undefined } {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const before = walIdentity(readOptional(`${path}-wal`)?.subarray(0, 32) ?? new Uint8Array());
    const main = readFileSync(path);
    const wal = readOptional(`${path}-wal`);
    if (walIdentity(wal ?? new Uint8Array()) === before || before === '') return { main, wal };
  }
  throw new SkeneError(`${path} kept changing while skene read it.`, { hint: 'Run skene stats again.' });
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** Opens a SQLite file read-only: node:sqlite when present, else sql.js over a copy with the WAL applied. */
export async function openSqlite(path: string): Promise<ReadOnlyDatabase> {
  const native = nodeSqlite();
  if (native) {
    const db = new native.DatabaseSync(path, { readOnly: true });
    return {
      dialect: 'sqlite',
      driver: 'node:sqlite',
      query: async (sql, params = []) => db.prepare(sql).all(...params),
      tablesPresent: async (names) =>
        db
          .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${placeholders(names.length)})`)
          .all(...names)
          .map((row) => String(row.name)),
      close: async () => db.close(),
    };
  }
  const { main, wal } = readSnapshot(path);
  const { default: initSqlJs } = await import('sql.js');
  let wasm: Buffer;
  try {
    wasm = readFileSync(sqlJsWasmPath());
  } catch (error) {
    throw new SkeneError(`sql.js's WebAssembly file is missing from this install: ${(error as Error).message}`, {
      hint: 'Reinstall skene, or run it on Node 22.13 or newer (node:sqlite).',
      cause: error,
    });
  }
  const SQL = await initSqlJs({ wasmBinary: new Uint8Array(wasm).buffer });
  const db = new SQL.Database(applySqliteWal(main, wal).image);
  const all = (sql: string, params: ReadonlyArray<string | number>): Row[] => {
    const statement = db.prepare(sql);
    try {
      statement.bind([...params]);
      const rows: Row[] = [];
      while (statement.step()) rows.push(statement.getAsObject() as Row);
      return rows;
    } finally {
      statement.free();
    }
  };
  return {
    dialect: 'sqlite',
    driver: 'sql.js',
    query: async (sql, params = []) => all(sql, params),
    tablesPresent: async (names) =>
      all(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${placeholders(names.length)})`, names).map(
        (row) => String(row.name),
      ),
    close: async () => db.close(),
  };
}
