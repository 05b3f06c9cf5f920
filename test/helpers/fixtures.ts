import { existsSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The folder holding the fixture projects (`fixtures/` at the repository root). */
export function fixturesDir(): string {
  return join(repoRoot, 'fixtures');
}

/** Absolute path of one fixture inside the repository (read-only use). */
export function fixturePath(name: string): string {
  const dir = join(fixturesDir(), name);
  if (!existsSync(dir)) throw new Error(`unknown fixture: ${name}`);
  return dir;
}

/**
 * Copies a fixture to a fresh temp folder and returns the copy's path (`<tmp>/<name>`), so a test can
 * let skene write into it. Python bytecode caches are left behind.
 */
export async function copyFixture(name: string): Promise<string> {
  const source = fixturePath(name);
  const parent = await mkdtemp(join(tmpdir(), `skene-fixture-${name}-`));
  const target = join(parent, name);
  await cp(source, target, {
    recursive: true,
    // Keep fixture symlinks (broken-files has a loop) as relative links, not resolved into the repo.
    verbatimSymlinks: true,
    filter: (path) => basename(path) !== '__pycache__' && !path.endsWith('.pyc'),
  });
  return target;
}
