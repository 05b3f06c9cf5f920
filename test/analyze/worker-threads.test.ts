/**
 * Parsing in worker threads changes nothing: on every fixture, and on a generated codebase large enough for
 * the default to pick workers, the analysis is deep-equal to the one parsed on the main thread alone, and
 * the batches really were parsed by workers (and by the main thread beside them).
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSyntheticFastApiCodebase } from '../../bench/synthetic-fastapi.js';
import { analyzePythonFiles, defaultWorkerCount } from '../../src/analyze/analyze-files.js';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { detectSourceRoots } from '../../src/analyze/detect-source-roots.js';
import { discoverPythonFiles } from '../../src/analyze/discover-python-files.js';

const fixturesDir = join(import.meta.dirname, '..', '..', 'fixtures');
const fixtures = readdirSync(fixturesDir).filter((name) => statSync(join(fixturesDir, name)).isDirectory());

for (const fixture of fixtures) {
  test(`${fixture}: the analysis parsed by two worker threads equals the single-thread one`, async () => {
    const root = join(fixturesDir, fixture);
    const single = await analyzeProject(root, { workers: 0 });
    const threaded = await analyzeProject(root, { workers: 2, mainThread: false });
    assert.deepEqual(threaded, single);
  });
}

test('a generated 300-file codebase: the default uses workers, every batch is done once, and the result is the same', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'skene-threads-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const codebase = writeSyntheticFastApiCodebase(root, { seed: 7, files: 300, targetBytes: 2e6 });
  const discovered = await discoverPythonFiles(root);
  const layout = detectSourceRoots(discovered.python, discovered.markers);
  assert.ok(defaultWorkerCount(discovered.python.length) >= 1, 'a project this size is parsed on workers by default');

  const byThread = new Map<number, number>();
  const threaded = await analyzePythonFiles(root, discovered.python, layout.moduleOf, {
    workers: 2,
    mainThread: false,
    onBatch: (thread, files) => byThread.set(thread, (byThread.get(thread) ?? 0) + files),
  });
  const single = await analyzePythonFiles(root, discovered.python, layout.moduleOf, { workers: 0 });
  // Results from workers come as JSON (analyze-file-worker.ts), which has no undefined: equal as JSON values.
  assert.deepEqual(threaded, JSON.parse(JSON.stringify(single)));
  assert.equal(JSON.stringify(threaded), JSON.stringify(single));
  assert.equal(
    [...byThread.values()].reduce((a, b) => a + b, 0),
    discovered.python.length,
    'each file once',
  );
  assert.deepEqual(
    [...byThread.keys()].filter((thread) => thread === 0),
    [],
    'with mainThread: false only workers parse',
  );

  const analysis = await analyzeProject(root);
  assert.equal(analysis.routes.length, codebase.routes.length);
  assert.deepEqual(analysis, await analyzeProject(root, { workers: 0 }));
});
