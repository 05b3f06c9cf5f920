import { globSync } from 'tinyglobby';
import type { AnalysisResult } from '../analyze/types.js';
import { INTEGRATION_FILE, LOOP_FILE } from '../generate/runtime-contract.js';
import { appSourceRoots, type RuntimeLocation, type SourceRoot } from '../generate/runtime-location.js';
import { isProjectFile, joinPosix } from './read-project-file.js';

/** The dotted module of a runtime folder, from the source root the app imports from when it holds the folder. */
function moduleOf(dir: string, analysis: AnalysisResult | undefined): string {
  const holds = (candidate: SourceRoot): boolean => candidate.path === '' || dir.startsWith(`${candidate.path}/`);
  const deepest = (roots: SourceRoot[]): SourceRoot | undefined =>
    roots.filter(holds).sort((a, b) => b.path.length - a.path.length)[0];
  const root = analysis ? (deepest(appSourceRoots(analysis)) ?? deepest(analysis.sourceRoots)) : undefined;
  const inside = root && root.path !== '' ? dir.slice(root.path.length + 1) : dir;
  return inside.split('/').join('.');
}

/** Generated runtimes already in the project (a folder with loop.json beside _integration.py). */
function findGeneratedRuntimes(root: string): string[] {
  return globSync(['**/skene/loop.json', '**/skene_runtime/loop.json'], {
    cwd: root,
    deep: 5,
    ignore: [
      '**/node_modules/**',
      '**/.git/**',
      '**/.venv/**',
      '**/venv/**',
      '**/site-packages/**',
      '**/__pycache__/**',
    ],
  })
    .map((file) =>
      file
        .split('\\')
        .join('/')
        .replace(/\/loop\.json$/, ''),
    )
    .filter((dir) => isProjectFile(root, joinPosix(dir, INTEGRATION_FILE)))
    .sort();
}

/**
 * Where the runtime is: the planned location when it holds one; else a runtime generated elsewhere (the
 * importable check then judges it); else the planned location, reported missing.
 */
export function findRuntimePlace(
  root: string,
  analysis: AnalysisResult | undefined,
  planRuntimeLocation: (analysis: AnalysisResult) => RuntimeLocation,
): RuntimeLocation | undefined {
  let planned: RuntimeLocation | undefined;
  if (analysis) {
    try {
      planned = planRuntimeLocation(analysis);
    } catch {
      planned = undefined;
    }
  }
  if (planned && isProjectFile(root, joinPosix(planned.dir, LOOP_FILE))) return planned;
  const found = findGeneratedRuntimes(root)[0];
  if (found) return { dir: found, module: moduleOf(found, analysis) };
  return planned;
}
