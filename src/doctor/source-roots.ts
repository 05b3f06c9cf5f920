import type { AnalysisResult } from '../analyze/types.js';
import { joinPosix } from './read-project-file.js';

export type SourceRoot = AnalysisResult['sourceRoots'][number];

/** True when dotted `module` names `file` from `root`: `app.main` from `backend` → backend/app/main.py. */
export function resolvesTo(root: SourceRoot, module: string, file: string): boolean {
  const base = joinPosix(root.path, ...module.split('.'));
  return file === `${base}.py` || file === `${base}/__init__.py` || file === base;
}

/** The source roots the app's own modules import from: those from which each app's module names its file. */
export function appSourceRoots(analysis: Pick<AnalysisResult, 'apps' | 'sourceRoots'>): SourceRoot[] {
  return analysis.sourceRoots.filter((root) => analysis.apps.some((app) => resolvesTo(root, app.module, app.file)));
}
