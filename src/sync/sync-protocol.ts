/**
 * The document `python -m <runtime> sync` prints (templates/python/runtime/_sync.py): one JSON object on
 * stdout, exit 0; or `{"error": "..."}` with exit 2. The CLI writes `{"subscriptions": [...]}` to its stdin.
 */

/** How the runtime tied a subscription's customer to a user (docs/CUSTOMER-LINKS.md), or null when nothing did. */
export const SYNC_LINKS = [
  'metadata.user_id',
  'customer.metadata.user_id',
  'skene',
  'customer_column',
  'email',
] as const;
export type SyncLink = (typeof SYNC_LINKS)[number];

/** What the run did (or, with --dry-run, would do) to skene's row of the subscription. */
export const SYNC_CHANGES = ['created', 'updated', 'unchanged', 'ignored'] as const;
export type SyncChange = (typeof SYNC_CHANGES)[number];

export interface RuntimeSyncRow {
  subscription_id: string;
  customer_id: string | null;
  status: string | null;
  user_key: string | null;
  link: SyncLink | null;
  change: SyncChange;
  /** The expanded customer's email, when the runtime says it. */
  customer_email?: string | null;
}

/** A listed object the runtime could not read as a subscription (its index in the input). */
export interface RuntimeSyncRejected {
  index: number;
  error: string;
}

export interface RuntimeSyncSummary {
  linked: number;
  unlinked: number;
  created: number;
  updated: number;
  unchanged: number;
  ignored: number;
}

export interface RuntimeSyncOutput {
  dry_run: boolean;
  /** The store the runtime wrote to, in its words (`sqlite /srv/app.db`, `postgresql on db:5432/app`). */
  database: string;
  subscriptions: RuntimeSyncRow[];
  rejected: RuntimeSyncRejected[];
  summary: RuntimeSyncSummary;
}

const SUMMARY_KEYS = ['linked', 'unlinked', 'created', 'updated', 'unchanged', 'ignored'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** Checks the runtime's document field by field; the message names the first field that is wrong. */
export function parseRuntimeSyncOutput(value: unknown): RuntimeSyncOutput {
  const wrong = (what: string): never => {
    throw new Error(`the runtime's sync output has ${what}`);
  };
  if (!isRecord(value)) return wrong('no JSON object');
  if (typeof value.dry_run !== 'boolean') wrong('no boolean "dry_run"');
  if (typeof value.database !== 'string') wrong('no string "database"');
  if (!Array.isArray(value.subscriptions)) return wrong('no "subscriptions" list');
  const subscriptions = value.subscriptions.map((row, index): RuntimeSyncRow => {
    const at = `subscriptions[${index}]`;
    if (!isRecord(row)) return wrong(`a non-object ${at}`);
    if (typeof row.subscription_id !== 'string') wrong(`no string ${at}.subscription_id`);
    for (const key of ['customer_id', 'status', 'user_key'] as const)
      if (!isStringOrNull(row[key])) wrong(`a ${at}.${key} that is neither a string nor null`);
    if (row.link !== null && !SYNC_LINKS.includes(row.link as SyncLink)) wrong(`an unknown ${at}.link`);
    if (!SYNC_CHANGES.includes(row.change as SyncChange)) wrong(`an unknown ${at}.change`);
    if (row.customer_email !== undefined && !isStringOrNull(row.customer_email))
      wrong(`a ${at}.customer_email that is neither a string nor null`);
    return {
      subscription_id: row.subscription_id as string,
      customer_id: row.customer_id as string | null,
      status: row.status as string | null,
      user_key: row.user_key as string | null,
      link: row.link as SyncLink | null,
      change: row.change as SyncChange,
      ...(row.customer_email !== undefined ? { customer_email: row.customer_email as string | null } : {}),
    };
  });
  const rejected = (value.rejected ?? []) as unknown;
  if (!Array.isArray(rejected)) return wrong('a "rejected" that is not a list');
  const rejectedRows = rejected.map((item, index): RuntimeSyncRejected => {
    if (!isRecord(item) || !Number.isInteger(item.index) || typeof item.error !== 'string')
      return wrong(`a rejected[${index}] without its index and error`);
    return { index: item.index as number, error: item.error };
  });
  if (!isRecord(value.summary)) return wrong('no "summary" object');
  const summary = value.summary;
  for (const key of SUMMARY_KEYS)
    if (!Number.isInteger(summary[key]) || (summary[key] as number) < 0) wrong(`no count "summary.${key}"`);
  return {
    dry_run: value.dry_run as boolean,
    database: value.database as string,
    subscriptions,
    rejected: rejectedRows,
    summary: Object.fromEntries(
      SUMMARY_KEYS.map((key) => [key, summary[key] as number]),
    ) as unknown as RuntimeSyncSummary,
  };
}

/**
 * The JSON document in the runtime's stdout: all of it, else the last line that parses (an app module that
 * prints while it is imported puts lines before the document).
 */
export function extractJsonDocument(stdout: string): unknown {
  const text = stdout.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    const lines = text.split('\n');
    for (let index = lines.length - 1; index >= 0; index--) {
      if (!lines[index]!.trimStart().startsWith('{')) continue;
      try {
        return JSON.parse(lines.slice(index).join('\n'));
      } catch {
        // an earlier line may start the document
      }
    }
    return undefined;
  }
}
