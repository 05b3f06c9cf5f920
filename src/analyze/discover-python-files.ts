import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
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
}

/**
 * Lists the project's Python files. Symbolic links are not followed (a link loop cannot hang the walk),
 * hidden folders and virtualenvs (any folder holding a `pyvenv.cfg`) are skipped, and every `.gitignore`
 * in the tree applies to the files below it.
 */
export async function discoverPythonFiles(root: string): Promise<DiscoveredFiles> {
  const options = { cwd: root, ignore: ALWAYS_SKIPPED, followSymbolicLinks: false, dot: false, onlyFiles: true, expandDirectories: false };
  const [python, extra] = await Promise.all([
    glob(['**/*.py'], options),
    glob(['**/.gitignore', '**/pyvenv.cfg', '**/alembic.ini', '**/setup.cfg', '**/setup.py', ...FASTAPI_DECLARATION_GLOBS], { ...options, dot: true }),
  ]);
  const venvs = extra.filter((f) => posix.basename(f) === 'pyvenv.cfg').map((f) => posix.dirname(f));
  const gitignores = extra.filter((f) => posix.basename(f) === '.gitignore').map((f) => ({ dir: posix.dirname(f), rules: loadIgnore(join(root, f)) }));
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
    markers: extra.filter((f) => posix.basename(f) !== '.gitignore' && posix.basename(f) !== 'pyvenv.cfg' && !ignored(f)).sort(),
  };
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
