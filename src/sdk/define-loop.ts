import type { LoopConfig } from './loop-types.js';

/**
 * Declares the loop in skene.config.ts. It returns its argument unchanged: skene reads the file
 * statically and never runs it; the function is here so editors check and document the config.
 */
export function defineLoop(loop: LoopConfig): LoopConfig {
  return loop;
}
