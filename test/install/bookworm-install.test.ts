/**
 * The packed tarball installs and runs on a machine with no compiler: a bare Debian bookworm chroot
 * (scripts/install-lane.sh: debootstrap --variant=minbase, no g++, no make, no Python) with the host's node
 * and npm. `npm install ./skene-*.tgz` there, then `skene analyze` on a fixture gives the routes the
 * analyzer gives on the host. Also checks what the install holds: no native addon, <= 40 MB of node_modules.
 */

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { repoRoot, runSkene } from '../cli/helpers.js';

const lane = join(repoRoot, 'scripts', 'install-lane.sh');
const MAX_NODE_MODULES_BYTES = 40 * 1000 * 1000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function inLane(cwd: string, command: string, timeout = 600_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [lane, 'run', 'bash', '-c', command],
      { cwd, timeout, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

test('the packed tarball installs with no compiler in a bare Debian bookworm and `skene analyze` works there', {
  timeout: 900_000,
}, async (t) => {
  execFileSync('bash', [lane, 'ensure'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 900_000 });
  assert.ok(existsSync(join(repoRoot, 'dist', 'lib', 'cli.js')), 'npm run build first (npm test does)');
  const work = mkdtempSync(join(tmpdir(), 'skene-install-lane-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const tarball = readdirSync(work).find((f) => /^skene-.*\.tgz$/.test(f));
  assert.ok(tarball, 'npm pack wrote a tarball');

  const tools = await inLane(
    work,
    'for tool in g++ gcc cc c++ make python3; do command -v $tool || true; done; node -v; grep PRETTY_NAME /etc/os-release',
  );
  assert.equal(tools.code, 0, tools.stderr);
  const lines = tools.stdout.trim().split('\n');
  assert.match(lines.at(-1)!, /bookworm/, 'the chroot is Debian 12');
  assert.match(lines.at(-2)!, /^v20\./, "the host's Node 20 runs inside");
  assert.deepEqual(lines.slice(0, -2), [], 'no compiler, make or Python in the chroot');

  const install = await inLane(
    work,
    `mkdir app && cd app && npm init -y >/dev/null && npm_config_cache=${work}/npm-cache npm install --no-audit --no-fund --fetch-retries=1 --loglevel=error ../${tarball}`,
  );
  assert.equal(install.code, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`);
  const app = join(work, 'app');
  assert.equal(
    execFileSync('find', ['node_modules', '-name', '*.node'], { cwd: app, encoding: 'utf8' }),
    '',
    'no native addon installed',
  );
  const bytes = Number(execFileSync('du', ['-sb', 'node_modules'], { cwd: app, encoding: 'utf8' }).split('\t')[0]);
  assert.ok(bytes <= MAX_NODE_MODULES_BYTES, `node_modules is ${(bytes / 1e6).toFixed(1)} MB (limit 40 MB)`);

  const fixture = join(repoRoot, 'fixtures', 'stripe-saas');
  const analyzed = await inLane(app, `CI=1 NO_COLOR=1 node_modules/.bin/skene analyze ${fixture} --json`);
  assert.equal(analyzed.code, 0, analyzed.stderr);
  const inside = JSON.parse(analyzed.stdout) as { routes: Array<{ method: string; path: string }> };
  const host = await runSkene(['analyze', fixture, '--json']);
  assert.equal(host.code, 0, host.stderr);
  const onHost = JSON.parse(host.stdout) as { routes: Array<{ method: string; path: string }> };
  assert.equal(inside.routes.length, 18);
  assert.deepEqual(inside.routes, onHost.routes);

  const help = await inLane(app, 'node_modules/.bin/skene --help');
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: skene/);
});
