import type { ConfigDiagnostic } from '../config/types.js';
import type { Palette } from './palette.js';

/**
 * Renders a diagnostic for the terminal:
 *
 *   skene.config.ts:25:24 error Unknown key "limt" in condition [unknown-key]
 *     <code frame>
 *     hint: Did you mean "limit"?
 */
export function formatConfigDiagnostic(d: ConfigDiagnostic, palette?: Palette): string {
  const paint = palette ?? identityPalette;
  const lines = [
    `${paint.accent(`${d.file}:${d.line}:${d.col}`)} ${paint.error('error')} ${d.message} ${paint.dim(`[${d.code}]`)}`,
  ];
  if (d.frame) lines.push(indent(d.frame));
  if (d.hint) lines.push(`  ${paint.bold('hint:')} ${d.hint}`);
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

const same = (text: string): string => text;
const identityPalette: Palette = { success: same, warn: same, error: same, accent: same, dim: same, bold: same };
