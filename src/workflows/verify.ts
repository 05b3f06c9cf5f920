import { join } from 'node:path';
import type { CliContext } from '../cli-context.js';
import { ExitCode, SkeneError } from '../errors.js';
import { appSourceRoot, PYTEST_CONFIG_FILES } from '../generate/build-gate-tests.js';
import { isGeneratedText } from '../generate/runtime-contract.js';
import { planRuntimeLocation } from '../generate/runtime-location.js';
import { readProjectFile } from '../io/read-project-file.js';
import { createLogger, type Logger } from '../ui/logger.js';
import type { Palette } from '../ui/palette.js';
import { type AppPython, findAppPython } from '../verify/find-python.js';
import { type GateCheck, type GateTestsRun, runGateTests } from '../verify/run-gate-tests.js';
import { planGateTests } from './plan-gate-tests.js';
import { analyzeFastapiProject, planLoopChanges, readLoopFile, resolveProjectFolder } from './plan-loop-changes.js';

export interface VerifyOptions {
  dir: string;
  json: boolean;
}

export interface VerifyReport {
  ok: boolean;
  testFile: string;
  python: { command: string[]; source: string; version?: string; fastapi?: string; pydantic?: string };
  /** The test file on disk is not what `skene generate` would write now. */
  stale: boolean;
  checks: GateCheck[];
  summary: { passed: number; failed: number; skipped: number };
}

/** The folder pytest runs from: the nearest one above the tests with a pytest configuration, else the tests' parent. */
async function pytestFolder(root: string, testFolder: string): Promise<string> {
  let folder = testFolder;
  for (;;) {
    for (const name of PYTEST_CONFIG_FILES) {
      const text = await readProjectFile(root, folder === '' ? name : `${folder}/${name}`);
      if (text !== undefined && (name !== 'pyproject.toml' || text.includes('[tool.pytest'))) return folder;
    }
    if (folder === '') break;
    folder = folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : '';
  }
  return testFolder.includes('/') ? testFolder.slice(0, testFolder.lastIndexOf('/')) : '';
}

function foldersUp(root: string, start: string): string[] {
  const folders: string[] = [];
  let folder = start;
  for (;;) {
    folders.push(folder === '' ? root : join(root, ...folder.split('/')));
    if (folder === '') return folders;
    folder = folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : '';
  }
}

/** Finds the generated gate tests and the app's Python, runs them, and reports every check. */
export async function runVerify(
  root: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<VerifyReport> {
  const analysis = await analyzeFastapiProject(root, dir, logger);
  const { loop, diagnostics } = await readLoopFile(root);
  if (!loop) {
    throw new SkeneError(
      diagnostics.length > 0
        ? 'skene.config.ts has problems; verify cannot tell which tests to run.'
        : `No skene.config.ts in ${dir}.`,
      {
        hint:
          diagnostics.length > 0
            ? 'Run `npx skene doctor` to see them.'
            : 'Run `npx skene init` first: it writes the loop, the runtime and the gate tests.',
      },
    );
  }
  const location = planRuntimeLocation(analysis);
  // Where generate puts the tests, and what it would write there now.
  const plan = await planLoopChanges(root, analysis, loop);
  const expected = await planGateTests(
    root,
    analysis,
    location,
    loop.steps.map((step) => step.id),
    plan.wiring.gated,
  );
  const testPath = expected.path;
  const onDisk = await readProjectFile(root, testPath);
  if (onDisk === undefined) {
    throw new SkeneError(`No gate tests at ${testPath}.`, {
      hint: 'Run `npx skene generate` (or `npx skene init`): it writes them.',
    });
  }
  if (!isGeneratedText(onDisk)) {
    throw new SkeneError(`${testPath} is not the file skene generates; verify runs only skene's own gate tests.`, {
      hint: "Rename your file, then run `npx skene generate` to write skene's.",
    });
  }
  const stale = expected.after !== onDisk;

  const testFolder = testPath.includes('/') ? testPath.slice(0, testPath.lastIndexOf('/')) : '';
  const python = await findAppPython({ root, folders: foldersUp(root, appSourceRoot(analysis)), env });
  if (!python) {
    throw new SkeneError('No Python found to run the gate tests with.', {
      hint: "Activate the app's virtualenv (VIRTUAL_ENV), or create .venv/, or put python3 on PATH.",
    });
  }
  const cwdFolder = await pytestFolder(root, testFolder);
  logger.info(`Running ${testPath} with ${describePython(python)}…`);
  const run = await runGateTests({
    python,
    testFile: join(root, ...testPath.split('/')),
    cwd: cwdFolder === '' ? root : join(root, ...cwdFolder.split('/')),
    env,
  });
  if (stale)
    logger.warn(
      `${testPath} is not what this skene generates for the project now: run \`npx skene generate\` to update it.`,
    );
  if (run.problem) throw new SkeneError(run.problem, { hint: `The gate tests run with ${describePython(python)}.` });
  return buildReport(testPath, python, run, stale);
}

function buildReport(testFile: string, python: AppPython, run: GateTestsRun, stale: boolean): VerifyReport {
  const count = (status: GateCheck['status']): number => run.checks.filter((check) => check.status === status).length;
  const summary = { passed: count('pass'), failed: count('fail'), skipped: count('skip') };
  // A skip the configuration explains ("not applicable: ...") proves nothing and is owed nothing; any
  // other skip is a check this environment could not run, so the gate is not proved.
  const unproved = run.checks.filter(
    (check) => check.status === 'skip' && !check.reason?.startsWith(NOT_APPLICABLE),
  ).length;
  return {
    ok: summary.failed === 0 && unproved === 0 && summary.passed > 0,
    testFile,
    python: {
      command: python.command,
      source: python.source,
      ...(run.versions?.python ? { version: run.versions.python } : {}),
      ...(run.versions?.fastapi ? { fastapi: run.versions.fastapi } : {}),
      ...(run.versions?.pydantic ? { pydantic: run.versions.pydantic } : {}),
    },
    stale,
    checks: run.checks,
    summary,
  };
}

const NOT_APPLICABLE = 'not applicable: ';

function describePython(python: AppPython): string {
  return `${python.command.join(' ')} (${python.source === 'PATH' ? 'from PATH' : python.source})`;
}

export function renderVerifyReport(report: VerifyReport, palette: Palette): string {
  const lines: string[] = [];
  const versions = [
    report.python.version && `Python ${report.python.version}`,
    report.python.fastapi && `FastAPI ${report.python.fastapi}`,
    report.python.pydantic && `pydantic ${report.python.pydantic}`,
  ]
    .filter(Boolean)
    .join(', ');
  lines.push(`Gate tests ${palette.accent(report.testFile)}${versions ? ` on ${versions}` : ''}:`);
  for (const check of report.checks) {
    const mark =
      check.status === 'pass' ? palette.success('✓') : check.status === 'fail' ? palette.error('✗') : palette.warn('⚠');
    const step = check.step ? `${check.step}: ` : '';
    lines.push(`  ${mark} ${step}${check.title}${check.status === 'skip' ? ' (skipped)' : ''}`);
    if (check.reason)
      for (const line of check.reason.split('\n'))
        lines.push(`      ${check.status === 'fail' ? line : palette.dim(line)}`);
  }
  const { passed, failed, skipped } = report.summary;
  lines.push('');
  lines.push(`Checks: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}.`);
  if (report.ok) lines.push(palette.success('The gate works in this app.'));
  else if (failed > 0)
    lines.push(
      palette.error('The gate does not work as configured: fix what the ✗ lines say, then run npx skene verify again.'),
    );
  else lines.push(palette.warn('Not proved: some checks could not run in this environment (see the reasons above).'));
  return `${lines.join('\n')}\n`;
}

/** `skene verify [DIR] [--json]`: runs the gate tests init generated with the app's Python; exit 0 when they pass. */
export async function runVerifyCommand(options: VerifyOptions, ctx: CliContext): Promise<number> {
  const logger = createLogger({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env, quiet: options.json });
  try {
    const root = await resolveProjectFolder(options.dir, ctx, 'verify');
    const report = await runVerify(root, options.dir, ctx.env, logger);
    if (options.json) logger.json(report);
    else ctx.stdout.write(renderVerifyReport(report, logger.palette));
    return report.ok ? ExitCode.ok : ExitCode.failure;
  } catch (error) {
    if (!options.json || !(error instanceof SkeneError)) throw error;
    logger.json({
      ok: false,
      error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}), exitCode: error.exitCode },
    });
    return error.exitCode;
  }
}
