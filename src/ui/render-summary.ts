import type { FileChange, ManualStep } from '../io/file-change.js';
import type { Palette } from './palette.js';

function list(title: string, changes: FileChange[], palette: Palette, mark: string): string[] {
  if (changes.length === 0) return [];
  return [
    palette.bold(`${title} (${changes.length}):`),
    ...changes.map((c) => `  ${mark} ${palette.accent(c.path)}${c.reason ? palette.dim(` — ${c.reason}`) : ''}`),
  ];
}

/** Created / Updated / Unchanged, from the same changes the diff was built from. */
export function renderChangeSummary(
  changes: FileChange[],
  palette: Palette,
  options: { dryRun?: boolean } = {},
): string {
  const created = changes.filter((c) => c.action === 'create');
  const updated = changes.filter((c) => c.action === 'update');
  const unchanged = changes.filter((c) => c.action === 'skip');
  const prefix = options.dryRun ? 'Would be ' : '';
  const label = (word: string): string => (options.dryRun ? `${prefix}${word.toLowerCase()}` : word);
  return [
    ...list(label('Created'), created, palette, palette.success('+')),
    ...list(label('Updated'), updated, palette, palette.warn('~')),
    ...(unchanged.length > 0
      ? [palette.dim(`Unchanged (${unchanged.length}): ${unchanged.map((c) => c.path).join(', ')}`)]
      : []),
  ].join('\n');
}

/** Edits skene could not make safely, with the exact lines to add by hand. */
export function renderManualSteps(steps: ManualStep[], palette: Palette): string {
  if (steps.length === 0) return '';
  const lines = [palette.warn(`Edit by hand (${steps.length}):`)];
  for (const step of steps) {
    lines.push(`  ${palette.accent(`${step.file}:${step.line}`)} ${step.why}`);
    for (const snippet of step.snippet.split('\n')) lines.push(`      ${snippet}`);
  }
  return lines.join('\n');
}
