import pc from 'picocolors';

export interface Palette {
  success(text: string): string;
  warn(text: string): string;
  error(text: string): string;
  /** Paths, commands, package names. */
  accent(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** Colours only when asked for: callers decide from NO_COLOR / FORCE_COLOR and whether the stream is a TTY. */
export function createPalette(enabled: boolean): Palette {
  const c = pc.createColors(enabled);
  return {
    success: c.green,
    warn: c.yellow,
    error: c.red,
    accent: c.cyan,
    dim: c.dim,
    bold: c.bold,
  };
}

export function colorEnabledFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}
