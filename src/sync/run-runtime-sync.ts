import { spawn } from 'node:child_process';
import { SkeneError } from '../errors.js';
import type { AppPython } from '../verify/find-python.js';
import type { StripeSubscriptionJson } from './list-stripe-subscriptions.js';
import { extractJsonDocument, parseRuntimeSyncOutput, type RuntimeSyncOutput } from './sync-protocol.js';

export interface RuntimeSyncInput {
  python: AppPython;
  /** The runtime's dotted module (`app.skene`). */
  module: string;
  /** The folder the app starts from: the source root holding the runtime's top package (absolute). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  subscriptions: StripeSubscriptionJson[];
  dryRun: boolean;
  /** Give up after this long (default 10 minutes): the app's database may be slow, never silent for ever. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** The last lines of the runtime's stderr, for a message (a traceback's end says what failed). */
function tail(text: string, lines = 12): string {
  const kept = text.trimEnd().split('\n').slice(-lines);
  return kept.join('\n');
}

/**
 * Runs `python -m <runtime> sync [--dry-run]` in the folder the app starts from, writes the subscriptions
 * to its stdin as one JSON document, and returns the document it prints. The runtime's own error
 * (`{"error": ...}`, exit 2) and any other failure (no JSON, a crash, a timeout) are SkeneErrors.
 */
export async function runRuntimeSync(input: RuntimeSyncInput): Promise<RuntimeSyncOutput> {
  const [program, ...leading] = input.python.command;
  const args = [...leading, '-m', input.module, 'sync', ...(input.dryRun ? ['--dry-run'] : [])];
  const shown = `${[program, ...args].join(' ')}`;
  const run = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(program, args, { cwd: input.cwd, env: input.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      // A runtime that exits before reading all of stdin (an import error) closes the pipe: its exit says why.
      child.stdin.on('error', () => {});
      const timer = setTimeout(() => child.kill('SIGKILL'), input.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(
          new SkeneError(`Could not run ${program}: ${error.message}`, {
            hint: "Activate the app's virtualenv (VIRTUAL_ENV), or create .venv/, or put python3 on PATH.",
            cause: error,
          }),
        );
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({
          code,
          signal,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        });
      });
      child.stdin.end(JSON.stringify({ subscriptions: input.subscriptions }));
    },
  );

  const document = extractJsonDocument(run.stdout);
  const runtimeError =
    document && typeof document === 'object' && typeof (document as { error?: unknown }).error === 'string'
      ? (document as { error: string }).error
      : undefined;
  if (runtimeError !== undefined) {
    throw new SkeneError(`The runtime could not sync: ${runtimeError}`, {
      hint: `It ran as \`${shown}\` in ${input.cwd}; fix what it says (often the app's database URL in .env), then run skene sync again.`,
    });
  }
  if (run.code !== 0) {
    const why = run.signal
      ? `was stopped (${run.signal}${run.signal === 'SIGKILL' ? ', too slow' : ''})`
      : `exited with ${run.code}`;
    const detail = tail(run.stderr);
    throw new SkeneError(`The runtime's sync ${why}${detail ? `:\n${detail}` : '.'}`, {
      hint: /No module named .*\.__main__|is a package and cannot be directly executed/.test(run.stderr)
        ? 'The runtime predates skene sync: run `npx skene generate`, then skene sync again.'
        : `It ran as \`${shown}\` in ${input.cwd}.`,
    });
  }
  try {
    return parseRuntimeSyncOutput(document);
  } catch (error) {
    throw new SkeneError(`${error instanceof Error ? error.message : String(error)}.`, {
      hint: `skene and the runtime disagree: run \`npx skene generate\` so the runtime matches this skene. Its stdout began: ${run.stdout.slice(0, 200)}`,
    });
  }
}
