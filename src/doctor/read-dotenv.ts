import { execFileSync } from 'node:child_process';
import { readProjectFile } from './read-project-file.js';
import type { DotenvEntry } from './types.js';

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/** Names (never values) set in a `.env` file, and whether each has a non-empty value. */
export function parseDotenv(file: string, text: string): DotenvEntry[] {
  const entries: DotenvEntry[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (/^\s*#/.test(line)) return;
    const match = ASSIGNMENT.exec(line);
    if (!match) return;
    const raw = (match[2] ?? '').replace(/\s+#.*$/, '').trim();
    const value = raw.replace(/^(['"])(.*)\1$/, '$2');
    entries.push({ file, line: index + 1, name: match[1] ?? '', hasValue: value !== '', value });
  });
  return entries;
}

/** `.env` files the app may load: the project's, and one beside each source root (`backend/.env`). */
export function readDotenvFiles(root: string, folders: string[]): DotenvEntry[] {
  const files = [...new Set(['.env', ...folders.filter((folder) => folder !== '').map((folder) => `${folder}/.env`)])];
  return files.flatMap((file) => {
    const text = readProjectFile(root, file);
    return text === undefined ? [] : parseDotenv(file, text);
  });
}

/**
 * True when git tracks `file` in the repository containing `root`; false when it does not, when `root` is
 * not in a repository, or when git is absent. `core.fsmonitor` is switched off because a repository's own
 * config could name a program for it, and doctor runs in projects it does not trust.
 */
export function isTrackedByGit(root: string, file: string): boolean {
  try {
    execFileSync('git', ['-c', 'core.fsmonitor=false', 'ls-files', '--error-unmatch', '--', file], {
      cwd: root,
      stdio: 'ignore',
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
}
