import { isatty } from 'node:tty';
import type { OutputStream } from './ui/logger.js';

/**
 * What a command needs from the outside world, wired once in `cli.ts`. Tests build their own
 * (captured streams, a fake env, an injected prompt adapter or browser opener) instead of mocking modules.
 */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: OutputStream;
  stderr: OutputStream;
  /** Prompts are allowed only when stdin is a TTY and neither `--yes` nor `CI` says otherwise. */
  stdinIsTTY: boolean;
  /** Set by a command's action; `runCli` returns it. */
  exitCode: number;
  /** Optional replacements for interactive adapters (tests). */
  overrides?: {
    openUrl?: (url: string) => Promise<void>;
    prompter?: import('./ui/prompts.js').Prompter;
  };
}

export function defaultContext(): CliContext {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    // isatty(0) rather than process.stdin.isTTY: touching process.stdin builds a stream, which costs
    // `skene --help` several milliseconds.
    stdinIsTTY: isatty(0),
    exitCode: 0,
  };
}
