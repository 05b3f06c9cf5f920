import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The interpreter the app's tests run with, and where skene found it (said in verify's report). */
export interface AppPython {
  /** The program, then its leading arguments (`uv run --no-sync python` is a program with arguments). */
  command: [string, ...string[]];
  /** `VIRTUAL_ENV`, `.venv/`, `venv/`, `poetry`, `uv` or `PATH`. */
  source: string;
}

export interface FindPythonInput {
  /** The project folder (absolute). */
  root: string;
  /** Folders to look in, nearest the app first (absolute), the project folder last. */
  folders: string[];
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/** The injectable ways of looking: a test gives its own PATH in `env` rather than replacing these. */
export interface FindPythonDeps {
  /** stdout of a command run in `cwd`, or undefined when it cannot run or fails. */
  capture(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined>;
}

export const defaultFindPythonDeps: FindPythonDeps = {
  async capture(command, args, cwd, env) {
    try {
      const { stdout } = await run(command, args, { cwd, env, timeout: 30_000 });
      return stdout;
    } catch {
      return undefined;
    }
  },
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The interpreter of a virtualenv folder (bin/python, or Scripts\python.exe on Windows). */
export function venvPython(folder: string, platform: NodeJS.Platform = process.platform): string | undefined {
  const candidates =
    platform === 'win32'
      ? [join(folder, 'Scripts', 'python.exe')]
      : [join(folder, 'bin', 'python'), join(folder, 'bin', 'python3')];
  return candidates.find(isExecutable);
}

/** A program found on PATH, as `which` would. */
export function onPath(
  program: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const names = platform === 'win32' ? [`${program}.exe`, `${program}.cmd`, program] : [program];
  for (const folder of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const path = join(folder, name);
      if (isExecutable(path)) return path;
    }
  }
  return undefined;
}

function usesPoetry(folder: string): boolean {
  if (existsSync(join(folder, 'poetry.lock'))) return true;
  try {
    return /^\s*\[tool\.poetry\]/m.test(readFileSync(join(folder, 'pyproject.toml'), 'utf8'));
  } catch {
    return false;
  }
}

/**
 * The app's Python, as its developer would run its tests: the active virtualenv (VIRTUAL_ENV), a `.venv/`
 * or `venv/` beside the app or above it, poetry's environment, uv's, else `python3` on PATH.
 */
export async function findAppPython(
  input: FindPythonInput,
  deps: FindPythonDeps = defaultFindPythonDeps,
): Promise<AppPython | undefined> {
  const { env, folders } = input;
  const platform = input.platform ?? process.platform;
  const active = env['VIRTUAL_ENV'];
  if (active) {
    const python = venvPython(active, platform);
    if (python) return { command: [python], source: 'VIRTUAL_ENV' };
  }
  for (const folder of folders) {
    for (const name of ['.venv', 'venv']) {
      const python = venvPython(join(folder, name), platform);
      if (python) return { command: [python], source: `${name}/` };
    }
  }
  const poetry = onPath('poetry', env, platform);
  for (const folder of folders) {
    if (poetry && usesPoetry(folder)) {
      const path = (await deps.capture(poetry, ['env', 'info', '--executable'], folder, env))?.trim();
      if (path && isExecutable(path)) return { command: [path], source: 'poetry' };
    }
  }
  const uv = onPath('uv', env, platform);
  for (const folder of folders) {
    if (uv && existsSync(join(folder, 'uv.lock')))
      return { command: [uv, 'run', '--no-sync', '--directory', folder, 'python'], source: 'uv' };
  }
  const python = onPath('python3', env, platform) ?? onPath('python', env, platform);
  return python ? { command: [python], source: 'PATH' } : undefined;
}
