/** `0.667` → `66.7%`, `1` → `100%`; `—` for a rate with nothing to divide by. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '—';
  return `${(rate * 100).toFixed(1).replace(/\.0$/, '')}%`;
}

/** Seconds as a person reads them: `42 s`, `5 min 12 s`, `3 h 12 min`, `2 d 4 h`; `—` for none. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) {
    const minutes = Math.floor((s % 3600) / 60);
    return minutes === 0 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 3600)} h ${minutes} min`;
  }
  const hours = Math.floor((s % 86_400) / 3600);
  return hours === 0 ? `${Math.floor(s / 86_400)} d` : `${Math.floor(s / 86_400)} d ${hours} h`;
}

/** `2026-11-30T09:12:00.000Z` → `2026-11-30 09:12 UTC`. */
export function formatInstant(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** What the report covers: `all time`, or `since 30d (from 2026-11-02 14:00 UTC)`. */
export function describePeriod(since: string | null, from: number | null): string {
  return since === null || from === null ? 'all time' : `the last ${since} (since ${formatInstant(from)})`;
}
