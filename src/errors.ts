/** Exit codes are a contract: listed in `skene --help`. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  cancelled: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The one error type helpers throw. `cli.ts` prints it once (message, then hint) and exits
 * with `exitCode`; nothing below the commands calls `process.exit`.
 */
export class SkeneError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;
  /** Extra top-level fields of the `--json` error document (`{"ok": false, "loggedIn": false, "error": ...}`). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    message: string,
    options: { hint?: string; exitCode?: ExitCode; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SkeneError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.details = options.details;
  }
}

/** A usage error: a bad flag, a missing argument, or an answer that cannot be asked for (no TTY). */
export class UsageError extends SkeneError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: ExitCode.usage });
    this.name = 'UsageError';
  }
}
