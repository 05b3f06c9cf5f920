import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { templatesDir } from '../paths.js';
import type { AppPython } from './find-python.js';

/** One check of the generated gate tests, as verify reports it. */
export interface GateCheck {
  /** The test's name: `test_blocks_at_the_limit[reports-api]`. */
  id: string;
  step?: string;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  reason?: string;
}

export interface GateTestsRun {
  checks: GateCheck[];
  /** Versions the checks ran on, when pytest got that far. */
  versions?: { python?: string; fastapi?: string; pydantic?: string };
  /** pytest's exit status (5: no test ran); undefined when pytest never finished. */
  exitStatus?: number;
  /** What went wrong before any check could run, in skene's words. */
  problem?: string;
  output: string;
}

interface ReportRecord {
  kind: 'test' | 'collect' | 'session';
  name?: string;
  nodeid?: string;
  title?: string | null;
  step?: string | null;
  when?: string;
  outcome?: 'passed' | 'failed' | 'skipped';
  reason?: string | null;
  exitstatus?: number;
  python?: string;
  fastapi?: string | null;
  pydantic?: string | null;
}

/** The pytest plugin verify loads (templates/python/verify/), found from src/ and dist/ alike. */
export function verifyPluginDir(): string {
  return join(templatesDir(), 'python', 'verify');
}

/**
 * A failure's reason in one line or a few: the message of skene's own checks as it is; of an unexpected
 * error, its `E ` lines (the exception), not the traceback.
 */
export function summarizeReason(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  const lines = text.split(/\r?\n/);
  const errorLines = lines.filter((line) => /^E {2,}/.test(line)).map((line) => line.replace(/^E\s+/, '').trimEnd());
  const chosen =
    errorLines.length > 0
      ? errorLines.slice(0, 3)
      : lines
          .map((line) => line.trimEnd())
          .filter(Boolean)
          .slice(-3);
  return chosen.join('\n').trim() || undefined;
}

/** Reads the plugin's records into checks: one per test (its call, or the setup that failed or skipped). */
export function readGateReport(text: string): Pick<GateTestsRun, 'checks' | 'versions' | 'exitStatus'> {
  const checks: GateCheck[] = [];
  let versions: GateTestsRun['versions'];
  let exitStatus: number | undefined;
  const seen = new Map<string, GateCheck>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let record: ReportRecord;
    try {
      record = JSON.parse(line) as ReportRecord;
    } catch {
      continue;
    }
    if (record.kind === 'session') {
      exitStatus = record.exitstatus;
      versions = {
        ...(record.python ? { python: record.python } : {}),
        ...(record.fastapi ? { fastapi: String(record.fastapi) } : {}),
        ...(record.pydantic ? { pydantic: String(record.pydantic) } : {}),
      };
      continue;
    }
    if (record.kind === 'collect') {
      checks.push({
        id: record.nodeid ?? 'collect',
        title: 'the gate tests can be collected',
        status: 'fail',
        reason: summarizeReason(record.reason) ?? 'pytest could not collect the file',
      });
      continue;
    }
    const id = record.name ?? record.nodeid ?? '?';
    const status = record.outcome === 'passed' ? 'pass' : record.outcome === 'skipped' ? 'skip' : 'fail';
    const reason = status === 'pass' ? undefined : summarizeReason(record.reason);
    const previous = seen.get(id);
    // A teardown failure after a passed call fails the check; nothing else replaces the first record.
    if (previous) {
      if (status === 'fail' && previous.status !== 'fail')
        Object.assign(previous, { status, ...(reason ? { reason } : {}) });
      continue;
    }
    const check: GateCheck = {
      id,
      title: record.title ?? id,
      status,
      ...(record.step ? { step: record.step } : {}),
      ...(reason ? { reason } : {}),
    };
    seen.set(id, check);
    checks.push(check);
  }
  return { checks, ...(versions ? { versions } : {}), ...(exitStatus === undefined ? {} : { exitStatus }) };
}

/** Why pytest could not run, from what it printed, in skene's words; undefined when nothing is recognized. */
export function explainPytestProblem(output: string, python: string): string | undefined {
  const missing = /No module named '?([\w.]+)'?/.exec(output);
  if (missing && /^(pytest|_pytest)$/.test(missing[1] ?? ''))
    return `pytest is not installed for ${python}: install it in the app's environment (pip install pytest).`;
  if (/ERROR: usage|error: unrecognized arguments/.test(output))
    return `pytest refused skene's options: ${output.trim().split('\n').at(-1) ?? ''}`;
  return undefined;
}

export interface RunGateTestsInput {
  python: AppPython;
  /** The generated test file (absolute). */
  testFile: string;
  /** Where pytest runs: the folder of the app's pytest configuration, or of its tests. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs the generated gate tests with the app's Python; the user's code runs here and nowhere else in skene. */
export async function runGateTests(input: RunGateTestsInput): Promise<GateTestsRun> {
  const folder = await mkdtemp(join(tmpdir(), 'skene-verify-'));
  const reportFile = join(folder, 'report.jsonl');
  const [program, ...leading] = input.python.command;
  const pythonPath = [verifyPluginDir(), input.env['PYTHONPATH']].filter(Boolean).join(delimiter);
  const args = [
    ...leading,
    '-m',
    'pytest',
    input.testFile,
    '-p',
    'skene_verify_report',
    '-p',
    'no:cacheprovider',
    '-q',
    '-rN',
  ];
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((done, failed) => {
      const child = spawn(program, args, {
        cwd: input.cwd,
        env: { ...input.env, PYTHONPATH: pythonPath, SKENE_VERIFY_REPORT: reportFile, PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const keep = (chunk: Buffer): void => {
        output = (output + chunk.toString('utf8')).slice(-200_000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const timer = setTimeout(() => child.kill('SIGTERM'), input.timeoutMs ?? 10 * 60_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        failed(error);
      });
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        done({ code: exitCode, output });
      });
    });
    const report = readGateReport((await readFile(reportFile, 'utf8').catch(() => '')) ?? '');
    const run: GateTestsRun = { ...report, output };
    if (report.exitStatus === undefined && report.checks.length === 0) {
      run.problem =
        explainPytestProblem(output, program) ??
        `pytest did not run (exit ${code ?? 'killed'}): ${output.trim().split('\n').slice(-3).join(' | ') || 'no output'}`;
    }
    return run;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
