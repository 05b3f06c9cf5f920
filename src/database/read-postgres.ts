import type { ReadOnlyDatabase } from './read-only-database.js';

/** One `pg` connection in a read-only transaction (`BEGIN READ ONLY`), closed by close(). */
export async function openPostgres(connectionString: string, timeoutMs = 10_000): Promise<ReadOnlyDatabase> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs * 3,
    application_name: 'skene stats',
  });
  await client.connect();
  try {
    await client.query('BEGIN READ ONLY');
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    dialect: 'postgresql',
    driver: 'pg',
    query: async (sql, params = []) => (await client.query(sql, [...params])).rows as Array<Record<string, unknown>>,
    tablesPresent: async (names) =>
      (
        await client.query(
          'SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relkind IN ($1, $2) AND pg_catalog.pg_table_is_visible(c.oid) AND c.relname = ANY($3)',
          ['r', 'p', [...names]],
        )
      ).rows.map((row: { relname: string }) => row.relname),
    close: async () => {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
}
