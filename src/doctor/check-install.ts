import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { type Check, pass, warn } from './types.js';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isSkeneManifest(manifest: string): boolean {
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'skene';
  } catch {
    return false;
  }
}

/** The folder of the npm package `skene` that `file` belongs to, if any. */
function skenePackageOf(file: string): string | undefined {
  let dir = dirname(file);
  for (;;) {
    if (isSkeneManifest(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * npm on Windows and pnpm everywhere put shell or .cmd shims (not links) in `node_modules/.bin`; such a
 * shim runs the `skene` package beside it.
 */
function isSkeneShim(candidate: string): boolean {
  const folder = dirname(candidate);
  if (basename(folder) !== '.bin' || basename(dirname(folder)) !== 'node_modules') return false;
  return isSkeneManifest(join(dirname(folder), 'skene', 'package.json'));
}

/**
 * Another program named `skene` earlier on PATH (a Python tool of that name exists) would answer
 * `skene doctor` in the user's shell or CI instead of this one.
 */
export function checkInstall(input: { env: NodeJS.ProcessEnv; platform?: NodeJS.Platform }): Check[] {
  const path = input.env.PATH ?? input.env.Path ?? '';
  const names = (input.platform ?? process.platform) === 'win32' ? ['skene.cmd', 'skene.exe', 'skene'] : ['skene'];
  for (const folder of path.split(delimiter).filter((entry) => entry !== '')) {
    for (const name of names) {
      const candidate = join(folder, name);
      if (!isExecutableFile(candidate)) continue;
      let real = candidate;
      try {
        real = realpathSync(candidate);
      } catch {
        // A dangling link: report the link itself.
      }
      if (skenePackageOf(real) || isSkeneShim(candidate))
        return [pass('install.path', `\`skene\` on PATH is this CLI (${candidate})`)];
      return [
        warn(
          'install.path',
          `\`skene\` on PATH (${candidate}) is a different program`,
          'Run this CLI as `npx skene`, or remove the other `skene` from PATH.',
        ),
      ];
    }
  }
  return [pass('install.path', 'no other program named `skene` on PATH')];
}
