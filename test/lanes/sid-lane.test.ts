/**
 * scripts/sid-lane.sh never deletes through a mount (docs/TESTING.md): its mounts live only in the private
 * mount namespace of the command it runs, and a rebuild refuses to delete a tree that has something
 * mounted below it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requestedLaneNames } from '../helpers/python-lanes.js';

const run = promisify(execFile);
const script = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'sid-lane.sh');

async function exitOf(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stderr: string; stdout: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('a rebuild refuses to delete a half-built chroot that has something mounted in it, and the mounted files survive', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'skene-lane-cache-'));
  const victim = mkdtempSync(join(tmpdir(), 'skene-lane-victim-'));
  t.after(() => {
    rmSync(cache, { recursive: true, force: true });
    rmSync(victim, { recursive: true, force: true });
  });
  writeFileSync(join(victim, 'precious.txt'), 'keep me');
  const stale = join(cache, 'sid.new.4242', 'proc');
  mkdirSync(stale, { recursive: true });
  // The mount exists only in this unshared namespace, where the script runs too.
  const result = await exitOf(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'bash',
      '-c',
      'mount --bind "$1" "$2" && bash "$3" ensure',
      'sh',
      victim,
      stale,
      script,
    ],
    { SKENE_LANE_CACHE: cache, SKENE_DEBIAN_MIRROR: 'http://127.0.0.1:9/debian' },
  );
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /something is mounted under .*sid\.new\.4242; unmount it first \(nothing was deleted\)/);
  assert.equal(readFileSync(join(victim, 'precious.txt'), 'utf8'), 'keep me');
  assert.ok(existsSync(stale), 'the stale tree was left alone');
});

if (requestedLaneNames().includes('sid')) {
  test('run: the chroot sees the repository and /tmp at their own paths, and no mount outlives the command', async (t) => {
    const folder = mkdtempSync(join(tmpdir(), 'skene-lane-run-'));
    t.after(() => rmSync(folder, { recursive: true, force: true }));
    writeFileSync(
      join(folder, 'hello.py'),
      'import sys\nprint(sys.version_info[:2] >= (3, 12), open(sys.argv[1]).read())\n',
    );
    const { stdout } = await run('bash', [script, 'run', 'python3', join(folder, 'hello.py'), script], { cwd: folder });
    assert.ok(stdout.startsWith('True #!/usr/bin/env bash'), stdout.slice(0, 80));
    const { stdout: mounts } = await run('findmnt', ['-rn', '-o', 'TARGET']);
    const leaked = mounts.split('\n').filter((target) => target.includes('/skene/lanes/'));
    assert.deepEqual(leaked, []);
  });
}
