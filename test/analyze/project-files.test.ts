/**
 * Which files are read and what happens to the odd ones: syntax errors, newer syntax, binary, non-UTF-8
 * and huge files, symlink loops, .gitignore, virtualenvs and vendored packages.
 */

import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { analyzeProject, MAX_FILE_BYTES } from '../../src/analyze/analyze-project.js';
import { analyzeSources, diagnosticsAt, py, routeKeys, writeProject } from './helpers.js';

const appWithRoute = (path: string): string => py`
  from fastapi import FastAPI
  app = FastAPI()

  @app.get("${path}")
  def handler():
      return {}
`;

test('a file with a syntax error is analyzed as far as tree-sitter recovers, and named with the line', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      from fastapi import FastAPI
      app = FastAPI()

      @app.get("/before")
      def before():
          return {}

      def broken(:
          return (

      @app.get("/after")
      def after():
          return {}
    `,
  });
  assert.ok(routeKeys(result.routes).includes('GET /before'), JSON.stringify(routeKeys(result.routes)));
  const notes = diagnosticsAt(result, 'main.py');
  assert.ok(
    notes.some((n) => /^8: syntax error/.test(n)),
    `syntax error at line 8; got ${JSON.stringify(notes)}`,
  );
});

test('PEP 695 generics, type aliases and `except A, B:` do not break analysis', async (t) => {
  const result = await analyzeSources(t, {
    'requirements.txt': 'fastapi==0.92.0\n',
    'main.py': py`
      from fastapi import APIRouter, FastAPI

      type ItemId = int

      class Page[T]:
          items: list[T]

      def first[T](values: list[T]) -> T:
          return values[0]

      router = APIRouter(prefix="/items")

      @router.get("/{item_id}")
      def read_item[T](item_id: ItemId):
          try:
              return first([item_id])
          except ValueError, TypeError:
              return None

      app = FastAPI()
      app.include_router(router)
    `,
  });
  assert.deepEqual(routeKeys(result.routes), ['GET /items/{item_id}']);
  assert.deepEqual(diagnosticsAt(result, 'main.py'), [], 'newer syntax is not a syntax error');
});

test('binary, non-UTF-8 and over-1-MiB files are skipped and named; a UTF-8 BOM and a PEP 263 coding line are honoured', async (t) => {
  const latin1 = Buffer.from('# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\n', 'latin1');
  const undeclared = Buffer.from('NAME = "caf\xe9"\n', 'latin1');
  const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x0d, 0x0a]);
  const row = '    "x" * 80,\n';
  const huge = `ROWS = [\n${row.repeat(Math.ceil(MAX_FILE_BYTES / row.length) + 1)}]\n`;
  const result = await analyzeSources(t, {
    'requirements.txt': 'fastapi==0.92.0\n',
    'main.py': `\ufeff${appWithRoute('/ok')}`,
    'legacy_strings.py': latin1,
    'undeclared_latin1.py': undeclared,
    'logo.py': binary,
    'generated_data.py': huge,
  });
  assert.deepEqual(routeKeys(result.routes), ['GET /ok']);
  assert.deepEqual(diagnosticsAt(result, 'legacy_strings.py'), [], 'read as latin-1, as its coding line says');
  assert.match(diagnosticsAt(result, 'undeclared_latin1.py').join('\n'), /^1: skipped: not valid UTF-8/);
  assert.match(diagnosticsAt(result, 'logo.py').join('\n'), /^1: skipped: binary file/);
  assert.match(diagnosticsAt(result, 'generated_data.py').join('\n'), /^1: skipped: larger than 1 MiB/);
  assert.deepEqual(diagnosticsAt(result, 'main.py'), []);
  assert.equal(result.stats.skippedFiles, 3);
  assert.equal(result.stats.parsedFiles, 2);
});

test('a symlink loop does not hang the walk, and linked folders are not read twice', async (t) => {
  const root = writeProject(t, { 'pkg/__init__.py': '', 'pkg/main.py': appWithRoute('/loop') });
  symlinkSync('..', join(root, 'pkg', 'parent'));
  symlinkSync('.', join(root, 'pkg', 'self'));
  symlinkSync(join(root, 'pkg'), join(root, 'pkg-link'));
  const started = Date.now();
  const result = await analyzeProject(root);
  assert.ok(Date.now() - started < 10_000, 'finishes quickly');
  assert.deepEqual(routeKeys(result.routes), ['GET /loop']);
  assert.equal(result.stats.files, 2, 'pkg/__init__.py and pkg/main.py, once each');
});

test('a file or folder linked to outside the project is named in a diagnostic, not silently skipped', async (t) => {
  const outside = writeProject(t, {
    'shared/billing.py': appWithRoute('/billing'),
    'shared/lib/__init__.py': '',
    'notes.txt': 'x',
  });
  const root = writeProject(t, { 'main.py': appWithRoute('/main') });
  symlinkSync(join(outside, 'shared', 'billing.py'), join(root, 'billing.py'));
  symlinkSync(join(outside, 'shared', 'lib'), join(root, 'lib'));
  symlinkSync(join(outside, 'notes.txt'), join(root, 'notes.txt'));
  const result = await analyzeProject(root);
  assert.deepEqual(routeKeys(result.routes), ['GET /main']);
  assert.match(
    diagnosticsAt(result, 'billing.py').join('\n'),
    /^1: links to \.\.\/.+\/shared\/billing\.py, outside the project/,
  );
  assert.match(diagnosticsAt(result, 'lib').join('\n'), /^1: links to \.\.\/.+\/shared\/lib, outside the project/);
  assert.deepEqual(diagnosticsAt(result, 'notes.txt'), [], 'only what Python imports: .py files and folders');
});

test('.gitignore files apply to the folders below them; virtualenvs, node_modules, site-packages and __pycache__ are skipped', async (t) => {
  const root = writeProject(t, {
    '.gitignore': 'generated/\n*.local.py\n',
    'main.py': appWithRoute('/kept'),
    'generated/main.py': appWithRoute('/generated'),
    'dev.local.py': appWithRoute('/local'),
    'services/.gitignore': 'scratch.py\n',
    'services/scratch.py': appWithRoute('/scratch'),
    'services/worker.py': appWithRoute('/worker'),
    '.venv/lib/python3.12/site-packages/fastapi/applications.py': appWithRoute('/venv'),
    'env/pyvenv.cfg': 'home = /usr/bin\n',
    'env/lib/thing.py': appWithRoute('/custom-venv'),
    'venv/app.py': appWithRoute('/venv2'),
    'node_modules/pkg/app.py': appWithRoute('/node'),
    'vendor/lib/site-packages/flask_app.py': appWithRoute('/site'),
    '__pycache__/main.py': appWithRoute('/cache'),
  });
  mkdirSync(join(root, '.git'));
  const result = await analyzeProject(root);
  assert.deepEqual(routeKeys(result.routes), ['GET /kept', 'GET /worker']);
  const files = new Set([...result.apps.map((a) => a.file), ...result.diagnostics.map((d) => d.file)]);
  assert.deepEqual([...files].sort(), ['main.py', 'services/worker.py']);
  assert.equal(result.stats.files, 2);
});
