import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The folder holding skene's package.json, found by walking up from this module, so the same code
 * finds `templates/` and `queries/` whether it runs from `src/` (tsx) or `dist/` (the built CLI).
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'templates'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('skene: cannot find its package root (package.json with templates/)');
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}

export const templatesDir = (): string => join(packageRoot(), 'templates');
export const queriesDir = (): string => join(packageRoot(), 'queries');
