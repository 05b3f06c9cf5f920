import { readdir, readFile } from 'node:fs/promises';
import type { FileChange } from './file-change.js';
import { resolveInsideProject } from './path-guard.js';

/** The file's text, or undefined when it does not exist. */
export async function readProjectFile(root: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(resolveInsideProject(root, path), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Files directly inside `dir` (relative, POSIX style) whose name ends with `suffix`, sorted; none when `dir` is missing. */
export async function listProjectFiles(root: string, dir: string, suffix: string): Promise<string[]> {
  try {
    const entries = await readdir(resolveInsideProject(root, dir), { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
      .map((entry) => `${dir}/${entry.name}`)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return [];
    throw error;
  }
}

/** A change whose action follows from the content: identical text is a skip, a missing file a create. */
export function buildFileChange(
  path: string,
  before: string | undefined,
  after: string,
  extra: Pick<FileChange, 'reason' | 'kind'> = {},
): FileChange {
  const action: FileChange['action'] = before === undefined ? 'create' : before === after ? 'skip' : 'update';
  return { path, action, before, after, ...extra };
}
