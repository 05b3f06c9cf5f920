import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { SkeneError } from '../errors.js';
import type { ChangePlan, FileChange } from './file-change.js';
import { resolveInsideProject } from './path-guard.js';

export interface AppliedPlan {
  created: FileChange[];
  updated: FileChange[];
  unchanged: FileChange[];
}

async function readCurrent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes through a temp file and a rename, so an interrupted run never leaves a half-written file. */
export async function writeFileAtomically(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, content, { encoding: 'utf8' });
}

/**
 * Applies a plan inside `root`. Every path is checked before anything is written, and a file that
 * changed on disk since the plan was computed is refused rather than overwritten.
 */
export async function applyPlan(root: string, plan: ChangePlan): Promise<AppliedPlan> {
  const targets = plan.changes.map((change) => ({ change, absolute: resolveInsideProject(root, change.path) }));
  const pending = targets.filter(({ change }) => change.action !== 'skip');
  for (const { change, absolute } of pending) {
    const current = await readCurrent(absolute);
    if (current !== change.before) {
      throw new SkeneError(`${change.path} changed on disk while skene was planning; nothing was written.`, {
        hint: 'Run the command again.',
      });
    }
  }
  for (const { change, absolute } of pending) {
    await writeFileAtomically(absolute, change.after);
  }
  return {
    created: plan.changes.filter((c) => c.action === 'create'),
    updated: plan.changes.filter((c) => c.action === 'update'),
    unchanged: plan.changes.filter((c) => c.action === 'skip'),
  };
}
