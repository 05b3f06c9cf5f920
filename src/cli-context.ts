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
  /**
   * Starts catching Ctrl-C (SIGINT) for a stretch of work that must finish or roll back (writing a plan):
   * the signal aborts instead of killing the process. `release` restores the default.
   */
  trapInterrupt?: () => { signal: AbortSignal; release(): void };
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
    trapInterrupt: () => {
      const controller = new AbortController();
      const onInterrupt = (): void => controller.abort();
      process.on('SIGINT', onInterrupt);
      return { signal: controller.signal, release: () => void process.off('SIGINT', onInterrupt) };
    },
  };
}
