import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { glob } from 'tinyglobby';
import { FASTAPI_DECLARATION_GLOBS } from './detect-fastapi-version.js';

/** Folders never analyzed, whatever .gitignore says. */
const ALWAYS_SKIPPED = [
  '**/.git/**',
  '**/node_modules/**',
  '**/__pycache__/**',
  '**/site-packages/**',
  '**/dist-packages/**',
  '**/venv/**',
  '**/.venv/**',
  '**/virtualenv/**',
  '**/.virtualenvs/**',
  '**/.tox/**',
  '**/.nox/**',
  '**/.mypy_cache/**',
  '**/.pytest_cache/**',
];

export interface DiscoveredFiles {
  /** Python files, relative POSIX paths, sorted. */
  python: string[];
  /** Other files of interest (alembic.ini, pyproject.toml, setup.cfg, setup.py, requirements and lock files), relative POSIX paths. */
  markers: string[];
  /** Links to outside the project that Python would follow (a `.py` file or a folder): not analyzed, named; targets relative to DIR. */
  outsideLinks: Array<{ path: string; target: string }>;
}

/**
 * Lists the project's Python files. Symbolic links are not followed (a link loop cannot hang the walk),
 * hidden folders and virtualenvs (any folder holding a `pyvenv.cfg`) are skipped, and every `.gitignore`
 * in the tree applies to the files below it.
 */
export async function discoverPythonFiles(root: string): Promise<DiscoveredFiles> {
  const options = {
    cwd: root,
    ignore: ALWAYS_SKIPPED,
    followSymbolicLinks: false,
    dot: false,
    onlyFiles: true,
    expandDirectories: false,
  };
  const [python, extra, dirs] = await Promise.all([
    glob(['**/*.py'], options),
    glob(
      ['**/.gitignore', '**/pyvenv.cfg', '**/alembic.ini', '**/setup.cfg', '**/setup.py', ...FASTAPI_DECLARATION_GLOBS],
      { ...options, dot: true },
    ),
    glob(['**'], { ...options, onlyFiles: false, onlyDirectories: true }),
  ]);
  const venvs = extra.filter((f) => posix.basename(f) === 'pyvenv.cfg').map((f) => posix.dirname(f));
  const gitignores = extra
    .filter((f) => posix.basename(f) === '.gitignore')
    .map((f) => ({ dir: posix.dirname(f), rules: loadIgnore(join(root, f)) }));
  const ignored = (file: string): boolean => {
    if (venvs.some((v) => v === '.' || file.startsWith(`${v}/`))) return true;
    for (const { dir, rules } of gitignores) {
      if (!rules) continue;
      if (dir === '.') {
        if (rules.ignores(file)) return true;
      } else if (file.startsWith(`${dir}/`) && rules.ignores(file.slice(dir.length + 1))) {
        return true;
      }
    }
    return false;
  };
  return {
    python: python.filter((f) => !ignored(f)).sort(),
    markers: extra
      .filter((f) => posix.basename(f) !== '.gitignore' && posix.basename(f) !== 'pyvenv.cfg' && !ignored(f))
      .sort(),
    outsideLinks: findOutsideLinks(
      root,
      ['', ...dirs.map((d) => d.replace(/\/$/, ''))].filter((d) => d === '' || !ignored(`${d}/x.py`)),
    ),
  };
}

/**
 * The walk does not follow links (a loop cannot hang it, and a link inside the project is read through
 * its real path), but a link to outside the project is code Python imports that skene cannot see: each
 * such `.py` file or folder is listed, so the analysis can name it.
 */
function findOutsideLinks(root: string, dirs: string[]): DiscoveredFiles['outsideLinks'] {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return [];
  }
  const links: DiscoveredFiles['outsideLinks'] = [];
  for (const dir of dirs) {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.isSymbolicLink() || entry.name.startsWith('.')) continue;
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      let target: string;
      try {
        target = realpathSync(join(root, path));
      } catch {
        continue;
      }
      const inside = relative(realRoot, target);
      if (inside === '' || (!inside.startsWith('..') && !inside.startsWith(sep) && !/^[A-Za-z]:/.test(inside)))
        continue;
      if (!entry.name.endsWith('.py') && !isFolder(target)) continue;
      links.push({ path, target: relative(realRoot, target).split(sep).join('/') });
    }
  }
  return links.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function loadIgnore(path: string): Ignore | undefined {
  try {
    return ignore().add(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export const parentDir = (file: string): string => {
  const dir = dirname(file);
  return dir === '.' ? '' : dir;
};
