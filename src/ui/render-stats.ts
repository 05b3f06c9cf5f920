import { describePeriod, formatDuration, formatRate } from '../stats/format.js';
import type { Funnel, StatsDocument, StatsReport } from '../stats/types.js';
import type { Palette } from './palette.js';

const BAR_WIDTH = 24;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `value / max` of `width` cells in Unicode blocks (eighths at the end); `''` for 0. */
export function blockBar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** A cohort's bar: its users as cells of `░`, the converted ones of them as `█` (readable without colour). */
export function cohortBar(converted: number, users: number, largest: number, p: Palette, width = BAR_WIDTH): string {
  if (largest <= 0 || users <= 0) return '';
  const cells = Math.max(1, Math.round((users / largest) * width));
  const filled = converted > 0 ? Math.max(1, Math.round((converted / users) * cells)) : 0;
  return p.accent('█'.repeat(filled)) + p.dim('░'.repeat(cells - filled));
}

const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - [...text].length));
const padStart = (text: string, width: number): string => ' '.repeat(Math.max(0, width - [...text].length)) + text;

function table(header: string[], rows: string[][], rightAligned: boolean[], p: Palette): string[] {
  const widths = header.map((cell, i) => Math.max([...cell].length, ...rows.map((row) => [...(row[i] ?? '')].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : rightAligned[i] ? padStart(cell, widths[i]!) : pad(cell, widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [p.dim(line(header)), ...rows.map(line)];
}

function renderFunnel(funnel: Funnel, title: string, p: Palette): string[] {
  const lines = [p.bold(title)];
  const top = funnel.stages[0]?.users ?? 0;
  if (top === 0) {
    lines.push(`  ${p.dim('Nobody hit the limit in this period.')}`);
    if (funnel.warnedUsers > 0) lines.push(`  ${funnel.warnedUsers} warned (approaching the limit).`);
    return lines;
  }
  const rows = funnel.stages.map((stage) => [
    stage.label,
    String(stage.users),
    stage.id === 'limit' ? '' : formatRate(stage.ofPrevious),
    formatRate(stage.ofLimit),
    p.accent(blockBar(stage.users, top, BAR_WIDTH)),
  ]);
  lines.push(
    ...table(['Stage', 'Users', 'Of above', 'Of limit', ''], rows, [false, true, true, true, false], p).map(
      (l) => `  ${l}`,
    ),
  );
  const warnedOutside = funnel.warnedUsers - (funnel.stages.find((s) => s.id === 'warned')?.users ?? 0);
  const facts = [
    `Conversion ${p.bold(formatRate(funnel.conversionRate))}`,
    `median time from limit to conversion ${p.bold(formatDuration(funnel.medianSecondsToConvert))}`,
  ];
  lines.push(`  ${facts.join(' · ')}`);
  if (warnedOutside > 0) lines.push(`  ${p.dim(`${warnedOutside} more warned who have not hit the limit.`)}`);
  if (funnel.cohorts.length > 0) {
    lines.push('', `  ${p.bold('Weekly cohorts')} ${p.dim('(by the week of the first limit hit)')}`);
    const largest = Math.max(...funnel.cohorts.map((c) => c.users));
    const cohortRows = funnel.cohorts.map((cohort) => [
      cohort.week,
      String(cohort.users),
      String(cohort.converted),
      formatRate(cohort.rate),
      cohortBar(cohort.converted, cohort.users, largest, p),
    ]);
    lines.push(
      ...table(['Week of', 'Users', 'Converted', 'Rate', ''], cohortRows, [false, true, true, true, false], p).map(
        (l) => `  ${l}`,
      ),
    );
  }
  return lines;
}

/** The terminal report: a table with bars per step, then all steps together when there are several. */
export function renderStats(document: StatsDocument, report: StatsReport, p: Palette): string {
  const lines = [
    `${p.bold('skene stats')} ${p.dim('·')} ${describePeriod(report.since, report.from)} ${p.dim('·')} ${document.database.url} ${p.dim(`(${document.database.source})`)}`,
    '',
  ];
  if (document.steps.length === 0) {
    lines.push(p.dim('No steps have events yet: nobody has hit a limit.'));
    return `${lines.join('\n')}\n`;
  }
  for (const funnel of document.steps) {
    lines.push(...renderFunnel(funnel, `Step ${funnel.stepId}`, p), '');
  }
  if (document.steps.length > 1) {
    lines.push(...renderFunnel(document.overall, 'All steps (each user once)', p), '');
  }
  lines.push(
    p.dim(
      'Of above: the share of the stage above who reached this one. Of limit: of the users who hit the limit; the later stages count those users only.',
    ),
  );
  return `${lines.join('\n')}\n`;
}
