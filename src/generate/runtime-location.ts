import type { AnalysisResult } from '../analyze/types.js';

export interface RuntimeLocation {
  /** Folder of the runtime package, relative to the project folder, POSIX style. */
  dir: string;
  /** Dotted module the wiring imports from (`app.skene`, `skene_runtime`). */
  module: string;
}

const joinPosix = (...parts: string[]): string => parts.filter((part) => part !== '').join('/');

/**
 * Where the generated runtime lives: inside the app's top-level package when it has one
 * (`app/skene`, module `app.skene`), else `skene_runtime/` at the source root the app is imported from.
 */
export function planRuntimeLocation(analysis: Pick<AnalysisResult, 'apps' | 'sourceRoots'>): RuntimeLocation {
  const app = analysis.apps.find((candidate) => candidate.mountedAt.length === 0) ?? analysis.apps[0];
  const roots = analysis.sourceRoots;
  if (app) {
    const segments = app.module.split('.');
    const root =
      roots
        .filter((candidate) => candidate.path === '' || app.file.startsWith(`${candidate.path}/`))
        .sort((a, b) => b.path.length - a.path.length)[0] ?? roots[0];
    const rootPath = root?.path ?? '';
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
