import { stat } from 'node:fs/promises';
import type { AnalysisResult } from '../analyze/types.js';
import { buildGateTests, type GatedRouteRef, gateTestsCandidates } from '../generate/build-gate-tests.js';
import { isGeneratedText } from '../generate/runtime-contract.js';
import type { RuntimeLocation } from '../generate/runtime-location.js';
import type { FileChange } from '../io/file-change.js';
import { resolveInsideProject } from '../io/path-guard.js';
import { buildFileChange, readProjectFile } from '../io/read-project-file.js';
import { readTemplate } from '../io/read-template.js';
import { skeneVersion } from '../version.js';

async function isFolder(root: string, path: string): Promise<boolean> {
  const info = await stat(resolveInsideProject(root, path)).catch(() => undefined);
  return info?.isDirectory() ?? false;
}

/**
 * The generated gate tests as one change: created, regenerated while skene wrote the file, and kept as it
 * is (a skip that says so) when a file of that name is the user's own.
 */
export async function planGateTests(
  root: string,
  analysis: AnalysisResult,
  location: RuntimeLocation,
  stepIds: string[],
  gated: GatedRouteRef[],
): Promise<FileChange> {
  const candidates = gateTestsCandidates(analysis);
  const pytestConfigs = new Map<string, string>();
  for (const path of candidates.configs) {
    const text = await readProjectFile(root, path);
    if (text !== undefined) pytestConfigs.set(path, text);
  }
  const existingFolders = new Set<string>();
  for (const path of candidates.folders) if (await isFolder(root, path)) existingFolders.add(path);
  const projectFolders = new Set<string>();
  for (const path of candidates.projectFiles) {
    if ((await readProjectFile(root, path)) !== undefined)
      projectFolders.add(path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
  }
  const file = buildGateTests({
    analysis,
    location,
    stepIds,
    gated,
    version: skeneVersion(),
    templates: readTemplate,
    pytestConfigs,
    existingFolders,
    projectFolders,
  });
  const before = await readProjectFile(root, file.path);
  if (before !== undefined && !isGeneratedText(before)) {
    return {
      path: file.path,
      action: 'skip',
      before,
      after: before,
      kind: 'runtime',
      reason: 'not written by skene; kept (gate tests not generated)',
    };
  }
  return buildFileChange(file.path, before, file.content, {
    kind: 'runtime',
    reason: 'gate tests: run npx skene verify',
  });
}
