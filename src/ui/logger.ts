import { colorEnabledFor, createPalette, type Palette } from './palette.js';

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * The one way skene prints. Results and JSON go to stdout; progress, warnings and errors to stderr,
 * so `skene analyze --json | jq` always sees one clean document.
 */
export interface Logger {
  readonly palette: Palette;
  /** True when stderr is an interactive terminal (spinners and progress allowed). */
  readonly interactive: boolean;
  /** A result line on stdout. */
  out(line?: string): void;
  /** A JSON document on stdout, nothing else. */
  json(value: unknown): void;
  info(line: string): void;
  success(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  /** Progress on stderr, only when it is a TTY. */
  progress(line: string): void;
}

export interface LoggerOptions {
  stdout?: OutputStream;
  stderr?: OutputStream;
  env?: NodeJS.ProcessEnv;
  /** Suppress info/success/progress on stderr (e.g. with --json). Warnings and errors still print. */
  quiet?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const palette = createPalette(colorEnabledFor(stdout, env));
  const errPalette = createPalette(colorEnabledFor(stderr, env));
  const interactive = stderr.isTTY === true && !env.CI;
  const quiet = options.quiet === true;
  return {
    palette,
    interactive,
    out: (line = '') => void stdout.write(`${line}\n`),
    json: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    info: (line) => {
      if (!quiet) stderr.write(`${line}\n`);
    },
    success: (line) => {
      if (!quiet) stderr.write(`${errPalette.success('✓')} ${line}\n`);
    },
    warn: (line) => void stderr.write(`${errPalette.warn('⚠')} ${line}\n`),
    error: (line) => void stderr.write(`${errPalette.error('✗')} ${line}\n`),
    progress: (line) => {
      if (!quiet && interactive) stderr.write(`\r\x1b[2K${errPalette.dim(line)}`);
    },
  };
}
