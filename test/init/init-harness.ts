import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { copyFixture, fixturePath } from '../helpers/fixtures.js';
import { lanesAllowedBy, type PythonLane, runLanePython } from '../helpers/python-lanes.js';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const skeneBin = join(repoRoot, 'bin', 'skene.js');
const gateCheckScript = join(repoRoot, 'test', 'init', 'gate_check.py');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`node bin/skene.js …`) without a TTY, with CI=1 and NO_COLOR=1. */
export async function runBuiltSkene(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, CI: '1', NO_COLOR: '1', ...options.env };
  try {
    const { stdout, stderr } = await run(process.execPath, [skeneBin, ...args], { env, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Every file under `dir` (relative POSIX path → bytes), Python caches and SQLite files left out. */
/** A copy of the stripe-saas fixture after `skene init` gated POST /api/v1/reports/ at 3 per period. */
export async function initStripeSaasReports(): Promise<string> {
  const root = await copyFixture('stripe-saas');
  const init = await runBuiltSkene([
    'init',
    root,
    '--endpoint',
    '/api/v1/reports/',
    '--method',
    'POST',
    '--limit',
    '3',
    '--yes',
  ]);
  if (init.code !== 0) throw new Error(`skene init failed (${init.code}):\n${init.stdout}${init.stderr}`);
  return root;
}

export function snapshotFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.name === '__pycache__' || entry.name.endsWith('.pyc') || entry.name.endsWith('.db')) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(relative(dir, path).split(sep).join('/'), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

/** Paths whose bytes differ between two snapshots, added and removed files included, sorted. */
export function changedFiles(before: Map<string, Buffer>, after: Map<string, Buffer>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths]
    .filter((path) => !(before.get(path)?.equals(after.get(path) ?? Buffer.alloc(0)) && after.has(path)))
    .sort();
}

export interface FixtureMeta {
  app: string;
  pythonPath: string;
}

export function readFixtureMeta(name: string): FixtureMeta {
  return JSON.parse(readFileSync(join(fixturePath(name), 'fixture.json'), 'utf8')) as FixtureMeta;
}

export interface GateCall {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface GateReport {
  calls: GateCall[];
  blocked: GateCall;
  webhooks: number[];
  afterSubscribe: GateCall;
}

/**
 * Runs test/init/gate_check.py against a wired copy of a fixture on every Python lane its declared FastAPI
 * version allows: `limit` gated calls, one more, then a signed checkout + active subscription on
 * `webhookPath`, then one more call. Each run uses temp SQLite files of its own.
 */
export async function runGateCheck(spec: {
  root: string;
  fixture: string;
  driver?: string;
  limit: number;
  webhookPath: string;
}): Promise<Array<{ lane: PythonLane; report: GateReport }>> {
  const meta = readFixtureMeta(spec.fixture);
  const folder = await mkdtemp(join(tmpdir(), 'skene-gate-spec-'));
  const specFile = join(folder, 'spec.json');
  await writeFile(
    specFile,
    JSON.stringify({
      root: spec.root,
      pythonPath: meta.pythonPath,
      app: meta.app,
      driver: spec.driver ?? spec.fixture,
      limit: spec.limit,
      webhookPath: spec.webhookPath,
    }),
  );
  const lanes = await lanesAllowedBy((await analyzeProject(spec.root)).fastapi);
  if (lanes.length === 0) throw new Error(`no Python lane runs the FastAPI ${spec.fixture} declares`);
  const reports: Array<{ lane: PythonLane; report: GateReport }> = [];
  for (const lane of lanes) {
    const stdout = await runLanePython(lane, [gateCheckScript, specFile], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    const lastLine = stdout.trim().split('\n').at(-1) ?? '';
    reports.push({ lane, report: JSON.parse(lastLine) as GateReport });
  }
  return reports;
}
