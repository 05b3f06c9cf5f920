import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findAppPython } from '../../src/verify/find-python.js';

async function executable(path: string, body = 'exit 0'): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

async function project(): Promise<{ root: string; app: string; bin: string }> {
  const root = await mkdtemp(join(tmpdir(), 'skene-find-python-'));
  const app = join(root, 'backend');
  const bin = join(root, 'path-bin');
  await mkdir(app, { recursive: true });
  await mkdir(bin, { recursive: true });
  return { root, app, bin };
}

test('the active virtualenv wins over every folder', async () => {
  const { root, app, bin } = await project();
  const active = await executable(join(root, 'active', 'bin', 'python'));
  await executable(join(app, '.venv', 'bin', 'python'));
  const found = await findAppPython({
    root,
    folders: [app, root],
    env: { VIRTUAL_ENV: join(root, 'active'), PATH: bin },
    platform: 'linux',
  });
  assert.deepEqual(found, { command: [active], source: 'VIRTUAL_ENV' });
});

test('.venv/ then venv/, nearest the app first; an active virtualenv without a python is passed over', async () => {
  const { root, app, bin } = await project();
  const rootVenv = await executable(join(root, 'venv', 'bin', 'python'));
  const env = { VIRTUAL_ENV: join(root, 'gone'), PATH: bin };
  assert.deepEqual(await findAppPython({ root, folders: [app, root], env, platform: 'linux' }), {
    command: [rootVenv],
    source: 'venv/',
  });
  const appVenv = await executable(join(app, '.venv', 'bin', 'python'));
  assert.deepEqual(await findAppPython({ root, folders: [app, root], env, platform: 'linux' }), {
    command: [appVenv],
    source: '.venv/',
  });
});

test("poetry's environment, asked of the poetry on PATH in the folder that uses poetry", async () => {
  const { root, app, bin } = await project();
  await writeFile(join(app, 'pyproject.toml'), '[tool.poetry]\nname = "x"\n');
  const poetryPython = await executable(join(root, 'poetry-env', 'bin', 'python'));
  // A real program on PATH, printing what `poetry env info --executable` prints when run in `app`.
  await executable(
    join(bin, 'poetry'),
    `[ "$1 $2 $3" = "env info --executable" ] && [ "$(pwd)" = "${app}" ] && echo "${poetryPython}" || exit 3`,
  );
  assert.deepEqual(await findAppPython({ root, folders: [app, root], env: { PATH: bin }, platform: 'linux' }), {
    command: [poetryPython],
    source: 'poetry',
  });
});

test("uv's project environment through `uv run`, else python3 on PATH, else nothing", async () => {
  const { root, app, bin } = await project();
  assert.equal(await findAppPython({ root, folders: [app, root], env: { PATH: bin }, platform: 'linux' }), undefined);
  const python3 = await executable(join(bin, 'python3'));
  assert.deepEqual(await findAppPython({ root, folders: [app, root], env: { PATH: bin }, platform: 'linux' }), {
    command: [python3],
    source: 'PATH',
  });
  await writeFile(join(root, 'uv.lock'), 'version = 1\n');
  const uv = await executable(join(bin, 'uv'));
  assert.deepEqual(await findAppPython({ root, folders: [app, root], env: { PATH: bin }, platform: 'linux' }), {
    command: [uv, 'run', '--no-sync', '--directory', root, 'python'],
    source: 'uv',
  });
});
