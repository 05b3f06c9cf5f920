/**
 * runAnalyzeCommand in-process, through the CliContext seam: progress appears on stderr only when it is a
 * TTY (and not with --json or CI), and never mixes into stdout.
 */

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { test } from 'node:test';

import type { CliContext } from '../../src/cli-context.js';
import { UsageError } from '../../src/errors.js';
import { runAnalyzeCommand } from '../../src/workflows/analyze.js';
import { copyFixture } from '../helpers/fixtures.js';

function captureContext(
  cwd: string,
  options: { stderrIsTTY: boolean; env?: NodeJS.ProcessEnv },
): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    env: options.env ?? { NO_COLOR: '1' },
    cwd,
    stdout: { write: (chunk: string) => out.push(chunk), isTTY: false },
    stderr: { write: (chunk: string) => err.push(chunk), isTTY: options.stderrIsTTY },
    stdinIsTTY: false,
    exitCode: 0,
  };
  return { ctx, out, err };
}

/** stripe-saas declares fastapi>=0.92: the analyzer says once that it follows the newest FastAPI. */
const BOUND_NOTE = 'requirements.txt:1 FastAPI >=0.92 has no upper bound; the route table follows the newest FastAPI';

test('progress goes to stderr when it is a TTY, and is cleared at the end', async (t) => {
  const project = await copyFixture('stripe-saas');
  t.after(() => rm(dirname(project), { recursive: true, force: true }));
  const { ctx, out, err } = captureContext(project, { stderrIsTTY: true });
  assert.equal(await runAnalyzeCommand({ dir: '.', json: false }, ctx), 0);
  const stderr = err.join('');
  assert.match(stderr, /Analyzing Python files… 26\/26/);
  const cleared = stderr.lastIndexOf('\r\x1b[2K');
  assert.ok(cleared > 0, 'the progress line is cleared');
  assert.equal(stderr.slice(cleared + '\r\x1b[2K'.length), `${BOUND_NOTE}\n`, 'after it, only the diagnostics');
  assert.doesNotMatch(out.join(''), /Analyzing/);
  assert.match(out.join(''), /18 routes in 6 files/);
});

test('no progress without a TTY, with CI set, or with --json', async (t) => {
  const project = await copyFixture('stripe-saas');
  t.after(() => rm(dirname(project), { recursive: true, force: true }));
  for (const [json, stderrIsTTY, env] of [
    [false, false, { NO_COLOR: '1' }],
    [false, true, { NO_COLOR: '1', CI: '1' }],
    [true, true, { NO_COLOR: '1' }],
  ] as const) {
    const { ctx, out, err } = captureContext(project, { stderrIsTTY, env });
    assert.equal(await runAnalyzeCommand({ dir: project, json }, ctx), 0);
    assert.equal(
      err.join(''),
      json ? '' : `${BOUND_NOTE}\n`,
      `stderr with json=${json} tty=${stderrIsTTY} CI=${'CI' in env}`,
    );
    if (json) assert.equal((JSON.parse(out.join('')) as { routes: unknown[] }).routes.length, 18);
  }
});

test('a DIR that is a file or missing is a UsageError (exit 2)', async (t) => {
  const project = await copyFixture('single-file');
  t.after(() => rm(dirname(project), { recursive: true, force: true }));
  for (const dir of ['main.py', 'missing']) {
    const { ctx } = captureContext(project, { stderrIsTTY: false });
    await assert.rejects(
      runAnalyzeCommand({ dir, json: true }, ctx),
      (error: unknown) => error instanceof UsageError && error.exitCode === 2 && error.message.includes(dir),
    );
  }
});
