import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { SkeneError } from '../errors.js';
import { type DatabaseTarget, redactDatabaseUrl } from './database-url.js';
import type { ReadOnlyDatabase } from './read-only-database.js';

/**
 * Opens one read-only connection to `target`. The drivers are loaded here, only when needed: `pg` for
 * PostgreSQL; for SQLite, node:sqlite where Node has it, else sql.js (WebAssembly, no native binary).
 */
export async function openDatabase(target: DatabaseTarget, root: string): Promise<ReadOnlyDatabase> {
  const shown = `${redactDatabaseUrl(target.url)} (${target.source})`;
  if (target.dialect === 'sqlite') {
    if (target.path === null)
      throw new SkeneError(`The runtime keeps its events in memory (${shown}): there is nothing to read.`, {
        hint: 'Point SKENE_DATABASE_URL at a sqlite file or a postgresql:// URL.',
      });
    const path = isAbsolute(target.path) ? target.path : join(root, target.path);
    if (!existsSync(path)) {
      throw new SkeneError(
        `No SQLite database at ${path} (${shown}): the app has recorded nothing yet, or runs elsewhere.`,
        { hint: 'Run skene stats where the app keeps its database, or set SKENE_DATABASE_URL.' },
      );
    }
    const { openSqlite } = await import('./read-sqlite.js');
    try {
      return await openSqlite(path);
    } catch (error) {
      if (error instanceof SkeneError) throw error;
      throw new SkeneError(`Cannot read the SQLite database ${path} (${shown}): ${(error as Error).message}`, {
        hint: 'Check that the file is a SQLite database skene can read.',
        cause: error,
      });
    }
  }
  const { openPostgres } = await import('./read-postgres.js');
  try {
    return await openPostgres(target.connectionString);
  } catch (error) {
    throw new SkeneError(`Cannot connect to PostgreSQL at ${shown}: ${(error as Error).message}`, {
      hint: 'Check that the server is up and the URL is the one the app uses.',
      cause: error,
    });
  }
}
