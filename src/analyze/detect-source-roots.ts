import { posix } from 'node:path';
import type { Stmt } from './python-ir.js';
import type { SourceRootFact } from './types.js';

export interface ModuleLayout {
  roots: SourceRootFact[];
  /** Dotted module name of each file. */
  moduleOf: Map<string, { module: string; isPackage: boolean }>;
  /** Finds the project module an import names, or undefined when it is not part of the project. */
  resolve(name: string): string | undefined;
}

/** What the imports say about folders the file layout alone leaves open (see refineSourceRoots). */
export interface RootEvidence {
  /** Folders the app is run from inside: their modules import each other by bare names. */
  startedInside: Set<string>;
  /** Folders imported by name as a package (`import app.api.deps` where app/ has no `__init__.py`). */
  namespaces: Set<string>;
}

/** Folders that hold code rather than being a namespace package themselves. */
const CONTAINER_NAMES = new Set(['src', 'backend', 'server', 'lib', 'api-server']);

const dirOf = (path: string): string => {
  const dir = posix.dirname(path);
  return dir === '.' ? '' : dir;
};

const IDENTIFIER = /^[A-Za-z_]\w*$/;

/**
 * Finds the folders from which the project's absolute imports resolve, the way Python does from the folder
 * the app is started in (`uvicorn app.main:app` from the repository root). A folder is a package with or
 * without `__init__.py` (PEP 420), so a folder does not become a root for lacking one: a file's root is the
 * nearest folder above it that is the parent of its outermost regular package, a `src/`, `backend/` or
 * `server/` folder, a folder holding pyproject/setup files, a folder whose name cannot be imported, or DIR
 * itself. `refineSourceRoots` then reads the imports: a namespace folder whose modules import each other by
 * bare names (`from routers import items` inside `service/`) is run from inside, so it is a root.
 */
export function detectSourceRoots(
  files: string[],
  markers: string[],
  evidence: RootEvidence = { startedInside: new Set(), namespaces: new Set() },
): ModuleLayout {
  const packages = new Set(files.filter((f) => posix.basename(f) === '__init__.py').map(dirOf));
  const markerDirs = new Set(markers.filter((m) => /(^|\/)(pyproject\.toml|setup\.cfg|setup\.py)$/.test(m)).map(dirOf));
  const isRootFolder = (dir: string): boolean =>
    dir === '' ||
    evidence.startedInside.has(dir) ||
    (!packages.has(dir) &&
      !evidence.namespaces.has(dir) &&
      (CONTAINER_NAMES.has(posix.basename(dir)) || markerDirs.has(dir) || !IDENTIFIER.test(posix.basename(dir))));

  const rootOfDir = new Map<string, string>();
  const rootOf = (start: string): string => {
    const cached = rootOfDir.get(start);
    if (cached !== undefined) return cached;
    let outermostPackage: string | undefined;
    let nearestRoot: string | undefined;
    for (let dir = start; ; dir = dirOf(dir)) {
      if (dir !== '' && packages.has(dir)) outermostPackage = dir;
      if (nearestRoot === undefined && isRootFolder(dir)) nearestRoot = dir;
      if (dir === '') break;
    }
    let root = outermostPackage !== undefined ? dirOf(outermostPackage) : nearestRoot!;
    // A folder the imports show to be a namespace package (`from app.api import x` above `app/api/`) is not a root.
    if (root !== '' && evidence.namespaces.has(root) && !evidence.startedInside.has(root)) root = rootOf(dirOf(root));
    rootOfDir.set(start, root);
    return root;
  };
  const finalRoot = (file: string): string => rootOf(dirOf(file));

  const moduleOf = new Map<string, { module: string; isPackage: boolean }>();
  const byModule = new Map<string, string>();
  const roots = new Map<string, Set<string>>();
  for (const file of files) {
    const root = finalRoot(file);
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

/**
 * Reads the absolute imports of every module to settle what the layout alone cannot: a root folder whose
 * name other modules import as a package (`from app.api import deps`, `app/` without `__init__.py`) is a
 * namespace package of its parent; a namespace folder whose own modules import their siblings by bare names
 * that resolve nowhere else (`from routers import items` in `service/main.py`) is where the app is started.
 * Returns the layout to use and the module name of each file under it.
 */
export function refineSourceRoots(
  layout: ModuleLayout,
  files: string[],
  markers: string[],
  importsOf: Array<{ file: string; imports: string[] }>,
): ModuleLayout {
  const evidence: RootEvidence = { startedInside: new Set(), namespaces: new Set() };
  const modules = new Set([...layout.moduleOf.values()].map((m) => m.module));
  const packagePrefixes = new Set(
    [...modules].flatMap((m) => m.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))),
  );
  const fileSet = new Set(files);
  const rootOfFile = new Map<string, string>();
  for (const root of layout.roots)
    for (const file of files)
      if (root.path === '' || file.startsWith(`${root.path}/`)) {
        const current = rootOfFile.get(file);
        if (current === undefined || root.path.length > current.length) rootOfFile.set(file, root.path);
      }
  const rootPaths = new Set(layout.roots.map((r) => r.path));
  const dirsWithFiles = new Set(
    files.flatMap((f) => {
      const out: string[] = [];
      for (let dir = dirOf(f); dir !== ''; dir = dirOf(dir)) out.push(dir);
      return out;
    }),
  );
  for (const { file, imports } of importsOf) {
    for (const name of imports) {
      if (modules.has(name)) continue;
      const [head, ...rest] = name.split('.');
      // `app.api.deps` where `app` is a root: the root is a namespace package of its parent.
      for (const root of rootPaths) {
        if (root === '' || posix.basename(root) !== head || rest.length === 0) continue;
        if (packagePrefixes.has(rest.join('.'))) evidence.namespaces.add(root);
      }
      // `routers.items` in service/main.py, with service/routers/items.py: the app runs inside service/.
      const root = rootOfFile.get(file) ?? '';
      for (let dir = dirOf(file); dir !== root && dir !== ''; dir = dirOf(dir)) {
        const candidate = `${dir}/${(head ?? '').replace(/\W/g, '')}`;
        if (dirsWithFiles.has(candidate) || fileSet.has(`${candidate}.py`)) {
          evidence.startedInside.add(dir);
          break;
        }
      }
    }
  }
  if (evidence.startedInside.size === 0 && evidence.namespaces.size === 0) return layout;
  return detectSourceRoots(files, markers, evidence);
}

/** The absolute module names a module's body imports (`import a.b`, `from a.b import c` gives `a.b` and `a.b.c`). */
export function absoluteImportsOf(body: Stmt[]): string[] {
  const out: string[] = [];
  const visit = (stmts: Stmt[]): void => {
    for (const stmt of stmts) {
      if (stmt.kind === 'import') out.push(stmt.module);
      else if (stmt.kind === 'from' && stmt.level === 0) {
        out.push(stmt.module);
        for (const { name } of stmt.names) out.push(`${stmt.module}.${name}`);
      } else if (stmt.kind === 'block' || stmt.kind === 'for') visit(stmt.body);
    }
  };
  visit(body);
  return out;
}
