import { posix } from 'node:path';
import type { SourceRootFact } from './types.js';

export interface ModuleLayout {
  roots: SourceRootFact[];
  /** Dotted module name of each file. */
  moduleOf: Map<string, { module: string; isPackage: boolean }>;
  /** Finds the project module an import names, or undefined when it is not part of the project. */
  resolve(name: string): string | undefined;
}

/** Folders that hold code rather than being a namespace package themselves. */
const CONTAINER_NAMES = new Set(['src', 'backend', 'server', 'lib', 'api-server']);

const dirOf = (path: string): string => {
  const dir = posix.dirname(path);
  return dir === '.' ? '' : dir;
};

/**
 * Finds the folders from which the project's absolute imports resolve: walking up from each file while
 * folders are packages (hold `__init__.py`) gives its root; a package-less folder of plain modules
 * (`routers/` beside `main.py`) is a namespace package of its parent; `src/`, `backend/`, `server/`
 * layouts and folders holding pyproject/setup files stay roots.
 */
export function detectSourceRoots(files: string[], markers: string[]): ModuleLayout {
  const packages = new Set(files.filter((f) => posix.basename(f) === '__init__.py').map(dirOf));
  const dirsWithModules = new Set(files.map(dirOf));
  const markerDirs = new Set(markers.filter((m) => /(^|\/)(pyproject\.toml|setup\.cfg|setup\.py)$/.test(m)).map(dirOf));

  const rootOfFile = new Map<string, string>();
  const filesByRoot = new Map<string, string[]>();
  for (const file of files) {
    let dir = dirOf(file);
    while (dir !== '' && packages.has(dir)) dir = dirOf(dir);
    rootOfFile.set(file, dir);
    const list = filesByRoot.get(dir) ?? [];
    list.push(file);
    filesByRoot.set(dir, list);
  }

  const merged = new Map<string, string>();
  const finalRoot = (root: string): string => {
    const cached = merged.get(root);
    if (cached !== undefined) return cached;
    let current = root;
    for (;;) {
      if (current === '' || packages.has(current) || CONTAINER_NAMES.has(posix.basename(current)) || markerDirs.has(current)) break;
      const parent = dirOf(current);
      const members = filesByRoot.get(current) ?? [];
      const flat = members.every((f) => dirOf(f) === current);
      if (!flat || !(dirsWithModules.has(parent) || markerDirs.has(parent) || parent === '')) break;
      if (parent === '' && !dirsWithModules.has('')) break;
      current = parent;
    }
    merged.set(root, current);
    return current;
  };

  const moduleOf = new Map<string, { module: string; isPackage: boolean }>();
  const byModule = new Map<string, string>();
  const roots = new Map<string, Set<string>>();
  for (const file of files) {
    const root = finalRoot(rootOfFile.get(file)!);
    const relative = root === '' ? file : file.slice(root.length + 1);
    const isPackage = posix.basename(file) === '__init__.py';
    const parts = relative.replace(/\.py$/, '').split('/');
    if (isPackage) parts.pop();
    const module = parts.join('.');
    if (module === '' || parts.some((p) => !/^[A-Za-z_][\w]*$/.test(p))) continue;
    moduleOf.set(file, { module, isPackage });
    if (!byModule.has(module)) byModule.set(module, file);
    const tops = roots.get(root) ?? new Set<string>();
    if (parts.length > 1 || isPackage) tops.add(parts[0]!);
    roots.set(root, tops);
  }

  const cache = new Map<string, string | undefined>();
  const allModules = [...byModule.keys()];
  const resolve = (name: string): string | undefined => {
    if (byModule.has(name)) return name;
    if (cache.has(name)) return cache.get(name);
    // A root the layout rules missed: accept a unique module whose name ends with the import.
    const hits = allModules.filter((m) => m.endsWith(`.${name}`));
    const hit = hits.length === 1 ? hits[0] : undefined;
    cache.set(name, hit);
    return hit;
  };

  return {
    roots: [...roots.entries()]
      .map(([path, tops]) => ({ path, packages: [...tops].sort() }))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
    moduleOf,
    resolve,
  };
}
