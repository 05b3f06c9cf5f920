import type { Logger } from './logger.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Spinner {
  /** Clears the line; call before any other output (a diff, a prompt). */
  stop(): void;
}

/**
 * A one-line spinner on stderr while skene works without printing (planning after the last answer).
 * Only where progress is allowed (an interactive stderr, not CI); elsewhere it does nothing.
 */
export function startSpinner(logger: Logger, text: string): Spinner {
  if (!logger.interactive) return { stop: () => undefined };
  let frame = 0;
  const draw = (): void => logger.progress(`${FRAMES[frame++ % FRAMES.length]} ${text}`);
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      logger.progress('');
    },
  };
}
