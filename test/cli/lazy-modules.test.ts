/**
 * `skene --help` and `skene analyze` must not load ts-morph (with the TypeScript compiler inside it) or
 * the Stripe SDK: they are imported lazily by the commands that need them.
 *
 * How: the built CLI runs under `node --import test/cli/support/record-module-loads.mjs`, which logs every
 * module the ESM loader resolves (a `module.register` resolve hook, Node >= 20.6) and every CommonJS module
 * in require.cache at exit. A control run that does import both packages proves the log would show them.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { copyFixture } from '../helpers/fixtures.js';
import { type CliRun, runNode, runSkene } from './helpers.js';

const recorder = fileURLToPath(new URL('./support/record-module-loads.mjs', import.meta.url));
// The build bundles the Stripe SDK into dist/lib/vendor-stripe.js (scripts/build.mjs); from node_modules when not built.
const HEAVY =
  /[/\\]node_modules[/\\](ts-morph|@ts-morph[/\\]common|typescript|stripe)[/\\]|[/\\]dist[/\\]lib[/\\]vendor-(stripe)\.js$/;

async function loadedModules(
  run: (env: NodeJS.ProcessEnv) => Promise<CliRun>,
): Promise<{ run: CliRun; modules: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'skene-module-log-'));
  try {
    const log = join(dir, 'modules.log');
    const result = await run({ SKENE_MODULE_LOG: log });
    const modules = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
    return { run: result, modules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const heavyIn = (modules: string[]): string[] =>
  [
    ...new Set(
      modules
        .filter((m) => HEAVY.test(m))
        .map((m) => {
          const match = m.match(HEAVY)!;
          return (match[1] ?? match[2])!;
        }),
    ),
  ].sort();

test('control: the recorder sees ts-morph (and what it requires) and stripe when they are imported', async () => {
  const { run, modules } = await loadedModules((env) =>
    runNode(['--import', recorder, '--input-type=module', '-e', "await import('ts-morph'); await import('stripe');"], {
      env,
    }),
  );
  assert.equal(run.code, 0, run.stderr);
  const seen = heavyIn(modules);
  // ts-morph is CommonJS and requires @ts-morph/common (which bundles TypeScript): seen through require.cache.
  for (const name of ['stripe', 'ts-morph', '@ts-morph/common'])
    assert.ok(seen.includes(name), `${name} in ${JSON.stringify(seen)}`);
});

test('control: the recorder sees the Stripe SDK the build bundles (dist/lib/vendor-stripe.js) when it is imported', async () => {
  const vendor = new URL('../../dist/lib/vendor-stripe.js', import.meta.url).href;
  const { run, modules } = await loadedModules((env) =>
    runNode(['--import', recorder, '--input-type=module', '-e', `await import(${JSON.stringify(vendor)});`], { env }),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(heavyIn(modules), ['stripe']);
});

test('skene --help loads neither ts-morph nor stripe', async () => {
  const { run, modules } = await loadedModules((env) =>
    runSkene(['--help'], { env, nodeArgs: ['--import', recorder] }),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.ok(
    modules.some((m) => /[/\\]bin[/\\]skene\.js$/.test(m)),
    'the recorder saw the CLI run',
  );
  assert.deepEqual(heavyIn(modules), []);
});

test('the CLI bundle itself, run for help (bin/skene.js answers plain --help on its own), loads neither', async () => {
  const { run, modules } = await loadedModules((env) =>
    runSkene(['analyze', '--help', '--json'], { env, nodeArgs: ['--import', recorder] }),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.ok(
    modules.some((m) => /[/\\]dist[/\\]lib[/\\]cli\.js$/.test(m)),
    'the recorder saw the CLI bundle run',
  );
  assert.deepEqual(heavyIn(modules), []);
});

test('skene analyze (human and --json) loads neither ts-morph nor stripe', async (t) => {
  const project = await copyFixture('stripe-saas');
  t.after(() => rm(dirname(project), { recursive: true, force: true }));
  for (const args of [
    ['analyze', project],
    ['analyze', project, '--json'],
  ]) {
    const { run, modules } = await loadedModules((env) => runSkene(args, { env, nodeArgs: ['--import', recorder] }));
    assert.equal(run.code, 0, run.stderr);
    assert.ok(
      modules.some((m) => /[/\\]node_modules[/\\]web-tree-sitter[/\\]/.test(m)),
      'the analyzer ran',
    );
    assert.deepEqual(heavyIn(modules), [], `skene ${args.join(' ')}`);
  }
});
