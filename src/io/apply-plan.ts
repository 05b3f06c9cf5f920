import { constants } from 'node:fs';
import { access, mkdir, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ExitCode, SkeneError } from '../errors.js';
import type { ChangePlan, FileChange } from './file-change.js';
import { resolveInsideProject } from './path-guard.js';

export interface AppliedPlan {
  created: FileChange[];
  updated: FileChange[];
  unchanged: FileChange[];
}

export interface ApplyOptions {
  /** Aborted on Ctrl-C: the files written so far are put back and the plan stops. */
  signal?: AbortSignal;
  /**
   * Test hook (SKENE_TEST_PAUSE_BETWEEN_WRITES_MS): waits this long after each file, so a test can
   * interrupt the run in the middle of writing at a known point.
   */
  pauseBetweenWritesMs?: number;
  /** The command to re-run, named in the message after a roll-back (`skene init`). */
  command?: string;
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

/** The folder itself, or the nearest folder above it that exists (where a missing folder would be made). */
async function nearestExistingFolder(folder: string): Promise<string> {
  let current = folder;
  for (;;) {
    const info = await stat(current).catch(() => undefined);
    if (info) return current;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

async function isWritable(path: string): Promise<boolean> {
  return access(path, constants.W_OK).then(
    () => true,
    () => false,
  );
}

/**
 * The plan paths skene cannot write: an atomic write makes a temp file beside the target and renames it,
 * so the target's folder (or the nearest existing folder above it, where missing ones are made) must be
 * writable, and so must an existing file.
 */
export async function findUnwritablePaths(root: string, changes: readonly FileChange[]): Promise<string[]> {
  const unwritable: string[] = [];
  const folders = new Map<string, boolean>();
  for (const change of changes) {
    if (change.action === 'skip') continue;
    const absolute = resolveInsideProject(root, change.path);
    const folder = await nearestExistingFolder(dirname(absolute));
    if (!folders.has(folder)) folders.set(folder, await isWritable(folder));
    const existingFile = change.before !== undefined ? await isWritable(absolute) : true;
    if (!folders.get(folder) || !existingFile) unwritable.push(change.path);
  }
  return unwritable;
}

/** A read-only project (or folder of it) is an error before any diff is shown, never a half-written plan. */
export async function requireWritablePlan(root: string, changes: readonly FileChange[]): Promise<void> {
  const unwritable = await findUnwritablePaths(root, changes);
  if (unwritable.length === 0) return;
  const shown = unwritable.slice(0, 5).join(', ') + (unwritable.length > 5 ? `, … ${unwritable.length - 5} more` : '');
  throw new SkeneError(
    `skene cannot write ${unwritable.length === 1 ? 'this file' : `${unwritable.length} of the files`} it needs to change: ${shown} (permission denied). Nothing was written.`,
    {
      hint: 'Make the project folder writable for your user (or run skene as the folder’s owner), then run the command again.',
    },
  );
}

/** What was on disk before one write: the file's text (undefined: it did not exist) and the folders made for it. */
interface Written {
  absolute: string;
  path: string;
  before: string | undefined;
  createdFolders: string[];
}

/** The folders `mkdir -p` would make for `folder`, outermost first. */
async function missingFolders(folder: string): Promise<string[]> {
  const missing: string[] = [];
  let current = folder;
  while (!(await stat(current).catch(() => undefined))) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return missing;
}

/** Puts every written file back as it was (newest first) and removes the folders made for new ones; returns what it could not restore. */
async function rollBack(written: Written[]): Promise<string[]> {
  const failed: string[] = [];
  for (const entry of [...written].reverse()) {
    try {
      if (entry.before === undefined)
        await unlink(entry.absolute).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      else await writeFileAtomic(entry.absolute, entry.before, { encoding: 'utf8' });
    } catch {
      failed.push(entry.path);
      continue;
    }
    for (const folder of [...entry.createdFolders].reverse()) await rmdir(folder).catch(() => undefined);
  }
  return failed;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

const describeError = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EISDIR') return 'a folder is in the way';
  if (code === 'ENOTDIR') return 'a file is in the way of a folder';
  return error instanceof Error ? error.message : String(error);
};

/**
 * Applies a plan inside `root` as one unit. Every path is checked before anything is written, and a
 * file that changed on disk since the plan was computed is refused rather than overwritten. When a
 * write fails, or `signal` aborts (Ctrl-C), every file written so far is put back — updated files get
 * their old text, new files and the folders made for them are removed — and the error says so.
 */
export async function applyPlan(root: string, plan: ChangePlan, options: ApplyOptions = {}): Promise<AppliedPlan> {
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
  const written: Written[] = [];
  const rerun = options.command
    ? `Run \`${options.command}\` again: it plans from what is on disk and writes the whole change set.`
    : 'Run the command again.';
  const stop = async (message: string, exitCode: ExitCode, cause?: unknown): Promise<never> => {
    const failed = await rollBack(written);
    const putBack =
      written.length === 0
        ? 'Nothing had been written.'
        : failed.length === 0
          ? `The ${written.length} file${written.length === 1 ? '' : 's'} already written ${written.length === 1 ? 'was' : 'were'} put back: the project is as it was.`
          : `${written.length - failed.length} of the ${written.length} files already written were put back; these could not be: ${failed.join(', ')}.`;
    throw new SkeneError(`${message} ${putBack}`, { hint: rerun, exitCode, ...(cause === undefined ? {} : { cause }) });
  };
  for (const [index, { change, absolute }] of pending.entries()) {
    if (options.signal?.aborted)
      await stop(`Interrupted after ${index} of ${pending.length} files.`, ExitCode.cancelled);
    const entry: Written = {
      absolute,
      path: change.path,
      before: change.before,
      createdFolders: await missingFolders(dirname(absolute)),
    };
    try {
      await writeFileAtomically(absolute, change.after);
    } catch (error) {
      // An atomic write leaves the target as it was; only the folders made for it are removed.
      for (const folder of [...entry.createdFolders].reverse()) await rmdir(folder).catch(() => undefined);
      await stop(`Could not write ${change.path}: ${describeError(error)}.`, ExitCode.failure, error);
    }
    written.push(entry);
    if (options.pauseBetweenWritesMs !== undefined && options.pauseBetweenWritesMs > 0 && index < pending.length - 1) {
      await sleep(options.pauseBetweenWritesMs, options.signal);
    }
  }
  return {
    created: plan.changes.filter((c) => c.action === 'create'),
    updated: plan.changes.filter((c) => c.action === 'update'),
    unchanged: plan.changes.filter((c) => c.action === 'skip'),
  };
}
