/** The events of skene's runtime that the funnel reads (PRODUCT.md §4, "Conversion"). */
export const FUNNEL_EVENT_KINDS = [
  'limit_reached',
  'limit_warning',
  'prompt_sent',
  'upgrade_clicked',
  'converted',
] as const;
export type FunnelEventKind = (typeof FUNNEL_EVENT_KINDS)[number];

/** One row of `skene_events`, as the funnel needs it. Times are Unix seconds. */
export interface EventRow {
  kind: FunnelEventKind;
  stepId: string;
  userKey: string;
  createdAt: number;
}

export type StageId = 'limit' | 'warned' | 'prompted' | 'clicked' | 'converted';

export interface FunnelStage {
  id: StageId;
  label: string;
  /** Users of the cohort (those who hit the limit in the period) who reached this stage. */
  users: number;
  /**
   * The share of the stage above's users who also reached this stage (of those who clicked, how many converted);
   * null for the first stage and when the stage above has none.
   */
  ofPrevious: number | null;
  /** users / the users who hit the limit; null when none did. */
  ofLimit: number | null;
}

export interface WeeklyCohort {
  /** Monday (UTC) of the week of the users' first limit hit, `YYYY-MM-DD`. */
  week: string;
  users: number;
  converted: number;
  rate: number | null;
}

export interface Funnel {
  /** The step id, or null for every step together (each user counted once). */
  stepId: string | null;
  stages: FunnelStage[];
  /** converted / hit the limit; null when nobody hit it. */
  conversionRate: number | null;
  /** Median seconds from a user's first limit hit in the period to their conversion; null without conversions. */
  medianSecondsToConvert: number | null;
  /** Users warned in the period, those who never hit the limit included. */
  warnedUsers: number;
  cohorts: WeeklyCohort[];
}

export interface StatsReport {
  /** Start of the period (Unix seconds), null for all time. */
  from: number | null;
  to: number;
  since: string | null;
  steps: Funnel[];
  overall: Funnel;
}

/** Where the events were read: the URL with its password hidden, and why that URL. */
export interface StatsSource {
  dialect: 'sqlite' | 'postgresql';
  driver: string;
  url: string;
  /** `SKENE_DATABASE_URL in .env`, `the URL of app.db.engine`, `DEFAULT_DATABASE_URL of app/skene/_integration.py`. */
  source: string;
}

/** `skene stats --json`: one document. Times are ISO-8601 (UTC); rates are fractions (0.25), null when 0/0. */
export interface StatsDocument {
  ok: true;
  database: StatsSource;
  period: { since: string | null; from: string | null; to: string };
  steps: Funnel[];
  overall: Funnel;
}

export function buildStatsDocument(report: StatsReport, source: StatsSource): StatsDocument {
  const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
  return {
    ok: true,
    database: source,
    period: { since: report.since, from: report.from === null ? null : iso(report.from), to: iso(report.to) },
    steps: report.steps,
    overall: report.overall,
  };
}
