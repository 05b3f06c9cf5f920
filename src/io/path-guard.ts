import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { SkeneError } from '../errors.js';

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The nearest existing ancestor (or the path itself), with symlinks resolved. */
function realpathOfExisting(path: string): string {
  let current = path;
  const missing: string[] = [];
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    missing.unshift(current.slice(parent.length + 1));
    current = parent;
  }
  return resolve(realpathSync(current), ...missing);
}

/**
 * Resolves a plan path (relative, POSIX style) against the project folder and refuses anything that
 * would land outside it: `..` segments, absolute paths, or a symlinked folder pointing elsewhere.
 */
export function resolveInsideProject(root: string, path: string): string {
  const absoluteRoot = resolve(root);
  const refuse = (): never => {
    throw new SkeneError(`Refusing to write ${path}: it is outside the project folder.`, {
      hint: 'skene only writes inside the folder it was given.',
    });
  };
  if (path === '' || isAbsolute(path) || path.includes('\0')) refuse();
  const target = resolve(absoluteRoot, path);
  if (!isInside(absoluteRoot, target) || target === absoluteRoot) refuse();
  const realRoot = realpathSync(absoluteRoot);
  if (!isInside(realRoot, realpathOfExisting(target))) refuse();
  return target;
}
