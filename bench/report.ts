/** Small helpers shared by the benchmarks: statistics, number formats, a plain-text table. */

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile of `values` (unsorted); NaN for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export const ms = (value: number, digits = 0): string =>
  `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ms`;
export const ratio = (value: number): string => `${value.toFixed(2)}x`;
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** `ok` / `MISS` against a target, for the last column. */
export const verdict = (met: boolean): string => (met ? 'ok' : 'MISS');

/** Left-aligned columns separated by two spaces; a row of one cell is a section title. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.filter((r) => r.length > 1).map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) out.push(row.length === 1 ? `${row[0]}` : line(row));
  return out.join('\n');
}
