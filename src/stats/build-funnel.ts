import type { EventRow, Funnel, FunnelStage, StageId, StatsReport, WeeklyCohort } from './types.js';

const STAGES: ReadonlyArray<{ id: StageId; label: string; kind: EventRow['kind'] }> = [
  { id: 'limit', label: 'Hit the limit', kind: 'limit_reached' },
  { id: 'warned', label: 'Got the warning', kind: 'limit_warning' },
  { id: 'prompted', label: 'Got the prompt', kind: 'prompt_sent' },
  { id: 'clicked', label: 'Clicked upgrade', kind: 'upgrade_clicked' },
  { id: 'converted', label: 'Converted', kind: 'converted' },
];

const WEEK = 7 * 86_400;

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Monday 00:00 UTC of the week holding `seconds`, as Unix seconds. */
export function weekStart(seconds: number): number {
  const day = Math.floor(seconds / 86_400);
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  return (day - ((day + 3) % 7)) * 86_400;
}

const isoDay = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10);

/**
 * The funnel of `rows` (already limited to the period and, for a step's funnel, to that step): the cohort is the
 * users who hit the limit; each later stage counts those of them with that event. A user is one `userKey`; in the
 * overall funnel a user counts once whatever the steps.
 */
export function buildFunnel(rows: readonly EventRow[], stepId: string | null): Funnel {
  const firstHit = new Map<string, number>();
  const byKind = new Map<EventRow['kind'], Map<string, number>>();
  for (const row of rows) {
    const users = byKind.get(row.kind) ?? new Map<string, number>();
    byKind.set(row.kind, users);
    const seen = users.get(row.userKey);
    if (seen === undefined || row.createdAt < seen) users.set(row.userKey, row.createdAt);
    if (row.kind === 'limit_reached') {
      const first = firstHit.get(row.userKey);
      if (first === undefined || row.createdAt < first) firstHit.set(row.userKey, row.createdAt);
    }
  }
  const cohortWith = (kind: EventRow['kind']): Set<string> =>
    new Set([...firstHit.keys()].filter((user) => byKind.get(kind)?.has(user) === true));
  const stages: FunnelStage[] = [];
  let previous: Set<string> | undefined;
  for (const stage of STAGES) {
    const users = stage.kind === 'limit_reached' ? new Set(firstHit.keys()) : cohortWith(stage.kind);
    const carried = previous ? [...previous].filter((user) => users.has(user)).length : 0;
    stages.push({
      id: stage.id,
      label: stage.label,
      users: users.size,
      ofPrevious: previous ? ratio(carried, previous.size) : null,
      ofLimit: ratio(users.size, firstHit.size),
    });
    previous = users;
  }
  const converted = byKind.get('converted') ?? new Map<string, number>();
  const delays = [...cohortWith('converted')].map((user) => Math.max(0, converted.get(user)! - firstHit.get(user)!));
  return {
    stepId,
    stages,
    conversionRate: ratio(stages.at(-1)!.users, firstHit.size),
    medianSecondsToConvert: median(delays),
    warnedUsers: byKind.get('limit_warning')?.size ?? 0,
    cohorts: buildCohorts(firstHit, converted),
  };
}

function buildCohorts(firstHit: Map<string, number>, converted: Map<string, number>): WeeklyCohort[] {
  if (firstHit.size === 0) return [];
  const weeks = new Map<number, { users: number; converted: number }>();
  for (const [user, at] of firstHit) {
    const week = weekStart(at);
    const cohort = weeks.get(week) ?? { users: 0, converted: 0 };
    cohort.users += 1;
    if (converted.has(user)) cohort.converted += 1;
    weeks.set(week, cohort);
  }
  const starts = [...weeks.keys()];
  const cohorts: WeeklyCohort[] = [];
  // Every week from the first to the last, the empty ones too, so a chart's gaps are real.
  for (let week = Math.min(...starts); week <= Math.max(...starts); week += WEEK) {
    const cohort = weeks.get(week) ?? { users: 0, converted: 0 };
    cohorts.push({
      week: isoDay(week),
      users: cohort.users,
      converted: cohort.converted,
      rate: ratio(cohort.converted, cohort.users),
    });
  }
  return cohorts;
}

/** Per step (sorted by id; `stepIds` adds steps with no events) and overall. */
export function buildStatsReport(input: {
  rows: readonly EventRow[];
  from: number | null;
  to: number;
  since: string | null;
  stepIds?: readonly string[];
}): StatsReport {
  const inPeriod = input.rows.filter(
    (row) => (input.from === null || row.createdAt >= input.from) && row.createdAt <= input.to,
  );
  const ids = [...new Set([...(input.stepIds ?? []), ...inPeriod.map((row) => row.stepId)])].sort();
  return {
    from: input.from,
    to: input.to,
    since: input.since,
    steps: ids.map((id) =>
      buildFunnel(
        inPeriod.filter((row) => row.stepId === id),
        id,
      ),
    ),
    overall: buildFunnel(inPeriod, null),
  };
}
