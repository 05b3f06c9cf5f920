import { spawnSync } from 'node:child_process';

/**
 * git, run in `cwd` with `core.fsmonitor` off (a repository's own config could name a program for it, and
 * skene runs in projects it does not trust). `undefined` when git is not installed.
 */
function git(cwd: string, args: string[]): { status: number | null; stdout: string } | undefined {
  const result = spawnSync('git', ['-c', 'core.fsmonitor=false', ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (result.error) return undefined;
  return { status: result.status, stdout: result.stdout ?? '' };
}

export type IgnoreStatus = 'ignored' | 'not-ignored' | 'tracked' | 'no-repository' | 'no-git';

/** Whether git would leave `file` (relative to `root`, existing or not) out of a commit. */
export function gitIgnoreStatus(root: string, file: string): IgnoreStatus {
  const inside = git(root, ['rev-parse', '--is-inside-work-tree']);
  if (!inside) return 'no-git';
  if (inside.status !== 0 || inside.stdout.trim() !== 'true') return 'no-repository';
  const tracked = git(root, ['ls-files', '--error-unmatch', '--', file]);
  if (tracked?.status === 0) return 'tracked';
  const ignored = git(root, ['check-ignore', '-q', '--', file]);
  if (!ignored) return 'no-git';
  return ignored.status === 0 ? 'ignored' : 'not-ignored';
}

/**
 * Files with uncommitted changes (modified, staged, untracked, deleted) under `root`, relative to it; undefined
 * when `root` is not in a git work tree or git is absent.
 */
export function uncommittedFiles(root: string): string[] | undefined {
  const top = git(root, ['rev-parse', '--show-prefix']);
  if (top?.status !== 0) return undefined;
  const prefix = top.stdout.trim();
  const status = git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.']);
  if (status?.status !== 0) return undefined;
  const entries = status.stdout.split('\0').filter((entry) => entry !== '');
  const files: string[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index]!;
    const code = entry.slice(0, 2);
    const path = entry.slice(3);
    // A rename or copy is followed by its old path, which is not a separate file.
    if (code.includes('R') || code.includes('C')) index += 1;
    files.push(prefix !== '' && path.startsWith(prefix) ? path.slice(prefix.length) : path);
  }
  return files;
}
