import type { ConfigDiagnostic, NormalizedLoop } from '../config/types.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One line of doctor's report. `id` is stable (scripts match on it); `fix` is set unless the check passed. */
export interface Check {
  id: string;
  status: CheckStatus;
  message: string;
  file?: string;
  line?: number;
  /** 1-based column, set on config diagnostics (shown as file:line:col and given as `col` in the JSON). */
  col?: number;
  fix?: string;
  /** Extra lines for people (a code frame); not part of the JSON document. */
  detail?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

/** What the static config reader returns (`readLoopConfig`). */
export interface ConfigReading {
  loop?: NormalizedLoop;
  diagnostics: ConfigDiagnostic[];
}

/** A variable from a `.env` file: doctor reads names and whether a value is set, and never prints values. */
export interface DotenvEntry {
  file: string;
  line: number;
  name: string;
  hasValue: boolean;
  /** Read only for settings doctor must interpret (a database URL); never printed. */
  value: string;
}

export const pass = (id: string, message: string, at: Partial<Pick<Check, 'file' | 'line'>> = {}): Check => ({
  id,
  status: 'pass',
  message,
  ...at,
});

export const warn = (
  id: string,
  message: string,
  fix: string,
  at: Partial<Pick<Check, 'file' | 'line' | 'col'>> = {},
): Check => ({
  id,
  status: 'warn',
  message,
  ...at,
  fix,
});

export const fail = (
  id: string,
  message: string,
  fix: string,
  at: Partial<Pick<Check, 'file' | 'line' | 'col'>> = {},
): Check => ({
  id,
  status: 'fail',
  message,
  ...at,
  fix,
});
