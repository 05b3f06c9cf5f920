import type { ReadOnlyDatabase } from '../database/read-only-database.js';
import { RUNTIME_TABLES } from '../generate/runtime-contract.js';
import { type EventRow, FUNNEL_EVENT_KINDS, type FunnelEventKind } from './types.js';

export const EVENTS_TABLE = RUNTIME_TABLES.events;

/**
 * The funnel's events of `skene_events` (templates/python/runtime/_schema.py), oldest first: the five kinds the
 * funnel counts, with a user and a step, from `from` on (Unix seconds; null for all time) and of one step when
 * `stepId` is given. One SELECT; the database does the filtering.
 */
export async function readFunnelEvents(
  db: ReadOnlyDatabase,
  filter: { from: number | null; stepId: string | null },
): Promise<EventRow[]> {
  const params: Array<string | number> = [];
  const placeholder = (value: string | number): string => {
    params.push(value);
    return db.dialect === 'postgresql' ? `$${params.length}` : '?';
  };
  const where = [
    `kind IN (${FUNNEL_EVENT_KINDS.map((kind) => placeholder(kind)).join(', ')})`,
    'user_key IS NOT NULL',
    'step_id IS NOT NULL',
  ];
  if (filter.from !== null) where.push(`created_at >= ${placeholder(filter.from)}`);
  if (filter.stepId !== null) where.push(`step_id = ${placeholder(filter.stepId)}`);
  const rows = await db.query(
    `SELECT kind, step_id, user_key, created_at FROM ${EVENTS_TABLE} WHERE ${where.join(' AND ')} ORDER BY created_at`,
    params,
  );
  return rows.map((row) => ({
    kind: String(row.kind) as FunnelEventKind,
    stepId: String(row.step_id),
    userKey: String(row.user_key),
    createdAt: Number(row.created_at),
  }));
}

/** The step ids that have any event at all (whatever the period), for `--step` and empty steps. */
export async function readEventStepIds(db: ReadOnlyDatabase): Promise<string[]> {
  const rows = await db.query(`SELECT DISTINCT step_id FROM ${EVENTS_TABLE} WHERE step_id IS NOT NULL`);
  return rows.map((row) => String(row.step_id)).sort();
}
