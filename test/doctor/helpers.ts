import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const casesDir = resolve(dirname(fileURLToPath(import.meta.url)), 'cases');
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A fresh temp folder holding `files` (POSIX relative paths → content). */
export function makeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'skene-doctor-'));
  writeFiles(root, files);
  return root;
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/** A temp copy of `test/doctor/cases/<name>`. */
export function copyCase(name: string): string {
  const root = mkdtempSync(join(tmpdir(), `skene-doctor-${name}-`));
  cpSync(join(casesDir, name), root, { recursive: true });
  return root;
}

export function gitInit(root: string, add: string[]): void {
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  git('init', '-q');
  if (add.length > 0) git('add', '--', ...add);
}
