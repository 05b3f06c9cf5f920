/** One read-only connection to the app's database, whatever the engine: rows as plain objects. */
export interface ReadOnlyDatabase {
  readonly dialect: 'sqlite' | 'postgresql';
  /** Which driver reads it (`node:sqlite`, `sql.js`, `pg`), for messages. */
  readonly driver: string;
  /** Runs one SELECT; `?` placeholders on SQLite, `$1` on PostgreSQL (use `placeholder(n)`). */
  query(sql: string, params?: ReadonlyArray<string | number>): Promise<Array<Record<string, unknown>>>;
  /** The table names among `names` that exist. */
  tablesPresent(names: readonly string[]): Promise<string[]>;
  close(): Promise<void>;
}
