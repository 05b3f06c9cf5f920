import type { AnalysisResult } from '../analyze/types.js';

/** Where the generated runtime lives: generate writes it there, doctor, stats, sync and verify find it there. */
export interface RuntimeLocation {
  /** Folder of the runtime package, relative to the project folder, POSIX style. */
  dir: string;
  /** Dotted module the wiring imports from (`app.skene`, `skene_runtime`). */
  module: string;
}

export type SourceRoot = AnalysisResult['sourceRoots'][number];

const joinPosix = (...parts: string[]): string => parts.filter((part) => part !== '').join('/');

/** True when dotted `module` names `file` from `root`: `app.main` from `backend` → backend/app/main.py. */
export function resolvesTo(root: SourceRoot, module: string, file: string): boolean {
  const base = joinPosix(root.path, ...module.split('.'));
  return file === `${base}.py` || file === `${base}/__init__.py` || file === base;
}

/** The source roots the app's own modules import from: those from which each app's module names its file. */
export function appSourceRoots(analysis: Pick<AnalysisResult, 'apps' | 'sourceRoots'>): SourceRoot[] {
  return analysis.sourceRoots.filter((root) => analysis.apps.some((app) => resolvesTo(root, app.module, app.file)));
}

/**
 * Where the generated runtime lives: inside the app's top-level package when it has one
 * (`app/skene`, module `app.skene`), else `skene_runtime/` at the source root the app is imported from.
 *
 * That root is the one from which the app's module names its file. The deepest root merely holding the
 * file is only the fallback: a nested root (`backend/app`, found for its `alembic` package) would put
 * the runtime in `backend/app/app/skene`, where `app.skene` does not import.
 */
export function planRuntimeLocation(analysis: Pick<AnalysisResult, 'apps' | 'sourceRoots'>): RuntimeLocation {
  const app = analysis.apps.find((candidate) => candidate.mountedAt.length === 0) ?? analysis.apps[0];
  const roots = analysis.sourceRoots;
  if (app) {
    const deepestFirst = (a: SourceRoot, b: SourceRoot): number => b.path.length - a.path.length;
    const resolving = roots.filter((candidate) => resolvesTo(candidate, app.module, app.file)).sort(deepestFirst);
    const holding = roots
      .filter((candidate) => candidate.path === '' || app.file.startsWith(`${candidate.path}/`))
      .sort(deepestFirst);
    const rootPath = (resolving[0] ?? holding[0] ?? roots[0])?.path ?? '';
    const segments = app.module.split('.');
    const topPackage = segments[0];
    if (segments.length > 1 && topPackage) {
      return { dir: joinPosix(rootPath, topPackage, 'skene'), module: `${topPackage}.skene` };
    }
    return { dir: joinPosix(rootPath, 'skene_runtime'), module: 'skene_runtime' };
  }
  const withPackage = roots.find((candidate) => candidate.packages.length > 0);
  const topPackage = withPackage?.packages[0];
  if (withPackage && topPackage) {
    return { dir: joinPosix(withPackage.path, topPackage, 'skene'), module: `${topPackage}.skene` };
  }
  return { dir: joinPosix(roots[0]?.path ?? '', 'skene_runtime'), module: 'skene_runtime' };
}
