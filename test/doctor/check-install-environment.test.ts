import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { NormalizedLoop } from '../../src/config/types.js';
import { checkEnvironment } from '../../src/doctor/check-environment.js';
import { checkInstall } from '../../src/doctor/check-install.js';
import { parseDotenv, readDotenvFiles } from '../../src/doctor/read-dotenv.js';
import { gitInit, makeProject, repoRoot } from './helpers.js';

function executable(path: string, text = '#!/bin/sh\nexit 0\n'): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

test('install: the first `skene` on PATH decides; this CLI linked or shimmed passes, another program warns', () => {
  const root = makeProject({});
  const python = join(root, 'venv', 'bin');
  executable(join(python, 'skene'), '#!/usr/bin/env python3\nprint("a different skene")\n');
  const linked = join(root, 'global', 'bin');
  mkdirSync(linked, { recursive: true });
  symlinkSync(join(repoRoot, 'bin', 'skene.js'), join(linked, 'skene'));
  // pnpm (and npm on Windows) write a shim script in node_modules/.bin, not a link.
  const project = join(root, 'web');
  executable(
    join(project, 'node_modules', '.bin', 'skene'),
    '#!/bin/sh\nexec node "$(dirname "$0")/../skene/bin/skene.js" "$@"\n',
  );
  mkdirSync(join(project, 'node_modules', 'skene'), { recursive: true });
  writeFileSync(
    join(project, 'node_modules', 'skene', 'package.json'),
    JSON.stringify({ name: 'skene', version: '0.1.0' }),
  );
  const shims = join(project, 'node_modules', '.bin');

  const at = (...folders: string[]) => checkInstall({ env: { PATH: folders.join(':') }, platform: 'linux' });
  const [other] = at(join(root, 'empty'), python, linked);
  assert.equal(other?.status, 'warn');
  assert.match(other?.message ?? '', /venv\/bin\/skene\) is a different program/);
  assert.match(other?.fix ?? '', /npx skene/);
  assert.equal(at(linked, python)[0]?.status, 'pass');
  assert.equal(at(shims, python)[0]?.status, 'pass');
  assert.deepEqual(
    at(join(root, 'empty')).map((check) => [check.id, check.status, check.message]),
    [['install.path', 'pass', 'no other program named `skene` on PATH']],
  );
});

test('environment: a .env outside any git repository is not "tracked"; names, not values, are read', () => {
  const root = makeProject({
    '.env': 'export STRIPE_WEBHOOK_SECRET="whsec_fromDotenv" # signing secret\nRESEND_API_KEY=\n',
  });
  const dotenv = readDotenvFiles(root, []);
  assert.deepEqual(
    dotenv.map((entry) => [entry.name, entry.line, entry.hasValue]),
    [
      ['STRIPE_WEBHOOK_SECRET', 1, true],
      ['RESEND_API_KEY', 2, false],
    ],
  );
  const loop: NormalizedLoop = { type: 'freemium', steps: [], plans: {}, recovery: { retries: 0 } };
  const checks = checkEnvironment({ root, env: {}, dotenv, loop, analysis: undefined });
  assert.deepEqual(
    checks.map((check) => [check.id, check.status]),
    [
      ['env.stripe-webhook-secret', 'pass'],
      ['env.dotenv-tracked', 'pass'],
    ],
  );
  assert.doesNotMatch(JSON.stringify(checks), /whsec_fromDotenv/);
});

test('environment: a tracked .env beside the source root fails, an untracked one passes', () => {
  const root = makeProject({
    'backend/.env': 'DATABASE_URL=postgresql://db/app\nSTRIPE_SECRET_KEY=sk_test_x\n',
    '.env': 'SKENE_UPGRADE_URL=https://example.com\n',
  });
  gitInit(root, ['backend/.env', '.env']);
  const dotenv = readDotenvFiles(root, ['backend']);
  const tracked = checkEnvironment({ root, env: {}, dotenv, loop: undefined, analysis: undefined }).filter(
    (check) => check.id === 'env.dotenv-tracked',
  );
  // The root .env holds no secret, so only backend/.env is reported.
  assert.deepEqual(
    tracked.map((check) => [check.status, check.file, check.line]),
    [['fail', 'backend/.env', 2]],
  );
  assert.match(tracked[0]?.message ?? '', /backend\/\.env holds secrets \(STRIPE_SECRET_KEY\) and is tracked by git/);
  assert.equal(parseDotenv('x', '# STRIPE_SECRET_KEY=commented\n').length, 0);
});
