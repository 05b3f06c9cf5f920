/**
 * A change set is applied all or nothing, on the built CLI: a read-only project (or one read-only folder)
 * is an error before any diff; a write that fails in the middle, or Ctrl-C (a real SIGINT sent to the
 * child) while files are being written, puts back every file already written.
 *
 * Permissions are real: when the tests run as root (who may write anywhere), the CLI runs as the
 * unprivileged user `nobody` on a copy it owns, so a folder without write permission refuses it.
 * SKENE_TEST_PAUSE_BETWEEN_WRITES_MS (a test hook of the writer) makes the middle of writing last long
 * enough to act in it at a known point.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, lstat, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { skeneBin } from '../cli/helpers.js';
import { copyFixture } from '../helpers/fixtures.js';
import { changedFiles, snapshotFiles } from './init-harness.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** The copy is owned by the user the CLI runs as (nobody under root), its temp parent readable by it. */
async function ownedCopy(fixture: string): Promise<string> {
  const root = await copyFixture(fixture);
  if (asRoot) {
    await chmod(dirname(root), 0o755);
    const walk = async (path: string): Promise<void> => {
      await chown(path, NOBODY, NOBODY);
      if ((await lstat(path)).isDirectory()) for (const entry of await readdir(path)) await walk(join(path, entry));
    };
    await walk(root);
  }
  return root;
}

/** Makes every folder and file under `path` read-only for the CLI's user. */
async function makeReadOnly(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isDirectory()) {
    for (const entry of await readdir(path)) await makeReadOnly(join(path, entry));
    await chmod(path, 0o555);
  } else if (info.isFile()) await chmod(path, 0o444);
}

interface Child {
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
  stdout(): string;
}

function startSkene(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, [skeneBin, ...args], {
    env: { PATH: process.env.PATH, HOME: asRoot ? '/tmp' : process.env.HOME, CI: '1', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    done: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))),
    kill: (signal) => void child.kill(signal),
    stdout: () => stdout,
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const INIT = ['--endpoint', '/api/v1/reports/**', '--method', 'POST', '--limit', '5', '--yes'];

test('a read-only project: exit 1 with a clear message before any diff, nothing written, no "bug" report', async () => {
  const root = await ownedCopy('stripe-saas');
  await makeReadOnly(root);
  const before = snapshotFiles(root);
  const result = await startSkene(['init', root, ...INIT]).done;
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /skene cannot write this file it needs to change: skene\.config\.ts \(permission denied\)\. Nothing was written\./,
  );
  assert.match(result.stderr, /Make the project folder writable/);
  assert.doesNotMatch(result.stderr, /Unexpected error|bug in skene/);
  assert.doesNotMatch(result.stdout, /\+\+\+ b\//, 'no diff is shown');
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
});

test('one read-only folder: the whole change set is refused before the diff, naming the files', async () => {
  const root = await ownedCopy('stripe-saas');
  await makeReadOnly(join(root, 'app/api/routes'));
  const before = snapshotFiles(root);
  const result = await startSkene(['init', root, ...INIT]).done;
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /skene cannot write 2 of the files it needs to change: app\/api\/routes\/reports\.py, app\/api\/routes\/webhooks\.py \(permission denied\)\. Nothing was written\./,
  );
  assert.doesNotMatch(result.stdout, /\+\+\+ b\//);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
  assert.ok(!existsSync(join(root, 'app/skene')), 'no runtime folder');
});

test('a write failing in the middle (the route folder turns read-only after the config and runtime are written): every file is put back', async () => {
  const root = await ownedCopy('stripe-saas');
  const before = snapshotFiles(root);
  const child = startSkene(['init', root, ...INIT], { SKENE_TEST_PAUSE_BETWEEN_WRITES_MS: '150' });
  // The config is the first file of the plan, the route edits the last.
  await waitFor(() => existsSync(join(root, 'skene.config.ts')), 'the first write');
  await makeReadOnly(join(root, 'app/api/routes'));
  const result = await child.done;
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /Could not write app\/api\/routes\/reports\.py: permission denied\. The \d+ files already written were put back: the project is as it was\./,
  );
  assert.match(
    result.stderr,
    /Run `skene init \S+` again: it plans from what is on disk and writes the whole change set\./,
  );
  assert.doesNotMatch(result.stderr, /Unexpected error/);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
  assert.ok(!existsSync(join(root, 'app/skene')), 'the folders made for the runtime are removed too');
});

test('Ctrl-C while writing: exit 130, every file written so far put back; running init again finishes the job', async () => {
  const root = await ownedCopy('stripe-saas');
  const before = snapshotFiles(root);
  const child = startSkene(['init', root, ...INIT], { SKENE_TEST_PAUSE_BETWEEN_WRITES_MS: '200' });
  await waitFor(
    () => existsSync(join(root, 'app/skene/_gate.py')) || existsSync(join(root, 'app/skene/__init__.py')),
    'a runtime file',
  );
  await waitFor(
    // Names only: reading contents here races the atomic writes' temporary files being renamed.
    () => runtimeFilesWritten(join(root, 'app/skene')) >= 3,
    'three runtime files',
  );
  child.kill('SIGINT');
  const result = await child.done;
  assert.equal(result.code, 130, `${result.signal} ${result.stderr}`);
  assert.match(
    result.stderr,
    /Interrupted after \d+ of \d+ files\. The \d+ files already written were put back: the project is as it was\./,
  );
  assert.match(result.stderr, /again: it plans from what is on disk/);
  assert.deepEqual(changedFiles(before, snapshotFiles(root)), []);
  assert.ok(!existsSync(join(root, 'app/skene')));

  const again = await startSkene(['init', root, ...INIT]).done;
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /skene is set up in /);
  assert.ok(existsSync(join(root, 'app/skene/loop.json')));
});

function runtimeFilesWritten(folder: string): number {
  if (!existsSync(folder)) return 0;
  return readdirSync(folder).filter((name) => name.endsWith('.py') || name.endsWith('.json')).length;
}
