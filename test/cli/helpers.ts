import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm run build` first, as `npm test` does). */
export const skeneBin = fileURLToPath(new URL('../../bin/skene.js', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node [nodeArgs] bin/skene.js args` as a user's CI would: no TTY, CI=1, NO_COLOR=1. */
export function runNode(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: '1',
    NO_COLOR: '1',
    ...options.env,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: options.cwd ?? repoRoot, env, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function runSkene(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {},
): Promise<CliRun> {
  return runNode([...(options.nodeArgs ?? []), skeneBin, ...args], options);
}
