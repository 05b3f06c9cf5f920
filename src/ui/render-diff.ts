import { structuredPatch } from 'diff';
import type { FileChange } from '../io/file-change.js';
import type { Palette } from './palette.js';

function countLines(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** A git-style unified diff of one change, coloured through the palette (plain when colour is off). */
export function renderFileDiff(change: FileChange, palette: Palette, context = 3): string {
  const before = change.before ?? '';
  const oldName = change.before === undefined ? '/dev/null' : `a/${change.path}`;
  const patch = structuredPatch(oldName, `b/${change.path}`, before, change.after, '', '', { context });
  const lines = [palette.bold(`--- ${oldName}`), palette.bold(`+++ b/${change.path}`)];
  for (const hunk of patch.hunks) {
    lines.push(palette.accent(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`));
    for (const line of hunk.lines) {
      if (line.startsWith('+')) lines.push(palette.success(line));
      else if (line.startsWith('-')) lines.push(palette.error(line));
      else if (line.startsWith('\\')) lines.push(palette.dim(line));
      else lines.push(line);
    }
  }
  return lines.join('\n');
}

/**
 * The plan as the user reviews it: full diffs for edits of their files and the config, one line per
 * generated runtime file (skene's own code, regenerated on every run) and for a new email template.
 */
export function renderPlanDiff(changes: FileChange[], palette: Palette): string {
  const blocks: string[] = [];
  const generated: string[] = [];
  for (const change of changes) {
    if (change.action === 'skip') continue;
    if (change.kind === 'runtime' || (change.kind === 'template' && change.action === 'create')) {
      const verb = change.action === 'create' ? 'new' : 'regenerated';
      generated.push(
        `  ${palette.success('+')} ${palette.accent(change.path)} ${palette.dim(`(${verb}, ${countLines(change.after)} lines)`)}`,
      );
      continue;
    }
    blocks.push(renderFileDiff(change, palette));
  }
  if (generated.length > 0) blocks.push([palette.bold('Generated runtime files:'), ...generated].join('\n'));
  return blocks.join('\n\n');
}
