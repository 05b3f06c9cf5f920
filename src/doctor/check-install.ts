import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { pass, warn, type Check } from './types.js';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The folder of the npm package `skene` that `file` belongs to, if any. */
function skenePackageOf(file: string): string | undefined {
  let dir = dirname(file);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'skene') return dir;
      } catch {
        // An unreadable manifest is not skene's; keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
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
      if (skenePackageOf(real)) return [pass('install.path', `\`skene\` on PATH is this CLI (${candidate})`)];
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


