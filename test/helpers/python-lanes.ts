/**
 * The Python stacks the tests run on (docs/TESTING.md): Debian 12's own interpreter and packages
 * ("bookworm": Python 3.11, FastAPI 0.92, pydantic 1) and a Debian sid chroot ("sid": today's Python,
 * FastAPI, pydantic 2), run through scripts/sid-lane.sh.
 *
 * SKENE_TEST_LANES=bookworm (or sid) runs one lane for a quick local run; unset, both run, and a lane that
 * cannot run is an error, never a skip.
 */
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { fastapiSpecAllows } from '../../src/analyze/detect-fastapi-version.js';
import type { FastapiFacts } from '../../src/analyze/types.js';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type LaneName = 'bookworm' | 'sid';

export interface PythonLane {
  name: LaneName;
  /** The program and leading arguments that run this lane's `python3`. */
  python: [string, ...string[]];
  fastapiVersion: string;
  pythonVersion: string;
}

const LANE_COMMANDS: Record<LaneName, [string, ...string[]]> = {
  bookworm: ['/usr/bin/python3'],
  sid: ['bash', join(repoRoot, 'scripts', 'sid-lane.sh'), 'run', 'python3'],
};

export function requestedLaneNames(env: NodeJS.ProcessEnv = process.env): LaneName[] {
  const wanted = (env['SKENE_TEST_LANES'] ?? 'all')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (wanted.length === 0 || wanted.includes('all')) return ['bookworm', 'sid'];
  for (const name of wanted) {
    if (name !== 'bookworm' && name !== 'sid')
      throw new Error(`SKENE_TEST_LANES: unknown lane '${name}' (bookworm, sid, all)`);
  }
  return wanted as LaneName[];
}

let lanes: Promise<PythonLane[]> | undefined;

async function probeLane(name: LaneName): Promise<PythonLane> {
  const [program, ...args] = LANE_COMMANDS[name];
  const probe = 'import fastapi, platform; print(fastapi.__version__, platform.python_version())';
  try {
    const { stdout } = await run(program, [...args, '-c', probe], { cwd: repoRoot });
    const [fastapiVersion = '', pythonVersion = ''] = stdout.trim().split(/\s+/);
    return { name, python: LANE_COMMANDS[name], fastapiVersion, pythonVersion };
  } catch (error) {
    const hint =
      name === 'sid' ? ' (build it with `bash scripts/sid-lane.sh ensure`, or set SKENE_TEST_LANES=bookworm)' : '';
    throw new Error(`Python lane '${name}' cannot run${hint}: ${(error as Error).message}`);
  }
}

/** The requested lanes, probed once per test process for their FastAPI and Python versions. */
export function pythonLanes(): Promise<PythonLane[]> {
  lanes ??= Promise.all(requestedLaneNames().map(probeLane));
  return lanes;
}

/** Runs `python3 <args>` on `lane`; resolves to its stdout. */
export async function runLanePython(
  lane: PythonLane,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<string> {
  const [program, ...leading] = lane.python;
  const { stdout } = await run(program, [...leading, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...options.env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: options.timeout ?? 120_000,
  });
  return stdout;
}

/** The requested lanes whose FastAPI the project's declaration allows (all of them without one). */
export async function lanesAllowedBy(fastapi: FastapiFacts): Promise<PythonLane[]> {
  const declared = fastapi.declared;
  return (await pythonLanes()).filter(
    (lane) => declared === null || fastapiSpecAllows(declared.spec, lane.fastapiVersion),
  );
}
