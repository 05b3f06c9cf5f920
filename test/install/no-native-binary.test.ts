/**
 * After `npm ci`, nothing in node_modules was compiled on this machine, and the Python grammar skene loads
 * is WebAssembly: parsing (from the sources and from the build) loads no native addon at all.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { repoRoot, runNode } from '../cli/helpers.js';

test('npm ci compiled nothing: no build/Release/*.node (nor any build/ addon) under node_modules', () => {
  assert.ok(existsSync(join(repoRoot, 'node_modules', 'web-tree-sitter')), 'npm ci has run');
  const compiled = execFileSync('find', ['node_modules', '-path', '*/build/*', '-name', '*.node'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(compiled, '', 'locally compiled addons');
  // The rule that keeps it so: install scripts run only where package.json allows them (npm 11 allowScripts).
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    allowScripts?: Record<string, boolean>;
  };
  assert.equal(
    pkg.allowScripts?.['tree-sitter-python'],
    false,
    'tree-sitter-python ships its grammar as .wasm; its node-gyp step stays off',
  );
});

/** A child process that parses Python, then lists the shared objects it has loaded (process.report). */
const probe = (moduleUrl: string): string => `
  const parser = await import(${JSON.stringify(moduleUrl)});
  const tree = parser.parsePython('def f(x):\\n    return x\\n');
  const report = process.report.getReport();
  console.log(JSON.stringify({
    grammar: parser.pythonGrammarPath,
    root: tree.rootNode.type,
    child: tree.rootNode.firstNamedChild.type,
    addons: report.sharedObjects.filter((file) => file.endsWith('.node')),
  }));`;

test('the sources (tsx): the Python grammar loads as WebAssembly and no native addon is loaded', async () => {
  const run = await runNode([
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    probe(new URL('src/python/parse-python.ts', `file://${repoRoot}/`).href),
  ]);
  assert.equal(run.code, 0, run.stderr);
  const seen = JSON.parse(run.stdout) as { grammar: string; root: string; child: string; addons: string[] };
  assert.match(seen.grammar, /node_modules\/tree-sitter-python\/tree-sitter-python\.wasm$/);
  assert.deepEqual([seen.root, seen.child], ['module', 'function_definition']);
  assert.deepEqual(seen.addons, []);
});

test('the build (dist/): analysis parses with the grammar copied beside the bundle and loads no native addon', async () => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'lib', 'tree-sitter-python.wasm')), 'npm run build copies the grammar');
  const analyzer = new URL('dist/lib/analyze-project.js', `file://${repoRoot}/`).href;
  const fixture = join(repoRoot, 'fixtures', 'stripe-saas');
  const code = `
    const { analyzeProject } = await import(${JSON.stringify(analyzer)});
    const result = await analyzeProject(${JSON.stringify(fixture)}, { workers: 1, mainThread: false });
    const addons = process.report.getReport().sharedObjects.filter((file) => file.endsWith('.node'));
    console.log(JSON.stringify({ routes: result.routes.length, parsed: result.stats.parsedFiles, addons }));`;
  const run = await runNode(['--input-type=module', '-e', code]);
  assert.equal(run.code, 0, run.stderr);
  const seen = JSON.parse(run.stdout) as { routes: number; parsed: number; addons: string[] };
  assert.equal(seen.routes, 18);
  assert.ok(seen.parsed > 0);
  assert.deepEqual(seen.addons, []);
});
